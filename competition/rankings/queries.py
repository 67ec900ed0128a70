"""Reads of the rankings that views, services, outputs and the CLI share: a round's ranking inputs, the newest
snapshots, a snapshot's content with names put in, the publication of an edition. Selects only, never a write."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import defer, joinedload

from ..accounts.models import User
from ..core.errors import ValidationFailed
from ..editions.models import Edition, JudgingRound
from ..entries.models import Entry
from ..extensions import db
from ..judging.models import Assignment, ScoreSheet, SheetStatus, ShortlistEntry
from .models import Award, Publication, RankingSnapshot, RankOverride


def round_inputs(judging_round: JudgingRound) -> dict[str, Any]:
    """The inputs of a round's ranking in the `flask rankings rank` format: submitted, counted sheets only."""
    sheets = db.session.scalars(
        select(ScoreSheet).where(ScoreSheet.round_id == judging_round.id, ScoreSheet.is_void.is_(False),
                                 ScoreSheet.status == SheetStatus.SUBMITTED)
        .order_by(ScoreSheet.entry_id, ScoreSheet.user_id)
    ).all()
    return {
        "scale": {"min": float(judging_round.scale_min), "max": float(judging_round.scale_max)},
        "criteria": [{"id": str(c.id), "weight": float(c.weight)} for c in judging_round.criteria],
        "sheets": [
            {"juror": str(s.user_id), "entry": str(s.entry_id),
             "scores": {str(score.criterion_id): float(score.value) for score in s.scores if score.value is not None}}
            for s in sheets
        ],
        "expected_sheets": judging_round.jurors_per_entry,
    }


def counted_inputs(judging_round: JudgingRound) -> dict[str, Any]:
    """What a ranking of the round counts, by identity: {"sheets": {"<id>": [version, juror, entry]},
    "assignments": [[id, juror, entry], …], "round": [scale, jurors per entry, criteria and weights]}. Two narrow
    queries; recorded with each snapshot so `freezing.staleness` can tell exactly and cheaply whether the snapshot
    is still current. (Juror and entry beside each id: SQLite may hand a deleted row's id to a new one.)"""
    sheets = db.session.execute(
        select(ScoreSheet.id, ScoreSheet.version, ScoreSheet.user_id, ScoreSheet.entry_id)
        .where(ScoreSheet.round_id == judging_round.id, ScoreSheet.is_void.is_(False),
               ScoreSheet.status == SheetStatus.SUBMITTED))
    assignments = db.session.execute(select(Assignment.id, Assignment.user_id, Assignment.entry_id)
                                     .where(Assignment.round_id == judging_round.id).order_by(Assignment.id))
    return {
        "sheets": {str(sheet_id): [version, user_id, entry_id] for sheet_id, version, user_id, entry_id in sheets},
        "assignments": [list(row) for row in assignments],
        "round": [float(judging_round.scale_min), float(judging_round.scale_max), judging_round.jurors_per_entry,
                  [[c.id, float(c.weight)] for c in judging_round.criteria]],
    }


def latest_round_with_sheets(edition) -> JudgingRound | None:
    for judging_round in reversed(edition.rounds):
        if db.session.scalar(select(ScoreSheet.id).where(ScoreSheet.round_id == judging_round.id,
                                                         ScoreSheet.status == SheetStatus.SUBMITTED).limit(1)):
            return judging_round
    return None


def is_final_round(judging_round: JudgingRound) -> bool:
    return judging_round.position == max(r.position for r in judging_round.edition.rounds)


def next_round(judging_round: JudgingRound) -> JudgingRound | None:
    later = [r for r in judging_round.edition.rounds if r.position > judging_round.position]
    return min(later, key=lambda r: r.position) if later else None


def round_of_latest_snapshot(edition) -> JudgingRound | None:
    """The round of the edition's newest snapshot, if it has one."""
    round_id = db.session.scalar(select(RankingSnapshot.round_id).where(RankingSnapshot.edition_id == edition.id)
                                 .order_by(RankingSnapshot.id.desc()).limit(1))
    return db.session.get(JudgingRound, round_id) if round_id is not None else None


def snapshot_history(judging_round: JudgingRound) -> list[RankingSnapshot]:
    """The round's snapshots, newest first, without their content (the page reads only metadata)."""
    return list(db.session.scalars(
        select(RankingSnapshot).where(RankingSnapshot.round_id == judging_round.id)
        .options(defer(RankingSnapshot.content), defer(RankingSnapshot.people))
        .order_by(RankingSnapshot.id.desc())))


def latest_snapshot(judging_round: JudgingRound) -> RankingSnapshot | None:
    return db.session.scalar(select(RankingSnapshot).where(RankingSnapshot.round_id == judging_round.id)
                             .order_by(RankingSnapshot.id.desc()).limit(1))


