"""The partnership proposal form: raw strings; the marshmallow input schema decides what is valid."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField, SubmitField, TextAreaField
from wtforms.validators import InputRequired

from csr_hub.web.needs.forms import DATE_KW, _DateText, _Raw


class PartnershipForm(FlaskForm):
    school_code = StringField(
        _l("School (OBEC 10-digit code)"),
        validators=[InputRequired(message=_l("This field is required."))],
        render_kw={"maxlength": 10, "inputmode": "numeric", "autocomplete": "off"},
    )
    starts_on = _DateText(_l("Starts on"), render_kw=DATE_KW)
    ends_on = _DateText(
        _l("Ends on"), render_kw=DATE_KW, description=_l("At most five years after the start.")
    )
    plan = TextAreaField(_l("Plan"), render_kw={"maxlength": 5000, "rows": 6})
    yearly_value_thb = _Raw(_l("Planned value per year (baht)"), render_kw={"inputmode": "decimal"})
    submit = SubmitField(_l("Propose the partnership"))
