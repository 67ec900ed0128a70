"""The gallery: no N+1 (the same number of queries for 3 or 12 entries), images without metadata, only entries
whose company agreed, the organisers' settings refusing bad input with what was typed kept; and the CLI purge."""

from __future__ import annotations

import io
from datetime import timedelta

from PIL import Image
from sqlalchemy import event, select

from competition.audience.models import AudienceVote, Ballot
from competition.audience.services import configure_vote
from competition.core.clock import to_berlin, utcnow
from competition.core.storage import get_storage
from competition.entries.models import Attachment, District, EntryStatus
from competition.extensions import db


def _entries(make_entry, make_company, make_user, category, n, **overrides):
    out = []
    for i in range(n):
        company = make_company(make_user(), legal_name=f"Galerie {category.id}-{i} GmbH",
                               district=District.VOGTLANDKREIS if i % 2 else District.CHEMNITZ)
        out.append(make_entry(company=company, category=category, title=f"Beitrag {category.id}-{i}",
                              status=EntryStatus.SHORTLISTED, publish_summary=True, **overrides))
    return out


def _queries(client, url) -> tuple[int, str]:
    statements = []

    def count(*_args, **_kwargs):
        statements.append(1)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        page = client.get(url)
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    assert page.status_code == 200
    return len(statements), page.get_data(as_text=True)


def test_the_gallery_needs_the_same_queries_for_few_and_many_entries(client, make_edition, make_category, make_entry,
                                                                      make_company, make_user, organiser):
    now = utcnow()
    small, large = make_edition(slug="klein"), make_edition(slug="gross")
    few = _entries(make_entry, make_company, make_user, make_category(small), 3)
    many = [e for c in (make_category(large), make_category(large)) for e in
            _entries(make_entry, make_company, make_user, c, 6)]
    for edition, entries in ((small, few), (large, many)):
        configure_vote(edition=edition, opens_at=now - timedelta(hours=1), closes_at=now + timedelta(days=1),
                       entry_ids=[e.id for e in entries], by=organiser, now=now)
    db.session.commit()
    n_few, _ = _queries(client, "/publikumspreis/klein")
    n_many, html = _queries(client, "/publikumspreis/gross")
    assert n_few == n_many
    assert all(e.title in html for e in many)
    # the district filter
    _, chemnitz = _queries(client, "/publikumspreis/gross?kreis=chemnitz")
    assert many[0].title in chemnitz and many[1].title not in chemnitz
    _, bogus = _queries(client, "/publikumspreis/gross?kreis=%3Cscript%3E&kategorie=999999")
    assert all(e.title in bogus for e in many)  # an unknown filter is ignored, not an error


