"""The jury's mails: reminders of open work, and the notice to the organisers that a juror declared a conflict.

The ``*_values`` functions are the one place where each mail kind's placeholders are made (plain values, see
core/placeholders.py), for sending and for the sample data of the template editor.
"""

from __future__ import annotations

from datetime import datetime

from ..core.mail import send_mail
from ..core.placeholders import person
from ..core.urls import external_url


def jury_reminder_values(*, juror: dict, round_name: str, deadline_at: datetime | None, open_count: int,
                         link: str) -> dict:
    """``juror.full_name``, ``judging_round.name``, ``judging_round.deadline_at``, ``open_count``, ``link``."""
    return {"juror": juror, "judging_round": {"name": round_name, "deadline_at": deadline_at},
            "open_count": open_count, "link": link}


def conflict_declared_values(*, juror: dict, entry_id: int, entry_number: str | None, entry_title: str,
                             reason: str, link: str) -> dict:
    """``juror.full_name``, ``entry.number``, ``entry.title``, ``reason``, ``link``."""
    return {"juror": juror, "entry": {"id": entry_id, "number": entry_number or "", "title": entry_title},
            "reason": reason, "link": link}


def send_jury_reminder(*, juror, judging_round, open_count: int) -> bool:
    values = jury_reminder_values(juror=person(juror), round_name=judging_round.name,
                                  deadline_at=judging_round.deadline_at, open_count=open_count,
                                  link=external_url("judging.dashboard"))
    return send_mail(to=juror.email, template="jury_reminder", locale=juror.locale, **values)


def send_conflict_notice(*, organiser, juror, entry, reason: str) -> bool:
    values = conflict_declared_values(juror=person(juror), entry_id=entry.id, entry_number=entry.number,
                                      entry_title=entry.title, reason=reason,
                                      link=external_url("jury_admin.jury", edition_id=entry.edition_id))
    return send_mail(to=organiser.email, template="conflict_declared", locale=organiser.locale, **values)
