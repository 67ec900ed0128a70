from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    EmailField,
    HiddenField,
    IntegerField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import URL, DataRequired, Email, InputRequired, Length, NumberRange, Optional, Regexp
from wtforms.widgets import CheckboxInput, ListWidget

from ..core.fields import BerlinDateTimeField
from ..core.ids import db_int
from . import rules
from .labels import CORE_FIELD_LABELS, DISTRICT_LABELS, QUESTION_KIND_LABELS, TURNOVER_LABELS, VISIBILITY_LABELS
from .models import Question, QuestionKind

LEGAL_FORMS = ["GmbH", "GmbH & Co. KG", "AG", "KG", "OHG", "UG (haftungsbeschränkt)", "e. K.", "GbR", "eG",
               "Einzelunternehmen", "Sonstige"]


def _strip(value):
    return value.strip() if isinstance(value, str) else value


def with_scheme(value: str | None) -> str | None:
    """A website typed without "https://" ("firma.de", "www.firma.de") is completed instead of refused."""
    if value and "://" not in value and not value.lower().startswith(("mailto:", "javascript:", "data:")):
        return "https://" + value.lstrip("/")
    return value


class CompanyForm(FlaskForm):
    legal_name = StringField(_l("Name des Unternehmens (laut Handelsregister)"),
                             validators=[DataRequired(_l("Bitte geben Sie den Namen des Unternehmens an.")),
                                         Length(max=200)], filters=[_strip])
    legal_form = SelectField(_l("Rechtsform"), choices=[SelectChoice("", _l("Bitte wählen"))]
                             + [SelectChoice(f, f) for f in LEGAL_FORMS],
                             validators=[DataRequired(_l("Bitte wählen Sie die Rechtsform."))])
    street = StringField(_l("Straße und Hausnummer"), validators=[DataRequired(_l("Bitte geben Sie die Straße an.")),
                                                                 Length(max=200)], filters=[_strip])
    postal_code = StringField(_l("Postleitzahl"), validators=[
        DataRequired(_l("Bitte geben Sie die Postleitzahl an.")),
        Regexp(r"^\d{5}$", message=_l("Bitte geben Sie eine fünfstellige Postleitzahl an."))], filters=[_strip])
    city = StringField(_l("Ort"), validators=[DataRequired(_l("Bitte geben Sie den Ort an.")), Length(max=120)],
                       filters=[_strip])
    district = SelectField(_l("Landkreis oder kreisfreie Stadt"),
                           choices=[SelectChoice("", _l("Bitte wählen"))]
                           + [SelectChoice(d.value, label) for d, label in DISTRICT_LABELS.items()],
                           validators=[DataRequired(_l("Bitte wählen Sie den Landkreis oder die kreisfreie Stadt."))])
    employees = IntegerField(_l("Anzahl der Beschäftigten"), validators=[
        InputRequired(_l("Bitte geben Sie die Zahl der Beschäftigten an.")),
        NumberRange(0, 1_000_000, _l("Bitte geben Sie eine Zahl ab 0 an."))])
    turnover_band = SelectField(_l("Jahresumsatz"),
                                choices=[SelectChoice("", _l("Bitte wählen"))]
                                + [SelectChoice(t.value, label) for t, label in TURNOVER_LABELS.items()],
                                validators=[DataRequired(_l("Bitte wählen Sie die Umsatzgröße."))])
    industry = StringField(_l("Branche"), validators=[DataRequired(_l("Bitte geben Sie die Branche an.")),
                                                     Length(max=120)], filters=[_strip])
    website = StringField(_l("Website"), validators=[
        Optional(), Length(max=300),
        URL(require_tld=True, message=_l("Bitte geben Sie eine vollständige Adresse an, z. B. https://firma.de."))],
        filters=[_strip, with_scheme],
        description=_l("Zum Beispiel firma.de – „https://“ ergänzen wir selbst."))
    contact_name = StringField(_l("Ansprechperson"), validators=[
        DataRequired(_l("Bitte geben Sie eine Ansprechperson an.")), Length(max=200)], filters=[_strip])
    contact_email = EmailField(_l("E-Mail der Ansprechperson"), validators=[
        DataRequired(_l("Bitte geben Sie eine E-Mail-Adresse an.")), Length(max=254),
        Email(_l("Bitte geben Sie eine gültige E-Mail-Adresse ein."), check_deliverability=False)], filters=[_strip])
    contact_phone = StringField(_l("Telefon (optional)"), validators=[Optional(), Length(max=60)], filters=[_strip])


