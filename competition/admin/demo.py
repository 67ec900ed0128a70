"""A realistic, deterministic demo edition: plan it from a seed (pure), then apply it through the services."""

from __future__ import annotations

import io
import random
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from ..accounts import services as account_services
from ..accounts.models import Role, User
from ..accounts.passwords import hash_password
from ..core.clock import berlin_midnight
from ..core.slugs import slugify
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


DISTRICTS = {
    "Chemnitz": "chemnitz",
    "Zwickau": "zwickau",
    "Erzgebirgskreis": "erzgebirgskreis",
    "Vogtlandkreis": "vogtlandkreis",
    "Mittelsachsen": "mittelsachsen",
}
POSTAL_CODES = {"Chemnitz": "09111", "Zwickau": "08056", "Erzgebirgskreis": "09456", "Vogtlandkreis": "08523",
                "Mittelsachsen": "09599"}
IDEAS = {
    "Mobilität": [
        ("Leichtbau-Achsträger aus Naturfaser", "einen Achsträger aus flachsfaserverstärktem Kunststoff"),
        ("Digitaler Zwilling für Werkzeugmaschinen", "einen digitalen Zwilling, der Verschleiß vorhersagt"),
        ("Wasserstoff-Rangierlok", "eine Rangierlok mit Brennstoffzelle für Werksbahnen"),
    ],
    "Digitalisierung": [
        ("KI-gestützte Sichtprüfung", "eine Kamera-Prüfstation, die Oberflächenfehler in Echtzeit erkennt"),
        ("Auftragsplanung in der Cloud", "eine Planungssoftware für kleine Fertiger mit Maschinenanbindung"),
        ("Sensorisches Spannsystem", "ein Spannsystem, das Kräfte misst und Bedienfehler verhindert"),
    ],
    "Kreislaufwirtschaft": [
        ("Sortenreines Textilrecycling", "ein Verfahren, das Mischgewebe in Fasern zurückführt"),
        ("Späne zu Sinterpulver", "eine Aufbereitung von Aluminiumspänen zu Pulver für den 3D-Druck"),
        ("Mehrweg-Transportsystem", "ein Pfandsystem für Industrieverpackungen zwischen Zulieferern"),
    ],
}


@dataclass(frozen=True)
class SeedResult:
    created: bool
    edition: Edition
    organiser: User
    jurors: list[User]
    applicants: list[User]
    notes: list[str] = field(default_factory=list)


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
            slug="ind-2026",
            description=(
                "Der Industriewettbewerb des Masterplans Südwestsachsen sucht Unternehmen aus Chemnitz, Zwickau, "
                "dem Erzgebirge, dem Vogtland und Mittelsachsen, die Industrie neu denken."
            ),
            dates=dates,
            max_employees=249,
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
    _seed_entries(edition, plan, applicant_users, seed=seed, now=now)
    notes = _seed_jury(edition, plan, juror_users, organiser, seed=seed, now=now)
    return SeedResult(created=True, edition=edition, organiser=organiser, jurors=juror_users,
                      applicants=applicant_users, notes=notes)


def demo_pdf(title: str, lines: list[str]) -> bytes:
    """A small, real one-page PDF (Pillow draws the page; pypdf and every viewer open it)."""
    from PIL import Image, ImageDraw

    page = Image.new("RGB", (595, 842), "white")
    draw = ImageDraw.Draw(page)
    draw.rectangle((0, 0, 595, 60), fill=(11, 92, 138))
    draw.text((40, 22), "Industrie. Neu. Denken.", fill="white")
    draw.text((40, 100), title, fill="black")
    for index, line in enumerate(lines):
        draw.text((40, 140 + 20 * index), line, fill=(60, 60, 60))
    buffer = io.BytesIO()
    page.save(buffer, "PDF", resolution=72.0)
    return buffer.getvalue()


def demo_png(label: str, seed: int) -> bytes:
    from PIL import Image, ImageDraw

    rng = random.Random(seed)
    image = Image.new("RGB", (320, 200), (rng.randint(200, 255), rng.randint(200, 255), rng.randint(200, 255)))
    draw = ImageDraw.Draw(image)
    for _ in range(6):
        x, y = rng.randint(0, 280), rng.randint(0, 160)
        draw.ellipse((x, y, x + 40, y + 40), outline=(11, 92, 138), width=3)
    draw.text((10, 180), label[:40], fill="black")
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


