"""Offer pages: browse and search, show with suggestions, post, edit, withdraw."""

from __future__ import annotations

from flask import Blueprint, render_template, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from csr_hub.domain.policy import Role
from csr_hub.extensions import db
from csr_hub.services import posts, suggestions
from csr_hub.web.access import roles_required
from csr_hub.web.i18n import current_lang
from csr_hub.web.listing import choices, province_choices, run_list
from csr_hub.web import post_pages
from csr_hub.web.needs.forms import OfferForm, category_choices
from csr_hub.web.security import client_ip


def provinces_by_region() -> list[tuple[str, str, list[tuple[str, str]]]]:
    """The 77 provinces as (region code, region name, [(code, name)]): the offer form's checkboxes."""
    import sqlalchemy as sa

    from csr_hub import labels
    from csr_hub.domain.reference import REGIONS
    from csr_hub.models import Province

    lang = current_lang()
    groups: dict[str, list[tuple[str, str]]] = {code: [] for code in REGIONS}
    rows = db.session.execute(sa.select(Province.code, Province.name_th, Province.name_en, Province.region))
    for code, name_th, name_en, region in rows:
        groups.setdefault(region, []).append((code, (name_en or name_th) if lang == "en" else name_th))
    return [
        (region, labels.label(labels.REGIONS, region, lang), sorted(items, key=lambda p: p[1]))
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


OFFERS = post_pages.PostKind(
    "offer", posts.get_offer, posts.can_edit_offer, _l("This offer was already posted; here it is.")
)


def _form_page(form: OfferForm, offer=None, status: int = 200):
    held = posts.holds_quantity(db.session, offer) if offer is not None else False
    page = render_template(
        "offers/form.html", form=form, offer=offer, held=held, regions=provinces_by_region()
    )
    return page, status


@bp.route("/offers/new", methods=["GET", "POST"])
@roles_required(Role.COMPANY_REP)
def new_offer():
    form = _offer_form()
    post_pages.start_once(form)
    if not form.validate_on_submit():
        return _form_page(form, status=400 if request.method == "POST" else 200)
    if (sent := OFFERS.sent_before(form)) is not None:
        return sent

    def create():
        return posts.create_offer(db.session, current_user, _data(form), ip=client_ip())

    sent, status = OFFERS.post_once(form, create, _("Your offer is posted."))
    return sent or _form_page(form, status=status)


@bp.get("/offers/<int:offer_id>")
def show_offer(offer_id: int):
    offer = posts.get_offer(db.session, offer_id)
    ranked = suggestions.for_offer(db.session, offer, 10)
    return render_template("offers/show.html", offer=offer, suggestions=ranked, **OFFERS.page_parts(offer))


@bp.route("/offers/<int:offer_id>/edit", methods=["GET", "POST"])
@roles_required(Role.COMPANY_REP)
def edit_offer(offer_id: int):
    def save(offer, form):
        return posts.update_offer(db.session, current_user, offer, _data(form), ip=client_ip())

    return OFFERS.edit_page(
        offer_id, lambda o: _offer_form(obj=o), save, lambda form, o: _form_page(form, o)[0]
    )


@bp.post("/offers/<int:offer_id>/withdraw")
@roles_required(Role.COMPANY_REP)
def withdraw_offer(offer_id: int):
    def withdraw(offer):
        return posts.withdraw_offer(db.session, current_user, offer, ip=client_ip())

    return OFFERS.confirm_and_act(offer_id, withdraw, _("The offer is withdrawn."))
