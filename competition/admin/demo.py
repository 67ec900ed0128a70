"""A realistic, deterministic demo edition: plan it from a seed (pure), then apply it through the services."""

from __future__ import annotations

import random
import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from ..accounts import services as account_services
from ..accounts.models import Role, User
from ..accounts.passwords import hash_password
from ..core.clock import berlin_midnight
from ..editions import services as edition_services
from ..editions.models import Edition
from ..editions.phases import PhaseDates
from ..editions.scales import Scale
from ..extensions import db

EDITION_NAME = "Industrie. Neu. Denken. 2026"
DEMO_PASSWORD = "Demo-Zugang-2026!"  # noqa: S105 - printed for the demo, not a secret
ORGANISER_EMAIL = "orga@ind-demo.example"

REGIONS = ["Chemnitz", "Zwickau", "Erzgebirgskreis", "Vogtlandkreis", "Mittelsachsen"]
TOWNS = {
    "Chemnitz": ["Chemnitz"],
    "Zwickau": ["Zwickau", "Crimmitschau", "Glauchau", "Werdau", "Limbach-Oberfrohna"],
    "Erzgebirgskreis": ["Annaberg-Buchholz", "Aue-Bad Schlema", "Marienberg", "Schwarzenberg", "Stollberg"],
    "Vogtlandkreis": ["Plauen", "Reichenbach", "Auerbach", "Oelsnitz", "Markneukirchen"],
    "Mittelsachsen": ["Freiberg", "Döbeln", "Mittweida", "Flöha", "Frankenberg"],
}
COMPANY_STEMS = [
    "Präzisionstechnik", "Maschinenbau", "Textilwerke", "Kunststofftechnik", "Gießerei", "Elektronik",
    "Antriebstechnik", "Oberflächentechnik", "Automatisierung", "Leichtbau", "Werkzeugbau", "Sensorik",
    "Recycling", "Fahrzeugteile", "Metallbau", "Software", "Umformtechnik", "Holzwerkstoffe",
]
LEGAL_FORMS = ["GmbH", "GmbH & Co. KG", "AG", "KG", "e. K."]
FIRST_NAMES = [
    "Anna", "Jonas", "Katrin", "Matthias", "Sabine", "Stefan", "Claudia", "Tobias", "Franziska", "Thomas",
    "Juliane", "Michael", "Susanne", "Andreas", "Kristin", "Daniel", "Ines", "Robert", "Heike", "Paul",
]
LAST_NAMES = [
    "Schubert", "Hoffmann", "Richter", "Neubert", "Fischer", "Lorenz", "Seidel", "Uhlig", "Böhme", "Kühn",
    "Schmidt", "Wagner", "Krause", "Vogel", "Günther", "Hertel", "Lindner", "Reichel", "Ficker", "Weigel",
]
JUROR_ORGS = [
    "TU Chemnitz", "Westsächsische Hochschule Zwickau", "TU Bergakademie Freiberg", "Hochschule Mittweida",
    "IHK Chemnitz", "Fraunhofer IWU", "Handwerkskammer Chemnitz", "Wirtschaftsförderung Erzgebirge",
    "Sparkasse Vogtland", "Netzwerk Industrie Sachsen",
]

CATEGORIES = [
    ("Mobilität", "Antriebe, Fahrzeugbau, Logistik und neue Mobilitätskonzepte."),
    ("Digitalisierung", "Industrie 4.0, Software, Daten und Automatisierung in der Produktion."),
    ("Kreislaufwirtschaft", "Ressourceneffizienz, Recycling, langlebige Produkte und neue Materialien."),
]

