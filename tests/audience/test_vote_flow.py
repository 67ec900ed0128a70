"""The whole audience vote through the real stack: settings, gallery, vote, mail link, change, exclusion, close,
publish (addresses deleted), results page and PDF, certificate verification; and the attacks on it."""

from __future__ import annotations

import io
import re
from datetime import timedelta

import pytest
from pypdf import PdfReader
from sqlalchemy import func, select

from competition.accounts.models import Role
from competition.audience.models import AudienceCertificate, AudienceVote, Ballot
from competition.core.audit import AuditEvent
from competition.core.clock import to_berlin, utcnow
from competition.entries.models import Entry, EntryStatus
from competition.extensions import db
from tests.conftest import link_in
from tests.rankings.snapshot_factory import ENTRIES, make_snapshot, publish


@pytest.fixture
def world(make_edition, make_round, make_category, make_criterion, make_company, make_entry, make_user):
    snapshot = make_snapshot(make_edition=make_edition, make_round=make_round, make_category=make_category,
                             make_criterion=make_criterion, make_company=make_company, make_entry=make_entry,
                             make_user=make_user)
    entries = list(db.session.scalars(select(Entry).order_by(Entry.id)))
    for entry, spec in zip(entries, ENTRIES, strict=True):
        entry.status = EntryStatus.SHORTLISTED
        entry.publish_summary = spec[4]
    db.session.commit()
    return snapshot, entries


def _berlin(moment) -> str:
    return to_berlin(moment).strftime("%Y-%m-%dT%H:%M")


def _open_vote(client, login_as, organiser, snapshot, entries):
    login_as(organiser)
    page = client.get(f"/organisation/editions/{snapshot.edition_id}/publikumspreis")
    html = page.get_data(as_text=True)
    published = [e for e, spec in zip(entries, ENTRIES, strict=True) if spec[4]]
    hidden = [e for e, spec in zip(entries, ENTRIES, strict=True) if not spec[4]]
    for entry in published:  # the finalists whose companies agreed are proposed
        assert re.search(rf'value="{entry.id}"[^>]*checked|checked[^>]*value="{entry.id}"', html)
    assert all(f'value="{e.id}"' not in html for e in hidden)
    now = utcnow()
    response = client.post(f"/organisation/editions/{snapshot.edition_id}/publikumspreis", data={
        "opens_at": _berlin(now - timedelta(hours=1)), "closes_at": _berlin(now + timedelta(days=3)),
        "entry_ids": [str(e.id) for e in published]})
    assert response.status_code == 302
    client.post("/logout")
    return published, hidden


def _vote(client, slug, entry, email, consent=True):
    data = {"email": email}
    if consent:
        data["consent"] = "y"
    return client.post(f"/publikumspreis/{slug}/beitrag/{entry.id}", data=data)