def test_the_image_is_served_without_its_metadata_and_only_for_the_gallery(client, make_edition, make_category,
                                                                             make_entry, make_company, make_user,
                                                                             organiser):
    now = utcnow()
    edition = make_edition(slug="bilder")
    category = make_category(edition)
    shown, = _entries(make_entry, make_company, make_user, category, 1)
    secret = make_entry(company=make_company(make_user()), category=category, title="Geheim", publish_summary=False,
                        status=EntryStatus.SHORTLISTED)
    picture = Image.new("RGB", (1600, 1200), (200, 30, 30))
    exif = picture.getexif()
    exif[0x010F] = "Kamera des Unternehmens"  # Make
    exif[0x8825] = {2: (50.0, 50.0, 0.0)}  # GPS latitude
    raw = io.BytesIO()
    picture.save(raw, format="JPEG", exif=exif)
    attachments = []
    for entry in (shown, secret):
        stored = get_storage().save(io.BytesIO(raw.getvalue()))
        attachment = Attachment(entry_id=entry.id, original_name="foto.jpg", content_type="image/jpeg", kind="jpeg",
                                size_bytes=stored.size, sha256=stored.sha256, storage_key=stored.key)
        db.session.add(attachment)
        attachments.append(attachment)
    db.session.commit()
    configure_vote(edition=edition, opens_at=now - timedelta(hours=1), closes_at=now + timedelta(days=1),
                   entry_ids=[shown.id], by=organiser, now=now)
    db.session.commit()
    gallery = client.get("/publikumspreis/bilder").get_data(as_text=True)
    assert f"/publikumspreis/bilder/bild/{attachments[0].id}" in gallery and 'alt="Bild zum Beitrag' in gallery
    image = client.get(f"/publikumspreis/bilder/bild/{attachments[0].id}")
    assert image.status_code == 200 and image.mimetype == "image/jpeg"
    served = Image.open(io.BytesIO(image.data))
    assert served.size[0] <= 960 and not served.getexif()
    assert b"Kamera des Unternehmens" not in image.data
    assert client.get(f"/publikumspreis/bilder/bild/{attachments[1].id}").status_code == 404
    # an image uploaded for a question the organisers keep for the jury is never public
    from competition.entries.models import Question, QuestionKind, Visibility

    question = Question(edition_id=edition.id, kind=QuestionKind.FILE, label="Foto der Anlage (intern)",
                        visibility=Visibility.JURY)
    db.session.add(question)
    db.session.flush()
    attachments[0].question_id = question.id
    db.session.commit()
    assert client.get(f"/publikumspreis/bilder/bild/{attachments[0].id}").status_code == 404
    assert "/bild/" not in client.get("/publikumspreis/bilder").get_data(as_text=True)


def test_settings_refuse_bad_input_and_keep_it(client, login_as, organiser, make_edition, make_category, make_entry,
                                               make_company, make_user):
    edition = make_edition(slug="einstellungen")
    category = make_category(edition)
    entry, = _entries(make_entry, make_company, make_user, category, 1)
    hidden = make_entry(company=make_company(make_user()), category=category, title="Ohne Zustimmung",
                        status=EntryStatus.SHORTLISTED, publish_summary=False)
    login_as(organiser)
    now = utcnow()
    url = f"/organisation/editions/{edition.id}/publikumspreis"
    typed = {"opens_at": to_berlin(now + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M"),
             "closes_at": to_berlin(now + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M"), "entry_ids": [str(entry.id)]}
    page = client.post(url, data=typed)
    html = page.get_data(as_text=True)
    assert page.status_code == 422 and "Das Ende der Abstimmung muss nach ihrem Beginn liegen." in html
    assert typed["opens_at"] in html and typed["closes_at"] in html
    forged = client.post(url, data={**typed, "closes_at": to_berlin(now + timedelta(days=5)).strftime(
        "%Y-%m-%dT%H:%M"), "entry_ids": [str(hidden.id)]})
    assert forged.status_code == 422 and "Veröffentlichung zugestimmt" in forged.get_data(as_text=True)
    assert db.session.scalar(select(AudienceVote)) is None


def test_the_cli_deletes_addresses_of_published_votes_only(app, make_edition, make_category, make_entry,
                                                          make_company, make_user, organiser):
    now = utcnow()
    runner = app.test_cli_runner()
    votes = []
    for slug in ("veroeffentlicht", "offen"):
        edition = make_edition(slug=slug)
        entry, = _entries(make_entry, make_company, make_user, make_category(edition), 1)
        vote = configure_vote(edition=edition, opens_at=now - timedelta(hours=1), closes_at=now + timedelta(days=1),
                              entry_ids=[entry.id], by=organiser, now=now)
        db.session.add(Ballot(vote_id=vote.id, category_id=entry.category_id, voter_hash=slug * 4, email="a@web.de",
                              local="a", domain="web.de", entry_id=entry.id))
        votes.append(vote)
    votes[0].published_at = now  # published before its addresses were deleted (e.g. an older release)
    db.session.commit()
    result = runner.invoke(args=["audience", "purge-addresses"])
    assert result.exit_code == 0 and "1 E-Mail-Adresse gelöscht" in result.output
    emails = dict(db.session.execute(select(Ballot.vote_id, Ballot.email)).all())
    assert emails == {votes[0].id: None, votes[1].id: "a@web.de"}
