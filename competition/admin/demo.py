"""A realistic, deterministic demo edition: plan it from a seed (pure), then apply it through the services."""

from __future__ import annotations

import io
import random
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from ..accounts import queries as account_queries
from ..accounts import services as account_services
from ..accounts.models import Role, User
from ..accounts.passwords import hash_password
from ..core.clock import berlin_midnight
from ..core.slugs import slugify
from ..editions import services as edition_services
from ..editions.conditions import publish_conditions
from ..editions.models import Edition
from ..editions.phases import PhaseDates
from ..editions.scales import Scale
from ..extensions import db

EDITION_NAME = "Industrie. Neu. Denken. 2026"
DEMO_PASSWORD = "Demo-Zugang-2026!"  # noqa: S105  # nosec B105  # printed for the demo, not a secret
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


DEMO_CONDITIONS = (
    "## Teilnahmebedingungen\n\n"
    "1. Teilnehmen können Unternehmen mit Sitz oder Betriebsstätte in Südwestsachsen (Chemnitz, Landkreis Zwickau, "
    "Erzgebirgskreis, Vogtlandkreis, Landkreis Mittelsachsen) mit höchstens 249 Beschäftigten.\n"
    "2. Jeder Beitrag beschreibt eine Innovation, die bereits umgesetzt ist oder deren Umsetzung begonnen hat.\n"
    "3. Die Jury entscheidet unabhängig; der Rechtsweg ist ausgeschlossen.\n"
    "4. Ausgezeichnete Beiträge werden mit Unternehmensname, Titel und Kurzfassung veröffentlicht.\n"
)


