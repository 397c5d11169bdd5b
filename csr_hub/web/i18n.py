"""Language: Thai by default whatever the browser asks; ``?lang=en|th`` switches and is remembered."""

from __future__ import annotations

from flask import Flask, has_request_context, request, session
from flask_babel import get_locale, get_translations

from csr_hub import labels
from csr_hub.domain import money, reference

LANGS = ("th", "en")


def select_locale() -> str:
    if not has_request_context():
        return "en"  # CLI output and background jobs
    lang = request.args.get("lang")
    if lang in LANGS:
        return lang
    if request.path.startswith("/api/"):
        header = request.headers.get("Accept-Language", "")
        return "th" if header.strip().lower().startswith("th") else "en"
    saved = session.get("lang")
    return saved if saved in LANGS else "th"


def current_lang() -> str:
    return str(get_locale() or "th")


def compile_catalogues(app: Flask) -> None:
    """Compile ``.po`` to ``.mo`` when missing or stale, so a plain ``pip install -e .`` speaks Thai.

    The binaries are not committed; when the package folder is read-only they go under ``instance/``.
    """
    import os
    from pathlib import Path

    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    source = Path(__file__).resolve().parent.parent / "translations"
    if not source.is_dir():
        return
    target = source if os.access(source, os.W_OK) else Path(app.instance_path) / "translations"
    for po in source.glob("*/LC_MESSAGES/*.po"):
        mo = target / po.relative_to(source).with_suffix(".mo")
        if mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime:
            continue
        mo.parent.mkdir(parents=True, exist_ok=True)
        with po.open("rb") as f:
            catalog = read_po(f, locale=po.parts[-3])
        tmp = mo.with_suffix(f".mo.{os.getpid()}.tmp")  # one per process: parallel start-ups share none
        with tmp.open("wb") as f:
            write_mo(f, catalog, use_fuzzy=False)
        tmp.replace(mo)
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = str(target)


class _WTFormsTranslations:
    """WTForms' own messages ("This field is required." …) through the app's catalogue, so they are Thai.

    WTForms ships no Thai; Flask-WTF would look only in WTForms' folder. The msgids are in our ``.po``.
    ``ngettext`` must not format: WTForms fills ``%(min)d`` itself.
    """

    def gettext(self, string: str) -> str:
        return get_translations().ugettext(string) if has_request_context() else string

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        if not has_request_context():
            return singular if n == 1 else plural
        return get_translations().ungettext(singular, plural, n)


WTFORMS_TRANSLATIONS = _WTFormsTranslations()


def _wtforms_translations(_meta, _form):
    return WTFORMS_TRANSLATIONS


def name_of(obj, lang: str | None = None) -> str:
    """A school's, province's or ESA's name in the page's language, Thai when there is no English."""
    if obj is None:
        return ""
    lang = lang or current_lang()
    th = getattr(obj, "name_th", None) or getattr(obj, "name", "") or ""
    if lang == "en":
        return getattr(obj, "name_en", None) or th
    return th


def init_app(app: Flask) -> None:
    from flask_wtf import FlaskForm

    from csr_hub.domain import policy

    FlaskForm.Meta.get_translations = _wtforms_translations
    app.jinja_env.globals["can"] = policy.can
    app.jinja_env.globals["name_of"] = name_of

    @app.before_request
    def _remember_lang():
        lang = request.args.get("lang")
        if lang in LANGS and not request.path.startswith("/api/") and session.get("lang") != lang:
            session["lang"] = lang

    @app.context_processor
    def _lang_helpers():
        lang = current_lang()
        return {
            "current_lang": lang,
            "label": lambda table, code: labels.label(getattr(labels, table), code, lang),
            "baht": lambda v: money.format_baht(v, lang),
            "offer_status": lambda o: o.status_on(reference.today_bangkok()),
        }

    app.jinja_env.filters["bedate"] = lambda v: reference.format_date(v, current_lang())
    app.jinja_env.filters["baht"] = lambda v: money.format_baht(v, current_lang())
    app.jinja_env.filters["bktime"] = lambda v: v.astimezone(reference.BANGKOK).strftime("%H:%M") if v else ""
    app.jinja_env.filters["num"] = lambda v: f"{int(v or 0):,}"
