"""An organiser edits a mail as plain text (placeholders inserted by click, live preview, unknown names refused) and
sets up the certificates; a winning company sees its outcome. Screenshots at 1280 and 390 px with E2E_SCREENSHOTS."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from competition.accounts.models import Role
from competition.entries.models import CompanyMember, Entry
from competition.extensions import db
from tests.rankings.snapshot_factory import make_snapshot, publish

from .flows import log_in

pytestmark = pytest.mark.e2e


def test_organiser_edits_a_mail_as_text_with_placeholders_and_a_live_preview(live_server, make_user, browser_page,
                                                                             screenshot):
    organiser = make_user(roles=(Role.ORGANISER,), email="olga@masterplan.example", full_name="Olga Organisatorin")
    page = browser_page
    log_in(page, live_server, organiser.email)
    page.goto(f"{live_server}/organisation/mail-templates/receipt/de")
    body = page.get_by_label("Text", exact=True)
    assert "{{" not in body.input_value() and "{Anlagenliste}" in body.input_value()
    preview = page.locator("#vorschau-box")
    expect(preview).to_contain_text("Eingangsbestätigung: Ihr Beitrag IND-2026-0007 ist eingegangen")
    screenshot(page, "mail-template-editor")

    body.fill("Guten Tag,\n\nzu Ihrem Beitrag ")
    body.press("End")
    page.get_by_role("button", name="{Titel} einfügen").click()
    assert body.input_value().endswith("zu Ihrem Beitrag {Titel}")
    expect(preview).to_contain_text("zu Ihrem Beitrag Adaptive Spannvorrichtung")  # the live preview (htmx)

    body.fill("Guten Tag {Vorname},\n\n{Titel}")
    expect(preview).to_contain_text("Unbekannter Platzhalter {Vorname} in Zeile 1")
    page.get_by_role("button", name="Speichern").click()
    expect(page.locator("#body-error")).to_contain_text("Unbekannter Platzhalter {Vorname} in Zeile 1")
    assert body.input_value() == "Guten Tag {Vorname},\n\n{Titel}"  # nothing typed is lost
    screenshot(page, "mail-template-refused")


def test_organiser_designs_certificates_and_a_winner_sees_its_outcome(live_server, make_user, make_edition,
                                                                     make_round, make_category, make_criterion,
                                                                     make_company, make_entry, new_page, screenshot):
    snapshot = make_snapshot(make_edition=make_edition, make_round=make_round, make_category=make_category,
                             make_criterion=make_criterion, make_company=make_company, make_entry=make_entry,
                             make_user=make_user)
    publish(snapshot)
    organiser = make_user(roles=(Role.ORGANISER,), email="olga@masterplan.example", full_name="Olga Organisatorin")
    page = new_page()
    log_in(page, live_server, organiser.email)
    page.goto(f"{live_server}/organisation/editions/{snapshot.edition_id}/certificate-design")
    page.get_by_label("Ort").fill("Chemnitz")
    page.get_by_label("Name").first.fill("Dr. Petra Vorsitz")
    page.get_by_label("Funktion").first.fill("Vorsitz der Jury")
    page.get_by_role("button", name="Speichern").click()
    expect(page.locator(".flashes")).to_contain_text("Die Gestaltung der Urkunden wurde gespeichert.")
    screenshot(page, "certificate-design")

    award = next(a for a in snapshot.content["decisions"]["awards"] if a["kind"] == "winner" and a["place"] == 1)
    entry = db.session.get(Entry, int(award["entry"]))
    member = db.session.scalar(db.select(CompanyMember).where(CompanyMember.company_id == entry.company_id)).user
    company = new_page()
    log_in(company, live_server, member.email)
    company.goto(f"{live_server}/entries/{entry.id}")
    outcome = company.locator("section.entry-outcome")
    expect(outcome).to_contain_text("Erster Platz in der Kategorie „Digitalisierung“")
    with company.expect_download() as download:
        company.get_by_role("link", name="Urkunde herunterladen (PDF)").click()
    assert download.value.suggested_filename == f"urkunde-{entry.number}.pdf"
    screenshot(company, "entry-outcome")
    company.goto(f"{live_server}/")
    expect(company.get_by_role("link", name="Ergebnisse von „Industrie. Neu. Denken. 2026“")).to_be_visible()
    screenshot(company, "home-results")


def test_a_company_reads_the_conditions_before_it_agrees(live_server, make_user, make_company, make_entry,
                                                         browser_page, screenshot):
    user = make_user(roles=(Role.APPLICANT,), email="anna@praezision.example", full_name="Anna Schubert")
    entry = make_entry(company=make_company(user))
    page = browser_page
    log_in(page, live_server, user.email)
    page.goto(f"{live_server}/entries/{entry.id}/submit")
    conditions = page.get_by_role("region", name="Teilnahmebedingungen, Fassung 1")
    expect(conditions).to_contain_text("Teilnehmen können Unternehmen aus Südwestsachsen.")
    consent = page.get_by_label("Ich stimme den Teilnahmebedingungen", exact=False)
    assert conditions.bounding_box()["y"] < consent.bounding_box()["y"]  # read before the consent box
    screenshot(page, "submit-conditions")
    consent.check()
    page.get_by_role("button", name="Jetzt verbindlich einreichen").click()
    expect(page.get_by_role("link", name="Teilnahmebedingungen, Fassung 1")).to_be_visible()
    screenshot(page, "entry-agreed-conditions")
