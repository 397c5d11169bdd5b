"""Forms of the administration pages. Fields carry raw strings; the services decide what is valid."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField, SubmitField
from wtforms.widgets import NumberInput

from csr_hub import labels


class Required:
    """Marks a field required (the label's asterisk); the service checks it."""

    field_flags = {"required": True}

    def __call__(self, form, field) -> None:
        return None


def role_choices(lang: str):
    return labels.choices(labels.ROLES, lang)


def group_choices(lang: str):
    return labels.choices(labels.QUALITY_GROUPS, lang)


class UserForm(FlaskForm):
    role = SelectField(_l("Role"), validators=[Required()], validate_choice=False)
    status = SelectField(_l("Status"), validators=[Required()], validate_choice=False)
    school_code = StringField(
        _l("School code (for school staff)"), description=_l("OBEC's 10-digit school code.")
    )
    company_tax_id = StringField(
        _l("Company tax id (for company representatives)"),
        description=_l("The company's 13-digit tax id; the company must be registered."),
    )
    district_code = StringField(_l("ESA code (for district directors)"))
    submit = SubmitField(_l("Save changes"))


class SchoolForm(FlaskForm):
    code = StringField(
        _l("School code"), validators=[Required()], description=_l("OBEC's 10-digit school code.")
    )
    name_th = StringField(_l("Name in Thai"), validators=[Required()])
    name_en = StringField(_l("Name in English"))
    district_code = StringField(_l("ESA code"), validators=[Required()])
    province_code = StringField(
        _l("Province code"), description=_l("Two digits; leave empty to use the ESA's province.")
    )
    quality_group = SelectField(_l("Quality group"), validate_choice=False)
    pupils = StringField(_l("Pupils"), widget=NumberInput(min=0))
    teachers = StringField(_l("Teachers"), widget=NumberInput(min=0))
    submit = SubmitField(_l("Add the school"))


class SchoolEditForm(FlaskForm):
    quality_group = SelectField(_l("Quality group"), validators=[Required()], validate_choice=False)
    pupils = StringField(_l("Pupils"), validators=[Required()], widget=NumberInput(min=0))
    teachers = StringField(_l("Teachers"), validators=[Required()], widget=NumberInput(min=0))
    submit = SubmitField(_l("Save changes"))
