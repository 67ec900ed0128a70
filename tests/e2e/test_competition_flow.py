"""The whole competition in a real browser, as its users would go through it (issue 8, "End-to-end").

One long test walks an edition from its set-up to the public results and a certificate's verification page: the
organiser, two companies and three jurors, each in their own browser context; every mail goes through a real SMTP
server (aiosmtpd on 127.0.0.1) and the links are read from the received messages. The database is used only for time
travel (the submission deadline) and for reading which entries the planner gave to whom.

Two short tests: the score sheet works without JavaScript; the login form and the score sheet are usable by
keyboard (visible focus, every field labelled).
"""

from __future__ import annotations

import re
import socket
from datetime import timedelta
from decimal import Decimal
from urllib.parse import parse_qs
from zoneinfo import ZoneInfo

import pytest
from aiosmtpd.controller import Controller
from playwright.sync_api import Page, expect
from pypdf import PdfReader
from sqlalchemy import select

from competition.accounts.models import Role, User
from competition.core.clock import utcnow
from competition.editions.models import Edition, JudgingRound
from competition.editions.phases import Phase
from competition.entries.models import Entry, EntryStatus
from competition.entries.services import submit_entry
from competition.extensions import db
from competition.judging import services as judging
from competition.judging.models import Assignment
from tests.conftest import PASSWORD

from .flows import SmtpInbox, log_in
from .test_entries_flow import pdf_bytes

pytestmark = pytest.mark.e2e

BERLIN = ZoneInfo("Europe/Berlin")
EDITION = "Industrie. Neu. Denken. 2027"
ORGANISER = "olga@masterplan.example"

JURORS = [  # (e-mail, name)
    ("prof.weber@tu-chemnitz.example", "Prof. Dr. Petra Weber"),
    ("m.krause@ihk-chemnitz.example", "Matthias Krause"),
    ("l.vogt@sab.example", "Dr. Lena Vogt"),
]

COMPANY_A = {
    "email": "anna.schubert@spannwerk-erzgebirge.example", "name": "Anna Schubert",
    "company": "Spannwerk Erzgebirge GmbH", "city": "Annaberg-Buchholz", "postal": "09456",
    "district": "Erzgebirgskreis", "title": "Adaptive Spannvorrichtung für Kleinserien",
}
COMPANY_B = {
    "email": "jan.richter@drehteile-zwickau.example", "name": "Jan Richter",
    "company": "Drehteile Zwickau GmbH", "city": "Zwickau", "postal": "08056",
    "district": "Landkreis Zwickau", "title": "Kühlschmierstoff-Kreislauf ohne Abfall",
}
LATE_TITLE = "Digitaler Zwilling der Drehmaschine"
TEXTS = {
    "Kurzbeschreibung": "Eine Lösung aus eigener Entwicklung, seit einem Jahr im Einsatz.",
    "Beschreibung der Innovation": "Sensoren und eine eigene Steuerung machen den Prozess schneller und sparsamer.",
    "Stand der Umsetzung": "Pilotbetrieb seit März bei zwei Kunden in Sachsen.",
    "Nutzen für die Region": "Neue Arbeitsplätze in Sachsen, Zulieferer aus der Region.",
}
# Scores per entry title and round: (first criterion, second criterion).
FIRST_ROUND = {COMPANY_A["title"]: ("8", "7"), COMPANY_B["title"]: ("6", "5,5")}
FINAL_ROUND = {COMPANY_A["title"]: ("9", "8"), COMPANY_B["title"]: ("7", "6")}
WINNER_REASON = "Die Vorrichtung verkürzt das Rüsten auf Minuten und ist in der Region gefertigt."
MENTION_REASON = "Ein konsequenter Kreislauf für Kühlschmierstoffe, der anderen Betrieben als Vorbild dient."


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def smtp_inbox():
    """A real SMTP server on 127.0.0.1; yields (port, inbox)."""
    inbox = SmtpInbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=_free_port())
    controller.start()
    try:
        yield controller.port, inbox
    finally:
        controller.stop()


@pytest.fixture
def live_app(app, make_app, smtp_inbox):
    """The served app, as in production: CSRF on and mail sent over SMTP (to `smtp_inbox`)."""
    port, _inbox = smtp_inbox
    return make_app(WTF_CSRF_ENABLED=True, MAIL_BACKEND="smtp", MAIL_SERVER="127.0.0.1", MAIL_PORT=port,
                    JOBS_BACKEND="inline",  # background jobs in-process, even when REDIS_URL is set
                    MAIL_TIMEOUT=5, MAIL_DEFAULT_SENDER="Wettbewerb <wettbewerb@ind.example>",
                    # Static files cached as a web server in front of the app would (the suite's speed: no five
                    # revalidations per page on this 2-core machine).
                    SEND_FILE_MAX_AGE_DEFAULT=3600)


def berlin(moment) -> str:
    """A datetime-local value as the organiser types it: Berlin time."""
    return moment.astimezone(BERLIN).strftime("%Y-%m-%dT%H:%M")


def flash(page: Page):
    """The flashed message at the top of the page."""
    return page.locator(".flashes").get_by_role("status").first


def fresh(model, **where):
    """Read a row as the live server committed it (the test's session may hold an older copy)."""
    db.session.expire_all()
    return db.session.scalars(select(model).filter_by(**where)).one()


