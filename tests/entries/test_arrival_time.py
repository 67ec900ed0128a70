"""Deadlines judged on the proxy's arrival time (X-Request-Start) when configured; never on a client's say-so."""

from __future__ import annotations

from datetime import timedelta

from competition.core.clock import utcnow
from competition.core.requests import arrival_time
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
