from __future__ import annotations

from decimal import Decimal

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from ..core.fields import BerlinDateTimeField, DecimalCommaField, DecimalRange
from .phases import Phase

PHASE_LABELS = {
    Phase.PREPARATION: _l("Vorbereitung"),
    Phase.SUBMISSION: _l("Einreichung"),
    Phase.REVIEW: _l("Prüfung der Einreichungen"),
    Phase.JURY: _l("Jurybewertung"),
    Phase.DELIBERATION: _l("Jurysitzung"),
    Phase.PUBLISHED: _l("Ergebnisse veröffentlicht"),
}

BERLIN_HINT = _l("Ortszeit Berlin")


def _date(label, *, hint=False):
    return BerlinDateTimeField(
        label,
        validators=[InputRequired(_l("Bitte geben Sie Datum und Uhrzeit an."))],
        description=BERLIN_HINT if hint else "",
    )


class EditionForm(FlaskForm):
    name = StringField(
        _l("Name der Ausschreibung"),
        validators=[DataRequired(_l("Bitte geben Sie einen Namen ein.")), Length(max=200)],
        description=_l("z. B. „Industrie. Neu. Denken. 2026“"),
    )
    slug = StringField(_l("Kürzel (optional)"), validators=[Optional(), Length(max=80)],
                       description=_l("Für Adressen und Befehle, z. B. „ind-2026“; leer lassen, um es aus dem Namen zu "
                                      "bilden."))
    description = TextAreaField(_l("Beschreibung"), validators=[Optional(), Length(max=5000)])
    registration_opens_at = _date(_l("Beginn der Registrierung"))
    submission_deadline_at = _date(_l("Einreichungsfrist"))
    jury_starts_at = _date(_l("Beginn der Jurybewertung"))
    jury_ends_at = _date(_l("Ende der Jurybewertung"))
    publication_at = _date(_l("Veröffentlichung der Ergebnisse"))
    max_file_mb = IntegerField(_l("Größte Datei (MB)"), default=20, validators=[
        InputRequired(_l("Bitte geben Sie eine Zahl an.")),
        NumberRange(1, 500, _l("Bitte geben Sie eine Zahl zwischen 1 und 500 an."))])
    max_entry_mb = IntegerField(_l("Alle Anlagen eines Beitrags zusammen (MB)"), default=50, validators=[
        InputRequired(_l("Bitte geben Sie eine Zahl an.")),
        NumberRange(1, 2000, _l("Bitte geben Sie eine Zahl zwischen 1 und 2000 an."))])
    max_files = IntegerField(_l("Höchstzahl der Anlagen pro Beitrag"), default=10, validators=[
        InputRequired(_l("Bitte geben Sie eine Zahl an.")),
        NumberRange(1, 100, _l("Bitte geben Sie eine Zahl zwischen 1 und 100 an."))])
    allow_office_files = BooleanField(_l("Auch Excel-, Word- und PowerPoint-Dateien erlauben (XLSX, DOCX, PPTX)"))
    is_blind = BooleanField(_l("Anonyme Bewertung: Die Jury sieht weder Namen noch Website oder Personen des "
                                "Unternehmens"))
    terms_version = StringField(_l("Version der Teilnahmebedingungen"), default="2026-1", validators=[
        DataRequired(_l("Bitte geben Sie die Version an.")), Length(max=40)],
        description=_l("Wird mit jeder Einreichung als Zustimmung gespeichert."))
    max_employees = IntegerField(_l("Höchstzahl der Beschäftigten (optional)"), validators=[
        Optional(), NumberRange(1, 1_000_000, _l("Bitte geben Sie eine Zahl ab 1 an."))],
        description=_l("Für die Prüfung der Teilnahmeberechtigung; leer lassen, wenn es keine Grenze gibt."))
    retention_until = BerlinDateTimeField(
        _l("Aufbewahrung bis"), validators=[Optional()],
        description=_l("Danach werden Anlagen, Texte und Kontaktdaten der nicht ausgezeichneten Beiträge beim "
                       "nächsten Aufräumen der Plattform gelöscht; Beitragsnummern, Bewertungen und eingefrorene "
                       "Ranglisten bleiben. Leer lassen, um nichts automatisch zu löschen."))


class PhaseOverrideForm(FlaskForm):
    phase = SelectField(
        _l("Phase manuell festlegen"),
        choices=[SelectChoice("", _l("Automatisch nach Kalender"))]
        + [SelectChoice(p.value, label) for p, label in PHASE_LABELS.items()],
        validators=[Optional()],
    )


class CategoryForm(FlaskForm):
    name = StringField(
        _l("Name der Kategorie"),
        validators=[DataRequired(_l("Bitte geben Sie einen Namen ein.")), Length(max=120)],
    )
    description = TextAreaField(_l("Beschreibung"), validators=[Optional(), Length(max=2000)])


class RoundForm(FlaskForm):
    name = StringField(
        _l("Name der Bewertungsrunde"),
        validators=[DataRequired(_l("Bitte geben Sie einen Namen ein.")), Length(max=120)],
        description=_l("z. B. „Vorauswahl“ oder „Finale“"),
    )
    description = TextAreaField(_l("Beschreibung"), validators=[Optional(), Length(max=2000)])
    scale_min = DecimalCommaField(
        _l("Skala von"), validators=[InputRequired(_l("Bitte geben Sie den kleinsten Wert an."))]
    )
    scale_max = DecimalCommaField(
        _l("Skala bis"), validators=[InputRequired(_l("Bitte geben Sie den größten Wert an."))]
    )
    scale_step = DecimalCommaField(
        _l("Schrittweite"),
        validators=[
            InputRequired(_l("Bitte geben Sie die Schrittweite an.")),
            DecimalRange(Decimal(0), _l("Die Schrittweite muss größer als 0 sein."), exclusive=True),
        ],
        description=_l("z. B. 1 oder 0,5"),
    )
    jurors_per_entry = IntegerField(
        _l("Jurymitglieder pro Beitrag"),
        validators=[
            InputRequired(_l("Bitte geben Sie eine Zahl an.")),
            NumberRange(1, 50, _l("Bitte geben Sie eine Zahl zwischen 1 und 50 an.")),
        ],
    )
    deadline_at = _date(_l("Bewertungsfrist"), hint=True)
    show_scores_after_submit = BooleanField(_l("Jurymitglieder sehen nach ihrer eigenen Einreichung die Bewertungen "
                                               "der anderen"))


class CriterionForm(FlaskForm):
    name = StringField(
        _l("Name des Kriteriums"),
        validators=[DataRequired(_l("Bitte geben Sie einen Namen ein.")), Length(max=120)],
    )
    description = TextAreaField(_l("Beschreibung"), validators=[Optional(), Length(max=2000)])
    weight = DecimalCommaField(
        _l("Gewichtung"),
        validators=[
            InputRequired(_l("Bitte geben Sie eine Gewichtung an.")),
            DecimalRange(Decimal(0), _l("Die Gewichtung muss größer als 0 sein."), exclusive=True),
        ],
        description=_l("Relative Gewichtung; der Anteil in Prozent wird daraus berechnet (alle Kriterien einer "
                       "Runde ergeben zusammen 100 %)."),
    )
    rubric_low = TextAreaField(_l("Niedrige Punktzahl bedeutet"), validators=[Optional(), Length(max=2000)])
    rubric_mid = TextAreaField(_l("Mittlere Punktzahl bedeutet"), validators=[Optional(), Length(max=2000)])
    rubric_high = TextAreaField(_l("Hohe Punktzahl bedeutet"), validators=[Optional(), Length(max=2000)])
