"""Properties of the score-sheet arithmetic (pure, no fixtures): weighted totals, typed values, outliers."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from competition.editions.scales import Scale
from competition.judging.scoring import CriterionWeight, ValueProblem, outliers, parse_value, spread, weighted_total

FAST = settings(max_examples=150, deadline=None)

STEPS = [Decimal("0.1"), Decimal("0.25"), Decimal("0.5"), Decimal(1), Decimal(2)]


@st.composite
def scales(draw) -> Scale:
    step = draw(st.sampled_from(STEPS))
    minimum = draw(st.integers(min_value=-2, max_value=5)) * step
    count = draw(st.integers(min_value=1, max_value=40))
    return Scale(minimum, minimum + count * step, step)


def on_scale(scale: Scale):
    return st.sampled_from(scale.values())


@st.composite
def sheets(draw, *, min_criteria: int = 1, allow_unscored: bool = True, allow_zero_weight: bool = True):
    """(scale, criteria, values): criterion ids 1..n, weights 0..40 (or 1..40), values on the scale or None."""
    scale = draw(scales())
    n = draw(st.integers(min_value=min_criteria, max_value=7))
    low_weight = 0 if allow_zero_weight else 1
    criteria = [CriterionWeight(i, Decimal(draw(st.integers(min_value=low_weight, max_value=40)))) for i in
                range(1, n + 1)]
    value = on_scale(scale)
    values = {c.id: draw(st.one_of(st.none(), value) if allow_unscored else value) for c in criteria}
    return scale, criteria, values


def counted(criteria: list[CriterionWeight], values: dict) -> list[Decimal]:
    return [values[c.id] for c in criteria if values.get(c.id) is not None and c.weight > 0]


# --- weighted_total ----------------------------------------------------------------------------------------------

@FAST
@given(sheets(), st.data())
def test_raising_one_score_never_lowers_the_total(sheet, data):
    """Also on a partly scored sheet with zero weights: the provisional total never drops when a score rises."""
    scale, criteria, values = sheet
    scored = [c for c in criteria if values[c.id] is not None]
    assume(scored)
    criterion = data.draw(st.sampled_from(scored))
    higher = data.draw(st.sampled_from([v for v in scale.values() if v >= values[criterion.id]]))
    before = weighted_total(values, criteria)
    after = weighted_total({**values, criterion.id: higher}, criteria)
    if before is None:  # only zero weights are scored
        assert after is None
    else:
        assert after >= before


@FAST
@given(sheets(min_criteria=2, allow_unscored=False, allow_zero_weight=False), st.data())
def test_raising_any_score_on_a_complete_sheet_never_lowers_the_total(sheet, data):
    scale, criteria, values = sheet
    criterion = data.draw(st.sampled_from(criteria))
    higher = data.draw(st.sampled_from([v for v in scale.values() if v >= values[criterion.id]]))
    assert weighted_total({**values, criterion.id: higher}, criteria) >= weighted_total(values, criteria)


@FAST
@given(sheets(), st.data())
def test_a_criterion_with_weight_zero_is_ignored(sheet, data):
    scale, criteria, values = sheet
    ignored = CriterionWeight(99, Decimal(0))
    value = data.draw(st.one_of(st.none(), on_scale(scale)))
    assert weighted_total({**values, 99: value}, [*criteria, ignored]) == weighted_total(values, criteria)
    # and whatever it holds changes nothing
    other = data.draw(on_scale(scale))
    assert weighted_total({**values, 99: other}, [*criteria, ignored]) == weighted_total(values, criteria)


@FAST
@given(sheets())
def test_the_total_lies_between_the_lowest_and_highest_counted_score_and_on_the_scale(sheet):
    scale, criteria, values = sheet
    total = weighted_total(values, criteria)
    scored = counted(criteria, values)
    assume(scored)
    assert total is not None
    assert min(scored) <= total <= max(scored)
    assert scale.minimum <= total <= scale.maximum
    assert total == total.quantize(Decimal("0.01"))  # two decimals


@FAST
@given(sheets(), st.randoms(use_true_random=False))
def test_the_total_does_not_depend_on_the_order_of_the_criteria(sheet, rnd):
    _scale, criteria, values = sheet
    shuffled = list(criteria)
    rnd.shuffle(shuffled)
    assert weighted_total(values, shuffled) == weighted_total(values, criteria)
    assert weighted_total(dict(reversed(list(values.items()))), criteria) == weighted_total(values, criteria)


@FAST
@given(sheets())
def test_nothing_scored_gives_no_total(sheet):
    _scale, criteria, values = sheet
    assert weighted_total({}, criteria) is None
    assert weighted_total(dict.fromkeys(values), criteria) is None
    assert weighted_total(values, [CriterionWeight(c.id, Decimal(0)) for c in criteria]) is None
    assert weighted_total(values, []) is None


@FAST
@given(sheets(allow_unscored=False, allow_zero_weight=False))
def test_equal_weights_give_the_plain_mean_and_scaling_the_weights_changes_nothing(sheet):
    _scale, criteria, values = sheet
    total = weighted_total(values, criteria)
    tripled = [CriterionWeight(c.id, c.weight * 3) for c in criteria]
    assert weighted_total(values, tripled) == total
    equal = [CriterionWeight(c.id, Decimal(1)) for c in criteria]
    mean = sum(values.values()) / len(values)
    assert abs(weighted_total(values, equal) - mean) <= Decimal("0.005")


def test_weighted_total_example():
    criteria = [CriterionWeight(1, Decimal(30)), CriterionWeight(2, Decimal(70))]
    assert weighted_total({1: Decimal(10), 2: Decimal(5)}, criteria) == Decimal("6.50")
    assert weighted_total({1: Decimal(10), 2: None}, criteria) == Decimal("10.00")  # provisional


# --- parse_value -------------------------------------------------------------------------------------------------

def typed(value: Decimal, comma: bool) -> str:
    text = format(value, "f")
    return text.replace(".", ",") if comma else text


@FAST
@given(scales(), st.data(), st.booleans())
def test_every_value_on_the_scale_is_accepted_with_comma_or_dot(scale, data, comma):
    value = data.draw(on_scale(scale))
    padding = data.draw(st.sampled_from(["", " ", "  "]))
    parsed, problem = parse_value(f"{padding}{typed(value, comma)}{padding}", scale)
    assert problem is None and parsed == value


@FAST
@given(scales(), st.integers(min_value=-2000, max_value=2000), st.sampled_from([1, 2]), st.booleans())
def test_a_number_is_accepted_exactly_when_it_is_on_the_scale_else_the_problem_is_named(scale, units, places,
                                                                                        comma):
    value = Decimal(units).scaleb(-places)  # any number with one or two decimals in [-20, 20]
    parsed, problem = parse_value(typed(value, comma), scale)
    if value < scale.minimum or value > scale.maximum:
        assert (parsed, problem) == (None, ValueProblem.OUT_OF_SCALE)
    elif value in scale.values():
        assert (parsed, problem) == (value, None)
    else:
        assert (parsed, problem) == (None, ValueProblem.OFF_STEP)


@FAST
@given(scales(), st.sampled_from(["abc", "7 Punkte", "sieben", "1,2,3", "1.2.3", "--1", "nan", "NaN", "inf",
                                  "-Infinity", "sNaN", "½", "0x10", "1/2"]))
def test_text_that_is_not_a_number_is_refused_as_such(scale, raw):
    assert parse_value(raw, scale) == (None, ValueProblem.NOT_A_NUMBER)


@pytest.mark.parametrize("raw", [None, "", "   "])
def test_empty_means_not_scored_yet(raw):
    assert parse_value(raw, Scale(Decimal(0), Decimal(10), Decimal(1))) == (None, None)


def test_parse_value_examples():
    scale = Scale(Decimal(0), Decimal(10), Decimal("0.5"))
    assert parse_value("7,5", scale) == (Decimal("7.5"), None)
    assert parse_value("7.25", scale) == (None, ValueProblem.OFF_STEP)
    assert parse_value("10,5", scale) == (None, ValueProblem.OUT_OF_SCALE)
    assert parse_value("-0,5", scale) == (None, ValueProblem.OUT_OF_SCALE)


# --- outliers and spread -----------------------------------------------------------------------------------------

totals = st.decimals(min_value=0, max_value=10, places=2, allow_nan=False, allow_infinity=False)


@FAST
@given(totals, st.integers(min_value=0, max_value=12), st.decimals(min_value=0, max_value=5, places=2))
def test_equal_totals_flag_nothing(total, count, threshold):
    assert outliers(dict.fromkeys(range(count), total), threshold=threshold) == set()
    assert spread([total] * count) in (None, Decimal(0))


@FAST
@given(st.dictionaries(st.integers(min_value=1, max_value=50), totals, max_size=10),
       st.decimals(min_value=0, max_value=5, places=2), st.randoms(use_true_random=False))
def test_outliers_are_some_of_the_sheets_and_do_not_depend_on_their_order(by_sheet, threshold, rnd):
    flagged = outliers(by_sheet, threshold=threshold)
    assert flagged <= set(by_sheet)
    items = list(by_sheet.items())
    rnd.shuffle(items)
    assert outliers(dict(items), threshold=threshold) == flagged
    if len(by_sheet) < 3:
        assert flagged == set()  # a median of the others needs at least two others
    if flagged:
        assert spread(list(by_sheet.values())) > threshold


def test_outlier_example():
    by_sheet = {1: Decimal("7.0"), 2: Decimal("7.5"), 3: Decimal("6.5"), 4: Decimal("2.0")}
    assert outliers(by_sheet, threshold=Decimal(2)) == {4}
    assert spread(list(by_sheet.values())) == Decimal("5.5")
    assert spread([Decimal(3)]) is None
