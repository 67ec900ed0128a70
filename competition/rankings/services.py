"""Rankings from the database: load submitted sheets, call the pure ranking, freeze a snapshot. Flush, never commit."""

from __future__ import annotations

import hashlib
import json
import re
from datetime import datetime
from html import unescape
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import defer, joinedload

from ..accounts.models import User
from ..core import audit
from ..core.errors import Locked, PermissionDenied, ValidationFailed
from ..editions.models import JudgingRound
from ..entries.models import Entry, EntryStatus
from ..entries.versions import published_facts, versions_at_deadline
from ..extensions import db
from ..judging.models import ScoreSheet, SheetStatus, ShortlistEntry
from . import permissions, ranking
from .models import Award, AwardKind, RankingSnapshot, RankOverride
from .queries import counted_inputs, is_final_round, next_round, round_inputs, snapshot_people


def canonical_sha256(data: Any) -> str:
    return hashlib.sha256(json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"),
                                     default=str).encode()).hexdigest()


def _method_ok(method: str) -> None:
    if method not in ranking.METHODS:
        raise ValidationFailed(_l("Unbekannte Methode „%(m)s“.", m=method))


def _rank(inputs: dict[str, Any], sheets: list[dict], method: str, *, prize_line: int | None = None,
          jury_order: list[str] = ()) -> ranking.Ranking:
    return ranking.rank_entries(
        [ranking.Sheet(s["juror"], s["entry"], s["scores"]) for s in sheets],
        [ranking.Criterion(c["id"], c["weight"]) for c in inputs["criteria"]],
        ranking.Scale(inputs["scale"]["min"], inputs["scale"]["max"]),
        method=method, expected_sheets=inputs["expected_sheets"], prize_line=prize_line, jury_order=jury_order,
    )


def rank_round(judging_round: JudgingRound, *, method: str = "weighted-mean") -> tuple[dict, ranking.Ranking]:
    """The whole round ranked together (no category split)."""
    _method_ok(method)
    inputs = round_inputs(judging_round)
    if not inputs["sheets"]:
        raise ValidationFailed(_l("In der Runde „%(name)s“ gibt es noch keine eingereichten Bewertungsbögen; eine "
                                  "Rangliste kann erst danach berechnet werden.", name=judging_round.name))
    return inputs, _rank(inputs, inputs["sheets"], method)


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def _plain(html: str) -> str:
    """Stored rich text (sanitised HTML) as plain text for outputs that are always escaped."""
    text = re.sub(r"<br\s*/?>|</p>|</li>", "\n", html or "")
    text = re.sub(r"<[^>]+>", "", text)
    return re.sub(r"\n{3,}", "\n\n", unescape(text)).strip()


