"""The account mails: each builds its link and renders its template in the recipient's language."""

from __future__ import annotations

from flask import url_for

from ..core.mail import send_mail
from .models import Invitation, User


def send_verification_mail(user: User, token: str) -> bool:
    link = url_for("accounts.verify_email", token=token, _external=True)
    return send_mail(to=user.email, template="verify_email", locale=user.locale, user=user, link=link)


def send_already_registered_mail(user: User) -> bool:
    return send_mail(
        to=user.email,
        template="already_registered",
        locale=user.locale,
        user=user,
        login_link=url_for("accounts.login", _external=True),
        reset_link=url_for("accounts.forgot_password", _external=True),
    )


def send_reset_mail(user: User, token: str) -> bool:
    link = url_for("accounts.reset_password", token=token, _external=True)
    return send_mail(to=user.email, template="reset_password", locale=user.locale, user=user, link=link)


def send_email_change_mail(user: User, token: str) -> bool:
    link = url_for("accounts.confirm_email_change", token=token, _external=True)
    return send_mail(to=user.pending_email, template="change_email", locale=user.locale, user=user, link=link)


def send_email_changed_notice(user: User, old_email: str) -> bool:
    return send_mail(to=old_email, template="email_changed", locale=user.locale, user=user, old_email=old_email)


def send_invitation_mail(invitation: Invitation, token: str) -> bool:
    link = url_for("accounts.accept_invitation", token=token, _external=True)
    return send_mail(
        to=invitation.email, template="invitation", locale=invitation.locale, invitation=invitation, link=link
    )
