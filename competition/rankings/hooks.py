"""What rankings answers for lower modules through their registries (connected when `create_app` imports this)."""

from __future__ import annotations

from sqlalchemy import select

from ..extensions import db
from ..judging.conflict_services import answers_round_frozen
from .models import RankingSnapshot


@answers_round_frozen
def round_has_frozen_ranking(round_id: int) -> bool:
    return db.session.scalar(select(RankingSnapshot.id).where(RankingSnapshot.round_id == round_id)
                             .limit(1)) is not None
