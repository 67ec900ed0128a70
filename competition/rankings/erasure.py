"""Rankings' part of a person's erasure: frozen snapshots name jurors and organisers by id only in their hashed
content, so that stays valid; the names beside it (``RankingSnapshot.people``, not hashed) are replaced."""

from __future__ import annotations

from ..accounts.erasure import PersonErasure, erasure_step
from .services import erase_person_from_snapshots


@erasure_step("rankings.snapshot_people", order=30)
def erase_from_snapshots(person: PersonErasure) -> None:
    erase_person_from_snapshots(person.user.id, replacement=person.placeholder_name)
