"""Jurors score through the real stack: conflict check first, validation, autosave with live total, submit, reopen,
phase rule, access, blind judging."""

from __future__ import annotations

from decimal import Decimal

import pytest

from competition.accounts.models import Role
from competition.core.clock import utcnow
from competition.editions.phases import Phase
from competition.entries.models import EntryStatus
from competition.extensions import db
from competition.judging import services
from competition.judging.models import Assignment, Conflict, ScoreSheet, SheetStatus


@pytest.fixture
def world(make_edition, make_category, make_round, make_criterion, make_user, make_company, make_submitted_entry,
          organiser):
    edition = make_edition(phase_override=Phase.JURY)
    category = make_category(edition, name="Mobilität")
    judging_round = make_round(edition, name="Vorauswahl", scale_step=Decimal("0.5"), jurors_per_entry=1)
    innovation = make_criterion(judging_round, name="Innovationsgrad", weight=3,
                                rubric_low="kaum neu", rubric_high="grundlegend neu")
    impact = make_criterion(judging_round, name="Regionale Wirkung", weight=1)
    owner = make_user(email="kontakt@niles.example")
    company = make_company(owner, legal_name="Niles-Simmons Industrieanlagen GmbH")
    entry = make_submitted_entry(company=company, category=category, title="Hybride Drehmaschine")
    juror = make_user(roles=(Role.JUROR,), email="prof@tu-chemnitz.example", full_name="Prof. Jana Beispiel")
    assignment = services.add_assignment(judging_round=judging_round, juror=juror, entry=entry, by=organiser,
                                         now=utcnow())
    db.session.commit()
    return edition, judging_round, (innovation, impact), entry, juror, assignment


def test_confirm_then_score_save_submit(client, login_as, world):
    edition, judging_round, (innovation, impact), entry, juror, assignment = world
    login_as(juror)
    url = f"/jury/assignments/{assignment.id}"
    page = client.get(url).get_data(as_text=True)
    assert "Hybride Drehmaschine" in page and "Niles-Simmons" in page
    assert "Bevor Sie bewerten" in page and 'name="score_' not in page
    client.post(url, data={"action": "confirm"})
    page = client.get(url).get_data(as_text=True)
    assert "kaum neu" in page and "75,0" in page and f'name="score_{innovation.id}"' in page

    sheet = db.session.scalar(db.select(ScoreSheet))
    response = client.post(url, data={"action": "save", "version": sheet.version, f"score_{innovation.id}": "8,5",
                                      f"comment_{innovation.id}": "Stark", f"score_{impact.id}": ""})
    assert response.headers["Location"] == url
    page = client.get(url).get_data(as_text=True)
    assert "8,5" in page and "Stark" in page
    db.session.refresh(sheet)
    assert sheet.values()[innovation.id] == Decimal("8.5")
    assert judging_round.scoring_started_at is not None or db.session.get(
        type(judging_round), judging_round.id).scoring_started_at is not None

    incomplete = client.post(url, data={"action": "submit", "version": sheet.version,
                                        f"score_{innovation.id}": "8,5"})
    refused = incomplete.get_data(as_text=True)
    assert incomplete.status_code == 422 and "Bitte prüfen Sie: Regionale Wirkung" in refused
    assert (f'aria-invalid="true" aria-describedby="score_{impact.id}-error"' in refused
            and "Bitte vergeben Sie eine Punktzahl." in refused)
    db.session.refresh(sheet)
    done = client.post(url, data={"action": "submit", "version": sheet.version, f"score_{innovation.id}": "8,5",
                                  f"score_{impact.id}": "6"}, follow_redirects=True)
    text = done.get_data(as_text=True)
    assert "Ihre Bewertung ist eingereicht" in text and "gesperrt" in text
    db.session.refresh(sheet)
    assert sheet.status is SheetStatus.SUBMITTED
    from competition.judging.sheets import total_of

    assert total_of(sheet) == Decimal("7.88")  # (3 × 8,5 + 1 × 6) / 4
    locked = client.post(url, data={"action": "save", "version": sheet.version, f"score_{innovation.id}": "1"})
    assert "gesperrt" in locked.get_data(as_text=True)
    db.session.refresh(sheet)
    assert sheet.values()[innovation.id] == Decimal("8.5")

    dashboard = client.get("/jury").get_data(as_text=True)
    assert "eingereicht" in dashboard and "7,88" in dashboard
    assert "1 von 1 bewertet" in dashboard and "offen" not in dashboard


