"""Domain exceptions. Each carries a message for the user (already translated or lazily translatable)."""

from __future__ import annotations


class DomainError(Exception):
    """A use case was refused for a reason the user can understand and act on."""

    def __init__(self, message: str, *, field: str | None = None):
        super().__init__(str(message))
        self.message = message
        self.field = field


class ValidationFailed(DomainError):
    """Input is well-formed but breaks a rule (e.g. dates out of order)."""


class PermissionDenied(DomainError):
    """The acting user may not do this to this object."""


class InvalidToken(DomainError):
    """A link is broken, expired or has been used already."""


class Locked(DomainError):
    """The object can no longer change (e.g. scoring has begun in this round)."""


class AlreadyExists(DomainError):
    """A unique thing exists already."""