def test_the_whole_vote(client, login_as, organiser, world, outbox):
    snapshot, entries = world
    published, hidden = _open_vote(client, login_as, organiser, snapshot, entries)
    slug = "ind-2026"
    a, c = published[0], published[1]  # both in the first category (Digitalisierung)
    assert a.category_id == c.category_id

    gallery = client.get(f"/publikumspreis/{slug}").get_data(as_text=True)
    assert a.title in gallery and c.title in gallery
    assert all(e.title not in gallery for e in hidden)  # no consent to publication: not shown
    filtered = client.get(f"/publikumspreis/{slug}?kategorie={published[-1].category_id}").get_data(as_text=True)
    assert published[-1].title in filtered and a.title not in filtered
    assert client.get(f"/publikumspreis/{slug}/beitrag/{hidden[0].id}").status_code == 404

    # without consent: refused with a German message next to the field, the address kept
    refused = _vote(client, slug, a, "Anna.Schubert@web.de", consent=False)
    assert refused.status_code == 422
    text = refused.get_data(as_text=True)
    assert "Bitte stimmen Sie der Verarbeitung Ihrer Adresse zu" in text and 'value="Anna.Schubert@web.de"' in text
    assert _vote(client, slug, a, "kein-at-zeichen").status_code == 422

    response = _vote(client, slug, a, "Anna.Schubert+preis@web.de")
    assert response.status_code == 302 and "/gesendet" in response.headers["Location"]
    assert len(outbox) == 1 and "Bitte bestätigen Sie Ihre Stimme" in outbox[0].subject
    assert outbox[0].to == ["Anna.Schubert+preis@web.de"]
    link = link_in(outbox[0], "/publikumspreis/bestaetigen/")
    assert outbox[0].body.count("http://localhost/publikumspreis/bestaetigen/") == 1  # from BASE_URL
    ballot = db.session.scalar(select(Ballot))
    assert ballot.entry_id is None and ballot.mail_sent_at is not None  # not counted before the click

    page = client.get(link)  # a mail scanner opening the link changes nothing
    assert page.status_code == 200 and "Ja, meine Stimme bestätigen" in page.get_data(as_text=True)
    db.session.refresh(ballot)
    assert ballot.entry_id is None
    done = client.post(link)
    assert "Vielen Dank, Ihre Stimme zählt" in done.get_data(as_text=True)
    db.session.refresh(ballot)
    assert ballot.entry_id == a.id
    assert client.post(link).status_code == 200  # clicked twice: still one vote

    # the same address written differently: the same voter, the same ballot
    again = _vote(client, slug, a, " anna.schubert@WEB.DE ")
    assert "bereits gezählt" in client.get(again.headers["Location"]).get_data(as_text=True)
    assert len(outbox) == 1

    # a change waits for its own confirmation; the old vote keeps counting until then
    _vote(client, slug, c, "anna.schubert+neu@web.de")
    assert len(outbox) == 2 and "geändert" in outbox[1].body
    db.session.refresh(ballot)
    assert ballot.entry_id == a.id and ballot.pending_entry_id == c.id
    assert db.session.scalar(select(func.count(Ballot.id))) == 1
    client.post(link_in(outbox[1], "/publikumspreis/bestaetigen/"))
    db.session.refresh(ballot)
    assert ballot.entry_id == c.id

    # the other category is a separate vote of the same person
    other = published[-1]
    _vote(client, slug, other, "anna.schubert@web.de")
    client.post(link_in(outbox[2], "/publikumspreis/bestaetigen/"))
    for n, email in enumerate(["bernd@gmx.de", "carla@posteo.de", "mailinator-fan@mailinator.com"]):
        _vote(client, slug, a, email)
        client.post(link_in(outbox[3 + n], "/publikumspreis/bestaetigen/"))

    # the organiser's monitor: the disposable address is flagged and excluded as a pattern, with a reason
    login_as(organiser)
    monitor = client.get(f"/organisation/editions/{snapshot.edition_id}/publikumspreis/monitor")
    html = monitor.get_data(as_text=True)
    assert "Wegwerf-E-Mail-Adressen" in html and "mailinator.com" in html and "<svg" in html
    assert "Bestätigungsquote 100 %" in html
    short = client.post(f"/organisation/editions/{snapshot.edition_id}/publikumspreis/exclude",
                        data={"pattern": "disposable:mailinator.com", "reason": "kurz"})
    assert short.status_code == 422 and "mindestens 10 Zeichen" in short.get_data(as_text=True)
    assert ">kurz</textarea>" in short.get_data(as_text=True)  # what was typed stays
    for tampered in ("12x", "99999999999999999999999", "-1"):  # a forged selection: said, the reason kept, nothing out
        forged = client.post(f"/organisation/editions/{snapshot.edition_id}/publikumspreis/exclude",
                             data={"ballot_ids": tampered, "reason": "Verdacht auf gekaufte Stimmen"})
        assert forged.status_code == 422 and "Auswahl der Stimmen ist ungültig" in forged.get_data(as_text=True)
        assert "Verdacht auf gekaufte Stimmen" in forged.get_data(as_text=True)
    assert db.session.scalar(select(func.count(Ballot.id)).where(Ballot.excluded_reason.is_not(None))) == 0
    client.post(f"/organisation/editions/{snapshot.edition_id}/publikumspreis/exclude",
                data={"pattern": "disposable:mailinator.com", "reason": "Wegwerf-Adresse, Person nicht prüfbar"})
    excluded = db.session.scalar(select(Ballot).where(Ballot.domain == "mailinator.com"))
    assert excluded.excluded_reason == "Wegwerf-Adresse, Person nicht prüfbar"

    # publishing needs a closed vote; closing and publishing are audited
    vote = db.session.scalar(select(AudienceVote))
    early = client.post(f"/organisation/editions/{snapshot.edition_id}/publikumspreis/publish", follow_redirects=True)
    assert "Bitte schließen Sie die Abstimmung" in early.get_data(as_text=True)
    client.post(f"/organisation/editions/{snapshot.edition_id}/publikumspreis/close")
    late = _vote(client, slug, a, "zu.spaet@web.de")
    assert late.status_code == 200 and "beendet" in late.get_data(as_text=True)
    client.post(f"/organisation/editions/{snapshot.edition_id}/publikumspreis/publish")
    db.session.refresh(vote)
    assert vote.published_at is not None and vote.sha256
    actions = set(db.session.scalars(select(AuditEvent.action)))
    assert {"audience.configured", "audience.excluded", "audience.closed", "audience.published",
            "audience.addresses_purged"} <= actions
    # addresses deleted, the salted hashes kept: the same person still cannot vote twice
    assert db.session.scalar(select(func.count(Ballot.id)).where(Ballot.email.is_not(None))) == 0
    assert all(len(h) == 64 for h in db.session.scalars(select(Ballot.voter_hash)))
    counted = {c["id"]: c for c in vote.content["categories"]}[str(a.category_id)]
    assert counted["winners"] == [str(a.id)]  # bernd + carla (mailinator excluded) against anna's one for c
    assert vote.content["totals"] == {"counted": 4, "excluded": 1, "unconfirmed": 0}

    # the results page and PDF show the Publikumspreis beside the jury's awards
    publish(snapshot)
    page = client.get(f"/ergebnisse/{slug}").get_data(as_text=True)
    assert "Publikumspreis" in page and a.title in page
    assert "1 Stimme wurde vom Organisationsteam wegen Manipulationsverdachts ausgeschlossen" in page
    pdf = client.get(f"/ergebnisse/{slug}/ergebnisse.pdf")
    pdf_text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.data)).pages)
    assert "Publikumspreis" in pdf_text and vote.sha256[:16] in pdf_text.replace("\n", "")

    # the certificate verifies like the jury's, and stops verifying when the stored result is changed
    certificate = client.get(f"/organisation/editions/{snapshot.edition_id}/publikumspreis/certificates/{a.id}.pdf")
    cert_text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(certificate.data)).pages)
    assert "Publikumspreis" in cert_text and a.title in cert_text
    code = db.session.scalar(select(AudienceCertificate.code))
    assert code in cert_text.replace("\n", "") and "http://localhost/verify/publikumspreis/" in cert_text
    client.post("/logout")
    check = client.get(f"/verify/publikumspreis/{code}")
    assert check.status_code == 200 and "Diese Urkunde ist echt" in check.get_data(as_text=True)
    assert client.get(f"/organisation/editions/{snapshot.edition_id}/publikumspreis/certificates/{c.id}.pdf"
                      ).status_code in (302, 401)  # anonymous: to the login page
    vote.content = {**vote.content, "totals": {"counted": 999, "excluded": 0, "unconfirmed": 0}}
    db.session.commit()
    assert client.get(f"/verify/publikumspreis/{code}").status_code == 409
    assert "Publikumspreis" not in client.get(f"/ergebnisse/{slug}").get_data(as_text=True)


