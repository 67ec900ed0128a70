from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, HiddenField, PasswordField, SelectField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length


class LegalPageForm(FlaskForm):
    locale = SelectField(_l("Sprache"), choices=[SelectChoice("de", "Deutsch"), SelectChoice("en", "English")])
    body = TextAreaField(
        _l("Text"),
        validators=[DataRequired(_l("Bitte geben Sie einen Text ein."))],
        description=_l("Schreiben Sie in Markdown: eine Leerzeile trennt Absätze; „## Überschrift“ und "
                       "„### Unterüberschrift“; „- “ am Zeilenanfang für Listen; **fett**, *kursiv*; Links als "
                       "[Text](https://adresse). Die Vorschau zeigt die Seite, wie sie erscheint."),
        render_kw={"rows": 24},
    )
    bump_version = BooleanField(
        _l("Wesentliche Änderung – Zustimmung erneut einholen"),
        description=_l("Erhöht die Fassung. Alle angemeldeten Personen müssen der neuen Fassung beim nächsten "
                       "Seitenaufruf zustimmen."),
    )


class ConsentForm(FlaskForm):
    agree = BooleanField(
        _l("Ich habe die aktuellen Fassungen gelesen und stimme ihnen zu."),
        validators=[DataRequired(_l("Bitte bestätigen Sie, dass Sie den aktuellen Fassungen zustimmen."))],
    )
    next = HiddenField()


class DeleteAccountForm(FlaskForm):
    password = PasswordField(
        _l("Ihr Passwort zur Bestätigung"),
        validators=[InputRequired(_l("Bitte geben Sie Ihr Passwort ein."))],
        render_kw={"autocomplete": "current-password"},
    )
    confirm = BooleanField(
        _l("Ich verstehe, dass mein Konto endgültig gelöscht wird und nicht wiederhergestellt werden kann."),
        validators=[DataRequired(_l("Bitte bestätigen Sie, dass Sie Ihr Konto endgültig löschen möchten."))],
    )


class PersonForm(FlaskForm):
    """An organiser handles a request by mail (Art. 15 or 17) for the account with this address."""

    email = EmailField(
        _l("E-Mail-Adresse des Kontos"),
        validators=[DataRequired(_l("Bitte geben Sie die E-Mail-Adresse des Kontos ein.")), Length(max=254)],
        filters=[lambda value: value.strip() if isinstance(value, str) else value],
    )
    confirm = BooleanField(_l("Die Identität der antragstellenden Person ist geprüft; das Konto soll endgültig "
                              "gelöscht werden."))
