"""Need pages: browse and search, show with suggestions, post, edit, cancel, set the budget."""

from __future__ import annotations

from flask import Blueprint, abort, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from csr_hub.extensions import db
from csr_hub.models import Need
from csr_hub.services import matches as match_service
from csr_hub.services import posts, suggestions
from csr_hub.services.errors import ServiceError
from csr_hub.web.access import roles_required
from csr_hub.web.auth.forms import ConfirmForm
from csr_hub.web.forms import apply_service_errors, commit_or_show_errors, ok
from csr_hub.web.i18n import current_lang
from csr_hub.web.listing import choices, run_list
from csr_hub.web.needs.forms import BudgetForm, NeedForm, ProposeForm, category_choices, urgency_choices
from csr_hub.web.security import client_ip

bp = Blueprint("needs", __name__)


@bp.get("/needs")
def list_needs():
    args, result, errors = run_list(posts.list_needs)
    return (
        render_template("needs/list.html", args=args, page=result, errors=errors, choices=choices()),
        422 if errors else 200,
    )


def _need_form(obj=None) -> NeedForm:
    form = NeedForm(obj=obj)
    form.category.choices = category_choices(current_lang())
    form.urgency.choices = urgency_choices(current_lang())
    return form


@bp.route("/needs/new", methods=["GET", "POST"])
@roles_required("school_staff")
def new_need():
    form = _need_form()
    status = 200
    if form.validate_on_submit():
        need, status = commit_or_show_errors(
            form,
            lambda: posts.create_need(db.session, current_user, form.service_data(), ip=client_ip()),
            _("Your need is posted."),
        )
        if need is not None:
            return redirect(url_for("needs.show_need", need_id=need.id))
    elif request.method == "POST":
        status = 400  # the CSRF token was missing or expired: form_errors() says so
    return render_template("needs/form.html", form=form, need=None, held=False), status


def _show(need: Need, budget_form: BudgetForm | None = None, status: int = 200):
    ranked = suggestions.for_need(db.session, need, 10) if need.status == "open" else []
    user = current_user if current_user.is_authenticated else None
    can_edit = bool(user and posts.can_edit_need(user, need))
    can_budget = bool(user and posts.can_set_budget(user, need))
    my_offers = []
    if user and user.role == "company_rep" and user.status == "active":
        my_offers = posts.list_offers(db.session, {"company_id": user.company_id}, 1, 100).items
    visible = []
    if user:
        visible = match_service.list_matches(db.session, user, {"need_id": need.id}, 1, 100).items
    if can_budget and budget_form is None:
        budget_form = BudgetForm(budget_thb=need.budget_thb)
    held = posts.holds_quantity(db.session, need) if can_edit else False
    return render_template(
        "needs/show.html",
        need=need,
        suggestions=ranked,
        can_edit=can_edit,
        held=held,
        budget_form=budget_form if can_budget else None,
        my_offers=my_offers,
        matches=visible,
        propose_form=ProposeForm(),
        confirm_form=ConfirmForm(),
    ), status


@bp.get("/needs/<int:need_id>")
def show_need(need_id: int):
    return _show(posts.get_need(db.session, need_id))


@bp.route("/needs/<int:need_id>/edit", methods=["GET", "POST"])
@roles_required("school_staff")
def edit_need(need_id: int):
    need = posts.get_need(db.session, need_id)
    if not posts.can_edit_need(current_user, need):
        abort(403)
    form = _need_form(obj=need)
    status = 200
    if form.validate_on_submit():
        saved, status = commit_or_show_errors(
            form,
            lambda: posts.update_need(db.session, current_user, need, form.service_data(), ip=client_ip()),
            _("Saved."),
        )
        if saved is not None:
            return redirect(url_for("needs.show_need", need_id=need.id))
        need = posts.get_need(db.session, need_id)
    elif request.method == "POST":
        status = 400
    return render_template(
        "needs/form.html", form=form, need=need, held=posts.holds_quantity(db.session, need)
    ), status


@bp.post("/needs/<int:need_id>/cancel")
@roles_required("school_staff")
def cancel_need(need_id: int):
    need = posts.get_need(db.session, need_id)
    if not posts.can_edit_need(current_user, need):
        abort(403)
    form = ConfirmForm()
    if form.validate_on_submit():
        commit_or_show_errors(
            form,
            lambda: posts.cancel_need(db.session, current_user, need, ip=client_ip()),
            _("The need is cancelled."),
        )
    return redirect(url_for("needs.show_need", need_id=need_id))


@bp.post("/needs/<int:need_id>/budget")
@roles_required("district_director", "central_officer")
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