def test_invalid_scores_are_kept_as_typed_and_everything_valid_is_saved(client, login_as, world):
    """Issue 14: one invalid score must not cost the juror the rest: valid scores and comments are stored, the
    invalid ones kept as typed with their error next to the field, again after a reload."""
    edition, judging_round, (innovation, impact), entry, juror, assignment = world
    login_as(juror)
    url = f"/jury/assignments/{assignment.id}"
    client.post(url, data={"action": "confirm"})
    sheet = db.session.scalar(db.select(ScoreSheet))
    response = client.post(url, data={"action": "save", "version": sheet.version, f"score_{innovation.id}": "11",
                                      f"comment_{innovation.id}": "Erster Gedanke", f"score_{impact.id}": "7,3",
                                      f"comment_{impact.id}": "Mein Text", "overall_comment": "Gesamt"})
    assert response.status_code == 302 and response.headers["Location"] == url
    page = client.get(url).get_data(as_text=True)
    assert "Entwurf ist gespeichert" in page and "Bitte prüfen Sie: Innovationsgrad, Regionale Wirkung" in page
    assert "zwischen 0 und 10" in page and "in Schritten von 0,5" in page
    assert 'value="11"' in page and 'value="7,3"' in page and "Mein Text" in page and "Erster Gedanke" in page
    assert f'aria-invalid="true" aria-describedby="score_{innovation.id}-error"' in page
    assert f'href="#score_{impact.id}" data-focus="score_{impact.id}">Regionale Wirkung</a>' in page
    db.session.refresh(sheet)
    stored = {s.criterion_id: s for s in sheet.scores}
    assert stored[innovation.id].value is None and stored[innovation.id].typed == "11"
    assert stored[impact.id].comment == "Mein Text" and sheet.overall_comment == "Gesamt"
    assert "Gesamtnote:" in page and "vorläufig (0 von 2 Kriterien)" in page  # never a total from an invalid value

    # correcting one field keeps the other's typed text and error; the total counts only the valid score
    client.post(url, data={"action": "save", "version": sheet.version, f"score_{innovation.id}": "8",
                           f"score_{impact.id}": "7,3"})
    page = client.get(url).get_data(as_text=True)
    assert 'value="7,3"' in page and "vorläufig (1 von 2 Kriterien)" in page and "8,00" in page
    assert f'aria-invalid="true" aria-describedby="score_{innovation.id}-error"' not in page
    # submit refuses with the same error at the field, and keeps everything
    db.session.refresh(sheet)
    refused = client.post(url, data={"action": "submit", "version": sheet.version, f"score_{innovation.id}": "8",
                                     f"score_{impact.id}": "7,3", f"comment_{impact.id}": "Neu getippt"})
    text = refused.get_data(as_text=True)
    assert refused.status_code == 422 and "in Schritten von 0,5" in text and 'value="7,3"' in text
    assert "Neu getippt" in text
    db.session.refresh(sheet)
    assert sheet.status is SheetStatus.DRAFT and {s.criterion_id: s.comment for s in sheet.scores}[impact.id] == (
        "Neu getippt")


