"""Issue 13.5: once a round has a frozen ranking, its sheets and assignments change only after an organiser's
decision ("reopen with reason", audited). Reproduction: after the freeze a juror reopened a sheet and resubmitted
10s as 0s. Everything through the HTTP stack."""

from __future__ import annotations

from decimal import Decimal

import pytest

from competition.accounts.models import Role
from competition.core.audit import AuditEvent
from competition.extensions import db
from competition.judging.models import Assignment, ScoreSheet, SheetStatus
from competition.rankings.models import RankingSnapshot

from .round_world import build_round_world

FROZEN_FOR_JUROR = "Die Rangliste dieser Runde ist eingefroren"
FROZEN_FOR_ORGANISER = "Bewertungsbögen und Zuweisungen dieser Runde können erst geändert werden"


@pytest.fixture
def world(make_edition, make_category, make_round, make_criterion, make_company, make_entry, make_user, organiser):
    return build_round_world(make_edition=make_edition, make_category=make_category, make_round=make_round,
                             make_criterion=make_criterion, make_company=make_company, make_entry=make_entry,
                             make_user=make_user, organiser=organiser)


def _sheet(assignment) -> ScoreSheet:
    db.session.expire_all()
    return db.session.scalar(db.select(ScoreSheet).where(ScoreSheet.assignment_id == assignment.id))


def _freeze(client, world) -> RankingSnapshot:
    base = f"/organisation/editions/{world.edition.id}/rankings"
    response = client.post(f"{base}/rounds/{world.judging_round.id}/freeze", data={"method": "weighted-mean"})
    assert response.status_code == 302
    return db.session.scalars(db.select(RankingSnapshot).order_by(RankingSnapshot.id.desc())).first()


def _rankings(world) -> str:
    return f"/organisation/editions/{world.edition.id}/rankings"


def test_after_a_freeze_a_juror_cannot_reopen_and_resubmit_tens_as_zeros(client, login_as, world, organiser):
    login_as(organiser)
    snapshot = _freeze(client, world)
    client.post("/logout")
    juror, assignment = world.jurors[0], world.assignment(0, 0)
    c1, c2 = world.criteria
    before = _sheet(assignment)
    values, version = before.values(), before.version
    login_as(juror)
    url = f"/jury/assignments/{assignment.id}"
    response = client.post(url, data={"action": "reopen", "reason": "Ich habe mich vertan"})
    assert response.status_code == 422 and FROZEN_FOR_JUROR in response.get_data(as_text=True)
    zeros = {"version": str(version), f"score_{c1.id}": "0", f"score_{c2.id}": "0"}
    for action in ("save", "submit"):
        response = client.post(url, data={**zeros, "action": action})
        assert response.status_code == 422 and FROZEN_FOR_JUROR in response.get_data(as_text=True), action
    assert FROZEN_FOR_JUROR in client.post(f"{url}/autosave", data=zeros).get_data(as_text=True)
    after = _sheet(assignment)
    assert after.status is SheetStatus.SUBMITTED and after.values() == values and after.version == version
    assert "eingefroren" in client.get("/jury").get_data(as_text=True)
    page = client.get(url).get_data(as_text=True)
    assert FROZEN_FOR_JUROR in page and 'value="reopen"' not in page
    client.post("/logout")
    login_as(organiser)
    assert "nicht mehr aktuell" not in client.get(f"{_rankings(world)}?round={world.judging_round.id}"
                                                  f"&snapshot={snapshot.id}").get_data(as_text=True)


