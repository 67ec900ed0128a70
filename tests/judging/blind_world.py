"""A blind edition in the jury phase, the same every time it is built (names, e-mail addresses, dates and ids), so
that two runs of a juror's requests can be compared byte for byte.

Six companies with one submitted, eligible entry each (with a PDF whose metadata names the company); the juror
"Jana Jury" is assigned the entries of the first three; a second juror and an organiser exist.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal

from competition.accounts.models import Role, User
from competition.accounts.services import create_verified_user
from competition.core.clock import utcnow
from competition.editions.models import Category, Criterion, Edition, JudgingRound, ParticipationConditions
from competition.editions.phases import Phase
from competition.entries.attachments import add_attachment
from competition.entries.models import Company, CompanyMember, District, Entry, EntryStatus, TurnoverBand
from competition.entries.services import submit_entry
from competition.extensions import db
from competition.judging import services as jury
from tests.conftest import PASSWORD
from tests.entries.leaky_files import leaky_pdf

COMPANIES = ("Niles-Simmons Industrieanlagen GmbH", "Wolf Fertigungstechnik GmbH", "KOMSA AG",
             "Erzgebirge Präzision GmbH", "Vogtland Textil GmbH", "Chemnitzer Solar GmbH")
ASSIGNED = 3  # the juror judges the entries of the first three companies
FIXED = datetime(2020, 5, 4, 10, 30, tzinfo=UTC)


@dataclass
class BlindWorld:
    edition: Edition
    judging_round: JudgingRound
    juror: User
    other_juror: User
    organiser: User
    companies: list[Company]
    entries: list[Entry]
    owners: list[User]
    assignments: list  # the juror's, in company order


def build_blind_world(*, blind: bool = True) -> BlindWorld:
    now = utcnow()
    organiser = create_verified_user(email="orga@ind.example", full_name="Olga Organisatorin", password=PASSWORD,
                                     roles=[Role.ORGANISER], locale=None, now=now)
    juror = create_verified_user(email="jana.jury@hochschule.example", full_name="Jana Jury", password=PASSWORD,
                                 roles=[Role.JUROR], locale=None, now=now)
    other = create_verified_user(email="otto.jury@institut.example", full_name="Otto Jury", password=PASSWORD,
                                 roles=[Role.JUROR], locale=None, now=now)
    edition = Edition(name="Industrie. Neu. Denken. 2099", slug="ind-2099", description="", is_blind=blind,
                      registration_opens_at=datetime(2020, 1, 1, tzinfo=UTC),
                      submission_deadline_at=datetime(2020, 6, 1, tzinfo=UTC),
                      jury_starts_at=datetime(2020, 7, 1, tzinfo=UTC),
                      jury_ends_at=datetime(2099, 7, 1, tzinfo=UTC),
                      publication_at=datetime(2099, 9, 1, tzinfo=UTC), phase_override=Phase.SUBMISSION)
    db.session.add(edition)
    db.session.flush()
    db.session.add(ParticipationConditions(edition_id=edition.id, version=1, body="Teilnahmebedingungen."))
    category = Category(edition=edition, name="Digitalisierung", position=1)
    judging_round = JudgingRound(edition=edition, name="Vorauswahl", position=1, scale_min=Decimal(0),
                                 scale_max=Decimal(10), scale_step=Decimal(1), jurors_per_entry=1,
                                 deadline_at=datetime(2099, 7, 1, tzinfo=UTC))
    db.session.add_all([category, judging_round,
                        Criterion(round=judging_round, name="Innovationsgrad", weight=Decimal(1), position=1)])
    db.session.commit()
    companies, entries, owners = [], [], []
    for n, name in enumerate(COMPANIES, start=1):
        owner = create_verified_user(email=f"kontakt@firma{n}.example", full_name=f"Ansprechperson {n}",
                                     password=PASSWORD, roles=[Role.APPLICANT], locale=None, now=now)
        company = Company(legal_name=name, legal_form="GmbH", district=District.CHEMNITZ, employees=40,
                          turnover_band=TurnoverBand.FROM_2M_TO_10M, website=f"https://firma{n}.example",
                          contact_name=f"Ansprechperson {n}", contact_email=f"kontakt@firma{n}.example")
        company.members.append(CompanyMember(user_id=owner.id, is_admin=True))
        db.session.add(company)
        db.session.commit()
        entry = Entry(edition_id=edition.id, category_id=category.id, company_id=company.id,
                      title=f"Vorhaben {n}", summary="Eine Zusammenfassung.", description="Beschreibung.",
                      implementation="Umsetzung.", regional_benefit="Nutzen.", sustainability="Nachhaltig.")
        db.session.add(entry)
        db.session.commit()
        add_attachment(entry=entry, stream_or_file=leaky_pdf(name), filename=f"{name} Konzept.pdf", by=owner,
                       now=now)
        version = submit_entry(entry=entry, consent=True, lock_version=None, by=owner, now=now)
        version.submitted_at = FIXED  # shown on the sheet: the same in every build
        entry.status = EntryStatus.ELIGIBLE
        db.session.commit()
        companies.append(company)
        entries.append(entry)
        owners.append(owner)
    edition.phase_override = Phase.JURY
    db.session.commit()
    assignments = [jury.add_assignment(judging_round=judging_round, juror=juror, entry=entry, by=organiser,
                                       now=now) for entry in entries[:ASSIGNED]]
    for entry in entries[ASSIGNED:]:
        jury.add_assignment(judging_round=judging_round, juror=other, entry=entry, by=organiser, now=now)
    db.session.commit()
    return BlindWorld(edition=edition, judging_round=judging_round, juror=juror, other_juror=other,
                      organiser=organiser, companies=companies, entries=entries, owners=owners,
                      assignments=assignments)
