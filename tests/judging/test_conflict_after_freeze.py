"""A conflict declared after a ranking was frozen (issue 13, part 5, the declaration): the submitted sheet is not
voided and the assignment not deleted until an organiser decides, on the entry's sheets page. Before the fix the
juror's `action=declare` voided the sheet and deleted the assignment at once, changing a frozen result."""

from __future__ import annotations

import pytest

from competition.core.audit import AuditEvent
from competition.core.clock import utcnow
from competition.extensions import db
from competition.judging.models import Assignment, Conflict, ConflictStatus, ScoreSheet, SheetStatus
from competition.rankings.freezing import staleness
from competition.rankings.queries import round_inputs
from competition.rankings.services import freeze_ranking
from tests.conftest import PASSWORD
from tests.judging.blind_world import COMPANIES, build_blind_world


def sign_in(client, user):
    assert client.post("/login", data={"email": user.email, "password": PASSWORD}).status_code == 302


@pytest.fixture
def frozen(client):
    """A blind round where the juror submitted 10 for "Vorhaben 1"; then its ranking was frozen."""
    world = build_blind_world()
    criterion = world.judging_round.criteria[0]
    assignment = world.assignments[0]
    sign_in(client, world.juror)
    url = f"/jury/assignments/{assignment.id}"
    client.post(url, data={"action": "confirm"})
    client.post(url, data={"action": "submit", f"score_{criterion.id}": "10"})
    client.post("/logout")
    sheet = db.session.scalar(db.select(ScoreSheet).where(ScoreSheet.assignment_id == assignment.id))
    assert sheet.status is SheetStatus.SUBMITTED
    snapshot = freeze_ranking(judging_round=world.judging_round, method="weighted-mean", by=world.organiser,
                              now=utcnow())
    db.session.commit()
    return world, assignment, sheet, snapshot


def declare(client, world, assignment, outbox):
    sign_in(client, world.juror)
    response = client.post(f"/jury/assignments/{assignment.id}", data={"action": "declare",
                                                                       "reason": "Mein Schwager arbeitet dort"},
                           follow_redirects=True)
    client.post("/logout")
    return response.get_data(as_text=True)


def test_declaring_after_a_freeze_keeps_sheet_and_assignment_until_an_organiser_decides(client, frozen, outbox):
    world, assignment, sheet, snapshot = frozen
    page = declare(client, world, assignment, outbox)
    assert "bleibt Ihr Bogen bestehen, bis das Organisationsteam entschieden hat" in page
    db.session.refresh(sheet)
    assert not sheet.is_void and sheet.status is SheetStatus.SUBMITTED and sheet.assignment_id == assignment.id
    assert db.session.get(Assignment, assignment.id) is not None
    assert [s["entry"] for s in round_inputs(world.judging_round)["sheets"]] == [str(world.entries[0].id)]
    assert staleness(snapshot) == []  # nothing about the frozen result changed yet
    conflict = db.session.scalar(db.select(Conflict))
    assert conflict.entry_id == world.entries[0].id  # blind: recorded against the entry
    event = db.session.scalar(db.select(AuditEvent).where(AuditEvent.action == "conflict.declared_after_freeze"))
    assert event.data["sheet"] == sheet.id and event.data["sheet_status"] == "submitted"
    [mail] = outbox
    assert "bereits als eingefrorener Stand gesichert" in mail.body and "Mein Schwager arbeitet dort" in mail.body
    assert COMPANIES[0] in mail.body  # organisers may know the company

    sign_in(client, world.organiser)
    url = (f"/organisation/editions/{world.edition.id}/rounds/{world.judging_round.id}"
           f"/entries/{world.entries[0].id}/sheets")
    sheets_page = client.get(url).get_data(as_text=True)
    assert "Befangenheit – Ihre Entscheidung" in sheets_page and "Mein Schwager arbeitet dort" in sheets_page
    assert "Bogen für ungültig erklären und Zuweisung zurücknehmen" in sheets_page
    assert "Befangenheit verwerfen, Bogen zählt" in sheets_page


def test_the_organiser_voids_the_sheet_with_a_reason(client, frozen, outbox):
    world, assignment, sheet, snapshot = frozen
    declare(client, world, assignment, outbox)
    sign_in(client, world.organiser)
    decide = f"/organisation/editions/{world.edition.id}/assignments/{assignment.id}/conflict-decision"
    field = f"entscheidung{assignment.id}-reason"
    empty = client.post(decide, data={"decision": "void", "back": "sheets", field: ""})
    assert empty.status_code == 422 and "Bitte begründen Sie Ihre Entscheidung" in empty.get_data(as_text=True)
    assert "Befangenheit – Ihre Entscheidung" in empty.get_data(as_text=True)  # the same page, again
    response = client.post(decide, data={"decision": "void", "back": "sheets", field: "Befangenheit bestätigt"})
    assert response.headers["Location"].endswith(
        f"/rounds/{world.judging_round.id}/entries/{world.entries[0].id}/sheets#entscheidungen")
    db.session.refresh(sheet)
    assert sheet.is_void and sheet.assignment_id is None and sheet.values()  # the scores stay in the history
    assert sheet.events[-1].action == "voided" and sheet.events[-1].reason == "Befangenheit bestätigt"
    assert round_inputs(world.judging_round)["sheets"] == []
    assert staleness(snapshot)  # the frozen ranking now says it is out of date
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "für ungültig erklärt" in page and "Befangenheit bestätigt" in page
    event = db.session.scalar(db.select(AuditEvent).where(AuditEvent.action == "assignment.set_aside"))
    assert event.data["reason"] == "Befangenheit bestätigt" and event.data["sheet_status"] == "submitted"


def test_the_organiser_dismisses_the_declaration_and_the_sheet_counts(client, frozen, outbox):
    world, assignment, sheet, snapshot = frozen
    declare(client, world, assignment, outbox)
    sign_in(client, world.organiser)
    decide = f"/organisation/editions/{world.edition.id}/assignments/{assignment.id}/conflict-decision"
    client.post(decide, data={"decision": "keep", "back": "sheets",
                              f"entscheidung{assignment.id}-reason": "Keine Beziehung zum Vorhaben"})
    conflict = db.session.scalar(db.select(Conflict))
    assert conflict.status is ConflictStatus.DISMISSED and conflict.decided_by_id == world.organiser.id
    db.session.refresh(sheet)
    assert not sheet.is_void and sheet.status is SheetStatus.SUBMITTED
    assert staleness(snapshot) == []
    event = db.session.scalar(db.select(AuditEvent).where(AuditEvent.action == "conflict.dismissed"))
    assert event.data["reason"] == "Keine Beziehung zum Vorhaben"
    client.post("/logout")
    sign_in(client, world.juror)
    page = client.get("/jury/conflicts").get_data(as_text=True)
    assert "verworfen" in page


def test_before_a_freeze_the_declaration_still_takes_the_assignment(client, outbox):
    world = build_blind_world()
    assignment = world.assignments[0]
    sign_in(client, world.juror)
    client.post(f"/jury/assignments/{assignment.id}", data={"action": "confirm"})
    client.post(f"/jury/assignments/{assignment.id}", data={"action": "declare", "reason": "Kunde"})
    assert db.session.get(Assignment, assignment.id) is None
    sheet = db.session.scalar(db.select(ScoreSheet))
    assert sheet.is_void and sheet.assignment_id is None
