"""An organiser sets up an edition with a category, a judging round and weighted criteria, then invites a juror."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from competition.accounts.models import Role
from tests.conftest import PASSWORD

from .flows import link_from_mail, log_in

pytestmark = pytest.mark.e2e

EDITION = "Industrie. Neu. Denken. 2027"
JUROR_EMAIL = "prof.weber@tu-chemnitz.example"
JUROR_NAME = "Prof. Dr. Petra Weber"


def test_organiser_sets_up_an_edition_and_invites_a_juror(
    live_server, live_outbox, make_user, new_page, browser_page, screenshot
):
    organiser = make_user(roles=(Role.ORGANISER,), email="olga@masterplan.example", full_name="Olga Organisatorin")
    page = browser_page
    log_in(page, live_server, organiser.email)
    expect(page).to_have_url(re.compile(r"/organisation/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Übersicht")
    expect(page.get_by_role("heading", name="Noch keine Ausschreibung")).to_be_visible()  # the empty state
    screenshot(page, "dashboard")

    # --- edition -----------------------------------------------------------------------------------------------
    page.get_by_role("button", name="Neue Ausschreibung").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Neue Ausschreibung")
    page.get_by_label("Name der Ausschreibung").fill(EDITION)
    for label, value in [
        ("Beginn der Registrierung", "2026-12-01T09:00"),
        ("Einreichungsfrist", "2027-03-31T23:59"),
        ("Beginn der Jurybewertung", "2027-04-07T09:00"),
        ("Ende der Jurybewertung", "2027-05-15T18:00"),
        ("Veröffentlichung der Ergebnisse", "2027-06-10T12:00"),
    ]:
        page.get_by_label(label).fill(value)
    page.get_by_role("button", name="Speichern").click()

    expect(page.get_by_role("status")).to_have_text(f"Die Ausschreibung „{EDITION}“ wurde angelegt.")
    expect(page.get_by_role("heading", level=1)).to_have_text(EDITION)
    phases = page.locator(".phase-list")
    # Entered and shown in Berlin time (winter and summer time), in the German format.
    expect(phases).to_contain_text("Beginn der Registrierung: 01.12.2026, 09:00 Uhr")
    expect(phases).to_contain_text("Einreichungsfrist: 31.03.2027, 23:59 Uhr")
    expect(phases).to_contain_text("Veröffentlichung der Ergebnisse: 10.06.2027, 12:00 Uhr")
    edition_url = page.url

    # --- category ----------------------------------------------------------------------------------------------
    categories = page.locator("#kategorien")
    categories.get_by_label("Name der Kategorie").fill("Kreislaufwirtschaft")
    categories.get_by_role("button", name="Kategorie hinzufügen").click()
    expect(page.get_by_role("status")).to_have_text("Die Kategorie „Kreislaufwirtschaft“ wurde angelegt.")
    expect(page.locator("#kategorien li").filter(has_text="Kreislaufwirtschaft")).to_be_visible()

    # --- judging round: scale 0–10, step 0,5 (decimal comma) ----------------------------------------------------
    page.get_by_role("button", name="Bewertungsrunde hinzufügen").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Neue Bewertungsrunde")
    expect(page.get_by_label("Name der Bewertungsrunde")).to_have_value("Vorauswahl")
    page.get_by_label("Name der Bewertungsrunde").fill("Vorauswahl")
    page.get_by_label("Skala von").fill("0")
    page.get_by_label("Skala bis").fill("10")
    page.get_by_label("Schrittweite").fill("0,5")
    page.get_by_role("button", name="Speichern").click()
    expect(page.get_by_role("status")).to_contain_text("Die Bewertungsrunde „Vorauswahl“ wurde angelegt.")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Vorauswahl")
    expect(page.get_by_text("Diese Runde hat noch keine Kriterien.")).to_be_visible()

    # --- two criteria, weights 3 and 1 -------------------------------------------------------------------------
    for name, weight in [("Innovationsgrad", "3"), ("Übertragbarkeit", "1")]:
        page.get_by_role("button", name="Kriterium hinzufügen").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Neues Kriterium")
        page.get_by_label("Name des Kriteriums").fill(name)
        page.get_by_label("Gewichtung").fill(weight)
        page.get_by_role("button", name="Speichern").click()
        expect(page.get_by_role("status")).to_have_text(f"Das Kriterium „{name}“ wurde angelegt.")

    rows = page.locator("table tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.nth(0).locator("td").nth(0)).to_contain_text("Innovationsgrad")
    expect(rows.nth(0).locator("td.num").nth(1)).to_have_text("75,0\u00a0%")
    expect(rows.nth(1).locator("td").nth(0)).to_contain_text("Übertragbarkeit")
    expect(rows.nth(1).locator("td.num").nth(1)).to_have_text("25,0\u00a0%")
    expect(page.locator("table tfoot")).to_contain_text("Summe")
    expect(page.locator("table tfoot td.num")).to_have_text("100,0\u00a0%")
    screenshot(page, "round")

    page.goto(edition_url)
    round_row = page.locator("#runden tbody tr")
    expect(round_row).to_have_count(1)
    expect(round_row).to_contain_text("1. Vorauswahl")
    expect(round_row).to_contain_text("0–10 (Schritt 0,5)")
    screenshot(page, "edition")

    # --- invite a juror ----------------------------------------------------------------------------------------
    menu = page.get_by_role("navigation", name="Organisation")
    menu.get_by_text("Jury", exact=True).click()
    menu.get_by_role("link", name="Einladungen").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Einladungen")
    page.get_by_label("E-Mail-Adresse").fill(JUROR_EMAIL)
    page.get_by_label("Name (optional)").fill(JUROR_NAME)
    page.get_by_label("Rolle").select_option(label="Jurymitglied")
    page.get_by_role("button", name="Einladung senden").click()
    expect(page.get_by_role("status")).to_have_text(f"Die Einladung an {JUROR_EMAIL} wurde versendet.")
    invitation_row = page.locator("table tbody tr").filter(has_text=JUROR_EMAIL)
    expect(invitation_row).to_contain_text("Jurymitglied")
    expect(invitation_row).to_contain_text("offen bis")
    screenshot(page, "invitations")

    link = link_from_mail(live_outbox, "/invitation/", to=JUROR_EMAIL, base_url=live_server)

    # The juror opens the link in their own browser (no cookies shared with the organiser).
    juror_page = new_page()
    juror_page.goto(link)
    expect(juror_page.get_by_role("heading", level=1)).to_have_text("Einladung annehmen")
    expect(juror_page.get_by_text("als Jurymitglied")).to_be_visible()
    expect(juror_page.get_by_label("Vor- und Nachname")).to_have_value(JUROR_NAME)
    juror_page.get_by_label("Passwort", exact=True).fill(PASSWORD)
    juror_page.get_by_label("Passwort wiederholen").fill(PASSWORD)
    juror_page.get_by_label("Datenschutzerklärung zur Kenntnis genommen").check()
    juror_page.get_by_role("button", name="Konto anlegen und Einladung annehmen").click()

    expect(juror_page.get_by_role("status")).to_have_text("Willkommen! Die Einladung ist angenommen.")
    expect(juror_page).to_have_url(live_server + "/jury")  # the juror's own area
    expect(juror_page.get_by_role("heading", name="Meine Bewertungen")).to_be_visible()
    juror_nav = juror_page.get_by_role("navigation", name="Hauptnavigation")
    expect(juror_nav.get_by_role("button", name="Abmelden")).to_be_visible()
    expect(juror_nav.get_by_role("link", name="Organisation")).to_have_count(0)
    screenshot(juror_page, "home-edition")

    # The organiser sees the invitation accepted.
    page.reload()
    expect(page.locator("table tbody tr").filter(has_text=JUROR_EMAIL)).to_contain_text("angenommen")
