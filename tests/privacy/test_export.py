"""Art. 15/20: a user downloads everything about them as a ZIP of JSON files plus their companies' files."""

from __future__ import annotations

import io
import json
import zipfile

from competition.accounts.models import Role
from competition.core.clock import utcnow
from competition.entries.attachments import add_attachment
from competition.entries.models import Answer, Question, QuestionKind
from competition.extensions import db
from competition.judging.models import (
    Conflict,
    ConflictSource,
    JurorExpertise,
    JurorProfile,
)
from competition.privacy import services


def png() -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "white").save(buffer, "PNG")
    return buffer.getvalue()


def download(client) -> zipfile.ZipFile:
    response = client.post("/account/data")
    assert response.status_code == 200 and response.mimetype == "application/zip"
    assert "attachment; filename=meine-daten-" in response.headers["Content-Disposition"]
    assert response.headers["Cache-Control"] == "no-store"
    return zipfile.ZipFile(io.BytesIO(response.get_data()))


def read(archive: zipfile.ZipFile, name: str):
    return json.loads(archive.read(name))


def test_applicant_gets_account_company_entries_and_files(client, login_as, make_user, make_company, make_entry):
    user = make_user(email="lorenz@textilwerke.example", full_name="Heike Lorenz")
    services.record_consents(user=user, now=utcnow())
    company = make_company(user, legal_name="Vogtland Textilwerke", contact_name="Heike Lorenz",
                           contact_email="lorenz@textilwerke.example")
    entry = make_entry(company=company, title="Recycelbare Faser")
    question = Question(edition_id=entry.edition_id, kind=QuestionKind.SHORT_TEXT, label="Patent?", position=1)
    db.session.add(question)
    db.session.flush()
    db.session.add(Answer(entry_id=entry.id, question_id=question.id, value="angemeldet"))
    db.session.commit()
    add_attachment(entry=entry, stream_or_file=png(), filename="Faser.png", by=user, now=utcnow())
    db.session.commit()
    login_as(user)
    page = client.get("/account/data").get_data(as_text=True)
    assert "ZIP-Datei herunterladen" in page and "user.json" in page
    assert client.post(f"/entries/{entry.id}/submit", data={"consent": "y", "lock_version": entry.lock_version}
                       ).status_code == 302

    archive = download(client)
    names = set(archive.namelist())
    assert {"user.json", "companies.json", "entries.json", "jury.json", "audit.json"} <= names
    account = read(archive, "user.json")
    assert account["account"]["email"] == "lorenz@textilwerke.example"
    assert account["account"]["full_name"] == "Heike Lorenz" and account["account"]["last_login_at"]
    assert "password_hash" not in json.dumps(account) and user.password_hash not in json.dumps(account)
    assert [r["role"] for r in account["roles"]] == ["applicant"]
    assert {(c["kind"], c["version"]) for c in account["consents"]} == {("terms", "1"), ("privacy", "1")}

    companies = read(archive, "companies.json")
    assert companies["memberships"][0]["is_admin"] is True
    assert companies["memberships"][0]["company"]["legal_name"] == "Vogtland Textilwerke"

    [exported] = read(archive, "entries.json")
    assert exported["title"] == "Recycelbare Faser" and exported["status"] == "submitted"
    assert exported["answers"] == [{"question": "Patent?", "value": "angemeldet"}]
    assert exported["versions"][0]["number"] == 1
    assert exported["versions"][0]["content"]["entry"]["title"] == "Recycelbare Faser"
    [attachment] = exported["attachments"]
    assert attachment["original_name"] == "Faser.png" and attachment["file"].endswith(" Recycelbare Faser/Faser.png")
    assert archive.read(attachment["file"]) == png() and attachment["file"].startswith("files/")

    actions = [event["action"] for event in read(archive, "audit.json")]
    assert "attachment.added" in actions and "entry.submitted" in actions
    assert read(archive, "jury.json") == {"profile": None, "expertise": [], "conflicts": [], "score_sheets": []}


def test_juror_gets_profile_conflicts_and_own_score_sheets(client, login_as, make_user, make_company, make_entry,
                                                         make_edition, make_round, make_criterion, make_category,
                                                         make_assignment, make_score_sheet):
    juror = make_user(roles=(Role.JUROR,), email="jury@tu-chemnitz.example", full_name="Prof. Jana Beispiel")
    other = make_user(roles=(Role.JUROR,), email="andere@jury.example")
    edition = make_edition()
    category = make_category(edition, name="Mobilität")
    judging_round = make_round(edition, name="Vorauswahl")
    criterion = make_criterion(judging_round, name="Innovation")
    entry = make_entry(category=category, number="IND-2026-0007", title="Leichtbau-Rahmen")
    db.session.add_all([
        JurorProfile(user_id=juror.id, organisation="TU Chemnitz", position="Professorin",
                     employer_domains=["tu-chemnitz.de"], former_employers=["Zulieferer AG"]),
        JurorExpertise(user_id=juror.id, category_id=category.id),
        Conflict(user_id=juror.id, company_id=make_company(make_user(), legal_name="Nachbar GmbH").id,
                 source=ConflictSource.DECLARED, reason="Frühere Beratung"),
    ])
    for person, comment in ((juror, "Sehr originell"), (other, "Fremder Kommentar")):
        assignment = make_assignment(judging_round=judging_round, entry=entry, juror=person)
        make_score_sheet(assignment, scores={criterion.id: "8.50"}, comments={criterion.id: "stark"},
                         overall_comment=comment)
    db.session.commit()
    login_as(juror)

    jury = read(download(client), "jury.json")
    assert jury["profile"]["organisation"] == "TU Chemnitz"
    assert jury["profile"]["former_employers"] == ["Zulieferer AG"]
    assert jury["expertise"] == ["Mobilität"]
    assert jury["conflicts"][0]["company"] == "Nachbar GmbH" and jury["conflicts"][0]["source"] == "declared"
    [sheet] = jury["score_sheets"]  # only their own
    assert sheet["overall_comment"] == "Sehr originell" and sheet["status"] == "submitted"
    assert sheet["entry_number"] == "IND-2026-0007" and sheet["round"] == "Vorauswahl"
    assert sheet["scores"] == [{"criterion": "Innovation", "value": "8.50", "comment": "stark"}]


def test_export_needs_sign_in_and_a_post(client):
    assert client.post("/account/data").headers["Location"].startswith("/login")
    assert client.get("/account/data").headers["Location"].startswith("/login")
