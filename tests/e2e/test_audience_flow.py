"""The audience vote in a real browser: the organiser opens it, a visitor browses the gallery, filters, votes,
confirms through the mailed link, changes the vote; the organiser closes and publishes; the results page shows the
Publikumspreis and its certificate verifies."""

from __future__ import annotations

from datetime import timedelta

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from competition.audience.models import AudienceCertificate, Ballot
from competition.core.clock import to_berlin, utcnow
from competition.entries.models import Entry, EntryStatus
from competition.extensions import db
from tests.e2e.flows import link_from_mail, log_in
from tests.rankings.snapshot_factory import ENTRIES, make_snapshot, publish

pytestmark = pytest.mark.e2e


def test_the_audience_vote_from_gallery_to_certificate(live_server, live_outbox, new_page, screenshot, organiser,
                                                        make_edition, make_round, make_category, make_criterion,
                                                        make_company, make_entry, make_user):
    snapshot = make_snapshot(make_edition=make_edition, make_round=make_round, make_category=make_category,
                             make_criterion=make_criterion, make_company=make_company, make_entry=make_entry,
                             make_user=make_user)
    entries = list(db.session.scalars(select(Entry).order_by(Entry.id)))
    for entry, spec in zip(entries, ENTRIES, strict=True):
        entry.status, entry.publish_summary = EntryStatus.SHORTLISTED, spec[4]
    db.session.commit()
    shown = [e for e, spec in zip(entries, ENTRIES, strict=True) if spec[4]]
    first, second = shown[0], shown[1]  # the same category
    titles = {e.id: e.title for e in entries}
    edition_id = snapshot.edition_id

    # the organiser opens the vote: dates, the finalists whose companies agreed are proposed
    orga = new_page()
    orga.on("dialog", lambda dialog: dialog.accept())
    log_in(orga, live_server, organiser.email)
    orga.goto(f"{live_server}/organisation/editions/{edition_id}/publikumspreis")
    now = utcnow()
    orga.get_by_label("Beginn der Abstimmung").fill(to_berlin(now - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"))
    orga.get_by_label("Ende der Abstimmung").fill(to_berlin(now + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M"))
    expect(orga.get_by_label(titles[first.id], exact=False)).to_be_checked()
    screenshot(orga, "audience-settings")
    orga.get_by_role("button", name="Abstimmung speichern").click()
    expect(orga.get_by_role("status").filter(has_text="Die Publikumsabstimmung ist gespeichert.")).to_be_visible()

    # a visitor: the gallery, a filter, an entry, the vote with consent
    visitor = new_page()
    visitor.goto(f"{live_server}/publikumspreis/ind-2026")
    expect(visitor.get_by_role("heading", name=titles[first.id])).to_be_visible()
    for hidden in (e for e in entries if e not in shown):
        expect(visitor.get_by_text(titles[hidden.id], exact=True)).to_have_count(0)
    visitor.get_by_label("Kategorie").select_option(label="Nachhaltigkeit & Energie")
    visitor.get_by_role("button", name="Filter anwenden").click()
    expect(visitor.get_by_role("heading", name=titles[first.id])).to_have_count(0)
    screenshot(visitor, "audience-gallery")
    visitor.goto(f"{live_server}/publikumspreis/ind-2026/beitrag/{first.id}")
    visitor.get_by_label("Ihre E-Mail-Adresse").fill("Greta.Vogel@web.de")
    visitor.get_by_role("button", name="Stimme abgeben").click()  # consent missing
    expect(visitor.get_by_text("Bitte stimmen Sie der Verarbeitung Ihrer Adresse zu").first).to_be_visible()
    expect(visitor.get_by_label("Ihre E-Mail-Adresse")).to_have_value("Greta.Vogel@web.de")
    screenshot(visitor, "audience-entry-error")
    visitor.get_by_label("Ich habe die Hinweise zum Datenschutz gelesen").check()
    visitor.get_by_role("button", name="Stimme abgeben").click()
    expect(visitor.get_by_role("heading", name="Bitte bestätigen Sie Ihre Stimme")).to_be_visible()

    # the link from the mail: a page with a button (opening it alone counts nothing), then counted
    link = link_from_mail(live_outbox, "/publikumspreis/bestaetigen/", to="Greta.Vogel@web.de", base_url=live_server)
    visitor.goto(link)
    screenshot(visitor, "audience-confirm")
    visitor.get_by_role("button", name="Ja, meine Stimme bestätigen").click()
    expect(visitor.get_by_role("heading", name="Vielen Dank, Ihre Stimme zählt")).to_be_visible()
    expect(visitor.get_by_text(first.title, exact=False).first).to_be_visible()  # what she voted for, by name
    screenshot(visitor, "audience-confirmed")
    assert db.session.scalar(select(Ballot.entry_id)) == first.id

    # she changes her mind (another spelling of the same address): one ballot, moved after its own confirmation
    visitor.goto(f"{live_server}/publikumspreis/ind-2026/beitrag/{second.id}")
    visitor.get_by_label("Ihre E-Mail-Adresse").fill("greta.vogel+preis@WEB.de")
    visitor.get_by_label("Ich habe die Hinweise zum Datenschutz gelesen").check()
    visitor.get_by_role("button", name="Stimme abgeben").click()
    visitor.goto(link_from_mail(live_outbox, "/publikumspreis/bestaetigen/", to="greta.vogel+preis@WEB.de",
                                base_url=live_server))
    visitor.get_by_role("button", name="Ja, meine Stimme bestätigen").click()
    expect(visitor.get_by_role("heading", name="Vielen Dank, Ihre Stimme zählt")).to_be_visible()
    db.session.expire_all()
    assert [b.entry_id for b in db.session.scalars(select(Ballot))] == [second.id]

    # the organiser: monitor, close, publish
    orga.goto(f"{live_server}/organisation/editions/{edition_id}/publikumspreis/monitor")
    expect(orga.get_by_text("Bestätigungsquote 100 %")).to_be_visible()
    expect(orga.locator("svg.chart-timeline title")).to_have_text("Bestätigte Stimmen je Beitrag im Zeitverlauf")
    screenshot(orga, "audience-monitor")
    orga.get_by_role("button", name="Abstimmung jetzt schließen").click()
    orga.get_by_role("button", name="Ergebnis veröffentlichen").click()
    expect(orga.get_by_role("status").filter(has_text="Das Ergebnis des Publikumspreises ist veröffentlicht")
           ).to_be_visible()
    db.session.expire_all()
    assert db.session.scalar(select(Ballot.email)) is None  # the address is deleted

    # the results page shows the Publikumspreis beside the jury's awards; the certificate verifies
    publish(snapshot)
    visitor.goto(f"{live_server}/ergebnisse/ind-2026")
    award = visitor.locator("section.extra-award")
    expect(award.get_by_role("heading", name="Publikumspreis")).to_be_visible()
    expect(award.get_by_text(titles[second.id])).to_be_visible()
    screenshot(visitor, "audience-results")
    response = orga.request.get(f"{live_server}/organisation/editions/{edition_id}/publikumspreis/certificates/"
                                f"{second.id}.pdf")
    assert response.ok and response.body().startswith(b"%PDF")
    code = db.session.scalar(select(AudienceCertificate.code))
    visitor.goto(f"{live_server}/verify/publikumspreis/{code}")
    expect(visitor.get_by_text("Diese Urkunde ist echt.")).to_be_visible()
    screenshot(visitor, "audience-verify")
