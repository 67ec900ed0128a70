"""The organisers' dashboard: timeline, to-dos with counts and links, reminders, empty states, older editions."""

from __future__ import annotations

import html
import re
from datetime import timedelta

from sqlalchemy import event

from competition.accounts.models import Invitation, Role
from competition.communications.models import Audience
from competition.core.clock import utcnow
from competition.entries.models import EntryStatus
from competition.extensions import db
from competition.jobs.models import Job, JobStatus
from competition.judging.models import Assignment, AssignmentSource, Conflict, ConflictSource


def _page(client) -> str:
    response = client.get("/organisation/")
    assert response.status_code == 200
    return html.unescape(response.get_data(as_text=True))


def _todo(page: str, key: str) -> str | None:
    match = re.search(rf'<li class="todo[^"]*" data-todo="{key}">(.*?)</li>', page, re.S)
    return match.group(1) if match else None


def test_empty_state_says_what_comes_next(client, login_as, organiser):
    login_as(organiser)
    page = _page(client)
    assert "Noch keine Ausschreibung" in page and "Erste Ausschreibung anlegen" in page
    assert "Wettbewerbs" + "runde" not in page


def test_submission_phase_lists_drafts_with_a_reminder_and_links(client, login_as, organiser, make_edition,
                                                                 make_category, make_entry, make_user):
    edition = make_edition()
    category = make_category(edition)
    for _ in range(3):
        make_entry(category=category)
    make_entry(category=category, status=EntryStatus.SUBMITTED, number="IND-1")
    db.session.add(Invitation(email="jury@x.example", role=Role.JUROR, expires_at=utcnow() + timedelta(days=3)))
    db.session.commit()
    login_as(organiser)
    page = _page(client)
    assert edition.name in page
    assert 'aria-current="step"' in page and "Registrierung und Einreichung" in page
    drafts = _todo(page, "drafts")
    assert drafts and "3 Entwürfe sind noch nicht eingereicht" in drafts
    assert f"/organisation/entries?edition={edition.id}&status=draft" in drafts
    assert "Erinnerung senden" in drafts
    eligibility = _todo(page, "eligibility")
    assert "1 eingereichter Beitrag wartet auf die Entscheidung über die Zulassung." in eligibility
    assert "1 eingeladenes Jurymitglied hat die Einladung noch nicht angenommen." in _todo(page, "invitations")

    # the reminder is a real group mail to the companies with drafts, nobody else
    reminder_url = re.search(r'href="([^"]*audience=drafts[^"]*)"', drafts).group(1)
    form = html.unescape(client.get(reminder_url).get_data(as_text=True))
    assert "Erinnerung: Ihr Beitrag ist noch nicht eingereicht" in form
    assert re.search(r'<option selected value="drafts"|<option value="drafts" selected', form)


def test_reminder_reaches_only_companies_with_drafts(app, organiser, make_edition, make_category, make_entry):
    from competition.communications.audiences import recipients

    edition = make_edition()
    category = make_category(edition)
    draft = make_entry(category=category)
    make_entry(category=category, status=EntryStatus.SUBMITTED, number="IND-2")
    people = recipients(edition=edition, audience=Audience.DRAFTS, category_id=None, now=utcnow())
    assert [p.user.id for p in people] == [m.user_id for m in draft.company.members]


def test_jury_phase_lists_missing_jurors_open_sheets_conflicts_and_failures(
        client, login_as, organiser, make_edition, make_category, make_entry, make_round, make_user):
    now = utcnow()
    edition = make_edition(registration_opens_at=now - timedelta(days=30),
                           submission_deadline_at=now - timedelta(days=20),
                           jury_starts_at=now - timedelta(days=10), jury_ends_at=now + timedelta(days=10),
                           publication_at=now + timedelta(days=20))
    category = make_category(edition)
    judging_round = make_round(edition, jurors_per_entry=2, deadline_at=now - timedelta(hours=1))
    entries = [make_entry(category=category, status=EntryStatus.ELIGIBLE, number=f"IND-{n}") for n in range(3)]
    juror = make_user(roles=(Role.JUROR,))
    db.session.add(Assignment(round_id=judging_round.id, entry_id=entries[0].id, user_id=juror.id,
                              source=AssignmentSource.MANUAL))
    db.session.add(Conflict(user_id=juror.id, company_id=entries[1].company_id, source=ConflictSource.DETECTED))
    db.session.add(Job(kind="receipt", status=JobStatus.FAILED, edition_id=edition.id))
    db.session.commit()
    login_as(organiser)
    page = _page(client)
    assert "3 Beiträge der Bewertungsrunde" in _todo(page, "understaffed")
    late = _todo(page, "late_sheets")
    assert "1 Bewertungsbogen der Bewertungsrunde" in late and "Die Bewertungsfrist ist abgelaufen." in late
    assert f"/organisation/editions/{edition.id}/rounds/{judging_round.id}/progress" in late
    assert "1 Befangenheit wartet auf Ihre Prüfung." in _todo(page, "conflicts")
    assert "1 Hintergrundauftrag ist fehlgeschlagen." in _todo(page, "failed_jobs")
    assert _todo(page, "drafts") is None  # submission is over: no reminder


def test_older_editions_are_one_click_away_not_mixed_in(client, login_as, organiser, make_edition):
    now = utcnow()
    old = make_edition(name="Industrie. Neu. Denken. 2019", registration_opens_at=now - timedelta(days=400),
                       submission_deadline_at=now - timedelta(days=380), jury_starts_at=now - timedelta(days=370),
                       jury_ends_at=now - timedelta(days=360), publication_at=now - timedelta(days=350))
    current = make_edition()
    login_as(organiser)
    page = _page(client)
    assert current.name in page and old.name not in page
    assert "1 frühere Ausschreibung ansehen" in page


def test_dashboard_queries_do_not_grow_with_entries(client, login_as, organiser, make_edition, make_category,
                                                    make_entry, make_round):
    edition = make_edition()
    category = make_category(edition)
    make_round(edition)
    login_as(organiser)

    def count_queries() -> int:
        statements = []
        engine = db.engine
        listener = lambda *args: statements.append(1)  # noqa: E731
        event.listen(engine, "before_cursor_execute", listener)
        try:
            _page(client)
        finally:
            event.remove(engine, "before_cursor_execute", listener)
        return len(statements)

    make_entry(category=category)
    few = count_queries()
    for n in range(15):
        make_entry(category=category, status=EntryStatus.ELIGIBLE if n % 2 else EntryStatus.DRAFT)
    assert count_queries() == few


def test_only_organisers_see_the_dashboard(client, login_as, make_user):
    for role in (Role.APPLICANT, Role.JUROR):
        login_as(make_user(roles=(role,)))
        assert client.get("/organisation/").status_code == 403
        client.post("/logout")
    assert client.get("/organisation/").headers["Location"].startswith("/login")
