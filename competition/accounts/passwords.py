"""Password policy and hashing (argon2id). Length over composition rules, as NIST SP 800-63B advises."""

from __future__ import annotations

import enum
from functools import cache
from importlib import resources

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app, has_app_context

MIN_LENGTH = 12
MAX_LENGTH = 256


@cache
def _hasher_for(params: tuple[tuple[str, int], ...]) -> PasswordHasher:
    return PasswordHasher(**dict(params))  # argon2id; the library's recommended parameters unless configured


def _hasher() -> PasswordHasher:
    """The configured hasher. Tests use cheaper parameters (PASSWORD_HASH_PARAMS); production the defaults."""
    params = current_app.config.get("PASSWORD_HASH_PARAMS") if has_app_context() else None
    return _hasher_for(tuple(sorted((params or {}).items())))


@cache
def _dummy_hash(hasher: PasswordHasher) -> str:
    # Verified against when an account does not exist, so timing does not reveal registered e-mails.
    return hasher.hash("dummy password for timing equalisation")


class PasswordProblem(enum.Enum):
    TOO_SHORT = "too_short"
    TOO_LONG = "too_long"
    COMMON = "common"
    CONTAINS_EMAIL = "contains_email"


@cache
def common_passwords() -> frozenset[str]:
    text = resources.files(__package__).joinpath("common_passwords.txt").read_text(encoding="utf-8")
    return frozenset(line.strip().lower() for line in text.splitlines() if line.strip() and line[0] != "#")


def password_problems(password: str, *, email: str | None = None) -> list[PasswordProblem]:
    problems: list[PasswordProblem] = []
    if len(password) < MIN_LENGTH:
        problems.append(PasswordProblem.TOO_SHORT)
    if len(password) > MAX_LENGTH:
        problems.append(PasswordProblem.TOO_LONG)
    lowered = password.lower()
    if lowered in common_passwords() or len(set(lowered)) <= 2:
        problems.append(PasswordProblem.COMMON)
    if email:
        local = email.split("@", 1)[0].lower()
        if lowered == email.lower() or (len(local) >= 4 and lowered.startswith(local) and len(lowered) - len(
            local
        ) < 4):
            problems.append(PasswordProblem.CONTAINS_EMAIL)
    return problems


def hash_password(password: str) -> str:
    return _hasher().hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    hasher = _hasher()
    try:
        return hasher.verify(password_hash or _dummy_hash(hasher), password) and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return _hasher().check_needs_rehash(password_hash)
