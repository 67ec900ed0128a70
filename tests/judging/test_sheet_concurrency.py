"""Optimistic locking of score sheets under real concurrency: no save is ever lost silently.

Several threads, each with its own app context and so its own SQLAlchemy session and connection, save the same
sheet at the same moment from the same loaded version. Exactly one wins; every other one is told (StaleSheet from
the service's version check, or StaleDataError from the versioned UPDATE when the race is lost inside the flush).
Runs on the test database: SQLite (writers serialised, losers wait on the busy timeout) or PostgreSQL.
"""

from __future__ import annotations

import threading
from decimal import Decimal

import pytest
from sqlalchemy.orm.exc import StaleDataError

from competition.accounts.models import Role, User
from competition.core.clock import utcnow
from competition.editions.phases import Phase
from competition.entries.models import EntryStatus
from competition.extensions import db
from competition.judging import services, sheets
from competition.judging.models import Assignment, ScoreSheet, ScoreSheetEvent
from tests.conftest import login

THREADS = 6


@pytest.fixture
def scoring_setup(make_edition, make_round, make_criterion, make_category, make_user, make_entry, organiser):
    """A juror with one assignment in a round scored 0–10 in steps of 0.5 with three criteria, the absence of a
    conflict confirmed and a first draft saved: the sheet every test then saves concurrently."""
    edition = make_edition(phase_override=Phase.JURY)
    judging_round = make_round(edition, name="Vorauswahl", scale_step=Decimal("0.5"))
    criteria = [make_criterion(judging_round, name=name, weight=Decimal(weight))
                for name, weight in (("Innovationsgrad", 40), ("Wirtschaftliches Potenzial", 35),
                                     ("Regionale Wirkung", 25))]
    category = make_category(edition, name="Mobilität")
    juror = make_user(roles=(Role.JUROR,), email="juror@tu-chemnitz.example", full_name="Jana Jurorin")
    entry = make_entry(category=category, status=EntryStatus.ELIGIBLE, number="IND-2026-0001")
    now = utcnow()
    assignment = services.add_assignment(judging_round=judging_round, juror=juror, entry=entry, by=organiser,
                                         now=now)
    sheets.confirm_no_conflict(assignment=assignment, by=juror, now=now)
    sheets.save_sheet(assignment=assignment, data=sheets.SheetInput(
        values={c.id: "5" for c in criteria}, comments={}, overall_comment="Erster Entwurf", feedback=""),
        version=None, by=juror, now=now)
    db.session.commit()
    return assignment, juror, criteria


@pytest.fixture
def concurrent_app(make_app, database_url):
    """A second app on the same database, used only by the worker threads. On SQLite a busy timeout long enough
    that waiting writers are served one after the other instead of failing with "database is locked"."""
    options = {"pool_pre_ping": True}
    if database_url.startswith("sqlite"):
        options["connect_args"] = {"timeout": 30}
    else:
        options.update(pool_size=THREADS + 2, max_overflow=0)
    other = make_app(SQLALCHEMY_ENGINE_OPTIONS=options)
    yield other
    with other.app_context():
        db.engine.dispose()


def _values_of(thread: int, criterion_ids: list[int]) -> dict[int, str]:
    """Each thread types its own scores (all distinct, all on the scale)."""
    return {cid: f"{thread + position * 0.5:.1f}".replace(".", ",") for position, cid in enumerate(criterion_ids)}


def _race(app, *, assignment_id: int, juror_id: int, criteria, version: int,
          preload: bool) -> tuple[dict[int, str], dict[int, str]]:
    """Start THREADS savers behind a barrier. Returns thread → "won" / "lost" (or the unexpected error), and for
    each loser how it was told ("checked" by the service, "update" by the versioned UPDATE).

    The threads get plain ids only: touching the test's ORM objects would use the test's session from them."""
    criterion_ids = [c.id for c in criteria]
    barrier = threading.Barrier(THREADS, timeout=60)
    outcome: dict[int, str] = {}
    how: dict[int, str] = {}

    def save(thread: int) -> None:
        with app.app_context():
            try:
                assignment = db.session.get(Assignment, assignment_id)
                juror = db.session.get(User, juror_id)
                if preload:  # the form was loaded before anyone saved: the service's own check passes
                    sheet = sheets.sheet_for(assignment)
                    assert sheet.version == version  # kept in this session's identity map, not reloaded
                barrier.wait()
                sheets.save_sheet(
                    assignment=assignment,
                    data=sheets.SheetInput(values=_values_of(thread, criterion_ids),
                                           comments={criterion_ids[0]: f"T{thread}"},
                                           overall_comment=f"Entwurf aus Tab {thread}", feedback=""),
                    version=version, by=juror, now=utcnow())
                db.session.commit()
                outcome[thread] = "won"
            except sheets.StaleSheet:  # the service saw the newer version before writing
                db.session.rollback()
                outcome[thread] = "lost"
                how[thread] = "checked"
            except StaleDataError:  # the versioned UPDATE matched no row: the race was lost inside the flush
                db.session.rollback()
                outcome[thread] = "lost"
                how[thread] = "update"
            except Exception as exc:  # anything else is a failure of the test, reported below
                db.session.rollback()
                outcome[thread] = f"error: {type(exc).__name__}: {exc}"
                barrier.abort()
            finally:
                db.session.remove()

    workers = [threading.Thread(target=save, args=(n,)) for n in range(THREADS)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=120)
    assert not any(worker.is_alive() for worker in workers), "a saver hangs (lock wait?)"
    return outcome, how


