from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional

from ..core.ids import db_int
from .models import Audience

AUDIENCE_LABELS = {
    Audience.APPLICANTS: _l("Alle Einreichenden der Ausschreibung"),
    Audience.DRAFTS: _l("Unternehmen mit noch nicht eingereichten Entwürfen"),
    Audience.CATEGORY: _l("Einreichende einer Kategorie"),
    Audience.FINALISTS: _l("Finalistinnen und Finalisten (Shortlist und Ausgezeichnete)"),
    Audience.JURORS_OPEN: _l("Jurymitglieder mit offenen Bewertungen (aktuelle Bewertungsrunde)"),
    Audience.JURORS: _l("Alle Jurymitglieder der Ausschreibung"),
}
LOCALE_LABELS = {"de": _l("Deutsch"), "en": _l("Englisch")}


def _optional_int(value):
    return int(value) if value not in (None, "", "None") else None


class TemplateForm(FlaskForm):
    subject = StringField(_l("Betreff"), validators=[DataRequired(_l("Bitte geben Sie einen Betreff ein.")),
                                                     Length(max=500)])
    body = TextAreaField(_l("Text"), validators=[DataRequired(_l("Bitte geben Sie einen Text ein.")),
                                                 Length(max=20000)], render_kw={"rows": 16})


class CustomTemplateForm(TemplateForm):
    name = StringField(_l("Name der Vorlage"), validators=[DataRequired(_l("Bitte geben Sie der Vorlage einen Namen.")),
                                                           Length(max=200)])
    locale = SelectField(_l("Sprache"), choices=[SelectChoice(code, label) for code, label in LOCALE_LABELS.items()])


class CampaignForm(FlaskForm):
    edition_id = SelectField(_l("Ausschreibung"), coerce=db_int,
                             validators=[DataRequired(_l("Bitte wählen Sie eine Ausschreibung."))])
    audience = SelectField(_l("Empfängergruppe"),
                           choices=[SelectChoice("", _l("Bitte wählen"))]
                           + [SelectChoice(a.value, label) for a, label in AUDIENCE_LABELS.items()],
                           validators=[DataRequired(_l("Bitte wählen Sie die Empfängergruppe."))])
    category_id = SelectField(_l("Kategorie (nur für „Einreichende einer Kategorie“)"), coerce=_optional_int,
                              validators=[Optional()])
    subject = StringField(_l("Betreff"), validators=[DataRequired(_l("Bitte geben Sie einen Betreff ein.")),
                                                     Length(max=500)])
    body = TextAreaField(_l("Text"), validators=[DataRequired(_l("Bitte geben Sie einen Text ein.")),
                                                 Length(max=20000)], render_kw={"rows": 14})
    template_key = HiddenField(validators=[Optional(), Length(max=80)])
    preview_user_id = SelectField(_l("Vorschau für"), coerce=_optional_int, validators=[Optional()],
                                  validate_choice=False)
