"""Signed, expiring tokens for links sent by e-mail (verification, reset, invitation).

Single use is enforced by what a token binds to: a reset token carries a fingerprint of the current password
hash, a verification token the address it verifies, an invitation token the invitation row whose use is recorded.
"""

from __future__ import annotations

import hashlib
from typing import Any

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer


def _serializer(purpose: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=f"competition.{purpose}")


def make_token(purpose: str, payload: dict[str, Any]) -> str:
    return _serializer(purpose).dumps(payload)


class TokenExpired(Exception):
    pass


class TokenInvalid(Exception):
    pass


def read_token(purpose: str, token: str, *, max_age: int) -> dict[str, Any]:
    try:
        data = _serializer(purpose).loads(token, max_age=max_age)
    except SignatureExpired as exc:
        raise TokenExpired from exc
    except BadSignature as exc:
        raise TokenInvalid from exc
    if not isinstance(data, dict):
        raise TokenInvalid
    return data


def fingerprint(value: str) -> str:
    """A short, non-reversible fingerprint (e.g. of a password hash) to bind a token to a state."""
    return hashlib.sha256(value.encode()).hexdigest()[:16]
