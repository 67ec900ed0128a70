"""Switching the phase by hand: a confirmation that says what follows, then every page agrees with the new phase."""

from __future__ import annotations

import html
from datetime import timedelta

from competition.accounts.models import Role
from competition.core.audit import AuditEvent
from competition.core.clock import utcnow
from competition.editions.phases import Phase
from competition.entries.models import EntryStatus
from competition.extensions import db
from competition.judging.models import Assignment, AssignmentSource


def _text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def test_switch_asks_first_and_names_what_follows(client, login_as, organiser, make_edition, make_category,
                                                  make_entry):
    edition = make_edition()  # submission phase by the calendar
    category = make_category(edition)
    for _ in range(6):
        make_entry(category=category)
    login_as(organiser)
    before = db.session.scalar(db.select(db.func.count()).select_from(AuditEvent))
    page = _text(client.post(f"/organisation/editions/{edition.id}/phase", data={"phase": "review"}))
    assert "Phase wechseln?" in page
    assert "6 Entwürfe können dann nicht mehr eingereicht werden." in page
    assert "Die Startseite bietet keine Registrierung mehr an." in page
    db.session.refresh(edition)
    assert edition.phase_override is None  # nothing changed yet
    assert db.session.scalar(db.select(db.func.count()).select_from(AuditEvent)) == before

    response = client.post(f"/organisation/editions/{edition.id}/phase", data={"phase": "review", "confirmed": "1"})
    assert response.headers["Location"] == f"/organisation/editions/{edition.id}"
    db.session.refresh(edition)
    assert edition.phase(utcnow()).value == "review"


def test_after_closing_submission_no_page_contradicts(client, login_as, organiser, make_edition, make_category,
                                                      make_entry, make_user, make_company):
    edition = make_edition()  # deadline 20 days ahead
    category = make_category(edition)
    applicant = make_user(roles=(Role.APPLICANT,))
    make_entry(category=category, company=make_company(applicant))
    landing = _text(client.get("/"))
    assert "Als Unternehmen registrieren" in landing

    edition.phase_override = Phase.REVIEW
    db.session.commit()
    landing = _text(client.get("/"))
    assert "Als Unternehmen registrieren" not in landing and "Die Einreichung ist geschlossen" in landing

    login_as(applicant)
    dashboard = _text(client.get("/dashboard"))
    assert "Die Einreichung ist geschlossen" in dashboard
    assert "noch " not in dashboard.split("Die Einreichung ist geschlossen", 1)[0].rsplit("<article", 1)[-1]
    assert 'class="countdown"' not in dashboard  # no countdown next to a closed submission


def test_submission_reopened_by_hand_after_the_deadline_shows_no_expired_countdown(
        client, login_as, make_edition, make_category, make_entry, make_user, make_company):
    now = utcnow()
    edition = make_edition(registration_opens_at=now - timedelta(days=30),
                           submission_deadline_at=now - timedelta(days=1), jury_starts_at=now + timedelta(days=10))
    category = make_category(edition)
    member = make_user(roles=(Role.APPLICANT,))
    make_entry(category=category, company=make_company(member))

    edition.phase_override = Phase.SUBMISSION
    db.session.commit()
    login_as(member)
    dashboard = _text(client.get("/dashboard"))
    assert "Frist abgelaufen" not in dashboard
    assert "Die Einreichung ist vom Organisationsteam verlängert" in dashboard


def test_jurors_see_scoring_only_while_it_is_open(client, login_as, make_edition, make_category, make_entry,
                                                  make_round, make_user):
    now = utcnow()
    edition = make_edition(registration_opens_at=now - timedelta(days=30),
                           submission_deadline_at=now - timedelta(days=20), jury_starts_at=now - timedelta(days=1),
                           jury_ends_at=now + timedelta(days=20), publication_at=now + timedelta(days=30))
    category = make_category(edition)
    judging_round = make_round(edition, deadline_at=now + timedelta(days=10))
    entry = make_entry(category=category, status=EntryStatus.ELIGIBLE, number="IND-9")
    juror = make_user(roles=(Role.JUROR,))
    db.session.add(Assignment(round_id=judging_round.id, entry_id=entry.id, user_id=juror.id,
                              source=AssignmentSource.MANUAL))
    db.session.commit()
    login_as(juror)
    page = _text(client.get("/jury"))
    assert 'class="countdown"' in page

    edition.phase_override = Phase.DELIBERATION
    db.session.commit()
    page = _text(client.get("/jury"))
    assert 'class="countdown"' not in page and "Die Jurybewertung ist beendet." in page


def test_only_organisers_switch(client, login_as, make_edition, make_user):
    edition = make_edition()
    login_as(make_user(roles=(Role.JUROR,)))
    response = client.post(f"/organisation/editions/{edition.id}/phase", data={"phase": "jury", "confirmed": "1"})
    assert response.status_code == 403
    db.session.refresh(edition)
    assert edition.phase_override is None


def test_submission_opened_by_hand_before_the_calendar_lets_companies_start(client, login_as, make_edition,
                                                                             make_category, make_user, make_company):
    now = utcnow()
    edition = make_edition(registration_opens_at=now + timedelta(days=5),
                           submission_deadline_at=now + timedelta(days=20))
    make_category(edition, name="Mobilität")
    member = make_user(roles=(Role.APPLICANT,))
    make_company(member)
    login_as(member)
    assert "Mobilität" not in _text(client.get("/dashboard"))  # preparation: nothing to start yet
    edition.phase_override = Phase.SUBMISSION
    db.session.commit()
    assert "Mobilität" in _text(client.get("/dashboard"))
    client.post("/logout")
    assert "Als Unternehmen registrieren" in _text(client.get("/"))
