"""The organiser's forms of the rankings: freezing, shortlist, awards, overrides, publication, reopening a round."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import IntegerField, SelectField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from .labels import METHOD_LABELS
from .ranking import METHODS


class FreezeForm(FlaskForm):
    method = SelectField(_l("Methode"), choices=[SelectChoice(m, METHOD_LABELS[m]) for m in METHODS],
                         default="weighted-mean")
    line = IntegerField(_l("Linie nach Platz (Preise bzw. Shortlist)"), validators=[Optional(), NumberRange(
        min=1, max=500, message=_l("Bitte eine Zahl von 1 bis 500."))])


class ShortlistForm(FlaskForm):
    pass


class ProposeForm(FlaskForm):
    per_category = IntegerField(_l("Beste je Kategorie"), default=5,
                                validators=[DataRequired(_l("Bitte geben Sie eine Zahl an.")),
                                            NumberRange(min=1, max=500, message=_l("Bitte eine Zahl von 1 bis 500."))])


class AwardForm(FlaskForm):
    kind = SelectField(_l("Entscheidung"), choices=[SelectChoice("", _l("keine Auszeichnung")),
                                                    SelectChoice("winner", _l("Preis")),
                                                    SelectChoice("mention", _l("Anerkennung"))], default="")
    place = IntegerField(_l("Platz"), validators=[Optional(), NumberRange(min=1, max=99)])
    justification = TextAreaField(_l("Begründung der Jury"), validators=[Length(max=4000)],
                                  description=_l("Erscheint im Juryprotokoll und – bei Preisen und Anerkennungen – "
                                                 "auf der öffentlichen Ergebnisseite."))


class OverrideForm(FlaskForm):
    to_rank = IntegerField(_l("Rang nach Entscheidung der Jury"), validators=[Optional(), NumberRange(min=1)],
                           description=_l("Leer lassen, um die berechnete Reihenfolge wiederherzustellen."))
    reason = TextAreaField(_l("Begründung"), validators=[Length(max=4000)])


class PublishForm(FlaskForm):
    pass


class ReopenRoundForm(FlaskForm):
    reason = TextAreaField(_l("Begründung"), validators=[
        DataRequired(_l("Bitte begründen Sie, warum die Runde wieder geöffnet wird.")), Length(max=2000)],
        description=_l("Steht im Protokoll. Danach können Jurymitglieder (innerhalb ihrer Frist) und Sie Bögen und "
                       "Zuweisungen dieser Runde wieder ändern, bis Sie die Rangliste erneut einfrieren."))

