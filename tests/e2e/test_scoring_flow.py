"""A juror scores an entry in the browser: conflict confirmation, live weighted total while typing (htmx),
autosave that survives a reload, submit and the locked sheet; the dashboard shows the result."""

from __future__ import annotations

from decimal import Decimal

import pytest
from playwright.sync_api import expect

from competition.accounts.models import Role
from competition.core.clock import utcnow
from competition.editions.phases import Phase
from competition.entries.models import EntryStatus
from competition.entries.services import submit_entry
from competition.extensions import db
from competition.judging import services

from .flows import log_in


@pytest.mark.e2e
def test_juror_scores_with_live_total_autosave_and_submit(
    live_server, new_page, make_user, make_edition, make_category, make_round, make_criterion, make_company,
    make_entry, organiser, screenshot,
):
    edition = make_edition(phase_override=Phase.SUBMISSION)
    category = make_category(edition, name="Digitalisierung")
    judging_round = make_round(edition, name="Vorauswahl", scale_step=Decimal("0.5"), jurors_per_entry=1)
    innovation = make_criterion(judging_round, name="Innovationsgrad", weight=3, rubric_high="grundlegend neu")
    impact = make_criterion(judging_round, name="Regionale Wirkung", weight=1)
    owner = make_user(email="kontakt@komsa.example")
    entry = make_entry(company=make_company(owner, legal_name="KOMSA AG"), category=category,
                       title="KI-gestützte Sichtprüfung")
    submit_entry(entry=entry, consent=True, lock_version=None, by=owner, now=utcnow())
    entry.status = EntryStatus.ELIGIBLE
    edition.phase_override = Phase.JURY
    juror = make_user(roles=(Role.JUROR,), email="prof@tu-chemnitz.example", full_name="Prof. Jana Beispiel")
    services.add_assignment(judging_round=judging_round, juror=juror, entry=entry, by=organiser, now=utcnow())
    db.session.commit()

    page = new_page()
    log_in(page, live_server, juror.email)
    expect(page).to_have_url(live_server + "/jury")
    page.get_by_role("link", name="KI-gestützte Sichtprüfung", exact=True).click()
    expect(page.get_by_role("heading", name="Bevor Sie bewerten")).to_be_visible()
    page.get_by_role("button", name="Ich bin nicht befangen").click()
    expect(page.get_by_text("grundlegend neu")).to_be_visible()

    page.locator(f"#score_{innovation.id}").fill("8")
    page.locator(f"#score_{impact.id}").fill("4")
    status = page.locator("#sheet-status")
    expect(status).to_contain_text("7", timeout=8000)  # (3 × 8 + 1 × 4) / 4 = 7,00, computed by the server
    expect(status).to_contain_text("Entwurf gespeichert")
    screenshot(page, "juror-sheet")
    page.reload()
    expect(page.locator(f"#score_{innovation.id}")).to_have_value("8")
    expect(page.locator("#sheet-status")).to_contain_text("7,00")

    page.locator(f"#score_{impact.id}").fill("11")
    expect(page.locator(f"#score_{impact.id}-error")).to_contain_text("zwischen 0 und 10", timeout=8000)
    expect(status).to_contain_text("vorläufig (1 von 2 Kriterien)")  # never a total from the invalid value
    page.locator(f"#score_{impact.id}").fill("5,5")
    expect(status).to_contain_text("7,38", timeout=8000)

    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Bewertung einreichen").click()
    expect(page.get_by_role("status").filter(has_text="Ihre Bewertung ist eingereicht")).to_be_visible()
    expect(page.locator(f"#score_{innovation.id}")).to_be_disabled()
    page.goto(live_server + "/jury")
    expect(page.get_by_text("1 von 1 bewertet")).to_be_visible()
    expect(page.get_by_role("cell", name="7,38")).to_be_visible()
    screenshot(page, "juror-dashboard")
