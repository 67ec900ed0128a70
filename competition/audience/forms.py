"""Forms of the audience vote (validation only: no writes, no authentication)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, HiddenField, SelectMultipleField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length
from wtforms.widgets import CheckboxInput, ListWidget

from ..core.fields import BerlinDateTimeField


class VoteForm(FlaskForm):
    email = EmailField(_l("Ihre E-Mail-Adresse"), validators=[
        DataRequired(_l("Bitte geben Sie Ihre E-Mail-Adresse an; an sie senden wir den Bestätigungslink.")),
        Length(max=254, message=_l("Die Adresse ist zu lang (höchstens 254 Zeichen)."))],
        description=_l("Wir senden Ihnen einen Link. Erst wenn Sie ihn öffnen und bestätigen, zählt Ihre Stimme."))
    consent = BooleanField(_l("Ich habe die Hinweise zum Datenschutz gelesen und bin einverstanden, dass meine "
                              "E-Mail-Adresse für diese Abstimmung gespeichert wird."),
                           validators=[InputRequired(_l("Bitte stimmen Sie der Verarbeitung Ihrer Adresse zu; ohne "
                                                        "sie können wir Ihre Stimme nicht prüfen."))])


class ConfirmForm(FlaskForm):
    pass


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class VoteSettingsForm(FlaskForm):
    opens_at = BerlinDateTimeField(_l("Beginn der Abstimmung"), validators=[
        InputRequired(_l("Bitte geben Sie an, wann die Abstimmung beginnt."))])
    closes_at = BerlinDateTimeField(_l("Ende der Abstimmung"), validators=[
        InputRequired(_l("Bitte geben Sie an, wann die Abstimmung endet."))])
    entry_ids = MultiCheckboxField(_l("Beiträge in der Abstimmung"), coerce=int, validate_choice=False,
                                   description=_l("Zur Wahl stehen eingereichte Beiträge, deren Unternehmen der "
                                                  "Veröffentlichung zugestimmt hat; vorausgewählt sind die "
                                                  "Finalisten."))


class ActionForm(FlaskForm):
    pass


class ExcludeForm(FlaskForm):
    pattern = HiddenField()
    ballot_ids = HiddenField()
    reason = TextAreaField(_l("Begründung"), validators=[
        DataRequired(_l("Bitte begründen Sie den Ausschluss.")), Length(max=2000)],
        description=_l("Steht im Protokoll; die Zahl der ausgeschlossenen Stimmen steht im veröffentlichten "
                       "Ergebnis."))