def _seed_entries(edition: Edition, plan: DemoPlan, users: list[User], *, seed: int, now: datetime) -> None:
    """A company per applicant and an entry each; most are submitted with a PDF and a picture, some stay drafts."""
    from ..entries import attachments as attachment_services
    from ..entries import services as entry_services
    from ..entries.models import District, TurnoverBand

    rng = random.Random(seed + 1)
    categories = list(edition.categories)
    for index, (person, user) in enumerate(zip(plan.applicants, users, strict=True)):
        name, _sep, legal_form = person.organisation.rpartition(" ")
        if legal_form in ("KG", "AG") and name.endswith("& Co."):
            name, legal_form = name.removesuffix(" & Co."), "GmbH & Co. KG"
        employees = rng.choice([8, 25, 60, 140, 230, 480])
        company = entry_services.create_company(
            data={
                "legal_name": person.organisation, "legal_form": legal_form, "street": f"Industriestraße {index + 1}",
                "postal_code": POSTAL_CODES[person.region], "city": person.town,
                "district": District(DISTRICTS[person.region]), "employees": employees,
                "turnover_band": rng.choice(list(TurnoverBand)), "industry": name.split(" ")[-1],
                "website": f"https://{person.email.split('@')[1]}", "contact_name": person.full_name,
                "contact_email": person.email, "contact_phone": f"0371 {rng.randint(100000, 999999)}",
            },
            by=user, now=now,
        )
        category = categories[index % len(categories)]
        title, what = rng.choice(IDEAS[category.name])
        entry = entry_services.create_entry(company=company, category=category, by=user, now=now)
        entry_services.save_draft(
            entry=entry,
            data=entry_services.EntryInput(category_id=None, answers={}, core={
                "title": title,
                "summary": f"{person.organisation} entwickelt {what}.",
                "description": f"<p>{person.organisation} aus {person.town} hat {what} entwickelt.</p>"
                               "<p>Die Lösung verbindet vorhandenes Fertigungswissen mit neuen Werkstoffen und "
                               "Daten aus dem laufenden Betrieb.</p>",
                "implementation": rng.choice(["Prototyp im Test beim Pilotkunden.", "Seit sechs Monaten im "
                                              "Serieneinsatz.", "Pilotanlage in Betrieb, Markteinführung 2027."]),
                "regional_benefit": f"{rng.randint(3, 40)} neue Arbeitsplätze in {person.town}; Zulieferer aus "
                                    "Südwestsachsen.",
                "sustainability": f"{rng.randint(10, 60)} % weniger Material- und Energieeinsatz.",
                "video_url": "",
            }),
            lock_version=None, by=user, now=now,
        )
        if index % 5 == 4:
            continue  # a draft, to show the dashboard's "what is missing"
        attachment_services.add_attachment(
            entry=entry, stream_or_file=demo_pdf(title, [person.organisation, person.town, what]),
            filename=f"Projektbeschreibung {index + 1}.pdf", by=user, now=now,
        )
        attachment_services.add_attachment(
            entry=entry, stream_or_file=demo_png(title, seed + index), filename="Foto Prototyp.png", by=user, now=now,
        )
        entry_services.submit_entry(entry=entry, consent=True, lock_version=None, by=user, now=now)


def _seed_jury(edition: Edition, plan: DemoPlan, jurors: list[User], organiser: User, *, seed: int,
               now: datetime) -> list[str]:
    """Juror profiles with expertise, the eligibility check done, and the preliminary round assigned.
    Returns notes for the operator (e.g. why the round could not be assigned)."""
    from ..entries import services as entry_services
    from ..entries.models import Entry, EntryStatus
    from ..judging import services as jury_services

    rng = random.Random(seed + 2)
    categories = list(edition.categories)
    for index, (person, user) in enumerate(zip(plan.jurors, jurors, strict=True)):
        expertise = [categories[index % len(categories)].id]
        if rng.random() < 0.4:
            expertise.append(categories[(index + 1) % len(categories)].id)
        jury_services.save_profile(
            user=user,
            data=jury_services.ProfileData(
                organisation=person.organisation, position=rng.choice(["Professur", "Geschäftsführung",
                                                                       "Leitung Innovation", "Referat Industrie"]),
                employer_domains=[slugify(person.organisation) + ".example"], former_employers=[],
                capacity=rng.choice([8, 10, 12, 15]), expertise=expertise),
            by=user, now=now,
        )
    submitted = db.session.scalars(db.select(Entry).where(Entry.edition_id == edition.id,
                                                          Entry.status == EntryStatus.SUBMITTED)).all()
    for entry in submitted:
        entry_services.decide_eligibility(entry=entry, eligible=True, reason="Teilnahmebedingungen erfüllt.",
                                          by=organiser, now=now)
    if submitted and jurors and edition.rounds:
        preliminary = edition.rounds[0]
        try:
            preview = jury_services.plan_round(judging_round=preliminary)
        except jury_services.AssignmentImpossible as exc:
            return [f"Vorauswahl nicht zugewiesen: {exc.message}"]
        jury_services.apply_plan(judging_round=preliminary, digest=preview.digest, by=organiser, now=now)
        return [f"Vorauswahl zugewiesen: {len(preview.plan.assignments)} Zuweisungen, "
                f"{preview.plan.entries_without_expert} Beiträge ohne Fachjuror."]
    return []
