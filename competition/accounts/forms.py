from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, HiddenField, PasswordField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email, EqualTo, InputRequired, Length, ValidationError

from .models import Role
from .passwords import MAX_LENGTH, password_problems
from .services import PASSWORD_MESSAGES

EMAIL_REQUIRED = _l("Bitte geben Sie Ihre E-Mail-Adresse ein.")
EMAIL_INVALID = _l("Bitte geben Sie eine gültige E-Mail-Adresse ein, z. B. name@firma.de.")


def _strip(value):
    return value.strip() if isinstance(value, str) else value


def email_field(label=None):
    return EmailField(
        label or _l("E-Mail-Adresse"),
        validators=[DataRequired(EMAIL_REQUIRED), Length(max=254), Email(EMAIL_INVALID, check_deliverability=False)],
        filters=[_strip],
        render_kw={"autocomplete": "email", "spellcheck": "false"},
    )


class StrongPassword:
    """Policy check; the e-mail comes from a field of the same form or from the form's `account_email`."""

    def __init__(self, email_field: str | None = "email"):
        self.email_field = email_field

    def __call__(self, form, field):
        email = getattr(form, "account_email", None)
        if self.email_field and hasattr(form, self.email_field):
            email = getattr(form, self.email_field).data
        problems = password_problems(field.data or "", email=email)
        if problems:
            raise ValidationError(str(PASSWORD_MESSAGES[problems[0]]))


def new_password_field(label=None, email_field="email"):
    return PasswordField(
        label or _l("Passwort"),
        validators=[InputRequired(_l("Bitte wählen Sie ein Passwort.")), StrongPassword(email_field)],
        description=_l("Mindestens 12 Zeichen. Ein Satz aus mehreren Wörtern ist sicher und gut zu merken."),
        render_kw={"autocomplete": "new-password", "minlength": 12, "maxlength": MAX_LENGTH},
    )


def repeat_field(of="password"):
    return PasswordField(
        _l("Passwort wiederholen"),
        validators=[InputRequired(_l("Bitte wiederholen Sie das Passwort.")),
                    EqualTo(of, _l("Die beiden Passwörter stimmen nicht überein."))],
        render_kw={"autocomplete": "new-password"},
    )


class LoginForm(FlaskForm):
    email = email_field()
    password = PasswordField(_l("Passwort"), validators=[InputRequired(_l("Bitte geben Sie Ihr Passwort ein."))],
                             render_kw={"autocomplete": "current-password"})
    remember = BooleanField(_l("Angemeldet bleiben (14 Tage)"))
    next = HiddenField()


class RegistrationForm(FlaskForm):
    full_name = StringField(
        _l("Vor- und Nachname"),
        validators=[DataRequired(_l("Bitte geben Sie Ihren Namen ein.")), Length(max=200)],
        render_kw={"autocomplete": "name"},
    )
    email = email_field(_l("Geschäftliche E-Mail-Adresse"))
    password = new_password_field()
    password_repeat = repeat_field()
    accept_terms = BooleanField(
        _l("Ich akzeptiere die Nutzungsbedingungen und habe die Datenschutzerklärung zur Kenntnis genommen."),
        validators=[DataRequired(_l("Bitte akzeptieren Sie die Nutzungsbedingungen und die Datenschutzerklärung, "
                                    "um sich zu registrieren."))],
    )


class EmailOnlyForm(FlaskForm):
    email = email_field()


class ResetPasswordForm(FlaskForm):
    password = new_password_field(_l("Neues Passwort"), email_field=None)
    password_repeat = repeat_field()


class ChangePasswordForm(FlaskForm):
    current_password = PasswordField(
        _l("Aktuelles Passwort"),
        validators=[InputRequired(_l("Bitte geben Sie Ihr aktuelles Passwort ein."))],
        render_kw={"autocomplete": "current-password"},
    )
    password = new_password_field(_l("Neues Passwort"), email_field=None)
    password_repeat = repeat_field()


class ChangeEmailForm(FlaskForm):
    email = email_field(_l("Neue E-Mail-Adresse"))
    password = PasswordField(
        _l("Passwort zur Bestätigung"),
        validators=[InputRequired(_l("Bitte geben Sie Ihr Passwort ein."))],
        render_kw={"autocomplete": "current-password"},
    )


class InvitationForm(FlaskForm):
    email = email_field()
    full_name = StringField(_l("Name (optional)"), validators=[Length(max=200)])
    role = SelectField(
        _l("Rolle"),
        choices=[SelectChoice("", _l("Bitte wählen")), SelectChoice(Role.JUROR.value, _l("Jurymitglied")),
                 SelectChoice(Role.ORGANISER.value, _l("Organisationsteam"))],
        validators=[DataRequired(_l("Bitte wählen Sie die Rolle."))],
    )
    locale = SelectField(_l("Sprache der Einladung"),
                         choices=[SelectChoice("de", "Deutsch"), SelectChoice("en", "English")])


class AcceptInvitationForm(FlaskForm):
    full_name = StringField(
        _l("Vor- und Nachname"),
        validators=[DataRequired(_l("Bitte geben Sie Ihren Namen ein.")), Length(max=200)],
        render_kw={"autocomplete": "name"},
    )
    password = new_password_field(email_field=None)
    password_repeat = repeat_field()
    accept_terms = BooleanField(
        _l("Ich akzeptiere die Nutzungsbedingungen und habe die Datenschutzerklärung zur Kenntnis genommen."),
        validators=[DataRequired(_l("Bitte akzeptieren Sie die Nutzungsbedingungen und die Datenschutzerklärung, "
                                    "um die Einladung anzunehmen."))],
    )


class ConfirmForm(FlaskForm):
    """A form with only the CSRF token, for buttons that change state (logout, revoke, accept)."""