FIELDS = "input:not([type=hidden]), select, textarea"


def unlabelled_fields(page: Page) -> list[str]:
    """The form fields without an accessible name from a <label>, aria-label or aria-labelledby, and every id used
    twice on the page (a label or an anchor then points at the wrong element)."""
    unlabelled = page.locator(FIELDS).evaluate_all("""fields => fields.filter(f => {
        if (f.getAttribute('aria-label') || f.getAttribute('aria-labelledby')) return false;
        if (f.labels && [...f.labels].some(l => l.textContent.trim())) return false;
        return true;
    }).map(f => f.outerHTML)""")
    duplicates = page.evaluate("""() => {
        const seen = new Map();
        for (const e of document.querySelectorAll('[id]:not(input[type=hidden])')) {
            seen.set(e.id, (seen.get(e.id) || 0) + 1);
        }
        return [...seen].filter(([id, n]) => n > 1).map(([id, n]) => `id="${id}" ×${n}`);
    }""")
    return unlabelled + duplicates


# --- steps ----------------------------------------------------------------------------------------------------------

def dashboard(page: Page, base: str) -> None:
    """The organiser starts from the dashboard, as the office does every morning."""
    page.goto(f"{base}/organisation/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Übersicht")


def set_phase(page: Page, base: str, edition_id: int, phase: str, label: str) -> None:
    dashboard(page, base)
    page.get_by_role("link", name="Ausschreibung verwalten").click()
    expect(page).to_have_url(f"{base}/organisation/editions/{edition_id}")
    page.get_by_label("Phase manuell festlegen").select_option(phase)
    page.get_by_role("button", name="Phase übernehmen").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Phase wechseln?")  # says what follows, then asks
    page.get_by_role("button", name="Phase wechseln").click()
    expect(flash(page)).to_have_text(f"Die Phase ist jetzt von Hand auf „{label}“ gesetzt.")
    dashboard(page, base)
    expect(page.locator(".timeline [aria-current=step]")).to_contain_text(label)


def add_round(page: Page, name: str, scale: tuple[str, str, str], jurors: str, deadline: str,
              criteria: list[tuple[str, str]]) -> None:
    page.get_by_role("button", name="Bewertungsrunde hinzufügen").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Neue Bewertungsrunde")
    page.get_by_label("Name der Bewertungsrunde").fill(name)
    for label, value in zip(("Skala von", "Skala bis", "Schrittweite"), scale, strict=True):
        page.get_by_label(label).fill(value)
    page.get_by_label("Jurymitglieder pro Beitrag").fill(jurors)
    page.get_by_label("Bewertungsfrist").fill(deadline)
    page.get_by_role("button", name="Speichern").click()
    expect(flash(page)).to_contain_text(f"Die Bewertungsrunde „{name}“ wurde angelegt.")
    for criterion, weight in criteria:
        page.get_by_role("button", name="Kriterium hinzufügen").click()
        page.get_by_label("Name des Kriteriums").fill(criterion)
        page.get_by_label("Gewichtung").fill(weight)
        page.get_by_role("button", name="Speichern").click()
        expect(flash(page)).to_have_text(f"Das Kriterium „{criterion}“ wurde angelegt.")
    expect(page.locator("table tbody tr")).to_have_count(len(criteria))
    page.get_by_role("link", name=EDITION).first.click()


def register_and_verify(page: Page, base: str, inbox: SmtpInbox, company: dict) -> None:
    page.goto(base + "/register")
    page.get_by_label("Vor- und Nachname").fill(company["name"])
    page.get_by_label("Geschäftliche E-Mail-Adresse").fill(company["email"])
    page.get_by_label("Passwort", exact=True).fill(PASSWORD)
    page.get_by_label("Passwort wiederholen").fill(PASSWORD)
    page.get_by_label("Datenschutzerklärung zur Kenntnis genommen").check()
    page.get_by_role("button", name="Konto anlegen").click()
    expect(page.get_by_role("heading", name="Bitte prüfen Sie Ihr Postfach")).to_be_visible()
    assert inbox.subjects(company["email"]) == ["Bitte bestätigen Sie Ihre E-Mail-Adresse"]
    page.goto(inbox.link("/verify/", to=company["email"], base_url=base))
    expect(flash(page)).to_contain_text("Ihre E-Mail-Adresse ist bestätigt")
    log_in(page, base, company["email"])
    expect(page).to_have_url(base + "/dashboard")


def fill_company_profile(page: Page, company: dict) -> None:
    page.get_by_role("button", name="Unternehmensprofil anlegen").click()
    page.get_by_label("Name des Unternehmens (laut Handelsregister)").fill(company["company"])
    page.get_by_label("Rechtsform").select_option("GmbH")
    page.get_by_label("Straße und Hausnummer").fill("Industriestraße 7")
    page.get_by_label("Postleitzahl").fill(company["postal"])
    page.get_by_label("Ort", exact=True).fill(company["city"])
    page.get_by_label("Landkreis oder kreisfreie Stadt").select_option(label=company["district"])
    page.get_by_label("Anzahl der Beschäftigten").fill("60")
    page.get_by_label("Jahresumsatz").select_option(label="2 bis 10 Mio. €")
    page.get_by_label("Branche").fill("Maschinenbau")
    page.get_by_role("button", name="Profil speichern").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Beiträge von {company['company']}")