def test_organisers_cannot_change_assignments_or_reopen_sheets_of_a_frozen_round(client, login_as, world, organiser,
                                                                                  make_user):
    login_as(organiser)
    _freeze(client, world)
    edition_id, round_id = world.edition.id, world.judging_round.id
    base = f"/organisation/editions/{edition_id}/rounds/{round_id}"
    newcomer = make_user(roles=(Role.JUROR,), email="neu@hochschule.example", full_name="Neue Jurorin")
    assignments = db.session.scalar(db.select(db.func.count(Assignment.id)))
    removed = client.post(f"{base}/matrix", data={"entry_id": world.entries[1].id, "juror_id": world.jurors[1].id,
                                                  "confirm": "1"}, follow_redirects=True)
    assert FROZEN_FOR_ORGANISER in removed.get_data(as_text=True)
    added = client.post(f"{base}/matrix", data={"entry_id": world.entries[1].id, "juror_id": newcomer.id},
                        follow_redirects=True)
    assert FROZEN_FOR_ORGANISER in added.get_data(as_text=True)
    applied = client.post(f"{base}/apply", data={"digest": "irgendwas"}, follow_redirects=True)
    assert FROZEN_FOR_ORGANISER in applied.get_data(as_text=True)
    assert db.session.scalar(db.select(db.func.count(Assignment.id))) == assignments
    sheet = _sheet(world.assignment(1, 1))
    reopened = client.post(f"/organisation/editions/{edition_id}/sheets/{sheet.id}/reopen",
                           data={f"bogen{sheet.id}-reason": "Rechenfehler"}, follow_redirects=True)
    assert FROZEN_FOR_ORGANISER in reopened.get_data(as_text=True)
    assert _sheet(world.assignment(1, 1)).status is SheetStatus.SUBMITTED
    # The pages say so and offer no changing buttons.
    for path in ("assignments", "matrix", "progress"):
        page = client.get(f"{base}/{path}").get_data(as_text=True)
        assert FROZEN_FOR_ORGANISER in page and "wieder-oeffnen" in page, path
    assert 'aria-pressed="true"' not in client.get(f"{base}/matrix").get_data(as_text=True)
    entry_page = client.get(f"{base}/entries/{world.entries[0].id}/sheets").get_data(as_text=True)
    assert "Bogen wieder öffnen …" not in entry_page and "Eingefroren" in entry_page


def test_reopening_with_a_reason_is_audited_and_the_next_freeze_locks_again(client, login_as, world, organiser):
    login_as(organiser)
    index = _rankings(world)
    page = client.get(f"{index}?round={world.judging_round.id}").get_data(as_text=True)
    assert "Das Einfrieren sperrt die Runde" in page  # what the freeze means, before freezing
    first = _freeze(client, world)
    page = client.get(f"{index}?round={world.judging_round.id}").get_data(as_text=True)
    assert "Die Runde ist seit" in page and "Runde für Änderungen wieder öffnen" in page
    url = f"{index}/rounds/{world.judging_round.id}/reopen"
    short = client.post(url, data={"reason": "Fehler"})
    assert short.status_code == 422 and "mindestens 10 Zeichen" in short.get_data(as_text=True)
    assert "Fehler" in short.get_data(as_text=True)
    db.session.expire_all()
    assert world.judging_round.is_frozen
    response = client.post(url, data={"reason": "Jurorin 0 hat einen Eingabefehler gemeldet"})
    assert response.headers["Location"] == f"{index}?round={world.judging_round.id}"
    db.session.expire_all()
    assert not world.judging_round.is_frozen
    event = db.session.scalar(db.select(AuditEvent).where(AuditEvent.action == "round.reopened"))
    assert event.actor_id == organiser.id and event.data["reason"] == "Jurorin 0 hat einen Eingabefehler gemeldet"
    assert event.data["snapshot"] == first.id
    page = client.get(f"{index}?round={world.judging_round.id}").get_data(as_text=True)
    assert "wieder für Änderungen geöffnet" in page and "Eingabefehler gemeldet" in page
    client.post("/logout")

    login_as(world.jurors[0])
    assignment = world.assignment(0, 0)
    c1, c2 = world.criteria
    url_sheet = f"/jury/assignments/{assignment.id}"
    assert client.post(url_sheet, data={"action": "reopen", "reason": "Eingabefehler"}).status_code == 302
    done = client.post(url_sheet, data={"action": "submit", "version": str(_sheet(assignment).version),
                                        f"score_{c1.id}": "9", f"score_{c2.id}": "9"})
    assert done.status_code == 302 and _sheet(assignment).values()[c1.id] == Decimal("9")
    client.post("/logout")

    login_as(organiser)
    page = client.get(f"{index}?round={world.judging_round.id}&snapshot={first.id}").get_data(as_text=True)
    assert "1 Bewertungsbogen wurde seitdem wieder geöffnet und erneut eingereicht." in page
    second = _freeze(client, world)
    assert second.id != first.id and second.content["inputs_sha256"] != first.content["inputs_sha256"]
    client.post("/logout")
    login_as(world.jurors[0])
    refused = client.post(url_sheet, data={"action": "reopen", "reason": "Noch einmal"})
    assert refused.status_code == 422 and FROZEN_FOR_JUROR in refused.get_data(as_text=True)


def test_only_a_frozen_round_can_be_reopened(client, login_as, world, organiser):
    login_as(organiser)
    response = client.post(f"{_rankings(world)}/rounds/{world.judging_round.id}/reopen",
                           data={"reason": "Ohne Einfrieren wieder öffnen"}, follow_redirects=True)
    assert "ist nicht eingefroren" in response.get_data(as_text=True)
    assert db.session.scalar(db.select(AuditEvent).where(AuditEvent.action == "round.reopened")) is None
