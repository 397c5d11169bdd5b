"""The Thai catalogue is complete for the committed template, and the app speaks it: Thai pages by
default, English on ``?lang=en`` (kept by the session), Thai API errors with ``Accept-Language: th``,
Buddhist Era dates.

The catalogue checks compare the committed ``messages.pot`` with ``th/messages.po`` rather than
re-extracting the live code, so a string another engineer adds minutes ago cannot make them fail;
``make translations`` (extract + update) is what brings new strings into the ``.pot``.
"""

from __future__ import annotations

import functools
import os
import re
from datetime import date
from pathlib import Path

import pytest
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

import csr_hub

TRANSLATIONS = Path(csr_hub.__file__).resolve().parent / "translations"
POT = TRANSLATIONS / "messages.pot"
PO = TRANSLATIONS / "th" / "LC_MESSAGES" / "messages.po"
TEMPLATES = Path(csr_hub.__file__).resolve().parent.parent / "templates"
PLACEHOLDER = re.compile(r"%\(\w+\)[-#0 +]*\d*(?:\.\d+)?[sdifr]")
THAI = re.compile(r"[\u0e00-\u0e7f]")


def _read(path: Path):
    with path.open("rb") as f:
        return read_po(f, locale="th" if path.suffix == ".po" else None)


def _key_of(msgid) -> str:
    return msgid[0] if isinstance(msgid, (tuple, list)) else msgid


def _strings(message) -> list[str]:
    return list(message.string) if isinstance(message.string, (tuple, list)) else [message.string]


@pytest.fixture(scope="module")
def pot():
    return _read(POT)


@pytest.fixture(scope="module")
def po():
    return _read(PO)


@functools.lru_cache(maxsize=1)
def _committed_po():
    return _read(PO)


def _key(msgid):
    return tuple(msgid) if isinstance(msgid, (list, tuple)) else msgid


def _text(value) -> str | None:
    return value.decode() if isinstance(value, bytes) else value


def th(msgid: str) -> str:
    """The committed Thai for ``msgid`` (first form of a plural)."""
    message = _committed_po().get(msgid)
    assert message is not None and _strings(message)[0], f"no Thai for {msgid!r}"
    return _strings(message)[0]


# --- the catalogue ---------------------------------------------------------------------------------------
def test_catalogue_translates_every_msgid_of_the_template(pot, po):
    ids = [m.id for m in pot if m.id]
    assert len(ids) > 100, "the .pot looks empty: was it extracted?"
    problems = []
    for msgid in ids:
        message = po.get(_key_of(msgid))
        if message is None:
            problems.append(f"missing: {msgid!r}")
        elif message.fuzzy:
            problems.append(f"fuzzy: {msgid!r}")
        elif not _strings(message)[0].strip():
            problems.append(f"untranslated: {msgid!r}")
        elif isinstance(msgid, (tuple, list)) != isinstance(message.id, (tuple, list)):
            problems.append(f"plural mismatch: {msgid!r}")
    assert not problems, "\n".join(problems)


def test_catalogue_has_no_fuzzy_entries_and_thai_plural_rule(po):
    assert po.plural_forms == "nplurals=1; plural=0;"
    assert [m.id for m in po if m.id and m.fuzzy] == []
    assert not po.fuzzy, "the header is marked fuzzy: compile would skip the whole catalogue"


def test_every_placeholder_survives_translation(po):
    problems = []
    for message in po:
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, (tuple, list)) else (message.id,)
        wanted = {p for msgid in ids for p in PLACEHOLDER.findall(msgid)}
        for text in _strings(message):
            found = set(PLACEHOLDER.findall(text))
            if (found or wanted) and found != wanted:
                problems.append(f"{message.id!r}: {sorted(wanted)} vs {sorted(found)} in {text!r}")
    assert not problems, "\n".join(problems)
    checker_errors = [(m.id, [str(e) for e in errs]) for m, errs in po.check()]
    assert checker_errors == []


def test_translations_are_thai(po):
    """Names and formats (CSR Hub, CSV, Excel, ``#{id} «{title}»``) may stay as they are; every phrase is
    written in Thai."""
    not_thai = [(m.id, _strings(m)[0]) for m in po if m.id and not THAI.search(_strings(m)[0])]
    phrases = [
        (msgid, text) for msgid, text in not_thai if re.search(r"[A-Za-z]", re.sub(r"{[^}]*}", "", text))
    ]
    assert [(msgid, text) for msgid, text in phrases if text != msgid or len(text.split()) > 2] == []


def test_template_was_extracted_from_underscore_folders_too(pot):
    """pybabel skips folders starting with ``_`` unless ``--ignore-dirs '.*'`` is given."""
    files = {path for m in pot if m.id for path, _line in m.locations}
    for folder in ("_macros", "_partials"):
        pages = [p for p in (TEMPLATES / folder).glob("*.html") if "_(" in p.read_text(encoding="utf-8")]
        if pages:
            assert any(f.startswith(f"templates/{folder}/") for f in files), f"templates/{folder} skipped"


