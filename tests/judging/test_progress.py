"""Organisers watch the jury: progress per juror, entry and category; an entry's sheets side by side with spread,
outliers, reopen and history; the audit trail with its hash-chain check. Through the real stack."""

from __future__ import annotations

import html
import re
from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import event, update

from competition.accounts.models import Role
from competition.core import audit
from competition.core.audit import AuditEvent
from competition.core.clock import utcnow
from competition.editions.phases import Phase
from competition.entries.models import EntryStatus
from competition.extensions import db
from competition.judging import progress, queries, services, sheets
from competition.judging.models import ScoreSheet, SheetStatus


def text_of(html: str) -> str:
    """The visible text of an HTML fragment, whitespace collapsed."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).strip()


def sheet_of(juror, entry) -> ScoreSheet:
    return db.session.scalars(db.select(ScoreSheet).where(ScoreSheet.user_id == juror.id,
                                                          ScoreSheet.entry_id == entry.id)).one()


def row(page: str, row_id: str) -> str:
    match = re.search(rf'<tr id="{re.escape(row_id)}">(.*?)</tr>', page, re.S)
    assert match, f"no row {row_id}"
    return text_of(match.group(1))


@pytest.fixture
def world(make_edition, make_category, make_round, make_criterion, make_user, make_company, make_entry, organiser):
    """A round on a 0–10 scale with two criteria (weights 1 and 2), four jurors and three entries."""
    edition = make_edition(phase_override=Phase.JURY)
    mobility = make_category(edition, name="Mobilität")
    digital = make_category(edition, name="Digitalisierung")
    judging_round = make_round(edition, name="Vorauswahl", jurors_per_entry=3)
    innovation = make_criterion(judging_round, name="Innovationsgrad", weight=1)
    impact = make_criterion(judging_round, name="Regionale Wirkung", weight=2)
    jurors = {name: make_user(roles=(Role.JUROR,), full_name=f"Jurorin {name}", email=f"{name.lower()}@jury.example")
              for name in ("Anna", "Bernd", "Carla", "Dora")}
    entries = []
    for n, (title, category) in enumerate([("Hybride Drehmaschine", mobility), ("Digitaler Zwilling", digital),
                                           ("Kreislauf-Gießerei", mobility)], start=1):
        company = make_company(make_user(), legal_name=f"Firma {n} GmbH")
        entries.append(make_entry(company=company, category=category, title=title, status=EntryStatus.ELIGIBLE,
                                  number=f"IND-2026-{n:04d}"))
    return edition, judging_round, (innovation, impact), jurors, entries


@pytest.fixture
def assign(organiser):
    def do(judging_round, juror, entry):
        assignment = services.add_assignment(judging_round=judging_round, juror=juror, entry=entry, by=organiser,
                                             now=utcnow())
        db.session.commit()
        return assignment

    return do


def score(assignment, juror, criteria, values, *, submit=True, comments=None, overall="", feedback=""):
    now = utcnow()
    sheets.confirm_no_conflict(assignment=assignment, by=juror, now=now)
    data = sheets.SheetInput(values={c.id: v for c, v in zip(criteria, values, strict=True)},
                             comments={c.id: t for c, t in zip(criteria, comments or [], strict=False)},
                             overall_comment=overall, feedback=feedback)
    sheet = sheets.save_sheet(assignment=assignment, data=data, version=None, by=juror, now=now)
    if submit:
        sheets.submit_sheet(assignment=assignment, version=None, by=juror, now=now)
    db.session.commit()
    return sheet


@pytest.fixture
def scored(world, assign):
    """Entry 1: four sheets submitted, totals 7; 6,67; 8 and 2 (Carla far off). Entry 2: Anna submitted, Bernd has
    a draft with one score, Carla has not begun. Entry 3: Dora confirmed, nothing scored."""
    edition, judging_round, criteria, jurors, entries = world
    anna, bernd, carla, dora = (jurors[n] for n in ("Anna", "Bernd", "Carla", "Dora"))
    first = assign(judging_round, anna, entries[0])
    score(first, anna, criteria, ["5", "5"], submit=False)  # Anna first types 5, then 7
    score(first, anna, criteria, ["7", "7"], comments=["Sehr originell", ""], overall="Starker Beitrag",
          feedback="Bitte mehr Zahlen zur Wirkung.")
    score(assign(judging_round, bernd, entries[0]), bernd, criteria, ["6", "7"])
    score(assign(judging_round, carla, entries[0]), carla, criteria, ["2", "2"])
    score(assign(judging_round, dora, entries[0]), dora, criteria, ["8", "8"])
    score(assign(judging_round, anna, entries[1]), anna, criteria, ["5", "5"])
    score(assign(judging_round, bernd, entries[1]), bernd, criteria, ["4", ""], submit=False)
    assign(judging_round, carla, entries[1])
    third = assign(judging_round, dora, entries[2])
    sheets.confirm_no_conflict(assignment=third, by=dora, now=utcnow())
    db.session.commit()
    return world


def test_progress_counts_per_juror_entry_and_category(client, login_as, organiser, scored):
    edition, judging_round, _criteria, jurors, entries = scored
    login_as(organiser)
    page = client.get(f"/organisation/editions/{edition.id}/rounds/{judging_round.id}/progress").get_data(as_text=True)
    assert "Fortschritt: Vorauswahl" in page
    assert "5 von 10 Bewertungsbögen eingereicht" in page
    # juror: assigned, not started, in progress, submitted, missing
    assert row(page, f"juror-{jurors['Anna'].id}") == "Jurorin Anna fertig 2 0 0 2 0"
    assert row(page, f"juror-{jurors['Bernd'].id}") == "Jurorin Bernd 2 0 1 1 1"
    assert row(page, f"juror-{jurors['Carla'].id}") == "Jurorin Carla 2 1 0 1 1"
    assert row(page, f"juror-{jurors['Dora'].id}") == "Jurorin Dora 2 1 0 1 1"
    assert "verspätet" not in page  # the deadline is weeks away
    assert "Bei 1 Beitrag liegen die Gesamtwerte weit auseinander (Spannweite über 2,5 Punkte" in page
    # entry: submitted of k, average of the submitted totals (7 + 6,67 + 8 + 2) / 4, spread 8 − 2
    first = row(page, f"entry-{entries[0].id}")
    assert first == "Hybride Drehmaschine IND-2026-0001 Mobilität 4 / 4 5,92 6 große Abweichung"
    assert row(page, f"entry-{entries[1].id}") == "Digitaler Zwilling IND-2026-0002 Digitalisierung 1 / 3 5 –"
    assert row(page, f"entry-{entries[2].id}").startswith("Kreislauf-Gießerei IND-2026-0003 Mobilität 0 / 3")
    assert "Zuweisung fehlt" in row(page, f"entry-{entries[2].id}")
    link = f"/organisation/editions/{edition.id}/rounds/{judging_round.id}/entries/{entries[0].id}/sheets"
    assert f'href="{link}"' in page
    categories = text_of(page.split('id="kategorien"')[1])
    assert "Mobilität 2 4 / 7" in categories and "Digitalisierung 1 1 / 3" in categories


def test_jurors_are_late_once_the_round_deadline_passed(client, login_as, organiser, scored):
    edition, judging_round, _criteria, jurors, _entries = scored
    judging_round.deadline_at = utcnow() - timedelta(hours=1)
    db.session.commit()
    login_as(organiser)
    page = client.get(f"/organisation/editions/{edition.id}/rounds/{judging_round.id}/progress").get_data(as_text=True)
    assert "verspätet" not in row(page, f"juror-{jurors['Anna'].id}")
    for name in ("Bernd", "Carla", "Dora"):
        assert "verspätet" in row(page, f"juror-{jurors[name].id}")
    assert "Die Bewertungsfrist ist abgelaufen. 3 Jurymitglieder haben noch nicht alle Bögen eingereicht." in page


def test_entry_sheets_side_by_side_with_total_spread_and_outlier(client, login_as, organiser, scored):
    edition, judging_round, (innovation, impact), jurors, entries = scored
    login_as(organiser)
    url = f"/organisation/editions/{edition.id}/rounds/{judging_round.id}/entries/{entries[0].id}/sheets"
    page = client.get(url).get_data(as_text=True)
    visible = text_of(page)
    assert "Bewertungsbögen: Hybride Drehmaschine" in visible
    assert "4 von 4 Bögen eingereicht" in visible
    assert "Durchschnitt der eingereichten Gesamtwerte: 5,92" in visible
    assert "Spannweite: 6 große Abweichung" in visible
    head = text_of(page.split("<thead>")[1].split("</thead>")[0])
    assert head == ("Kriterium (Gewichtung) Jurorin Anna eingereicht Jurorin Bernd eingereicht "
                    "Jurorin Carla eingereicht Ausreißer Jurorin Dora eingereicht")
    total_row = text_of(page.split("Gesamtwert (gewichtet)")[1].split("</tr>")[0])
    assert total_row == "7 6,67 2 8"  # weighted: Bernd (6 + 2 × 7) / 3
    assert "<mark><strong>2</strong></mark>" in page  # Carla's total is marked
    assert "Innovationsgrad" in page and "33,3" in page and "66,7" in page  # weights in percent
    assert "Sehr originell" in page and "Starker Beitrag" in page and "Bitte mehr Zahlen zur Wirkung." in page
    anna = sheet_of(jurors["Anna"], entries[0])
    history = page.split(f'id="bogen-{anna.id}"')[1].split("</article>")[0]
    assert "<details>" in history and "Verlauf (3 Einträge)" in history
    assert "Innovationsgrad: 5 → 7" in text_of(history) and "Regionale Wirkung: 5 → 7" in text_of(history)
    assert "Status: Entwurf → eingereicht" in text_of(history)


def test_other_rounds_of_a_finalist_stay_visible(client, login_as, organiser, scored, make_round, make_criterion,
                                                 assign):
    edition, first_round, _criteria, jurors, entries = scored
    entries[0].status = EntryStatus.SHORTLISTED
    final = make_round(edition, name="Finale", jurors_per_entry=1)
    criterion = make_criterion(final, name="Gesamteindruck")
    score(assign(final, jurors["Anna"], entries[0]), jurors["Anna"], [criterion], ["9"])
    login_as(organiser)
    base = f"/organisation/editions/{edition.id}/rounds"
    page = client.get(f"{base}/{final.id}/entries/{entries[0].id}/sheets").get_data(as_text=True)
    assert f'href="{base}/{first_round.id}/entries/{entries[0].id}/sheets">Vorauswahl</a> (4 Bögen)' in page
    assert "Gesamteindruck" in page and "Innovationsgrad" not in page
    earlier = client.get(f"{base}/{first_round.id}/entries/{entries[0].id}/sheets").get_data(as_text=True)
    assert f'href="{base}/{final.id}/entries/{entries[0].id}/sheets">Finale</a> (1 Bogen)' in earlier


def test_a_removed_assignment_shows_greyed_and_does_not_count(client, login_as, organiser, scored):
    edition, judging_round, _criteria, jurors, entries = scored
    bernd = jurors["Bernd"]
    assignment = queries.current_assignments(judging_round)
    mine = next(a for a in assignment if a.user_id == bernd.id and a.entry_id == entries[1].id)
    sheets.declare_conflict_instead(assignment=mine, reason="Ehemaliger Kunde", by=bernd, now=utcnow())
    db.session.commit()
    login_as(organiser)
    url = f"/organisation/editions/{edition.id}/rounds/{judging_round.id}/entries/{entries[1].id}/sheets"
    page = client.get(url).get_data(as_text=True)
    head = text_of(page.split("<thead>")[1].split("</thead>")[0])
    assert head.endswith("Jurorin Bernd Zuweisung entfernt")
    assert 'class="sheet-void"' in page and "<s>4</s>" in page
    assert "1 von 3 Bögen eingereicht" in text_of(page)
    progress_page = client.get(f"/organisation/editions/{edition.id}/rounds/{judging_round.id}/progress")
    assert row(progress_page.get_data(as_text=True), f"juror-{bernd.id}") == "Jurorin Bernd fertig 1 0 0 1 0"


def test_reopen_needs_a_reason_and_is_recorded(client, login_as, organiser, scored):
    edition, judging_round, _criteria, jurors, entries = scored
    carla = sheet_of(jurors["Carla"], entries[0])
    login_as(organiser)
    url = f"/organisation/editions/{edition.id}/sheets/{carla.id}/reopen"
    refused = client.post(url, data={f"bogen{carla.id}-reason": "  "})
    assert refused.status_code == 422
    page = refused.get_data(as_text=True)
    error = re.search(rf'<small id="bogen{carla.id}-reason-error" class="field-error">(.*?)</small>', page)
    assert error and "Bitte begründen Sie, warum der Bogen wieder geöffnet wird." in error.group(1)
    assert f'aria-describedby="bogen{carla.id}-reason-hint bogen{carla.id}-reason-error"' in page
    db.session.refresh(carla)
    assert carla.status is SheetStatus.SUBMITTED

    response = client.post(url, data={f"bogen{carla.id}-reason": "Skala offenbar verwechselt"})
    back = f"/organisation/editions/{edition.id}/rounds/{judging_round.id}/entries/{entries[0].id}/sheets"
    assert response.headers["Location"] == f"{back}#bogen-{carla.id}"
    db.session.refresh(carla)
    assert carla.status is SheetStatus.DRAFT and carla.submitted_at is None
    page = client.get(back).get_data(as_text=True)
    assert "Der Bewertungsbogen von Jurorin Carla ist wieder geöffnet." in page
    history = text_of(page.split(f'id="bogen-{carla.id}"')[1].split("</article>")[0])
    assert "wieder geöffnet Skala offenbar verwechselt Status: eingereicht → Entwurf" in history
    assert "Olga Organisatorin" in history
    assert "3 von 4 Bögen eingereicht" in text_of(page)  # Carla's sheet no longer counts
    assert "Ausreißer" not in text_of(page.split("<thead>")[1].split("</thead>")[0])
    logged = db.session.scalar(db.select(AuditEvent).where(AuditEvent.action == "sheet.reopened"))
    assert logged.actor_id == organiser.id and logged.data["reason"] == "Skala offenbar verwechselt"

    again = client.post(url, data={f"bogen{carla.id}-reason": "nochmal"}, follow_redirects=True)
    assert "Dieser Bewertungsbogen ist nicht eingereicht." in again.get_data(as_text=True)


def test_reopen_checks_the_edition(client, login_as, organiser, scored, make_edition):
    _edition, _round, _criteria, jurors, entries = scored
    other = make_edition()
    sheet = sheet_of(jurors["Anna"], entries[0])
    login_as(organiser)
    response = client.post(f"/organisation/editions/{other.id}/sheets/{sheet.id}/reopen",
                           data={f"bogen{sheet.id}-reason": "Test"})
    assert response.status_code == 404
    assert client.get(f"/organisation/editions/{other.id}/rounds/{_round.id}/progress").status_code == 404
    db.session.refresh(sheet)
    assert sheet.status is SheetStatus.SUBMITTED


def test_audit_lists_events_in_german_filters_and_checks_the_chain(client, login_as, organiser, scored):
    login_as(organiser)
    page = html.unescape(client.get("/organisation/audit").get_data(as_text=True))
    assert "Protokoll" in page and "Bewertungsbogen eingereicht" in page and "Zuweisung hinzugefügt" in page
    visible = re.sub(r"<[^>]+>", " ", page)  # the text a person sees (option values are not shown)
    assert "sheet.submitted" not in visible and "assignment.added" not in visible  # no raw keys
    assert "Jurorin Carla" in page and "Bewertungsbogen Nr. " in page
    assert "Die Hash-Kette ist intakt" not in page  # only on request
    assert re.search(r"\d\d\.\d\d\.\d{4}, \d\d:\d\d Uhr", page)
    assert "<dt>Gesamtpunktzahl</dt><dd>6,67</dd>" in page  # a small table with a decimal comma, no JSON
    assert '"total"' not in page and "6.67" not in page
    filtered = html.unescape(client.get("/organisation/audit?action=sheet.submitted").get_data(as_text=True))
    assert "Bewertungsbogen eingereicht</strong>" in filtered and "Zuweisung hinzugefügt</strong>" not in filtered
    intact = client.get("/organisation/audit?check=1").get_data(as_text=True)
    total = db.session.scalar(db.select(db.func.count()).select_from(AuditEvent))
    assert f"Die Hash-Kette ist intakt: alle {total} Einträge geprüft" in intact
    assert intact.index("Die Hash-Kette ist intakt") < intact.index("<table")  # the result stays on top

    victim = db.session.scalar(db.select(AuditEvent).where(AuditEvent.action == "sheet.submitted")
                               .order_by(AuditEvent.id).limit(1))
    db.session.execute(update(AuditEvent).where(AuditEvent.id == victim.id)
                       .values(data={**victim.data, "total": "10.00"}))
    db.session.commit()
    broken = client.get("/organisation/audit?check=1").get_data(as_text=True)
    assert "Die Hash-Kette ist unterbrochen" in broken
    assert f"Eintrag Nr. {victim.id} (Bewertungsbogen eingereicht" in broken
    assert f"<mark>{victim.id}</mark>" in broken


def test_audit_filters_by_person_entry_and_dates_and_exports_csv(client, login_as, organiser, scored):
    _edition, _round, _criteria, jurors, entries = scored
    login_as(organiser)
    carla = jurors["Carla"]
    by_person = html.unescape(client.get(f"/organisation/audit?person={carla.id}").get_data(as_text=True))
    assert "Jurorin Carla" in by_person and "Jurorin Anna" not in by_person.split("<table", 1)[1]
    entry = entries[0]
    by_entry = html.unescape(client.get(f"/organisation/audit?entry={entry.number or entry.id}")
                             .get_data(as_text=True))
    count = int(re.search(r"(\d+) Einträge? \(gefiltert\)", by_entry).group(1))
    all_count = db.session.scalar(db.select(db.func.count()).select_from(AuditEvent))
    assert 0 < count < all_count
    unknown = html.unescape(client.get("/organisation/audit?entry=XYZ-999").get_data(as_text=True))
    assert "Einen Beitrag mit der Nummer „XYZ-999“ gibt es nicht." in unknown and 'href="#filter-entry"' in unknown
    assert 'value="XYZ-999"' in unknown  # what was typed stays
    future = html.unescape(client.get("/organisation/audit?from=2099-01-01").get_data(as_text=True))
    assert "Keine Einträge gefunden." in future
    reversed_range = html.unescape(client.get("/organisation/audit?from=2026-05-02&to=2026-05-01")
                                   .get_data(as_text=True))
    assert "Das Ende des Zeitraums liegt vor seinem Anfang" in reversed_range
    raw_key = client.get("/organisation/audit?action=sheet.").get_data(as_text=True)
    assert "Diese Art von Eintrag gibt es nicht" in html.unescape(raw_key)

    export = client.get("/organisation/audit.csv?action=sheet.submitted")
    assert export.status_code == 200 and export.mimetype == "text/csv"
    text = export.get_data(as_text=True).lstrip("\ufeff")
    lines = text.strip().splitlines()
    assert lines[0].startswith("Nr.;Zeitpunkt;Person;Aktion")
    assert len(lines) - 1 == db.session.scalar(db.select(db.func.count()).select_from(AuditEvent)
                                               .where(AuditEvent.action == "sheet.submitted"))
    assert all("Bewertungsbogen eingereicht" in line for line in lines[1:])


def test_audit_csv_neutralises_formulas(client, login_as, organiser):
    audit.record(actor=organiser, action="company.renamed", obj_type="company", obj_id=1, now=utcnow(),
                 legal_name="=HYPERLINK(\"http://evil\")")
    db.session.commit()
    login_as(organiser)
    text = client.get("/organisation/audit.csv").get_data(as_text=True)
    assert "Firmenname: =HYPERLINK" in text  # inside the details cell, which starts with a label
    assert not any(cell.startswith("=") for line in text.splitlines() for cell in line.split(";"))


def test_audit_is_paginated_newest_first(client, login_as, organiser):
    for n in range(55):
        audit.record(actor=organiser, action="entry.created", obj_type="entry", obj_id=n, now=utcnow(), number=n)
    db.session.commit()
    login_as(organiser)
    first = html.unescape(client.get("/organisation/audit").get_data(as_text=True))
    assert "55 Einträge" in first and "Seite 1 von 2" in first
    assert "Beitrag Nr. 54<" in first and "Beitrag Nr. 4<" not in first
    second = html.unescape(client.get("/organisation/audit?page=2").get_data(as_text=True))
    assert "Beitrag Nr. 4<" in second and "Beitrag Nr. 0<" in second and "Beitrag Nr. 5<" not in second
    assert "Neuere" in second and "Ältere" not in second


@pytest.mark.parametrize("role", [Role.APPLICANT, Role.JUROR])
def test_only_organisers_get_in(client, login_as, make_user, scored, role):
    edition, judging_round, _criteria, jurors, entries = scored
    sheet = sheet_of(jurors["Anna"], entries[0])
    login_as(jurors["Anna"] if role is Role.JUROR else make_user(roles=(role,)))
    base = f"/organisation/editions/{edition.id}"
    for path in (f"{base}/rounds/{judging_round.id}/progress",
                 f"{base}/rounds/{judging_round.id}/entries/{entries[0].id}/sheets", "/organisation/audit"):
        assert client.get(path).status_code == 403
    assert client.post(f"{base}/sheets/{sheet.id}/reopen", data={f"bogen{sheet.id}-reason": "x"}).status_code == 403
    db.session.refresh(sheet)
    assert sheet.status is SheetStatus.SUBMITTED


def test_anonymous_visitors_are_sent_to_login(client, scored):
    edition, judging_round, _criteria, _jurors, entries = scored
    for path in (f"/organisation/editions/{edition.id}/rounds/{judging_round.id}/progress",
                 f"/organisation/editions/{edition.id}/rounds/{judging_round.id}/entries/{entries[0].id}/sheets",
                 "/organisation/audit"):
        response = client.get(path)
        assert response.status_code == 302 and response.headers["Location"].startswith("/login")


def _queries(call) -> int:
    count = 0

    def before(*_args):
        nonlocal count
        count += 1

    db.session.expire_all()
    event.listen(db.engine, "before_cursor_execute", before)
    try:
        call()
    finally:
        event.remove(db.engine, "before_cursor_execute", before)
    return count


def test_the_read_side_does_not_grow_queries_with_the_data(scored, assign, make_entry, make_user):
    edition, judging_round, criteria, jurors, entries = scored
    entry = entries[0]
    small_progress = _queries(lambda: progress.round_progress(judging_round, now=utcnow()))
    small_sheets = _queries(lambda: progress.entry_sheets(judging_round=judging_round, entry=entry))
    for n in range(4):
        extra = make_entry(category=entries[0].category, title=f"Weiterer Beitrag {n}", status=EntryStatus.ELIGIBLE,
                           number=f"IND-2026-01{n:02d}")
        for name in ("Anna", "Bernd", "Carla"):
            score(assign(judging_round, jurors[name], extra), jurors[name], criteria, ["6", "6"])
    late_juror = make_user(roles=(Role.JUROR,), full_name="Jurorin Erika")
    score(assign(judging_round, late_juror, entry), late_juror, criteria, ["5", "5"])
    assert _queries(lambda: progress.round_progress(judging_round, now=utcnow())) == small_progress
    assert _queries(lambda: progress.entry_sheets(judging_round=judging_round, entry=entry)) == small_sheets


def test_history_changes_compare_numbers_not_strings():
    names = {1: "Innovationsgrad", 2: "Wirkung"}
    before = {"status": "draft", "scores": {"1": "7.00", "2": "5.00"}, "comments": {}, "overall_comment": "",
              "feedback": ""}
    after = {"status": "draft", "scores": {"1": "7", "2": "6"}, "comments": {"2": "neu"}, "overall_comment": "",
             "feedback": ""}
    changes = progress.changes_between(before, after, names)
    assert [(c.what, c.criterion, c.before, c.after) for c in changes] == [
        ("score", "Wirkung", Decimal("5.00"), Decimal("6")), ("comment", "Wirkung", "", "neu")]
