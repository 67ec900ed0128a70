"""Mails to and about the jury as background jobs: reminders (one mail per juror with open work), the invitation to
a round's preference phase, and the organisers' notice of a conflict declared there. A recipient who got the mail is
noted in the job, so a retry (mail server down, worker restarted) never mails anyone twice."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from ..core.mail import send_mail
from ..core.urls import external_url
from ..editions.models import JudgingRound
from ..extensions import db
from ..jobs import RetryLater, task
from . import conflict_services, mails, notices, queries
from .models import Conflict
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


# --- preferences ---------------------------------------------------------------------------------------------------

@task("judging.preference_invitations", label=_l("Präferenzphase: Einladung an die Jury"))
def send_preference_invitations(ctx, *, round_id: int) -> None:
    """Mail every juror of the round's pool that the preference phase is open; a retry mails nobody twice."""
    judging_round = db.session.get(JudgingRound, round_id)
    phase = queries.preference_phase(judging_round) if judging_round else None
    if judging_round is None or phase is None or not phase.is_open(ctx.now()):
        ctx.set_message(str(_l("Die Präferenzphase ist nicht mehr geöffnet; keine E-Mails versendet.")))
        return
    pool = [juror for juror, _capacity in queries.round_pool(judging_round)]
    done = set(ctx.job.params.get("sent", []))
    failed = 0
    link = external_url("preferences.show", round_id=judging_round.id)
    for step, juror in enumerate(pool, start=1):
        if juror.id not in done:
            values = mails.preference_invitation_values(juror_name=juror.full_name, round_name=judging_round.name,
                                                        edition_name=judging_round.edition.name,
                                                        ends_at=phase.ends_at, link=link)
            if send_mail(to=juror.email, template="preference_invitation", locale=juror.locale, **values):
                done.add(juror.id)
                ctx.job.params = {**ctx.job.params, "sent": sorted(done)}
            else:
                failed += 1
        ctx.progress(step, len(pool))
    if failed:
        raise RetryLater(str(_l("%(n)s Einladungen konnten nicht gesendet werden (Mailserver).", n=failed)))
    ctx.set_message(str(_l("%(n)s Jurymitglieder eingeladen.", n=len(done))))


@task("judging.preference_conflict", label=_l("Präferenzphase: Befangenheit an das Organisationsteam"))
def report_preference_conflict(ctx, *, conflict_id: int) -> None:
    """Tell the organisers that a juror marked an entry "befangen" in the preference phase: the same notice as any
    other declaration (conflict_declared), sent once per organiser even when the job is retried."""
    conflict = db.session.get(Conflict, conflict_id)
    if conflict is None:
        ctx.set_message(str(_l("Die Befangenheit gibt es nicht mehr (zurückgenommen).")))
        return
    done = set(ctx.job.params.get("sent", []))
    sent = notices.tell_declared(described=notices.describe(conflict), juror=conflict.user, outcome="declared",
                                 affected=conflict_services.affected_assignments(conflict), skip=done,
                                 on_sent=done.add)
    ctx.job.params = {**ctx.job.params, "sent": sorted(done)}
    ctx.progress(1, 1)
    if sent is None:
        raise RetryLater(str(_l("Nicht alle E-Mails an das Organisationsteam konnten gesendet werden.")))
    ctx.set_message(str(_l("Das Organisationsteam ist informiert (%(n)s E-Mails).", n=len(done))))
