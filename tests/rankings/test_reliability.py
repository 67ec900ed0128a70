"""The reliability meter (pure): estimates against simulated juries with known quality, leniency and noise; the
statements; properties; and the extra-review recommendation against random choice and the largest spread."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from competition.rankings import reliability as rel
from competition.rankings import variance_components as vc
from competition.rankings.calibration import Observation
from competition.rankings.ranking import Criterion, Scale, Sheet, rank_entries

CRIT = [Criterion("c", 1.0)]
WIDE = Scale(0.0, 100.0)  # the simulated totals never reach its ends: no clipping


def simulate(rng, *, entries=120, jurors=20, per_entry=4, quality=1.0, leniency=0.6, noise=0.8, centre=50.0):
    """A jury with known truths: quality a_i, leniency b_j, noise; each entry scored by `per_entry` random jurors."""
    a = rng.normal(0.0, quality, entries)
    b = rng.normal(0.0, leniency, jurors)
    panel = np.array([rng.choice(jurors, per_entry, replace=False) for _ in range(entries)])
    y = centre + a[:, None] + b[panel] + rng.normal(0.0, noise, (entries, per_entry))
    sheets = [Sheet(f"j{j:02d}", f"e{i:03d}", {"c": float(y[i, k])})
              for i in range(entries) for k, j in enumerate(panel[i])]
    return a, b, panel, y, sheets


# --- estimates near the truth -----------------------------------------------------------------------------------

QUALITY, LENIENCY, NOISE, PER_ENTRY = 1.0, 0.6, 0.8, 4
TRUTH = {  # single rater: agreement form without calibration, consistency form with it
    "weighted-mean": {"single": 1 / (1 + 0.36 + 0.64), "panel": 1 / (1 + (0.36 + 0.64) / PER_ENTRY)},
    "calibrated": {"single": 1 / (1 + 0.64)},
}


@pytest.mark.parametrize("method", ["weighted-mean", "calibrated"])
def test_estimated_reliabilities_lie_near_the_simulated_truth(method):
    rng = np.random.default_rng(20261204)
    singles, panels, empirical, covered = [], [], [], 0
    runs = 12
    for run in range(runs):
        a, _b, _panel, _y, sheets = simulate(rng, quality=QUALITY, leniency=LENIENCY, noise=NOISE,
                                            per_entry=PER_ENTRY)
        result = rel.assess(sheets, CRIT, WIDE, method=method, seed=run, resamples=200)
        assert result.status == "ok" and result.method == method
        singles.append(result.single_rater)
        panels.append(result.panel)
        lo, hi = result.single_rater_interval
        covered += lo <= TRUTH[method]["single"] <= hi
        # The operational truth of the panel's reliability: the squared correlation of its scores with the quality.
        ranking = rank_entries(sheets, CRIT, WIDE, method=method, resamples=0, agreement=False)
        score = {r.entry: r.score for r in ranking.entries}
        empirical.append(np.corrcoef(a, [score[f"e{i:03d}"] for i in range(len(a))])[0, 1] ** 2)
    truth = TRUTH[method]["single"]
    assert abs(np.mean(singles) - truth) < 0.03, (np.mean(singles), truth)
    assert max(abs(s - truth) for s in singles) < 0.12
    assert abs(np.mean(panels) - np.mean(empirical)) < 0.03, (np.mean(panels), np.mean(empirical))
    if "panel" in TRUTH[method]:  # the mean: Spearman–Brown with 4 sheets per entry
        assert abs(np.mean(panels) - TRUTH[method]["panel"]) < 0.03
    assert covered >= 0.7 * runs  # a 90 % interval


def test_henderson_estimates_are_unbiased_on_an_unbalanced_design():
    """Entries with 2 to 5 sheets, jurors with very different loads: the mean estimate of each component is right."""
    rng = np.random.default_rng(7)
    estimates = []
    for _ in range(150):
        a = rng.normal(0, 1.0, 60)
        b = rng.normal(0, 0.5, 10)
        observations = []
        for i in range(60):
            for j in rng.choice(10, 2 + i % 4, replace=False, p=np.linspace(1, 3, 10) / 20):
                observations.append(Observation(f"j{j}", f"e{i}", 5 + a[i] + b[j] + rng.normal(0, 0.7)))
        c = vc.estimate(vc.design(observations))
        estimates.append((c.entry, c.juror, c.residual))
    entry, juror, residual = np.mean(estimates, axis=0)
    assert entry == pytest.approx(1.0, abs=0.06)
    assert juror == pytest.approx(0.25, abs=0.06)
    assert residual == pytest.approx(0.49, abs=0.02)


def test_calibration_stops_counting_leniency_as_error():
    rng = np.random.default_rng(3)
    *_, sheets = simulate(rng, leniency=1.5, noise=0.5)
    plain = rel.assess(sheets, CRIT, WIDE, method="weighted-mean", resamples=0)
    calibrated = rel.assess(sheets, CRIT, WIDE, method="calibrated", resamples=0)
    assert calibrated.components == plain.components  # the same sheets, the same variance components
    assert plain.single_rater < 0.4 < 0.7 < calibrated.single_rater
    assert plain.panel < calibrated.panel


def test_not_enough_data_says_so_instead_of_a_number():
    rng = np.random.default_rng(1)
    *_, few_entries = simulate(rng, entries=4, jurors=4, per_entry=3)
    result = rel.assess(few_entries, CRIT, WIDE, line=2, budget=3)
    assert (result.status, result.reason, result.single_rater, result.panel) == ("insufficient", "few_entries", None,
                                                                                  None)
    assert result.line_stable is False and len(result.recommendations) == 3  # the entries nearest the line
    assert set(result.recommendations) <= {r for r in {s.entry for s in few_entries}}
    *_, once_each = simulate(rng, entries=30, jurors=10, per_entry=1)
    result = rel.assess(once_each, CRIT, WIDE)
    assert (result.status, result.reason) == ("insufficient", "few_sheets")
    assert [s.kind for s in result.statements] == ["insufficient"]


def test_the_nearest_entries_come_first_without_an_estimate():
    sheets = [Sheet("j1", f"e{i}", {"c": 50.0 - i}) for i in range(4)]  # one sheet each: nothing to estimate
    result = rel.assess(sheets, CRIT, WIDE, line=2, budget=2)
    assert result.recommendations == ("e1", "e2")  # places 2 and 3, around the line after place 2


# --- statements ---------------------------------------------------------------------------------------------------

def test_a_clear_jury_has_a_secure_line_and_order():
    rng = np.random.default_rng(5)
    *_, sheets = simulate(rng, entries=20, quality=10.0, leniency=0.2, noise=0.3)
    result = rel.assess(sheets, CRIT, WIDE, line=3)
    kinds = {s.kind for s in result.statements}
    assert result.line_stable is True and result.line_probability >= 0.9
    assert {"line_stable", "order_secure"} <= kinds and "indistinguishable" not in kinds
    assert result.recommendations == ()
    assert result.panel > 0.95


def test_a_noisy_jury_cannot_tell_its_top_places_apart():
    rng = np.random.default_rng(5)
    *_, sheets = simulate(rng, entries=20, quality=0.5, leniency=0.5, noise=1.5, per_entry=3)
    result = rel.assess(sheets, CRIT, WIDE, line=3)
    kinds = [s.kind for s in result.statements]
    assert result.line_stable is False and "line_unstable" in kinds and "order_unsure" in kinds
    runs = [s.places for s in result.statements if s.kind == "indistinguishable"]
    assert runs and all(first < last <= 4 for first, last in runs)
    line = next(s for s in result.statements if s.kind == "line_unstable")
    assert line.places[1] <= 3 < line.places[2]  # the places in doubt reach across the line
    assert 0 < len(result.recommendations) <= rel.DEFAULT_BUDGET_MAX
    doubtful = {c.entry for c in result.candidates if c.wrong_side >= rel.DOUBT}
    assert set(result.recommendations) <= {c.entry for c in result.candidates}
    assert len(result.recommendations) == min(rel.DEFAULT_BUDGET_MAX, len(doubtful))


def test_a_category_with_fewer_entries_than_places_has_nothing_to_secure():
    rng = np.random.default_rng(2)
    *_, sheets = simulate(rng, entries=6, per_entry=4, jurors=6)
    result = rel.assess(sheets, CRIT, WIDE, line=6, budget=4)
    assert result.line_stable is True and result.recommendations == ()
    assert [s.kind for s in result.statements] == ["all_above_line"]


# --- properties ---------------------------------------------------------------------------------------------------

@st.composite
def juries(draw):
    seed = draw(st.integers(0, 10_000))
    rng = np.random.default_rng(seed)
    entries = draw(st.integers(6, 25))
    jurors = draw(st.integers(4, 9))
    *_, sheets = simulate(rng, entries=entries, jurors=jurors, per_entry=draw(st.integers(2, min(4, jurors))),
                          quality=draw(st.floats(0.1, 3.0)), leniency=draw(st.floats(0.0, 2.0)),
                          noise=draw(st.floats(0.2, 2.0)))
    return sheets, draw(st.integers(1, entries + 1)), draw(st.integers(0, 6))


@settings(max_examples=25, deadline=None)
@given(juries(), st.sampled_from(["weighted-mean", "median", "calibrated"]), st.randoms(use_true_random=False))
def test_results_do_not_depend_on_input_order_and_stay_in_range(jury, method, shuffler):
    sheets, line, budget = jury
    kwargs = dict(method=method, line=line, budget=budget, draws=300, resamples=30)
    first = rel.assess(sheets, CRIT, WIDE, **kwargs)
    shuffled = list(sheets)
    shuffler.shuffle(shuffled)
    assert rel.assess(shuffled, CRIT, WIDE, **kwargs) == first
    for value in (first.single_rater, first.panel):
        assert value is None or 0.0 <= value <= 1.0
    if first.status == "ok":
        assert first.panel >= first.single_rater - 1e-12  # a panel is at least as reliable as one of its jurors
        lo, hi = first.panel_interval
        assert 0.0 <= lo <= hi <= 1.0
    assert len(first.recommendations) <= budget
    assert len(set(first.recommendations)) == len(first.recommendations)
    assert set(first.recommendations) <= {s.entry for s in sheets}


@settings(max_examples=20, deadline=None)
@given(juries(), st.floats(-8.0, 8.0), st.floats(0.5, 3.0))
def test_leniency_shifts_and_a_change_of_scale_do_not_change_the_calibrated_reliability(jury, shift, factor):
    sheets, _line, _budget = jury
    base = rel.assess(sheets, CRIT, WIDE, method="calibrated", resamples=0)
    lenient = sorted({s.juror for s in sheets})[0]
    moved = [Sheet(s.juror, s.entry, {"c": s.scores["c"] + (shift if s.juror == lenient else 0.0)}) for s in sheets]
    rescaled = [Sheet(s.juror, s.entry, {"c": 50 + factor * (s.scores["c"] - 50)}) for s in sheets]
    wide = Scale(-200.0, 300.0)
    for other in (moved, rescaled):
        again = rel.assess(other, CRIT, wide, method="calibrated", resamples=0)
        assert again.status == base.status
        if base.status == "ok" and all(j.calibrated for j in rank_entries(
                sheets, CRIT, WIDE, method="calibrated", resamples=0, agreement=False).jurors):
            assert again.single_rater == pytest.approx(base.single_rater, abs=1e-9)


def test_the_json_round_trip_keeps_everything():
    rng = np.random.default_rng(9)
    *_, sheets = simulate(rng, entries=20, per_entry=3, noise=1.2)
    result = rel.assess(sheets, CRIT, WIDE, line=3, budget=4)
    data = rel.reliability_to_json(result)
    assert {"single_rater", "panel", "method", "line", "recommendations", "line_stable"} <= set(data)
    again = rel.reliability_from_json(data)
    assert rel.reliability_to_json(again) == data


# --- where extra reviews help ------------------------------------------------------------------------------------

def _success(chosen: list[int], sums, counts, extra, true_top: np.ndarray, line: int) -> float:
    """The share of the simulated extra sheets after which the computed best `line` are exactly the true best."""
    mask = np.zeros(sums.size, dtype=bool)
    mask[chosen] = True
    score = (sums[None, :] + extra * mask[None, :]) / (counts + mask)[None, :]
    top = np.argpartition(-score, line - 1, axis=1)[:, :line]
    hit = np.zeros(score.shape, dtype=bool)
    np.put_along_axis(hit, top, True, axis=1)
    return float(hit[:, true_top].all(axis=1).mean())


def test_extra_reviews_on_the_recommended_entries_recover_the_true_top_more_often():
    """700 simulated juries (30 entries, 2 sheets each, line after place 3, budget 5). For each, every entry's
    possible extra sheet is drawn 20 times (a random juror not yet on it, with that juror's leniency), the same for
    every strategy (paired); the strategies differ only in which 5 entries get their extra sheet."""
    rng = np.random.default_rng(42)
    entries, jurors, per_entry, line, budget, realisations = 30, 10, 2, 3, 5, 20
    ids = [f"e{i:03d}" for i in range(entries)]
    success = {"recommended": [], "random": [], "spread": []}
    for run in range(700):
        a, b, panel, y, sheets = simulate(rng, entries=entries, jurors=jurors, per_entry=per_entry, leniency=0.3,
                                          noise=0.5)
        result = rel.assess(sheets, CRIT, WIDE, method="weighted-mean", line=line, budget=budget, seed=run,
                            draws=600, resamples=0)
        assert len(result.recommendations) <= budget
        free = np.array([np.setdiff1d(np.arange(jurors), panel[i]) for i in range(entries)])
        extra_juror = free[np.arange(entries)[None, :], rng.integers(0, jurors - per_entry, (realisations, entries))]
        extra = 50 + a[None, :] + b[extra_juror] + rng.normal(0, 0.5, (realisations, entries))
        true_top = np.argsort(-a)[:line]
        sums, counts = y.sum(axis=1), np.full(entries, float(per_entry))
        spread = y.max(axis=1) - y.min(axis=1)
        choices = {"recommended": [ids.index(e) for e in result.recommendations],
                   "random": rng.choice(entries, budget, replace=False).tolist(),
                   "spread": np.argsort(-spread, kind="stable")[:budget].tolist()}
        for name, chosen in choices.items():
            success[name].append(_success(chosen, sums, counts, extra, true_top, line))
    recommended = np.array(success["recommended"])
    for other in ("random", "spread"):
        gain = recommended - np.array(success[other])
        standard_error = gain.std(ddof=1) / np.sqrt(gain.size)
        assert gain.mean() > 0.025, (other, gain.mean())
        assert gain.mean() > 3 * standard_error, (other, gain.mean(), standard_error)
