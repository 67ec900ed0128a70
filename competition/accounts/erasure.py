"""A person's erasure (Art. 17 GDPR), in parts: each module erases what it holds about the person.

Accounts is the lowest module that knows a person, so the registry lives here: a module registers its step with
`@erasure_step("name", order=…)` in its own ``erasure.py`` (as Indico lets modules subscribe to a signal), and
`privacy.erasure.erase_user` checks the request, runs every step in order and then empties the account itself.
Steps run inside the caller's transaction; they flush, never commit. A step writes what the audit event should
record into ``person.report`` (ids, counts and hashes, never names or addresses).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import or_, select

from ..extensions import db
from .models import Invitation, User

ERASED_DOMAIN = "deleted.invalid"


def erased_name(user_id: int) -> str:
    return f"Gelöschte Person #{user_id}"


def erased_email(user_id: int) -> str:
    return f"deleted-{user_id}@{ERASED_DOMAIN}"


def is_erased(user: User) -> bool:
    return user.email.endswith("@" + ERASED_DOMAIN)


@dataclass
class PersonErasure:
    """The person being erased, as they were before any step ran."""

    user: User
    name: str
    emails: set[str]
    now: datetime
    report: dict[str, Any] = field(default_factory=dict)

    @property
    def placeholder_name(self) -> str:
        return erased_name(self.user.id)

    @property
    def placeholder_email(self) -> str:
        return erased_email(self.user.id)


Step = Callable[[PersonErasure], None]
_STEPS: dict[str, tuple[int, Step]] = {}


def erasure_step(name: str, *, order: int) -> Callable[[Step], Step]:
    """Register `step` under a unique `name`; steps run by ascending `order` (registering again replaces)."""

    def register(step: Step) -> Step:
        _STEPS[name] = (order, step)
        return step

    return register


def registered_steps() -> list[str]:
    return [name for name, _ in sorted(_STEPS.items(), key=lambda item: (item[1][0], item[0]))]


def run_erasure_steps(person: PersonErasure) -> None:
    for name in registered_steps():
        _STEPS[name][1](person)


@erasure_step("accounts.invitations", order=50)
def _anonymise_invitations(person: PersonErasure) -> None:
    """Invitations to this address (jury, organisation) and those the person accepted get the anonymous address."""
    for invitation in db.session.scalars(select(Invitation).where(
            or_(Invitation.email.in_(person.emails), Invitation.accepted_by_id == person.user.id))):
        invitation.email = person.placeholder_email
        invitation.full_name = None