class InviteColleagueForm(FlaskForm):
    email = EmailField(_l("E-Mail-Adresse der Kollegin oder des Kollegen"), validators=[
        DataRequired(_l("Bitte geben Sie eine E-Mail-Adresse an.")), Length(max=254),
        Email(_l("Bitte geben Sie eine gültige E-Mail-Adresse ein."), check_deliverability=False)], filters=[_strip])


class NewEntryForm(FlaskForm):
    category_id = SelectField(_l("Kategorie"), coerce=db_int,
                              validators=[InputRequired(_l("Bitte wählen Sie eine Kategorie."))])


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def _core_text(name: str, *, area: bool = True, **kwargs):
    limit = rules.LIMITS[name]
    field_class = TextAreaField if area else StringField
    render_kw = {"data-limit": limit, "rows": 6 if area else None}
    render_kw = {k: v for k, v in render_kw.items() if v is not None}
    return field_class(CORE_FIELD_LABELS[name], validators=[Optional()], render_kw=render_kw, **kwargs)


class EntryFormBase(FlaskForm):
    """Drafts accept anything the user typed (limits are reported, not enforced, so nothing is lost); the
    submit check enforces required fields and limits."""

    lock_version = HiddenField()
    category_id = SelectField(_l("Kategorie"), coerce=db_int, validators=[Optional()], validate_choice=False)
    title = _core_text("title", area=False)
    summary = _core_text("summary", description=_l("Zwei bis drei Sätze; wird veröffentlicht, wenn der Beitrag "
                                                   "gewinnt."))
    description = _core_text("description", description=_l("Was ist neu, für wen, und was unterscheidet Ihre Lösung "
                                                           "vom Stand der Technik?"))
    implementation = _core_text("implementation", description=_l("Idee, Prototyp, Pilot oder im Markt?"))
    regional_benefit = _core_text("regional_benefit", description=_l("Arbeitsplätze, Zulieferer, Kooperationen in "
                                                                     "Südwestsachsen."))
    sustainability = _core_text("sustainability")
    video_url = StringField(CORE_FIELD_LABELS["video_url"], validators=[Optional()],
                            description=_l("z. B. https://… (Video-Plattform oder eigene Website)"))
    publish_summary = BooleanField(
        _l("Die Kurzbeschreibung darf mit den Ergebnissen veröffentlicht werden."),
        description=_l("Gilt für die öffentliche Ergebnisseite und das Ergebnis-PDF, wenn Ihr Beitrag ins Finale "
                       "kommt oder ausgezeichnet wird. Ohne Ihre Zustimmung erscheinen nur Titel und Unternehmen."))