def _round4(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


def _ranking_json(result: ranking.Ranking) -> dict[str, Any]:
    data = ranking.ranking_to_json(result)
    for row in data["ranking"]:
        for key in ("score", "raw_score", "spread", "median", "calibrated_score"):
            row[key] = _round4(row[key])
        row["criteria"] = {k: _round4(v) for k, v in row["criteria"].items()}
    for juror in data["jurors"]:
        juror["offset"] = _round4(juror["offset"])
    if data["agreement"]["kendall_tau"] is not None:
        data["agreement"]["kendall_tau"] = _round4(data["agreement"]["kendall_tau"])
    return data


def final_order(computed: list[str], overrides: list[dict[str, Any]]) -> list[str]:
    """The computed order with the jury's overrides applied, lowest target rank first (deterministic)."""
    order = list(computed)
    for override in sorted(overrides, key=lambda o: (o["to_rank"], o["entry"])):
        if override["entry"] in order:
            order.remove(override["entry"])
            order.insert(min(override["to_rank"], len(order) + 1) - 1, override["entry"])
    return order


def _decisions(judging_round: JudgingRound, by_category: dict[str, dict], entries: dict[str, dict]) -> dict:
    shortlist = sorted(str(e) for e in db.session.scalars(
        select(ShortlistEntry.entry_id).where(ShortlistEntry.round_id == judging_round.id)))
    awards = [
        {"entry": str(a.entry_id), "category": entries.get(str(a.entry_id), {}).get("category"),
         "kind": a.kind.value, "place": a.place, "justification": a.justification}
        for a in db.session.scalars(select(Award).where(Award.round_id == judging_round.id)
                                    .order_by(Award.kind, Award.place, Award.entry_id))
    ]
    ranks = {row["entry"]: row["rank"] for data in by_category.values() for row in data["ranking"]}
    overrides = [
        {"entry": str(o.entry_id), "category": entries.get(str(o.entry_id), {}).get("category"),
         "from_rank": ranks.get(str(o.entry_id)), "to_rank": o.to_rank, "reason": o.reason,
         "by": person_ref(o.decided_by_id), "at": _iso(o.decided_at)}
        for o in db.session.scalars(select(RankOverride).where(RankOverride.round_id == judging_round.id)
                                    .order_by(RankOverride.to_rank, RankOverride.entry_id))
    ]
    orders = {
        category: final_order([row["entry"] for row in data["ranking"]],
                              [o for o in overrides if o["category"] == category])
        for category, data in by_category.items()
    }
    return {"shortlist": shortlist, "awards": awards, "overrides": overrides, "final_order": orders}


def person_ref(user_id: int | None) -> str | None:
    """How the hashed content names a person: by id only; `resolved_content` puts the name in for display."""
    return None if user_id is None else f"#{user_id}"


def erase_person_from_snapshots(user_id: int, *, replacement: str) -> int:
    """Replace a person's name in every snapshot's people (the hashed content holds only ids); returns the count."""
    changed = 0
    for snapshot in db.session.scalars(select(RankingSnapshot).options(defer(RankingSnapshot.content))):
        users = dict((snapshot.people or {}).get("users", {}))
        if str(user_id) in users:
            users[str(user_id)] = replacement
            snapshot.people = {**(snapshot.people or {}), "users": users}
            changed += 1
    db.session.flush()
    return changed


def build_content(judging_round: JudgingRound, *, method: str, by: User | None, now: datetime) -> dict[str, Any]:
    """Everything a published output needs, computed once (snapshot content format 1)."""
    inputs, overall = rank_round(judging_round, method=method)
    edition = judging_round.edition
    entry_ids = sorted({int(s["entry"]) for s in inputs["sheets"]})
    entry_rows = {e.id: e for e in db.session.scalars(
        select(Entry).where(Entry.id.in_(entry_ids)).options(joinedload(Entry.company), joinedload(Entry.edition)))}
    # What is published about an entry comes from its submitted version (what the jury scored), never from the
    # live company profile: a rename after the submission does not reach results, PDFs, certificates or exports.
    versions = versions_at_deadline(entry_rows.values())
    entries = {}
    for entry_id in entry_ids:
        e = entry_rows[entry_id]
        facts = published_facts(e, versions.get(entry_id))
        entries[str(e.id)] = {"number": e.number or "", "title": facts.title, "company": facts.company,
                              "company_id": str(e.company_id), "district": facts.district, "city": facts.city,
                              "category": str(e.category_id), "summary": _plain(facts.summary),
                              "publish_summary": bool(e.publish_summary)}
    categories = [{"id": str(c.id), "name": c.name} for c in edition.categories
                  if any(e["category"] == str(c.id) for e in entries.values())]
    by_category = {}
    for category in categories:
        sheets = [s for s in inputs["sheets"] if entries[s["entry"]]["category"] == category["id"]]
        by_category[category["id"]] = _ranking_json(_rank(inputs, sheets, method))
    sheet_rows = db.session.scalars(
        select(ScoreSheet).where(ScoreSheet.round_id == judging_round.id, ScoreSheet.is_void.is_(False),
                                 ScoreSheet.status == SheetStatus.SUBMITTED)
        .order_by(ScoreSheet.entry_id, ScoreSheet.user_id)
    ).all()
    juror_ids = sorted({s.user_id for s in sheet_rows})
    jurors = {str(i): {"name": person_ref(i)} for i in juror_ids}
    criteria = [{"id": str(c.id), "name": c.name, "weight": float(c.weight), "percent": float(p)}
                for c, p in judging_round.weight_percentages()]
    weights = {c["id"]: c["weight"] for c in criteria}
    sheets = []
    for sheet in sheet_rows:
        scores = {str(s.criterion_id): float(s.value) for s in sheet.scores if s.value is not None}
        total = ranking.sheet_total(ranking.Sheet("", "", scores),
                                    [ranking.Criterion(k, w) for k, w in weights.items()])
        sheets.append({"juror": str(sheet.user_id), "entry": str(sheet.entry_id), "scores": scores,
                       "comments": {str(s.criterion_id): s.comment for s in sheet.scores if s.comment},
                       "total": _round4(total), "overall_comment": sheet.overall_comment,
                       "feedback": sheet.feedback, "submitted_at": _iso(sheet.submitted_at)})
    return {
        "format": 1,
        "edition": {"id": edition.id, "name": edition.name, "slug": edition.slug, "is_blind": edition.is_blind},
        "round": {"id": judging_round.id, "name": judging_round.name, "position": judging_round.position,
                  "is_final": is_final_round(judging_round)},
        "method": method,
        "inputs_sha256": canonical_sha256(inputs),
        "frozen_at": now.isoformat(),
        "frozen_by": person_ref(by.id) if by else None,
        "scale": {"min": float(judging_round.scale_min), "max": float(judging_round.scale_max),
                  "step": float(judging_round.scale_step)},
        "criteria": criteria,
        "categories": categories,
        "entries": entries,
        "jurors": jurors,
        "sheets": sheets,
        "overall": _ranking_json(overall),
        "by_category": by_category,
        "decisions": _decisions(judging_round, by_category, entries),
    }


def freeze_ranking(*, judging_round: JudgingRound, method: str, by: User | None, now: datetime,
                   line: int | None = None) -> RankingSnapshot:
    """Store an immutable snapshot of the round's ranking and decisions with a SHA-256 over its content, with the
    reliability meter for the line after place ``line`` in each category (default: see `default_line`)."""
    from .snapshot_reliability import default_line, reliability_content

    if why := permissions.why_not_freeze(by):
        raise PermissionDenied(why)
    if line is not None and line < 1:
        raise ValidationFailed(_l("Die Linie muss nach Platz 1 oder später liegen."), field="line")
    content = build_content(judging_round, method=method, by=by, now=now)
    counted = counted_inputs(judging_round)
    revision = db.session.scalar(select(JudgingRound.inputs_revision).where(JudgingRound.id == judging_round.id))
    content["reliability"] = reliability_content(content, line=line or default_line(judging_round))
    snapshot = RankingSnapshot(edition_id=judging_round.edition_id, round_id=judging_round.id, method=method,
                               content=content, people=snapshot_people(content),
                               inputs_sha256=content["inputs_sha256"], counted=counted,
                               counted_sha256=canonical_sha256(counted), inputs_revision=revision,
                               sha256=canonical_sha256(content), created_at=now,
                               created_by_id=by.id if by else None)
    db.session.add(snapshot)
    # The freeze locks the round: its sheets and assignments change only after an organiser reopens it with a
    # reason (freezing.reopen_round); judging reads the lock from the round (judging.permissions).
    judging_round.frozen_at = now
    db.session.flush()
    audit.record(actor=by, action="ranking.frozen", obj_type="ranking_snapshot", obj_id=snapshot.id, now=now,
                 round=judging_round.id, method=method, sha256=snapshot.sha256, counted_sha256=snapshot.counted_sha256)
    return snapshot


def verify_snapshot(snapshot: RankingSnapshot) -> bool:
    """Whether the stored content still has the hash it was frozen with."""
    return canonical_sha256(snapshot.content) == snapshot.sha256


# --- deliberation --------------------------------------------------------------------------------------------------

def _require_organiser(by: User) -> None:
    if why := permissions.why_not_manage(by):
        raise PermissionDenied(why)


def _entry_in_round(judging_round: JudgingRound, entry: Entry) -> None:
    has_sheet = db.session.scalar(select(ScoreSheet.id).where(ScoreSheet.round_id == judging_round.id,
                                                              ScoreSheet.entry_id == entry.id).limit(1))
    if entry.edition_id != judging_round.edition_id or not has_sheet:
        raise ValidationFailed(_l("Der Beitrag „%(title)s“ wurde in dieser Runde nicht bewertet.", title=entry.title))


def apply_shortlist(*, judging_round: JudgingRound, entry_ids: list[int], by: User, now: datetime) -> list[Entry]:
    """Make ``entry_ids`` the shortlist of the round for the next one, in one step (replacing an earlier choice)."""
    _require_organiser(by)
    following = next_round(judging_round)
    if following is None:
        raise ValidationFailed(_l("Nach der Runde „%(name)s“ folgt keine weitere Runde; hier werden Preise "
                                  "vergeben, keine Shortlist.", name=judging_round.name))
    if following.is_locked:
        raise Locked(_l("In der Runde „%(name)s“ wird bereits bewertet; die Shortlist kann nicht mehr geändert "
                        "werden.", name=following.name))
    if not entry_ids:
        raise ValidationFailed(_l("Bitte wählen Sie mindestens einen Beitrag für die Shortlist."))
    entries = list(db.session.scalars(select(Entry).where(Entry.id.in_(set(entry_ids)))))
    if len(entries) != len(set(entry_ids)):
        raise ValidationFailed(_l("Mindestens ein gewählter Beitrag existiert nicht mehr."))
    for entry in entries:
        _entry_in_round(judging_round, entry)
        if entry.status in (EntryStatus.WITHDRAWN, EntryStatus.INELIGIBLE):
            raise ValidationFailed(_l("Der Beitrag „%(title)s“ ist zurückgezogen oder nicht zugelassen.",
                                      title=entry.title))
    chosen = {e.id for e in entries}
    previous = set(db.session.scalars(select(ShortlistEntry.entry_id)
                                      .where(ShortlistEntry.round_id == judging_round.id)))
    for row in db.session.scalars(select(ShortlistEntry).where(ShortlistEntry.round_id == judging_round.id,
                                                               ShortlistEntry.entry_id.not_in(chosen))):
        db.session.delete(row)
    for entry_id in sorted(chosen - previous):
        db.session.add(ShortlistEntry(round_id=judging_round.id, entry_id=entry_id, decided_by_id=by.id,
                                      decided_at=now))
    if judging_round.is_first:  # statuses carry the shortlist into the next round (see judging.round_entries)
        for entry in db.session.scalars(select(Entry).where(Entry.id.in_(previous - chosen))):
            if entry.status is EntryStatus.SHORTLISTED:
                entry.status = EntryStatus.ELIGIBLE
        for entry in entries:
            if entry.status in (EntryStatus.ELIGIBLE, EntryStatus.IN_REVIEW):
                entry.status = EntryStatus.SHORTLISTED
    db.session.flush()
    audit.record(actor=by, action="ranking.shortlist_applied", obj_type="judging_round", obj_id=judging_round.id,
                 now=now, entries=sorted(chosen), added=sorted(chosen - previous), removed=sorted(previous - chosen))
    return entries


def set_award(*, judging_round: JudgingRound, entry: Entry, kind: AwardKind | None, place: int | None,
              justification: str, by: User, now: datetime) -> Award | None:
    """Mark a winner (with place) or a special mention in the final round; ``kind=None`` removes the mark."""
    _require_organiser(by)
    if not is_final_round(judging_round):
        raise ValidationFailed(_l("Preise werden in der letzten Runde vergeben; hier wählen Sie die Shortlist."))
    _entry_in_round(judging_round, entry)
    award = db.session.scalar(select(Award).where(Award.round_id == judging_round.id, Award.entry_id == entry.id))
    if kind is None:
        if award is not None:
            db.session.delete(award)
            db.session.flush()
            audit.record(actor=by, action="ranking.award_removed", obj_type="judging_round",
                         obj_id=judging_round.id, now=now, entry=entry.id)
        return None
    justification = (justification or "").strip()
    if len(justification) < 10:
        raise ValidationFailed(_l("Bitte begründen Sie die Entscheidung in ein paar Sätzen (mindestens 10 Zeichen)."),
                               field="justification")
    if kind is AwardKind.WINNER:
        if place is None or place < 1:
            raise ValidationFailed(_l("Bitte geben Sie den Platz an (1, 2, 3 …)."), field="place")
        taken = db.session.scalar(
            select(Award.id).join(Entry, Entry.id == Award.entry_id).where(
                Award.round_id == judging_round.id, Award.kind == AwardKind.WINNER, Award.place == place,
                Entry.category_id == entry.category_id, Award.entry_id != entry.id))
        if taken:
            raise ValidationFailed(_l("Platz %(place)s ist in dieser Kategorie schon vergeben.", place=place),
                                   field="place")
    else:
        place = None
    if award is None:
        award = Award(round_id=judging_round.id, entry_id=entry.id)
        db.session.add(award)
    award.kind, award.place, award.justification = kind, place, justification
    award.decided_by_id, award.decided_at = by.id, now
    db.session.flush()
    audit.record(actor=by, action="ranking.award_set", obj_type="judging_round", obj_id=judging_round.id, now=now,
                 entry=entry.id, kind=kind.value, place=place)
    return award


def set_override(*, judging_round: JudgingRound, entry: Entry, to_rank: int | None, reason: str, by: User,
                 now: datetime) -> RankOverride | None:
    """Place an entry at another rank of its category than computed; a reason is required. None removes it."""
    _require_organiser(by)
    _entry_in_round(judging_round, entry)
    override = db.session.scalar(select(RankOverride).where(RankOverride.round_id == judging_round.id,
                                                            RankOverride.entry_id == entry.id))
    if to_rank is None:
        if override is not None:
            db.session.delete(override)
            db.session.flush()
            audit.record(actor=by, action="ranking.override_removed", obj_type="judging_round",
                         obj_id=judging_round.id, now=now, entry=entry.id)
        return None
    reason = (reason or "").strip()
    if len(reason) < 10:
        raise ValidationFailed(_l("Eine Abweichung von der berechneten Reihenfolge braucht eine Begründung "
                                  "(mindestens 10 Zeichen)."), field="reason")
    in_category = db.session.scalar(
        select(func.count(func.distinct(ScoreSheet.entry_id))).join(Entry, Entry.id == ScoreSheet.entry_id)
        .where(ScoreSheet.round_id == judging_round.id, Entry.category_id == entry.category_id))
    if not 1 <= to_rank <= in_category:
        raise ValidationFailed(_l("Der Rang muss zwischen 1 und %(n)s liegen.", n=in_category), field="to_rank")
    if override is None:
        override = RankOverride(round_id=judging_round.id, entry_id=entry.id)
        db.session.add(override)
    override.to_rank, override.reason = to_rank, reason
    override.decided_by_id, override.decided_at = by.id, now
    db.session.flush()
    audit.record(actor=by, action="ranking.override_set", obj_type="judging_round", obj_id=judging_round.id,
                 now=now, entry=entry.id, to_rank=to_rank, reason=reason)
    return override