def draft_entry(page: Page, category: str, title: str) -> None:
    """Create an entry and type it; the draft is saved by the autosave (no button pressed), then a reload shows it."""
    page.get_by_label("Kategorie").select_option(label=f"{category} ({EDITION})")
    page.get_by_role("button", name="Beitrag anlegen").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Beitrag bearbeiten")
    assert unlabelled_fields(page) == []
    def saves_everything(response) -> bool:  # the autosave that carries the last field typed
        if not (response.url.endswith("/autosave") and response.request.method == "POST"):
            return False
        form = parse_qs(response.request.post_data or "")
        return form.get("title") == [title] and form.get("regional_benefit") == [TEXTS["Nutzen für die Region"]]

    with page.expect_response(saves_everything) as saved:
        page.get_by_label("Titel des Beitrags").fill(title)
        for label, text in TEXTS.items():
            page.get_by_label(label, exact=True).fill(text)
        page.keyboard.press("Tab")  # leaving the field saves at once ("change"), instead of after a typing pause
    assert saved.value.ok
    expect(page.locator("#autosave-status")).to_contain_text("Entwurf automatisch gespeichert")
    page.reload()
    expect(page.get_by_label("Titel des Beitrags")).to_have_value(title)


def upload_pdf(page: Page, name: str) -> None:
    anlagen = page.locator("#anlagen")
    anlagen.get_by_label("Datei", exact=True).set_input_files(
        files=[{"name": name, "mimeType": "application/pdf", "buffer": pdf_bytes()}])
    anlagen.get_by_role("button", name="Hochladen").click()
    expect(anlagen.get_by_role("status")).to_contain_text(f"Die Anlage „{name}“ (")


def to_submit_page(page: Page, title: str) -> None:
    page.get_by_role("button", name="Speichern und weiter zur Einreichung").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Beitrag einreichen")
    expect(page.get_by_text(f"Ihr Beitrag „{title}“")).to_be_visible()
    page.get_by_label("Ich stimme den Teilnahmebedingungen").check()


def accept_invitation(page: Page, base: str, inbox: SmtpInbox, email: str, name: str) -> None:
    page.goto(inbox.link("/invitation/", to=email, base_url=base))
    expect(page.get_by_label("Vor- und Nachname")).to_have_value(name)
    page.get_by_label("Passwort", exact=True).fill(PASSWORD)
    page.get_by_label("Passwort wiederholen").fill(PASSWORD)
    page.get_by_label("Datenschutzerklärung zur Kenntnis genommen").check()
    page.get_by_role("button", name="Konto anlegen und Einladung annehmen").click()
    expect(flash(page)).to_have_text("Willkommen! Die Einladung ist angenommen.")
    expect(page).to_have_url(base + "/jury")


def assign_automatically(page: Page, base: str, edition_id: int, round_id: int, *, capacity: str,
                         expected_new: int, round_name: str) -> None:
    """The organiser follows the dashboard's to-do "… haben weniger als … Jurymitglieder" to the round's assignment
    page, chooses the round's jurors and capacities, previews the automatic plan and applies it."""
    dashboard(page, base)
    todo = page.locator('li[data-todo="understaffed"]').filter(has_text=round_name)
    todo.get_by_role("link", name="Zuweisen").click()
    expect(page).to_have_url(f"{base}/organisation/editions/{edition_id}/rounds/{round_id}/assignments")
    if capacity:
        for _email, name in JURORS:
            page.get_by_label(f"Kapazität von {name}").fill(capacity)
        page.get_by_role("button", name="Auswahl speichern").click()
        expect(flash(page)).to_have_text(f"{len(JURORS)} Jurymitglieder nehmen an dieser Runde teil.")
    page.get_by_role("button", name="Vorschau berechnen").click()
    preview = page.locator("#vorschau")
    expect(preview.get_by_role("heading", level=2)).to_have_text("Vorschau der automatischen Zuweisung")
    expect(preview.get_by_role("heading", name="Je Jurymitglied")).to_be_visible()
    expect(preview).to_contain_text(f"Neue Zuweisungen: {expected_new}")
    expect(preview).to_contain_text("Noch ist nichts gespeichert.")
    assert unlabelled_fields(page) == []
    preview.get_by_role("button", name="Vorschau übernehmen").click()
    expect(flash(page)).to_have_text(f"Die Zuweisung ist gespeichert: {expected_new} neu, 0 entfernt.")
    expect(page.get_by_text("fehlt", exact=True)).to_have_count(0)  # every entry has its jurors


