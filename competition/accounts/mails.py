"""The account mails: each builds its link (on BASE_URL) and its placeholders, and renders its template in the
recipient's language.

The ``*_values`` functions are the one place where each mail kind's placeholders are made: plain values, used by
the senders below and by the sample data organisers check their edited templates with (communications.catalog).
"""

from __future__ import annotations

from datetime import datetime

from ..core.mail import send_mail
from ..core.placeholders import person
from ..core.urls import external_url
from .models import Invitation, User


def link_values(*, user: dict, link: str) -> dict:
    """verify_email, reset_password, change_email: ``user.full_name``, ``user.email``, ``link``."""
    return {"user": user, "link": link}


def already_registered_values(*, user: dict, login_link: str, reset_link: str) -> dict:
    return {"user": user, "login_link": login_link, "reset_link": reset_link}


def email_changed_values(*, user: dict, old_email: str) -> dict:
    return {"user": user, "old_email": old_email}


def invitation_values(*, full_name: str | None, email: str, role: str, expires_at: datetime, link: str) -> dict:
    """``invitation.full_name``, ``invitation.email``, ``invitation.role.value`` (juror/organiser),
    ``invitation.expires_at``, ``link``."""
    return {"invitation": {"full_name": full_name or "", "email": email, "role": {"value": role},
                           "expires_at": expires_at}, "link": link}


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
