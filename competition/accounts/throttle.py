"""Login throttling that an attacker cannot turn against the account's owner.

Failed logins are counted per (account, address) and per address, never per account alone: twenty wrong passwords
for someone's address sent from elsewhere used to lock the owner out for the rest of the hour (429 even with the
right password). Now an attacker only ever locks the pair they use themselves.

A locked owner can always get in through a password reset:

- the (account, address) counter is keyed on the time the password last changed, so a reset starts every
  address's count for that account afresh;
- the browser that completed the reset carries a pass for that one account in its (signed) session for an hour,
  which lets it past the per-address limit (an office address shared with someone trying many accounts).

The limits (``RATELIMIT_LOGIN_PER_ACCOUNT``, ``RATELIMIT_LOGIN_PER_IP``) are applied by Flask-Limiter in the login
view; this module gives it its keys and the exemption.
"""

from __future__ import annotations

import time

from flask import g, request, session
from flask_limiter.util import get_remote_address

from .models import User
from .queries import get_user_by_email, normalize_email

SESSION_KEY = "login_after_reset"  # session entry: [user id, unix time]
PASS_SECONDS = 3600


def _form_email() -> str:
    return normalize_email(request.form.get("email", ""))[:254]


def _account() -> User | None:
    """The account the login form names (looked up once per request)."""
    if "_throttle_account" not in g:
        email = _form_email()
        g._throttle_account = get_user_by_email(email) if email else None
    return g._throttle_account


def account_address_key() -> str:
    """``login:<email>:<password generation>|<address>``: one counter per account, address and password."""
    account = _account()
    changed = account.password_changed_at if account is not None else None
    generation = f"{changed.timestamp():.6f}" if changed is not None else "0"
    return f"login:{_form_email()}:{generation}|{get_remote_address()}"


def grant_reset_pass(user: User) -> None:
    """After a completed password reset: this browser may log in to this account past the per-address limit."""
    session[SESSION_KEY] = [user.id, int(time.time())]


def holds_reset_pass() -> bool:
    """True when this browser completed a password reset for the account the form names within the hour."""
    granted = session.get(SESSION_KEY)
    account = _account()
    if not isinstance(granted, list) or len(granted) != 2 or account is None:
        return False
    user_id, at = granted
    return user_id == account.id and isinstance(at, int) and 0 <= time.time() - at <= PASS_SECONDS
