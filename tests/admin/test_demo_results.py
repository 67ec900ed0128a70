"""`flask demo results`: a finished, published edition to look at right after `make run`."""

from __future__ import annotations

from competition.editions.models import Edition
from competition.extensions import db
from competition.rankings import services
from competition.rankings.models import Publication, RankingSnapshot


def test_results_demo_is_published_verifiable_and_idempotent(app, client):
    runner = app.test_cli_runner()
    refused = runner.invoke(args=["demo", "results"])
    assert refused.exit_code != 0 and "flask demo seed" in refused.output  # needs the demo people first
    assert runner.invoke(args=["demo", "seed", "--entries", "9", "--jurors", "4", "--seed", "5"]).exit_code == 0
    result = runner.invoke(args=["demo", "results", "--seed", "5"])
    assert result.exit_code == 0, result.output
    assert "/ergebnisse/ind-2025" in result.output
    publication = db.session.scalar(db.select(Publication))
    assert services.verify_snapshot(publication.snapshot) and publication.snapshot.content["round"]["is_final"]
    awards = publication.snapshot.content["decisions"]["awards"]
    assert {a["kind"] for a in awards} == {"winner", "mention"}
    assert publication.snapshot.sha256 in result.output

    page = client.get("/ergebnisse/ind-2025")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    winner = publication.snapshot.content["entries"][next(a["entry"] for a in awards if a["kind"] == "winner")]
    assert winner["title"] in html and winner["company"] in html

    # the Publikumspreis: closed, published, a scripted campaign excluded with a reason, addresses deleted
    from competition.audience.models import AudienceVote, Ballot
    from competition.audience.services import verify_vote

    vote = db.session.scalar(db.select(AudienceVote))
    assert vote.published_at is not None and verify_vote(vote) and vote.sha256 in result.output
    assert vote.content["totals"]["counted"] >= 200 and vote.content["totals"]["excluded"] > 0
    assert db.session.scalar(db.select(db.func.count(Ballot.id)).where(Ballot.email.is_not(None))) == 0
    assert "Publikumspreis" in html and "wegen Manipulationsverdachts ausgeschlossen" in html

    snapshots = db.session.scalar(db.select(db.func.count()).select_from(RankingSnapshot))
    again = runner.invoke(args=["demo", "results", "--seed", "5"])
    assert again.exit_code == 0 and "bereits vorhanden" in again.output
    assert db.session.scalar(db.select(db.func.count()).select_from(RankingSnapshot)) == snapshots
    assert db.session.scalar(db.select(db.func.count()).select_from(Edition)) == 2
