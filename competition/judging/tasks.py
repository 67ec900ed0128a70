"""Mails to and about the jury as background jobs: reminders (one mail per juror with open work), the invitation to
a round's preference phase, and the organisers' notice of a conflict declared there. A recipient who got the mail is
noted in the job, so a retry (mail server down, worker restarted) never mails anyone twice."""

from __future__ import annotations

from flask import current_app, url_for
from flask_babel import lazy_gettext as _l

from ..accounts.models import Role, User, UserRole
from ..core.mail import send_mail
from ..editions.models import JudgingRound
from ..entries.models import Entry
from ..extensions import db
from ..jobs import RetryLater, task
from . import queries, services
from .reminders import jurors_with_open_work, send_reminders


@task("judging.reminders", label=_l("Erinnerungen an die Jury"))
def send_round_reminders(ctx, *, round_id: int, base_url: str | None = None) -> None:
    judging_round = db.session.get(JudgingRound, round_id)
    if judging_round is None:
        ctx.set_message(str(_l("Die Bewertungsrunde gibt es nicht mehr; keine Erinnerungen versendet.")))
        return
    due = jurors_with_open_work(judging_round)
    done = set(ctx.job.params.get("sent", []))
    failed = 0
    for step, (juror, count) in enumerate(due, start=1):
        if juror.id not in done:
            sent, _failed = send_reminders(judging_round=judging_round, due=[(juror, count)], base_url=base_url)
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

def _site_context():
    """Links in mails come from BASE_URL, never from a request's Host (as in every job)."""
    return current_app.test_request_context(base_url=current_app.config["BASE_URL"])


@task("judging.preference_invitations", label=_l("Präferenzphase: Einladung an die Jury"))
def send_preference_invitations(ctx, *, round_id: int) -> None:
    """Mail every juror of the round's pool that the preference phase is open; a retry mails nobody twice."""
    judging_round = db.session.get(JudgingRound, round_id)
    phase = queries.preference_phase(judging_round) if judging_round else None
    if judging_round is None or phase is None or not phase.is_open(ctx.now()):
        ctx.set_message(str(_l("Die Präferenzphase ist nicht mehr geöffnet; keine E-Mails versendet.")))
        return
    pool = [juror for juror, _capacity in services.round_pool(judging_round)]
    done = set(ctx.job.params.get("sent", []))
    failed = 0
    with _site_context():
        link = url_for("preferences.show", round_id=judging_round.id, _external=True)
        for step, juror in enumerate(pool, start=1):
            if juror.id not in done:
                if send_mail(to=juror.email, template="preference_invitation", locale=juror.locale,
                             juror_name=juror.full_name, round_name=judging_round.name,
                             edition_name=judging_round.edition.name, ends_at=phase.ends_at, link=link):
                    done.add(juror.id)
                    ctx.job.params = {**ctx.job.params, "sent": sorted(done)}
                else:
                    failed += 1
            ctx.progress(step, len(pool))
    if failed:
        raise RetryLater(str(_l("%(n)s Einladungen konnten nicht gesendet werden (Mailserver).", n=failed)))
    ctx.set_message(str(_l("%(n)s Jurymitglieder eingeladen.", n=len(done))))


@task("judging.preference_conflict", label=_l("Präferenzphase: Befangenheit an das Organisationsteam"))
def report_preference_conflict(ctx, *, round_id: int, juror_id: int, entry_id: int, reason: str = "") -> None:
    """Tell the organisers that a juror marked an entry "befangen" in the preference phase."""
    judging_round, juror = db.session.get(JudgingRound, round_id), db.session.get(User, juror_id)
    entry = db.session.get(Entry, entry_id)
    if judging_round is None or juror is None or entry is None:
        ctx.set_message(str(_l("Bewertungsrunde, Jurymitglied oder Beitrag gibt es nicht mehr.")))
        return
    organisers = db.session.scalars(db.select(User).join(UserRole).where(UserRole.role == Role.ORGANISER,
                                                                         User.is_active_account.is_(True))
                                    .order_by(User.id)).all()
    done = set(ctx.job.params.get("sent", []))
    failed = 0
    with _site_context():
        link = url_for("jury_admin.jury", edition_id=entry.edition_id, _external=True) + "#befangenheiten"
        for organiser in organisers:
            if organiser.id in done:
                continue
            if send_mail(to=organiser.email, template="preference_conflict", locale=organiser.locale,
                         juror_name=juror.full_name, round_name=judging_round.name,
                         entry_number=entry.number or str(entry.id), entry_title=entry.title, reason=reason,
                         link=link):
                done.add(organiser.id)
                ctx.job.params = {**ctx.job.params, "sent": sorted(done)}
            else:
                failed += 1
    ctx.progress(1, 1)
    if failed:
        raise RetryLater(str(_l("%(n)s E-Mails an das Organisationsteam konnten nicht gesendet werden.", n=failed)))
    ctx.set_message(str(_l("Das Organisationsteam ist informiert (%(n)s E-Mails).", n=len(done))))
