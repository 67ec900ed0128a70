"""Account use cases. They flush, never commit; the acting user and `now` are explicit."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l

from ..core import tokens
from ..core.errors import AlreadyExists, DomainError, InvalidToken, PermissionDenied, ValidationFailed
from ..extensions import db
from .models import Invitation, Role, User, UserRole
from .passwords import PasswordProblem, hash_password, needs_rehash, password_problems, verify_password
from .queries import get_user_by_email, normalize_email

PASSWORD_MESSAGES = {
    PasswordProblem.TOO_SHORT: _l("Das Passwort muss mindestens 12 Zeichen lang sein."),
    PasswordProblem.TOO_LONG: _l("Das Passwort darf höchstens 256 Zeichen lang sein."),
    PasswordProblem.COMMON: _l(
        "Dieses Passwort ist zu verbreitet und leicht zu erraten. Bitte wählen Sie ein anderes, z. B. einen "
        "Satz aus mehreren Wörtern."
    ),
    PasswordProblem.CONTAINS_EMAIL: _l("Das Passwort darf nicht aus Ihrer E-Mail-Adresse bestehen."),
}


class AuthenticationFailed(DomainError):
    """Wrong e-mail or password. The message never says which."""


class EmailNotVerified(DomainError):
    def __init__(self, user: User):
        super().__init__(
            _l("Bitte bestätigen Sie zuerst Ihre E-Mail-Adresse über den Link in unserer E-Mail. Wir können "
               "Ihnen den Link erneut senden.")
        )
        self.user = user


def check_password_policy(password: str, *, email: str | None) -> None:
    problems = password_problems(password, email=email)
    if problems:
        raise ValidationFailed(PASSWORD_MESSAGES[problems[0]], field="password")


def _new_user(
    *, email: str, full_name: str, password: str, locale: str | None, now: datetime, password_hash: str | None = None
) -> User:
    email = normalize_email(email)
    check_password_policy(password, email=email)
    user = User(
        email=email,
        full_name=full_name.strip(),
        password_hash=password_hash or hash_password(password),
        locale=locale,
        created_at=now,
        password_changed_at=now,
        session_generation=0,
        is_active_account=True,
    )
    db.session.add(user)
    return user


def grant_role(*, user: User, role: Role, now: datetime) -> None:
    if not user.has_role(role):
        user.role_rows.append(UserRole(role=role, granted_at=now))


@dataclass(frozen=True)
class Registration:
    """Exactly one is set: the new user, or the user who already had this address (told by mail, not on screen)."""

    new_user: User | None
    existing_user: User | None


def register_applicant(*, email: str, full_name: str, password: str, locale: str | None, now: datetime) -> Registration:
    existing = get_user_by_email(email)
    if existing is not None:
        return Registration(new_user=None, existing_user=existing)
    user = _new_user(email=email, full_name=full_name, password=password, locale=locale, now=now)
    grant_role(user=user, role=Role.APPLICANT, now=now)
    db.session.flush()
    return Registration(new_user=user, existing_user=None)


# --- e-mail verification ---------------------------------------------------------------------------------------

def make_verification_token(user: User) -> str:
    return tokens.make_token("verify-email", {"u": user.id, "e": user.email})


def _read(purpose: str, token: str, max_age_key: str) -> dict:
    try:
        return tokens.read_token(purpose, token, max_age=current_app.config[max_age_key])
    except tokens.TokenExpired:
        raise InvalidToken(_l("Dieser Link ist abgelaufen. Bitte fordern Sie einen neuen Link an.")) from None
    except tokens.TokenInvalid:
        raise InvalidToken(
            _l("Dieser Link ist ungültig. Bitte prüfen Sie, ob Sie ihn vollständig aus der E-Mail kopiert haben.")
        ) from None


def verify_email(*, token: str, now: datetime) -> User:
    data = _read("verify-email", token, "EMAIL_VERIFICATION_MAX_AGE")
    user = db.session.get(User, data.get("u"))
    if user is None or user.email != data.get("e"):
        raise InvalidToken(_l("Dieser Link ist nicht mehr gültig. Bitte melden Sie sich an oder registrieren Sie "
                              "sich erneut."))
    if user.email_verified_at is None:
        user.email_verified_at = now
        db.session.flush()
    return user


# --- login and sessions ----------------------------------------------------------------------------------------

def authenticate(*, email: str, password: str, now: datetime) -> User:
    user = get_user_by_email(email)
    ok = verify_password(user.password_hash if user else None, password)
    if not ok or user is None or not user.is_active_account:
        raise AuthenticationFailed(_l("E-Mail-Adresse oder Passwort ist falsch."))
    if not user.is_email_verified:
        raise EmailNotVerified(user)
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    user.last_login_at = now
    db.session.flush()
    return user


def end_all_sessions(*, user: User) -> None:
    """Make every session cookie and remember-me cookie of this user invalid (server-side)."""
    user.session_generation = (user.session_generation or 0) + 1
    db.session.flush()


def change_password(*, user: User, current_password: str, new_password: str, now: datetime) -> None:
    if not verify_password(user.password_hash, current_password):
        raise ValidationFailed(_l("Das aktuelle Passwort ist falsch."), field="current_password")
    check_password_policy(new_password, email=user.email)
    user.password_hash = hash_password(new_password)
    user.password_changed_at = now
    end_all_sessions(user=user)


# --- password reset ----------------------------------------------------------------------------------------------

def make_reset_token(user: User) -> str:
    return tokens.make_token("password-reset", {"u": user.id, "p": tokens.fingerprint(user.password_hash)})


def user_for_reset_token(token: str) -> User:
    data = _read("password-reset", token, "PASSWORD_RESET_MAX_AGE")
    user = db.session.get(User, data.get("u"))
    if user is None or tokens.fingerprint(user.password_hash) != data.get("p"):
        raise InvalidToken(_l("Dieser Link wurde bereits verwendet. Bitte fordern Sie bei Bedarf einen neuen an."))
    return user


def reset_password(*, token: str, new_password: str, now: datetime) -> User:
    user = user_for_reset_token(token)
    check_password_policy(new_password, email=user.email)
    user.password_hash = hash_password(new_password)
    user.password_changed_at = now
    # Whoever could read the reset mail owns the address: treat it as verified.
    if user.email_verified_at is None:
        user.email_verified_at = now
    end_all_sessions(user=user)
    return user


# --- e-mail change -----------------------------------------------------------------------------------------------

def request_email_change(*, user: User, new_email: str, password: str) -> str:
    if not verify_password(user.password_hash, password):
        raise ValidationFailed(_l("Das Passwort ist falsch."), field="password")
    new_email = normalize_email(new_email)
    if new_email == user.email:
        raise ValidationFailed(_l("Das ist bereits Ihre E-Mail-Adresse."), field="email")
    user.pending_email = new_email
    db.session.flush()
    return tokens.make_token("change-email", {"u": user.id, "e": new_email})


def confirm_email_change(*, token: str, now: datetime) -> tuple[User, str]:
    """Switch to the pending address; returns the user and the previous address (to be notified)."""
    data = _read("change-email", token, "EMAIL_VERIFICATION_MAX_AGE")
    user = db.session.get(User, data.get("u"))
    if user is None or not user.pending_email or user.pending_email != data.get("e"):
        raise InvalidToken(_l("Dieser Link ist nicht mehr gültig. Bitte ändern Sie Ihre E-Mail-Adresse erneut."))
    if get_user_by_email(user.pending_email) is not None:
        user.pending_email = None
        db.session.flush()
        raise AlreadyExists(_l("Diese E-Mail-Adresse wird bereits von einem anderen Konto verwendet."))
    old_email = user.email
    user.email = user.pending_email
    user.pending_email = None
    user.email_verified_at = now
    db.session.flush()
    return user, old_email


# --- invitations -------------------------------------------------------------------------------------------------

INVITABLE_ROLES = (Role.JUROR, Role.ORGANISER)


def create_invitation(
    *, email: str, role: Role, full_name: str | None, locale: str | None, by: User, now: datetime
) -> tuple[Invitation, str]:
    if not by.is_organiser:
        raise PermissionDenied(_l("Nur das Organisationsteam kann einladen."))
    if role not in INVITABLE_ROLES:
        raise ValidationFailed(_l("Eingeladen werden können nur Jurymitglieder und das Organisationsteam."),
                               field="role")
    email = normalize_email(email)
    existing = get_user_by_email(email)
    if existing is not None and existing.has_role(role):
        raise AlreadyExists(_l("Diese Person hat diese Rolle bereits."), field="email")
    invitation = Invitation(
        email=email,
        role=role,
        full_name=(full_name or "").strip() or None,
        locale=locale,
        created_at=now,
        expires_at=now + timedelta(days=current_app.config["INVITATION_VALID_DAYS"]),
        created_by=by,
    )
    db.session.add(invitation)
    db.session.flush()
    return invitation, invitation_token(invitation)


def invitation_token(invitation: Invitation) -> str:
    return tokens.make_token("invitation", {"i": invitation.id, "e": invitation.email})


def load_invitation(*, token: str, now: datetime) -> Invitation:
    max_age = current_app.config["INVITATION_VALID_DAYS"] * 24 * 3600
    try:
        data = tokens.read_token("invitation", token, max_age=max_age)
    except (tokens.TokenExpired, tokens.TokenInvalid):
        data = {}
    invitation = db.session.get(Invitation, data.get("i")) if data else None
    if invitation is None or invitation.email != data.get("e"):
        raise InvalidToken(_l("Diese Einladung ist ungültig. Bitte wenden Sie sich an das Organisationsteam."))
    status = invitation.status(now)
    if status == "accepted":
        raise InvalidToken(_l("Diese Einladung wurde bereits angenommen. Bitte melden Sie sich an."))
    if status == "revoked":
        raise InvalidToken(_l("Diese Einladung wurde zurückgezogen. Bitte wenden Sie sich an das "
                              "Organisationsteam."))
    if status == "expired":
        raise InvalidToken(_l("Diese Einladung ist abgelaufen. Bitte bitten Sie das Organisationsteam um eine "
                              "neue Einladung."))
    return invitation


def accept_invitation(
    *,
    invitation: Invitation,
    current: User | None,
    full_name: str | None,
    password: str | None,
    now: datetime,
) -> User:
    """Accept as a new account (name and password) or, if the address has an account, as that signed-in user."""
    existing = get_user_by_email(invitation.email)
    if existing is not None:
        if current is None or current.id != existing.id:
            raise PermissionDenied(
                _l("Für %(email)s gibt es bereits ein Konto. Bitte melden Sie sich mit diesem Konto an, um die "
                   "Einladung anzunehmen.", email=invitation.email)
            )
        user = existing
    else:
        if current is not None:
            raise PermissionDenied(
                _l("Diese Einladung gilt für %(email)s. Bitte melden Sie sich zuerst ab.", email=invitation.email)
            )
        user = _new_user(
            email=invitation.email,
            full_name=full_name or invitation.full_name or "",
            password=password or "",
            locale=invitation.locale,
            now=now,
        )
    if user.email_verified_at is None:
        user.email_verified_at = now  # the link reached this address
    grant_role(user=user, role=invitation.role, now=now)
    invitation.accepted_at = now
    invitation.accepted_by = user
    db.session.flush()
    return user


def revoke_invitation(*, invitation: Invitation, by: User, now: datetime) -> None:
    if not by.is_organiser:
        raise PermissionDenied(_l("Nur das Organisationsteam kann Einladungen zurückziehen."))
    if invitation.accepted_at is not None:
        raise ValidationFailed(_l("Diese Einladung wurde bereits angenommen und kann nicht mehr zurückgezogen "
                                  "werden."))
    invitation.revoked_at = now
    db.session.flush()


# --- administration ----------------------------------------------------------------------------------------------

def create_admin(*, email: str, password: str, full_name: str, now: datetime) -> User:
    """Create an organiser (or give an existing account the organiser role, after checking its password)."""
    existing = get_user_by_email(email)
    if existing is not None:
        if not verify_password(existing.password_hash, password):
            raise AlreadyExists(_l("Für diese E-Mail-Adresse gibt es bereits ein Konto mit einem anderen "
                                   "Passwort."))
        user = existing
    else:
        user = _new_user(email=email, full_name=full_name, password=password, locale="de", now=now)
    user.email_verified_at = user.email_verified_at or now
    grant_role(user=user, role=Role.ORGANISER, now=now)
    db.session.flush()
    return user


def create_verified_user(
    *,
    email: str,
    full_name: str,
    password: str,
    roles: list[Role],
    locale: str | None,
    now: datetime,
    password_hash: str | None = None,
) -> User:
    """An account that is ready to use (demo data, imports by the organising office).

    `password_hash` (of `password`) lets bulk imports hash a shared initial password once.
    """
    if get_user_by_email(email) is not None:
        raise AlreadyExists(_l("Für diese E-Mail-Adresse gibt es bereits ein Konto."), field="email")
    user = _new_user(email=email, full_name=full_name, password=password, locale=locale, now=now,
                     password_hash=password_hash)
    user.email_verified_at = now
    for role in roles:
        grant_role(user=user, role=role, now=now)
    db.session.flush()
    return user
