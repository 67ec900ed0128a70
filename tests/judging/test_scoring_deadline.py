"""Issue 13.5: after a round's scoring deadline jurors can neither save (nor autosave), submit nor reopen a sheet;
an organiser grants one juror (or all jurors of the round) an extension with a new deadline and a reason, audited and
shown to the juror. Everything through the HTTP stack."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from competition.core.audit import AuditEvent
from competition.core.clock import to_berlin, utcnow
from competition.editions.phases import Phase
from competition.extensions import db
from competition.judging.models import ScoreSheet, ScoringExtension, SheetStatus

from .round_world import build_round_world

DEADLINE_PASSED = "Die Bewertungsfrist dieser Runde ist am"


@pytest.fixture
def world(make_edition, make_category, make_round, make_criterion, make_company, make_entry, make_user, organiser):
    return build_round_world(make_edition=make_edition, make_category=make_category, make_round=make_round,
                             make_criterion=make_criterion, make_company=make_company, make_entry=make_entry,
                             make_user=make_user, organiser=organiser)


def _sheet(assignment) -> ScoreSheet:
    db.session.expire_all()
    return db.session.scalar(db.select(ScoreSheet).where(ScoreSheet.assignment_id == assignment.id))


def _berlin(value) -> str:
    return to_berlin(value).strftime("%Y-%m-%dT%H:%M")


def _close_the_round(world) -> None:
    world.judging_round.deadline_at = utcnow() - timedelta(minutes=5)
    db.session.commit()


def _extensions_url(world) -> str:
    return f"/organisation/editions/{world.edition.id}/rounds/{world.judging_round.id}/extensions"


def test_after_the_deadline_a_juror_can_neither_reopen_save_autosave_nor_submit(client, login_as, world):
    juror = world.jurors[0]
    submitted, reopened = world.assignment(0, 0), world.assignment(0, 1)
    login_as(juror)
    # Before the deadline the juror reopens one sheet (allowed): it is a draft now.
    client.post(f"/jury/assignments/{reopened.id}", data={"action": "reopen", "reason": "Tippfehler"})
    assert _sheet(reopened).status is SheetStatus.DRAFT
    _close_the_round(world)
    before = {a.id: (_sheet(a).version, _sheet(a).values()) for a in (submitted, reopened)}

    response = client.post(f"/jury/assignments/{submitted.id}", data={"action": "reopen", "reason": "Nachtrag"})
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and DEADLINE_PASSED in page and "abgelaufen" in page
    assert "an das Organisationsteam" in page
    assert _sheet(submitted).status is SheetStatus.SUBMITTED

    criteria = world.criteria
    typed = {"version": str(_sheet(reopened).version), f"score_{criteria[0].id}": "0", f"score_{criteria[1].id}": "0"}
    for action in ("save", "submit"):
        response = client.post(f"/jury/assignments/{reopened.id}", data={**typed, "action": action})
        page = response.get_data(as_text=True)
        assert response.status_code == 422 and DEADLINE_PASSED in page, action
        assert 'value="0"' in page  # what the juror typed is shown again, not lost
    autosave = client.post(f"/jury/assignments/{reopened.id}/autosave", data=typed).get_data(as_text=True)
    assert DEADLINE_PASSED in autosave
    assert {a.id: (_sheet(a).version, _sheet(a).values()) for a in (submitted, reopened)} == before
    assert _sheet(reopened).status is SheetStatus.DRAFT
    page = client.get(f"/jury/assignments/{reopened.id}").get_data(as_text=True)
    assert DEADLINE_PASSED in page and 'value="submit"' not in page and "hx-post" not in page
    dashboard = client.get("/jury").get_data(as_text=True)  # the reason instead of a countdown
    assert DEADLINE_PASSED in dashboard and 'class="countdown"' not in dashboard


def test_an_extension_for_one_juror_is_audited_shown_and_lets_only_that_juror_submit(client, login_as, world,
                                                                                      organiser):
    first, second = world.jurors
    _close_the_round(world)
    until = utcnow() + timedelta(days=2)
    login_as(organiser)
    response = client.post(_extensions_url(world), data={"juror": str(first.id), "until": _berlin(until),
                                                         "reason": "Krankheit, ärztlich bestätigt"})
    progress = f"/organisation/editions/{world.edition.id}/rounds/{world.judging_round.id}/progress"
    assert response.headers["Location"] == progress + "#fristen"
    page = client.get(progress).get_data(as_text=True)
    assert "ist bis" in page and "verlängert" in page and "Krankheit, ärztlich bestätigt" in page
    assert "Frist verlängert bis" in page
    event = db.session.scalar(db.select(AuditEvent).where(AuditEvent.action == "scoring.extended"))
    assert event.actor_id == organiser.id and event.object_id == world.judging_round.id
    assert event.data["juror"] == first.id and event.data["reason"] == "Krankheit, ärztlich bestätigt"
    client.post("/logout")

    login_as(first)
    dashboard = client.get("/jury").get_data(as_text=True)
    assert "Das Organisationsteam hat Ihre Bewertungsfrist bis" in dashboard
    assert "Krankheit, ärztlich bestätigt" in dashboard and '">Frist abgelaufen' not in dashboard
    assignment = world.assignment(0, 0)
    assert "Krankheit" in client.get(f"/jury/assignments/{assignment.id}").get_data(as_text=True)
    client.post(f"/jury/assignments/{assignment.id}", data={"action": "reopen", "reason": "Nachtrag"})
    c1, c2 = world.criteria
    done = client.post(f"/jury/assignments/{assignment.id}", data={
        "action": "submit", "version": str(_sheet(assignment).version), f"score_{c1.id}": "9", f"score_{c2.id}": "9"})
    assert done.status_code == 302
    sheet = _sheet(assignment)
    assert sheet.status is SheetStatus.SUBMITTED and sheet.values()[c1.id] == Decimal("9")
    client.post("/logout")

    login_as(second)
    other = world.assignment(1, 0)
    refused = client.post(f"/jury/assignments/{other.id}", data={"action": "reopen", "reason": "Nachtrag"})
    assert refused.status_code == 422 and DEADLINE_PASSED in refused.get_data(as_text=True)
    assert _sheet(other).status is SheetStatus.SUBMITTED


def test_an_extension_for_all_jurors_and_its_withdrawal(client, login_as, world, organiser):
    _close_the_round(world)
    login_as(organiser)
    client.post(_extensions_url(world), data={"juror": "alle", "until": _berlin(utcnow() + timedelta(days=1)),
                                              "reason": "Serverausfall am Fristtag"})
    extension = db.session.scalar(db.select(ScoringExtension))
    assert extension.user_id is None and extension.reason == "Serverausfall am Fristtag"
    client.post("/logout")
    for index, juror in enumerate(world.jurors):
        login_as(juror)
        response = client.post(f"/jury/assignments/{world.assignment(index, 1).id}",
                               data={"action": "reopen", "reason": "Nachtrag"})
        assert response.status_code == 302, juror.email
        client.post("/logout")
    login_as(organiser)
    client.post(f"{_extensions_url(world)}/{extension.id}/delete")
    assert db.session.scalar(db.select(ScoringExtension)) is None
    assert db.session.scalar(db.select(AuditEvent.action).where(
        AuditEvent.action == "scoring.extension_withdrawn")) is not None
    client.post("/logout")
    login_as(world.jurors[0])
    assignment = world.assignment(0, 1)
    c1, c2 = world.criteria
    refused = client.post(f"/jury/assignments/{assignment.id}", data={
        "action": "submit", "version": str(_sheet(assignment).version), f"score_{c1.id}": "3", f"score_{c2.id}": "3"})
    assert refused.status_code == 422 and DEADLINE_PASSED in refused.get_data(as_text=True)
    assert _sheet(assignment).status is SheetStatus.DRAFT


@pytest.mark.parametrize("data, message", [
    ({"reason": ""}, "Bitte begründen Sie die Fristverlängerung"),
    ({"until": "morgen früh"}, "Bitte geben Sie Datum und Uhrzeit an, z. B."),
    ({"until": "PAST"}, "Die neue Frist muss in der Zukunft liegen."),
    ({"until": "BEFORE_DEADLINE"}, "Die neue Frist muss nach der regulären Bewertungsfrist"),
    ({"until": "AFTER_PUBLICATION"}, "Die neue Frist muss vor der Veröffentlichung der Ergebnisse"),
    ({"juror": "STRANGER"}, "Bitte wählen Sie ein Jurymitglied dieser Runde"),
    ({"juror": "99999999999999999999999"}, "Bitte wählen Sie ein Jurymitglied dieser Runde"),
    ({"juror": "<script>"}, "Bitte wählen Sie ein Jurymitglied dieser Runde"),
])
def test_bad_extensions_are_refused_with_a_german_message_and_keep_the_input(client, login_as, world, organiser,
                                                                             make_user, data, message):
    now = utcnow()
    world.judging_round.deadline_at = now - timedelta(hours=2)
    db.session.commit()
    stranger = make_user(email="fremd@uni.example", full_name="Fremde Jurorin")
    values = {"juror": str(world.jurors[0].id), "until": _berlin(now + timedelta(days=1)),
              "reason": "Familiärer Notfall am Fristtag"}
    values.update(data)
    values["until"] = {"PAST": _berlin(now - timedelta(hours=1)),
                       "BEFORE_DEADLINE": _berlin(now - timedelta(hours=3)),
                       "AFTER_PUBLICATION": _berlin(world.edition.publication_at + timedelta(days=1))}.get(
        values["until"], values["until"])
    if values["juror"] == "STRANGER":
        values["juror"] = str(stranger.id)
    login_as(organiser)
    response = client.post(_extensions_url(world), data=values)
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and message in page
    if values["reason"]:
        assert values["reason"] in page  # the organiser's text is kept
    assert db.session.scalar(db.select(db.func.count(ScoringExtension.id))) == 0


def test_nobody_but_organisers_grants_and_extensions_stay_in_their_round(client, login_as, world, organiser,
                                                                         make_round):
    juror = world.jurors[0]
    login_as(juror)
    data = {"juror": str(juror.id), "until": _berlin(world.judging_round.deadline_at + timedelta(days=1)),
            "reason": "Selbst verlängert"}
    assert client.post(_extensions_url(world), data=data).status_code == 403
    assert db.session.scalar(db.select(db.func.count(ScoringExtension.id))) == 0
    client.post("/logout")
    login_as(organiser)
    client.post(_extensions_url(world), data={**data, "reason": "Dienstreise"})
    extension = db.session.scalar(db.select(ScoringExtension))
    assert extension is not None and extension.reason == "Dienstreise"
    other_round = make_round(world.edition, name="Finale", deadline_at=world.judging_round.deadline_at
                             + timedelta(days=1))
    response = client.post(f"/organisation/editions/{world.edition.id}/rounds/{other_round.id}/extensions/"
                           f"{extension.id}/delete")
    assert response.status_code == 404 and db.session.get(ScoringExtension, extension.id) is not None


def test_an_extension_runs_into_the_jury_meeting_but_never_past_publication(client, login_as, world, organiser):
    _close_the_round(world)
    world.edition.phase_override = Phase.DELIBERATION
    db.session.commit()
    juror = world.jurors[0]
    url = f"/jury/assignments/{world.assignment(0, 0).id}"
    login_as(juror)
    assert client.post(url, data={"action": "reopen", "reason": "Nachtrag"}).status_code == 422
    client.post("/logout")
    login_as(organiser)
    client.post(_extensions_url(world), data={"juror": str(juror.id), "until": _berlin(utcnow() + timedelta(days=1)),
                                              "reason": "Nachbewertung nach der Jurysitzung"})
    client.post("/logout")
    login_as(juror)
    assert client.post(url, data={"action": "reopen", "reason": "Nachtrag"}).status_code == 302
    world.edition.phase_override = Phase.PUBLISHED
    db.session.commit()
    page = client.post(url, data={"action": "save", "version": str(_sheet(world.assignment(0, 0)).version),
                                  f"score_{world.criteria[0].id}": "1"}).get_data(as_text=True)
    assert "Die Ergebnisse sind veröffentlicht" in page


def test_a_forged_request_start_header_does_not_reopen_the_window(make_app, world):
    """`X-Request-Start` counts only when the proxy is trusted to set it, and never further back than allowed."""
    from tests.conftest import login

    late = utcnow() - timedelta(minutes=5)
    _close_the_round(world)
    forged = {"X-Request-Start": f"t={(late - timedelta(hours=1)).timestamp():.3f}"}  # "sent" before the deadline
    assignment = world.assignment(0, 0)
    for settings in ({}, {"TRUST_REQUEST_START": True, "REQUEST_START_MAX_AGE": 60}):
        client = make_app(**settings).test_client()
        login(client, world.jurors[0].email)
        response = client.post(f"/jury/assignments/{assignment.id}", headers=forged,
                               data={"action": "reopen", "reason": "Angeblich rechtzeitig"})
        assert response.status_code == 422 and DEADLINE_PASSED in response.get_data(as_text=True), settings
        assert _sheet(assignment).status is SheetStatus.SUBMITTED


def test_an_extension_does_not_unlock_a_frozen_round(client, login_as, world, organiser):
    from competition.rankings.services import freeze_ranking

    _close_the_round(world)
    juror = world.jurors[0]
    login_as(organiser)
    client.post(_extensions_url(world), data={"juror": str(juror.id), "until": _berlin(utcnow() + timedelta(days=1)),
                                              "reason": "Krankheit"})
    freeze_ranking(judging_round=world.judging_round, method="weighted-mean", by=organiser, now=utcnow())
    db.session.commit()
    client.post("/logout")
    login_as(juror)
    response = client.post(f"/jury/assignments/{world.assignment(0, 0).id}",
                           data={"action": "reopen", "reason": "Nachtrag"})
    assert response.status_code == 422
    assert "Die Rangliste dieser Runde ist eingefroren" in response.get_data(as_text=True)
