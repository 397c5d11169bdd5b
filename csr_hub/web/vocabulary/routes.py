"""The matcher's vocabulary page (central officers): the posts it recognised no item kind in, and a form
that adds a term or synonym to an item kind (``services/vocabulary_terms.py``)."""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from csr_hub.domain import vocabulary
from csr_hub.domain.policy import Role
from csr_hub.extensions import db
from csr_hub.services import vocabulary_terms
from csr_hub.services.errors import ServiceError, ValidationFailed
from csr_hub.services.posts import parse_paging
from csr_hub.web.access import roles_required
from csr_hub.web.forms import apply_service_errors, ok
from csr_hub.web.i18n import current_lang
from csr_hub.web.security import client_ip
from csr_hub.web.vocabulary.forms import TermForm

bp = Blueprint("vocabulary", __name__, url_prefix="/vocabulary")


def _item_choices() -> list[tuple[str, str]]:
    th = current_lang() == "th"
    rows = [(it.code, f"{it.name_th if th else it.name_en} ({it.code})") for it in vocabulary.items()]
    return [("", _("Choose an item kind"))] + sorted(rows, key=lambda r: r[1])


def _page(form: TermForm, status: int = 200):
    vocabulary_terms.ensure_installed(db.session)
    try:
        page, per_page = parse_paging(request.args, default_per_page=20)
    except ValidationFailed:
        page, per_page = 1, 20
    return render_template(
        "vocabulary/index.html",
        form=form,
        needs=vocabulary_terms.unrecognised(db.session, "needs", page, per_page),
        offers=vocabulary_terms.unrecognised(db.session, "offers", page, per_page),
        terms=vocabulary_terms.added_terms(db.session),
        item_names=vocabulary.item_names,
    ), status


@bp.get("/")
@roles_required(Role.CENTRAL_OFFICER, active=True)
def index():
    form = TermForm(data={"term": request.args.get("term", "")})
    form.item_code.choices = _item_choices()
    return _page(form)


@bp.post("/terms")
@roles_required(Role.CENTRAL_OFFICER, active=True)
def add_term():
    form = TermForm()
    form.item_code.choices = _item_choices()
    if not form.validate_on_submit():
        return _page(form, 422)
    try:
        row = vocabulary_terms.add_term(
            db.session,
            current_user,
            {"item_code": form.item_code.data, "term": form.term.data, "kind": form.kind.data or None},
            ip=client_ip(),
        )
        db.session.commit()
    except ServiceError as exc:
        db.session.rollback()
        apply_service_errors(form, exc)
        return _page(form, exc.status)
    ok(
        _(
            "Added “%(term)s” to %(item)s.",
            term=row.term,
            item=vocabulary.item_names(row.item_code)[1 if current_lang() == "en" else 0],
        )
    )
    return redirect(url_for("vocabulary.index"))
