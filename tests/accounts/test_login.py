"""Login, logout, sessions that end on the server side, safe redirects, rate limits."""

import pytest

from competition.accounts.models import Role
from competition.extensions import db
from tests.conftest import PASSWORD, login


def test_wrong_password_and_unknown_email_get_the_same_message(client, make_user):
    make_user(email="anna@firma.example")
    wrong = login(client, "anna@firma.example", "falsches-Passwort-123").get_data(as_text=True)
    unknown = login(client, "niemand@firma.example", "falsches-Passwort-123").get_data(as_text=True)
    message = "E-Mail-Adresse oder Passwort ist falsch."
    assert message in wrong and message in unknown
    assert 'value="anna@firma.example"' in wrong  # the e-mail is kept
    assert "falsches-Passwort-123" not in wrong  # the password is not


def test_login_redirects_to_local_next_only(client, make_user):
    user = make_user()
    response = login(client, user.email, next_url="/account")
    assert response.headers["Location"] == "/account"
    client.post("/logout")
    response = login(client, user.email, next_url="https://evil.example/phish")
    assert response.headers["Location"] == "/dashboard"  # the applicant's home instead
    client.post("/logout")
    response = login(client, user.email, next_url="//evil.example/")
    assert response.headers["Location"] == "/dashboard"


def test_protected_page_sends_anonymous_users_to_login_with_next(client):
    response = client.get("/organisation/editions")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=")


def test_organiser_lands_on_dashboard(client, organiser):
    response = login(client, organiser.email)
    assert response.headers["Location"] == "/organisation/"
    assert "<h1>Übersicht</h1>" in client.get("/organisation/").get_data(as_text=True)


def test_logout_ends_every_session_of_the_user(app, make_user):
    user = make_user()
    laptop, phone = app.test_client(), app.test_client()
    login(laptop, user.email)
    login(phone, user.email)
    assert phone.get("/account").status_code == 200
    response = laptop.post("/logout")
    assert response.headers["Location"] == "/login"
    assert laptop.get("/account").status_code == 302
    assert phone.get("/account").status_code == 302  # the other device is signed out too


def test_remember_me_cookie_is_void_after_logout_elsewhere(app, make_user):
    user = make_user()
    laptop, phone = app.test_client(), app.test_client()
    response = phone.post("/login", data={"email": user.email, "password": PASSWORD, "remember": "y"})
    assert "remember_token" in " ".join(response.headers.getlist("Set-Cookie"))
    phone.delete_cookie(app.config["SESSION_COOKIE_NAME"])  # browser restarted: only the remember cookie is left
    assert phone.get("/account").status_code == 200
    login(laptop, user.email)
    laptop.post("/logout")
    phone.delete_cookie(app.config["SESSION_COOKIE_NAME"])
    assert phone.get("/account").status_code == 302


def test_password_change_ends_other_sessions_but_keeps_this_one(app, make_user):
    user = make_user()
    here, elsewhere = app.test_client(), app.test_client()
    login(here, user.email)
    login(elsewhere, user.email)
    response = here.post("/account/password", data={
        "current_password": PASSWORD,
        "password": "ein ganz neues Passwort",
        "password_repeat": "ein ganz neues Passwort",
    })
    assert response.headers["Location"] == "/account"
    assert "Alle anderen Sitzungen wurden beendet" in here.get("/account").get_data(as_text=True)
    assert elsewhere.get("/account").status_code == 302
    assert login(here, user.email, "ein ganz neues Passwort").status_code == 302


def test_password_change_with_wrong_current_password(client, login_as, make_user):
    login_as(make_user())
    response = client.post("/account/password", data={
        "current_password": "falsch-falsch-falsch", "password": "ein ganz neues Passwort",
        "password_repeat": "ein ganz neues Passwort",
    })
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'id="current_password-error"' in page and "Das aktuelle Passwort ist falsch." in page


def test_deactivated_account_cannot_log_in(client, make_user):
    user = make_user(is_active_account=False)
    assert "E-Mail-Adresse oder Passwort ist falsch." in login(client, user.email).get_data(as_text=True)


@pytest.fixture
def limited_client(make_app):
    app = make_app(RATELIMIT_ENABLED=True, RATELIMIT_STORAGE_URI="memory://",
                   RATELIMIT_LOGIN_PER_ACCOUNT="3 per minute", RATELIMIT_LOGIN_PER_IP="5 per minute")
    return app.test_client()


def test_login_is_rate_limited_per_account(limited_client, make_user):
    user = make_user(email="ziel@firma.example")
    for _ in range(3):
        assert login(limited_client, user.email, "falsches-Passwort-1").status_code == 200
    blocked = login(limited_client, user.email, PASSWORD)  # even the right password waits now
    assert blocked.status_code == 429
    assert "Zu viele Versuche" in blocked.get_data(as_text=True)
    # Another account from the same address is not locked by this account's limit.
    other = make_user(email="andere@firma.example")
    assert login(limited_client, other.email).status_code == 302


def test_login_is_rate_limited_per_ip(limited_client, make_user):
    for n in range(5):
        assert login(limited_client, f"unbekannt{n}@firma.example", "falsches-Passwort-1").status_code == 200
    assert login(limited_client, "noch-einer@firma.example", "falsches-Passwort-1").status_code == 429


def test_rate_limits_use_redis_when_configured(make_app, make_user):
    import redis

    url = "redis://127.0.0.1:6379/15"
    redis.Redis.from_url(url).flushdb()
    user = make_user(email="redis@firma.example")
    first = make_app(RATELIMIT_ENABLED=True, RATELIMIT_STORAGE_URI=url, RATELIMIT_LOGIN_PER_ACCOUNT="2 per minute")
    second = make_app(RATELIMIT_ENABLED=True, RATELIMIT_STORAGE_URI=url, RATELIMIT_LOGIN_PER_ACCOUNT="2 per minute")
    # Two app servers share the count.
    login(first.test_client(), user.email, "falsches-Passwort-1")
    login(second.test_client(), user.email, "falsches-Passwort-1")
    assert login(first.test_client(), user.email, PASSWORD).status_code == 429
    redis.Redis.from_url(url).flushdb()


def test_user_with_several_roles(client, make_user):
    user = make_user(roles=(Role.JUROR, Role.ORGANISER))
    login(client, user.email)
    assert client.get("/organisation/").status_code == 200
    db.session.refresh(user)
    assert user.roles == {Role.JUROR, Role.ORGANISER}


def test_autosave_after_the_session_expired_says_so_instead_of_showing_the_login_page(client):
    response = client.post("/entries/1/autosave", data={"title": "noch da"}, headers={"HX-Request": "true"})
    text = response.get_data(as_text=True)
    assert response.status_code == 200 and "Sitzung ist abgelaufen" in text and "<html" not in text
    normal = client.post("/entries/1/autosave", data={"title": "noch da"})
    assert normal.status_code == 302 and normal.headers["Location"].startswith("/login?next=")