def question_field(question: Question):
    kwargs = {"description": question.help_text or None, "validators": [Optional()]}
    label = question.label
    kind = question.kind
    if kind is QuestionKind.SHORT_TEXT:
        return StringField(label, render_kw={"data-limit": question.max_length or 300}, **kwargs)
    if kind is QuestionKind.LONG_TEXT:
        render_kw = {"rows": 5}
        if question.max_length:
            render_kw["data-limit"] = question.max_length
        return TextAreaField(label, render_kw=render_kw, **kwargs)
    if kind is QuestionKind.NUMBER:
        return StringField(label, render_kw={"inputmode": "decimal"}, **kwargs)
    if kind is QuestionKind.DATE:
        return StringField(label, render_kw={"type": "date"}, **kwargs)
    if kind is QuestionKind.SINGLE_CHOICE:
        return RadioField(label, choices=[SelectChoice(c, c) for c in question.choices], validate_choice=False,
                          **kwargs)
    if kind is QuestionKind.MULTIPLE_CHOICE:
        return MultiCheckboxField(label, choices=[SelectChoice(c, c) for c in question.choices],
                                  validate_choice=False, **kwargs)
    if kind is QuestionKind.YES_NO:
        return RadioField(label, choices=[SelectChoice("yes", _l("Ja")), SelectChoice("no", _l("Nein"))],
                          validate_choice=False, **kwargs)
    return None


def entry_form_class(questions: list[Question]) -> type[EntryFormBase]:
    """The entry form of one edition: core fields plus its custom questions (fields q_<id>)."""
    attrs = {}
    for question in questions:
        field = question_field(question)
        if field is not None:
            attrs[f"q_{question.id}"] = field
    return type("EntryForm", (EntryFormBase,), attrs)


def answer_form_value(question: Question, value):
    """A stored answer as the form shows it."""
    if value is None:
        return None
    if question.kind is QuestionKind.YES_NO:
        return "yes" if value else "no"
    if question.kind is QuestionKind.NUMBER:
        return str(value).replace(".", ",")
    return value


class SubmitForm(FlaskForm):
    lock_version = HiddenField()
    consent = BooleanField(_l("Ich stimme den Teilnahmebedingungen und den Datenschutzhinweisen des Wettbewerbs zu "
                              "und bestätige, dass die Angaben zutreffen."))


class QuestionForm(FlaskForm):
    label = StringField(_l("Frage"), validators=[DataRequired(_l("Bitte formulieren Sie die Frage.")),
                                                 Length(max=300)], filters=[_strip])
    kind = SelectField(_l("Art der Antwort"),
                       choices=[SelectChoice(k.value, label) for k, label in QUESTION_KIND_LABELS.items()])
    help_text = TextAreaField(_l("Hilfetext (optional)"), validators=[Optional(), Length(max=1000)])
    is_required = BooleanField(_l("Pflichtfrage"))
    max_length = IntegerField(_l("Höchstzahl der Zeichen (bei Text)"), validators=[
        Optional(), NumberRange(1, 20000, _l("Bitte geben Sie eine Zahl zwischen 1 und 20 000 an."))])
    choices = TextAreaField(_l("Antwortmöglichkeiten (bei Auswahl; eine pro Zeile)"),
                            validators=[Optional(), Length(max=5000)])
    visibility = SelectField(_l("Wer sieht die Antwort?"),
                             choices=[SelectChoice(v.value, label) for v, label in VISIBILITY_LABELS.items()])


class ArchiveQuestionForm(FlaskForm):
    confirm_archive = BooleanField(_l("Frage archivieren; vorhandene Antworten bleiben erhalten"))


class EligibilityForm(FlaskForm):
    decision = RadioField(_l("Entscheidung"), choices=[SelectChoice("eligible", _l("zugelassen")),
                                                        SelectChoice("ineligible", _l("nicht zugelassen"))],
                          validators=[InputRequired(_l("Bitte wählen Sie eine Entscheidung."))])
    reason = TextAreaField(_l("Begründung (sieht das Unternehmen)"), validators=[Optional(), Length(max=2000)])


class ExtensionForm(FlaskForm):
    until = BerlinDateTimeField(_l("Neue Frist für dieses Unternehmen"),
                                validators=[InputRequired(_l("Bitte geben Sie Datum und Uhrzeit an."))],
                                description=_l("Ortszeit Berlin"))
    reason = TextAreaField(_l("Begründung"), validators=[DataRequired(_l("Bitte begründen Sie die "
                                                                         "Fristverlängerung.")),
                                                        Length(max=2000)])
