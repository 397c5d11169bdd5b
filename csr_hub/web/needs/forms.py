"""Need and offer forms.

The fields carry raw strings; ``services/validation.py`` is the one place that decides what a valid need or
offer is, and its messages are put next to the fields (``apply_service_errors``). The HTML attributes
(``min``, ``max``, ``maxlength``, ``type=number``/``date``) only help the browser.
"""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import IntegerField, SelectField, SelectMultipleField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional
from wtforms.widgets import DateInput, NumberInput

from csr_hub.domain.reference import CATEGORIES, URGENCIES
from csr_hub.services.validation import MAX_QUANTITY


def category_choices(lang: str):
    return [(k, v[1] if lang == "en" else v[0]) for k, v in CATEGORIES.items()]


def urgency_choices(lang: str):
    return [(k, v[1] if lang == "en" else v[0]) for k, v in URGENCIES.items()]


class Required:
    """Marks a field required (the label's asterisk, the ``required`` attribute); the service checks it."""

    field_flags = {"required": True}

    def __call__(self, form, field) -> None:
        return None


class _Raw(StringField):
    """A text field whose value is shown back as it was typed (numbers, dates, money)."""

    def process_data(self, value: Any) -> None:
        self.data = "" if value is None else str(value)


#: fields a page sends as strings that mean "not given" when left empty
OPTIONAL_BLANK = ("quantity", "estimated_cost_thb", "value_thb", "needed_by", "available_until")


class PostForm(FlaskForm):
    category = SelectField(_l("Category"), validators=[Required()], validate_choice=False)
    title = StringField(_l("Title"), validators=[Required()], render_kw={"maxlength": 200})
    description = TextAreaField(_l("Description (Thai, English or both)"), render_kw={"maxlength": 5000})
    quantity = _Raw(
        _l("Quantity"),
        widget=NumberInput(min=1, max=MAX_QUANTITY),
        validators=[Required()],
        render_kw={"inputmode": "numeric"},
    )
    unit = StringField(_l("Unit (e.g. เครื่อง, sets, people)"), render_kw={"maxlength": 50})

    def service_data(self) -> dict[str, Any]:
        """The submitted values for the service: blanks in number and date fields become "not given"."""
        data = {name: f.data for name, f in self._fields.items() if name not in ("csrf_token", "submit")}
        for name in OPTIONAL_BLANK:
            if name in data and isinstance(data[name], str) and not data[name].strip():
                data[name] = None
        return data


class NeedForm(PostForm):
    estimated_cost_thb = _Raw(
        _l("Estimated cost (baht)"),
        widget=NumberInput(min=0, step="0.01"),
        validators=[Required()],
        render_kw={"inputmode": "decimal"},
    )
    needed_by = _Raw(_l("Needed by"), widget=DateInput())
    urgency = SelectField(_l("Urgency"), default="normal", validators=[Required()], validate_choice=False)
    submit = SubmitField(_l("Save"))


class BudgetForm(FlaskForm):
    budget_thb = _Raw(
        _l("Government budget already allocated (baht)"),
        widget=NumberInput(min=0, step="0.01"),
        validators=[Required()],
        render_kw={"inputmode": "decimal"},
    )
    submit = SubmitField(_l("Save budget"))


class OfferForm(PostForm):
    value_thb = _Raw(
        _l("Total value (baht)"),
        widget=NumberInput(min=0, step="0.01"),
        validators=[Required()],
        render_kw={"inputmode": "decimal"},
    )
    available_until = _Raw(_l("Available until"), widget=DateInput())
    provinces = SelectMultipleField(_l("Provinces served (none chosen = nationwide)"), validate_choice=False)
    submit = SubmitField(_l("Save"))


class ProposeForm(FlaskForm):
    need_id = IntegerField(validators=[DataRequired()])
    offer_id = IntegerField(validators=[DataRequired()])
    quantity = IntegerField(_l("Quantity"), validators=[DataRequired(), NumberRange(min=1, max=1_000_000)])
    note = TextAreaField(_l("Note (optional)"), validators=[Optional(), Length(max=2000)])
    submit = SubmitField(_l("Propose this match"))
