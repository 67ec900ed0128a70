"""A round's input revision: bumped by every write that could change what a ranking of the round counts.

`JudgingRound.inputs_revision` goes up in the same transaction as any insert, update or delete of the round's score
sheets, scores, assignments or criteria, or a change of its scale or jurors per entry. ORM writes are seen in
`after_flush` (nothing can forget it: the services do not call anything), bulk ``update``/``delete`` statements in
`do_orm_execute`, and deleting a person or an entry (the database cascades to their sheets and assignments) before
the flush. A snapshot records the revision at freeze; `rankings.freezing.staleness` compares it with one query and
computes the exact hash of the counted inputs only when the revision moved (a bump may be harmless, e.g. a draft
saved: the hash then says "unchanged"). Plain SQL text bypasses this; the application writes none for these tables.
"""

from __future__ import annotations

from sqlalchemy import event, select, update
from sqlalchemy.orm import Session

from ..accounts.models import User
from ..editions.models import Criterion, JudgingRound
from ..entries.models import Entry
from .models import Assignment, Score, ScoreSheet

_PENDING = "judging.revisions.pending"
_ROUND_SETTINGS = ("scale_min", "scale_max", "scale_step", "jurors_per_entry")
_WITH_ROUND = (ScoreSheet, Assignment, Criterion)


def _pending(session: Session) -> set[int | None]:
    return session.info.setdefault(_PENDING, set())


def _rounds_of_people_and_entries(session: Session, users: list[int], entries: list[int]) -> set[int]:
    rounds: set[int] = set()
    for model in (Assignment, ScoreSheet):
        conditions = []
        if users:
            conditions.append(model.user_id.in_(users))
        if entries:
            conditions.append(model.entry_id.in_(entries))
        for condition in conditions:
            rounds.update(session.connection().execute(select(model.round_id).where(condition).distinct()).scalars())
    return rounds


@event.listens_for(Session, "before_flush")
def _before_flush(session: Session, _context, _instances) -> None:
    """A person or an entry about to be deleted takes their sheets and assignments along (ON DELETE CASCADE)."""
    users = [obj.id for obj in session.deleted if isinstance(obj, User) and obj.id is not None]
    entries = [obj.id for obj in session.deleted if isinstance(obj, Entry) and obj.id is not None]
    if users or entries:
        _pending(session).update(_rounds_of_people_and_entries(session, users, entries))


def _sheet_round(session: Session, sheet_id: int | None) -> int | None:
    if sheet_id is None:
        return None
    return session.connection().execute(select(ScoreSheet.round_id).where(ScoreSheet.id == sheet_id)).scalar()


@event.listens_for(Session, "after_flush")
def _after_flush(session: Session, _context) -> None:
    rounds = _pending(session)
    sheet_rounds: dict[int, int | None] = {}  # a saved sheet flushes all its scores at once: one query per sheet
    for obj in (*session.new, *session.dirty, *session.deleted):
        if isinstance(obj, _WITH_ROUND):
            if obj in session.dirty and not session.is_modified(obj, include_collections=False):
                continue
            rounds.add(obj.round_id)
        elif isinstance(obj, Score):
            if obj in session.dirty and not session.is_modified(obj, include_collections=False):
                continue
            if obj.sheet_id not in sheet_rounds:
                sheet_rounds[obj.sheet_id] = _sheet_round(session, obj.sheet_id)
            rounds.add(sheet_rounds[obj.sheet_id])
        elif isinstance(obj, JudgingRound) and obj in session.dirty:
            state = obj.__dict__.get("_sa_instance_state")
            if state is not None and any(state.attrs[name].history.has_changes() for name in _ROUND_SETTINGS):
                rounds.add(obj.id)
    _bump(session, rounds)


def _bump(session: Session, rounds: set[int | None]) -> None:
    rounds.discard(None)
    if rounds:
        session.connection().execute(update(JudgingRound).where(JudgingRound.id.in_(sorted(rounds)))
                                     .values(inputs_revision=JudgingRound.inputs_revision + 1)
                                     .execution_options(synchronize_session=False))
    session.info.pop(_PENDING, None)


@event.listens_for(Session, "do_orm_execute")
def _bulk_write(state) -> None:
    """``update(...)``/``delete(...)`` statements on the counted tables bypass the flush: bump their rounds too."""
    if not (state.is_update or state.is_delete):
        return
    mapper = state.bind_mapper
    entity = mapper.class_ if mapper is not None else None
    where = state.statement.whereclause
    session = state.session
    if entity in (Assignment, ScoreSheet):
        query = select(entity.round_id).distinct()
        rounds = set(session.connection().execute(query.where(where) if where is not None else query).scalars())
    elif entity in (Score, Criterion) or (state.is_delete and entity in (User, Entry)):
        rounds = set(session.connection().execute(select(JudgingRound.id)).scalars())  # rare: every round
    else:
        return
    _bump(session, rounds)


@event.listens_for(Session, "after_soft_rollback")
def _forget(session: Session, _previous) -> None:
    session.info.pop(_PENDING, None)