CRITERIA = [
    ("Innovationsgrad", Decimal(30), "Wie neu ist die Lösung für den Markt und die Branche?",
     "Bekannte Lösung, kaum Neuheit.", "Deutliche Verbesserung bestehender Lösungen.",
     "Grundlegend neue Lösung mit Alleinstellung."),
    ("Wirtschaftliches Potenzial", Decimal(25), "Markt, Umsatz, Beschäftigung, Skalierbarkeit.",
     "Geringer oder unklarer Nutzen.", "Solides Potenzial in einem Teilmarkt.",
     "Großes, belegtes Wachstums- und Beschäftigungspotenzial."),
    ("Nachhaltigkeit", Decimal(15), "Ökologische und soziale Wirkung.",
     "Keine erkennbare Wirkung.", "Messbare Verbesserung in einem Bereich.",
     "Deutliche, belegte Wirkung in mehreren Bereichen."),
    ("Regionale Wirkung", Decimal(15), "Nutzen für Südwestsachsen: Arbeitsplätze, Zulieferer, Kooperationen.",
     "Kaum Bezug zur Region.", "Spürbarer Nutzen für einzelne Partner.",
     "Starker Impuls für die regionale Wirtschaft."),
    ("Umsetzbarkeit", Decimal(15), "Reifegrad, Ressourcen, Zeitplan und Risiken.",
     "Idee ohne belastbaren Plan.", "Prototyp oder Pilot mit klarem Plan.",
     "Im Markt eingeführt oder kurz davor."),
]
FINAL_CRITERIA = [
    ("Innovationsgrad", Decimal(25), "Neuheit und Alleinstellung, nach Präsentation und Rückfragen.",
     "Kaum neu.", "Deutlich verbessert.", "Grundlegend neu."),
    ("Wirtschaftliches Potenzial", Decimal(25), "Markt und Wachstum, belegt im Gespräch.",
     "Unklar.", "Solide.", "Groß und belegt."),
    ("Nachhaltigkeit", Decimal(15), "Ökologische und soziale Wirkung.", "Keine.", "Messbar.", "Deutlich."),
    ("Regionale Wirkung", Decimal(20), "Impuls für Südwestsachsen.", "Gering.", "Spürbar.", "Stark."),
    ("Präsentation", Decimal(15), "Überzeugungskraft und Klarheit der Vorstellung vor der Jury.",
     "Unklar.", "Verständlich.", "Überzeugend."),
]


UMLAUTS = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "Ä": "Ae", "Ö": "Oe", "Ü": "Ue", "ß": "ss"})


def slugify(text: str) -> str:
    ascii_text = (
        unicodedata.normalize("NFKD", text.translate(UMLAUTS).replace("&", " "))
        .encode("ascii", "ignore")
        .decode()
    )
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")


@dataclass(frozen=True)
class DemoPerson:
    full_name: str
    email: str
    organisation: str
    region: str | None = None
    town: str | None = None


@dataclass(frozen=True)
class DemoPlan:
    jurors: list[DemoPerson]
    applicants: list[DemoPerson]


def plan_demo(*, entries: int, jurors: int, seed: int) -> DemoPlan:
    """Who the demo has. Pure and deterministic: the same arguments give the same people."""
    rng = random.Random(seed)
    used_companies: set[str] = set()
    applicants = []
    for index in range(entries):
        region = REGIONS[index % len(REGIONS)]
        town = rng.choice(TOWNS[region])
        while True:
            base = f"{rng.choice([town, rng.choice(LAST_NAMES)])} {rng.choice(COMPANY_STEMS)}"
            company = f"{base} {rng.choice(LEGAL_FORMS)}"
            if base not in used_companies:
                used_companies.add(base)
                break
        name = f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"
        domain = slugify(base) + ".example"
        applicants.append(DemoPerson(full_name=name, email=f"kontakt@{domain}", organisation=company,
                                     region=region, town=town))
    juror_people = []
    for index in range(jurors):
        name = f"{rng.choice(['Prof. Dr. ', 'Dr. ', '', ''])}{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"
        juror_people.append(
            DemoPerson(full_name=name, email=f"jury{index + 1:02d}@ind-demo.example",
                       organisation=JUROR_ORGS[index % len(JUROR_ORGS)])
        )
    return DemoPlan(jurors=juror_people, applicants=applicants)


@dataclass(frozen=True)
class SeedResult:
    created: bool
    edition: Edition
    organiser: User
    jurors: list[User]
    applicants: list[User]


