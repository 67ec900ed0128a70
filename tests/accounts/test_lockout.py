"""Login throttling cannot be turned against an account's owner (rate limits on, as in production).

Reproduction from the issue: 20 failed logins for an account from one address locked the rightful owner out for
the rest of the hour (the right password gave 429).
"""

from __future__ import annotations

import pytest

from tests.conftest import PASSWORD, link_in

ATTACKER = {"REMOTE_ADDR": "203.0.113.66"}
OWNER = {"REMOTE_ADDR": "198.51.100.7"}
NEW_PASSWORD = "ein-ganz-neues-Passwort-2026"


@pytest.fixture
def limited_app(make_app):
    return make_app(RATELIMIT_ENABLED=True, RATELIMIT_STORAGE_URI="memory://",
                    RATELIMIT_LOGIN_PER_ACCOUNT="3 per minute;20 per hour", RATELIMIT_LOGIN_PER_IP="5 per minute")


def attempt(client, email, password, address):
    return client.post("/login", data={"email": email, "password": password}, environ_base=address)


def outbox_of(app) -> list:
    mail = app.extensions["mailman"]
    if not hasattr(mail, "outbox"):
        mail.outbox = []
    return mail.outbox


def test_failed_logins_from_elsewhere_never_lock_the_owner_out(limited_app, make_user):
    owner = make_user(email="owner@firma.example")
    attacker = limited_app.test_client()
    for _ in range(3):
        assert attempt(attacker, owner.email, "falsches-Passwort-1", ATTACKER).status_code == 200
    assert attempt(attacker, owner.email, "falsches-Passwort-2", ATTACKER).status_code == 429  # the attacker waits
    assert attempt(attacker, owner.email, PASSWORD, ATTACKER).status_code == 429  # even with the right password
    response = attempt(limited_app.test_client(), owner.email, PASSWORD, OWNER)
    assert response.status_code == 302  # the owner, from their own address, gets in


def test_an_attacker_spraying_accounts_is_stopped_per_address(limited_app, make_user):
    attacker = limited_app.test_client()
    for n in range(5):
        assert attempt(attacker, f"opfer{n}@firma.example", "Sommer2026!", ATTACKER).status_code == 200
    assert attempt(attacker, "noch-eins@firma.example", "Sommer2026!", ATTACKER).status_code == 429


def test_a_locked_owner_gets_in_through_a_password_reset(limited_app, make_user):
    """The owner locked themselves out (or shares an office address with someone trying many accounts): after a
    reset, the new password works at once from the same address and the same browser."""
    owner = make_user(email="owner@firma.example")
    client = limited_app.test_client()
    for _ in range(3):
        attempt(client, owner.email, "vergessen-1", OWNER)
    for n in range(2):  # the office address as a whole is throttled now too
        attempt(client, f"kollege{n}@firma.example", "vergessen-1", OWNER)
    assert attempt(client, owner.email, PASSWORD, OWNER).status_code == 429
    assert attempt(client, "kollege9@firma.example", PASSWORD, OWNER).status_code == 429

    outbox = outbox_of(limited_app)
    outbox.clear()
    client.post("/password/forgot", data={"email": owner.email}, environ_base=OWNER)
    link = link_in(outbox[-1], "/password/reset/")
    response = client.post(link, data={"password": NEW_PASSWORD, "password_repeat": NEW_PASSWORD},
                           environ_base=OWNER)
    assert response.headers["Location"] == "/login"
    assert attempt(client, owner.email, NEW_PASSWORD, OWNER).status_code == 302
    # The pass is for this account and this browser only: others at the address still wait.
    assert attempt(limited_app.test_client(), "kollege9@firma.example", "x", OWNER).status_code == 429


def test_a_reset_starts_the_count_afresh_on_every_address(limited_app, make_user):
    owner = make_user(email="owner@firma.example")
    laptop, phone = limited_app.test_client(), limited_app.test_client()
    for _ in range(3):
        attempt(laptop, owner.email, "vergessen-1", OWNER)
    assert attempt(laptop, owner.email, PASSWORD, OWNER).status_code == 429
    outbox = outbox_of(limited_app)
    outbox.clear()
    phone.post("/password/forgot", data={"email": owner.email}, environ_base={"REMOTE_ADDR": "192.0.2.44"})
    phone.post(link_in(outbox[-1], "/password/reset/"), data={"password": NEW_PASSWORD,
                                                               "password_repeat": NEW_PASSWORD},
               environ_base={"REMOTE_ADDR": "192.0.2.44"})
    assert attempt(laptop, owner.email, NEW_PASSWORD, OWNER).status_code == 302


def test_a_stale_or_foreign_reset_pass_does_not_help(limited_app, make_user):
    import time

    owner = make_user(email="owner@firma.example")
    other = make_user(email="other@firma.example")
    client = limited_app.test_client()
    for n in range(5):
        attempt(client, f"x{n}@firma.example", "falsch-1", ATTACKER)
    for granted in ([other.id, int(time.time())], [owner.id, int(time.time()) - 3700], [owner.id, 2_000_000_000]):
        with client.session_transaction() as session:
            session["login_after_reset"] = granted  # another account, over an hour old, in the future
        assert attempt(client, owner.email, PASSWORD, ATTACKER).status_code == 429
    with client.session_transaction() as session:
        session["login_after_reset"] = [owner.id, int(time.time())]  # what a completed reset grants
    assert attempt(client, owner.email, PASSWORD, ATTACKER).status_code == 302
