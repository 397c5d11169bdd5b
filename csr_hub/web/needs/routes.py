"""Need pages: browse and search, show with suggestions, post, edit, cancel, set the budget."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from csr_hub.domain.policy import MatchStatus, Role
from csr_hub.extensions import db
from csr_hub.models import Match, Need
from csr_hub.services import duplicates, need_photos, posts, suggestions
from csr_hub.services.errors import ServiceError, ValidationFailed, invalid
from csr_hub.web.access import roles_required
from csr_hub.web.auth.forms import ConfirmForm
from csr_hub.web.forms import apply_service_errors, ok, pop_form, stash_form
from csr_hub.web.i18n import current_lang
from csr_hub.web.listing import choices, run_list
from csr_hub.web import post_pages
from csr_hub.web.needs.forms import (
    BudgetForm,
    NeedForm,
    NewNeedForm,
    PhotoForm,
    category_choices,
    urgency_choices,
)
from csr_hub.web.security import client_ip

bp = Blueprint("needs", __name__)


@bp.get("/needs")
def list_needs():
    args, result, errors = run_list(posts.list_needs)
    return (
        render_template(
            "needs/list.html",
            args=args,
            page=result,
            errors=errors,
            choices=choices(),
            photos=need_photos.for_needs(db.session, [n.id for n in result.items]) if result else {},
        ),
        422 if errors else 200,
    )


def _need_form(obj=None, cls: type[NeedForm] = NeedForm) -> NeedForm:
    form = cls(obj=obj)
    form.category.choices = category_choices(current_lang())
    form.urgency.choices = urgency_choices(current_lang())
    return form


NEEDS = post_pages.PostKind(
    "need", posts.get_need, posts.can_edit_need, _l("This need was already posted; here it is.")
)


def _form_page(form: NeedForm, need: Need | None = None, status: int = 200, **extra):
    held = posts.holds_quantity(db.session, need) if need is not None else False
    return render_template("needs/form.html", form=form, need=need, held=held, **extra), status


@bp.route("/needs/new", methods=["GET", "POST"])
@roles_required(Role.SCHOOL_STAFF)
def new_need():
    form = _need_form(cls=NewNeedForm)
    post_pages.start_once(form)
    if not form.validate_on_submit():
        return _form_page(form, status=400 if request.method == "POST" else 200)  # 400: the CSRF token
    if (sent := NEEDS.sent_before(form)) is not None:
        return sent
    photo = None
    if _chosen(form.photo.data):  # checked before anything is saved: a bad photo posts nothing
        try:
            photo = need_photos.prepare(form.photo.data.filename, form.photo.data.stream)
        except ValidationFailed as exc:
            apply_service_errors(form, exc)
            return _form_page(form, status=exc.status)
    if not request.form.get("post_anyway"):  # warn before saving what looks like one already posted
        data = form.service_data()
        similar = duplicates.find(
            db.session, current_user.school_id, data.get("title", ""), data.get("description", "")
        )
        if similar:
            return _form_page(form, duplicates=similar, photo_dropped=photo is not None)
    written: list[str] = []

    def create():
        need = posts.create_need(db.session, current_user, form.service_data(), ip=client_ip())
        if photo is not None:
            row, _stale = need_photos.attach(db.session, current_user, need, photo, _uploads(), client_ip())
            written.extend([row.stored_name, row.thumb_name])
        return need

    def clean_up():
        need_photos.remove_files(_uploads(), written)

    sent, status = NEEDS.post_once(form, create, _("Your need is posted."), clean_up)
    return sent or _form_page(form, status=status)


def _chosen(data) -> bool:
    """Whether a file was chosen in a file field (an empty part has no file name)."""
    return bool(getattr(data, "filename", ""))


def _uploads() -> str:
    return current_app.config["UPLOAD_FOLDER"]


def progress_of(need: Need) -> dict:
    """How much of the need is pledged (held by matches) and received (confirmed), for the progress bar."""
    received = db.session.scalar(
        sa.select(sa.func.coalesce(sa.func.sum(Match.received_quantity), 0)).where(
            Match.need_id == need.id, Match.status == MatchStatus.COMPLETED
        )
    )
    quantity = max(need.quantity or 0, 1)
    held = max(0, (need.quantity or 0) - (need.remaining_quantity or 0))
    received = min(int(received or 0), held)
    return {
        "quantity": need.quantity or 0,
        "pledged": held,
        "received": received,
        "pledged_pct": round(100 * held / quantity),
        "received_pct": round(100 * received / quantity),
    }


def _show(need: Need, budget_form: BudgetForm | None = None, status: int = 200):
    ranked = suggestions.for_need(db.session, need, 10) if need.status == "open" else []
    parts = NEEDS.page_parts(need)
    can_edit = parts["can_edit"]
    can_budget = current_user.is_authenticated and posts.can_set_budget(current_user, need)
    if can_budget and budget_form is None:
        budget_form = BudgetForm(budget_thb=need.budget_thb)
    photo_errors, _values = pop_form(PHOTO_KEY + str(need.id)) if can_edit else ({}, {})
    return render_template(
        "needs/show.html",
        need=need,
        photo=need_photos.photo_of(db.session, need.id),
        photo_form=PhotoForm() if can_edit and need.status != "cancelled" else None,
        photo_errors=photo_errors,
        suggestions=ranked,
        budget_form=budget_form if can_budget else None,
        progress=progress_of(need),
        **parts,
    ), status


@bp.get("/needs/<int:need_id>")
def show_need(need_id: int):
    return _show(posts.get_need(db.session, need_id))


@bp.route("/needs/<int:need_id>/edit", methods=["GET", "POST"])
@roles_required(Role.SCHOOL_STAFF)
def edit_need(need_id: int):
    def save(need, form):
        return posts.update_need(db.session, current_user, need, form.service_data(), ip=client_ip())

    return NEEDS.edit_page(need_id, lambda n: _need_form(obj=n), save, lambda form, n: _form_page(form, n)[0])


@bp.post("/needs/<int:need_id>/cancel")
@roles_required(Role.SCHOOL_STAFF)
def cancel_need(need_id: int):
    def cancel(need):
        return posts.cancel_need(db.session, current_user, need, ip=client_ip())

    return NEEDS.confirm_and_act(need_id, cancel, _("The need is cancelled."))


@bp.post("/needs/<int:need_id>/budget")
@roles_required(Role.DISTRICT_DIRECTOR, Role.CENTRAL_OFFICER)
def set_budget(need_id: int):
    need = posts.get_need(db.session, need_id)
    if not posts.can_set_budget(current_user, need):
        abort(403)
    form = BudgetForm()
    if not form.validate_on_submit():
        return _show(need, form, 400)
    raw = (form.budget_thb.data or "").strip() or None
    try:
        posts.update_need(db.session, current_user, need, {"budget_thb": raw}, ip=client_ip())
        db.session.commit()
    except ServiceError as exc:
        db.session.rollback()
        apply_service_errors(form, exc)
        return _show(posts.get_need(db.session, need_id), form, exc.status)
    ok(_("Budget saved."))
    return redirect(url_for("needs.show_need", need_id=need_id))


# --- the need's photo ------------------------------------------------------------------------------------
PHOTO_KEY = "need-photo-"


@bp.get("/needs/<int:need_id>/photo")
@bp.get("/needs/<int:need_id>/photo/card", endpoint="need_photo_card", defaults={"small": True})
def need_photo(need_id: int, small: bool = False):
    """The need's photo, to everyone who may see the need (every need page is public)."""
    posts.get_need(db.session, need_id)
    row, path = need_photos.file_for(db.session, need_id, small, _uploads())
    response = send_file(path, mimetype="image/jpeg", max_age=3600, conditional=True, etag=False)
    response.set_etag(row.sha256 + ("-card" if small else ""))
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response.make_conditional(request)