def test_autosave_returns_live_total_and_new_version(client, login_as, world):
    edition, judging_round, (innovation, impact), entry, juror, assignment = world
    login_as(juror)
    url = f"/jury/assignments/{assignment.id}"
    client.post(url, data={"action": "confirm"})
    sheet = db.session.scalar(db.select(ScoreSheet))
    old = sheet.version
    text = client.post(f"{url}/autosave", data={"version": old, f"score_{innovation.id}": "6",
                                                f"score_{impact.id}": "10"}).get_data(as_text=True)
    assert "Gesamtnote: <strong>7,00</strong>" in text and "vorläufig" not in text and "Entwurf gespeichert" in text
    db.session.refresh(sheet)
    assert sheet.version > old and f'value="{sheet.version}"' in text


def test_stale_form_shows_both_values(client, login_as, world):
    edition, judging_round, (innovation, impact), entry, juror, assignment = world
    login_as(juror)
    url = f"/jury/assignments/{assignment.id}"
    client.post(url, data={"action": "confirm"})
    loaded = db.session.scalar(db.select(ScoreSheet)).version
    client.post(url, data={"action": "save", "version": loaded, f"score_{innovation.id}": "4"})
    response = client.post(url, data={"action": "save", "version": loaded, f"score_{innovation.id}": "9"})
    page = response.get_data(as_text=True)
    assert response.status_code == 409 and "an anderer Stelle gespeichert" in page
    assert 'value="9"' in page and "gespeichert: 4" in page


def test_declaring_a_conflict_removes_the_assignment_and_tells_the_organisers(client, login_as, world, outbox,
                                                                              organiser):
    edition, judging_round, criteria, entry, juror, assignment = world
    login_as(juror)
    response = client.post(f"/jury/assignments/{assignment.id}", data={"action": "declare", "reason": "Beirat"})
    assert response.headers["Location"] == "/jury"
    assert db.session.get(Assignment, assignment.id) is None
    assert db.session.scalar(db.select(Conflict)).reason == "Beirat"
    assert [m.to for m in outbox] == [[organiser.email]] and "Beirat" in outbox[0].body
    assert client.get(f"/jury/assignments/{assignment.id}").status_code == 404


def test_outside_the_jury_phase_nothing_can_be_written(client, login_as, world):
    edition, judging_round, (innovation, impact), entry, juror, assignment = world
    login_as(juror)
    url = f"/jury/assignments/{assignment.id}"
    client.post(url, data={"action": "confirm"})
    edition.phase_override = Phase.DELIBERATION
    db.session.commit()
    sheet = db.session.scalar(db.select(ScoreSheet))
    page = client.post(url, data={"action": "save", "version": sheet.version,
                                  f"score_{innovation.id}": "5"}).get_data(as_text=True)
    assert "nur während der Jurybewertung" in page
    db.session.refresh(sheet)
    assert sheet.scores == []


def test_other_jurors_and_conflicted_jurors_cannot_open(client, login_as, make_user, world, organiser):
    edition, judging_round, criteria, entry, juror, assignment = world
    other = make_user(roles=(Role.JUROR,), email="other@uni.example")
    login_as(other)
    assert client.get(f"/jury/assignments/{assignment.id}").status_code == 403
    assert client.post(f"/jury/assignments/{assignment.id}", data={"action": "confirm"}).status_code == 403
    assert client.get(f"/jury/assignments/{assignment.id}/attachments/1").status_code == 403
    client.post("/logout")
    db.session.add(Conflict(user_id=juror.id, company_id=entry.company_id, source="organiser", reason="x"))
    db.session.commit()
    login_as(juror)
    assert client.get(f"/jury/assignments/{assignment.id}").status_code == 403


def test_blind_judging_hides_the_company(client, login_as, world):
    edition, judging_round, criteria, entry, juror, assignment = world
    edition.is_blind = True
    db.session.commit()
    login_as(juror)
    page = client.get(f"/jury/assignments/{assignment.id}").get_data(as_text=True)
    assert "Hybride Drehmaschine" in page and "Niles-Simmons" not in page and "niles.example" not in page
    assert "Anonyme Bewertung" in page


