"""Retention: `flask ops purge` removes attachments, texts and contact data of non-winning entries once the
edition's retention date has passed; winners, numbers, scores and frozen rankings stay; twice is harmless."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlalchemy import text

from competition.core.audit import AuditEvent, first_broken_link
from competition.core.clock import utcnow
from competition.core.storage import get_storage
from competition.editions.models import Edition
from competition.entries.models import Answer, Attachment, Company, Entry, EntryStatus, EntryVersion
from competition.extensions import db
from competition.judging.models import Score
from competition.rankings.models import RankingSnapshot
from competition.rankings.services import verify_snapshot

from .conftest import fingerprint


@pytest.fixture
def expired(scored_demo):
    """The scored demo edition past its retention date; the first submitted entry won."""
    edition = db.session.scalar(db.select(Edition).where(Edition.slug == "ind-2026"))
    submitted = db.session.scalars(db.select(Entry).where(Entry.number.is_not(None)).order_by(Entry.number)).all()
    winner = submitted[0]
    winner.status = EntryStatus.AWARDED
    edition.retention_until = utcnow() - timedelta(days=1)
    db.session.commit()
    return edition, winner, [e for e in db.session.scalars(db.select(Entry)) if e.id != winner.id]


def count(model, *where) -> int:
    return db.session.scalar(db.select(db.func.count()).select_from(model).where(*where))


def entry_tables_text() -> str:
    """Everything stored about entries and companies, as one string to search for personal data."""
    parts = []
    for table in ("entries", "entry_versions", "answers", "attachments", "companies", "company_invites"):
        parts += [json.dumps([str(v) for v in row], ensure_ascii=False)
                  for row in db.session.execute(text(f"SELECT * FROM {table}"))]  # noqa: S608
    return "\n".join(parts)


def test_dry_run_lists_what_would_go_and_changes_nothing(app, expired):
    edition, winner, losers = expired
    before = fingerprint()
    audit_events = count(AuditEvent)
    output = app.test_cli_runner().invoke(args=["ops", "purge", "--dry-run"])
    assert output.exit_code == 0, output.output
    assert "Würde löschen in ind-2026" in output.output and "Probelauf: nichts wurde verändert." in output.output
    numbers = [e.number for e in losers if e.number]
    assert numbers and all(number in output.output for number in numbers)
    assert winner.number not in output.output
    assert f"{len(before['files']) - 2} Anlage(n)" in output.output  # the winner keeps its two
    assert fingerprint() == before and count(AuditEvent) == audit_events


def test_purge_removes_non_winners_data_and_keeps_winners_scores_and_rankings(app, expired):
    edition, winner, losers = expired
    storage = get_storage()
    keys = db.session.execute(db.select(Attachment.entry_id, Attachment.storage_key)).all()
    loser_keys = [key for entry_id, key in keys if entry_id != winner.id]
    winner_keys = [key for entry_id, key in keys if entry_id == winner.id]
    loser_company = db.session.get(Company, next(e.company_id for e in losers if e.number))
    secrets = [loser_company.contact_email, loser_company.contact_name, loser_company.contact_phone] + [
        e.summary for e in losers]
    winner_company = db.session.get(Company, winner.company_id)
    winner_contact = winner_company.contact_email
    scores = count(Score)
    snapshots = {s.id: s.sha256 for s in db.session.scalars(db.select(RankingSnapshot))}
    statuses = {e.id: (e.number, e.status, e.category_id) for e in losers}
    db.session.rollback()

    result = app.test_cli_runner().invoke(args=["ops", "purge"])
    assert result.exit_code == 0, result.output
    assert "Lösche in ind-2026" in result.output
    db.session.expire_all()

    # Non-winners: files and rows gone, texts and contact data emptied, versions stripped but hash kept.
    assert loser_keys and not any(storage.exists(key) for key in loser_keys)
    assert count(Attachment, Attachment.entry_id != winner.id) == 0
    assert count(Answer, Answer.entry_id != winner.id) == 0
    for entry in db.session.scalars(db.select(Entry).where(Entry.id != winner.id)):
        assert entry.title == "[gelöscht]" and entry.summary == "" and entry.description == ""
        assert (entry.number, entry.status, entry.category_id) == statuses[entry.id]
        for version in entry.versions:
            assert version.content["purged"] and version.content["attachments"] == []
            assert version.content["company"]["contact_email"] == "" and version.content_sha256
    haystack = entry_tables_text()
    for secret in secrets:
        assert secret and secret not in haystack, secret
    assert loser_company.contact_name == "" and loser_company.contact_email == ""

    # Winner, scores, frozen rankings and the audit chain stay.
    assert all(storage.exists(key) for key in winner_keys) and winner_keys
    assert db.session.get(Entry, winner.id).title != "[gelöscht]"
    assert db.session.get(Company, winner.company_id).contact_email == winner_contact
    assert winner_contact in haystack
    assert all(v.content.get("purged") is None
               for v in db.session.scalars(db.select(EntryVersion).where(EntryVersion.entry_id == winner.id)))
    assert count(Score) == scores
    for snapshot in db.session.scalars(db.select(RankingSnapshot)):
        assert snapshots[snapshot.id] == snapshot.sha256 and verify_snapshot(snapshot)
    event = db.session.scalar(db.select(AuditEvent).where(AuditEvent.action == "retention.purged"))
    assert event.object_id == edition.id and event.data["attachments"] == len(loser_keys)
    assert sorted(event.data["entries"]) == sorted(n or f"Entwurf #{e}" for e, (n, _s, _c) in statuses.items())
    assert first_broken_link() is None

    # Twice is harmless.
    events = count(AuditEvent)
    again = app.test_cli_runner().invoke(args=["ops", "purge"])
    assert again.exit_code == 0 and "Nichts zu löschen" in again.output
    assert count(AuditEvent) == events


def test_nothing_due_and_an_edition_still_within_its_period(app, scored_demo):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["ops", "purge", "--dry-run"])
    assert result.exit_code == 0 and "keine Ausschreibung hat ihre Aufbewahrungsfrist überschritten" in result.output
    result = runner.invoke(args=["ops", "purge", "--edition", "ind-2026"])
    assert result.exit_code == 2 and "keine Aufbewahrungsfrist gesetzt" in result.output
    edition = db.session.scalar(db.select(Edition).where(Edition.slug == "ind-2026"))
    edition.retention_until = utcnow() + timedelta(days=30)
    db.session.commit()
    before = fingerprint()
    result = runner.invoke(args=["ops", "purge", "--edition", "ind-2026"])
    assert result.exit_code == 2 and "läuft erst am" in result.output and "nichts gelöscht" in result.output
    assert fingerprint() == before
    result = runner.invoke(args=["ops", "purge", "--edition", "gibt-es-nicht"])
    assert result.exit_code == 2 and "Unbekannte Ausschreibung" in result.output


def test_a_company_with_an_entry_in_a_running_edition_keeps_its_contact(app, make_edition, make_entry, make_category):
    past = utcnow() - timedelta(days=400)
    old = make_edition(registration_opens_at=past, submission_deadline_at=past + timedelta(days=10),
                       jury_starts_at=past + timedelta(days=20), jury_ends_at=past + timedelta(days=30),
                       publication_at=past + timedelta(days=40), retention_until=past + timedelta(days=300))
    first = make_entry(category=make_category(old), status=EntryStatus.NOT_AWARDED)
    make_entry(company=first.company, category=make_category(make_edition()))
    alone = make_entry(category=make_category(old), status=EntryStatus.NOT_AWARDED)
    result = app.test_cli_runner().invoke(args=["ops", "purge", "--edition", old.slug])
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    assert first.title == "[gelöscht]" and alone.title == "[gelöscht]"
    assert first.company.contact_name == "Anna Schubert"  # still competing elsewhere
    assert alone.company.contact_name == "" and alone.company.contact_email == ""


def test_organisers_set_the_retention_date_in_the_edition_form(client, login_as, organiser):
    login_as(organiser)
    data = {"name": "Industrie. Neu. Denken. 2027", "registration_opens_at": "2027-01-10T09:00",
            "submission_deadline_at": "2027-03-31T23:59", "jury_starts_at": "2027-04-07T09:00",
            "jury_ends_at": "2027-05-15T18:00", "publication_at": "2027-06-01T18:00", "max_file_mb": "20",
            "max_entry_mb": "50", "max_files": "10", "terms_version": "2027-1"}
    form = client.get("/organisation/editions/new").get_data(as_text=True)
    assert "Aufbewahrung bis" in form and 'name="retention_until"' in form
    page = client.post("/organisation/editions/new", data={**data, "retention_until": "2027-05-01T00:00"},
                       follow_redirects=True).get_data(as_text=True)
    assert "muss nach der Veröffentlichung der Ergebnisse liegen" in page
    assert count(Edition) == 0
    response = client.post("/organisation/editions/new", data={**data, "retention_until": "2030-12-31T23:59"})
    assert response.status_code == 302
    edition = db.session.scalar(db.select(Edition))
    assert edition.retention_until.year == 2030 and edition.retention_until.tzinfo is not None
    response = client.post(f"/organisation/editions/{edition.id}/edit", data={**data, "retention_until": ""})
    assert response.status_code == 302
    db.session.expire_all()
    assert edition.retention_until is None
