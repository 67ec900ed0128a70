"""A round in the jury phase whose line is in doubt: two categories, four jurors who scored every entry three times,
two more jurors with free capacity (one an expert for "Digitalisierung", one conflicted with a company), all with
real assignments and submitted sheets. Used by the service tests and the browser test of the reliability meter."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal

import numpy as np

from competition.accounts.models import Role
from competition.core.clock import utcnow
from competition.entries.models import EntryStatus
from competition.extensions import db
from competition.judging import services as judging
from competition.judging.models import (
    Assignment,
    AssignmentSource,
    JurorExpertise,
    JurorProfile,
    RoundJuror,
    Score,
    ScoreSheet,
    SheetStatus,
)

# Per category: true quality of each entry; neighbours around place 3 are close, so the line after 3 is in doubt.
QUALITY = {
    "Digitalisierung": [8.2, 7.0, 6.8, 6.7, 6.6, 6.5, 4.8, 3.9],
    "Mobilität": [7.6, 7.0, 6.9, 6.8, 6.6, 4.5],
}
LENIENCY = [0.6, -0.5, 0.2, -0.3]


@dataclass
class World:
    edition: object
    round: object
    organiser: object
    jurors: list  # scored everything: j0..j3; j4: expert with room; j5: room, conflicted with `conflicted_entry`
    categories: dict = field(default_factory=dict)  # name → Category
    entries: dict = field(default_factory=dict)  # title → Entry
    conflicted_entry: object = None


def build_world(*, make_edition, make_category, make_round, make_criterion, make_company, make_user, make_entry,
                organiser, expert_capacity: int = 2, spare_capacity: int = 10, seed: int = 11) -> World:
    now = utcnow()
    edition = make_edition(registration_opens_at=now - timedelta(days=60),
                           submission_deadline_at=now - timedelta(days=30), jury_starts_at=now - timedelta(days=20),
                           jury_ends_at=now + timedelta(days=10), publication_at=now + timedelta(days=30))
    judging_round = make_round(edition, name="Finale", deadline_at=now + timedelta(days=9))
    make_criterion(judging_round, name="Innovation", weight=Decimal(1))
    make_criterion(judging_round, name="Wirkung", weight=Decimal(1))
    jurors = [make_user(email=f"jury{i}@ind.example", full_name=f"Jurymitglied {i}", roles=(Role.JUROR,))
              for i in range(6)]
    world = World(edition=edition, round=judging_round, organiser=organiser, jurors=jurors)
    rng = np.random.default_rng(seed)
    number = 0
    for name, qualities in QUALITY.items():
        category = make_category(edition, name=name)
        world.categories[name] = category
        for i, quality in enumerate(qualities):
            number += 1
            title = f"{name} Beitrag {i + 1}"
            entry = make_entry(category=category, title=title, status=EntryStatus.ELIGIBLE,
                               number=f"IND-2027-{number:04d}")
            world.entries[title] = entry
            panel = [(i + k) % 4 for k in range(3)]
            for j in panel:
                assignment = Assignment(round_id=judging_round.id, entry_id=entry.id, user_id=jurors[j].id,
                                        source=AssignmentSource.AUTOMATIC, created_at=now)
                db.session.add(assignment)
                db.session.flush()
                sheet = ScoreSheet(round_id=judging_round.id, entry_id=entry.id, user_id=jurors[j].id,
                                   assignment_id=assignment.id, status=SheetStatus.SUBMITTED, submitted_at=now,
                                   updated_at=now, created_at=now)
                db.session.add(sheet)
                db.session.flush()
                for criterion in judging_round.criteria:
                    value = float(np.clip(np.round(quality + LENIENCY[j] + rng.normal(0, 1.2)), 0, 10))
                    db.session.add(Score(sheet_id=sheet.id, criterion_id=criterion.id, value=Decimal(str(value))))
    for i, juror in enumerate(jurors):
        capacity = {4: expert_capacity, 5: spare_capacity}.get(i, 20)
        db.session.add(JurorProfile(user_id=juror.id, capacity=capacity))
        db.session.add(RoundJuror(round_id=judging_round.id, user_id=juror.id, capacity=capacity))
    db.session.add(JurorExpertise(user_id=jurors[4].id, category_id=world.categories["Digitalisierung"].id))
    db.session.commit()
    world.conflicted_entry = world.entries["Digitalisierung Beitrag 4"]
    judging.declare_conflict(juror=jurors[5], company=world.conflicted_entry.company, reason="Früherer Arbeitgeber",
                             by=organiser, now=now)
    db.session.commit()
    return world
