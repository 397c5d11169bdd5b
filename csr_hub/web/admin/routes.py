"""Administration pages: the audit log (read only; nothing in the app edits or deletes it), users (admins)
and schools (central officers and admins)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

from flask import Blueprint, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.orm import selectinload

from csr_hub.domain.policy import Role
from csr_hub.extensions import db
from csr_hub.models import AuditEvent, School, User
from csr_hub.services import accounts, admin_lookup, audit
from csr_hub.services import schools as schools_service
from csr_hub.services.errors import Conflict, ServiceError, ValidationFailed
from csr_hub.services.posts import Page, paginate, parse_paging
from csr_hub.models.user import STATUSES
from csr_hub.web.access import roles_required
from csr_hub.web.admin.forms import SchoolEditForm, SchoolForm, UserForm, group_choices, role_choices
from csr_hub.web.forms import apply_service_errors, ok
from csr_hub.web.i18n import current_lang
from csr_hub.web.security import client_ip

bp = Blueprint("admin", __name__, url_prefix="/admin")

FILTERS = ("action", "actor", "object_type", "object_id", "ip", "since", "until")


def _field_errors(exc: ValidationFailed) -> dict[str, list[str]]:
    return {k: [str(m) for m in v] for k, v in exc.fields.items()}


@dataclass(frozen=True)
class Listing:
    """A filtered, paged list page: its template, the filters it reads, the query they build, its order."""

    template: str
    filters: tuple[str, ...]
    build: Callable[[dict[str, str]], Any]
    order: tuple
    options: tuple = ()
    per_page: int = 20

    def rows(self, args: dict[str, str]) -> tuple[Page, dict[str, list[str]]]:
        """The page of rows; a bad value shows next to its filter and gives an empty page."""
        errors: dict[str, list[str]] = {}
        try:
            page, per_page = parse_paging(request.args, default_per_page=self.per_page)
        except ValidationFailed as exc:
            errors.update(_field_errors(exc))
            page, per_page = 1, self.per_page
        try:
            q = self.build(args)
        except ValidationFailed as exc:
            errors.update(_field_errors(exc))
            q = None
        if q is None:
            return Page([], 0, page, per_page), errors
        return paginate(db.session, q, self.order, page, per_page, self.options), errors

    def render(self, about: Callable[[list], dict] | None = None, **context: Any):
        """200, or 422 when a filter is wrong; ``about(rows)`` adds what the template needs of the rows."""
        args = {k: request.args.get(k, "") for k in self.filters}
        result, errors = self.rows(args)
        if about is not None:
            context.update(about(result.items))
        query_args = {k: v for k, v in args.items() if v}
        page = render_template(
            self.template, args=args, errors=errors, page=result, query_args=query_args, **context
        )
        return page, (422 if errors else 200)


AUDIT = Listing(
    "admin/audit.html",
    FILTERS,
    lambda args: audit.query(db.session, args),
    (AuditEvent.id.desc(),),
    per_page=50,
)


@bp.get("/audit")
@roles_required(Role.ADMIN, active=True)
def audit_log():
    actors = lambda events: {"actors": admin_lookup.actors(db.session, events)}  # noqa: E731
    return AUDIT.render(about=actors, actions=audit.actions(db.session))


def status_names() -> dict[str, str]:
    return {"pending": _("Waiting for verification"), "active": _("Active"), "disabled": _("Disabled")}


def status_choices(current: str) -> list[tuple[str, str]]:
    keep = ["pending"] if current == "pending" else []
    names = status_names()
    return [(k, names[k]) for k in keep + list(accounts.ADMIN_STATUSES)]


# --- users ----------------------------------------------------------------------------------------------------

USERS = Listing(
    "admin/users.html", ("role", "status", "q"), accounts.users_query, (User.id,), admin_lookup.USER_LOAD
)


@bp.get("/users")
@roles_required(Role.ADMIN, active=True)
def users():
    names = status_names()
    return USERS.render(
        roles=role_choices(current_lang()),
        statuses=[(k, names[k]) for k in STATUSES],
        status_names=names,
        scope_label=accounts.scope_label,
    )


def _user_or_404(user_id: int) -> User:
    return admin_lookup.user(db.session, user_id)


def _user_form(user: User, form: UserForm | None = None) -> UserForm:
    if form is None:
        form = UserForm(
            data={
                "role": user.role,
                "status": user.status,
                "school_code": user.school.code if user.school else "",
                "company_tax_id": user.company.tax_id if user.company else "",
                "district_code": user.district.code if user.district else "",
            }
        )
    form.role.choices = role_choices(current_lang())
    form.status.choices = status_choices(user.status)
    return form


def _show_user(user: User, form: UserForm, status: int = 200):
    return render_template(
        "admin/user.html", user=user, form=form, status_names=status_names(), scope_label=accounts.scope_label
    ), status


@bp.get("/users/<int:user_id>")
@roles_required(Role.ADMIN, active=True)
def user(user_id: int):
    u = _user_or_404(user_id)
    return _show_user(u, _user_form(u))


@bp.post("/users/<int:user_id>")
@roles_required(Role.ADMIN, active=True)
def update_user(user_id: int):
    u = _user_or_404(user_id)
    form = _user_form(u, UserForm())
    if not form.validate_on_submit():
        return _show_user(u, form, 400)
    try:
        accounts.change_user(
            db.session,
            current_user,
            user_id,
            role=form.role.data,
            status=form.status.data,
            school_code=form.school_code.data or "",
            company_tax_id=form.company_tax_id.data or "",
            district_code=form.district_code.data or "",
            ip=client_ip(),
        )
        db.session.commit()
    except (ValidationFailed, Conflict) as exc:
        db.session.rollback()
        apply_service_errors(form, exc)
        u = _user_or_404(user_id)
        return _show_user(u, _user_form(u, form), exc.status)
    ok(_("The account of %(name)s is saved.", name=u.full_name))
    return redirect(url_for("admin.user", user_id=user_id))


# --- schools --------------------------------------------------------------------------------------------------

SCHOOLS = Listing(
    "admin/schools.html",
    ("q", "quality_group"),
    schools_service.schools_query,
    (School.code,),
    (selectinload(School.district),),
)


def _school_form(form: SchoolForm | None = None) -> SchoolForm:
    form = form or SchoolForm(data={"quality_group": "core"})
    form.quality_group.choices = group_choices(current_lang())
    return form


def _schools_page(form: SchoolForm, status: int = 200):
    page, listed = SCHOOLS.render(form=form, groups=group_choices(current_lang()))
    return page, (listed if status == 200 else status)


@bp.get("/schools")
@roles_required(Role.CENTRAL_OFFICER, Role.ADMIN, active=True)
def schools():
    return _schools_page(_school_form())


@bp.post("/schools")
@roles_required(Role.CENTRAL_OFFICER, Role.ADMIN, active=True)
def create_school():
    form = _school_form(SchoolForm())
    if not form.validate_on_submit():
        return _schools_page(form, 400)
    # an empty optional box means "not given", so the service applies its default
    data = {k: (v or "").strip() for k, v in form.data.items() if k not in ("csrf_token", "submit")}
    data = {k: v for k, v in data.items() if v or k in ("code", "name_th", "district_code")}
    try:
        s = schools_service.create_school(db.session, current_user, data, ip=client_ip())
        db.session.commit()
    except ServiceError as exc:
        db.session.rollback()
        if isinstance(exc, Conflict):
            form.code.errors = list(form.code.errors) + [str(exc.message)]
        else:
            apply_service_errors(form, exc)
        return _schools_page(form, exc.status)
    ok(_("School %(code)s %(name)s is added.", code=s.code, name=s.name_th))
    return redirect(url_for("admin.school", school_id=s.id))


def _edit_form(school: School, form: SchoolEditForm | None = None) -> SchoolEditForm:
    form = form or SchoolEditForm(
        data={
            "quality_group": school.quality_group,
            "pupils": str(school.pupils),
            "teachers": str(school.teachers),
        }
    )
    form.quality_group.choices = group_choices(current_lang())
    return form


def _show_school(school: School, form: SchoolEditForm, status: int = 200):
    return render_template("admin/school.html", school=school, form=form), status


@bp.get("/schools/<int:school_id>")
@roles_required(Role.CENTRAL_OFFICER, Role.ADMIN, active=True)
def school(school_id: int):
    s = schools_service.get_school(db.session, school_id)
    return _show_school(s, _edit_form(s))


@bp.post("/schools/<int:school_id>")
@roles_required(Role.CENTRAL_OFFICER, Role.ADMIN, active=True)
def update_school(school_id: int):
    s = schools_service.get_school(db.session, school_id)
    form = _edit_form(s, SchoolEditForm())
    if not form.validate_on_submit():
        return _show_school(s, form, 400)
    data = {k: form.data[k] or "" for k in schools_service.EDITABLE}
    try:
        schools_service.update_school(db.session, current_user, school_id, data, ip=client_ip())
        db.session.commit()
    except ValidationFailed as exc:
        db.session.rollback()
        apply_service_errors(form, exc)
        return _show_school(schools_service.get_school(db.session, school_id), form, exc.status)
    ok(_("School %(code)s is saved.", code=s.code))
    return redirect(url_for("admin.school", school_id=school_id))