def test_juror_reopens_with_reason(client, login_as, world):
    edition, judging_round, (innovation, impact), entry, juror, assignment = world
    login_as(juror)
    url = f"/jury/assignments/{assignment.id}"
    client.post(url, data={"action": "confirm"})
    sheet = db.session.scalar(db.select(ScoreSheet))
    client.post(url, data={"action": "submit", "version": sheet.version, f"score_{innovation.id}": "5",
                           f"score_{impact.id}": "5"})
    no_reason = client.post(url, data={"action": "reopen", "reason": ""})
    assert "begründen" in no_reason.get_data(as_text=True)
    client.post(url, data={"action": "reopen", "reason": "Anlage übersehen"})
    db.session.refresh(sheet)
    assert sheet.status is SheetStatus.DRAFT
    assert [e.action for e in sheet.events][-1] == "reopened" and sheet.events[-1].reason == "Anlage übersehen"
    assert sheet.events[-1].before["status"] == "submitted"


def test_removing_a_scored_assignment_asks_and_keeps_the_sheet(client, login_as, world, organiser):
    edition, judging_round, (innovation, impact), entry, juror, assignment = world
    login_as(juror)
    url = f"/jury/assignments/{assignment.id}"
    client.post(url, data={"action": "confirm"})
    sheet = db.session.scalar(db.select(ScoreSheet))
    client.post(url, data={"action": "save", "version": sheet.version, f"score_{innovation.id}": "7"})
    client.post("/logout")
    login_as(organiser)
    matrix = f"/organisation/editions/{edition.id}/rounds/{judging_round.id}/matrix"
    page = client.post(matrix, data={"entry_id": entry.id, "juror_id": juror.id}).get_data(as_text=True)
    assert "bereits Bewertungen" in page and "Ja, entfernen" in page
    assert db.session.get(Assignment, assignment.id) is not None
    client.post(matrix, data={"entry_id": entry.id, "juror_id": juror.id, "confirm": "1"})
    assert db.session.get(Assignment, assignment.id) is None
    db.session.refresh(sheet)
    assert sheet.is_void and sheet.assignment_id is None and sheet.values()[innovation.id] == Decimal("7")


def test_juror_opens_attachments_of_the_submitted_version(client, login_as, world, make_user):
    import io

    from PIL import Image

    from competition.entries.attachments import add_attachment
    from competition.entries.services import submit_entry

    edition, judging_round, criteria, entry, juror, assignment = world
    owner = entry.company.members[0].user
    edition.phase_override = Phase.SUBMISSION
    entry.status = EntryStatus.SUBMITTED
    db.session.commit()
    buffer = io.BytesIO()
    Image.new("RGB", (40, 40), "white").save(buffer, "PDF")
    add_attachment(entry=entry, stream_or_file=buffer.getvalue(), filename="Niles Konzept.pdf", by=owner, now=utcnow())
    submit_entry(entry=entry, consent=True, lock_version=None, by=owner, now=utcnow())
    edition.phase_override = Phase.JURY
    db.session.commit()
    login_as(juror)
    page = client.get(f"/jury/assignments/{assignment.id}").get_data(as_text=True)
    assert "Niles Konzept.pdf" in page
    inline = client.get(f"/jury/assignments/{assignment.id}/attachments/1")
    assert inline.status_code == 200 and inline.data.startswith(b"%PDF")
    assert inline.headers["Content-Type"] == "application/pdf" and "inline" in inline.headers["Content-Disposition"]
    assert inline.headers["X-Content-Type-Options"] == "nosniff"
    edition.is_blind = True
    db.session.commit()
    blind_page = client.get(f"/jury/assignments/{assignment.id}").get_data(as_text=True)
    assert "Niles Konzept.pdf" not in blind_page and "Anlage 1" in blind_page
    download = client.get(f"/jury/assignments/{assignment.id}/attachments/1?download=1")
    assert "attachment" in download.headers["Content-Disposition"] and "Anlage-1.pdf" in \
        download.headers["Content-Disposition"]
    assert client.get(f"/jury/assignments/{assignment.id}/attachments/2").status_code == 404
