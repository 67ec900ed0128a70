"""A finished demo edition ("Industrie. Neu. Denken. 2025"): both rounds scored, shortlist, awards, frozen rankings,
results published, so the ranking, the PDFs and the public results page can be opened right after `make run`.

Deterministic from the seed. Builds on the demo companies and jurors of `flask demo seed` (their 2025 entries)."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import select

from ..accounts.models import Role, User, UserRole
from ..core.clock import berlin_midnight
from ..editions import services as edition_services
from ..editions.conditions import publish_conditions
from ..editions.models import Edition
from ..editions.phases import PhaseDates
from ..editions.scales import Scale
from ..entries.models import Company, Entry, EntryStatus
from ..extensions import db
from ..judging.models import Score, ScoreSheet, SheetStatus
from ..rankings import publication as ranking_publication
from ..rankings import queries as ranking_queries
from ..rankings import services as ranking_services
from ..rankings.models import AwardKind, RankingSnapshot
from .demo import CATEGORIES, CRITERIA, DEMO_CONDITIONS, FINAL_CRITERIA, IDEAS

PAST_EDITION_NAME = "Industrie. Neu. Denken. 2025"
PAST_EDITION_SLUG = "ind-2025"
FINALISTS_PER_CATEGORY = 3


@dataclass(frozen=True)
class ResultsSeed:
    created: bool
    edition: Edition
    snapshot: RankingSnapshot | None


def _on_scale(value: float, scale: Scale) -> Decimal:
    value = min(float(scale.maximum), max(float(scale.minimum), value))
    steps = (Decimal(str(round(value, 6))) - scale.minimum) / scale.step
    return scale.minimum + steps.quantize(Decimal(1), rounding=ROUND_HALF_UP) * scale.step


def _score_round(judging_round, entries: list[Entry], jurors: list[User], *, per_entry: int, quality: dict[int, float],
                 leniency: dict[int, float], rng: random.Random, when: datetime) -> None:
    scale = judging_round.scale
    for index, entry in enumerate(entries):
        panel = [jurors[(index + k) % len(jurors)] for k in range(min(per_entry, len(jurors)))]
        for juror in panel:
            sheet = ScoreSheet(round_id=judging_round.id, entry_id=entry.id, user_id=juror.id,
                               status=SheetStatus.SUBMITTED, submitted_at=when, created_at=when, updated_at=when,
                               no_conflict_confirmed_at=when,
                               feedback=rng.choice([
                                   "Überzeugende Idee; die Wirkung für die Region sollte noch klarer belegt werden.",
                                   "Sehr gut umgesetzt. Für die Skalierung fehlt noch ein belastbarer Plan.",
                                   "Gute Präsentation, starkes Team; Nachhaltigkeitswirkung bitte messbar machen.",
                                   "Der Neuheitsgrad ist hoch, das Marktpotenzial noch nicht ganz greifbar.",
                               ]))
            db.session.add(sheet)
            db.session.flush()
            for criterion in judging_round.criteria:
                raw = quality[entry.id] + leniency[juror.id] + rng.gauss(0, 0.8)
                db.session.add(Score(sheet_id=sheet.id, criterion_id=criterion.id, value=_on_scale(raw, scale),
                                     comment=""))


def seed_results(*, seed: int, now: datetime) -> ResultsSeed:
    """Create the finished 2025 edition unless it exists; needs the demo organiser, jurors and companies."""
    existing = db.session.scalar(select(Edition).where(Edition.slug == PAST_EDITION_SLUG))
    if existing is not None:
        return ResultsSeed(created=False, edition=existing,
                           snapshot=ranking_queries.latest_edition_snapshot(existing, final_only=True))
    organiser = db.session.scalar(select(User).join(UserRole).where(UserRole.role == Role.ORGANISER)
                                  .order_by(User.id).limit(1))
    jurors = list(db.session.scalars(select(User).join(UserRole).where(UserRole.role == Role.JUROR)
                                     .order_by(User.email)))[:6]
    companies = list(db.session.scalars(select(Company).order_by(Company.id)))[:15]
    if organiser is None or len(jurors) < 3 or len(companies) < 6:
        raise ValueError("Zuerst `flask demo seed` ausführen (mindestens 6 Unternehmen und 3 Jurymitglieder).")
    rng = random.Random(seed + 2025)
    dates = PhaseDates(
        registration_opens_at=berlin_midnight(-420, now=now, hour=9),
        submission_deadline_at=berlin_midnight(-360, now=now, hour=23),
        jury_starts_at=berlin_midnight(-350, now=now, hour=9),
        jury_ends_at=berlin_midnight(-300, now=now, hour=18),
        publication_at=berlin_midnight(-290, now=now, hour=18),
    )
    edition = edition_services.create_edition(
        data=edition_services.EditionData(
            name=PAST_EDITION_NAME, slug=PAST_EDITION_SLUG, dates=dates, max_employees=249, terms_version="2025-1",
            description="Die abgeschlossene Vorjahresrunde: Rangliste, Urkunden und Ergebnisse zum Ansehen."),
        by=organiser, now=now)
    publish_conditions(edition=edition, body=DEMO_CONDITIONS, pdf=None, pdf_name="", by=organiser, now=now)
    for name, description in CATEGORIES:
        edition_services.add_category(edition=edition, name=name, description=description, by=organiser)
    rounds = []
    for name, scale, k, criteria, deadline in (
        ("Vorauswahl", Scale(Decimal(0), Decimal(10), Decimal(1)), 3, CRITERIA, dates.jury_starts_at),
        ("Finale", Scale(Decimal(0), Decimal(10), Decimal("0.5")), 3, FINAL_CRITERIA, dates.jury_ends_at),
    ):
        judging_round = edition_services.add_round(
            edition=edition, data=edition_services.RoundData(name=name, description="", scale=scale,
                                                             jurors_per_entry=k, deadline_at=deadline), by=organiser)
        for c_name, weight, c_description, low, mid, high in criteria:
            edition_services.add_criterion(
                judging_round=judging_round,
                data=edition_services.CriterionData(name=c_name, description=c_description, weight=weight,
                                                    rubric_low=low, rubric_mid=mid, rubric_high=high),
                by=organiser)
        rounds.append(judging_round)
    first, final = rounds
    submitted = dates.submission_deadline_at - timedelta(days=2)
    entries = []
    for index, company in enumerate(companies):
        category = edition.categories[index % len(edition.categories)]
        ideas = IDEAS[category.name]
        title, what = ideas[(index // len(edition.categories)) % len(ideas)]
        entry = Entry(edition_id=edition.id, company_id=company.id, category_id=category.id,
                      number=f"IND-2025-{index + 1:04d}", status=EntryStatus.ELIGIBLE, title=f"{title} (2025)",
                      summary=f"<p>{company.legal_name} entwickelt {what}.</p>",
                      description=f"<p>{company.legal_name} hat {what} entwickelt.</p>",
                      implementation="Im Serieneinsatz.", regional_benefit="Neue Arbeitsplätze in der Region.",
                      sustainability="Weniger Material- und Energieeinsatz.", publish_summary=index % 3 != 2,
                      created_at=submitted, updated_at=submitted, last_submitted_at=submitted)
        db.session.add(entry)
        entries.append(entry)
    db.session.flush()
    quality = {e.id: rng.uniform(4.0, 8.5) for e in entries}
    leniency = {j.id: offset for j, offset in zip(jurors, [1.2, -1.0, 0.3, -0.4, 0.6, -0.2], strict=False)}
    _score_round(first, entries, jurors, per_entry=3, quality=quality, leniency=leniency, rng=rng,
                 when=dates.jury_starts_at + timedelta(days=10))
    first.scoring_started_at = dates.jury_starts_at + timedelta(days=1)
    db.session.flush()
    step = dates.jury_starts_at + timedelta(days=20)
    snapshot = ranking_services.freeze_ranking(judging_round=first, method="calibrated", by=organiser, now=step)
    shortlist = ranking_queries.propose_shortlist(snapshot, per_category=FINALISTS_PER_CATEGORY)
    ranking_services.apply_shortlist(judging_round=first, entry_ids=[int(e) for e in shortlist], by=organiser,
                                     now=step + timedelta(minutes=5))
    snapshot = ranking_services.freeze_ranking(judging_round=first, method="calibrated", by=organiser,
                                               now=step + timedelta(minutes=6))
    finalists = [e for e in entries if str(e.id) in set(shortlist)]
    _score_round(final, finalists, jurors, per_entry=3, quality=quality, leniency=leniency, rng=rng,
                 when=dates.jury_ends_at - timedelta(days=2))
    final.scoring_started_at = dates.jury_ends_at - timedelta(days=5)
    db.session.flush()
    decided = dates.jury_ends_at + timedelta(days=1)
    computed = ranking_services.freeze_ranking(judging_round=final, method="weighted-mean", by=organiser, now=decided)
    by_id = {str(e.id): e for e in entries}
    for order in computed.content["decisions"]["final_order"].values():
        winner, second, *_rest = [by_id[e] for e in order] + [None, None]
        if winner is not None:
            ranking_services.set_award(
                judging_round=final, entry=winner, kind=AwardKind.WINNER, place=1, by=organiser,
                now=decided + timedelta(hours=1),
                justification="Die Jury würdigt eine Lösung, die Technik, Wirtschaftlichkeit und regionale Wirkung "
                              "beispielhaft verbindet.")
        if second is not None:
            ranking_services.set_award(
                judging_round=final, entry=second, kind=AwardKind.MENTION, place=None, by=organiser,
                now=decided + timedelta(hours=1),
                justification="Eine Anerkennung für einen mutigen Ansatz mit großem Potenzial.")
    snapshot = ranking_services.freeze_ranking(judging_round=final, method="weighted-mean", by=organiser,
                                               now=decided + timedelta(hours=2))
    ranking_publication.publish_results(snapshot=snapshot, by=organiser, now=decided + timedelta(hours=3))
    return ResultsSeed(created=True, edition=edition, snapshot=snapshot)
