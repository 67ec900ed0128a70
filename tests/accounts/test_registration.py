"""Self-registration of company staff with e-mail verification."""

from competition.accounts.models import Role, User
from competition.extensions import db
from tests.conftest import PASSWORD, link_in, login

FORM = {
    "full_name": "Anna Schubert",
    "email": "Anna.Schubert@Praezision-Aue.example",
    "password": PASSWORD,
    "password_repeat": PASSWORD,
    "accept_terms": "y",
}


def test_register_verify_and_login(client, outbox):
    response = client.post("/register", data=FORM)
    assert response.status_code == 200
    assert "Bitte prüfen Sie Ihr Postfach" in response.get_data(as_text=True)

    user = db.session.scalar(db.select(User).where(User.email == "anna.schubert@praezision-aue.example"))
    assert user is not None and user.has_role(Role.APPLICANT) and not user.is_email_verified

    assert len(outbox) == 1
    message = outbox[0]
    assert message.to == ["anna.schubert@praezision-aue.example"]
    assert message.subject == "Bitte bestätigen Sie Ihre E-Mail-Adresse"
    assert "Guten Tag Anna Schubert" in message.body

    # Before verification, login is refused with a way to get a new link.
    refused = login(client, "anna.schubert@praezision-aue.example")
    assert "Bitte bestätigen Sie zuerst Ihre E-Mail-Adresse" in refused.get_data(as_text=True)
    assert "Bestätigungslink erneut senden" in refused.get_data(as_text=True)

    verified = client.get(link_in(message, "/verify/"))
    assert verified.status_code == 302 and verified.headers["Location"] == "/login"
    db.session.refresh(user)
    assert user.is_email_verified

    response = login(client, "ANNA.SCHUBERT@praezision-aue.example ")
    assert response.status_code == 302 and response.headers["Location"] == "/dashboard"
    home = client.get("/").get_data(as_text=True)
    assert "Angemeldet als Anna Schubert" in home


def test_form_errors_are_next_to_fields_and_keep_input_except_passwords(client, outbox):
    data = {**FORM, "password": "kurz", "password_repeat": "anders", "accept_terms": ""}
    response = client.post("/register", data=data)
    page = response.get_data(as_text=True)
    assert 'id="password-error"' in page and "mindestens 12 Zeichen" in page
    assert 'id="accept_terms-error"' in page
    assert 'value="Anna Schubert"' in page
    assert 'value="Anna.Schubert@Praezision-Aue.example"' in page
    assert 'value="kurz"' not in page
    assert 'aria-invalid="true"' in page
    assert db.session.scalar(db.select(db.func.count()).select_from(User)) == 0
    assert outbox == []


def test_invalid_email_is_explained(client):
    page = client.post("/register", data={**FORM, "email": "keine-adresse"}).get_data(as_text=True)
    assert "gültige E-Mail-Adresse" in page


def test_common_password_is_refused(client):
    page = client.post("/register", data={**FORM, "password": "Passwort1234", "password_repeat": "Passwort1234"})
    assert "zu verbreitet" in page.get_data(as_text=True)


def test_registering_a_known_address_reveals_nothing_and_mails_the_owner(client, outbox, make_user):
    make_user(email="anna.schubert@praezision-aue.example", full_name="Anna Schubert")
    response = client.post("/register", data=FORM)
    assert "Bitte prüfen Sie Ihr Postfach" in response.get_data(as_text=True)
    assert db.session.scalar(db.select(db.func.count()).select_from(User)) == 1
    assert len(outbox) == 1 and outbox[0].subject == "Registrierung mit Ihrer E-Mail-Adresse"
    assert "/password/forgot" in outbox[0].body


def test_verification_link_tampered_or_reused(client, outbox):
    client.post("/register", data=FORM)
    link = link_in(outbox[0], "/verify/")
    broken = client.get(link[:-3] + "xyz")
    assert broken.status_code == 400 and "ungültig" in broken.get_data(as_text=True)
    assert client.get(link).status_code == 302
    again = client.get(link)  # harmless: the address is verified already
    assert again.status_code == 302


def test_expired_verification_link(app, client, outbox):
    client.post("/register", data=FORM)
    link = link_in(outbox[0], "/verify/")
    app.config["EMAIL_VERIFICATION_MAX_AGE"] = -1
    try:
        response = client.get(link)
    finally:
        app.config["EMAIL_VERIFICATION_MAX_AGE"] = 48 * 3600
    assert response.status_code == 400
    assert "abgelaufen" in response.get_data(as_text=True)


def test_resend_verification_does_not_reveal_accounts(client, outbox, make_user):
    make_user(email="offen@firma.example", verified=False)
    for address in ("offen@firma.example", "niemand@firma.example"):
        page = client.post("/verify/resend", data={"email": address}).get_data(as_text=True)
        assert "Bitte prüfen Sie Ihr Postfach" in page
    assert [m.to for m in outbox] == [["offen@firma.example"]]