def score(page: Page, base: str, round_name: str, title: str, values: tuple[str, str], expected_total: str) -> None:
    """A juror opens the sheet from the dashboard, confirms no conflict, types (autosaved draft), then submits."""
    page.goto(base + "/jury")
    section = page.locator("section").filter(has=page.get_by_role("heading", name=f"{EDITION} – {round_name}"))
    section.get_by_role("link", name=title).click()
    page.get_by_role("button", name="Ich bin nicht befangen").click()
    expect(flash(page)).to_have_text("Danke. Sie können jetzt bewerten.")
    inputs = page.get_by_label("Punkte")
    expect(inputs).to_have_count(2)
    assert unlabelled_fields(page) == []
    inputs.nth(0).fill(values[0])
    inputs.nth(1).fill(values[1])
    # Leaving the field saves the draft (htmx "change"; typing alone saves after a pause), and no autosave is left
    # pending to race the submit below.
    page.keyboard.press("Tab")
    status = page.locator("#sheet-status")
    expect(status).to_contain_text("Entwurf gespeichert", timeout=8000)
    expect(status).to_contain_text(expected_total)
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Bewertung einreichen").click()
    expect(page.get_by_role("status").filter(has_text="Ihre Bewertung ist eingereicht")).to_be_visible()
    expect(inputs.nth(0)).to_be_disabled()


def assignments_of(round_id: int) -> dict[str, list[str]]:
    """juror e-mail → titles of the entries assigned in this round (read from the database)."""
    db.session.expire_all()
    rows = db.session.execute(select(User.email, Entry.title).join(Assignment, Assignment.user_id == User.id)
                              .join(Entry, Entry.id == Assignment.entry_id)
                              .where(Assignment.round_id == round_id).order_by(Entry.title, User.email)).all()
    result: dict[str, list[str]] = {email: [] for email, _name in JURORS}
    for email, title in rows:
        result[email].append(title)
    return result


def pdf_text(path) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(path).pages)


def freeze(page: Page, base: str, edition_id: int, round_name: str) -> str:
    """Freeze the round's ranking on the rankings page; returns the snapshot's SHA-256 shown on the page."""
    dashboard(page, base)
    menu = page.get_by_role("navigation", name="Organisation")
    menu.get_by_text("Ergebnisse", exact=True).click()  # opens the group
    menu.get_by_role("link", name="Ranglisten und Veröffentlichung").click()
    expect(page).to_have_url(f"{base}/organisation/editions/{edition_id}/rankings")
    page.get_by_role("navigation", name="Bewertungsrunden").get_by_role("link", name=round_name).click()
    expect(page.get_by_role("heading", level=2, name=round_name)).to_be_visible()
    page.get_by_role("button", name="Rangliste berechnen und einfrieren").click()
    expect(flash(page)).to_contain_text("Rangliste eingefroren. Prüfsumme (SHA-256): ")
    digest = page.locator("dd code.hash").first.inner_text().strip()
    assert re.fullmatch(r"[0-9a-f]{64}", digest), digest
    expect(flash(page)).to_contain_text(digest)
    expect(page.locator("dd .badge").first).to_have_text("geprüft")
    return digest


# --- the competition --------------------------------------------------------------------------------------------

