"""Deadlines judged on when a request arrived: the proxy's X-Request-Start when configured, else the app server's own
stamp taken before any waiting; never on a client's say-so."""

from __future__ import annotations

import time
from datetime import timedelta

from competition.core.clock import utcnow
from competition.core.requests import ARRIVED_AT, SERVER_STAMP, ArrivalStamp, arrival_time
from competition.entries.models import EntryStatus, EntryVersion
from competition.extensions import db
from tests.conftest import PASSWORD, login


def _setup(make_edition, make_category, make_company, make_user, make_entry):
    now = utcnow()
    edition = make_edition(registration_opens_at=now - timedelta(days=5),
                           submission_deadline_at=now - timedelta(seconds=20))
    owner = make_user(email="anna@firma.example")
    entry = make_entry(company=make_company(owner), category=make_category(edition))
    return entry, edition.submission_deadline_at


def _submit(app, entry, header=None):
    client = app.test_client()
    login(client, "anna@firma.example", PASSWORD)
    headers = {"X-Request-Start": header} if header else {}
    return client.post(f"/entries/{entry.id}/submit", data={"consent": "y", "lock_version": entry.lock_version},
                       headers=headers, follow_redirects=True)


def test_a_submit_that_reached_the_proxy_in_time_is_accepted(make_app, make_edition, make_category, make_company,
                                                             make_user, make_entry):
    entry, deadline = _setup(make_edition, make_category, make_company, make_user, make_entry)
    arrived = deadline - timedelta(seconds=3)
    app = make_app(TRUST_REQUEST_START=True)
    response = _submit(app, entry, f"t={arrived.timestamp():.3f}")  # nginx: seconds with milliseconds
    assert "ist eingereicht" in response.get_data(as_text=True)
    version = db.session.scalar(db.select(EntryVersion))
    assert abs((version.submitted_at - arrived).total_seconds()) < 0.01  # the receipt shows the arrival


def test_the_header_is_ignored_unless_trusted_and_when_implausible(make_app, make_edition, make_category,
                                                                   make_company, make_user, make_entry):
    entry, deadline = _setup(make_edition, make_category, make_company, make_user, make_entry)
    in_time = f"t={int((deadline - timedelta(seconds=3)).timestamp() * 1_000_000)}"  # Apache: microseconds
    refused = _submit(make_app(), entry, in_time)  # not configured: a client could send anything
    assert "Einreichungsfrist ist abgelaufen" in refused.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(type(entry), entry.id).status is EntryStatus.DRAFT

    trusted = make_app(TRUST_REQUEST_START=True, REQUEST_START_MAX_AGE=10)
    with trusted.test_request_context(headers={"X-Request-Start": in_time}):
        now = utcnow()
        assert arrival_time(now) == now  # 23 s ago is older than the 10 s allowed
    for junk in ("t=abc", "t=-5", "t=nan", f"t={(utcnow() + timedelta(minutes=5)).timestamp()}", "t=1e300"):
        with trusted.test_request_context(headers={"X-Request-Start": junk}):
            now = utcnow()
            assert arrival_time(now) == now, junk
    with trusted.test_request_context(headers={"X-Request-Start": f"t={int(utcnow().timestamp() * 1000) - 2000}"}):
        now = utcnow()
        assert timedelta(seconds=1) < now - arrival_time(now) < timedelta(seconds=3)  # milliseconds


# --- without a proxy: the app stamps the arrival itself, before waiting for a thread or the database ---------------

def test_a_submit_that_arrived_in_time_but_waited_past_the_deadline_is_accepted(make_app, make_edition, make_category,
                                                                                 make_company, make_user, make_entry):
    now = utcnow()
    edition = make_edition(registration_opens_at=now - timedelta(days=5),
                           submission_deadline_at=now + timedelta(minutes=5))
    owner = make_user(email="anna@firma.example")
    entry = make_entry(company=make_company(owner), category=make_category(edition))
    db.session.commit()
    app = make_app()
    client = app.test_client()
    login(client, "anna@firma.example", PASSWORD)
    # The request waits after it arrived (for a free thread, the CPU, the database) until the deadline has passed.
    app.before_request_funcs.setdefault(None, []).insert(0, lambda: time.sleep(2.5))
    edition.submission_deadline_at = deadline = utcnow() + timedelta(seconds=1)
    db.session.commit()
    sent = utcnow()
    assert sent < deadline
    response = client.post(f"/entries/{entry.id}/submit", data={"consent": "y", "lock_version": entry.lock_version},
                           follow_redirects=True)
    answered = utcnow()
    assert answered > deadline  # it was handled after the deadline …
    assert "ist eingereicht" in response.get_data(as_text=True)  # … and still accepted: it arrived in time
    db.session.expire_all()
    version = db.session.scalar(db.select(EntryVersion))
    assert sent - timedelta(seconds=1) < version.submitted_at < deadline
    assert db.session.get(type(entry), entry.id).status is EntryStatus.SUBMITTED


def test_a_submit_that_arrives_after_the_deadline_is_refused_and_keeps_the_draft(
        make_app, make_edition, make_category, make_company, make_user, make_entry):
    now = utcnow()
    edition = make_edition(registration_opens_at=now - timedelta(days=5),
                           submission_deadline_at=now - timedelta(milliseconds=300))
    owner = make_user(email="anna@firma.example")
    entry = make_entry(company=make_company(owner), category=make_category(edition))
    response = _submit(make_app(), entry)
    assert "Einreichungsfrist ist abgelaufen" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(type(entry), entry.id).status is EntryStatus.DRAFT
    assert db.session.scalar(db.select(db.func.count()).select_from(EntryVersion)) == 0


def test_a_request_is_never_judged_earlier_than_the_allowed_wait(make_app):
    """A body trickled in for an hour after an early start does not count as sent at its start."""
    app = make_app(REQUEST_ARRIVAL_MAX_WAIT=60)
    now = utcnow()
    with app.test_request_context(environ_overrides={ARRIVED_AT: now.timestamp() - 3600}):
        assert arrival_time(now) == now - timedelta(seconds=60)
    with app.test_request_context(environ_overrides={ARRIVED_AT: now.timestamp() - 2.5}):
        assert abs((now - arrival_time(now)).total_seconds() - 2.5) < 0.001
    with app.test_request_context(environ_overrides={ARRIVED_AT: now.timestamp() + 30}):  # never in the future
        assert arrival_time(now) == now


def test_the_app_servers_queue_stamp_is_taken_only_when_recent():
    seen = []

    def inner(environ, start_response):
        seen.append(environ[ARRIVED_AT])
        return []

    stamp = ArrivalStamp(inner)
    SERVER_STAMP.arrived_at = time.time() - 2
    stamp({}, None)
    SERVER_STAMP.arrived_at = time.time() - 3600  # implausible: the stamp of this call is used
    stamp({}, None)
    stamp({}, None)  # the stamp is used once
    assert time.time() - seen[0] > 1.9
    assert time.time() - seen[1] < 1 and time.time() - seen[2] < 1
