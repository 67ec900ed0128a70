"""Juror calibration: who is calibrated, offsets, and the shift-invariance property."""

from __future__ import annotations

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from competition.rankings.calibration import Observation, calibrate
from competition.rankings.ranking import Criterion, Scale, Sheet, rank_entries


def test_rules_for_who_is_calibrated():
    obs = [Observation("a", e, 5.0) for e in ("e1", "e2", "e3")]
    obs += [Observation("b", e, 6.0) for e in ("e1", "e2", "e4")]  # shares e1, e2 with a
    obs += [Observation("c", e, 7.0) for e in ("e3", "e5", "e6")]  # shares only e3 with a → no overlap
    obs += [Observation("d", "e1", 9.0)]  # one entry
    cal = {j.juror: j for j in calibrate(obs).jurors}
    assert cal["a"].calibrated and cal["b"].calibrated
    # a and b: all sheets of a are 5, of b are 6; on the shared entries b is 1 above a → offsets −0.5 / +0.5
    assert cal["a"].offset == pytest.approx(-0.5) and cal["b"].offset == pytest.approx(0.5)
    assert (cal["c"].calibrated, cal["c"].reason, cal["c"].offset) == (False, "no_overlap", 0.0)
    assert (cal["d"].calibrated, cal["d"].reason, cal["d"].entries) == (False, "too_few_entries", 1)


def test_separate_components_each_sum_to_zero():
    obs = [Observation(j, e, v) for j, e, v in [
        ("a", "e1", 5), ("a", "e2", 5), ("a", "e3", 5), ("b", "e1", 7), ("b", "e2", 7), ("b", "e3", 7),
        ("c", "f1", 2), ("c", "f2", 3), ("c", "f3", 4), ("d", "f1", 2), ("d", "f2", 3), ("d", "f3", 4)]]
    cal = calibrate(obs)
    assert cal.offsets() == pytest.approx({"a": -1.0, "b": 1.0, "c": 0.0, "d": 0.0})
    assert [j.component for j in cal.jurors] == [0, 0, 1, 1]


def test_empty_and_constant_input():
    assert calibrate([]).jurors == ()
    obs = [Observation(j, e, 5.0) for j in ("a", "b") for e in ("e1", "e2", "e3")]
    assert calibrate(obs).offsets() == pytest.approx({"a": 0.0, "b": 0.0})


WIDE = Scale(0, 100)
CRITERIA = (Criterion("c1", 2), Criterion("c2", 1))


@st.composite
def calibrated_design(draw):
    jurors = [f"j{i}" for i in range(draw(st.integers(2, 4)))]
    entries = [f"e{i}" for i in range(draw(st.integers(3, 6)))]
    pairs = [(j, e) for j in jurors for e in entries]
    dropped = draw(st.sets(st.sampled_from(pairs), max_size=len(pairs) // 3))
    mid = st.integers(30, 70)
    return [Sheet(j, e, {"c1": draw(mid), "c2": draw(mid)}) for j, e in pairs if (j, e) not in dropped]


@settings(max_examples=80, deadline=None)
@given(calibrated_design(), st.data())
def test_shifting_a_calibrated_jurors_scores_keeps_the_calibrated_ranking(sheets, data):
    base = rank_entries(sheets, CRITERIA, WIDE, method="calibrated", resamples=0, agreement=False)
    assume(all(j.calibrated for j in base.jurors) and {j.component for j in base.jurors} == {0})
    assume(len({round(x.score, 6) for x in base.entries}) == len(base.entries))  # the number itself decides
    juror = data.draw(st.sampled_from(sorted({x.juror for x in sheets})))
    c = data.draw(st.integers(-20, 20))
    shifted = [Sheet(x.juror, x.entry, {k: v + c for k, v in x.scores.items()}) if x.juror == juror else x
               for x in sheets]
    after = rank_entries(shifted, CRITERIA, WIDE, method="calibrated", resamples=0, agreement=False)
    assert [x.entry for x in after.entries] == [x.entry for x in base.entries]
    # the juror's own offset moved by c·(1 − 1/m), everyone's score by c/m
    before_off = {j.juror: j.offset for j in base.jurors}
    after_off = {j.juror: j.offset for j in after.jurors}
    m = len(before_off)
    assert after_off[juror] - before_off[juror] == pytest.approx(c * (1 - 1 / m), abs=1e-6)