@bp.post("/needs/<int:need_id>/photo")
@roles_required(Role.SCHOOL_STAFF)
def upload_need_photo(need_id: int):
    """Add or replace the need's photo; errors go back to the need's page beside the field (PRG)."""
    need = NEEDS.owned(need_id)
    form = PhotoForm()
    back = redirect(url_for("needs.show_need", need_id=need_id) + "#photo", 303)
    if not form.validate_on_submit():
        stash_form(PHOTO_KEY + str(need_id), {"photo": [_("The form has expired; please try again.")]}, {})
        return back
    stale: list[str] = []
    written: list[str] = []
    try:
        if not _chosen(form.photo.data):
            raise invalid("photo", _("Choose a photo."))
        photo = need_photos.prepare(form.photo.data.filename, form.photo.data.stream)
        row, stale = need_photos.attach(db.session, current_user, need, photo, _uploads(), client_ip())
        written = [row.stored_name, row.thumb_name]
        db.session.commit()
    except ServiceError as exc:
        db.session.rollback()
        need_photos.remove_files(_uploads(), written)
        errors = {k: [str(m) for m in v] for k, v in exc.fields.items()} or {"photo": [str(exc.message)]}
        stash_form(PHOTO_KEY + str(need_id), errors, {})
        return back
    need_photos.remove_files(_uploads(), stale)
    ok(_("The photo is saved."))
    return back


@bp.post("/needs/<int:need_id>/photo/remove")
@roles_required(Role.SCHOOL_STAFF)
def remove_need_photo(need_id: int):
    need = NEEDS.owned(need_id)
    form = ConfirmForm()
    if form.validate_on_submit():
        try:
            names = need_photos.detach(db.session, current_user, need, client_ip())
            db.session.commit()
        except ServiceError as exc:
            db.session.rollback()
            flash(str(exc.message), "error")
        else:
            need_photos.remove_files(_uploads(), names)
            ok(_("The photo is removed."))
    return redirect(url_for("needs.show_need", need_id=need_id) + "#photo", 303)
