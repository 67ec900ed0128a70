"""Consent with version: given at registration and on accepting an invitation, asked again after a material change."""

from __future__ import annotations

import pytest

from competition.accounts.models import Role, User
from competition.core.clock import utcnow
from competition.extensions import db
from competition.privacy import queries, services
from competition.privacy.models import Consent, LegalKind
from tests.conftest import PASSWORD, link_in

REGISTRATION = {"full_name": "Anna Schubert", "email": "anna@praezision-aue.example", "password": PASSWORD,
                "password_repeat": PASSWORD, "accept_terms": "y"}


def consents(user_id: int) -> set[tuple[str, str]]:
    return {(c.kind.value, c.version) for c in db.session.scalars(db.select(Consent).where(Consent.user_id == user_id))}


def new_version(kind: LegalKind, organiser) -> str:
    page = services.save_page(kind=kind, locale="de", data=services.PageData(body="<p>Neu</p>", bump_version=True),
                              by=organiser, now=utcnow())
    db.session.commit()
    return page.version


def test_registration_records_consent_to_the_current_versions(client, organiser):
    new_version(LegalKind.TERMS, organiser)  # terms at version 2, privacy notice at 1
    response = client.post("/register", data=REGISTRATION)
    assert "Bitte prüfen Sie Ihr Postfach" in response.get_data(as_text=True)
    user = db.session.scalar(db.select(User).where(User.email == "anna@praezision-aue.example"))
    assert consents(user.id) == {("terms", "2"), ("privacy", "1")}
    assert queries.missing_consents(user) == []


def test_registration_without_the_checkbox_is_refused(client):
    response = client.post("/register", data={**REGISTRATION, "accept_terms": ""})
    assert "Bitte akzeptieren Sie die Nutzungsbedingungen" in response.get_data(as_text=True)
    assert db.session.scalar(db.select(db.func.count()).select_from(Consent)) == 0
    assert db.session.scalar(db.select(User).where(User.email == REGISTRATION["email"])) is None


def test_accepting_an_invitation_gives_consent(app, client, outbox, login_as, organiser):
    login_as(organiser)
    client.post("/organisation/invitations", data={"email": "jury@tu-chemnitz.example", "role": "juror",
                                                   "full_name": "", "locale": "de"})
    link = link_in(outbox[0], "/invitation/")
    guest = app.test_client()
    form = guest.get(link).get_data(as_text=True)
    assert 'href="/datenschutz"' in form and 'name="accept_terms"' in form
    data = {"full_name": "Jana Beispiel", "password": PASSWORD, "password_repeat": PASSWORD}
    refused = guest.post(link, data=data)
    assert "Bitte akzeptieren Sie die Nutzungsbedingungen" in refused.get_data(as_text=True)
    assert db.session.scalar(db.select(User).where(User.email == "jury@tu-chemnitz.example")) is None
    assert guest.post(link, data={**data, "accept_terms": "y"}).headers["Location"] == "/jury"
    user = db.session.scalar(db.select(User).where(User.email == "jury@tu-chemnitz.example"))
    assert user.has_role(Role.JUROR) and consents(user.id) == {("terms", "1"), ("privacy", "1")}


def test_accounts_without_a_recorded_consent_are_not_asked_until_a_new_version(client, login_as, make_user):
    user = make_user()  # made on the command line: no consent rows
    login_as(user)
    assert client.get("/account").status_code == 200


@pytest.fixture
def asked(client, login_as, make_user, organiser):
    """A signed-in applicant who agreed to version 1; then the privacy notice gets version 2."""
    user = make_user(email="lorenz@textilwerke.example")
    services.record_consents(user=user, now=utcnow())
    db.session.commit()
    login_as(user)
    assert client.get("/account").status_code == 200
    new_version(LegalKind.PRIVACY, organiser)
    return user


def test_a_new_version_asks_again_on_the_next_page(client, asked):
    response = client.get("/account?tab=1")
    assert response.status_code == 302 and response.headers["Location"] == "/consent?next=/account?tab%3D1"
    page = client.get("/consent").get_data(as_text=True)
    assert "Geänderte Bedingungen" in page and 'href="/datenschutz"' in page and "Fassung 2" in page
    assert 'rel="noopener">Nutzungsbedingungen</a>' not in page  # only what changed (not the footer link)
    assert 'href="/account/delete"' in page  # not agreeing: take the data and leave

    refused = client.post("/consent", data={"next": "/account"})
    assert refused.status_code == 422 and "Bitte bestätigen Sie" in refused.get_data(as_text=True)
    assert ("privacy", "2") not in consents(asked.id)

    agreed = client.post("/consent", data={"agree": "y", "next": "/account?tab=1"})
    assert agreed.headers["Location"] == "/account?tab=1"
    assert consents(asked.id) == {("terms", "1"), ("privacy", "1"), ("privacy", "2")}
    assert client.get("/account").status_code == 200
    history = client.get("/consent").get_data(as_text=True)
    assert "Ihre Zustimmungen" in history and "Datenschutzerklärung" in history


@pytest.mark.parametrize("path", ["/datenschutz", "/impressum", "/nutzungsbedingungen", "/healthz",
                                  "/account/data", "/account/delete", "/static/css/app.css"])
def test_texts_and_leaving_stay_reachable_while_asked(client, asked, path):
    assert client.get(path).status_code == 200


def test_language_switch_and_logout_work_while_asked(client, asked):
    switched = client.post("/language", data={"lang": "en", "next": "/datenschutz"})
    assert switched.headers["Location"] == "/datenschutz"
    assert client.post("/logout").headers["Location"] == "/login"
    assert client.get("/account").headers["Location"].startswith("/login")


def test_htmx_autosave_gets_a_message_not_the_consent_page(client, asked, make_company, make_entry):
    entry = make_entry(company=make_company(asked))
    response = client.post(f"/entries/{entry.id}/autosave", data={"title": "Getippt", "lock_version": 1},
                           headers={"HX-Request": "true"})
    text = response.get_data(as_text=True)
    assert response.status_code == 200 and response.headers["X-Consent-Required"] == "1"
    assert 'role="alert"' in text and 'href="/consent"' in text and "<html" not in text
    db.session.refresh(entry)
    assert entry.title != "Getippt"  # not saved before the consent


def test_a_form_post_while_asked_goes_to_the_consent_page(client, asked):
    response = client.post("/company", data={"legal_name": "X"})
    assert response.headers["Location"] == "/consent"


def test_consent_next_is_only_a_local_path(client, asked):
    response = client.post("/consent", data={"agree": "y", "next": "//evil.example/"})
    assert response.headers["Location"] == "/dashboard"


def test_registering_after_the_change_is_not_asked_again(client, organiser):
    new_version(LegalKind.PRIVACY, organiser)
    client.post("/register", data=REGISTRATION)
    user = db.session.scalar(db.select(User).where(User.email == REGISTRATION["email"]))
    assert queries.missing_consents(user) == []