def test_attacks_on_the_vote(client, login_as, organiser, world, outbox, make_user):
    snapshot, entries = world
    published, hidden = _open_vote(client, login_as, organiser, snapshot, entries)
    slug = "ind-2026"
    a = published[0]
    # a forged or altered confirmation link counts nothing
    _vote(client, slug, a, "max@web.de")
    link = link_in(outbox[0], "/publikumspreis/bestaetigen/")
    forged = client.post(link[:-3] + ("AAA" if not link.endswith("AAA") else "BBB"))
    assert forged.status_code == 400 and "ungültig" in forged.get_data(as_text=True)
    assert db.session.scalar(select(Ballot.entry_id)) is None
    # a vote for an entry that is not in the gallery (no consent) or of another edition is a 404
    assert _vote(client, slug, hidden[0], "max@web.de").status_code == 404
    assert _vote(client, "ind-9999", a, "max@web.de").status_code == 404
    # an older link stops counting once the address voted again in that category
    _vote(client, slug, published[1], "max@web.de")
    old = client.post(link)
    assert old.status_code == 400 and "neuesten E-Mail" in old.get_data(as_text=True)
    # a company or a juror cannot see the monitor or act as organiser
    for role in (Role.APPLICANT, Role.JUROR):
        login_as(make_user(roles=(role,)))
        assert client.get(f"/organisation/editions/{snapshot.edition_id}/publikumspreis/monitor").status_code == 403
        assert client.post(f"/organisation/editions/{snapshot.edition_id}/publikumspreis/publish"
                           ).status_code == 403
        client.post("/logout")
    assert db.session.scalar(select(AudienceVote.published_at)) is None


