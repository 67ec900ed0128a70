"""Ranking methods, tie cascade, flags, stability: worked examples (arithmetic in comments) and properties."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from competition.rankings.ranking import Criterion, Scale, Sheet, kendall_tau, rank_entries, sheet_total

SCALE = Scale(0, 10)
TWO = (Criterion("c1", 30), Criterion("c2", 10))  # weights 3 : 1
ONE = (Criterion("c1", 1),)


def s(juror: str, entry: str, c1: float, c2: float | None = None) -> Sheet:
    return Sheet(juror, entry, {"c1": c1} if c2 is None else {"c1": c1, "c2": c2})


# Fully crossed: j1, j2, j3 each score e1, e2, e3.
CROSSED = (
    s("j1", "e1", 8, 4), s("j2", "e1", 6, 10), s("j3", "e1", 9, 5),   # totals 7.0, 7.0, 8.0
    s("j1", "e2", 7, 7), s("j2", "e2", 10, 2), s("j3", "e2", 5, 9),   # totals 7.0, 8.0, 6.0
    s("j1", "e3", 2, 2), s("j2", "e3", 10, 10), s("j3", "e3", 6, 6),  # totals 2.0, 10.0, 6.0
)


def by_entry(ranking):
    return {r.entry: r for r in ranking.entries}


def test_sheet_total_is_weighted_mean_and_scale_free():
    # (30·8 + 10·4) / 40 = 280 / 40 = 7.0
    assert sheet_total(CROSSED[0], TWO) == 7.0
    assert sheet_total(CROSSED[0], (Criterion("c1", 3), Criterion("c2", 1))) == 7.0


def test_weighted_mean_worked_example():
    r = rank_entries(CROSSED, TWO, SCALE, expected_sheets=4)
    e = by_entry(r)
    # e1: (7 + 7 + 8) / 3 = 7.333…; e2: (7 + 8 + 6) / 3 = 7.0; e3: (2 + 10 + 6) / 3 = 6.0
    assert [x.entry for x in r.entries] == ["e1", "e2", "e3"]
    assert e["e1"].score == pytest.approx(22 / 3) and e["e2"].score == 7.0 and e["e3"].score == 6.0
    assert e["e1"].raw_score == e["e1"].score
    # spreads: e1 8 − 7 = 1; e2 8 − 6 = 2; e3 10 − 2 = 8 > 25 % of 10 = 2.5 → high disagreement
    assert (e["e1"].spread, e["e2"].spread, e["e3"].spread) == (1.0, 2.0, 8.0)
    assert "high_disagreement" in e["e3"].flags and "high_disagreement" not in e["e2"].flags
    # 3 sheets < expected 4 → missing sheets everywhere
    assert all("missing_sheets" in x.flags for x in r.entries)
    # per-criterion averages of e1: c1 (8 + 6 + 9) / 3 = 7.667, c2 (4 + 10 + 5) / 3 = 6.333
    assert e["e1"].criteria == pytest.approx({"c1": 23 / 3, "c2": 19 / 3})
    assert [x.tie_rule for x in r.entries] == [None, "score", "score"]
    assert [x.rank for x in r.entries] == [1, 2, 3]


def test_median_worked_example_tie_decided_by_calibrated_score():
    r = rank_entries(CROSSED, TWO, SCALE, method="median")
    e = by_entry(r)
    # medians: e1 of (7, 7, 8) = 7; e2 of (6, 7, 8) = 7; e3 of (2, 6, 10) = 6 → e1 and e2 tie on the score.
    assert (e["e1"].score, e["e2"].score, e["e3"].score) == (7.0, 7.0, 6.0)
    # Fully crossed, so the calibrated score is the raw mean: e1 7.333 > e2 7.0 → e1 first, by rule "calibrated".
    assert [x.entry for x in r.entries] == ["e1", "e2", "e3"]
    assert e["e2"].tie_rule == "calibrated" and e["e3"].tie_rule == "score"


def test_crossed_offsets_are_juror_mean_minus_grand_mean():
    r = rank_entries(CROSSED, TWO, SCALE, method="calibrated")
    offsets = {j.juror: j.offset for j in r.jurors}
    # juror means: j1 (7 + 7 + 2) / 3 = 48/9, j2 (7 + 8 + 10) / 3 = 75/9, j3 (8 + 6 + 6) / 3 = 60/9; grand mean 61/9
    assert offsets == pytest.approx({"j1": -13 / 9, "j2": 14 / 9, "j3": -1 / 9})
    assert all(j.calibrated for j in r.jurors)
    assert [x.score for x in r.entries] == pytest.approx([22 / 3, 7.0, 6.0])
    assert r.kendall_tau == pytest.approx(1.0)


# Exact additive data: qualities e1 8, e2 6.75, e3 5, e4 7; offsets j1 +1, j2 −1, j3 0 (sum zero).
# j1 ∩ j2 = {e2, e3}, j2 ∩ j3 = {e3, e4}, j1 ∩ j3 = {e1, e3}: one component. j4 scores only e1 → not calibrated.
ADDITIVE = (
    s("j1", "e1", 9), s("j1", "e2", 7.75), s("j1", "e3", 6),
    s("j2", "e2", 5.75), s("j2", "e3", 4), s("j2", "e4", 6),
    s("j3", "e1", 8), s("j3", "e3", 5), s("j3", "e4", 7),
    s("j4", "e1", 8),
)


def test_calibrated_worked_example():
    r = rank_entries(ADDITIVE, ONE, SCALE, method="calibrated")
    e = by_entry(r)
    jurors = {j.juror: j for j in r.jurors}
    # No noise, so least squares recovers the offsets exactly.
    assert jurors["j1"].offset == pytest.approx(1.0) and jurors["j2"].offset == pytest.approx(-1.0)
    assert jurors["j3"].offset == pytest.approx(0.0, abs=1e-9)
    assert not jurors["j4"].calibrated and jurors["j4"].reason == "too_few_entries" and jurors["j4"].offset == 0.0
    # e1: (9 − 1 + 8 − 0 + 8 [j4 raw]) / 3 = 8; e2: (7.75 − 1 + 5.75 + 1) / 2 = 6.75; e3: 5; e4: (6 + 1 + 7) / 2 = 7
    assert {k: v.score for k, v in e.items()} == pytest.approx({"e1": 8.0, "e2": 6.75, "e3": 5.0, "e4": 7.0})
    # raw: e1 (9 + 8 + 8) / 3 = 8.333; e2 (7.75 + 5.75) / 2 = 6.75; e3 (6 + 4 + 5) / 3 = 5; e4 (6 + 7) / 2 = 6.5
    assert e["e4"].raw_score == 6.5 and e["e1"].raw_score == pytest.approx(25 / 3)
    assert [x.entry for x in r.entries] == ["e1", "e4", "e2", "e3"]
    assert e["e1"].flags == ("juror_not_calibrated",)
    # weighted mean order e1, e2, e4, e3 vs calibrated e1, e4, e2, e3: 1 discordant pair of 6 → tau = 1 − 2/6
    assert r.kendall_tau == pytest.approx(2 / 3)
    wm = rank_entries(ADDITIVE, ONE, SCALE)
    assert [x.entry for x in wm.entries] == ["e1", "e2", "e4", "e3"]
    assert "juror_not_calibrated" not in by_entry(wm)["e1"].flags


def test_calibrated_scores_are_clipped_to_the_scale():
    # j1 scores everything 2 points below j2; e1 gets 10 from j2 and 9 from j1 → quality 10.5 − … clipped to 10.
    sheets = [s("j1", "e1", 9), s("j1", "e2", 3), s("j1", "e3", 4),
              s("j2", "e1", 10), s("j2", "e2", 6), s("j2", "e3", 7), s("j2", "e4", 10), s("j3", "e4", 10)]
    r = rank_entries(sheets, ONE, SCALE, method="calibrated")
    assert all(SCALE.min <= x.score <= SCALE.max for x in r.entries)


def test_trimmed_mean_worked_example_and_fallback():
    sheets = [s(f"j{i}", "e1", v) for i, v in enumerate([1, 6, 7, 8, 10])]
    sheets += [s("j1", "e2", 7), s("j2", "e2", 7), s("j3", "e2", 6.5)]
    r = rank_entries(sheets, ONE, SCALE, method="trimmed-mean")
    e = by_entry(r)
    # e1: 5 sheets, drop 5 // 5 = 1 at each end → (6 + 7 + 8) / 3 = 7.0 (its mean would be 32 / 5 = 6.4)
    assert e["e1"].score == 7.0 and e["e1"].raw_score == 6.4 and "trimmed_fallback" not in e["e1"].flags
    # e2: only 3 sheets → weighted mean (7 + 7 + 6.5) / 3 = 6.8333 and flagged
    assert e["e2"].score == pytest.approx(20.5 / 3) and "trimmed_fallback" in e["e2"].flags
    assert [x.entry for x in r.entries] == ["e1", "e2"]
    assert [x.entry for x in rank_entries(sheets, ONE, SCALE).entries] == ["e2", "e1"]


def test_tie_cascade_rules():
    sheets = [
        s("a", "eA", 10, 4), s("b", "eB", 8, 10),           # totals (300+40)/40 = 8.5 and (240+100)/40 = 8.5
        s("c", "eC", 6, 10), s("d", "eC", 6, 6),            # totals 7 and 6 → mean 6.5, median 6.5, c1 avg 6
        s("e", "eD", 6, 8), s("f", "eD", 6, 8),             # totals 6.5 and 6.5, c1 avg 6; no top-scale score
        s("g", "eE", 2, 2), s("h", "eF", 2, 2),             # identical
        s("i", "eG", 1, 1), s("k", "eH", 1, 1),             # identical
    ]
    r = rank_entries(sheets, TWO, SCALE, jury_order=["eF"])
    assert [x.entry for x in r.entries] == ["eA", "eB", "eC", "eD", "eF", "eE", "eG", "eH"]
    rules = {x.entry: x.tie_rule for x in r.entries}
    # jurors score one entry each → nobody calibrated, calibrated = raw; eA's c1 average 10 > eB's 8
    assert rules["eB"] == "top_criterion"
    assert rules["eD"] == "top_scores"  # eC has one score of 10, eD none
    assert rules["eE"] == "jury_decision"  # the jury put eF first
    assert rules["eH"] == "entry_id"  # nothing else separates eG and eH: entry id ascending


def test_rank_intervals_and_prize_line_tie():
    # eA and eB are close with wide sheets; eC is far below.
    sheets = [s("j1", "eA", 9), s("j2", "eA", 5), s("j3", "eA", 8),
              s("j1", "eB", 8), s("j2", "eB", 6), s("j3", "eB", 7.5),
              s("j1", "eC", 1), s("j2", "eC", 1), s("j3", "eC", 2)]
    r = rank_entries(sheets, ONE, SCALE, prize_line=1, seed=7)
    e = by_entry(r)
    assert e["eA"].rank_interval == (1, 2) and e["eB"].rank_interval == (1, 2) and e["eC"].rank_interval == (3, 3)
    assert e["eA"].tie and e["eB"].tie and not e["eC"].tie
    assert rank_entries(sheets, ONE, SCALE, prize_line=1, seed=7) == r  # seeded: reproducible
    assert not any(x.tie for x in rank_entries(sheets, ONE, SCALE, prize_line=2, seed=7).entries)


def test_zero_variance_juror_and_kendall_tau():
    sheets = [s("j1", e, 5) for e in ("e1", "e2", "e3")] + [s("j2", "e1", 9), s("j2", "e2", 4), s("j2", "e3", 6)]
    r = rank_entries(sheets, ONE, SCALE, method="calibrated")
    assert [x.entry for x in r.entries] == ["e1", "e3", "e2"]
    assert kendall_tau(["a", "b", "c"], ["c", "b", "a"]) == -1.0 and kendall_tau(["a"], ["a"]) is None


# ---------------------------------------------------------------- properties

JURORS = [f"j{i}" for i in range(5)]
ENTRIES = [f"e{i}" for i in range(6)]
score = st.sampled_from([x / 2 for x in range(21)])  # 0, 0.5, …, 10: many exact ties


@st.composite
def sheet_sets(draw, min_size=1):
    pairs = draw(st.lists(st.tuples(st.sampled_from(JURORS), st.sampled_from(ENTRIES)), min_size=min_size,
                          max_size=20, unique=True))
    return [Sheet(j, e, {"c1": draw(score), "c2": draw(score)}) for j, e in pairs]


@settings(max_examples=60, deadline=None)
@given(sheet_sets(), st.randoms(use_true_random=False), st.sampled_from(["weighted-mean", "median", "trimmed-mean",
                                                                         "calibrated"]))
def test_ranking_does_not_depend_on_input_order(sheets, rnd, method):
    shuffled = list(sheets)
    rnd.shuffle(shuffled)
    criteria = list(TWO)
    rnd.shuffle(criteria)
    assert rank_entries(shuffled, criteria, SCALE, method=method, resamples=20) == \
        rank_entries(sheets, TWO, SCALE, method=method, resamples=20)


@settings(max_examples=100, deadline=None)
@given(sheet_sets(), st.data(), st.sampled_from(["weighted-mean", "median", "trimmed-mean"]))
def test_raising_a_score_never_lowers_the_rank(sheets, data, method):
    i = data.draw(st.integers(0, len(sheets) - 1))
    crit = data.draw(st.sampled_from(["c1", "c2"]))
    old = sheets[i].scores[crit]
    new = data.draw(st.sampled_from([x / 2 for x in range(21) if x / 2 > old] or [old]))
    raised = list(sheets)
    raised[i] = Sheet(sheets[i].juror, sheets[i].entry, {**sheets[i].scores, crit: new})
    entry = sheets[i].entry
    before = by_entry(rank_entries(sheets, TWO, SCALE, method=method, resamples=0))[entry].rank
    after = by_entry(rank_entries(raised, TWO, SCALE, method=method, resamples=0))[entry].rank
    assert after <= before


def test_weights_are_scale_free():
    scaled = (Criterion("c1", 3), Criterion("c2", 1))
    for method in ("weighted-mean", "median", "trimmed-mean", "calibrated"):
        assert rank_entries(CROSSED, TWO, SCALE, method=method) == rank_entries(CROSSED, scaled, SCALE, method=method)
