"""Issue 17: a session that saw its user agree to today's versions does not ask the database about consents on
every request; a new version of a text still sends the user to the consent page at once."""

from __future__ import annotations

from sqlalchemy import event

from competition.accounts.models import Role
from competition.core.clock import utcnow
from competition.extensions import db
from competition.privacy import services
from competition.privacy.models import LegalKind


def _consent_queries(client, url: str) -> tuple[object, int]:
    statements: list[str] = []

    def record(conn, cursor, statement, *args):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        response = client.get(url)
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
    return response, sum(1 for s in statements if "FROM consents" in s)


def test_the_consent_check_is_remembered_per_session_until_a_new_version(client, login_as, make_user, organiser):
    services.save_page(kind=LegalKind.TERMS, locale="de", data=services.PageData(body="<p>Neu</p>",
                                                                                bump_version=True),
                       by=organiser, now=utcnow())
    db.session.commit()
    applicant = make_user(roles=(Role.APPLICANT,), email="kontakt@firma.example")
    services.record_consents(user=applicant, now=utcnow())
    db.session.commit()
    login_as(applicant)
    first, asked = _consent_queries(client, "/account")
    assert first.status_code == 200 and asked == 1
    second, asked = _consent_queries(client, "/account")
    assert second.status_code == 200 and asked == 0
    services.save_page(kind=LegalKind.PRIVACY, locale="de", data=services.PageData(body="<p>Neu</p>",
                                                                                  bump_version=True),
                       by=organiser, now=utcnow())
    db.session.commit()
    again, asked = _consent_queries(client, "/account")
    assert again.status_code == 302 and "/consent" in again.headers["Location"] and asked == 1