def test_the_whole_competition(live_server, live_app, smtp_inbox, make_user, new_page, screenshot):
    _port, inbox = smtp_inbox
    base = live_server
    live_app.config["BASE_URL"] = base  # the public address, as production sets it (certificate QR codes)
    make_user(roles=(Role.ORGANISER,), email=ORGANISER, full_name="Olga Organisatorin")
    title_a, title_b = COMPANY_A["title"], COMPANY_B["title"]
    now = utcnow()

    # === 1. the organiser sets up the edition ==================================================================
    orga = new_page()
    orga.on("dialog", lambda dialog: dialog.accept())  # "Ergebnisse aus diesem Stand veröffentlichen?" and the like
    log_in(orga, base, ORGANISER)
    orga.get_by_role("button", name="Neue Ausschreibung").click()
    orga.get_by_label("Name der Ausschreibung").fill(EDITION)
    jury_ends = berlin(now + timedelta(days=21))
    for label, value in [
        ("Beginn der Registrierung", berlin(now - timedelta(days=2))),
        ("Einreichungsfrist", berlin(now + timedelta(days=7))),
        ("Beginn der Jurybewertung", berlin(now + timedelta(days=14))),
        ("Ende der Jurybewertung", jury_ends),
        ("Veröffentlichung der Ergebnisse", berlin(now + timedelta(days=28))),
    ]:
        orga.get_by_label(label).fill(value)
    orga.get_by_role("button", name="Speichern").click()
    expect(flash(orga)).to_have_text(f"Die Ausschreibung „{EDITION}“ wurde angelegt.")
    expect(orga.get_by_text("Aktuelle Phase:")).to_contain_text("Einreichung")
    edition = fresh(Edition, name=EDITION)
    edition_id, slug = edition.id, edition.slug
    expect(orga.get_by_role("alert").filter(has_text="Teilnahmebedingungen")).to_be_visible()
    orga.get_by_role("button", name="Teilnahmebedingungen").click()
    orga.get_by_label("Text der Teilnahmebedingungen (Markdown)").fill(
        "## Teilnahmebedingungen\n\nTeilnehmen können Unternehmen aus Südwestsachsen.")
    orga.get_by_role("button", name="Als neue Fassung veröffentlichen").click()
    expect(flash(orga)).to_contain_text("als Fassung 1 veröffentlicht")
    orga.goto(f"{base}/organisation/editions/{edition_id}")

    for category in ("Kreislaufwirtschaft", "Digitalisierung"):
        orga.locator("#kategorien").get_by_label("Name der Kategorie").fill(category)
        orga.get_by_role("button", name="Kategorie hinzufügen").click()
        expect(flash(orga)).to_have_text(f"Die Kategorie „{category}“ wurde angelegt.")

    add_round(orga, "Vorauswahl", ("0", "10", "0,5"), "2", berlin(now + timedelta(days=17)),
              [("Innovationsgrad", "3"), ("Übertragbarkeit", "1")])
    add_round(orga, "Finale", ("0", "10", "1"), "2", jury_ends,
              [("Wirkung in der Region", "2"), ("Reife der Umsetzung", "1")])
    rounds = orga.locator("#runden tbody tr")
    expect(rounds).to_have_count(2)
    expect(rounds.nth(0)).to_contain_text("1. Vorauswahl")
    expect(rounds.nth(0)).to_contain_text("alle zugelassenen")
    expect(rounds.nth(1)).to_contain_text("2. Finale")
    expect(rounds.nth(1)).to_contain_text("Shortlist der vorherigen Runde")
    assert unlabelled_fields(orga) == []
    first_round = fresh(JudgingRound, edition_id=edition_id, name="Vorauswahl").id
    final_round = fresh(JudgingRound, edition_id=edition_id, name="Finale").id
    screenshot(orga, "flow-edition")

    menu = orga.get_by_role("navigation", name="Organisation")
    menu.get_by_text("Jury", exact=True).click()
    menu.get_by_role("link", name="Einladungen").click()
    for email, name in JURORS:
        orga.get_by_label("E-Mail-Adresse").fill(email)
        orga.get_by_label("Name (optional)").fill(name)
        orga.get_by_label("Rolle").select_option(label="Jurymitglied")
        orga.get_by_role("button", name="Einladung senden").click()
        expect(flash(orga)).to_have_text(f"Die Einladung an {email} wurde versendet.")
        assert len(inbox.to(email)) == 1  # arrived over SMTP

    # === 2. two companies register, write, upload and submit; one is too late with its second entry =============
    company_a, company_b = new_page(), new_page()
    for page, company in ((company_a, COMPANY_A), (company_b, COMPANY_B)):
        register_and_verify(page, base, inbox, company)
        fill_company_profile(page, company)
        draft_entry(page, "Kreislaufwirtschaft", company["title"])
        upload_pdf(page, "konzept.pdf")
        to_submit_page(page, company["title"])
        page.get_by_role("button", name="Jetzt verbindlich einreichen").click()
        expect(flash(page)).to_contain_text("ist eingereicht (Version 1)")
        receipts = [s for s in inbox.subjects(company["email"]) if s.startswith("Eingangsbestätigung:")]
        assert len(receipts) == 1, inbox.subjects(company["email"])  # the receipt, over SMTP

    # B starts a second entry in the other category and has the submit page open when the deadline passes.
    company_b.goto(base + "/dashboard")
    draft_entry(company_b, "Digitalisierung", LATE_TITLE)
    to_submit_page(company_b, LATE_TITLE)
    edition = db.session.get(Edition, edition_id)
    edition.submission_deadline_at = utcnow() - timedelta(seconds=1)  # time travel: the deadline has just passed
    db.session.commit()
    company_b.get_by_role("button", name="Jetzt verbindlich einreichen").click()
    expect(company_b.get_by_role("alert").filter(has_text="Die Einreichungsfrist ist abgelaufen").first).to_be_visible()
    expect(company_b.get_by_role("button", name="Jetzt verbindlich einreichen")).to_have_count(0)
    late = fresh(Entry, title=LATE_TITLE)
    assert late.status is EntryStatus.DRAFT and late.number is None and late.versions == []
    screenshot(company_b, "flow-deadline-refused")

    # === 3a. the organiser screens eligibility (the calendar is now in the review phase) =======================
    for company in (COMPANY_A, COMPANY_B):
        dashboard(orga, base)
        todo = orga.locator('li[data-todo="eligibility"]')
        expect(todo).to_contain_text("eingereichte Beiträge warten" if company is COMPANY_A else
                                     "eingereichter Beitrag wartet")
        todo.get_by_role("link", name="Zulassung prüfen").click()
        orga.get_by_role("link", name=company["title"]).click()
        expect(orga.get_by_role("heading", level=1)).to_have_text(company["title"])
        orga.get_by_label("zugelassen", exact=True).check()
        orga.get_by_role("button", name="Entscheidung speichern").click()
        expect(flash(orga)).to_have_text(re.compile(r"^Der Beitrag IND-\d{4}-\d{4} ist zugelassen\.$"))
        expect(orga.locator("#zulassung")).to_contain_text("Zugelassen")
    assert fresh(Entry, title=title_a).status is EntryStatus.ELIGIBLE
    assert fresh(Entry, title=title_b).status is EntryStatus.ELIGIBLE

    # === 4a. the jurors accept their invitations (links from the SMTP messages) =================================
    jurors = {}
    for email, name in JURORS:
        page = new_page()
        page.on("dialog", lambda dialog: dialog.accept())
        accept_invitation(page, base, inbox, email, name)
        jurors[email] = page

    # === 3b. the jury phase; the automatic assignment, previewed and confirmed =================================
    set_phase(orga, base, edition_id, "jury", "Jurybewertung")
    assign_automatically(orga, base, edition_id, first_round, capacity="2", expected_new=4, round_name="Vorauswahl")
    screenshot(orga, "flow-assignments")
    plan = assignments_of(first_round)
    assert sorted(t for titles in plan.values() for t in titles) == sorted([title_a, title_a, title_b, title_b])

    # === 4b. one juror declares a conflict from the sheet; the organiser fills the gap ==========================
    conflicted = next(email for email, _name in JURORS if title_a in plan[email])
    page = jurors[conflicted]
    page.goto(base + "/jury")
    page.get_by_role("link", name=title_a, exact=True).click()
    page.get_by_text("Ich bin befangen", exact=True).click()  # opens the <details>
    page.get_by_label("Grund").fill("Ich berate das Unternehmen seit zwei Jahren.")
    page.get_by_role("button", name="Befangenheit erklären und Beitrag abgeben").click()
    expect(flash(page)).to_contain_text("Ihre Befangenheit ist erfasst")
    expect(page.get_by_role("link", name=title_a, exact=True)).to_have_count(0)
    juror_name = dict(JURORS)[conflicted]
    assert f"Befangenheit erklärt: {juror_name}" in inbox.subjects(ORGANISER), inbox.subjects(ORGANISER)
    assign_automatically(orga, base, edition_id, first_round, capacity="", expected_new=1, round_name="Vorauswahl")
    plan = assignments_of(first_round)
    assert title_a not in plan[conflicted]
    assert sum(title_a in titles for titles in plan.values()) == 2

    # === 4c. the jurors score the first round: draft (autosave), then submit ===================================
    totals = {title_a: "7,75", title_b: "5,88"}  # (3 × 8 + 7) / 4 and (3 × 6 + 5,5) / 4
    for email, titles in plan.items():
        for title in titles:
            score(jurors[email], base, "Vorauswahl", title, FIRST_ROUND[title], totals[title])
    for email, titles in plan.items():
        jurors[email].goto(base + "/jury")
        expect(jurors[email].get_by_text(f"{len(titles)} von {len(titles)} bewertet")).to_be_visible()
    screenshot(jurors[conflicted], "flow-juror-dashboard")

    # === 5. ranking of the first round, deliberation, shortlist; the final round ===============================
    freeze(orga, base, edition_id, "Vorauswahl")
    ranking = orga.locator("table.ranking-table tbody tr")
    expect(ranking.nth(0)).to_contain_text(title_a)
    expect(ranking.nth(1)).to_contain_text(title_b)
    orga.get_by_role("button", name="Beratung: Shortlist").click()
    expect(orga.get_by_role("heading", level=1)).to_have_text("Beratung: Vorauswahl")
    orga.get_by_label("Beste je Kategorie").fill("1")
    orga.get_by_role("button", name="Vorschlag aus der Rangliste").click()
    expect(orga.get_by_role("status").filter(has_text="Vorschlag: die besten 1 je Kategorie")).to_be_visible()
    box_a = orga.get_by_role("checkbox", name=re.compile(re.escape(title_a)))
    box_b = orga.get_by_role("checkbox", name=re.compile(re.escape(title_b)))
    expect(box_a).to_be_checked()
    expect(box_b).not_to_be_checked()
    assert unlabelled_fields(orga) == []
    box_b.check()  # the jury takes the runner-up into the final as well
    orga.get_by_role("button", name="Shortlist übernehmen").click()
    expect(flash(orga)).to_contain_text("Shortlist übernommen: 2 Beiträge kommen in die nächste Runde.")
    screenshot(orga, "flow-shortlist")

    assign_automatically(orga, base, edition_id, final_round, capacity="2", expected_new=4, round_name="Finale")
    plan = assignments_of(final_round)
    assert title_a not in plan[conflicted]  # the declared conflict holds in the final round too
    totals = {title_a: "8,67", title_b: "6,67"}  # (2 × 9 + 8) / 3 and (2 × 7 + 6) / 3
    for email, titles in plan.items():
        for title in titles:
            score(jurors[email], base, "Finale", title, FINAL_ROUND[title], totals[title])

    # === 6. deliberation of the final round, decisions, freeze, PDF, publication ================================
    set_phase(orga, base, edition_id, "deliberation", "Jurysitzung")
    freeze(orga, base, edition_id, "Finale")
    orga.get_by_role("button", name="Beratung: Preise und Anerkennungen").click()
    expect(orga.get_by_role("heading", level=1)).to_have_text("Beratung: Finale")
    assert unlabelled_fields(orga) == []
    for title, kind, place, reason in ((title_a, "Preis", "1", WINNER_REASON),
                                       (title_b, "Anerkennung", "", MENTION_REASON)):
        article = orga.locator("article.deliberation-entry").filter(has_text=title)
        article.get_by_label("Entscheidung", exact=True).select_option(label=kind)
        if place:
            article.get_by_label("Platz", exact=True).fill(place)
        article.get_by_label("Begründung der Jury").fill(reason)
        article.get_by_role("button", name="Entscheidung speichern").click()
        expect(flash(orga)).to_have_text(f"Entscheidung zu „{title}“ gespeichert.")
    screenshot(orga, "flow-deliberation")

    digest = freeze(orga, base, edition_id, "Finale")
    ranking = orga.locator("table.ranking-table tbody tr")
    expect(ranking.nth(0)).to_contain_text("Preisträger · Platz 1")
    expect(ranking.nth(1)).to_contain_text("Anerkennung")
    with orga.expect_download() as download_info:
        orga.get_by_role("button", name="Jury-Rangliste (PDF)").click()
    text = pdf_text(download_info.value.path())
    flat = re.sub(r"\s+", "", text)
    assert title_a in text and title_b in text, text
    assert "Seite 1 von" in text, text
    assert digest in flat, f"hash {digest} not in the PDF text"

    orga.get_by_role("button", name="Diesen Stand veröffentlichen").click()
    expect(flash(orga)).to_contain_text("Ergebnisse freigegeben. Öffentlich sichtbar sind sie ab Beginn")
    anonymous = new_page()
    response = anonymous.goto(f"{base}/ergebnisse/{slug}")
    assert response is not None and response.status == 404  # released, but not yet the publication phase
    set_phase(orga, base, edition_id, "published", "Ergebnisse veröffentlicht")
    screenshot(orga, "flow-edition-published")

    # === 7. the public results page and a certificate's verification page =====================================
    anonymous.goto(f"{base}/ergebnisse/{slug}")
    main = anonymous.locator("main")
    expect(anonymous.get_by_role("heading", level=1)).to_have_text(f"Ergebnisse: {EDITION}")
    category = main.locator("section").filter(has=anonymous.get_by_role("heading", name="Kreislaufwirtschaft"))
    winner = category.locator("li").filter(has_text=title_a)
    expect(winner).to_contain_text("Platz 1")
    expect(winner).to_contain_text(COMPANY_A["company"])
    expect(winner).to_contain_text(WINNER_REASON)
    expect(category.locator("li").filter(has_text=title_b)).to_contain_text(MENTION_REASON)
    expect(category.get_by_role("heading", level=3)).to_have_text(["Preise", "Anerkennungen"])
    expect(main).to_contain_text(digest[:16])
    expect(main).not_to_contain_text(LATE_TITLE)
    for figure in ("7,75", "8,67", "6,67"):  # no scores in public
        expect(main).not_to_contain_text(figure)
    screenshot(anonymous, "flow-public-results")

    orga.goto(f"{base}/organisation/editions/{edition_id}/rankings")
    orga.get_by_text("Urkunden und Rückmeldungen für alle Unternehmen").click()
    orga.get_by_role("button", name="Alle Urkunden erzeugen").click()
    expect(orga.get_by_role("heading", level=1)).to_contain_text("Urkunden (alle)")
    result = orga.get_by_role("button", name=re.compile("^Ergebnis herunterladen"))
    expect(result).to_be_visible(timeout=30_000)
    with orga.expect_download() as download_info:
        result.click()
    pages = [p.extract_text() for p in PdfReader(download_info.value.path()).pages]
    winner_page = next(p for p in pages if title_a in p)
    assert "Erster Platz" in winner_page and COMPANY_A["company"] in winner_page, winner_page
    code = re.search(r"Prüfcode:\s*([A-Za-z0-9_-]{16})", winner_page)
    assert code, winner_page
    url = f"{base}/verify/certificate/{code.group(1)}"  # printed under the QR code, possibly wrapped
    assert url in re.sub(r"\s+", "", winner_page), winner_page
    anonymous.goto(url)
    expect(anonymous.get_by_role("heading", level=1)).to_have_text("Urkunde prüfen")
    expect(anonymous.get_by_role("status")).to_contain_text("Diese Urkunde ist echt.")
    facts = anonymous.locator("table")
    expect(facts).to_contain_text("Preis: Erster Platz")
    expect(facts).to_contain_text(COMPANY_A["company"])
    expect(facts).to_contain_text(title_a)
    expect(facts).to_contain_text(digest[:16])
    screenshot(anonymous, "flow-certificate")


