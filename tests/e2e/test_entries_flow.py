"""A company writes an entry (autosave, attachments), submits it and gets the receipt; an organiser rejects it with a
reason the company then sees. And the edit page saves a draft without JavaScript."""

from __future__ import annotations

import io
import re

import pytest
from PIL import Image
from playwright.sync_api import expect
from pypdf import PdfReader

from competition.accounts.models import Role

from .flows import log_in

pytestmark = pytest.mark.e2e

EMAIL = "anna.schubert@spannwerk-erzgebirge.example"
NAME = "Anna Schubert"
COMPANY = "Spannwerk Erzgebirge GmbH"
TITLE = "Adaptive Spannvorrichtung für Kleinserien"
TEXTS = {
    "Kurzbeschreibung": "Eine Spannvorrichtung, die sich selbst auf neue Werkstücke einstellt.",
    "Beschreibung der Innovation": "Sensoren messen das Werkstück; die Vorrichtung stellt sich in Sekunden um.",
    "Stand der Umsetzung": "Pilotbetrieb seit März bei zwei Kunden in Annaberg-Buchholz.",
    "Nutzen für die Region": "Zwölf neue Arbeitsplätze im Erzgebirge, Zulieferer aus der Region.",
}
REASON = "Der Beitrag beschreibt kein Produkt aus eigener Entwicklung, sondern eine zugekaufte Lösung."
NUMBER = re.compile(r"IND-\d{4}-\d{4}")


def pdf_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (300, 200), "white").save(buffer, "PDF")
    return buffer.getvalue()


def png_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (64, 64), (11, 92, 138)).save(buffer, "PNG")
    return buffer.getvalue()


