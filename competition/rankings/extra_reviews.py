"""Extra reviews where a frozen ranking's line is in doubt: the recommendation of the round's latest snapshot turned
into one extra juror per entry, recorded and audited. Flush, never commit; the mails go out as a job (`tasks`).

The juror of each extra review comes from the optimal assignment solver (`judging/assignment.py`), incrementally:
the round's current assignments are kept (they count for every juror's load and capacity), each recommended entry
is a new item that needs one juror, and a juror who is conflicted with the entry's company, already assigned to it
or already holds a sheet for it cannot take it. Among the plans that respect capacities and conflicts, the solver
gives every entry an expert of its category where the pool has one with room, and levels the loads.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ..accounts.models import User
from ..core import audit
from ..core.errors import DomainError, Locked, PermissionDenied, ValidationFailed
from ..editions.models import JudgingRound
from ..entries.models import Entry, EntryStatus
from ..extensions import db
from ..judging import assignment as planner
from ..judging import conflict_check
from ..judging import queries as jury_queries
from ..judging.models import Assignment, AssignmentSource, ScoreSheet
from . import freezing, permissions, snapshot_reliability
from .models import ExtraReviewRequest, RankingSnapshot
from .queries import latest_snapshot
from .services import verify_snapshot

EXTRA = "extra:"  # prefix of the planner items that stand for "one more juror for this entry"


class NoJurorAvailable(DomainError):
    """No juror can take any of the chosen entries (conflicts, capacities, everyone already on them)."""


@dataclass(frozen=True)
class ExtraReviewPlan:
    pairs: tuple[tuple[int, int], ...]  # (juror id, entry id), sorted
    skipped: tuple[int, ...]  # entries no juror can take (all conflicted, full or already on them)


def plan_extra_reviews(*, judging_round: JudgingRound, entries: list[Entry]) -> ExtraReviewPlan:
    """One more juror for each entry, by the solver (a proposal: nothing is stored)."""
    pool = jury_queries.round_pool(judging_round)
    pool_ids = {user.id for user, _capacity in pool}
    capacity = {user.id: c for user, c in pool}
    expertise = jury_queries.expertise_of(sorted(pool_ids))
    kept = [(a.user_id, a.entry_id) for a in jury_queries.current_assignments(judging_round) if a.user_id in pool_ids]
    assigned = {e.id: e for e in db.session.scalars(
        select(Entry).where(Entry.id.in_({entry_id for _j, entry_id in kept})))} if kept else {}
    # What is true now (memberships, addresses, groups, recorded conflicts), for the wanted and the carried entries.
    conflicts = conflict_check.conflict_map(juror_ids=pool_ids, entries=[*entries, *assigned.values()])
    on_entry: dict[int, set[int]] = defaultdict(set)
    for juror_id, entry_id in db.session.execute(select(ScoreSheet.user_id, ScoreSheet.entry_id).where(
            ScoreSheet.round_id == judging_round.id)):
        on_entry[entry_id].add(juror_id)
    kept = [(j, e) for j, e in kept if not conflicts.conflicted(j, e)]
    for juror_id, entry_id in kept:
        on_entry[entry_id].add(juror_id)
    load: dict[int, int] = defaultdict(int)
    for juror_id, _entry_id in kept:
        load[juror_id] += 1
    blocked = {(j, e.id) for e in entries for j in pool_ids
               if j in on_entry[e.id] or conflicts.conflicted(j, e.id)}
    possible = [e for e in entries if any((j, e.id) not in blocked and capacity[j] > load[j] for j in pool_ids)]
    skipped = tuple(sorted(e.id for e in entries if e not in possible))
    if not possible:
        return ExtraReviewPlan((), skipped)
    jurors = tuple(planner.PlanJuror(str(u.id), capacity[u.id], frozenset(str(c) for c in expertise.get(u.id, ())))
                   for u, _c in pool)
    carried = tuple(planner.PlanEntry(str(e), str(assigned[e].category_id)) for e in sorted({e for _j, e in kept}))

    def solve(chosen: list[Entry]) -> planner.Plan:
        return planner.solve(planner.Problem(
            jurors_per_entry=1,  # the kept pairs give every already assigned entry its one juror: no new ones there
            entries=(*(planner.PlanEntry(f"{EXTRA}{e.id}", str(e.category_id)) for e in chosen), *carried),
            jurors=jurors, conflicts=frozenset((str(j), f"{EXTRA}{e}") for j, e in blocked),
            existing=frozenset((str(j), str(e)) for j, e in kept)))

    try:
        plan = solve(possible)
    except planner.Infeasible:  # not all fit together (capacities): the most useful ones first, as many as fit
        fitting: list[Entry] = []
        plan = None
        for entry in possible:
            try:
                plan = solve([*fitting, entry])
                fitting.append(entry)
            except planner.Infeasible:
                skipped = (*skipped, entry.id)
        if plan is None:
            return ExtraReviewPlan((), tuple(sorted(skipped)))
    pairs = tuple(sorted((int(j), int(e.removeprefix(EXTRA))) for j, e in plan.new if e.startswith(EXTRA)))
    return ExtraReviewPlan(pairs, tuple(sorted(skipped)))


def requests_of(snapshot: RankingSnapshot) -> list[ExtraReviewRequest]:
    return list(db.session.scalars(select(ExtraReviewRequest).where(ExtraReviewRequest.snapshot_id == snapshot.id)
                                   .order_by(ExtraReviewRequest.id)))


def round_requests(judging_round: JudgingRound) -> list[ExtraReviewRequest]:
    return list(db.session.scalars(select(ExtraReviewRequest).where(ExtraReviewRequest.round_id == judging_round.id)
                                   .order_by(ExtraReviewRequest.id)))


@dataclass(frozen=True)
class ExtraReviewResult:
    requests: tuple[ExtraReviewRequest, ...]
    skipped: tuple[Entry, ...]  # no juror could take them
    inactive: tuple[Entry, ...] = ()  # withdrawn or not admitted since the snapshot


def request_extra_reviews(*, judging_round: JudgingRound, snapshot: RankingSnapshot, budget: int, by: User,
                          now: datetime) -> ExtraReviewResult:
    """Give the first ``budget`` recommended entries of the round's latest snapshot one extra juror each."""
    if why := permissions.why_not_manage(by):
        raise PermissionDenied(why)
    if snapshot.round_id != judging_round.id:
        raise ValidationFailed(_l("Dieser Stand gehört zu einer anderen Bewertungsrunde."))
    latest = latest_snapshot(judging_round)
    if latest is None or latest.id != snapshot.id:
        raise ValidationFailed(_l("Inzwischen gibt es einen neueren Stand dieser Runde. Die Empfehlung wird aus dem "
                                  "neuesten Stand genommen; bitte prüfen Sie sie dort."))
    if not verify_snapshot(snapshot):
        raise ValidationFailed(_l("Der Stand stimmt nicht mehr mit seiner Prüfsumme überein; aus ihm wird nichts "
                                  "angefordert."))
    if not judging_round.edition.flags(now).scoring_open:
        raise Locked(_l("Zusätzliche Bewertungen sind nur während der Jurybewertung möglich; die Jurymitglieder "
                        "könnten sie jetzt nicht abgeben. Setzen Sie die Phase der Ausschreibung auf "
                        "„Jurybewertung“, wenn Sie noch Bewertungen einholen möchten."))
    earlier = requests_of(snapshot)
    if earlier:
        raise ValidationFailed(_l("Für diesen Stand wurden bereits %(n)s zusätzliche Bewertungen angefordert. Frieren "
                                  "Sie die Rangliste ein, sobald sie eingegangen sind; der neue Stand bringt eine neue "
                                  "Empfehlung.", n=len(earlier)))
    meter = snapshot_reliability.read(snapshot.content or {})
    candidates = meter.candidates() if meter else []
    if not candidates:
        raise ValidationFailed(_l("Für diesen Stand gibt es keine Empfehlung für zusätzliche Bewertungen."))
    if not 1 <= budget <= len(candidates):
        raise ValidationFailed(_l("Bitte wählen Sie zwischen 1 und %(n)s zusätzliche Bewertungen.", n=len(candidates)),
                               field="budget")
    wanted = [int(c.entry) for _category, c in candidates[:budget]]
    rows = {e.id: e for e in db.session.scalars(select(Entry).where(Entry.id.in_(wanted)))}
    active = [rows[i] for i in wanted if i in rows and rows[i].edition_id == judging_round.edition_id
              and rows[i].status not in (EntryStatus.WITHDRAWN, EntryStatus.INELIGIBLE)]
    plan = plan_extra_reviews(judging_round=judging_round, entries=active)
    skipped = [rows[i] for i in wanted if i in plan.skipped]
    inactive = [rows[i] for i in wanted if i in rows and rows[i] not in active]
    if not plan.pairs:
        raise NoJurorAvailable(_l("Für keinen der empfohlenen Beiträge ist ein weiteres Jurymitglied verfügbar: Alle "
                                  "sind befangen, ausgelastet oder bewerten den Beitrag schon. Bitte erhöhen Sie die "
                                  "Kapazitäten oder gewinnen Sie weitere Jurymitglieder."))
    if judging_round.is_frozen:
        # The freeze locks the round's sheets and assignments; asking for more sheets is the organiser's decision to
        # open it again (audited as any reopening), and the next freeze locks it anew.
        freezing.reopen_round(judging_round=judging_round, by=by, now=now,
                              reason=str(_l("Zusätzliche Bewertungen angefordert (%(n)s), um die Linie abzusichern.",
                                            n=len(plan.pairs))))
    requests = []
    for juror_id, entry_id in plan.pairs:
        assignment = Assignment(round_id=judging_round.id, user_id=juror_id, entry_id=entry_id,
                                source=AssignmentSource.AUTOMATIC, created_at=now, created_by_id=by.id)
        db.session.add(assignment)
        db.session.flush()
        request = ExtraReviewRequest(round_id=judging_round.id, snapshot_id=snapshot.id, entry_id=entry_id,
                                     user_id=juror_id, assignment_id=assignment.id, requested_at=now,
                                     requested_by_id=by.id)
        db.session.add(request)
        requests.append(request)
    db.session.flush()
    audit.record(actor=by, action="ranking.extra_reviews_requested", obj_type="judging_round", obj_id=judging_round.id,
                 now=now, snapshot=snapshot.id, pairs=[list(p) for p in plan.pairs],
                 skipped=sorted(e.id for e in skipped + inactive))
    return ExtraReviewResult(tuple(requests), tuple(skipped), tuple(inactive))
