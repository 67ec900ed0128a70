from competition.extensions import db
from tests.conftest import PASSWORD, link_in, login


def test_change_email_after_confirmation(client, outbox, login_as, make_user):
    user = make_user(email="alt@firma.example")
    login_as(user)
    response = client.post("/account/email", data={"email": "Neu@Firma.example", "password": PASSWORD})
    assert response.headers["Location"] == "/account"
    db.session.refresh(user)
    assert user.email == "alt@firma.example" and user.pending_email == "neu@firma.example"
    assert outbox[0].to == ["neu@firma.example"]

    confirmed = client.get(link_in(outbox[0], "/account/email/confirm/"))
    assert confirmed.status_code == 302
    db.session.refresh(user)
    assert user.email == "neu@firma.example" and user.pending_email is None
    assert outbox[1].to == ["alt@firma.example"]  # the old address is told
    client.post("/logout")
    assert login(client, "neu@firma.example").status_code == 302


def test_change_email_needs_the_password(client, outbox, login_as, make_user):
    login_as(make_user(email="alt@firma.example"))
    response = client.post("/account/email", data={"email": "neu@firma.example", "password": "falsch-falsch-1"})
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and 'id="password-error"' in page and "Das Passwort ist falsch." in page
    assert 'value="neu@firma.example"' in page
    assert outbox == []


def test_address_taken_meanwhile(client, outbox, login_as, make_user):
    user = make_user(email="alt@firma.example")
    login_as(user)
    client.post("/account/email", data={"email": "neu@firma.example", "password": PASSWORD})
    make_user(email="neu@firma.example")
    response = client.get(link_in(outbox[0], "/account/email/confirm/"))
    assert response.status_code == 400
    assert "bereits von einem anderen Konto" in response.get_data(as_text=True)
    db.session.refresh(user)
    assert user.email == "alt@firma.example" and user.pending_email is None
