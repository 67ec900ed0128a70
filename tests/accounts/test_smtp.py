"""Mail through a real SMTP server on localhost (aiosmtpd), as in production."""

from __future__ import annotations

import re
import socket

import pytest
from aiosmtpd.controller import Controller

from tests.conftest import PASSWORD


class Inbox:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(envelope)
        return "250 Message accepted for delivery"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def smtp_server():
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        yield controller, inbox
    finally:
        controller.stop()


def test_registration_mail_arrives_over_smtp(make_app, smtp_server):
    controller, inbox = smtp_server
    app = make_app(MAIL_BACKEND="smtp", MAIL_SERVER="127.0.0.1", MAIL_PORT=controller.port,
                   MAIL_DEFAULT_SENDER="Wettbewerb <wettbewerb@ind.example>")
    client = app.test_client()
    response = client.post("/register", data={
        "full_name": "Jörg Müller", "email": "joerg@maschinenbau-zwickau.example",
        "password": PASSWORD, "password_repeat": PASSWORD, "accept_terms": "y",
    })
    assert "Bitte prüfen Sie Ihr Postfach" in response.get_data(as_text=True)

    assert len(inbox.messages) == 1
    envelope = inbox.messages[0]
    assert envelope.rcpt_tos == ["joerg@maschinenbau-zwickau.example"]
    assert envelope.mail_from == "wettbewerb@ind.example"
    import email
    from email import policy

    message = email.message_from_bytes(envelope.original_content, policy=policy.default)
    assert message["Subject"] == "Bitte bestätigen Sie Ihre E-Mail-Adresse"
    body = message.get_body(preferencelist=("plain",)).get_content()
    assert "Guten Tag Jörg Müller" in body
    link = re.search(r"http://localhost/verify/\S+", body).group(0)
    assert client.get(link.removeprefix("http://localhost")).status_code == 302


def test_unreachable_smtp_server_is_reported_not_a_500(make_app):
    port = free_port()  # nobody listens there
    app = make_app(MAIL_BACKEND="smtp", MAIL_SERVER="127.0.0.1", MAIL_PORT=port, MAIL_TIMEOUT=2)
    response = app.test_client().post("/password/forgot", data={"email": "irgendwer@firma.example"})
    assert response.status_code == 200  # unknown address: no mail attempted, same answer

    from competition.accounts.models import Role
    from competition.accounts.services import create_verified_user
    from competition.core.clock import utcnow
    from competition.extensions import db

    create_verified_user(email="anna@firma.example", full_name="Anna", password=PASSWORD, roles=[Role.APPLICANT],
                         locale=None, now=utcnow())
    db.session.commit()
    response = app.test_client().post("/password/forgot", data={"email": "anna@firma.example"})
    assert response.status_code == 200
    assert "konnte gerade nicht versendet werden" in response.get_data(as_text=True)
