"""Need and offer forms.

The fields carry raw strings; ``services/validation.py`` is the one place that decides what a valid need or
offer is, and its messages are put next to the fields (``apply_service_errors``). The HTML attributes
(``min``, ``max``, ``maxlength``, ``type=number``/``date``) only help the browser.
"""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (
    HiddenField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import InputRequired, Length, NumberRange, Optional
from wtforms.widgets import NumberInput

from csr_hub import labels
from csr_hub.services.validation import DESCRIPTION_MAX, MAX_QUANTITY, NOTE_MAX, TITLE_MAX, UNIT_MAX


def category_choices(lang: str):
    return labels.choices(labels.CATEGORIES, lang)


def urgency_choices(lang: str):
    return labels.choices(labels.URGENCIES, lang)


class Required:
    """Marks a field required (the label's asterisk, the ``required`` attribute); the service checks it."""

    field_flags = {"required": True}

    def __call__(self, form, field) -> None:
        return None


class _Raw(StringField):
    """A text field whose value is shown back as it was typed (numbers, dates, money)."""

    def process_data(self, value: Any) -> None:
        self.data = "" if value is None else str(value)


def _baht(label) -> _Raw:
    """A required amount of money in baht, typed as the user writes it (the service parses and checks it)."""
    return _Raw(
        label,
        widget=NumberInput(min=0, step="0.01"),
        validators=[Required()],
        render_kw={"inputmode": "decimal"},
    )


class _DateText(StringField):
    """A date typed as ``31/12/2570`` (Buddhist Era) on Thai pages or ``31/12/2027`` in English.

    A text box rather than ``type=date``: the browser's picker shows mm/dd/yyyy in the Gregorian calendar
    whatever the page's language. :func:`csr_hub.web.forms.parse_page_date` reads what was typed.
    """

    def process_data(self, value: Any) -> None:
        from csr_hub.web.forms import format_page_date
        from csr_hub.web.i18n import current_lang

        self.data = format_page_date(value, current_lang()) if value else ""


DATE_KW = {"inputmode": "numeric", "autocomplete": "off", "maxlength": 10, "class": "input-date"}

#: fields a page sends as strings that mean "not given" when left empty
OPTIONAL_BLANK = ("quantity", "estimated_cost_thb", "value_thb", "needed_by", "available_until")


class PostForm(FlaskForm):
    category = SelectField(_l("Category"), validators=[Required()], validate_choice=False)
    title = StringField(_l("Title"), validators=[Required()], render_kw={"maxlength": TITLE_MAX})
    description = TextAreaField(
        _l("Description (Thai, English or both)"), render_kw={"maxlength": DESCRIPTION_MAX}
    )
    quantity = _Raw(
        _l("Quantity"),
        widget=NumberInput(min=1, max=MAX_QUANTITY),
        validators=[Required()],
        render_kw={"inputmode": "numeric"},
    )
    unit = StringField(_l("Unit (e.g. เครื่อง, sets, people)"), render_kw={"maxlength": UNIT_MAX})
    #: one token per form shown: the same form sent twice (back button, double click) posts once
    form_token = HiddenField("")

    def service_data(self) -> dict[str, Any]:
        """The submitted values for the service: blanks in number and date fields become "not given"."""
        data = {name: f.data for name, f in self._fields.items() if name not in ("csrf_token", "submit")}
        from csr_hub.web.forms import parse_page_date

        data.pop("form_token", None)
        for name in OPTIONAL_BLANK:
            if name in data and isinstance(data[name], str) and not data[name].strip():
                data[name] = None
        for name in ("needed_by", "available_until"):
            if name in data:
                data[name] = parse_page_date(data[name])
        return data


class NeedForm(PostForm):
    estimated_cost_thb = _baht(_l("Estimated cost (baht)"))
    needed_by = _DateText(_l("Needed by"), render_kw=DATE_KW)
    urgency = SelectField(_l("Urgency"), default="normal", validators=[Required()], validate_choice=False)
    submit = SubmitField(_l("Save"))


PHOTO_HINT = _l("Optional. A JPEG or PNG of at most 5 MB: companies see what the need is about.")
PHOTO_ACCEPT = {"accept": "image/jpeg,image/png"}


class NewNeedForm(NeedForm):
    """Posting a need may carry its photo; later it is changed on the need's page (:class:`PhotoForm`)."""

    photo = FileField(_l("Photo"), description=PHOTO_HINT, render_kw=PHOTO_ACCEPT)

    def service_data(self) -> dict[str, Any]:
        data = super().service_data()
        data.pop("photo", None)
        return data


class PhotoForm(FlaskForm):
    photo = FileField(_l("Photo"), description=PHOTO_HINT, render_kw=PHOTO_ACCEPT)
    submit = SubmitField(_l("Save the photo"))


class BudgetForm(FlaskForm):
    budget_thb = _baht(_l("Government budget already allocated (baht)"))
    submit = SubmitField(_l("Save budget"))


class OfferForm(PostForm):
    value_thb = _baht(_l("Total value (baht)"))
    available_until = _DateText(_l("Available until"), render_kw=DATE_KW)
    provinces = SelectMultipleField(_l("Provinces served (none chosen = nationwide)"), validate_choice=False)
    submit = SubmitField(_l("Save"))


class ProposeForm(FlaskForm):
    need_id = IntegerField(_l("Need"), validators=[InputRequired()])
    offer_id = IntegerField(_l("Offer"), validators=[InputRequired()])
    quantity = IntegerField(
        _l("Quantity"),
        validators=[
            InputRequired(),
            NumberRange(min=1, max=MAX_QUANTITY, message=_l("Enter a whole number from 1 to %(max)s.")),
        ],
    )
    note = TextAreaField(_l("Note (optional)"), validators=[Optional(), Length(max=NOTE_MAX)])
    submit = SubmitField(_l("Propose this match"))