def _user(person_email: str, full_name: str, roles: list[Role], now: datetime, password_hash: str) -> User:
    existing = account_services.get_user_by_email(person_email)
    if existing is not None:
        for role in roles:
            account_services.grant_role(user=existing, role=role, now=now)
        return existing
    return account_services.create_verified_user(
        email=person_email, full_name=full_name, password=DEMO_PASSWORD, roles=roles, locale="de", now=now,
        password_hash=password_hash,
    )


def seed_demo(*, entries: int, jurors: int, seed: int, now: datetime) -> SeedResult:
    """Create the demo edition and its people, unless it exists already (then nothing changes)."""
    plan = plan_demo(entries=entries, jurors=jurors, seed=seed)
    existing = db.session.scalar(db.select(Edition).where(Edition.name == EDITION_NAME))
    demo_hash = hash_password(DEMO_PASSWORD)  # one hash for every demo account: seeding thousands stays fast
    organiser = _user(ORGANISER_EMAIL, "Organisationsteam Masterplan Südwestsachsen", [Role.ORGANISER], now,
                      demo_hash)
    if existing is not None:
        people = [account_services.get_user_by_email(p.email) for p in plan.jurors + plan.applicants]
        found = [p for p in people if p is not None]
        return SeedResult(
            created=False,
            edition=existing,
            organiser=organiser,
            jurors=[u for u in found if u.has_role(Role.JUROR)],
            applicants=[u for u in found if u.has_role(Role.APPLICANT)],
        )

    dates = PhaseDates(
        registration_opens_at=berlin_midnight(-30, now=now, hour=9),
        submission_deadline_at=berlin_midnight(21, now=now, hour=23).replace(minute=59),
        jury_starts_at=berlin_midnight(28, now=now, hour=9),
        jury_ends_at=berlin_midnight(56, now=now, hour=18),
        publication_at=berlin_midnight(70, now=now, hour=18),
    )
    edition = edition_services.create_edition(
        data=edition_services.EditionData(
            name=EDITION_NAME,
            description=(
                "Der Industriewettbewerb des Masterplans Südwestsachsen sucht Unternehmen aus Chemnitz, Zwickau, "
                "dem Erzgebirge, dem Vogtland und Mittelsachsen, die Industrie neu denken."
            ),
            dates=dates,
        ),
        by=organiser,
        now=now,
    )
    for name, description in CATEGORIES:
        edition_services.add_category(edition=edition, name=name, description=description, by=organiser)
    rounds = [
        ("Vorauswahl", "Online-Bewertung aller zugelassenen Beiträge.", Scale(Decimal(0), Decimal(10), Decimal(1)),
         3, berlin_midnight(42, now=now, hour=23), CRITERIA),
        ("Finale", "Bewertung der Shortlist nach Präsentation vor der Jury.",
         Scale(Decimal(0), Decimal(10), Decimal("0.5")), 5, berlin_midnight(56, now=now, hour=18), FINAL_CRITERIA),
    ]
    for name, description, scale, k, deadline, criteria in rounds:
        judging_round = edition_services.add_round(
            edition=edition,
            data=edition_services.RoundData(name=name, description=description, scale=scale, jurors_per_entry=k,
                                            deadline_at=deadline),
            by=organiser,
        )
        for c_name, weight, c_description, low, mid, high in criteria:
            edition_services.add_criterion(
                judging_round=judging_round,
                data=edition_services.CriterionData(name=c_name, description=c_description, weight=weight,
                                                    rubric_low=low, rubric_mid=mid, rubric_high=high),
                by=organiser,
            )
    juror_users = [_user(p.email, p.full_name, [Role.JUROR], now, demo_hash) for p in plan.jurors]
    applicant_users = [_user(p.email, p.full_name, [Role.APPLICANT], now, demo_hash) for p in plan.applicants]
    db.session.flush()
    return SeedResult(created=True, edition=edition, organiser=organiser, jurors=juror_users,
                      applicants=applicant_users)
