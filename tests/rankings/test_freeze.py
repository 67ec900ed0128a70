"""Freezing a round's ranking from the database: submitted sheets only, a hash over the content, the command."""

from __future__ import annotations

import pytest

from competition.extensions import db
from competition.judging.models import ScoreSheet, SheetStatus
from competition.rankings import services
from competition.rankings.models import RankingSnapshot


@pytest.fixture
def scored_demo(app):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["demo", "seed", "--entries", "10", "--jurors", "6", "--seed", "4", "--scored"])
    assert result.exit_code == 0, result.output
    return runner


def test_freeze_command_stores_a_verifiable_snapshot_of_submitted_sheets(scored_demo):
    result = scored_demo.invoke(args=["rankings", "freeze", "--edition", "ind-2026", "--method", "calibrated"])
    assert result.exit_code == 0, result.output
    snapshot = db.session.scalar(db.select(RankingSnapshot))
    assert f"Stand {snapshot.id}" in result.output and f"SHA-256: {snapshot.sha256}" in result.output
    assert services.verify_snapshot(snapshot)
    assert snapshot.round.is_frozen and "jetzt gesperrt" in result.output  # the freeze locks the round
    submitted = db.session.scalar(db.select(db.func.count()).select_from(ScoreSheet)
                                  .where(ScoreSheet.status == SheetStatus.SUBMITTED))
    overall = snapshot.content["overall"]
    assert sum(row["sheets"] for row in overall["ranking"]) == submitted == len(snapshot.content["sheets"])
    assert [row["rank"] for row in overall["ranking"]] == sorted(row["rank"] for row in overall["ranking"])
    assert snapshot.content["method"] == "calibrated" and overall["jurors"] and snapshot.content["jurors"]
    for data in snapshot.content["by_category"].values():  # each category ranked on its own, ranks from 1
        assert [row["rank"] for row in data["ranking"]] == list(range(1, len(data["ranking"]) + 1))

    snapshot.content = {**snapshot.content, "method": "weighted-mean"}  # tampering is detected
    assert not services.verify_snapshot(snapshot)
    db.session.rollback()


def test_freeze_without_submitted_sheets_or_for_an_unknown_edition(app):
    runner = app.test_cli_runner()
    runner.invoke(args=["demo", "seed", "--entries", "3", "--jurors", "3"])
    empty = runner.invoke(args=["rankings", "freeze", "--edition", "ind-2026"])
    assert empty.exit_code != 0 and "noch keine eingereichten Bewertungsbögen" in empty.output
    unknown = runner.invoke(args=["rankings", "freeze", "--edition", "gibt-es-nicht"])
    assert unknown.exit_code != 0 and "Unbekannte Ausschreibung" in unknown.output
    assert db.session.scalar(db.select(db.func.count()).select_from(RankingSnapshot)) == 0
