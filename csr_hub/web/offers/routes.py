"""Offer pages: browse and search, show with suggestions, post, edit, withdraw."""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from csr_hub.domain.policy import Role, has_role
from csr_hub.extensions import db
from csr_hub.services import matches as match_service
from csr_hub.services import posts, suggestions
from csr_hub.web.access import roles_required
from csr_hub.web.auth.forms import ConfirmForm
from csr_hub.web.forms import commit_or_show_errors
from csr_hub.web.i18n import current_lang
from csr_hub.web.forms import pop_form
from csr_hub.web.listing import choices, province_choices, run_list
from csr_hub.web import post_pages
from csr_hub.web.matches.routes import PROPOSE_KEY
from csr_hub.web.needs.forms import OfferForm, ProposeForm, category_choices
from csr_hub.web.once import AlreadyClaimed, claim, remember
from csr_hub.web.security import client_ip

NEW_OFFER_ROUTE = "page:offers.new_offer"
ALREADY_POSTED = _l("This offer was already posted; here it is.")


def _show_url(offer_id: int) -> str:
    return url_for("offers.show_offer", offer_id=offer_id)


def provinces_by_region() -> list[tuple[str, str, list[tuple[str, str]]]]:
    """The 77 provinces as (region code, region name, [(code, name)]): the offer form's checkboxes."""
    import sqlalchemy as sa

    from csr_hub.domain.reference import REGIONS, label
    from csr_hub.models import Province

    lang = current_lang()
    groups: dict[str, list[tuple[str, str]]] = {code: [] for code in REGIONS}
    rows = db.session.execute(sa.select(Province.code, Province.name_th, Province.name_en, Province.region))
    for code, name_th, name_en, region in rows:
        groups.setdefault(region, []).append((code, (name_en or name_th) if lang == "en" else name_th))
    return [
        (region, label(REGIONS, region, lang), sorted(items, key=lambda p: p[1]))
        for region, items in groups.items()
        if items
    ]


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
@roles_required(Role.COMPANY_REP)
def new_offer():
    form = _offer_form()
    status = 200
    post_pages.start_once(form)
    if form.validate_on_submit():
        token = form.form_token.data or ""
        if (sent := post_pages.already_sent(NEW_OFFER_ROUTE, token, ALREADY_POSTED, _show_url)) is not None:
            return sent

        def create():
            record = claim(db.session, current_user, token, NEW_OFFER_ROUTE)
            offer = posts.create_offer(db.session, current_user, _data(form), ip=client_ip())
            remember(record, offer.id)
            return offer

        try:
            offer, status = commit_or_show_errors(form, create, _("Your offer is posted."))
        except AlreadyClaimed:
            return post_pages.already_sent(NEW_OFFER_ROUTE, token, ALREADY_POSTED, _show_url, lost_race=True)
        if offer is not None:
            return redirect(url_for("offers.show_offer", offer_id=offer.id))
    elif request.method == "POST":
        status = 400
    return render_template(
        "offers/form.html", form=form, offer=None, held=False, regions=provinces_by_region()
    ), status


@bp.get("/offers/<int:offer_id>")
def show_offer(offer_id: int):
    offer = posts.get_offer(db.session, offer_id)
    ranked = suggestions.for_offer(db.session, offer, 10)
    user = current_user if current_user.is_authenticated else None
    can_edit = bool(user and posts.can_edit_offer(user, offer))
    my_needs = []
    if user and has_role(user, Role.SCHOOL_STAFF) and user.status == "active":
        my_needs = posts.list_needs(db.session, {"school_id": user.school_id}, 1, 100).items
    propose_errors, propose_values = pop_form(PROPOSE_KEY) if user else ({}, {})
    if propose_values.get("offer_id") != str(offer.id):
        propose_errors, propose_values = {}, {}
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
        # forms (and their CSRF token, hence a session cookie) only for someone who can act on them
        propose_form=ProposeForm() if user else None,
        confirm_form=ConfirmForm() if user else None,
        propose_errors=propose_errors,
        propose_values=propose_values,
    )


@bp.route("/offers/<int:offer_id>/edit", methods=["GET", "POST"])
@roles_required(Role.COMPANY_REP)
def edit_offer(offer_id: int):
    offer = post_pages.owned(posts.get_offer, posts.can_edit_offer, offer_id)
    return post_pages.edit_page(
        offer,
        posts.get_offer,
        _offer_form(obj=offer),
        lambda o, form: posts.update_offer(db.session, current_user, o, _data(form), ip=client_ip()),
        lambda o: _show_url(o.id),
        lambda form, o: render_template(
            "offers/form.html",
            form=form,
            offer=o,
            held=posts.holds_quantity(db.session, o),
            regions=provinces_by_region(),
        ),
    )


@bp.post("/offers/<int:offer_id>/withdraw")
@roles_required(Role.COMPANY_REP)
def withdraw_offer(offer_id: int):
    return post_pages.confirm_and_act(
        post_pages.owned(posts.get_offer, posts.can_edit_offer, offer_id),
        lambda o: posts.withdraw_offer(db.session, current_user, o, ip=client_ip()),
        _("The offer is withdrawn."),
        url_for("offers.show_offer", offer_id=offer_id),
    )
