"""A company person registers, confirms the address from the mail, logs in and out, in a real browser."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.conftest import PASSWORD

from .flows import link_from_mail, log_in

pytestmark = pytest.mark.e2e

EMAIL = "katrin.berger@zahnrad-werke.example"
NAME = "Katrin Berger"


def test_register_verify_login_logout(live_server, live_outbox, browser_page, screenshot, make_edition):
    page = browser_page
    page.goto(live_server + "/")
    # no edition takes entries yet: the site offers no registration
    expect(page.get_by_role("navigation", name="Hauptnavigation").get_by_role("link", name="Registrieren")) \
        .to_have_count(0)
    make_edition()  # the calendar puts it in the submission phase
    page.goto(live_server + "/")
    expect(page.locator("html")).to_have_attribute("lang", "de")
    screenshot(page, "home")

    page.get_by_role("navigation", name="Hauptnavigation").get_by_role("link", name="Registrieren").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Als Unternehmen registrieren")

    # Sent empty first: the errors stand next to the fields, and nothing is created.
    page.get_by_role("button", name="Konto anlegen").click()
    expect(page.locator(".field-error").filter(has_text="Bitte geben Sie Ihren Namen ein.")).to_be_visible()
    expect(page.get_by_label("Vor- und Nachname")).to_have_attribute("aria-invalid", "true")
    expect(page.locator(".field-error").filter(has_text="Bitte akzeptieren Sie die Nutzungsbedingungen")) \
        .to_be_visible()
    # the summary on top names every refused field and leads to it
    summary = page.locator(".error-summary")
    expect(summary.get_by_role("heading")).to_contain_text("Bitte prüfen Sie")
    summary.get_by_role("link", name="Vor- und Nachname: Bitte geben Sie Ihren Namen ein.").click()
    expect(page.get_by_label("Vor- und Nachname")).to_be_focused()
    screenshot(page, "register-errors")
    assert live_outbox == []

    page.get_by_label("Vor- und Nachname").fill(NAME)
    page.get_by_label("Geschäftliche E-Mail-Adresse").fill(EMAIL)
    page.get_by_label("Passwort", exact=True).fill(PASSWORD)
    page.get_by_label("Passwort wiederholen").fill(PASSWORD)
    page.get_by_label("Datenschutzerklärung zur Kenntnis genommen").check()
    page.get_by_role("button", name="Konto anlegen").click()

    expect(page.get_by_role("heading", name="Bitte prüfen Sie Ihr Postfach")).to_be_visible()
    expect(page.get_by_text(EMAIL)).to_be_visible()

    assert len(live_outbox) == 1
    assert live_outbox[0].to == [EMAIL]
    assert live_outbox[0].subject == "Bitte bestätigen Sie Ihre E-Mail-Adresse"
    link = link_from_mail(live_outbox, "/verify/", to=EMAIL, base_url=live_server)

    page.goto(link)
    expect(page).to_have_url(re.compile(r"/login$"))
    expect(page.get_by_role("status")).to_contain_text("Ihre E-Mail-Adresse ist bestätigt")
    screenshot(page, "login")

    log_in(page, live_server, EMAIL)
    expect(page).to_have_url(live_server + "/dashboard")  # a company user's own area
    expect(page.get_by_role("heading", name=f"Willkommen, {NAME}")).to_be_visible()

    page.get_by_role("button", name="Abmelden").click()
    expect(page).to_have_url(re.compile(r"/login$"))
    expect(page.get_by_role("status")).to_contain_text("Sie wurden abgemeldet")
    nav = page.get_by_role("navigation", name="Hauptnavigation")
    expect(nav.get_by_role("link", name="Anmelden")).to_be_visible()
    expect(nav.get_by_role("button", name="Abmelden")).to_have_count(0)


def test_wrong_password_keeps_the_email(live_server, make_user, browser_page):
    user = make_user(email="jan.richter@drehteile.example")
    page = browser_page
    page.goto(live_server + "/login")
    page.get_by_label("E-Mail-Adresse").fill(user.email)
    page.get_by_label("Passwort", exact=True).fill("ganz-falsches-Passwort-1")
    page.get_by_role("button", name="Anmelden", exact=True).click()

    expect(page.get_by_role("alert")).to_have_text("E-Mail-Adresse oder Passwort ist falsch.")
    expect(page.get_by_label("E-Mail-Adresse")).to_have_value(user.email)
    expect(page.get_by_label("Passwort", exact=True)).to_have_value("")
    expect(page.get_by_role("button", name="Abmelden")).to_have_count(0)


def test_switch_language_to_english_and_back(live_server, browser_page, screenshot):
    page = browser_page
    page.goto(live_server + "/login")
    expect(page.locator("html")).to_have_attribute("lang", "de")

    page.get_by_role("button", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page).to_have_url(re.compile(r"/login$"))  # stays on the same page
    expect(page.get_by_role("button", name="Deutsch")).to_be_visible()
    screenshot(page, "login-en")

    page.get_by_role("button", name="Deutsch").click()
    expect(page.locator("html")).to_have_attribute("lang", "de")
    expect(page.get_by_role("heading", level=1)).to_have_text("Anmelden")


def test_unknown_page_shows_the_404_page(live_server, browser_page, screenshot):
    page = browser_page
    response = page.goto(live_server + "/gibt-es-nicht")
    assert response is not None
    assert response.status == 404
    expect(page.get_by_role("heading", level=1)).to_have_text("Seite nicht gefunden")
    expect(page.get_by_role("button", name="Zur Startseite")).to_be_visible()
    screenshot(page, "404")
