"""What the organising team has to do next in an edition: the phase timeline and the to-do list of the dashboard.

Reads only, a fixed number of aggregate queries per edition and round (no query per entry or juror), so the
dashboard stays fast with thousands of entries. Each to-do names where to act; the view turns that into a link.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from sqlalchemy import and_, func, or_, select

from ..accounts.models import Invitation, Role
from ..communications.models import Campaign, MailLog, MailStatus
from ..core.i18n import datetime_filter
from ..editions.models import Edition, JudgingRound
from ..editions.phases import PHASE_ORDER, Phase
from ..entries.models import Entry, EntryStatus
from ..extensions import db
from ..jobs.models import Job, JobStatus
from ..judging import queries as judging_queries
from ..judging.models import Assignment, Conflict, ConflictSource, ConflictStatus, ScoreSheet, SheetStatus
from ..rankings import freezing
from ..rankings.models import Publication, RankingSnapshot


@dataclass(frozen=True)
class Milestone:
    phase: Phase
    label: str
    starts_at: datetime | None
    state: str  # "done" | "current" | "next"


@dataclass(frozen=True)
class Todo:
    key: str  # stable name for tests and anchors, never shown
    text: str  # a German sentence with the count
    count: int
    endpoint: str
    args: dict = field(default_factory=dict)
    action: str = ""  # the link text
    urgent: bool = False
    extra_endpoint: str | None = None  # a second action ("Erinnerung senden")
    extra_args: dict = field(default_factory=dict)
    extra_action: str = ""


@dataclass(frozen=True)
class EditionCockpit:
    edition: Edition
    phase: Phase
    timeline: list[Milestone]
    todos: list[Todo]
    next_step: str  # what comes next when there is nothing to do


TIMELINE_LABELS = {
    Phase.PREPARATION: _l("Vorbereitung"),
    Phase.SUBMISSION: _l("Registrierung und Einreichung"),
    Phase.REVIEW: _l("Zulassungsprüfung"),
    Phase.JURY: _l("Jurybewertung"),
    Phase.DELIBERATION: _l("Jurysitzung"),
    Phase.PUBLISHED: _l("Ergebnisse veröffentlicht"),
}

NEXT_STEPS = {
    Phase.PREPARATION: _l("Als Nächstes öffnet die Registrierung am %(date)s. Prüfen Sie bis dahin Kategorien, Fragen "
                          "und Bewertungsrunden."),
    Phase.SUBMISSION: _l("Die Einreichung läuft bis %(date)s. Danach entscheiden Sie über die Zulassung."),
    Phase.REVIEW: _l("Als Nächstes beginnt die Jurybewertung am %(date)s. Weisen Sie die Beiträge bis dahin zu."),
    Phase.JURY: _l("Die Jury bewertet bis %(date)s. Danach frieren Sie die Rangliste ein."),
    Phase.DELIBERATION: _l("Die Ergebnisse werden am %(date)s veröffentlicht."),
    Phase.PUBLISHED: _l("Die Ergebnisse sind veröffentlicht. Diese Ausschreibung ist abgeschlossen."),
}


def phase_starts(edition: Edition) -> dict[Phase, datetime | None]:
    return {
        Phase.PREPARATION: None,
        Phase.SUBMISSION: edition.registration_opens_at,
        Phase.REVIEW: edition.submission_deadline_at,
        Phase.JURY: edition.jury_starts_at,
        Phase.DELIBERATION: edition.jury_ends_at,
        Phase.PUBLISHED: edition.publication_at,
    }


def timeline(edition: Edition, phase: Phase) -> list[Milestone]:
    starts = phase_starts(edition)
    current = PHASE_ORDER.index(phase)
    return [Milestone(p, str(TIMELINE_LABELS[p]), starts[p],
                      "done" if i < current else "current" if i == current else "next")
            for i, p in enumerate(PHASE_ORDER) if p is not Phase.PREPARATION or phase is Phase.PREPARATION]


def _next_moment(edition: Edition, phase: Phase) -> datetime | None:
    after = {Phase.PREPARATION: edition.registration_opens_at, Phase.SUBMISSION: edition.submission_deadline_at,
             Phase.REVIEW: edition.jury_starts_at, Phase.JURY: edition.jury_ends_at,
             Phase.DELIBERATION: edition.publication_at}
    return after.get(phase)


def _status_counts(edition: Edition) -> dict[EntryStatus, int]:
    rows = db.session.execute(select(Entry.status, func.count()).where(Entry.edition_id == edition.id)
                              .group_by(Entry.status))
    return {status: count for status, count in rows}


def _round_todos(edition: Edition, judging_round: JudgingRound, now: datetime, phase: Phase) -> list[Todo]:
    todos: list[Todo] = []
    args = {"edition_id": edition.id, "round_id": judging_round.id}
    entry_ids = judging_queries.round_entry_ids(judging_round)
    assigned = db.session.scalar(select(func.count()).select_from(Assignment)
                                 .where(Assignment.round_id == judging_round.id))
    started = assigned > 0 or phase in (Phase.JURY, Phase.DELIBERATION) or (judging_round.is_first and \
        phase is Phase.REVIEW)
    if started and not judging_round.is_frozen:
        per_entry = (select(Assignment.entry_id, func.count().label("n")).where(Assignment.round_id == judging_round.id)
                     .group_by(Assignment.entry_id).subquery())
        short = db.session.scalar(
            select(func.count()).select_from(Entry).outerjoin(per_entry, per_entry.c.entry_id == Entry.id)
            .where(Entry.id.in_(entry_ids), func.coalesce(per_entry.c.n, 0) < judging_round.jurors_per_entry))
        if short:
            todos.append(Todo("understaffed", ngettext(
                "%(num)s Beitrag der Bewertungsrunde „%(name)s“ hat weniger als %(need)s Jurymitglieder.",
                "%(num)s Beiträge der Bewertungsrunde „%(name)s“ haben weniger als %(need)s Jurymitglieder.",
                short, name=judging_round.name, need=judging_round.jurors_per_entry), short, "jury_admin.assignments",
                args, str(_l("Zuweisen"))))
    if assigned and not judging_round.is_frozen:
        submitted = db.session.scalar(
            select(func.count()).select_from(Assignment).join(ScoreSheet, and_(
                ScoreSheet.round_id == Assignment.round_id, ScoreSheet.entry_id == Assignment.entry_id,
                ScoreSheet.user_id == Assignment.user_id))
            .where(Assignment.round_id == judging_round.id, ScoreSheet.status == SheetStatus.SUBMITTED))
        open_count = assigned - submitted
        if open_count:
            late = now >= judging_round.deadline_at
            text = ngettext(
                "%(num)s Bewertungsbogen der Bewertungsrunde „%(name)s“ ist noch offen (%(done)s von %(all)s "
                "eingereicht).",
                "%(num)s Bewertungsbögen der Bewertungsrunde „%(name)s“ sind noch offen (%(done)s von %(all)s "
                "eingereicht).", open_count, name=judging_round.name, done=submitted, all=assigned)
            if late:
                text += " " + str(_l("Die Bewertungsfrist ist abgelaufen."))
            todos.append(Todo("late_sheets" if late else "open_sheets", text, open_count, "jury_progress.progress",
                              args, str(_l("Fortschritt ansehen")), urgent=late))
    if judging_round.is_frozen:
        snapshot = db.session.scalar(select(RankingSnapshot).where(RankingSnapshot.round_id == judging_round.id)
                                     .order_by(RankingSnapshot.id.desc()).limit(1))
        if snapshot is not None and freezing.staleness(snapshot):
            todos.append(Todo("stale_ranking", str(_l(
                "Der eingefrorene Stand der Bewertungsrunde „%(name)s“ ist nicht mehr aktuell.",
                name=judging_round.name)), 1, "rankings.index", {"edition_id": edition.id},
                str(_l("Rangliste prüfen")), urgent=True))
    return todos


def edition_todos(edition: Edition, now: datetime) -> list[Todo]:
    phase = edition.phase(now)
    counts = _status_counts(edition)
    todos: list[Todo] = []
    awaiting = counts.get(EntryStatus.SUBMITTED, 0)
    if awaiting and phase is not Phase.PREPARATION:
        todos.append(Todo("eligibility", ngettext(
            "%(num)s eingereichter Beitrag wartet auf die Entscheidung über die Zulassung.",
            "%(num)s eingereichte Beiträge warten auf die Entscheidung über die Zulassung.", awaiting), awaiting,
            "entries_admin.list_entries", {"edition": edition.id, "status": EntryStatus.SUBMITTED.value},
            str(_l("Zulassung prüfen")), urgent=phase is not Phase.SUBMISSION))
    drafts = counts.get(EntryStatus.DRAFT, 0)
    if drafts and phase is Phase.SUBMISSION:
        todos.append(Todo("drafts", ngettext(
            "%(num)s Entwurf ist noch nicht eingereicht (Einreichungsfrist: %(date)s).",
            "%(num)s Entwürfe sind noch nicht eingereicht (Einreichungsfrist: %(date)s).", drafts,
            date=_format(edition.submission_deadline_at)), drafts,
            "entries_admin.list_entries", {"edition": edition.id, "status": EntryStatus.DRAFT.value},
            str(_l("Entwürfe ansehen")), extra_endpoint="communications.new_campaign",
            extra_args={"edition_id": edition.id, "audience": "drafts", "purpose": "reminder"},
            extra_action=str(_l("Erinnerung senden"))))
    conflicts = db.session.scalar(
        select(func.count()).select_from(Conflict).where(or_(
            and_(Conflict.source == ConflictSource.DETECTED, Conflict.status == ConflictStatus.ACTIVE),
            Conflict.withdrawal_requested_at.is_not(None))))
    if conflicts:
        todos.append(Todo("conflicts", ngettext(
            "%(num)s Befangenheit wartet auf Ihre Prüfung.", "%(num)s Befangenheiten warten auf Ihre Prüfung.",
            conflicts), conflicts, "jury_admin.jury", {"edition_id": edition.id, "_anchor": "befangenheiten"},
            str(_l("Befangenheiten prüfen"))))
    for judging_round in edition.rounds:
        todos.extend(_round_todos(edition, judging_round, now, phase))
    if phase in (Phase.DELIBERATION, Phase.PUBLISHED):
        published = db.session.scalar(select(Publication.id).where(Publication.edition_id == edition.id))
        if published is None:
            todos.append(Todo("unpublished", str(_l("Die Ergebnisse sind noch nicht veröffentlicht.")), 1,
                              "rankings.index", {"edition_id": edition.id}, str(_l("Ergebnisse vorbereiten")),
                              urgent=phase is Phase.PUBLISHED))
    failed_jobs = db.session.scalar(select(func.count()).select_from(Job).where(
        Job.status == JobStatus.FAILED, or_(Job.edition_id == edition.id, Job.edition_id.is_(None))))
    if failed_jobs:
        todos.append(Todo("failed_jobs", ngettext(
            "%(num)s Hintergrundauftrag ist fehlgeschlagen.", "%(num)s Hintergrundaufträge sind fehlgeschlagen.",
            failed_jobs), failed_jobs, "jobs.list_jobs", {"edition_id": edition.id}, str(_l("Aufträge ansehen")),
            urgent=True))
    failed_mails = db.session.scalar(select(func.count()).select_from(MailLog).join(Campaign).where(
        MailLog.status == MailStatus.FAILED, Campaign.edition_id == edition.id))
    if failed_mails:
        todos.append(Todo("failed_mails", ngettext(
            "%(num)s E-Mail konnte nicht zugestellt werden.", "%(num)s E-Mails konnten nicht zugestellt werden.",
            failed_mails), failed_mails, "communications.list_campaigns", {}, str(_l("Versand ansehen")),
            urgent=True))
    return todos


def invitation_todo(now: datetime) -> Todo | None:
    """Jury invitations are not tied to an edition: one to-do above all editions."""
    waiting = db.session.scalar(select(func.count()).select_from(Invitation).where(
        Invitation.role == Role.JUROR, Invitation.accepted_at.is_(None), Invitation.revoked_at.is_(None),
        Invitation.expires_at > now))
    if not waiting:
        return None
    return Todo("invitations", ngettext(
        "%(num)s eingeladenes Jurymitglied hat die Einladung noch nicht angenommen.",
        "%(num)s eingeladene Jurymitglieder haben die Einladung noch nicht angenommen.", waiting), waiting,
        "accounts.invitations", {}, str(_l("Einladungen ansehen")))


def _format(moment: datetime) -> str:
    return datetime_filter(moment)


def cockpit(edition: Edition, now: datetime) -> EditionCockpit:
    phase = edition.phase(now)
    moment = _next_moment(edition, phase)
    next_step = str(NEXT_STEPS[phase]) % {"date": _format(moment)} if moment else str(NEXT_STEPS[phase])
    return EditionCockpit(edition=edition, phase=phase, timeline=timeline(edition, phase),
                          todos=edition_todos(edition, now), next_step=next_step)
