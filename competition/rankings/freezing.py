"""What a freeze means for the round, and whether a snapshot still shows it.

Freezing a ranking locks the round (`JudgingRound.frozen_at`): its sheets and assignments change only after an
organiser reopens the round with a reason (`reopen_round`, audited); the next freeze locks it again.

Each snapshot records what it counted by database identity (`queries.counted_inputs`: the ids and versions of the
counted sheets, the round's assignment ids and the round's scoring settings) with a SHA-256 of it. `staleness`
compares that hash with today's, one narrow query per table and no recomputation, so it notices everything that
changes the counted inputs: a sheet submitted, reopened, changed and submitted again, voided, a removed or added
assignment. Only when the hash differs are the recorded ids read to say what changed. Cheaper still, each
snapshot records the round's `inputs_revision` (judging.revisions bumps it with every write to the round's sheets,
scores, assignments or criteria): while it is unchanged the hash is not computed at all. Use cases flush, never
commit.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from sqlalchemy import func, select

from ..accounts.models import User
from ..core import audit
from ..core.errors import PermissionDenied, ValidationFailed
from ..editions.models import JudgingRound
from ..extensions import db
from ..judging.models import ScoreSheet
from . import permissions
from .models import RankingSnapshot
from .queries import counted_inputs, latest_snapshot, round_inputs
from .services import canonical_sha256

REOPENED = "round.reopened"
DECISION_ACTIONS = ("ranking.award_set", "ranking.award_removed", "ranking.override_set", "ranking.override_removed",
                    "ranking.shortlist_applied")


def _changes(then: dict[str, Any], now: dict[str, Any]) -> list[str]:
    """What changed between two `counted_inputs`, in words for the organising team."""
    reasons = []
    before, after = then.get("sheets") or {}, now["sheets"]
    new = [key for key in after if key not in before]
    changed = [key for key in after if key in before and after[key] != before[key]]
    gone = [int(key) for key in before if key not in after]
    if new:
        reasons.append(ngettext("%(num)s Bewertungsbogen wurde seitdem eingereicht.",
                                "%(num)s Bewertungsbögen wurden seitdem eingereicht.", len(new)))
    if changed:
        reasons.append(ngettext("%(num)s Bewertungsbogen wurde seitdem wieder geöffnet und erneut eingereicht.",
                                "%(num)s Bewertungsbögen wurden seitdem wieder geöffnet und erneut eingereicht.",
                                len(changed)))
    if gone:
        rows = dict(db.session.execute(select(ScoreSheet.id, ScoreSheet.is_void).where(ScoreSheet.id.in_(gone))).all())
        voided = sum(1 for key in gone if rows.get(key))
        reopened = sum(1 for key in gone if key in rows and not rows[key])
        deleted = len(gone) - voided - reopened
        if reopened:
            reasons.append(ngettext("%(num)s Bewertungsbogen wurde seitdem wieder geöffnet und zählt nicht mehr.",
                                    "%(num)s Bewertungsbögen wurden seitdem wieder geöffnet und zählen nicht mehr.",
                                    reopened))
        if voided:
            reasons.append(ngettext(
                "%(num)s Bewertungsbogen zählt nicht mehr, weil seine Zuweisung entfernt wurde.",
                "%(num)s Bewertungsbögen zählen nicht mehr, weil ihre Zuweisungen entfernt wurden.", voided))
        if deleted:
            reasons.append(ngettext("%(num)s Bewertungsbogen gibt es nicht mehr.",
                                    "%(num)s Bewertungsbögen gibt es nicht mehr.", deleted))
    old_assignments = {tuple(a) for a in then.get("assignments") or []}
    new_assignments = {tuple(a) for a in now["assignments"]}
    if old_assignments - new_assignments:
        reasons.append(ngettext("%(num)s Zuweisung wurde seitdem entfernt.",
                                "%(num)s Zuweisungen wurden seitdem entfernt.", len(old_assignments - new_assignments)))
    if new_assignments - old_assignments:
        reasons.append(ngettext("%(num)s Zuweisung ist seitdem hinzugekommen.",
                                "%(num)s Zuweisungen sind seitdem hinzugekommen.",
                                len(new_assignments - old_assignments)))
    if then.get("round") != now["round"]:
        reasons.append(str(_l("Skala, Kriterien oder die Zahl der Jurymitglieder je Beitrag wurden seitdem "
                              "geändert.")))
    return reasons or [str(_l("Die gezählten Bewertungen haben sich seitdem geändert."))]


def staleness(snapshot: RankingSnapshot) -> list[str]:
    """Why the snapshot no longer shows the current state; empty when it does."""
    judging_round = snapshot.round
    reasons: list[str] = []
    revision = db.session.scalar(select(JudgingRound.inputs_revision).where(JudgingRound.id == snapshot.round_id))
    if snapshot.inputs_revision is not None and snapshot.inputs_revision == revision:
        pass  # no write touched the round's sheets, scores, assignments or criteria since the freeze
    elif snapshot.counted_sha256 is None:  # frozen before the counted inputs were recorded: compare the values
        if canonical_sha256(round_inputs(judging_round)) != snapshot.inputs_sha256:
            reasons.append(str(_l("Die gezählten Bewertungen haben sich seitdem geändert.")))
    else:
        current = counted_inputs(judging_round)
        if canonical_sha256(current) != snapshot.counted_sha256:
            reasons.extend(_changes(snapshot.counted or {}, current))
    decided = db.session.scalar(
        select(func.count(audit.AuditEvent.id)).where(audit.AuditEvent.action.in_(DECISION_ACTIONS),
                                                      audit.AuditEvent.occurred_at > snapshot.created_at,
                                                      audit.AuditEvent.object_type == "judging_round",
                                                      audit.AuditEvent.object_id == snapshot.round_id))
    if decided:
        reasons.append(str(_l("Entscheidungen der Jury wurden seitdem geändert.")))
    return reasons


def reopen_round(*, judging_round: JudgingRound, reason: str, by: User, now: datetime) -> None:
    """An organiser's decision to let the round's sheets and assignments change again (until the next freeze)."""
    why = permissions.why_not_manage(by, _l("Nur das Organisationsteam kann eine eingefrorene Runde wieder öffnen."))
    if why:
        raise PermissionDenied(why)
    if not judging_round.is_frozen:
        raise ValidationFailed(_l("Die Runde „%(name)s“ ist nicht eingefroren; Änderungen sind bereits möglich.",
                                  name=judging_round.name))
    reason = (reason or "").strip()
    if len(reason) < 10:
        raise ValidationFailed(_l("Bitte begründen Sie, warum die Runde wieder geöffnet wird (mindestens 10 "
                                  "Zeichen); die Begründung steht im Protokoll."), field="reason")
    snapshot = latest_snapshot(judging_round)
    judging_round.frozen_at = None
    db.session.flush()
    audit.record(actor=by, action=REOPENED, obj_type="round", obj_id=judging_round.id, now=now, reason=reason,
                 snapshot=snapshot.id if snapshot else None, sha256=snapshot.sha256 if snapshot else None)


def last_reopening(judging_round: JudgingRound) -> dict[str, Any] | None:
    """When, by whom and why the round was last reopened (from the audit trail), for the ranking page."""
    row = db.session.execute(
        select(audit.AuditEvent, User.full_name).outerjoin(User, User.id == audit.AuditEvent.actor_id)
        .where(audit.AuditEvent.action == REOPENED, audit.AuditEvent.object_type == "round",
               audit.AuditEvent.object_id == judging_round.id)
        .order_by(audit.AuditEvent.id.desc()).limit(1)).first()
    if row is None:
        return None
    event, name = row
    return {"at": event.occurred_at, "by": name or "–", "reason": (event.data or {}).get("reason", "")}
