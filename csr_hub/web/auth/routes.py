"""Log in, log out, register, second factor, own account (password, data download, erasure)."""

from __future__ import annotations

import hashlib
import json
from urllib.parse import urlsplit

import segno
from flask import Blueprint, Response, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user

from csr_hub.extensions import db
from csr_hub.services import accounts, audit, personal_data, reference_lookup
from csr_hub.services import totp as totp_service
from csr_hub.services.errors import OtpInvalid, OtpRequired, ServiceError
from csr_hub.web import ratelimits
from csr_hub.web.access import roles_required
from csr_hub.web.api.schemas.accounts import USER
from csr_hub.web.auth.forms import ConfirmForm, LoginForm, OtpForm, PasswordForm, RegisterForm
from csr_hub.web.forms import apply_service_errors, ok
from csr_hub.web.i18n import current_lang
from csr_hub.web.security import client_ip

bp = Blueprint("auth", __name__)


def safe_next(target: str | None) -> str | None:
    """Only a path on this site: no scheme, no host, no protocol-relative or backslash tricks."""
    if not target or not isinstance(target, str):
        return None
    target = target.strip()
    if (
        not target.startswith("/")
        or target.startswith("//")
        or "\\" in target
        or any(ord(c) < 32 for c in target)
    ):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return None
    return target


@bp.route("/login", methods=["GET", "POST"])
@ratelimits.page_login_limits
def login():
    form = LoginForm()
    if request.method == "GET":
        form.next.data = request.args.get("next", "")
    if form.validate_on_submit():
        try:
            user = accounts.authenticate(
                db.session, form.email.data, form.password.data, form.otp.data, ip=client_ip(), channel="page"
            )
        except (OtpRequired, OtpInvalid) as exc:
            db.session.commit()
            form.otp.errors = [str(exc.message)]
            return render_template("auth/login.html", form=form, need_otp=True), 401
        except ServiceError as exc:
            db.session.commit()
            form.password.errors = [str(exc.message)]
            return render_template("auth/login.html", form=form, need_otp=False), 401
        db.session.commit()
        login_user(user, remember=bool(form.remember.data))
        if totp_service.must_enrol(user):
            return redirect(url_for("auth.totp", next=safe_next(form.next.data) or ""))
        ok(_("Welcome, %(name)s.", name=user.full_name))
        return redirect(safe_next(form.next.data) or url_for("dashboard.index"))
    status = 200 if request.method == "GET" else 400
    return render_template("auth/login.html", form=form, need_otp=False), status


@bp.route("/logout", methods=["GET", "POST"])
@roles_required(active=False)
def logout():
    form = ConfirmForm()
    if request.method == "POST" and form.validate_on_submit():
        accounts.logout(db.session, current_user, ip=client_ip())
        db.session.commit()
        logout_user()
        session.pop("totp_setup", None)
        ok(_("You are logged out."))
        return redirect(url_for("main.index"))
    return render_template("auth/logout.html", form=form)


def _province_choices():
    # the session's language too, not only ?lang=
    return [("", "—")] + reference_lookup.province_choices(db.session, current_lang())


@bp.route("/register", methods=["GET", "POST"])
@ratelimits.per_address
def register():
    form = RegisterForm()
    form.province_code.choices = _province_choices()
    if form.validate_on_submit():
        reg = accounts.Registration(
            email=form.email.data,
            password=form.password.data,
            full_name=form.full_name.data,
            role=form.role.data,
            school_code=form.school_code.data or "",
            company_name=form.company_name.data or "",
            company_tax_id=form.company_tax_id.data or "",
            province_code=form.province_code.data or "",
            phone=form.phone.data or "",
            accept_privacy=bool(form.accept_privacy.data),
        )
        try:
            accounts.register(db.session, reg, require_privacy=True, ip=client_ip())
            db.session.commit()
        except ServiceError as exc:
            db.session.rollback()
            apply_service_errors(form, exc)
            return render_template("auth/register.html", form=form), 422
        ok(
            _(
                "Thank you. Your account is waiting for verification; you can log in and look around meanwhile."
            )
        )
        return redirect(url_for("auth.login"))
    status = 200 if request.method == "GET" else 422
    return render_template("auth/register.html", form=form), status