def test_rate_limits_per_address_and_network(make_app, world, organiser):
    snapshot, entries = world
    limited = make_app(RATELIMIT_ENABLED=True, RATELIMIT_STORAGE_URI="memory://",
                       RATELIMIT_AUDIENCE_PER_ADDRESS="3 per minute", RATELIMIT_AUDIENCE_PER_NETWORK="6 per minute")
    client = limited.test_client()
    from competition.audience.services import configure_vote

    with limited.app_context():
        now = utcnow()
        edition_entries = [e for e, spec in zip(entries, ENTRIES, strict=True) if spec[4]]
        configure_vote(edition=_edition(snapshot), opens_at=now - timedelta(hours=1), closes_at=now + timedelta(days=1),
                       entry_ids=[e.id for e in edition_entries], by=organiser, now=now)
        db.session.commit()
        a = edition_entries[0]
        url = f"/publikumspreis/ind-2026/beitrag/{a.id}"
        codes = [client.post(url, data={"email": f"Max+{i}@web.de", "consent": "y"}).status_code for i in range(4)]
        assert codes[:3] == [302, 302, 302] and codes[3] == 429  # one address, however written
        others = [client.post(url, data={"email": f"person{i}@web.de", "consent": "y"},
                              environ_base={"REMOTE_ADDR": "192.0.2.7"}).status_code for i in range(7)]
        assert others[:6] == [302] * 6 and others[6] == 429  # one /24 network
        elsewhere = client.post(url, data={"email": "jemand@web.de", "consent": "y"},
                                environ_base={"REMOTE_ADDR": "198.51.100.7"})
        assert elsewhere.status_code == 302


def _edition(snapshot):
    from competition.editions.models import Edition

    return db.session.get(Edition, snapshot.edition_id)


def test_the_same_person_at_the_same_moment_gets_one_ballot(world, organiser, app):
    """Two requests of one address (two spellings): the unique key keeps one ballot, no error."""
    from competition.audience import services

    snapshot, entries = world
    now = utcnow()
    shown = [e for e, spec in zip(entries, ENTRIES, strict=True) if spec[4]]
    vote = services.configure_vote(edition=_edition(snapshot), opens_at=now - timedelta(hours=1),
                                   closes_at=now + timedelta(days=1), entry_ids=[e.id for e in shown], by=organiser,
                                   now=now)
    db.session.commit()
    services.request_vote(vote=vote, entry_id=shown[0].id, category_id=shown[0].category_id, email="eva@web.de",
                          network="", locale="de", now=now)
    db.session.commit()
    # No lookup before the write: one upsert on the unique key, so the second request of the same person (another
    # spelling) renews the one ballot instead of failing or making a second one.
    ballot_id = services.request_vote(vote=vote, entry_id=shown[1].id, category_id=shown[1].category_id,
                                      email="EVA@web.de", network="", locale="de", now=now)
    db.session.commit()
    assert db.session.get(Ballot, ballot_id).pending_entry_id == shown[1].id
    assert db.session.scalar(select(func.count(Ballot.id))) == 1


def test_a_link_clicked_after_the_vote_closed_counts_nothing(client, login_as, organiser, world, outbox):
    """The one guarded UPDATE of a confirmation checks that the vote is still open; a stale ballot id is refused."""
    snapshot, entries = world
    published, _hidden = _open_vote(client, login_as, organiser, snapshot, entries)
    _vote(client, "ind-2026", published[0], "spaet.klicker@web.de")
    link = link_in(outbox[0], "/publikumspreis/bestaetigen/")
    login_as(organiser)
    client.post(f"/organisation/editions/{snapshot.edition_id}/publikumspreis/close")
    client.post("/logout")
    late = client.post(link)
    assert late.status_code == 400 and "Die Abstimmung ist geschlossen" in late.get_data(as_text=True)
    ballot = db.session.scalar(select(Ballot))
    db.session.refresh(ballot)
    assert ballot.entry_id is None and ballot.pending_entry_id == published[0].id
    # a well-signed link whose ballot is gone
    from competition.audience.services import confirm_token

    gone = client.post(f"/publikumspreis/bestaetigen/{confirm_token(ballot.id + 999, 'x')}")
    assert gone.status_code == 400 and "keine Stimme mehr" in gone.get_data(as_text=True)
