from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, DecimalField, IntegerField, SelectField, SelectMultipleField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from csr_hub.domain.reference import CATEGORIES, URGENCIES


def category_choices(lang: str):
    return [(k, v[1] if lang == "en" else v[0]) for k, v in CATEGORIES.items()]


def urgency_choices(lang: str):
    return [(k, v[1] if lang == "en" else v[0]) for k, v in URGENCIES.items()]


class PostForm(FlaskForm):
    category = SelectField(_l("Category"), validators=[DataRequired()])
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)])
    description = TextAreaField(_l("Description (Thai, English or both)"), validators=[Optional(), Length(max=5000)])
    quantity = IntegerField(_l("Quantity"), validators=[DataRequired(), NumberRange(min=1, max=1_000_000)])
    unit = StringField(_l("Unit (e.g. เครื่อง, sets, people)"), validators=[Optional(), Length(max=50)])


class NeedForm(PostForm):
    estimated_cost_thb = DecimalField(_l("Estimated cost (baht)"), places=2,
                                      validators=[InputRequired(), NumberRange(min=0, max=1_000_000_000)])
    needed_by = DateField(_l("Needed by"), validators=[Optional()])
    urgency = SelectField(_l("Urgency"), default="normal", validators=[DataRequired()])
    submit = SubmitField(_l("Save"))


class BudgetForm(FlaskForm):
    budget_thb = DecimalField(_l("Government budget already allocated (baht)"), places=2,
                              validators=[InputRequired(), NumberRange(min=0, max=1_000_000_000)])
    submit = SubmitField(_l("Save budget"))


class OfferForm(PostForm):
    value_thb = DecimalField(_l("Total value (baht)"), places=2,
                             validators=[InputRequired(), NumberRange(min=0, max=1_000_000_000)])
    available_until = DateField(_l("Available until"), validators=[Optional()])
    provinces = SelectMultipleField(_l("Provinces served (none chosen = nationwide)"), validators=[Optional()])
    submit = SubmitField(_l("Save"))


class ProposeForm(FlaskForm):
    need_id = IntegerField(validators=[DataRequired()])
    offer_id = IntegerField(validators=[DataRequired()])
    quantity = IntegerField(_l("Quantity"), validators=[DataRequired(), NumberRange(min=1, max=1_000_000)])
    note = TextAreaField(_l("Note (optional)"), validators=[Optional(), Length(max=2000)])
    submit = SubmitField(_l("Propose this match"))
