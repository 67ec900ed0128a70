"""The receipt is mailed by a background job: a mail server that is down never costs a company its submit."""

from __future__ import annotations

import socket

from competition.entries.models import EntryStatus, EntryVersion
from competition.extensions import db
from competition.jobs import Job, JobStatus
from tests.conftest import PASSWORD, login


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_submit_succeeds_when_the_mail_server_is_down_and_the_failure_is_reported(make_app, make_user,
                                                                                   make_company, make_entry):
    app = make_app(MAIL_BACKEND="smtp", MAIL_SERVER="127.0.0.1", MAIL_PORT=free_port(), MAIL_TIMEOUT=1)
    owner = make_user(email="anna@firma.example")
    entry = make_entry(company=make_company(owner))
    client = app.test_client()
    login(client, "anna@firma.example", PASSWORD)
    response = client.post(f"/entries/{entry.id}/submit", data={"consent": "y", "lock_version": entry.lock_version},
                           follow_redirects=True)
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "ist eingereicht" in html
    assert "konnte nicht per E-Mail versendet werden" in html and "als PDF" in html
    db.session.expire_all()
    assert db.session.get(type(entry), entry.id).status is EntryStatus.SUBMITTED
    version = db.session.scalar(db.select(EntryVersion))
    job = db.session.scalar(db.select(Job).where(Job.kind == "entries.receipt"))
    # Tried as often as allowed, then reported in the organisers' job list with the reason.
    assert job.status is JobStatus.FAILED and job.attempts == 3 and "Mailserver" in job.message
    assert job.params == {"version_id": version.id, "user_id": owner.id}
    receipt = client.get(f"/entries/{entry.id}/versions/{version.number}/receipt.pdf")
    assert receipt.status_code == 200 and receipt.data.startswith(b"%PDF")
