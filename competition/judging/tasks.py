"""Reminders to the jury as a background job: one mail per juror with open work. A juror who got the mail is noted
in the job, so a retry (mail server down, worker restarted) never mails anyone twice."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from ..editions.models import JudgingRound
from ..extensions import db
from ..jobs import RetryLater, task
from .reminders import jurors_with_open_work, send_reminders


@task("judging.reminders", label=_l("Erinnerungen an die Jury"))
def send_round_reminders(ctx, *, round_id: int, base_url: str | None = None) -> None:
    # base_url: only in jobs queued by older versions (taken from the request's Host); ignored, links use BASE_URL.
    judging_round = db.session.get(JudgingRound, round_id)
    if judging_round is None:
        ctx.set_message(str(_l("Die Bewertungsrunde gibt es nicht mehr; keine Erinnerungen versendet.")))
        return
    due = jurors_with_open_work(judging_round)
    done = set(ctx.job.params.get("sent", []))
    failed = 0
    for step, (juror, count) in enumerate(due, start=1):
        if juror.id not in done:
            sent, _failed = send_reminders(judging_round=judging_round, due=[(juror, count)])
            if sent:
                done.add(juror.id)
                ctx.job.params = {**ctx.job.params, "sent": sorted(done)}
            else:
                failed += 1
        ctx.progress(step, len(due))  # commits the list of jurors already reminded
    if failed:
        raise RetryLater(str(_l("%(n)s Erinnerungen konnten nicht gesendet werden (Mailserver).", n=failed)))
    ctx.set_message(str(_l("%(n)s Erinnerungen gesendet.", n=len(done))))
