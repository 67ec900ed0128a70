"""The reliability meter in a real browser: the organiser freezes a round whose line is in doubt, reads how sure the
jury is, asks for extra reviews with one click; the chosen jurors follow the links in their mails and score; the next
freeze shows how the reliability and the line's stability changed against the previous snapshot."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from competition.extensions import db
from competition.rankings.models import ExtraReviewRequest
from tests.rankings.reliability_world import build_world

from .flows import LINK, log_in

pytestmark = pytest.mark.e2e


def flash(page: Page):
    return page.locator(".flashes").get_by_role("status").first


def links_to(outbox: list, address: str, base_url: str) -> list[str]:
    links = [url for message in outbox if address in message.to for url in LINK.findall(message.body)
             if "/jury/assignments/" in url]
    assert links and all(url.startswith(base_url + "/") for url in links), links
    return links


def freeze(page: Page, *, line: str) -> None:
    page.get_by_label("Methode").select_option("calibrated")
    page.get_by_label("Linie nach Platz (Preise bzw. Shortlist)").fill(line)
    page.once("dialog", lambda dialog: dialog.accept())  # "Rangliste jetzt einfrieren? … gesperrt …"
    page.get_by_role("button", name="Rangliste berechnen und einfrieren").click()
    expect(flash(page)).to_contain_text("Rangliste eingefroren")


def test_recommend_request_score_and_freeze_again(live_app, live_server, live_outbox, new_page, screenshot,
                                                 make_edition, make_category, make_round, make_criterion,
                                                 make_company, make_user, make_entry, organiser):
    live_app.config.update(BASE_URL=live_server, JOBS_BACKEND="inline")
    world = build_world(make_edition=make_edition, make_category=make_category, make_round=make_round,
                        make_criterion=make_criterion, make_company=make_company, make_user=make_user,
                        make_entry=make_entry, organiser=organiser)
    rankings = f"{live_server}/organisation/editions/{world.edition.id}/rankings?round={world.round.id}"

    page = new_page()
    log_in(page, live_server, organiser.email)
    page.goto(rankings)
    freeze(page, line="3")
    meter = page.locator("section.reliability")
    expect(meter.get_by_role("heading", name="Wie sicher ist die Jury?")).to_be_visible()
    expect(meter.get_by_role("heading", name=re.compile("Digitalisierung"))).to_contain_text("Linie nicht gesichert")
    expect(meter).to_contain_text("Die Linie nach Platz 3 ist nicht gesichert")
    expect(meter).to_contain_text("Zuverlässigkeit der Gesamtwertung: 0,")
    expect(meter).to_contain_text("statistisch nicht zu unterscheiden")
    explanation = meter.get_by_text("Henderson", exact=False)
    expect(explanation).to_be_hidden()  # one sentence of explanation, on demand
    meter.get_by_text("Was bedeuten diese Angaben?").click()
    expect(explanation).to_be_visible()
    screenshot(page, "reliability-meter")

    budget = meter.get_by_label("Anzahl zusätzlicher Bewertungen")
    budget.fill("0")  # the browser already refuses it (min 1); the server's own check: tests/rankings
    meter.get_by_role("button", name="Zusätzliche Bewertungen anfordern").click()
    assert budget.evaluate("input => !input.validity.valid")
    expect(flash(page)).to_contain_text("Rangliste eingefroren")  # nothing was sent
    budget.fill("2")
    meter.get_by_role("button", name="Zusätzliche Bewertungen anfordern").click()
    expect(flash(page)).to_have_text("2 zusätzliche Bewertungen angefordert; die Jurymitglieder werden per E-Mail "
                                     "gebeten.")
    expect(meter).to_contain_text("wurden aus diesem Stand 2 zusätzliche Bewertungen angefordert; eingereicht: 0")
    expect(meter.get_by_role("button", name="Zusätzliche Bewertungen anfordern")).to_have_count(0)

    db.session.expire_all()
    requests = db.session.scalars(select(ExtraReviewRequest).order_by(ExtraReviewRequest.id)).all()
    assert len(requests) == 2 and all(r.mailed_at is not None for r in requests)
    for email in sorted({r.user.email for r in requests}):
        juror = new_page()
        log_in(juror, live_server, email)
        for link in links_to(live_outbox, email, live_server):
            juror.goto(link)
            juror.get_by_role("button", name="Ich bin nicht befangen").click()
            for criterion in world.round.criteria:
                juror.locator(f"#score_{criterion.id}").fill("7")
            juror.once("dialog", lambda dialog: dialog.accept())
            juror.get_by_role("button", name="Bewertung einreichen").click()
            expect(juror.get_by_role("status").filter(has_text="Ihre Bewertung ist eingereicht")).to_be_visible()

    page.goto(rankings)
    expect(meter).to_contain_text("eingereicht: 2")
    expect(page.get_by_text("Dieser Stand ist nicht mehr aktuell.")).to_be_visible()
    freeze(page, line="3")
    expect(meter.get_by_text("Gegenüber dem Stand vom")).to_have_count(2)  # both categories
    expect(meter).to_contain_text(re.compile(r"Zuverlässigkeit \d,\d+ → \d,\d+"))
    expect(meter).to_contain_text(re.compile(r"Linie richtig gezogen mit \d+\s% → \d+\s% Wahrscheinlichkeit"))
    expect(meter).to_contain_text(re.compile(r"[12] Bögen? mehr"))
    screenshot(page, "reliability-after-extra-reviews")
