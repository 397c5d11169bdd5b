from __future__ import annotations

from csr_hub.domain.policy import Role
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    EmailField,
    HiddenField,
    PasswordField,
    RadioField,
    SelectField,
    StringField,
    SubmitField,
)
from wtforms.validators import DataRequired, Email, Length, Optional, Regexp


class LoginForm(FlaskForm):
    email = EmailField(_l("E-mail"), validators=[DataRequired(), Length(max=254)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=200)])
    otp = StringField(
        _l("6-digit code from your authenticator app (directors and officers)"),
        validators=[Optional(), Length(max=10)],
        render_kw={"inputmode": "numeric", "autocomplete": "one-time-code"},
    )
    remember = BooleanField(_l("Keep me logged in on this device for 14 days"))
    next = HiddenField()
    submit = SubmitField(_l("Log in"))


class RegisterForm(FlaskForm):
    role = RadioField(
        _l("I am"),
        choices=[(Role.SCHOOL_STAFF, _l("School staff")), (Role.COMPANY_REP, _l("A company representative"))],
        default=Role.SCHOOL_STAFF,
        validators=[DataRequired()],
    )
    full_name = StringField(
        _l("Full name"), validators=[DataRequired(), Length(max=200)], render_kw={"autocomplete": "name"}
    )
    email = EmailField(
        _l("Work e-mail"),
        validators=[DataRequired(), Email(), Length(max=254)],
        render_kw={"autocomplete": "email"},
    )
    phone = StringField(
        _l("Work phone (optional)"),
        validators=[Optional(), Length(max=30)],
        render_kw={"autocomplete": "tel"},
    )
    password = PasswordField(
        _l("Password (at least 10 characters)"),
        validators=[DataRequired(), Length(min=10, max=200)],
        render_kw={"autocomplete": "new-password"},
    )
    school_code = StringField(
        _l("Your school's 10-digit OBEC code"),
        validators=[Optional(), Regexp(r"^\d{10}$", message=_l("OBEC school codes have 10 digits."))],
    )
    company_name = StringField(_l("Company name"), validators=[Optional(), Length(max=200)])
    company_tax_id = StringField(
        _l("Company tax id (13 digits)"),
        validators=[Optional(), Regexp(r"^\d{13}$", message=_l("A tax id has 13 digits."))],
        render_kw={"inputmode": "numeric"},
    )
    province_code = SelectField(_l("Company's province"), choices=[], validators=[Optional()])
    accept_privacy = BooleanField(
        _l(
            "I have read the privacy notice and agree that my name, work e-mail and phone are kept to run this service."
        ),
        # checked with the other fields, so its error shows in the same round (the service checks it too)
        validators=[DataRequired(message=_l("You must accept the privacy notice to register."))],
    )
    submit = SubmitField(_l("Register"))


class OtpForm(FlaskForm):
    otp = StringField(
        _l("6-digit code"),
        validators=[DataRequired(), Length(min=6, max=10)],
        render_kw={"inputmode": "numeric", "autocomplete": "one-time-code"},
    )
    submit = SubmitField(_l("Check the code"))


class PasswordForm(FlaskForm):
    current_password = PasswordField(_l("Current password"), validators=[DataRequired()])
    new_password = PasswordField(
        _l("New password (at least 10 characters)"), validators=[DataRequired(), Length(min=10, max=200)]
    )
    submit = SubmitField(_l("Change password"))


class ConfirmForm(FlaskForm):
    submit = SubmitField(_l("Confirm"))