def plan_demo(*, entries: int, jurors: int, seed: int) -> DemoPlan:
    """Who the demo has. Pure and deterministic: the same arguments give the same people."""
    rng = random.Random(seed)
    used_companies: set[str] = set()
    applicants = []
    for index in range(entries):
        region = REGIONS[index % len(REGIONS)]
        town = rng.choice(TOWNS[region])
        attempts = 0
        while True:
            base = f"{rng.choice([town, rng.choice(LAST_NAMES)])} {rng.choice(COMPANY_STEMS)}"
            attempts += 1
            if attempts > 200:  # the ~740 name pairs are used up (large demos): number the company
                base = f"{base} {index + 1}"
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
    existing = account_queries.get_user_by_email(person_email)
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
        people = [account_queries.get_user_by_email(p.email) for p in plan.jurors + plan.applicants]
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
    publish_conditions(edition=edition, body=DEMO_CONDITIONS, pdf=None, pdf_name="", by=organiser, now=now)
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
    from ..entries import company_services as entry_company_services
    from ..entries import services as entry_services
    from ..entries.models import District, TurnoverBand

    rng = random.Random(seed + 1)
    categories = list(edition.categories)
    for index, (person, user) in enumerate(zip(plan.applicants, users, strict=True)):
        name, _sep, legal_form = person.organisation.rpartition(" ")
        if legal_form in ("KG", "AG") and name.endswith("& Co."):
            name, legal_form = name.removesuffix(" & Co."), "GmbH & Co. KG"
        employees = rng.choice([8, 25, 60, 140, 230, 480])
        company = entry_company_services.create_company(
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


# --- scores for the preliminary round (`flask demo seed --scored`) ---------------------------------------------------

SHEET_SUBMITTED = "submitted"
SHEET_DRAFT = "draft"
SHEET_NOT_STARTED = "not_started"

# Short remarks by criterion and level (low, middle, high); any other criterion uses GENERAL_REMARKS.
REMARKS = {
    "Innovationsgrad": (
        ["Ähnliche Lösungen sind am Markt bereits verbreitet.", "Die Neuheit gegenüber dem Stand der Technik "
         "bleibt unklar."],
        ["Sinnvolle Weiterentwicklung, aber kein grundlegend neuer Ansatz.", "Neu für die Branche in der Region."],
        ["Echte Alleinstellung, so habe ich das noch nicht gesehen.", "Technisch mutig und klar vom Wettbewerb "
         "abgegrenzt."],
    ),
    "Wirtschaftliches Potenzial": (
        ["Zum Markt und zu den Kunden fehlen belastbare Zahlen.", "Geschäftsmodell ist noch nicht erkennbar."],
        ["Solider Teilmarkt, Wachstum eher begrenzt.", "Erste Kunden vorhanden, Umsatzplanung vorsichtig."],
        ["Großer Markt, Pilotkunden bestätigen den Nutzen.", "Überzeugende Zahlen zu Umsatz und Beschäftigung."],
    ),
    "Nachhaltigkeit": (
        ["Ökologische Wirkung wird nur behauptet, nicht belegt.", "Kaum Bezug zu Ressourcen oder Energie."],
        ["Messbare Einsparung in einem Bereich.", "Material- und Energieeinsatz sinken spürbar."],
        ["Deutliche, gut belegte Einsparungen über den ganzen Lebenszyklus.", "Vorbildlich im Kreislauf gedacht."],
    ),
    "Regionale Wirkung": (
        ["Bezug zu Südwestsachsen ist gering.", "Wertschöpfung findet überwiegend außerhalb der Region statt."],
        ["Einige neue Arbeitsplätze vor Ort.", "Zulieferer aus der Region sind eingebunden."],
        ["Starker Impuls für Zulieferer und Fachkräfte in der Region.", "Gute Kooperation mit Hochschulen vor Ort."],
    ),
    "Umsetzbarkeit": (
        ["Zeitplan und Finanzierung sind nicht belastbar.", "Noch im Ideenstadium."],
        ["Pilot läuft, die Skalierung ist noch offen.", "Plan ist nachvollziehbar, Risiken benannt."],
        ["Bereits im Serieneinsatz.", "Team und Ressourcen passen, Markteinführung steht kurz bevor."],
    ),
}
GENERAL_REMARKS = (
    ["Hier bleibt der Beitrag hinter den anderen zurück.", "Zu wenig belegt."],
    ["Ordentlich, aber ohne besondere Stärke.", "Im Mittelfeld der Beiträge."],
    ["Überzeugend dargestellt.", "Eine klare Stärke des Beitrags."],
)
OVERALL_REMARKS = (
    ["Insgesamt noch nicht reif für das Finale.", "Interessanter Ansatz, aber zu viele offene Fragen."],
    ["Solider Beitrag, für das Finale eher knapp.", "Guter Ansatz, der Nachweis der Wirkung fehlt noch."],
    ["Klare Empfehlung für das Finale.", "Einer der stärksten Beiträge in dieser Kategorie."],
)
FEEDBACK_REMARKS = (
    "Beschreiben Sie den Nutzen für Ihre Kunden mit Zahlen aus dem Pilotbetrieb.",
    "Die Jury hätte gern mehr über Ihre Partner in der Region erfahren.",
    "Ein Zeitplan bis zur Markteinführung würde Ihren Beitrag stärken.",
    "Vielen Dank für die anschauliche Darstellung Ihrer Lösung.",
)


@dataclass(frozen=True)
class PlannedSheet:
    """What a juror's sheet looks like in the demo: values in criterion order (None: not scored yet)."""

    state: str  # SHEET_SUBMITTED, SHEET_DRAFT or SHEET_NOT_STARTED
    values: tuple[Decimal | None, ...]
    comments: tuple[str, ...]
    overall_comment: str = ""
    feedback: str = ""


def juror_leniency(jurors: list[str], *, seed: int) -> dict[str, float]:
    """How much a juror scores above (+) or below (−) the jury, in scale points. About one in seven is lenient
    (+1 to +1,5), as many are harsh (around −1), the rest lie near 0; with two or more jurors there is at least
    one of each. Pure and deterministic: by juror key (e-mail) and seed, independent of database ids."""
    rng = random.Random(f"{seed}:leniency")
    order = sorted(set(jurors))
    rng.shuffle(order)
    extremes = max(1, round(len(order) / 7)) if len(order) >= 2 else 0
    leniency = {}
    for index, juror in enumerate(order):
        if index < extremes:
            leniency[juror] = rng.uniform(1.0, 1.5)
        elif index < 2 * extremes:
            leniency[juror] = rng.uniform(-1.2, -0.8)
        else:
            leniency[juror] = rng.gauss(0, 0.25)
    return leniency


def _on_scale(raw: float, scale: Scale) -> Decimal:
    steps = round((raw - float(scale.minimum)) / float(scale.step))
    top = int((scale.maximum - scale.minimum) / scale.step)
    return scale.minimum + min(max(steps, 0), top) * scale.step


def _level(value: Decimal, scale: Scale) -> int:
    share = (value - scale.minimum) / (scale.maximum - scale.minimum)
    return 0 if share < Decimal("0.4") else 1 if share < Decimal("0.7") else 2


def plan_scores(*, pairs: list[tuple[str, str]], criteria: list[str], scale: Scale, seed: int
                ) -> dict[tuple[str, str], PlannedSheet]:
    """Realistic sheets for (juror key, entry key) pairs. Pure and deterministic.

    Each entry has a latent quality and a profile over the criteria, each juror a leniency, each score some noise;
    the sum is clipped and rounded to the scale and its step. About 85 % of the sheets are submitted, most of the
    rest are drafts scored part of the way, a few are not started. Some criteria get a short comment.
    """
    leniency = juror_leniency([juror for juror, _entry in pairs], seed=seed)
    middle = float(scale.minimum + scale.maximum) / 2
    spread = float(scale.maximum - scale.minimum) / 10  # 1 point on a 0–10 scale
    quality: dict[str, tuple[float, list[float]]] = {}
    for _juror, entry in pairs:
        if entry not in quality:
            rng = random.Random(f"{seed}:entry:{entry}")
            quality[entry] = (middle + spread * rng.gauss(0.5, 1.5), [spread * rng.gauss(0, 0.8) for _ in criteria])
    planned = {}
    for juror, entry in pairs:
        rng = random.Random(f"{seed}:sheet:{juror}:{entry}")
        base, profile = quality[entry]
        values = [_on_scale(base + offset + spread * (leniency[juror] + rng.gauss(0, 0.7)), scale)
                  for offset in profile]
        chance = rng.random()
        state = SHEET_SUBMITTED if chance < 0.85 else SHEET_DRAFT if chance < 0.96 else SHEET_NOT_STARTED
        if state == SHEET_NOT_STARTED:
            planned[(juror, entry)] = PlannedSheet(state=state, values=(None,) * len(criteria),
                                                   comments=("",) * len(criteria))
            continue
        scored = len(criteria) if state == SHEET_SUBMITTED else rng.randint(1, max(1, len(criteria) - 1))
        comments = []
        for index, (name, value) in enumerate(zip(criteria, values, strict=True)):
            bank = REMARKS.get(name, GENERAL_REMARKS)[_level(value, scale)]
            comments.append(rng.choice(bank) if index < scored and rng.random() < 0.3 else "")
        overall = feedback = ""
        if state == SHEET_SUBMITTED:
            mean = sum(values, Decimal(0)) / len(values)
            if rng.random() < 0.6:
                overall = rng.choice(OVERALL_REMARKS[_level(mean, scale)])
            if rng.random() < 0.3:
                feedback = rng.choice(FEEDBACK_REMARKS)
        planned[(juror, entry)] = PlannedSheet(
            state=state, values=tuple(v if i < scored else None for i, v in enumerate(values)),
            comments=tuple(comments), overall_comment=overall, feedback=feedback)
    return planned


@dataclass(frozen=True)
class ScoreSeedResult:
    scored: int  # sheets created now
    submitted: int  # of which submitted
    drafts: int  # of which drafts
    not_started: int  # assignments left without a sheet on purpose
    existing: int  # assignments that had a sheet already (left as they are)
    phase_set: bool  # the edition was put into the jury phase now
    blocked: int = 0  # assignments whose juror has a conflict with the company by now (left alone)


def _entry_key(entry) -> str:
    return entry.number or f"entry-{entry.id}"


def seed_scores(*, edition: Edition, organiser: User, seed: int, now: datetime) -> ScoreSeedResult:
    """Score the preliminary round through the services (conflict confirmation, save, submit), so history, audit
    trail and round lock are as in real use. Only assignments without a sheet get one: running it again adds
    nothing, and a sheet a person has started is never touched."""
    from ..editions.phases import Phase
    from ..judging import queries as jury_queries
    from ..judging import services as jury_services
    from ..judging import sheets as sheet_services

    if not edition.rounds:
        return ScoreSeedResult(0, 0, 0, 0, 0, False)
    preliminary = edition.rounds[0]
    criteria = list(preliminary.criteria)
    assignments = jury_queries.current_assignments(preliminary)
    keys = {a.id: (a.user.email, _entry_key(a.entry)) for a in assignments}
    plan = plan_scores(pairs=list(keys.values()), criteria=[c.name for c in criteria], scale=preliminary.scale,
                       seed=seed)
    todo, existing, blocked = [], 0, 0
    for assignment in assignments:
        if sheet_services.sheet_for(assignment) is not None:
            existing += 1
        elif jury_services.is_conflicted(assignment.user, assignment.entry):
            blocked += 1  # a conflict declared after the assignment: the juror may not score it
        elif plan[keys[assignment.id]].state != SHEET_NOT_STARTED:
            todo.append(assignment)
    not_started = len(assignments) - existing - blocked - len(todo)
    phase_set = False
    if todo and not edition.flags(now).scoring_open:
        edition_services.set_phase_override(edition=edition, phase=Phase.JURY, by=organiser, now=now)
        phase_set = True
    submitted = drafts = 0
    for assignment in todo:
        planned = plan[keys[assignment.id]]
        juror = assignment.user
        sheet = sheet_services.confirm_no_conflict(assignment=assignment, by=juror, now=now)
        data = sheet_services.SheetInput(
            values={c.id: format(v, "f") for c, v in zip(criteria, planned.values, strict=True) if v is not None},
            comments={c.id: text for c, text in zip(criteria, planned.comments, strict=True) if text},
            overall_comment=planned.overall_comment, feedback=planned.feedback)
        sheet = sheet_services.save_sheet(assignment=assignment, data=data, version=sheet.version, by=juror, now=now)
        if planned.state == SHEET_SUBMITTED:
            sheet_services.submit_sheet(assignment=assignment, version=sheet.version, by=juror, now=now)
            submitted += 1
        else:
            drafts += 1
    return ScoreSeedResult(scored=len(todo), submitted=submitted, drafts=drafts, not_started=not_started,
                           existing=existing, phase_set=phase_set, blocked=blocked)
