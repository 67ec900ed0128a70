"""Use cases of the jury: profiles, assignment plans (conflicts of interest: conflict_services, conflict_check).
Flush, never commit."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, select

from ..accounts.models import Role, User
from ..core import audit
from ..core.errors import DomainError, Locked, PermissionDenied, ValidationFailed
from ..core.permissions import require_organiser
from ..editions.models import JudgingRound
from ..entries.models import Entry
from ..extensions import db
from . import assignment as planner
from . import conflict_check, permissions, queries
from . import conflicts as detection
from .conflict_check import is_conflicted  # noqa: F401 - services.is_conflicted, as callers know it
from .conflict_services import (  # noqa: F401 - services.*, as callers know them
    decide_detected_conflict,
    declare_conflict,
    detect_conflicts,
    participating_companies,
    remove_conflict,
)
from .models import (
    Assignment,
    AssignmentSource,
    JurorExpertise,
    JurorProfile,
    RoundJuror,
)


class AssignmentImpossible(DomainError):
    """The planner found no complete plan; the message names the entries and the constraint."""

    def __init__(self, message, *, entries: tuple[str, ...] = (), constraint: str = ""):
        super().__init__(message)
        self.entries = entries
        self.constraint = constraint


def _require_organiser(by: User) -> None:
    require_organiser(by)


def _require_not_frozen(judging_round: JudgingRound) -> None:
    """Assignments of a round with a frozen ranking change only after an organiser reopened the round."""
    reason = permissions.why_round_frozen(judging_round)
    if reason:
        raise Locked(reason)


# --- profiles ----------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class ProfileData:
    organisation: str
    position: str
    employer_domains: list[str]
    former_employers: list[str]
    capacity: int
    expertise: list[int]  # category ids


def save_profile(*, user: User, data: ProfileData, by: User, now: datetime) -> JurorProfile:
    if by.id != user.id and not by.is_organiser:
        raise PermissionDenied(_l("Sie können nur Ihr eigenes Profil bearbeiten."))
    if data.capacity < 0:
        raise ValidationFailed(_l("Die Zahl der Beiträge darf nicht negativ sein."), field="capacity")
    domains = []
    for raw in data.employer_domains:
        domain = detection.registrable_domain(raw)
        if domain is None and raw.strip():
            raise ValidationFailed(
                _l("„%(value)s“ ist keine Domain eines Arbeitgebers (Freemail-Adressen wie gmail.com zählen nicht).",
                   value=raw.strip()),
                field="employer_domains",
            )
        if domain and domain not in domains:
            domains.append(domain)
    profile = queries.profile_of(user)
    if profile is None:
        profile = JurorProfile(user_id=user.id)
        db.session.add(profile)
    profile.organisation = data.organisation.strip()
    profile.position = data.position.strip()
    profile.employer_domains = domains
    profile.former_employers = [name.strip() for name in data.former_employers if name.strip()]
    profile.capacity = data.capacity
    profile.updated_at = now
    db.session.execute(delete(JurorExpertise).where(JurorExpertise.user_id == user.id))
    for category_id in sorted(set(data.expertise)):
        db.session.add(JurorExpertise(user_id=user.id, category_id=category_id))
    db.session.flush()
    return profile


# --- rounds, pools and plans -------------------------------------------------------------------------------------

def set_round_pool(*, judging_round: JudgingRound, capacities: dict[int, int], by: User) -> None:
    _require_organiser(by)
    if any(c < 0 for c in capacities.values()):
        raise ValidationFailed(_l("Kapazitäten dürfen nicht negativ sein."))
    db.session.execute(delete(RoundJuror).where(RoundJuror.round_id == judging_round.id))
    for user_id, capacity in sorted(capacities.items()):
        db.session.add(RoundJuror(round_id=judging_round.id, user_id=user_id, capacity=capacity))
    db.session.flush()


@dataclass
class PlanPreview:
    judging_round: JudgingRound
    plan: planner.Plan
    entries: dict[int, Entry]
    jurors: dict[int, User]
    capacities: dict[int, int]
    new: list[tuple[int, int]] = field(default_factory=list)  # (juror id, entry id)
    removed: list[tuple[int, int]] = field(default_factory=list)
    digest: str = ""
    gern_marks: int = 0  # "gern" marks of the pool's jurors on the round's entries (the plan meets some of them)
    avoid_marks: int = 0  # "lieber nicht" marks


def build_problem(judging_round: JudgingRound):
    entries = queries.round_entries(judging_round)
    pool = queries.round_pool(judging_round)
    if not entries:
        raise AssignmentImpossible(_l("In der Runde „%(name)s“ gibt es keine Beiträge zum Zuweisen (die erste Runde "
                                      "nimmt alle zugelassenen Beiträge, spätere die Shortlist).",
                                      name=judging_round.name), constraint="no_entries")
    if not pool:
        raise AssignmentImpossible(_l("Es gibt keine Jurymitglieder für diese Runde. Bitte laden Sie zuerst "
                                      "Jurymitglieder ein."), constraint="no_jurors")
    expertise = queries.expertise_of([user.id for user, _c in pool])
    existing = queries.current_assignments(judging_round)
    conflicted = conflict_check.conflict_map(juror_ids=[u.id for u, _c in pool], entries=entries).pairs()
    problem = planner.Problem(
        jurors_per_entry=judging_round.jurors_per_entry,
        entries=tuple(planner.PlanEntry(id=str(e.id), category=str(e.category_id)) for e in entries),
        jurors=tuple(planner.PlanJuror(id=str(u.id), capacity=capacity,
                                       expertise=frozenset(str(c) for c in expertise.get(u.id, ())))
                     for u, capacity in pool),
        conflicts=frozenset((str(juror_id), str(entry_id)) for juror_id, entry_id in conflicted),
        existing=frozenset((str(a.user_id), str(a.entry_id)) for a in existing),
        preferences=queries.planner_preferences(judging_round, [u.id for u, _c in pool], (e.id for e in entries)),
    )
    return problem, {e.id: e for e in entries}, {u.id: u for u, _c in pool}, {u.id: c for u, c in pool}


def _entry_names(ids, entries: dict[int, Entry]) -> str:
    names = []
    for raw in ids:
        entry = entries.get(int(raw))
        names.append(f"{entry.number or '#' + str(entry.id)} „{entry.title}“" if entry else str(raw))
    return ", ".join(names)


def plan_round(*, judging_round: JudgingRound) -> PlanPreview:
    """The automatic plan for a round, as a preview: nothing is stored."""
    problem, entries, users, capacities = build_problem(judging_round)
    try:
        plan = planner.solve(problem)
    except planner.Infeasible as exc:
        detail = _entry_names(exc.entries[:20], entries) if exc.entries else ""
        message = str(exc.reason) + (f" {_l('Betroffen:')} {detail}" if detail and detail not in exc.reason else "")
        raise AssignmentImpossible(message, entries=tuple(exc.entries), constraint=exc.constraint) from None
    preview = PlanPreview(judging_round=judging_round, plan=plan, entries=entries, jurors=users,
                          capacities=capacities,
                          new=sorted((int(j), int(e)) for j, e in plan.new),
                          removed=sorted((int(j), int(e)) for j, e in plan.removed),
                          gern_marks=sum(1 for _j, _e, v in problem.preferences if v == planner.GERN),
                          avoid_marks=sum(1 for _j, _e, v in problem.preferences if v == planner.LIEBER_NICHT))
    preview.digest = hashlib.sha256(json.dumps(
        {"new": preview.new, "removed": preview.removed}, separators=(",", ":")).encode()).hexdigest()
    return preview


def apply_plan(*, judging_round: JudgingRound, digest: str, by: User, now: datetime) -> PlanPreview:
    """Apply the plan the organiser saw; if anything changed since the preview, refuse and show the new one."""
    _require_organiser(by)
    _require_not_frozen(judging_round)
    preview = plan_round(judging_round=judging_round)
    if preview.digest != digest:
        raise ValidationFailed(_l("Seit der Vorschau hat sich etwas geändert (Beiträge, Jurymitglieder oder "
                                  "Befangenheiten). Bitte prüfen Sie die neue Vorschau."))
    from .models import ScoreSheet

    for juror_id, entry_id in preview.removed:
        for sheet in db.session.scalars(select(ScoreSheet).where(
                ScoreSheet.round_id == judging_round.id, ScoreSheet.user_id == juror_id,
                ScoreSheet.entry_id == entry_id)):
            sheet.is_void = True  # a conflict or a juror leaving: the scores stay in the history, not counted
            sheet.assignment_id = None
        db.session.execute(delete(Assignment).where(Assignment.round_id == judging_round.id,
                                                    Assignment.user_id == juror_id, Assignment.entry_id == entry_id))
    for juror_id, entry_id in preview.new:
        db.session.add(Assignment(round_id=judging_round.id, user_id=juror_id, entry_id=entry_id,
                                  source=AssignmentSource.AUTOMATIC, created_at=now, created_by_id=by.id))
    db.session.flush()
    audit.record(actor=by, action="assignments.applied", obj_type="round", obj_id=judging_round.id, now=now,
                 new=len(preview.new), removed=len(preview.removed), digest=digest)
    return preview


def add_assignment(*, judging_round: JudgingRound, juror: User, entry: Entry, by: User, now: datetime) -> Assignment:
    _require_organiser(by)
    if entry.edition_id != judging_round.edition_id:
        raise ValidationFailed(_l("Der Beitrag gehört nicht zu dieser Ausschreibung."))
    _require_not_frozen(judging_round)
    if not juror.has_role(Role.JUROR):
        raise ValidationFailed(_l("Diese Person ist kein Jurymitglied."))
    if conflict_check.is_conflicted(juror, entry):
        raise ValidationFailed(_l("%(juror)s ist bei diesem Beitrag befangen und kann ihn nicht bewerten.",
                                  juror=juror.full_name))
    existing = db.session.scalar(select(Assignment).where(Assignment.round_id == judging_round.id,
                                                          Assignment.user_id == juror.id,
                                                          Assignment.entry_id == entry.id))
    if existing is not None:
        return existing
    assignment = Assignment(round_id=judging_round.id, user_id=juror.id, entry_id=entry.id,
                            source=AssignmentSource.MANUAL, created_at=now, created_by_id=by.id)
    db.session.add(assignment)
    db.session.flush()
    audit.record(actor=by, action="assignment.added", obj_type="assignment", obj_id=assignment.id, now=now,
                 juror=juror.id, entry=entry.id, round=judging_round.id)
    return assignment


class NeedsConfirmation(DomainError):
    """Removing this assignment would set aside scores; the organiser must confirm."""


def remove_assignment(*, assignment: Assignment, by: User, now: datetime, confirmed: bool = False) -> None:
    """Remove an assignment. One with scores needs `confirmed`; its sheet is kept (void) in the history."""
    from .models import ScoreSheet

    _require_organiser(by)
    _require_not_frozen(assignment.round)
    sheet = db.session.scalar(select(ScoreSheet).where(ScoreSheet.assignment_id == assignment.id))
    if sheet is not None and sheet.scores and not confirmed:
        raise NeedsConfirmation(_l("Zu dieser Zuweisung gibt es bereits Bewertungen. Wenn Sie sie entfernen, bleibt "
                                   "der Bewertungsbogen im Verlauf erhalten, zählt aber nicht mehr. Bitte bestätigen "
                                   "Sie das Entfernen."))
    if sheet is not None:
        sheet.is_void = True
        sheet.assignment_id = None
    audit.record(actor=by, action="assignment.removed", obj_type="assignment", obj_id=assignment.id, now=now,
                 juror=assignment.user_id, entry=assignment.entry_id, round=assignment.round_id,
                 sheet=sheet.id if sheet else None)
    db.session.delete(assignment)
    db.session.flush()


def plan_summary(preview: PlanPreview) -> dict:
    """The JSON contract of `flask judging assign --json`."""
    pairs = conflict_check.conflict_map(juror_ids=preview.jurors, entries=preview.entries.values()).pairs()
    violated = sum(1 for juror, entry in preview.plan.assignments if (int(juror), int(entry)) in pairs)
    return {
        "assignments": len(preview.plan.assignments),
        "new": len(preview.new),
        "removed": len(preview.removed),
        "entries_without_expert": preview.plan.entries_without_expert,
        "load_min": preview.plan.load_min,
        "load_max": preview.plan.load_max,
        "conflicts_violated": violated,
        "preferences_met": len(preview.plan.preferences_met),  # assigned pairs marked "gern"
        "preferences_violated": len(preview.plan.preferences_violated),  # assigned pairs marked "lieber nicht"
    }
