from competition.extensions import db
from tests.conftest import PASSWORD, link_in, login

NEW = "mein neues sicheres Passwort"


def test_reset_by_mailed_link(app, client, outbox, make_user):
    user = make_user(email="anna@firma.example")
    other_device = app.test_client()
    login(other_device, user.email)

    page = client.post("/password/forgot", data={"email": "Anna@Firma.example"}).get_data(as_text=True)
    assert "Wenn für anna@firma.example ein Konto besteht" in page
    assert len(outbox) == 1 and outbox[0].to == ["anna@firma.example"]
    link = link_in(outbox[0], "/password/reset/")

    assert "Neues Passwort festlegen" in client.get(link).get_data(as_text=True)
    response = client.post(link, data={"password": NEW, "password_repeat": NEW})
    assert response.headers["Location"] == "/login"
    assert login(client, user.email, PASSWORD).status_code == 200  # old password no longer works
    assert login(client, user.email, NEW).status_code == 302
    assert other_device.get("/account").status_code == 302  # every other session ended

    reused = client.get(link)
    assert reused.status_code == 400
    assert "bereits verwendet" in reused.get_data(as_text=True)


def test_unknown_address_gets_the_same_answer_and_no_mail(client, outbox):
    page = client.post("/password/forgot", data={"email": "niemand@firma.example"}).get_data(as_text=True)
    assert "Wenn für niemand@firma.example ein Konto besteht" in page
    assert outbox == []


def test_expired_reset_link(app, client, outbox, make_user):
    make_user(email="anna@firma.example")
    client.post("/password/forgot", data={"email": "anna@firma.example"})
    link = link_in(outbox[0], "/password/reset/")
    app.config["PASSWORD_RESET_MAX_AGE"] = -1
    try:
        response = client.get(link)
    finally:
        app.config["PASSWORD_RESET_MAX_AGE"] = 3600
    assert response.status_code == 400 and "abgelaufen" in response.get_data(as_text=True)
    assert "Neuen Link anfordern" in response.get_data(as_text=True)


def test_weak_new_password_is_refused_and_nothing_changes(client, outbox, make_user):
    user = make_user(email="anna@firma.example")
    old_hash = user.password_hash
    client.post("/password/forgot", data={"email": user.email})
    link = link_in(outbox[0], "/password/reset/")
    page = client.post(link, data={"password": "kurz", "password_repeat": "kurz"}).get_data(as_text=True)
    assert "mindestens 12 Zeichen" in page
    db.session.refresh(user)
    assert user.password_hash == old_hash


def test_reset_verifies_an_unverified_address(client, outbox, make_user):
    user = make_user(email="neu@firma.example", verified=False)
    client.post("/password/forgot", data={"email": user.email})
    client.post(link_in(outbox[0], "/password/reset/"), data={"password": NEW, "password_repeat": NEW})
    db.session.refresh(user)
    assert user.is_email_verified
