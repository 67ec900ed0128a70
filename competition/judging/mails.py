"""The jury's mails: reminders of open work; the values of the organisers' conflict notices (sent by notices.py).

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


def conflict_declared_values(*, juror: dict, entry: dict | None, company: dict, reason: str, outcome: str,
                             affected: list[dict], blind: bool, link: str) -> dict:
    """``juror.full_name``, ``entry.number``/``entry.title`` (None for a declaration against a company),
    ``company.legal_name``, ``reason``, ``outcome`` (declared, removed, kept), ``affected`` (number, title, round,
    status), ``blind``, ``link``."""
    return {"juror": juror, "entry": entry, "company": company, "reason": reason, "outcome": outcome,
            "affected": affected, "blind": blind, "link": link}


def conflict_withdrawal_values(*, juror: dict, entry: dict | None, company: dict, reason: str, requested: bool,
                               affected: list[dict], blind: bool, link: str) -> dict:
    """As ``conflict_declared_values``, with ``requested`` (the juror asked; else it is withdrawn)."""
    return {"juror": juror, "entry": entry, "company": company, "reason": reason, "requested": requested,
            "affected": affected, "blind": blind, "link": link}


def preference_invitation_values(*, juror_name: str, round_name: str, edition_name: str,
                                 ends_at: datetime | None, link: str) -> dict:
    """``juror_name``, ``round_name``, ``edition_name``, ``ends_at``, ``link``."""
    return {"juror_name": juror_name, "round_name": round_name, "edition_name": edition_name, "ends_at": ends_at,
            "link": link}


def send_jury_reminder(*, juror, judging_round, open_count: int) -> bool:
    values = jury_reminder_values(juror=person(juror), round_name=judging_round.name,
                                  deadline_at=judging_round.deadline_at, open_count=open_count,
                                  link=external_url("judging.dashboard"))
    return send_mail(to=juror.email, template="jury_reminder", locale=juror.locale, **values)