@pytest.mark.parametrize("preload", [True, False], ids=["form-loaded-before", "loaded-while-racing"])
def test_concurrent_saves_of_one_sheet_have_exactly_one_winner_and_lose_nothing_silently(
        concurrent_app, scoring_setup, preload):
    assignment, juror, criteria = scoring_setup
    sheet = sheets.sheet_for(assignment)
    v0 = sheet.version
    saved_before = [e.id for e in sheet.events if e.action == "saved"]

    outcome, how = _race(concurrent_app, assignment_id=assignment.id, juror_id=juror.id, criteria=criteria,
                         version=v0, preload=preload)

    assert sorted(outcome) == list(range(THREADS)), outcome
    errors = {n: o for n, o in outcome.items() if o not in ("won", "lost")}
    assert not errors, errors
    winners = [n for n, o in outcome.items() if o == "won"]
    assert len(winners) == 1, outcome  # one winner, and every other saver was told about the conflict
    winner = winners[0]
    if preload:  # every loser passed the service's check with the old version: the database refused the write
        assert set(how.values()) == {"update"}, how

    db.session.expire_all()
    stored = db.session.get(ScoreSheet, sheet.id)
    assert stored.version == v0 + 1
    typed = _values_of(winner, [c.id for c in criteria])
    expected = {cid: Decimal(raw.replace(",", ".")) for cid, raw in typed.items()}
    assert stored.values() == expected
    assert stored.overall_comment == f"Entwurf aus Tab {winner}"
    assert {s.criterion_id: s.comment for s in stored.scores}[criteria[0].id] == f"T{winner}"

    events = db.session.scalars(db.select(ScoreSheetEvent).where(ScoreSheetEvent.sheet_id == sheet.id,
                                                                 ScoreSheetEvent.id.not_in(saved_before))
                                .order_by(ScoreSheetEvent.id)).all()
    assert [(e.action, e.actor_id) for e in events] == [("saved", juror.id)]
    assert events[0].after["overall_comment"] == f"Entwurf aus Tab {winner}"
    assert {int(cid): Decimal(v) for cid, v in events[0].after["scores"].items()} == expected
    assert events[0].before["overall_comment"] == "Erster Entwurf"


def test_the_loser_of_a_race_can_save_again_from_the_new_version(concurrent_app, scoring_setup):
    assignment, juror, criteria = scoring_setup
    v0 = sheets.sheet_for(assignment).version
    outcome, _how = _race(concurrent_app, assignment_id=assignment.id, juror_id=juror.id, criteria=criteria,
                          version=v0, preload=True)
    assert sorted(outcome.values()) == ["lost"] * (THREADS - 1) + ["won"]
    db.session.expire_all()
    sheet = sheets.sheet_for(assignment)
    with pytest.raises(sheets.StaleSheet) as refused:
        sheets.save_sheet(assignment=assignment, data=sheets.SheetInput(
            values={criteria[0].id: "9"}, comments={}, overall_comment="", feedback=""), version=v0, by=juror,
            now=utcnow())
    assert refused.value.sheet.version == v0 + 1
    db.session.rollback()
    sheets.save_sheet(assignment=assignment, data=sheets.SheetInput(
        values={criteria[0].id: "9"}, comments={}, overall_comment="Nach Abgleich", feedback=""),
        version=sheet.version, by=juror, now=utcnow())
    db.session.commit()
    assert sheets.sheet_for(assignment).version == v0 + 2


# --- the same through HTTP: two tabs -------------------------------------------------------------------------------

def _version_in(page: str) -> str:
    return page.split('id="sheet-version" value="')[1].split('"')[0]


