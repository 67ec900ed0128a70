"""The typed view of a snapshot's content (`rankings.snapshot_content.parse`): a real content parses and its rows
match the stored dict, an older content without the newer keys parses with defaults, a wrong type is refused with
the key named."""

from __future__ import annotations

import copy

import pytest

from competition.rankings.snapshot_content import NO_ENTRY, parse

from .snapshot_factory import JURORS, make_snapshot


@pytest.fixture
def snapshot(make_edition, make_round, make_category, make_criterion, make_company, make_entry, make_user):
    return make_snapshot(make_edition=make_edition, make_round=make_round, make_category=make_category,
                         make_criterion=make_criterion, make_company=make_company, make_entry=make_entry,
                         make_user=make_user)


def _assert_rows_match(parsed_rows, raw_rows):
    assert [r.entry for r in parsed_rows] == [r["entry"] for r in raw_rows]
    for row, raw in zip(parsed_rows, raw_rows, strict=True):
        assert (row.rank, row.score, row.raw_score, row.calibrated_score, row.median, row.sheets, row.spread) == (
            raw["rank"], raw["score"], raw["raw_score"], raw["calibrated_score"], raw["median"], raw["sheets"],
            raw["spread"])
        assert row.rank_interval == (tuple(raw["rank_interval"]) if raw["rank_interval"] else None)
        assert (row.tie, row.tie_rule, list(row.flags), dict(row.criteria)) == (
            raw["tie"], raw["tie_rule"], raw["flags"], raw["criteria"])


def test_a_real_snapshot_parses_and_matches_the_raw_content(snapshot):
    raw = snapshot.content
    content = parse(raw)
    assert content.format == 1 and content.method == "calibrated"
    assert content.edition.name == raw["edition"]["name"] and content.edition.slug == raw["edition"]["slug"]
    assert (content.round.name, content.round.position, content.round.is_final) == (
        raw["round"]["name"], raw["round"]["position"], True)
    assert (content.scale.min, content.scale.max, content.scale.step) == (0.0, 10.0, 0.5)
    assert [(c.id, c.name, c.weight) for c in content.criteria] == [
        (c["id"], c["name"], c["weight"]) for c in raw["criteria"]]
    assert content.category_names == {c["id"]: c["name"] for c in raw["categories"]}
    for key, entry in raw["entries"].items():
        parsed = content.entry(key)
        assert (parsed.number, parsed.title, parsed.company, parsed.category, parsed.publish_summary) == (
            entry["number"], entry["title"], entry["company"], entry["category"], entry["publish_summary"])
    assert content.entry("no such entry") is NO_ENTRY
    assert sorted(content.juror_name(key) for key in raw["jurors"]) == sorted(JURORS)
    assert len(content.sheets) == len(raw["sheets"]) == 18
    assert content.sheets[0].scores == raw["sheets"][0]["scores"]
    _assert_rows_match(content.overall.ranking, raw["overall"]["ranking"])
    assert content.overall.kendall_tau == raw["overall"]["agreement"]["kendall_tau"]
    assert [j.juror for j in content.overall.jurors] == [j["juror"] for j in raw["overall"]["jurors"]]
    for key, ranking in raw["by_category"].items():
        _assert_rows_match(content.by_category[key].ranking, ranking["ranking"])
    decisions = raw["decisions"]
    assert [(a.entry, a.kind, a.place) for a in content.decisions.awards] == [
        (a["entry"], a["kind"], a["place"]) for a in decisions["awards"]]
    assert [(o.entry, o.from_rank, o.to_rank, o.by) for o in content.decisions.overrides] == [
        (o["entry"], o["from_rank"], o["to_rank"], o["by"]) for o in decisions["overrides"]]
    assert {k: list(v) for k, v in content.decisions.final_order.items()} == decisions["final_order"]


def test_an_old_content_without_the_newer_keys_parses_with_defaults():
    content = parse({"edition": "Industrie 2019", "round": "Finale", "method": "mean",
                     "overall": {"ranking": [{"entry": "7", "rank": 1, "score": 8.5}]}})
    assert content.edition.name == "Industrie 2019" and content.edition.slug is None
    assert content.round.name == "Finale" and content.round.position is None and not content.round.is_final
    assert content.scale is None and content.criteria == () and content.categories == ()
    assert content.entries == {} and content.sheets == () and content.by_category == {}
    assert content.decisions is None and content.reliability is None and content.inputs_sha256 is None
    row = content.overall.ranking[0]
    assert (row.entry, row.rank, row.score) == ("7", 1, 8.5)
    assert (row.raw_score, row.rank_interval, row.tie, row.tie_rule, row.flags, dict(row.criteria)) == (
        None, None, False, None, (), {})
    assert content.overall.jurors == () and content.overall.kendall_tau is None
    assert parse({}).overall is None and parse({}).edition is None


@pytest.mark.parametrize(("change", "key"), [
    (lambda c: c["overall"].__setitem__("ranking", "x"), "overall.ranking"),
    (lambda c: c.__setitem__("overall", "x"), "overall"),
    (lambda c: c.__setitem__("entries", []), "entries"),
    (lambda c: c.__setitem__("criteria", {"a": 1}), "criteria"),
    (lambda c: next(iter(c["by_category"].values()))["ranking"][0].__setitem__("score", "gut"),
     ".ranking[0].score"),
    (lambda c: c["decisions"].__setitem__("awards", "x"), "decisions.awards"),
])
def test_a_wrong_type_raises_value_error_naming_the_key(snapshot, change, key):
    content = copy.deepcopy(snapshot.content)
    change(content)
    with pytest.raises(ValueError, match=key.replace("[", r"\[").replace("]", r"\]").replace(".", r"\.")):
        parse(content)
    assert parse(snapshot.content)  # the stored content itself is untouched


def test_a_content_that_is_no_dict_is_refused():
    with pytest.raises(ValueError, match="must be a dict"):
        parse("x")  # type: ignore[arg-type]