def test_company_writes_uploads_submits_and_sees_the_eligibility_decision(
    live_server, live_outbox, make_user, make_edition, make_category, make_company, make_entry, new_page,
    browser_page, screenshot,
):
    edition = make_edition(name="Industrie. Neu. Denken. 2026")
    make_category(edition, name="Digitalisierung")
    category = make_category(edition, name="Kreislaufwirtschaft")
    # Another company's entry, so the organiser's search has something to leave out.
    make_entry(category=category, company=make_company(make_user()), title="Solarthermie für die Galvanik")
    make_user(email=EMAIL, full_name=NAME)
    organiser = make_user(roles=(Role.ORGANISER,), email="olga@masterplan.example", full_name="Olga Organisatorin")

    # --- 1. log in, company profile, new entry ------------------------------------------------------------------
    page = browser_page
    log_in(page, live_server, EMAIL)
    expect(page).to_have_url(live_server + "/dashboard")
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Willkommen, {NAME}")
    screenshot(page, "entries-dashboard-new")

    page.get_by_role("button", name="Unternehmensprofil anlegen").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Unternehmensprofil")
    expect(page.get_by_label("E-Mail der Ansprechperson")).to_have_value(EMAIL)  # prefilled from the account
    page.get_by_label("Name des Unternehmens (laut Handelsregister)").fill(COMPANY)
    page.get_by_label("Rechtsform").select_option("GmbH")
    page.get_by_label("Straße und Hausnummer").fill("Annaberger Straße 12")
    page.get_by_label("Postleitzahl").fill("09456")
    page.get_by_label("Ort", exact=True).fill("Annaberg-Buchholz")
    page.get_by_label("Landkreis oder kreisfreie Stadt").select_option(label="Erzgebirgskreis")
    page.get_by_label("Anzahl der Beschäftigten").fill("45")
    page.get_by_label("Jahresumsatz").select_option(label="2 bis 10 Mio. €")
    page.get_by_label("Branche").fill("Maschinenbau")
    page.get_by_label("Website").fill("https://spannwerk.example")
    screenshot(page, "entries-company")
    page.get_by_role("button", name="Profil speichern").click()

    expect(page).to_have_url(live_server + "/dashboard")
    expect(page.get_by_role("status")).to_have_text(
        "Ihr Unternehmensprofil ist angelegt. Jetzt können Sie einen Beitrag anlegen.")
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Beiträge von {COMPANY}")
    page.get_by_label("Kategorie").select_option(label=f"Kreislaufwirtschaft ({edition.name})")
    screenshot(page, "entries-dashboard-company")
    page.get_by_role("button", name="Beitrag anlegen").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Beitrag bearbeiten")
    expect(page.get_by_role("status").first).to_contain_text("Ihr Beitrag in der Kategorie „Kreislaufwirtschaft“")
    edit_url = page.url

    # --- autosave: type, wait for the status line, reload -------------------------------------------------------
    status = page.locator("#autosave-status")
    expect(status).to_have_text("Ihre Eingaben werden beim Tippen automatisch gespeichert.")
    title = page.get_by_label("Titel des Beitrags")
    counter = page.locator(".counter[data-for='title']")
    expect(counter).to_have_text("0 von 200 Zeichen")
    title.press_sequentially("Adaptive")
    expect(counter).to_have_text("8 von 200 Zeichen")
    title.fill(TITLE)
    expect(counter).to_have_text(f"{len(TITLE)} von 200 Zeichen")
    # htmx posts the whole form 1.5 s after the last keystroke; no button is pressed.
    with page.expect_response(lambda r: r.url.endswith("/autosave") and r.request.method == "POST") as saved:
        for label, text in TEXTS.items():
            page.get_by_label(label, exact=True).fill(text)
        expect(page.locator(".counter[data-for='summary']")).to_have_text(
            f"{len(TEXTS['Kurzbeschreibung'])} von 600 Zeichen")
    assert saved.value.ok
    expect(status).to_contain_text("Entwurf automatisch gespeichert")

    page.reload()
    expect(page.get_by_label("Titel des Beitrags")).to_have_value(TITLE)
    for label, text in TEXTS.items():
        expect(page.get_by_label(label, exact=True)).to_have_value(text)
    expect(page.locator(".counter[data-for='title']")).to_have_text(f"{len(TITLE)} von 200 Zeichen")

    # --- 2. attachments: a PDF and a PNG, then an HTML file named .pdf ------------------------------------------
    anlagen = page.locator("#anlagen")
    expect(anlagen).to_contain_text("Noch keine Anlagen.")
    for name, mime, data in [("konzept.pdf", "application/pdf", pdf_bytes()),
                             ("vorrichtung.png", "image/png", png_bytes())]:
        anlagen.get_by_label("Datei", exact=True).set_input_files(
            files=[{"name": name, "mimeType": mime, "buffer": data}])
        anlagen.get_by_role("button", name="Hochladen").click()
        # The page comes back at the "Anlagen" section, and the message stands there, not out of view at the top.
        expect(anlagen.get_by_role("status")).to_contain_text(f"Die Anlage „{name}“ (")
    rows = page.locator("#anlagen table tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.nth(0)).to_contain_text("konzept.pdf")
    expect(rows.nth(0)).to_contain_text("PDF")
    expect(rows.nth(1)).to_contain_text("vorrichtung.png")
    expect(rows.nth(1)).to_contain_text("PNG")

    anlagen.get_by_label("Datei", exact=True).set_input_files(files=[{
        "name": "angebot.pdf", "mimeType": "application/pdf",
        "buffer": b"<!doctype html><html><body><script>alert(1)</script>Angebot</body></html>",
    }])
    anlagen.get_by_role("button", name="Hochladen").click()
    expect(anlagen.get_by_role("alert")).to_have_text(
        "Die Datei ist keine gültige PDF-Datei. Bitte laden Sie die Datei erneut hoch.")
    expect(rows).to_have_count(2)
    expect(anlagen).not_to_contain_text("angebot.pdf")
    expect(page.get_by_label("Titel des Beitrags")).to_have_value(TITLE)
    screenshot(page, "entries-edit")

    # --- 3. submit: consent missing, then given; receipt mail and PDF ------------------------------------------
    page.get_by_role("button", name="Speichern und weiter zur Einreichung").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Beitrag einreichen")
    expect(page.get_by_text(f"Ihr Beitrag „{TITLE}“ in der Kategorie „Kreislaufwirtschaft“ ist vollständig."))\
        .to_be_visible()
    screenshot(page, "entries-submit")
    page.get_by_role("button", name="Jetzt verbindlich einreichen").click()
    expect(page.locator("#consent-error")).to_have_text(  # no consent: nothing is submitted
        "Bitte stimmen Sie den Teilnahmebedingungen und den Datenschutzhinweisen zu.")
    assert live_outbox == []
    page.get_by_label("Ich stimme den Teilnahmebedingungen").check()
    page.get_by_role("button", name="Jetzt verbindlich einreichen").click()

    success = page.get_by_role("status").filter(has_text="Vielen Dank!")
    expect(success).to_contain_text("ist eingereicht (Version 1)")
    match = NUMBER.search(success.inner_text())
    assert match, success.inner_text()
    number = match.group(0)
    expect(page.get_by_role("heading", level=1)).to_have_text(TITLE)
    expect(page.locator(".badge").first).to_have_text("Eingereicht")

    receipts = [m for m in live_outbox if EMAIL in m.to]
    assert len(receipts) == 1, [m.subject for m in live_outbox]
    assert number in receipts[0].subject + receipts[0].body
    pdfs = [a for a in receipts[0].attachments if a[2] == "application/pdf"]
    assert len(pdfs) == 1, receipts[0].attachments
    assert pdfs[0][1][:5] == b"%PDF-"

    with page.expect_download() as download_info:
        page.get_by_role("link", name="PDF herunterladen").click()
    download = download_info.value
    assert download.suggested_filename == f"Eingangsbestaetigung-{number}-v1.pdf"
    receipt_text = "".join(p.extract_text() for p in PdfReader(download.path()).pages)
    assert number in receipt_text
    assert "konzept.pdf" in receipt_text
    screenshot(page, "entries-show-submitted")

    # --- 4. the organiser finds the entry and rejects it, first without a reason --------------------------------
    orga = new_page()
    log_in(orga, live_server, organiser.email)
    orga.goto(live_server + "/organisation/entries")
    expect(orga.locator("table tbody tr")).to_have_count(2)
    orga.get_by_label("Suche").fill("spannvorrichtung")
    orga.get_by_role("button", name="Filtern").click()
    expect(orga.get_by_role("status")).to_have_text("1 Beitrag (gefiltert)")
    expect(orga.locator("table tbody tr")).to_have_count(1)
    expect(orga.locator("table tbody tr")).to_contain_text(number)
    expect(orga.locator("table tbody tr")).to_contain_text(COMPANY)
    screenshot(orga, "organiser-entries-list")

    orga.get_by_role("link", name=TITLE).click()
    expect(orga.get_by_role("heading", level=1)).to_have_text(TITLE)
    expect(orga.locator("#zulassung")).to_contain_text("ohne Bedenken")
    screenshot(orga, "organiser-entry-detail")
    orga.get_by_label("nicht zugelassen", exact=True).check()
    orga.get_by_role("button", name="Entscheidung speichern").click()
    reason = orga.get_by_label("Begründung (sieht das Unternehmen)")
    expect(reason).to_have_attribute("aria-invalid", "true")
    expect(orga.locator("#reason-error")).to_have_text(
        "Bitte begründen Sie die Ablehnung; das Unternehmen sieht die Begründung.")
    expect(orga.get_by_label("nicht zugelassen", exact=True)).to_be_checked()  # the choice is kept
    screenshot(orga, "organiser-entry-detail-error")
    reason.fill(REASON)
    orga.get_by_role("button", name="Entscheidung speichern").click()
    expect(orga.get_by_role("status")).to_have_text(
        f"Der Beitrag {number} ist nicht zugelassen. Das Unternehmen sieht die Begründung.")
    expect(orga.locator("#zulassung")).to_contain_text(f"Begründung: {REASON}")

    # The company, in its own browser, sees the decision and the reason.
    page.reload()
    expect(page.locator(".badge").first).to_have_text("Nicht zugelassen")
    expect(page.get_by_text(f"Entscheidung zur Zulassung: {REASON}")).to_be_visible()
    page.goto(live_server + "/dashboard")
    expect(page.locator(".entry-card")).to_contain_text(f"Begründung: {REASON}")
    screenshot(page, "entries-dashboard-entry")
    expect(page.get_by_role("link", name=re.compile("^Bearbeiten"))).to_have_count(0)
    page.goto(edit_url)  # no longer editable: back to the entry page with a notice
    expect(page.get_by_role("heading", level=1)).to_have_text(TITLE)


def test_draft_saves_without_javascript(live_server, make_user, make_company, make_edition, make_category,
                                        make_entry, new_page, screenshot):
    user = make_user(email="jan.richter@drehteile.example", full_name="Jan Richter")
    company = make_company(user)
    category = make_category(make_edition(), name="Mobilität")
    entry = make_entry(company=company, category=category, title="Leichtbau-Radträger")

    page = new_page(java_script_enabled=False)
    log_in(page, live_server, user.email)
    page.goto(f"{live_server}/entries/{entry.id}/edit")
    expect(page.get_by_role("heading", level=1)).to_have_text("Beitrag bearbeiten")
    # Without JavaScript the counter states the limit instead of counting.
    expect(page.locator(".counter[data-for='title']")).to_have_text("höchstens 200 Zeichen")
    expect(page.get_by_text("automatisch gespeichert")).not_to_be_visible()  # no promise that cannot hold
    page.get_by_label("Titel des Beitrags").fill("Leichtbau-Radträger aus Recyclingaluminium")
    page.get_by_label("Nachhaltigkeit").fill("Bis zu 95 % weniger Energie als Primäraluminium.")
    page.get_by_role("button", name="Entwurf speichern").click()

    expect(page.get_by_role("status").first).to_have_text("Der Entwurf wurde gespeichert.")
    expect(page).to_have_url(f"{live_server}/entries/{entry.id}/edit")
    page.reload()
    expect(page.get_by_label("Titel des Beitrags")).to_have_value("Leichtbau-Radträger aus Recyclingaluminium")
    expect(page.get_by_label("Nachhaltigkeit")).to_have_value("Bis zu 95 % weniger Energie als Primäraluminium.")
    screenshot(page, "entries-edit-nojs")