def test_second_tab_gets_a_conflict_page_with_its_own_and_the_stored_values(app, scoring_setup):
    assignment, juror, criteria = scoring_setup
    url = f"/jury/assignments/{assignment.id}"
    first, second = app.test_client(), app.test_client()
    for tab in (first, second):
        assert login(tab, juror.email).status_code == 302
    loaded = [_version_in(tab.get(url).get_data(as_text=True)) for tab in (first, second)]
    assert loaded[0] == loaded[1] == str(sheets.sheet_for(assignment).version)

    def form(values: list[str], overall: str) -> dict[str, str]:
        data = {"version": loaded[0], "action": "save", "overall_comment": overall, "feedback": ""}
        for criterion, value in zip(criteria, values, strict=True):
            data[f"score_{criterion.id}"] = value
            data[f"comment_{criterion.id}"] = ""
        return data

    saved = first.post(url, data=form(["7,5", "8", "6,5"], "Stark im Pilotbetrieb"))
    assert saved.status_code == 302 and saved.headers["Location"] == url
    assert "als Entwurf gespeichert" in first.get(url).get_data(as_text=True)

    refused = second.post(url, data=form(["3", "2,5", "4"], "Zu wenig belegt"))
    page = refused.get_data(as_text=True)
    assert refused.status_code == 409
    assert "an anderer Stelle gespeichert" in page
    # What the second tab typed stays in the form …
    assert f'name="score_{criteria[0].id}" inputmode="decimal" value="3"' in page
    assert 'value="2,5"' in page and "Zu wenig belegt" in page
    # … next to what is stored, and the form now carries the stored version so a deliberate resave works.
    assert "gespeichert: 7,5" in page and "gespeichert: 8" in page and "gespeichert: 6,5" in page
    db.session.expire_all()
    stored = sheets.sheet_for(assignment)
    assert _version_in(page) == str(stored.version) != loaded[0]
    assert stored.values()[criteria[0].id] == Decimal("7.5") and stored.overall_comment == "Stark im Pilotbetrieb"
    assert [e.action for e in stored.events].count("saved") == 2  # the first draft and the first tab only

    resaved = second.post(url, data=form(["3", "2,5", "4"], "Zu wenig belegt") | {"version": _version_in(page)})
    assert resaved.status_code == 302
    db.session.expire_all()
    assert sheets.sheet_for(assignment).values()[criteria[0].id] == Decimal(3)


def test_a_stale_tab_autosaving_never_overwrites_what_another_tab_saved(app, scoring_setup):
    """Autosave (htmx) from a tab loaded before another tab saved: refused, and it stays refused on the next
    keystroke: the answer must not hand the tab the new version, or its next autosave overwrites unseen values."""
    assignment, juror, criteria = scoring_setup
    url = f"/jury/assignments/{assignment.id}"
    first, second = app.test_client(), app.test_client()
    for tab in (first, second):
        assert login(tab, juror.email).status_code == 302
    version = _version_in(second.get(url).get_data(as_text=True))
    fields = {f"score_{c.id}": "" for c in criteria} | {"overall_comment": "", "feedback": ""}

    saved = first.post(url, data=fields | {"version": version, "action": "save", f"score_{criteria[0].id}": "9"})
    assert saved.status_code == 302

    typed = fields | {f"score_{criteria[0].id}": "1"}
    answer = second.post(f"{url}/autosave", data=typed | {"version": version}).get_data(as_text=True)
    assert "an anderer Stelle gespeichert" in answer
    # htmx swaps the out-of-band version field into the form; the next keystroke autosaves with what it got.
    next_version = _version_in(answer) if 'id="sheet-version"' in answer else version
    second.post(f"{url}/autosave", data=typed | {"version": next_version})
    db.session.expire_all()
    assert sheets.sheet_for(assignment).values()[criteria[0].id] == Decimal(9), (
        "the stale tab's autosave overwrote the other tab's saved score without showing it")


def test_two_tabs_confirming_no_conflict_at_once_make_one_sheet(app, scoring_setup, make_user, organiser):
    """A double click or two tabs on "Ich bin nicht befangen": one sheet, no error."""
    first, _juror, _criteria = scoring_setup
    juror = make_user(roles=(Role.JUROR,), email="zweite@uni.example")
    assignment = services.add_assignment(judging_round=first.round, juror=juror, entry=first.entry, by=organiser,
                                         now=utcnow())
    db.session.commit()
    barrier = threading.Barrier(3)
    errors = []

    def confirm():
        with app.app_context():
            try:
                barrier.wait()
                sheets.confirm_no_conflict(assignment=db.session.get(type(assignment), assignment.id),
                                           by=db.session.get(type(juror), juror.id), now=utcnow())
                db.session.commit()
            except Exception as exc:
                db.session.rollback()
                errors.append(exc)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=confirm) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    db.session.expire_all()
    assert db.session.scalar(db.select(db.func.count()).select_from(ScoreSheet)
                             .where(ScoreSheet.user_id == juror.id)) == 1
    assert [e for e in errors if "IntegrityError" in type(e).__name__ or "UNIQUE" in str(e)] == []
