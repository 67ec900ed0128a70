"""The account mails: each builds its link (on BASE_URL) and its placeholders, and renders its template in the
recipient's language.

The ``*_values`` functions are the one place where each mail kind's placeholders are made: plain values, used by
the senders below and by the sample data organisers check their edited templates with (communications.catalog).
"""

from __future__ import annotations

from datetime import datetime

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from ..core.i18n import datetime_filter
from ..core.mail import send_mail
from ..core.mail_text import mail_kind
from ..core.placeholders import person
from ..core.urls import external_url
from .models import Invitation, User


def link_values(*, user: dict, link: str) -> dict:
    """verify_email, reset_password, change_email: ``user.full_name``, ``user.email``, ``link``."""
    return {"user": user, "link": link}


_PERSON = (("Name", _l("Name der Person")), ("E-Mail", _l("E-Mail-Adresse der Person")))


def _person_texts(values: dict) -> dict[str, str]:
    return {"Name": values["user"]["full_name"], "E-Mail": values["user"]["email"]}


@mail_kind("verify_email", _l("Registrierung: E-Mail-Adresse bestätigen"),
           (*_PERSON, ("Link", _l("Bestätigungslink (48 Stunden gültig)"))))
def verify_email_texts(values: dict) -> dict[str, str]:
    return {**_person_texts(values), "Link": values["link"]}


@mail_kind("reset_password", _l("Passwort zurücksetzen"), (*_PERSON, ("Link", _l("Link zum Zurücksetzen"))))
def reset_password_texts(values: dict) -> dict[str, str]:
    return {**_person_texts(values), "Link": values["link"]}


@mail_kind("change_email", _l("Neue E-Mail-Adresse bestätigen"),
           (("Name", _l("Name der Person")), ("E-Mail", _l("Bisherige E-Mail-Adresse der Person")),
            ("Link", _l("Bestätigungslink"))))
def change_email_texts(values: dict) -> dict[str, str]:
    return {**_person_texts(values), "Link": values["link"]}


def already_registered_values(*, user: dict, login_link: str, reset_link: str) -> dict:
    return {"user": user, "login_link": login_link, "reset_link": reset_link}


@mail_kind("already_registered", _l("Registrierung mit bestehender Adresse"),
           (*_PERSON, ("Anmeldelink", _l("Link zur Anmeldung")),
            ("Passwortlink", _l("Link „Passwort vergessen“"))))
def already_registered_texts(values: dict) -> dict[str, str]:
    return {**_person_texts(values), "Anmeldelink": values["login_link"], "Passwortlink": values["reset_link"]}


def email_changed_values(*, user: dict, old_email: str) -> dict:
    return {"user": user, "old_email": old_email}


@mail_kind("email_changed", _l("Hinweis: E-Mail-Adresse geändert"),
           (("Name", _l("Name der Person")), ("E-Mail", _l("Neue E-Mail-Adresse")),
            ("Bisherige-Adresse", _l("Bisherige E-Mail-Adresse"))))
def email_changed_texts(values: dict) -> dict[str, str]:
    return {**_person_texts(values), "Bisherige-Adresse": values["old_email"]}


def invitation_values(*, full_name: str | None, email: str, role: str, expires_at: datetime, link: str) -> dict:
    """``invitation.full_name``, ``invitation.email``, ``invitation.role.value`` (juror/organiser),
    ``invitation.expires_at``, ``link``."""
    return {"invitation": {"full_name": full_name or "", "email": email, "role": {"value": role},
                           "expires_at": expires_at}, "link": link}


@mail_kind("invitation", _l("Einladung (Jury, Organisationsteam)"),
           (("Anrede", _l("„Guten Tag Dr. Jan Vogel,“ oder „Guten Tag,“, wenn kein Name bekannt ist")),
            ("Name", _l("Name der eingeladenen Person (kann leer sein)")),
            ("Einladungstext", _l("Satz je nach Rolle: Mitwirkung in der Jury oder im Organisationsteam")),
            ("Gültig-bis", _l("Datum und Uhrzeit, bis wann die Einladung gilt")), ("Link", _l("Einladungslink"))))
def invitation_texts(values: dict) -> dict[str, str]:
    invitation = values["invitation"]
    name = invitation["full_name"]
    if invitation["role"]["value"] == "juror":
        sentence = _("wir laden Sie herzlich ein, in der Jury des Wettbewerbs „Industrie. Neu. Denken.“ "
                     "mitzuwirken.")
    else:
        sentence = _("wir laden Sie in das Organisationsteam des Wettbewerbs „Industrie. Neu. Denken.“ ein.")
    return {"Anrede": _("Guten Tag %(name)s,", name=name) if name else _("Guten Tag,"), "Name": name,
            "Einladungstext": sentence, "Gültig-bis": datetime_filter(invitation["expires_at"]),
            "Link": values["link"]}


def send_verification_mail(user: User, token: str) -> bool:
    values = link_values(user=person(user), link=external_url("accounts.verify_email", token=token))
    return send_mail(to=user.email, template="verify_email", locale=user.locale, **values)


def send_already_registered_mail(user: User) -> bool:
    values = already_registered_values(user=person(user), login_link=external_url("accounts.login"),
                                       reset_link=external_url("accounts.forgot_password"))
    return send_mail(to=user.email, template="already_registered", locale=user.locale, **values)


def send_reset_mail(user: User, token: str) -> bool:
    values = link_values(user=person(user), link=external_url("accounts.reset_password", token=token))
    return send_mail(to=user.email, template="reset_password", locale=user.locale, **values)


def send_email_change_mail(user: User, token: str) -> bool:
    values = link_values(user=person(user), link=external_url("accounts.confirm_email_change", token=token))
    return send_mail(to=user.pending_email, template="change_email", locale=user.locale, **values)


def send_email_changed_notice(user: User, old_email: str) -> bool:
    values = email_changed_values(user=person(user), old_email=old_email)
    return send_mail(to=old_email, template="email_changed", locale=user.locale, **values)


def send_invitation_mail(invitation: Invitation, token: str) -> bool:
    values = invitation_values(full_name=invitation.full_name, email=invitation.email, role=invitation.role.value,
                               expires_at=invitation.expires_at,
                               link=external_url("accounts.accept_invitation", token=token))
    return send_mail(to=invitation.email, template="invitation", locale=invitation.locale, **values)
