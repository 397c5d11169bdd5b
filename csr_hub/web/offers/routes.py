"""Offer pages: browse and search, show with suggestions, post, edit, withdraw."""

from __future__ import annotations

from flask import Blueprint, abort, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from csr_hub.extensions import db
from csr_hub.services import matches as match_service
from csr_hub.services import posts, suggestions
from csr_hub.web.access import roles_required
from csr_hub.web.auth.forms import ConfirmForm
from csr_hub.web.forms import commit_or_show_errors
from csr_hub.web.i18n import current_lang
from csr_hub.web.listing import choices, province_choices, run_list
from csr_hub.web.needs.forms import OfferForm, ProposeForm, category_choices
from csr_hub.web.security import client_ip

bp = Blueprint("offers", __name__)


@bp.get("/offers")
def list_offers():
    args, result, errors = run_list(posts.list_offers)
    return (
        render_template("offers/list.html", args=args, page=result, errors=errors, choices=choices()),
        422 if errors else 200,
    )


def _offer_form(obj=None) -> OfferForm:
    form = OfferForm(obj=obj)
    form.category.choices = category_choices(current_lang())
    form.provinces.choices = province_choices()
    if obj is not None and request.method == "GET":
        form.provinces.data = [p.code for p in obj.provinces]
    return form


def _data(form: OfferForm) -> dict:
    data = form.service_data()
    data["provinces"] = [str(code) for code in (form.provinces.data or [])]
    return data


@bp.route("/offers/new", methods=["GET", "POST"])
@roles_required("company_rep")
def new_offer():
    form = _offer_form()
    status = 200
    if form.validate_on_submit():
        offer, status = commit_or_show_errors(
            form,
            lambda: posts.create_offer(db.session, current_user, _data(form), ip=client_ip()),
            _("Your offer is posted."),
        )
        if offer is not None:
            return redirect(url_for("offers.show_offer", offer_id=offer.id))
    elif request.method == "POST":
        status = 400
    return render_template("offers/form.html", form=form, offer=None, held=False), status


@bp.get("/offers/<int:offer_id>")
def show_offer(offer_id: int):
    offer = posts.get_offer(db.session, offer_id)
    ranked = suggestions.for_offer(db.session, offer, 10)
    user = current_user if current_user.is_authenticated else None
    can_edit = bool(user and posts.can_edit_offer(user, offer))
    my_needs = []
    if user and user.role == "school_staff" and user.status == "active":
        my_needs = posts.list_needs(db.session, {"school_id": user.school_id}, 1, 100).items
    visible = (
        match_service.list_matches(db.session, user, {"offer_id": offer.id}, 1, 100).items if user else []
    )
    held = posts.holds_quantity(db.session, offer) if can_edit else False
    return render_template(
        "offers/show.html",
        offer=offer,
        suggestions=ranked,
        can_edit=can_edit,
        held=held,
        my_needs=my_needs,
        matches=visible,
        propose_form=ProposeForm(),
        confirm_form=ConfirmForm(),
    )


@bp.route("/offers/<int:offer_id>/edit", methods=["GET", "POST"])
@roles_required("company_rep")
def edit_offer(offer_id: int):
    offer = posts.get_offer(db.session, offer_id)
    if not posts.can_edit_offer(current_user, offer):
        abort(403)
    form = _offer_form(obj=offer)
    status = 200
    if form.validate_on_submit():
        saved, status = commit_or_show_errors(
            form,
            lambda: posts.update_offer(db.session, current_user, offer, _data(form), ip=client_ip()),
            _("Saved."),
        )
        if saved is not None:
            return redirect(url_for("offers.show_offer", offer_id=offer.id))
        offer = posts.get_offer(db.session, offer_id)
    elif request.method == "POST":
        status = 400
    return render_template(
        "offers/form.html", form=form, offer=offer, held=posts.holds_quantity(db.session, offer)
    ), status


@bp.post("/offers/<int:offer_id>/withdraw")
@roles_required("company_rep")
def withdraw_offer(offer_id: int):
    offer = posts.get_offer(db.session, offer_id)
    if not posts.can_edit_offer(current_user, offer):
        abort(403)
    form = ConfirmForm()
    if form.validate_on_submit():
        commit_or_show_errors(
            form,
            lambda: posts.withdraw_offer(db.session, current_user, offer, ip=client_ip()),
            _("The offer is withdrawn."),
        )
    return redirect(url_for("offers.show_offer", offer_id=offer_id))
