"""Reminders to jurors with open work in a round."""

from __future__ import annotations

from collections import Counter

from ..accounts.models import User
from ..editions.models import JudgingRound
from ..extensions import db
from .mails import send_jury_reminder
from .models import Assignment


def jurors_with_open_work(judging_round: JudgingRound) -> list[tuple[User, int]]:
    """Jurors with assignments in the round that are not finished (with scoring: not submitted), and how many."""
    counts = Counter(db.session.scalars(db.select(Assignment.user_id).where(Assignment.round_id == judging_round.id)))
    users = {u.id: u for u in db.session.scalars(db.select(User).where(User.id.in_(counts)))} if counts else {}
    return sorted(((users[uid], n) for uid, n in counts.items()), key=lambda item: (item[0].full_name, item[0].id))


def send_reminders(*, judging_round: JudgingRound, due: list[tuple[User, int]]):
    """Send one reminder to each juror (the link on BASE_URL, whoever started it); returns (sent, failed)."""
    sent = failed = 0
    for juror, count in due:
        ok = send_jury_reminder(juror=juror, judging_round=judging_round, open_count=count)
        sent += ok
        failed += not ok
    return sent, failed