# --- the score sheet without JavaScript, and by keyboard ----------------------------------------------------------

@pytest.fixture
def assigned_sheet(make_user, make_edition, make_category, make_round, make_criterion, make_company, make_entry,
                   organiser):
    """A juror with one eligible, submitted entry assigned in the jury phase; returns (juror, assignment id)."""
    edition = make_edition(phase_override=Phase.SUBMISSION)
    category = make_category(edition, name="Digitalisierung")
    judging_round = make_round(edition, name="Vorauswahl", scale_step=Decimal("0.5"), jurors_per_entry=1)
    make_criterion(judging_round, name="Innovationsgrad", weight=3)
    make_criterion(judging_round, name="Regionale Wirkung", weight=1)
    owner = make_user(email="kontakt@komsa.example")
    entry = make_entry(company=make_company(owner, legal_name="KOMSA AG"), category=category,
                       title="KI-gestützte Sichtprüfung")
    submit_entry(entry=entry, consent=True, lock_version=None, by=owner, now=utcnow())
    entry.status = EntryStatus.ELIGIBLE
    edition.phase_override = Phase.JURY
    juror = make_user(roles=(Role.JUROR,), email="prof@tu-chemnitz.example", full_name="Prof. Jana Beispiel")
    assignment = judging.add_assignment(judging_round=judging_round, juror=juror, entry=entry, by=organiser,
                                        now=utcnow())
    db.session.commit()
    return juror, assignment.id


