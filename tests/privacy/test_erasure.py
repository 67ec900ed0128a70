"""Art. 17: erasure anonymises the person everywhere, keeps the jury records without them, ends every session."""

from __future__ import annotations

import json
import os

import pytest
from flask import current_app
from sqlalchemy import select

from competition.accounts.models import Role, User
from competition.admin.demo import DEMO_PASSWORD
from competition.communications.models import MailLog
from competition.core.audit import AuditEvent, first_broken_link
from competition.core.clock import utcnow
from competition.core.storage import get_storage
from competition.entries.attachments import add_attachment
from competition.entries.models import Attachment, Company, CompanyMember, Entry, EntryVersion
from competition.entries.receipts import snapshot_sha256
from competition.extensions import db
from competition.judging.models import JurorProfile, ScoreSheet, SheetStatus
from competition.privacy import services
from competition.privacy.models import Consent
from competition.rankings import queries as ranking_queries
from competition.rankings import services as rankings
from tests.conftest import PASSWORD, login


def occurrences(*needles: str) -> list[tuple[str, str, str]]:
    """Every (table, column, needle) where a text of any column of any table contains one of the needles."""
    wanted = [n.lower() for n in needles]
    found = []
    for table in db.metadata.sorted_tables:
        for row in db.session.execute(select(table)).mappings():
            for column, value in row.items():
                if value is None:
                    continue
                text = json.dumps(value, ensure_ascii=False, default=str) if isinstance(value, dict | list) \
                    else str(value)
                found += [(table.name, column, n) for n in wanted if n in text.lower()]
    return found


def stored_file_names() -> list[str]:
    names = []
    for _root, dirs, files in os.walk(current_app.config["UPLOAD_FOLDER"]):
        names += dirs + files
    return names


def erase(client, password=PASSWORD):
    return client.post("/account/delete", data={"password": password, "confirm": "y"})


@pytest.fixture
def scored(app):
    result = app.test_cli_runner().invoke(args=["demo", "seed", "--entries", "8", "--jurors", "5", "--seed", "3",
                                                "--scored"])
    assert result.exit_code == 0, result.output
    return result


def unique_person(candidates) -> User:
    for user in candidates:
        if db.session.scalar(select(db.func.count()).select_from(User).where(User.full_name == user.full_name)) == 1:
            return user
    raise AssertionError("no person with a unique name")


def test_erasing_a_juror_leaves_no_trace_and_the_rankings_unchanged(app, client, scored):
    sheet = db.session.scalar(select(ScoreSheet).where(ScoreSheet.status == SheetStatus.SUBMITTED))
    judging_round = sheet.round
    juror = unique_person(db.session.scalars(select(User).join(ScoreSheet, ScoreSheet.user_id == User.id)
                                             .where(ScoreSheet.status == SheetStatus.SUBMITTED).distinct()))
    name, email, juror_id = juror.full_name, juror.email, juror.id
    organiser = db.session.scalar(select(User).join(User.role_rows).where(User.role_rows.any(role=Role.ORGANISER)))
    snapshot = rankings.freeze_ranking(judging_round=judging_round, method="weighted-mean", by=organiser,
                                       now=utcnow())
    db.session.commit()
    inputs_before = ranking_queries.round_inputs(judging_round)
    sheets_before = db.session.scalar(select(db.func.count()).select_from(ScoreSheet)
                                      .where(ScoreSheet.user_id == juror_id))
    assert occurrences(name, email)  # the search finds the person before
    other_device = app.test_client()
    login(other_device, email, DEMO_PASSWORD)
    login(client, email, DEMO_PASSWORD)

    page = client.get("/account/delete").get_data(as_text=True)
    assert "Abgegebene Bewertungen bleiben ohne Bezug zu Ihrer Person erhalten" in page
    wrong = erase(client, password="falsch-falsch-falsch")
    assert wrong.status_code == 422 and "Das Passwort ist falsch" in wrong.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(User, juror_id).email == email

    response = erase(client, DEMO_PASSWORD)
    assert response.headers["Location"] == "/"
    assert "Ihr Konto wurde gelöscht" in client.get("/").get_data(as_text=True)
    db.session.expire_all()

    # Nowhere, not even in the frozen ranking: its hashed content names people by id, the names beside it go.
    assert occurrences(name, email) == []
    assert not [n for n in stored_file_names() if name.lower() in n.lower() or email in n.lower()]
    erased = db.session.get(User, juror_id)
    assert erased.full_name == f"Gelöschte Person #{juror_id}" and erased.email.endswith(".invalid")
    assert erased.roles == set() and not erased.is_active_account
    profile = db.session.scalar(select(JurorProfile).where(JurorProfile.user_id == juror_id))
    assert profile is None or (profile.organisation == "" and profile.employer_domains == [])

    # The competition stays intact: the same sheets, the same ranking inputs, the frozen snapshot still verifies.
    assert db.session.scalar(select(db.func.count()).select_from(ScoreSheet)
                             .where(ScoreSheet.user_id == juror_id)) == sheets_before
    assert ranking_queries.round_inputs(judging_round) == inputs_before
    rankings.rank_round(judging_round)
    assert rankings.verify_snapshot(db.session.get(type(snapshot), snapshot.id))

    # Every session ended; the old address no longer signs in.
    assert other_device.get("/account").headers["Location"].startswith("/login")
    assert client.get("/account").headers["Location"].startswith("/login")
    assert "E-Mail-Adresse oder Passwort ist falsch" in login(client, email, DEMO_PASSWORD).get_data(as_text=True)

    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "account.erased"))
    assert event.actor_id == juror_id and event.object_id == juror_id and event.data["roles"] == ["juror"]
    assert first_broken_link() is None


