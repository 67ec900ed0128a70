"""The account mails: each builds its link and renders its template in the recipient's language."""

from __future__ import annotations

from ..core.mail import send_mail
from ..core.urls import external_url
from .models import Invitation, User


def send_verification_mail(user: User, token: str) -> bool:
    link = external_url("accounts.verify_email", token=token)
    return send_mail(to=user.email, template="verify_email", locale=user.locale, user=user, link=link)


def send_already_registered_mail(user: User) -> bool:
    return send_mail(
        to=user.email,
        template="already_registered",
        locale=user.locale,
        user=user,
        login_link=external_url("accounts.login"),
        reset_link=external_url("accounts.forgot_password"),
    )


def send_reset_mail(user: User, token: str) -> bool:
    link = external_url("accounts.reset_password", token=token)
    return send_mail(to=user.email, template="reset_password", locale=user.locale, user=user, link=link)


def send_email_change_mail(user: User, token: str) -> bool:
    link = external_url("accounts.confirm_email_change", token=token)
    return send_mail(to=user.pending_email, template="change_email", locale=user.locale, user=user, link=link)


def send_email_changed_notice(user: User, old_email: str) -> bool:
    return send_mail(to=old_email, template="email_changed", locale=user.locale, user=user, old_email=old_email)


def send_invitation_mail(invitation: Invitation, token: str) -> bool:
    link = external_url("accounts.accept_invitation", token=token)
    return send_mail(
        to=invitation.email, template="invitation", locale=invitation.locale, invitation=invitation, link=link
    )
