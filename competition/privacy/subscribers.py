"""Privacy's receivers of lower modules' signals (connected once, when `create_app` imports this module)."""

from __future__ import annotations

from datetime import datetime

from ..accounts import signals
from ..accounts.models import User
from .services import record_consents


@signals.account_opened.connect
def _consent_to_current_texts(user: User, *, now: datetime, **_: object) -> None:
    """The checkbox on the form was the consent to the current terms and privacy notice: record it."""
    record_consents(user=user, now=now)