def test_erasing_an_applicant_keeps_the_company_and_its_submissions_without_them(client, scored):
    versions = db.session.scalars(select(EntryVersion)).all()
    submitters = db.session.scalars(select(User).where(User.id.in_({v.submitted_by_id for v in versions})))
    applicant = unique_person(submitters)
    name, email, user_id = applicant.full_name, applicant.email, applicant.id
    company = db.session.scalar(select(Company).join(CompanyMember).where(CompanyMember.user_id == user_id))
    company_id = company.id
    entries_before = db.session.scalar(select(db.func.count()).select_from(Entry).where(Entry.company_id == company_id))
    files_before = [a.storage_key for a in db.session.scalars(select(Attachment).join(Entry)
                                                              .where(Entry.company_id == company_id))]
    assert company.contact_email == email and occurrences(name, email)
    services.record_consents(user=applicant, now=utcnow())
    db.session.commit()
    login(client, email, DEMO_PASSWORD)

    assert erase(client, DEMO_PASSWORD).headers["Location"] == "/"
    db.session.expire_all()

    assert occurrences(name, email) == []
    company = db.session.get(Company, company_id)  # the legal entity and its submissions stay
    assert company is not None and company.members == []
    assert (company.contact_name, company.contact_email, company.contact_phone) == ("", "", "")
    assert db.session.scalar(select(db.func.count()).select_from(Entry)
                             .where(Entry.company_id == company_id)) == entries_before
    assert files_before and all(get_storage().exists(key) for key in files_before)
    redacted = db.session.scalars(select(EntryVersion).join(Entry).where(Entry.company_id == company_id)).all()
    for version in redacted:
        assert version.content["submitted_by"] == f"Gelöschte Person #{user_id}"
        assert version.content_sha256 == snapshot_sha256(version.content)  # still consistent
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "account.erased"))
    assert {item["version"] for item in event.data["redacted_versions"]} == {v.id for v in redacted}
    assert first_broken_link() is None
    # Consents stay as proof, linked to the anonymised account only.
    assert db.session.scalar(select(db.func.count()).select_from(Consent).where(Consent.user_id == user_id)) == 2


def test_a_sole_member_without_submissions_takes_the_company_along(client, login_as, make_user, make_company,
                                                                   make_entry):
    user = make_user(email="solo@einzel.example", full_name="Sofia Solo")
    services.record_consents(user=user, now=utcnow())
    company = make_company(user, contact_name="Sofia Solo", contact_email="solo@einzel.example")
    entry = make_entry(company=company)
    attachment = add_attachment(entry=entry, stream_or_file=_png(), filename="foto.png", by=user, now=utcnow())
    db.session.commit()
    key, company_id = attachment.storage_key, company.id
    assert get_storage().exists(key)
    login_as(user)

    assert erase(client).headers["Location"] == "/"
    db.session.expire_all()
    assert db.session.get(Company, company_id) is None
    assert db.session.scalar(select(db.func.count()).select_from(Entry)) == 0
    assert not get_storage().exists(key)  # removed once the deletion was committed
    assert occurrences("Sofia Solo", "solo@einzel.example") == []
    assert db.session.scalar(select(db.func.count()).select_from(Consent)) == 2  # kept as proof


def test_a_colleague_stays_and_becomes_the_companys_admin(client, login_as, make_user, make_company):
    leaving = make_user(email="geht@firma.example", full_name="Gerd Geht")
    staying = make_user(email="bleibt@firma.example", full_name="Berta Bleibt")
    company = make_company(leaving, staying, contact_name="Berta Bleibt", contact_email="bleibt@firma.example")
    db.session.add(MailLog(user_id=leaving.id, address="geht@firma.example", subject="Erinnerung"))
    db.session.commit()
    login_as(leaving)
    assert erase(client).headers["Location"] == "/"
    db.session.expire_all()
    company = db.session.get(Company, company.id)
    assert [(m.user_id, m.is_admin) for m in company.members] == [(staying.id, True)]
    assert company.contact_name == "Berta Bleibt"  # not the erased person's data: unchanged
    assert occurrences("Gerd Geht", "geht@firma.example") == []
    assert db.session.scalar(select(MailLog.subject)) == "Erinnerung"  # the log keeps what was sent


def test_the_last_organiser_cannot_erase_themself(client, login_as, organiser, make_user):
    login_as(organiser)
    page = client.get("/account/delete").get_data(as_text=True)
    assert "letzte Person im Organisationsteam" in page and 'name="password"' not in page
    refused = erase(client)
    assert refused.status_code == 409 and "letzte Person im Organisationsteam" in refused.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(User, organiser.id).email == "orga@ind.example"
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "account.erased")) is None

    make_user(roles=(Role.ORGANISER,), email="zweite@ind.example")
    assert erase(client).headers["Location"] == "/"
    db.session.expire_all()
    assert occurrences("Olga Organisatorin", "orga@ind.example") == []


def test_the_confirmation_checkbox_is_required(client, login_as, make_user):
    user = make_user(email="vorsicht@firma.example")
    login_as(user)
    response = client.post("/account/delete", data={"password": PASSWORD})
    assert response.status_code == 422 and "Bitte bestätigen Sie" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(User, user.id).email == "vorsicht@firma.example"


def _png() -> bytes:
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "white").save(buffer, "PNG")
    return buffer.getvalue()
