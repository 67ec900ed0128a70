"""The mails of an extra-review request, as a background job: one mail per juror with their new entries and a link
to each score sheet. A request whose mail went out is marked (``mailed_at``), so a retry never mails twice."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ..core.clock import utcnow
from ..core.mail import send_mail
from ..core.urls import external_url
from ..editions.models import JudgingRound
from ..extensions import db
from ..jobs import RetryLater, task
from .mails import extra_review_values
from .models import ExtraReviewRequest


@dataclass(frozen=True)
class MailEntry:
    """What the mail (an editable template) shows of one entry: never an ORM object."""

    number: str
    title: str
    link: str


def _deadline(judging_round: JudgingRound, now: datetime) -> datetime | None:
    """The round's deadline, else the end of the jury phase, when still ahead."""
    for moment in (judging_round.deadline_at, judging_round.edition.jury_ends_at):
        if moment is not None and moment > now:
            return moment
    return None


@task("rankings.extra_reviews", label=_l("Zusätzliche Bewertungen: E-Mails an die Jury"))
def mail_extra_reviews(ctx, *, round_id: int, request_ids: list[int], base_url: str | None = None) -> None:
    # base_url: only in jobs queued by older versions; ignored, links come from BASE_URL.
    judging_round = db.session.get(JudgingRound, round_id)
    requests = list(db.session.scalars(select(ExtraReviewRequest).where(ExtraReviewRequest.id.in_(request_ids))
                                       .order_by(ExtraReviewRequest.id)))
    if judging_round is None or not requests:
        ctx.set_message(str(_l("Die angeforderten Bewertungen gibt es nicht mehr; keine E-Mails versendet.")))
        return
    by_juror: dict[int, list[ExtraReviewRequest]] = defaultdict(list)
    for request in requests:
        if request.mailed_at is None and request.assignment_id is not None:
            by_juror[request.user_id].append(request)
    deadline = _deadline(judging_round, utcnow())
    sent = failed = 0
    for step, (_juror, mine) in enumerate(sorted(by_juror.items()), start=1):
        juror = mine[0].user
        entries = [MailEntry(r.entry.number or f"#{r.entry_id}", r.entry.title,
                             external_url("sheets.show", assignment_id=r.assignment_id)) for r in mine]
        values = extra_review_values(juror_name=juror.full_name, round_name=judging_round.name, deadline=deadline,
                                     entries=entries)
        if send_mail(to=juror.email, template="extra_review", locale=juror.locale, **values):
            sent += 1
            for request in mine:
                request.mailed_at = utcnow()
        else:
            failed += 1
        ctx.progress(step, len(by_juror))  # commits the requests already mailed
    if failed:
        raise RetryLater(str(_l("%(n)s E-Mails an die Jury konnten nicht gesendet werden (Mailserver).", n=failed)))
    ctx.set_message(str(_l("%(n)s Jurymitglieder per E-Mail um zusätzliche Bewertungen gebeten.", n=sent)))
