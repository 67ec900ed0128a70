"""Issue 14 attacked: keeping every field as typed must not open a door. Another juror's sheet, a conflicted or
closed sheet, values outside the scale and criteria of another round: refused or kept as harmless text, never a
number, never in a total, never submitted."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from competition.accounts.models import Role
from competition.core.clock import utcnow
from competition.editions.phases import Phase
from competition.entries.models import EntryStatus
from competition.entries.services import submit_entry
from competition.extensions import db
from competition.judging import services, sheets
from competition.judging.models import Conflict, ConflictSource, ConflictStatus, Score, SheetStatus


@pytest.fixture
def world(make_edition, make_category, make_round, make_criterion, make_user, make_company, make_entry, organiser):
    edition = make_edition(phase_override=Phase.SUBMISSION)
    category = make_category(edition)
    judging_round = make_round(edition, jurors_per_entry=2)
    other_round = make_round(edition)
    criteria = [make_criterion(judging_round, weight=w) for w in (2, 1)]
    foreign = make_criterion(other_round)
    owner = make_user(email="kontakt@firma.example")
    company = make_company(owner, legal_name="Firma GmbH")
    entry = make_entry(company=company, category=category, title="Beitrag")
    submit_entry(entry=entry, consent=True, lock_version=None, by=owner, now=utcnow())
    entry.status = EntryStatus.ELIGIBLE
    edition.phase_override = Phase.JURY
    db.session.commit()
    jurors = [make_user(roles=(Role.JUROR,), email=f"j{n}@uni{n}.example") for n in range(2)]
    assignments = [services.add_assignment(judging_round=judging_round, juror=j, entry=entry, by=organiser,
                                           now=utcnow()) for j in jurors]
    db.session.commit()
    return judging_round, criteria, foreign, company, jurors, assignments


def _confirm(client, login_as, juror, assignment):
    login_as(juror)
    client.post(f"/jury/assignments/{assignment.id}", data={"action": "confirm"})
    db.session.expire_all()
    return sheets.sheet_for(assignment)


def test_a_juror_can_neither_save_autosave_nor_submit_another_jurors_sheet(client, login_as, world):
    judging_round, criteria, foreign, company, jurors, assignments = world
    sheet = _confirm(client, login_as, jurors[1], assignments[1])
    login_as(jurors[0])
    url = f"/jury/assignments/{assignments[1].id}"
    typed = {f"score_{criteria[0].id}": "1", f"comment_{criteria[0].id}": "untergeschoben", "version": sheet.version}
    for response in (client.get(url), client.post(url, data=typed | {"action": "save"}),
                     client.post(url, data=typed | {"action": "submit"}), client.post(f"{url}/autosave", data=typed)):
        assert response.status_code == 403
        assert "untergeschoben" not in response.get_data(as_text=True)
    db.session.expire_all()
    assert sheets.sheet_for(assignments[1]).scores == [] and db.session.scalar(db.select(db.func.count(Score.id))) == 0


def test_a_conflicted_juror_cannot_write_even_an_invalid_draft(client, login_as, world, organiser):
    judging_round, criteria, foreign, company, jurors, assignments = world
    sheet = _confirm(client, login_as, jurors[0], assignments[0])
    db.session.add(Conflict(user_id=jurors[0].id, company_id=company.id, source=ConflictSource.ORGANISER,
                            status=ConflictStatus.CONFIRMED, reason="Beratervertrag", created_by_id=organiser.id))
    db.session.commit()
    url = f"/jury/assignments/{assignments[0].id}"
    typed = {f"score_{criteria[0].id}": "7,5x", f"comment_{criteria[0].id}": "trotzdem", "version": sheet.version}
    assert client.post(f"{url}/autosave", data=typed).status_code == 403
    assert client.post(url, data=typed | {"action": "save"}).status_code == 403
    db.session.expire_all()
    assert sheets.sheet_for(assignments[0]).scores == []


def test_after_the_deadline_nothing_typed_is_stored_and_the_page_keeps_it(client, login_as, world):
    judging_round, criteria, foreign, company, jurors, assignments = world
    sheet = _confirm(client, login_as, jurors[0], assignments[0])
    judging_round.deadline_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    url = f"/jury/assignments/{assignments[0].id}"
    typed = {f"score_{criteria[0].id}": "zu spät", f"comment_{criteria[0].id}": "Nachtrag", "version": sheet.version}
    answer = client.post(f"{url}/autosave", data=typed)
    assert answer.status_code == 423 and 'data-autosave="refused"' in answer.get_data(as_text=True)
    assert "Bewertungsfrist" in answer.get_data(as_text=True)
    page = client.post(url, data=typed | {"action": "save"})
    assert page.status_code == 422 and "Nachtrag" in page.get_data(as_text=True)  # kept in the page, not stored
    db.session.expire_all()
    assert sheets.sheet_for(assignments[0]).scores == []


@pytest.mark.parametrize("raw", ["11", "-1", "1e9", "NaN", "Infinity", "7,25", "0x5", "5 Punkte", "½", "9" * 500])
def test_values_outside_the_scale_stay_text_never_count_and_cannot_be_submitted(client, login_as, world, raw):
    judging_round, criteria, foreign, company, jurors, assignments = world
    sheet = _confirm(client, login_as, jurors[0], assignments[0])
    url = f"/jury/assignments/{assignments[0].id}"
    answer = client.post(f"{url}/autosave", data={f"score_{criteria[0].id}": raw, f"score_{criteria[1].id}": "4",
                                                  f"score_{foreign.id}": "10", "score_abc": "3",
                                                  "version": sheet.version}).get_data(as_text=True)
    assert 'data-autosave="saved"' in answer and f'data-field="score_{criteria[0].id}"' in answer
    assert "vorläufig (1 von 2 Kriterien)" in answer and "<strong>4,00</strong>" in answer
    db.session.expire_all()
    sheet = sheets.sheet_for(assignments[0])
    stored = {s.criterion_id: s for s in sheet.scores}
    assert set(stored) == {c.id for c in criteria}  # the other round's criterion is ignored
    assert stored[criteria[0].id].value is None and stored[criteria[0].id].typed == raw.strip()[:100]
    assert sheets.total_of(sheet) == Decimal(4)
    refused = client.post(url, data={"action": "submit", "version": sheet.version,
                                     f"score_{criteria[0].id}": raw, f"score_{criteria[1].id}": "4"})
    assert refused.status_code == 422
    db.session.expire_all()
    assert sheets.sheet_for(assignments[0]).status is SheetStatus.DRAFT


def test_a_stale_autosave_answers_with_the_stored_values_but_never_the_new_version(client, login_as, world):
    judging_round, criteria, foreign, company, jurors, assignments = world
    sheet = _confirm(client, login_as, jurors[0], assignments[0])
    url = f"/jury/assignments/{assignments[0].id}"
    loaded = sheet.version
    client.post(f"{url}/autosave", data={f"score_{criteria[0].id}": "9", "version": loaded})
    answer = client.post(f"{url}/autosave", data={f"score_{criteria[0].id}": "2", "version": loaded})
    text = answer.get_data(as_text=True)
    assert answer.status_code == 409 and 'data-autosave="stale"' in text and 'id="sheet-version"' not in text
    assert f'<li data-field="score_{criteria[0].id}">9</li>' in text
    db.session.expire_all()
    assert sheets.sheet_for(assignments[0]).values()[criteria[0].id] == Decimal(9)
