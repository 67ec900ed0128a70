"""The juror's work list, pure: open work first, sorting by any column, the next open entry, the distribution of
the juror's totals on the scale."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from competition.editions.scales import Scale
from competition.judging.worklist import Row, State, distribution, next_open, sort_rows, work_order

SCALE = Scale(Decimal(0), Decimal(10), Decimal("0.5"))
totals = st.lists(st.decimals(min_value=0, max_value=10, places=2), max_size=40)


@st.composite
def rows(draw, max_size=12):
    count = draw(st.integers(0, max_size))
    result = []
    for n in range(count):
        state = draw(st.sampled_from(list(State)))
        total = draw(st.none() | st.decimals(min_value=0, max_value=10, places=2))
        result.append(Row(assignment_id=n + 1, round_id=draw(st.sampled_from([1, 2])), number=f"IND-{n:04d}",
                          title=draw(st.sampled_from(["Alpha", "beta", "Gamma"])), category="Mobilität",
                          state=state, values={7: total}, total=total))
    return result


@given(totals)
def test_every_total_falls_in_exactly_one_bin_that_holds_it(values):
    result = distribution(values, SCALE)
    assert sum(b.count for b in result.bins) == len(values) == result.count
    assert result.bins[0].low == SCALE.minimum and result.bins[-1].high == SCALE.maximum
    for value in values:
        assert any(b.low <= value <= b.high for b in result.bins)


def test_distribution_example_and_a_small_scale_gets_fewer_bins():
    result = distribution([Decimal("3.4"), Decimal("6.8"), Decimal("7.8"), Decimal(10)], SCALE)
    assert [b.count for b in result.bins] == [0, 0, 0, 1, 0, 0, 1, 1, 0, 1]
    assert result.mean == Decimal("7.00") and result.midpoint == 5
    five = distribution([Decimal(1), Decimal(5)], Scale(Decimal(1), Decimal(5), Decimal(1)))
    assert [b.count for b in five.bins] == [1, 0, 0, 1]
    assert distribution([], SCALE).mean is None


@given(rows(), st.sampled_from(["number", "title", "state", "total", "c7", "c99", "bogus", None]), st.booleans())
def test_sorting_keeps_every_row_and_puts_rows_without_a_value_last(items, key, descending):
    result = sort_rows(items, key, descending)
    assert sorted(r.assignment_id for r in result) == sorted(r.assignment_id for r in items)
    if key in ("total", "c7"):
        seen_none = False
        for row in result:
            if row.total is None:
                seen_none = True
            else:
                assert not seen_none
        values = [r.total for r in result if r.total is not None]
        assert values == sorted(values, reverse=descending)


@given(rows())
def test_open_work_comes_first(items):
    states = [r.state for r in work_order(items)]
    assert states == sorted(states)


@given(rows(), st.integers(1, 12), st.sets(st.sampled_from([1, 2])))
def test_the_next_open_entry_is_open_not_the_current_one_and_scorable(items, current, may_score):
    ordered = work_order(items)
    found = next_open(ordered, current, may_score=may_score)
    candidates = [r for r in ordered if r.is_open and r.assignment_id != current and r.round_id in may_score]
    if not candidates:
        assert found is None
        return
    assert found in candidates
    here = next((r for r in ordered if r.assignment_id == current), None)
    if here is not None and any(r.round_id == here.round_id for r in candidates):
        assert found.round_id == here.round_id  # the same round first