def latest_edition_snapshot(edition, *, final_only: bool = False) -> RankingSnapshot | None:
    """The newest snapshot of the edition (of its last round with one when ``final_only``)."""
    query = select(RankingSnapshot).where(RankingSnapshot.edition_id == edition.id)
    if final_only:
        last = max((r for r in edition.rounds), key=lambda r: r.position, default=None)
        if last is None:
            return None
        query = query.where(RankingSnapshot.round_id == last.id)
    return db.session.scalar(query.order_by(RankingSnapshot.id.desc()).limit(1))


def snapshot_people(content: dict[str, Any]) -> dict[str, Any]:
    """The names behind the person references of a content (stored beside it, not hashed)."""
    refs = {content.get("frozen_by")} | {j["name"] for j in content.get("jurors", {}).values()}
    refs |= {o.get("by") for o in content.get("decisions", {}).get("overrides", [])}
    ids = sorted(int(r[1:]) for r in refs if isinstance(r, str) and r.startswith("#") and r[1:].isdigit())
    users = db.session.scalars(select(User).where(User.id.in_(ids))).all() if ids else []
    return {"users": {str(u.id): u.full_name for u in users}}


def resolved_content(snapshot: RankingSnapshot) -> dict[str, Any]:
    """The snapshot's content with people's names put in for display (an erased person stays pseudonymous)."""
    content = snapshot.content or {}
    names = (snapshot.people or {}).get("users", {})
    if not names:
        return content

    def name(ref):
        if isinstance(ref, str) and ref.startswith("#"):
            return names.get(ref[1:], ref)
        return ref

    resolved = dict(content)
    if "jurors" in content:
        resolved["jurors"] = {k: {**v, "name": name(v.get("name"))} for k, v in content["jurors"].items()}
    resolved["frozen_by"] = name(content.get("frozen_by"))
    if "decisions" in content:
        resolved["decisions"] = {**content["decisions"], "overrides": [
            {**o, "by": name(o.get("by"))} for o in content["decisions"].get("overrides", [])]}
    return resolved


def file_stem(snapshot: RankingSnapshot) -> str:
    """The common part of a snapshot's file names: edition, round and the start of its hash."""
    content = snapshot.content
    return f"{content['edition']['slug']}-runde{content['round']['position']}-{snapshot.sha256[:8]}"


def propose_shortlist(snapshot: RankingSnapshot, *, per_category: int) -> list[str]:
    """The best ``per_category`` entries of each category in the snapshot's final order."""
    if per_category < 1:
        raise ValidationFailed(_l("Bitte geben Sie eine Zahl ab 1 an."), field="per_category")
    orders = snapshot.content.get("decisions", {}).get("final_order", {})
    return [entry for order in orders.values() for entry in order[:per_category]]


def shortlisted_entry_ids(judging_round: JudgingRound) -> set[str]:
    """The ids (as in the snapshot content) of the entries on the round's applied shortlist."""
    return set(map(str, db.session.scalars(select(ShortlistEntry.entry_id)
                                           .where(ShortlistEntry.round_id == judging_round.id))))


def awards_by_entry(judging_round: JudgingRound) -> dict[str, Award]:
    return {str(a.entry_id): a for a in db.session.scalars(select(Award).where(Award.round_id == judging_round.id))}


def overrides_by_entry(judging_round: JudgingRound) -> dict[str, RankOverride]:
    return {str(o.entry_id): o for o in db.session.scalars(
        select(RankOverride).where(RankOverride.round_id == judging_round.id))}


def entries_with_company(entry_ids: list[int]):
    """The entries with their company and edition loaded (for the names a page shows beside each row)."""
    return db.session.scalars(select(Entry).where(Entry.id.in_(entry_ids))
                              .options(joinedload(Entry.company), joinedload(Entry.edition)))


def submitted_assignment_ids(assignment_ids: list[int]) -> set[int]:
    """Which of these assignments have a submitted, counted sheet."""
    return set(db.session.scalars(select(ScoreSheet.assignment_id).where(
        ScoreSheet.assignment_id.in_(assignment_ids),
        ScoreSheet.status == SheetStatus.SUBMITTED, ScoreSheet.is_void.is_(False))))


def published_editions() -> list[Edition]:
    """Every edition with a publication, newest first (whether its results are public now is the caller's check)."""
    return list(db.session.execute(select(Edition).join(Publication, Publication.edition_id == Edition.id)
                                   .order_by(Edition.publication_at.desc(), Edition.id.desc())).scalars().all())


def publication_of(edition) -> Publication | None:
    return db.session.scalar(select(Publication).where(Publication.edition_id == edition.id))
