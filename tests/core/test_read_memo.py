"""Reads remembered within a transaction: asked once per page, and never stale after a write of the same session."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import event, literal, select

from competition.core.clock import utcnow
from competition.core.read_memo import remembered
from competition.entries import permissions
from competition.entries.models import DeadlineExtension
from competition.extensions import db


def _count_extension_reads():
    reads: list[str] = []

    def watch(conn, cursor, statement, parameters, context, executemany):
        if statement.lstrip().upper().startswith("SELECT") and "FROM deadline_extensions" in statement:
            reads.append(statement)

    event.listen(db.engine, "before_cursor_execute", watch)
    return reads, lambda: event.remove(db.engine, "before_cursor_execute", watch)


def test_one_query_for_repeated_checks_and_a_fresh_one_after_a_write(app, make_entry, make_user):
    entry = make_entry()
    reads, stop = _count_extension_reads()
    try:
        original = permissions.deadline_for(entry)
        assert permissions.deadline_for(entry) == original
        assert permissions.submissions_open_for(entry, utcnow()) == permissions.submissions_open_for(entry, utcnow())
        assert len(reads) == 1  # four checks, one query

        later = original + timedelta(days=3)
        db.session.add(DeadlineExtension(edition_id=entry.edition_id, company_id=entry.company_id,
                                         extended_until=later, reason="Serverausfall beim Unternehmen",
                                         granted_by_id=make_user().id))
        # The extension is not committed yet: the next check flushes it and must see it, not the remembered answer.
        assert permissions.deadline_for(entry) == later
        assert len(reads) == 2
        db.session.rollback()
        assert permissions.deadline_for(entry) == original  # the rollback forgot the extension and the memo
    finally:
        stop()


def test_remembered_forgets_at_commit_and_rollback(app):
    calls: list[int] = []

    def read() -> int:
        calls.append(db.session.scalar(select(literal(1))))  # a real read: it begins the transaction
        return len(calls)

    assert remembered("k", read) == 1 and remembered("k", read) == 1
    db.session.commit()
    assert remembered("k", read) == 2
    db.session.rollback()
    assert remembered("k", read) == 3 and len(calls) == 3