def _setup_marker(user) -> str:
    """Which secret this browser session is setting up: it alone is shown the secret, until it is checked."""
    digest = hashlib.sha256((user.totp_secret or "").encode()).hexdigest()[:16]
    return f"{user.id}:{digest}"


def _record(user, action: str) -> None:
    """An audit record of something the user did to their own account."""
    audit.record(db.session, action, actor_id=user.id, object_type="user", object_id=user.id, ip=client_ip())


@bp.route("/account/totp", methods=["GET", "POST"])
@roles_required("totp", active=False)
def totp():
    """Enrol the second factor (directors, central officers, admins): until a code from the new secret has
    been checked, the factor is off and every other page leads here (see web/security.py)."""
    form = OtpForm()
    user = current_user._get_current_object()
    mine = bool(user.totp_secret) and session.get("totp_setup") == _setup_marker(user)
    if not user.totp_enrolled and not mine and request.method == "GET":
        # a new secret for this session; one another session was shown stops working
        totp_service.begin_enrolment(user)
        _record(user, "totp.enrol_start")
        db.session.commit()
        session["totp_setup"] = _setup_marker(user)
    elif not user.totp_enrolled and form.validate_on_submit():
        if mine and totp_service.finish_enrolment(db.session, user, form.otp.data):
            _record(user, "totp.enrol")
            # sessions opened with the password alone before enrolment end here; this one goes on
            accounts.end_sessions(db.session, user)
            db.session.commit()
            session.pop("totp_setup", None)
            login_user(user)
            ok(_("Your authenticator app works. From now on, log in with a code from it."))
            return redirect(safe_next(request.args.get("next")) or url_for("dashboard.index"))
        db.session.commit()
        form.otp.errors = [_("That code is not valid. Try the current code from your authenticator app.")]
    setting_up = not user.totp_enrolled and session.get("totp_setup") == _setup_marker(user)
    secret = user.totp_secret if setting_up else None
    qr = segno.make(totp_service.totp_uri(user), error="m").svg_data_uri(scale=4) if secret else None
    return render_template("auth/totp.html", form=form, secret=secret, qr=qr)


@bp.route("/account", methods=["GET", "POST"])
@roles_required(active=False)
def account():
    form = PasswordForm()
    if form.validate_on_submit():
        try:
            accounts.change_password(
                db.session, current_user, form.current_password.data, form.new_password.data, ip=client_ip()
            )
            db.session.commit()
        except ServiceError as exc:
            db.session.commit()  # keeps the audit record of a wrong current password, nothing else
            apply_service_errors(form, exc)
            return render_template("auth/account.html", form=form, erase_form=ConfirmForm()), 422
        logout_user()
        ok(_("Password changed. Log in again with the new password."))
        return redirect(url_for("auth.login"))
    return render_template("auth/account.html", form=form, erase_form=ConfirmForm())


@bp.get("/account/data.json")
@roles_required(active=False)
def my_data():
    """PDPA: everything the service keeps about the caller."""
    u = current_user._get_current_object()
    rest = personal_data.gather(db.session, u, ip=client_ip())
    data = {"user": {**USER.dump(u), **rest.pop("account")}, **rest}
    db.session.commit()
    body = json.dumps(data, ensure_ascii=False, indent=2)
    return Response(
        body,
        mimetype="application/json",
        headers={"Content-Disposition": "attachment; filename=my-csr-hub-data.json"},
    )


@bp.post("/account/erase")
@roles_required(active=False)
def erase():
    form = ConfirmForm()
    if form.validate_on_submit():
        accounts.anonymise(db.session, current_user, ip=client_ip())
        db.session.commit()
        logout_user()
        ok(_("Your personal data has been erased and your account closed."))
    return redirect(url_for("main.index"))
