"""A scored judging round made through the real use cases: entries submitted before the deadline (so they have the
version the jury sees), jurors assigned, sheets confirmed, saved and submitted. Shared by the tests of the scoring
deadline, the freeze, the snapshot's "out of date" notice, certificates and published facts.

The edition is in its jury phase by its dates (no phase override); the round's deadline is in five days.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal

from competition.accounts.models import Role
from competition.core.clock import utcnow
from competition.editions.phases import Phase
from competition.entries.models import EntryStatus
from competition.entries.services import submit_entry
from competition.extensions import db
from competition.judging import services as jury
from competition.judging import sheets

TITLES = ("Hybride Drehmaschine", "Digitaler Zwilling")
COMPANIES = ("Niles-Simmons Industrieanlagen GmbH", "Erzgebirge Präzision GmbH")


@dataclass
class RoundWorld:
    edition: object
    judging_round: object
    criteria: list
    entries: list
    owners: list
    jurors: list
    assignments: dict = field(default_factory=dict)  # (juror index, entry index) → Assignment

    def assignment(self, juror: int, entry: int):
        return self.assignments[(juror, entry)]


def score(assignment, values: tuple[str, ...], *, submit: bool, now=None):
    """Confirm, save and (optionally) submit a sheet as its juror would, through the use cases."""
    now = now or utcnow()
    juror = assignment.user
    sheets.confirm_no_conflict(assignment=assignment, by=juror, now=now)
    data = sheets.SheetInput(values={c.id: v for c, v in zip(assignment.round.criteria, values, strict=True)},
                             comments={}, overall_comment="", feedback=f"Rückmeldung von {juror.full_name}")
    sheet = sheets.save_sheet(assignment=assignment, data=data, version=None, by=juror, now=now)
    if submit:
        sheets.submit_sheet(assignment=assignment, version=sheet.version, by=juror, now=now)
    db.session.commit()
    return sheet


def build_round_world(*, make_edition, make_category, make_round, make_criterion, make_company, make_entry,
                      make_user, organiser, final: bool = False, scores=((("8", "6"), ("7", "7")),
                                                                        (("5", "5"), ("6", "4")))) -> RoundWorld:
    """Two entries, two jurors who each score both; `scores[juror][entry]` are the two criteria's values (all
    submitted). With `final`, the round is the edition's only (and so final) round."""
    now = utcnow()
    edition = make_edition(registration_opens_at=now - timedelta(days=60),
                           submission_deadline_at=now - timedelta(days=20), jury_starts_at=now - timedelta(days=10),
                           jury_ends_at=now + timedelta(days=10), publication_at=now + timedelta(days=20))
    category = make_category(edition, name="Mobilität")
    judging_round = make_round(edition, name="Finale" if final else "Vorauswahl", jurors_per_entry=2,
                               deadline_at=now + timedelta(days=5))
    criteria = [make_criterion(judging_round, name="Innovationsgrad", weight=Decimal(3)),
                make_criterion(judging_round, name="Regionale Wirkung", weight=Decimal(1))]
    owners, entries = [], []
    submitted_at = edition.submission_deadline_at - timedelta(days=2)
    for index, (title, company_name) in enumerate(zip(TITLES, COMPANIES, strict=True)):
        owner = make_user(email=f"kontakt{index}@firma{index}.example", full_name=f"Inhaberin {index}")
        company = make_company(owner, legal_name=company_name, legal_form="GmbH")
        entry = make_entry(company=company, category=category, title=title)
        edition.phase_override = Phase.SUBMISSION
        submit_entry(entry=entry, consent=True, lock_version=None, by=owner, now=submitted_at)
        entry.status = EntryStatus.ELIGIBLE
        edition.phase_override = None
        db.session.commit()
        owners.append(owner)
        entries.append(entry)
    jurors = [make_user(roles=(Role.JUROR,), email=f"jury{i}@hochschule.example", full_name=f"Prof. Jurorin {i}")
              for i in range(2)]
    world = RoundWorld(edition=edition, judging_round=judging_round, criteria=criteria, entries=entries,
                       owners=owners, jurors=jurors)
    for j, juror in enumerate(jurors):
        for e, entry in enumerate(entries):
            world.assignments[(j, e)] = jury.add_assignment(judging_round=judging_round, juror=juror, entry=entry,
                                                            by=organiser, now=now)
    db.session.commit()
    for j in range(len(jurors)):
        for e in range(len(entries)):
            score(world.assignment(j, e), scores[j][e], submit=True, now=now)
    return world
