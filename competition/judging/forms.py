from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    HiddenField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from ..core.fields import BerlinDateTimeField
from ..core.ids import db_int


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError:  # a value no checkbox offers (not a number, or no id the database can hold)
            raise ValueError(_l("Bitte wählen Sie nur aus den angezeigten Kategorien.")) from None


def _lines(value: str | None) -> list[str]:
    return [line.strip() for line in (value or "").replace(",", "\n").splitlines() if line.strip()]


class ProfileForm(FlaskForm):
    organisation = StringField(_l("Organisation"), validators=[DataRequired(_l("Bitte nennen Sie Ihre Organisation.")),
                                                               Length(max=200)])
    position = StringField(_l("Funktion"), validators=[Optional(), Length(max=200)])
    employer_domains = TextAreaField(
        _l("E-Mail-Domains Ihrer Arbeitgeber"), validators=[Optional(), Length(max=2000)],
        description=_l("Eine pro Zeile, z. B. tu-chemnitz.de. Damit erkennen wir Befangenheiten automatisch."))
    former_employers = TextAreaField(
        _l("Frühere Arbeitgeber der letzten drei Jahre"), validators=[Optional(), Length(max=2000)],
        description=_l("Einer pro Zeile, mit Firmennamen."))
    capacity = IntegerField(_l("Wie viele Beiträge können Sie pro Bewertungsrunde übernehmen?"), validators=[
        InputRequired(_l("Bitte geben Sie eine Zahl an.")),
        NumberRange(0, 500, _l("Bitte geben Sie eine Zahl zwischen 0 und 500 an."))])
    expertise = MultiCheckboxField(_l("Fachgebiete (Kategorien)"), coerce=db_int, validate_choice=False)

    @staticmethod
    def lines(value):
        return _lines(value)


class DeclareConflictForm(FlaskForm):
    company_id = SelectField(_l("Unternehmen"), coerce=db_int,
                             validators=[InputRequired(_l("Bitte wählen Sie ein Unternehmen."))])
    reason = TextAreaField(_l("Grund"), validators=[DataRequired(_l("Bitte nennen Sie kurz den Grund.")),
                                                    Length(max=1000)])


class WithdrawForm(FlaskForm):
    """The juror withdraws a declaration, or asks to (then the reason goes to the organising team)."""

    reason = TextAreaField(_l("Begründung (für das Organisationsteam, optional)"),
                           validators=[Optional(), Length(max=1000)])


class DecisionForm(FlaskForm):
    """An organiser's decision on a conflicted assignment: void its sheet, or dismiss the conflict."""

    reason = TextAreaField(_l("Begründung"), validators=[DataRequired(_l("Bitte begründen Sie Ihre Entscheidung.")),
                                                          Length(max=2000)])


def decision_form(assignment_id: int, **kwargs) -> DecisionForm:
    """One decision form per assignment on a page; the prefix keeps field ids and error messages apart."""
    return DecisionForm(prefix=f"entscheidung{assignment_id}", **kwargs)


class OrganiserConflictForm(DeclareConflictForm):
    juror_id = SelectField(_l("Jurymitglied"), coerce=db_int,
                           validators=[InputRequired(_l("Bitte wählen Sie ein Jurymitglied."))])


class GroupForm(FlaskForm):
    name = StringField(_l("Name der Gruppe"), validators=[DataRequired(_l("Bitte geben Sie einen Namen an.")),
                                                          Length(max=200)])
    members = TextAreaField(_l("Mitglieder (Firmennamen oder Domains, eine pro Zeile)"),
                            validators=[DataRequired(_l("Bitte nennen Sie mindestens zwei Mitglieder.")),
                                        Length(max=5000)])


class AliasForm(FlaskForm):
    domain = StringField(_l("Domain"), validators=[DataRequired(_l("Bitte geben Sie eine Domain an.")),
                                                   Length(max=200)])
    alias = StringField(_l("gleichbedeutend mit"), validators=[DataRequired(_l("Bitte geben Sie eine Domain an.")),
                                                               Length(max=200)])


class ApplyPlanForm(FlaskForm):
    digest = HiddenField(validators=[DataRequired()])


ALL_JURORS = "alle"


class ScoringExtensionForm(FlaskForm):
    juror = SelectField(_l("Für"), validators=[InputRequired(_l("Bitte wählen Sie, für wen die Frist gilt."))],
                        validate_choice=False)
    until = BerlinDateTimeField(_l("Neue Bewertungsfrist"),
                                validators=[InputRequired(_l("Bitte geben Sie Datum und Uhrzeit an."))],
                                description=_l("Ortszeit Berlin"))
    reason = TextAreaField(_l("Begründung"), validators=[
        DataRequired(_l("Bitte begründen Sie die Fristverlängerung; das Jurymitglied sieht die Begründung.")),
        Length(max=2000)], description=_l("Das Jurymitglied sieht die neue Frist und die Begründung."))


class PreferencePhaseForm(FlaskForm):
    """Open a round's preference phase (or change its end)."""

    ends_at = BerlinDateTimeField(_l("Ende der Präferenzphase (optional)"), validators=[Optional()],
                                  description=_l("Bis dahin können die Jurymitglieder markieren; ohne Angabe, bis "
                                                 "Sie die Phase schließen."))
    notify = BooleanField(_l("Jurymitglieder dieser Runde per E-Mail einladen"), default=True)