def test_catalogue_compiles_at_start_up_even_from_a_read_only_package(tmp_path, monkeypatch, po):
    from flask import Flask

    from csr_hub.web import i18n

    real_access = os.access

    def access(path, mode, **kw):  # the package folder is read-only
        return False if mode == os.W_OK and Path(path) == TRANSLATIONS else real_access(path, mode, **kw)

    monkeypatch.setattr(os, "access", access)
    app = Flask("probe", instance_path=str(tmp_path / "instance"))
    i18n.compile_catalogues(app)
    target = Path(app.config["BABEL_TRANSLATION_DIRECTORIES"])
    assert target == tmp_path / "instance" / "translations"
    with (target / "th" / "LC_MESSAGES" / "messages.mo").open("rb") as f:
        # keyed by (id, context); Babel's read_mo leaves a context as bytes
        compiled = {(_key(m.id), _text(m.context)): m for m in read_mo(f) if m.id}
    for message in po:
        if message.id:
            key = (_key(message.id), message.context)
            assert key in compiled, key
            assert _strings(compiled[key])[0] == _strings(message)[0]
    assert not list(target.glob("th/LC_MESSAGES/*.tmp"))


# --- the app speaks it -----------------------------------------------------------------------------------
def _html_lang(response) -> str:
    match = re.search(r'<html lang="(\w+)"', response.get_data(as_text=True))
    assert match, response.get_data(as_text=True)[:300]
    return match.group(1)


def _is_thai_page(response) -> bool:
    text = response.get_data(as_text=True)
    assert response.status_code == 200, text[:300]
    if _html_lang(response) == "th":
        assert th("Skip to main content") in text and "Skip to main content" not in text
        return True
    assert _html_lang(response) == "en"
    assert "Skip to main content" in text and th("Skip to main content") not in text
    return False


def test_the_app_serves_a_current_compiled_catalogue(app):
    mo = Path(app.config["BABEL_TRANSLATION_DIRECTORIES"]) / "th" / "LC_MESSAGES" / "messages.mo"
    assert mo.stat().st_mtime >= PO.stat().st_mtime


@pytest.mark.parametrize("header", [None, "en-US,en;q=0.9", "en", "th-TH,th;q=0.9", "fr-FR"])
def test_pages_are_thai_by_default_whatever_the_browser_asks(client, header):
    headers = {"Accept-Language": header} if header else {}
    assert _is_thai_page(client.get("/", headers=headers))


def test_lang_switch_is_remembered_by_the_session(client):
    english = {"Accept-Language": "en-US,en;q=0.9"}
    assert _is_thai_page(client.get("/", headers=english))
    assert not _is_thai_page(client.get("/?lang=en"))
    assert not _is_thai_page(client.get("/"))  # remembered without the parameter
    assert not _is_thai_page(client.get("/needs", headers={"Accept-Language": "th"}))  # on other pages too
    assert _is_thai_page(client.get("/?lang=th", headers=english))
    assert _is_thai_page(client.get("/", headers=english))
    assert _is_thai_page(client.get("/?lang=xx"))  # an unknown code changes nothing


def test_page_messages_and_error_pages_follow_the_language(client):
    thai = client.get("/needs/987654")
    assert thai.status_code == 404
    assert th("Page not found") in thai.get_data(as_text=True)
    english = client.get("/needs/987654?lang=en")
    assert english.status_code == 404
    assert "Page not found" in english.get_data(as_text=True)


@pytest.mark.parametrize("header", [None, "en-US,en;q=0.9", "fr"])
def test_api_errors_are_english_unless_thai_is_asked_for(client, header):
    headers = {"Accept-Language": header} if header else {}
    english = client.get("/api/v1/auth/me", headers=headers)
    assert english.status_code == 401
    error = english.get_json()["error"]
    assert error["code"] == "unauthorized" and error["message"] and not THAI.search(error["message"])

    thai = client.get("/api/v1/auth/me", headers={"Accept-Language": "th-TH,th;q=0.9,en;q=0.8"})
    assert thai.status_code == 401
    body = thai.get_json()["error"]
    assert body["code"] == "unauthorized"
    assert body["message"] == th(error["message"])


def test_api_language_ignores_the_page_session(client):
    """A page visitor who chose English still gets Thai API errors when the script asks for Thai."""
    client.get("/?lang=en")
    r = client.get("/api/v1/auth/me", headers={"Accept-Language": "th"})
    assert r.status_code == 401 and THAI.search(r.get_json()["error"]["message"])
    r = client.get("/api/v1/auth/me")
    assert r.status_code == 401 and not THAI.search(r.get_json()["error"]["message"])


def test_api_validation_messages_are_thai_too(client):
    body = {
        "email": "someone@example.org",
        "password": "short",
        "full_name": "",
        "role": "school_staff",
        "school_code": "1",
    }
    english = client.post("/api/v1/auth/register", json=body)
    thai = client.post("/api/v1/auth/register", json=body, headers={"Accept-Language": "th"})
    assert english.status_code == thai.status_code == 422
    en_fields, th_fields = english.get_json()["error"]["fields"], thai.get_json()["error"]["fields"]
    assert en_fields.keys() == th_fields.keys() and "password" in en_fields
    for name, messages in en_fields.items():
        assert th_fields[name] == [th(m) for m in messages], name


def test_dates_on_pages_are_buddhist_era_in_thai(client, session, make_user, make_need):
    need = make_need(make_user("school_staff"))
    need.needed_by = date(2026, 12, 31)  # set directly: the form refuses past dates, and this one will pass
    session.commit()

    thai = client.get(f"/needs/{need.id}").get_data(as_text=True)
    assert re.search(r"31\s+ธ\.ค\.\s+2569", thai), thai
    assert not re.search(r"31\s+\S+\s+2026", thai)

    english = client.get(f"/needs/{need.id}?lang=en").get_data(as_text=True)
    assert re.search(r"31\s+Dec\s+2026", english)
    assert "2569" not in english
