"""The form that adds a term to an item kind."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField
from wtforms.validators import DataRequired, Length


class TermForm(FlaskForm):
    item_code = SelectField(_l("Item kind"), validators=[DataRequired()], validate_choice=False)
    term = StringField(_l("Word or phrase"), validators=[DataRequired(), Length(min=2, max=100)])
    kind = SelectField(
        _l("Kind of term"),
        choices=[
            ("", _l("Synonym (Thai or English, chosen from the script)")),
            ("loanwords", _l("Loanword spelling")),
            ("misspellings", _l("Common misspelling")),
        ],
        validate_choice=False,
    )
