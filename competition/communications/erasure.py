"""Communications' part of a person's erasure: the mail log keeps what was sent (still countable), not to whom."""

from __future__ import annotations

from sqlalchemy import func, or_, select

from ..accounts.erasure import PersonErasure, erasure_step
from ..extensions import db
from .models import MailLog


@erasure_step("communications.mail_log", order=40)
def erase_from_mail_log(person: PersonErasure) -> None:
    for log in db.session.scalars(select(MailLog).where(
            or_(MailLog.user_id == person.user.id, func.lower(MailLog.address).in_(person.emails)))):
        log.address = person.placeholder_email