def test_score_sheet_works_without_javascript(live_server, assigned_sheet, new_page, screenshot):
    juror, assignment_id = assigned_sheet
    page = new_page(java_script_enabled=False)
    log_in(page, live_server, juror.email)
    page.goto(f"{live_server}/jury/assignments/{assignment_id}")
    page.get_by_role("button", name="Ich bin nicht befangen").click()
    expect(flash(page)).to_have_text("Danke. Sie können jetzt bewerten.")
    inputs = page.get_by_label("Punkte")

    inputs.nth(0).fill("8")
    inputs.nth(1).fill("12")  # out of the scale: kept as typed with its error at the field, the rest saved
    page.get_by_role("button", name="Entwurf speichern").click()
    expect(page.locator(".field-error:visible")).to_contain_text("zwischen 0 und 10")
    expect(inputs.nth(0)).to_have_value("8")
    expect(inputs.nth(1)).to_have_attribute("aria-invalid", "true")

    inputs.nth(1).fill("5,5")
    page.get_by_label("Kommentar (optional)").first.fill("Überzeugende Prüfquote.")
    page.get_by_role("button", name="Entwurf speichern").click()
    expect(flash(page)).to_have_text("Ihre Bewertung wurde als Entwurf gespeichert.")
    expect(page.locator("#sheet-status")).to_contain_text("7,38")  # (3 × 8 + 5,5) / 4, computed by the server
    page.reload()
    expect(inputs.nth(1)).to_have_value("5,5")
    expect(page.get_by_label("Kommentar (optional)").first).to_have_value("Überzeugende Prüfquote.")

    # Without JavaScript there is no confirmation dialog: the button submits straight away.
    page.get_by_role("button", name="Bewertung einreichen").click()
    expect(page.get_by_role("status").filter(has_text="Ihre Bewertung ist eingereicht")).to_be_visible()
    expect(inputs.nth(0)).to_be_disabled()
    page.goto(live_server + "/jury")
    expect(page.get_by_text("1 von 1 bewertet")).to_be_visible()
    screenshot(page, "juror-sheet-nojs")


