"""`flask ops verify-audit`: an intact chain is confirmed; a row changed behind the app's back is found."""

from __future__ import annotations

from sqlalchemy import text

from competition.core import audit
from competition.core.clock import utcnow
from competition.extensions import db


def make_events(n: int) -> list[int]:
    ids = [audit.record(actor=None, action=f"test.event{i}", obj_type="edition", obj_id=i, now=utcnow(), n=i).id
           for i in range(n)]
    db.session.commit()
    return ids


def test_an_intact_chain(app):
    runner = app.test_cli_runner()
    empty = runner.invoke(args=["ops", "verify-audit"])
    assert empty.exit_code == 0 and "Audit-Kette intakt (0 Ereignisse)" in empty.output
    make_events(3)
    result = runner.invoke(args=["ops", "verify-audit"])
    assert result.exit_code == 0, result.output
    assert "Audit-Kette intakt (3 Ereignisse)" in result.output


def test_a_changed_row_is_reported_with_id_time_and_action(app):
    ids = make_events(4)
    db.session.execute(text("UPDATE audit_events SET object_id = 99 WHERE id = :id"), {"id": ids[2]})
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["ops", "verify-audit"])
    assert result.exit_code == 1
    assert f"Ereignis {ids[2]} vom" in result.output and "(test.event2)" in result.output and "Uhr" in result.output


def test_a_deleted_row_breaks_the_link_of_the_next(app):
    ids = make_events(4)
    db.session.execute(text("DELETE FROM audit_events WHERE id = :id"), {"id": ids[1]})
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["ops", "verify-audit"])
    assert result.exit_code == 1 and f"Ereignis {ids[2]} vom" in result.output
