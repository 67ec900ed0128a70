"""Organisers handle requests by mail: an Art. 15 export for an account, an Art. 17 erasure of an account."""

from __future__ import annotations

import io
import json
import zipfile

from competition.accounts.models import Role, User
from competition.core.audit import AuditEvent
from competition.extensions import db
from tests.conftest import login


def test_organiser_exports_the_data_of_an_account_and_it_is_logged(client, login_as, organiser, make_user):
    person = make_user(email="anfrage@firma.example", full_name="Anna Anfrage")
    login_as(organiser)
    page = client.get("/organisation/privacy").get_data(as_text=True)
    assert 'id="export-email"' in page and 'id="erase-email"' in page
    assert 'href="/organisation/legal/privacy"' in page

    unknown = client.post("/organisation/privacy/export", data={"export-email": "niemand@firma.example"})
    assert unknown.status_code == 422 and "kein Konto" in unknown.get_data(as_text=True)

    response = client.post("/organisation/privacy/export", data={"export-email": " Anfrage@Firma.example "})
    assert response.mimetype == "application/zip"
    account = json.loads(zipfile.ZipFile(io.BytesIO(response.get_data())).read("user.json"))
    assert account["account"]["full_name"] == "Anna Anfrage"
    event = db.session.scalar(db.select(AuditEvent).where(AuditEvent.action == "account.exported"))
    assert event.actor_id == organiser.id and event.object_id == person.id and event.data == {}


def test_organiser_erases_an_account_after_confirming(app, client, login_as, organiser, make_user):
    person = make_user(email="weg@firma.example", full_name="Walter Weg", roles=(Role.JUROR,))
    device = app.test_client()
    login(device, "weg@firma.example")
    login_as(organiser)

    unconfirmed = client.post("/organisation/privacy/erase", data={"erase-email": "weg@firma.example"})
    assert unconfirmed.status_code == 422 and "Identität geprüft" in unconfirmed.get_data(as_text=True)
    own = client.post("/organisation/privacy/erase", data={"erase-email": "orga@ind.example", "erase-confirm": "y"})
    assert own.status_code == 422 and "Ihr eigenes Konto" in own.get_data(as_text=True)

    done = client.post("/organisation/privacy/erase", data={"erase-email": "weg@firma.example", "erase-confirm": "y"},
                       follow_redirects=True)
    assert f"jetzt „Gelöschte Person #{person.id}“" in done.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(User, person.id).email == f"deleted-{person.id}@deleted.invalid"
    assert device.get("/jury").headers["Location"].startswith("/login")  # their sessions ended
    event = db.session.scalar(db.select(AuditEvent).where(AuditEvent.action == "account.erased"))
    assert event.actor_id == organiser.id and event.data["by_self"] is False


def test_applicants_and_jurors_cannot_use_the_organiser_requests(client, login_as, make_user):
    make_user(email="ziel@firma.example")
    login_as(make_user(roles=(Role.JUROR,)))
    assert client.post("/organisation/privacy/erase", data={"erase-email": "ziel@firma.example",
                                                            "erase-confirm": "y"}).status_code == 403
    assert client.post("/organisation/privacy/export", data={"export-email": "ziel@firma.example"}).status_code == 403
    assert db.session.scalar(db.select(User).where(User.email == "ziel@firma.example")) is not None