def focus_is_visible(page: Page) -> dict:
    """The focused element and whether :focus-visible draws something (an outline or a box shadow)."""
    return page.evaluate(r"""() => {
        const el = document.activeElement;
        const style = getComputedStyle(el);
        const clear = c => /^(transparent|rgba\(\d+, \d+, \d+, 0\))$/.test(c);
        const outline = style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0
            && !clear(style.outlineColor);
        // A box shadow counts when one of its layers has a colour that is not transparent and a size that is not 0.
        const layers = style.boxShadow === 'none' ? [] : style.boxShadow.split(/,(?![^(]*\))/);
        const shadow = layers.some(layer => {
            const colour = (layer.match(/rgba?\([^)]*\)/) || ['rgb(0, 0, 0)'])[0];
            return !clear(colour) && /[1-9]/.test(layer.replace(colour, ''));
        });
        return {tag: el.tagName, name: el.name || el.id || el.textContent.trim().slice(0, 30),
                matches: el.matches(':focus-visible'), visible: Boolean(outline || shadow)};
    }""")


def tab_to(page: Page, selector: str, limit: int = 60) -> list[dict]:
    """Press Tab until the element matching `selector` has the focus; every stop must show its focus."""
    stops = []
    for _ in range(limit):
        page.keyboard.press("Tab")
        state = focus_is_visible(page)
        if state["tag"] == "BODY":  # past the last element, in the browser's own controls: Tab goes on from the top
            continue
        stops.append(state)
        assert state["matches"] and state["visible"], f"focus not visible on {state}"
        if page.evaluate("s => document.activeElement.matches(s)", selector):
            return stops
    raise AssertionError(f"{selector} not reached by Tab; stops: {stops}")


def test_login_and_score_sheet_by_keyboard(live_server, assigned_sheet, new_page):
    juror, assignment_id = assigned_sheet
    page = new_page()
    page.goto(live_server + "/login")
    assert unlabelled_fields(page) == []
    assert focus_is_visible(page)["name"] == "email"  # the form is ready for typing (autofocus)
    tab_to(page, "input[name=email]")  # once round the page and back: every stop shows its focus
    page.keyboard.type(juror.email)
    page.keyboard.press("Tab")
    assert focus_is_visible(page)["name"] == "password"
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")  # submits the form
    expect(flash(page)).to_have_text("Sie sind angemeldet.")

    page.goto(f"{live_server}/jury/assignments/{assignment_id}")
    tab_to(page, "button[value=confirm]")
    page.keyboard.press("Enter")
    expect(flash(page)).to_have_text("Danke. Sie können jetzt bewerten.")
    assert unlabelled_fields(page) == []
    first = page.get_by_label("Punkte").first
    stops = tab_to(page, f"#{first.get_attribute('id')}")
    assert any(s["tag"] == "A" for s in stops)  # the skip link and the navigation come first
    page.keyboard.type("8")
    tab_to(page, "input[id^=score_]:not(#" + first.get_attribute("id") + ")")
    page.keyboard.type("4")
    tab_to(page, "button[value=save]")
    page.keyboard.press("Enter")
    expect(flash(page)).to_have_text("Ihre Bewertung wurde als Entwurf gespeichert.")
    expect(page.locator("#sheet-status")).to_contain_text("7,00")
