"""Rankings from the database: load submitted sheets, call the pure ranking, freeze a snapshot. Flush, never commit."""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ..accounts.models import User
from ..core import audit
from ..core.errors import ValidationFailed
from ..editions.models import JudgingRound
from ..extensions import db
from ..judging.models import ScoreSheet, SheetStatus
from . import ranking
from .models import RankingSnapshot


def canonical_sha256(data: Any) -> str:
    return hashlib.sha256(json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"),
                                     default=str).encode()).hexdigest()


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


def rank_round(judging_round: JudgingRound, *, method: str = "weighted-mean") -> tuple[dict, ranking.Ranking]:
    inputs = round_inputs(judging_round)
    if not inputs["sheets"]:
        raise ValidationFailed(_l("In der Runde „%(name)s“ gibt es noch keine eingereichten Bewertungsbögen; eine "
                                  "Rangliste kann erst danach berechnet werden.", name=judging_round.name))
    if method not in ranking.METHODS:
        raise ValidationFailed(_l("Unbekannte Methode „%(m)s“.", m=method))
    result = ranking.rank_entries(
        [ranking.Sheet(s["juror"], s["entry"], s["scores"]) for s in inputs["sheets"]],
        [ranking.Criterion(c["id"], c["weight"]) for c in inputs["criteria"]],
        ranking.Scale(inputs["scale"]["min"], inputs["scale"]["max"]),
        method=method, expected_sheets=inputs["expected_sheets"],
    )
    return inputs, result


def freeze_ranking(*, judging_round: JudgingRound, method: str, by: User | None, now: datetime) -> RankingSnapshot:
    """Store an immutable snapshot of the round's ranking with a SHA-256 over its content."""
    inputs, result = rank_round(judging_round, method=method)
    inputs_hash = canonical_sha256(inputs)
    content = {
        "edition": judging_round.edition.name,
        "edition_slug": judging_round.edition.slug,
        "round": judging_round.name,
        "method": method,
        "inputs_sha256": inputs_hash,
        "frozen_at": now.isoformat(),
        "frozen_by": by.full_name if by else None,
        **ranking.ranking_to_json(result),
    }
    snapshot = RankingSnapshot(edition_id=judging_round.edition_id, round_id=judging_round.id, method=method,
                               content=content, inputs_sha256=inputs_hash, sha256=canonical_sha256(content),
                               created_at=now, created_by_id=by.id if by else None)
    db.session.add(snapshot)
    db.session.flush()
    audit.record(actor=by, action="ranking.frozen", obj_type="ranking_snapshot", obj_id=snapshot.id, now=now,
                 round=judging_round.id, method=method, sha256=snapshot.sha256)
    return snapshot


def verify_snapshot(snapshot: RankingSnapshot) -> bool:
    """Whether the stored content still has the hash it was frozen with."""
    return canonical_sha256(snapshot.content) == snapshot.sha256


def latest_round_with_sheets(edition) -> JudgingRound | None:
    for judging_round in reversed(edition.rounds):
        if db.session.scalar(select(ScoreSheet.id).where(ScoreSheet.round_id == judging_round.id,
                                                         ScoreSheet.status == SheetStatus.SUBMITTED).limit(1)):
            return judging_round
    return None
