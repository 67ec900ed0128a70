from datetime import UTC, datetime, timedelta
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from competition.editions.phases import Phase, PhaseDates, current_phase, date_order_problems, flags_for
from competition.editions.scales import Scale, ScaleProblem, weight_percentages

T0 = datetime(2026, 1, 1, tzinfo=UTC)
DATES = PhaseDates(T0, T0 + timedelta(days=30), T0 + timedelta(days=40), T0 + timedelta(days=60),
                   T0 + timedelta(days=70))


def test_phases_follow_the_calendar_and_deadline_belongs_to_the_later_phase():
    assert current_phase(DATES, T0 - timedelta(seconds=1)) is Phase.PREPARATION
    assert current_phase(DATES, T0) is Phase.SUBMISSION
    assert current_phase(DATES, DATES.submission_deadline_at - timedelta(seconds=1)) is Phase.SUBMISSION
    assert current_phase(DATES, DATES.submission_deadline_at) is Phase.REVIEW
    assert current_phase(DATES, DATES.jury_starts_at) is Phase.JURY
    assert current_phase(DATES, DATES.jury_ends_at) is Phase.DELIBERATION
    assert current_phase(DATES, DATES.publication_at) is Phase.PUBLISHED


def test_override_wins():
    assert current_phase(DATES, T0, Phase.JURY) is Phase.JURY
    assert flags_for(Phase.JURY).scoring_open and not flags_for(Phase.JURY).submissions_open


@given(st.lists(st.integers(min_value=0, max_value=10**6), min_size=5, max_size=5, unique=True),
       st.integers(min_value=-10, max_value=10**6 + 10))
def test_phase_never_goes_back_in_time(offsets, probe):
    offsets.sort()
    dates = PhaseDates(*(T0 + timedelta(minutes=o) for o in offsets))
    assert date_order_problems(dates) == []
    order = list(Phase)
    earlier = current_phase(dates, T0 + timedelta(minutes=probe))
    later = current_phase(dates, T0 + timedelta(minutes=probe + 1))
    assert order.index(later) >= order.index(earlier)


def test_date_order_problems_name_the_field():
    bad = PhaseDates(T0, T0 - timedelta(days=1), T0 + timedelta(days=40), T0 + timedelta(days=60),
                     T0 + timedelta(days=70))
    assert date_order_problems(bad) == [("submission_deadline_at", "registration_opens_at")]


def test_scale_checks():
    assert Scale(Decimal(0), Decimal(10), Decimal("0.5")).problems() == []
    assert Scale(Decimal(0), Decimal(10), Decimal(3)).problems() == [ScaleProblem.STEP_DOES_NOT_DIVIDE]
    assert Scale(Decimal(10), Decimal(0), Decimal(1)).problems() == [ScaleProblem.MIN_NOT_BELOW_MAX]
    assert Scale(Decimal(0), Decimal(100), Decimal("0.1")).problems() == [ScaleProblem.TOO_MANY_STEPS]
    scale = Scale(Decimal(0), Decimal(10), Decimal("0.5"))
    assert scale.allows(Decimal("7.5")) and not scale.allows(Decimal("7.3")) and not scale.allows(Decimal(11))
    assert len(scale.values()) == 21


def test_weight_percentages_example():
    assert weight_percentages([Decimal(30), Decimal(25), Decimal(15), Decimal(15), Decimal(15)]) == [
        Decimal("30.0"), Decimal("25.0"), Decimal("15.0"), Decimal("15.0"), Decimal("15.0")]
    assert weight_percentages([Decimal(1), Decimal(1), Decimal(1)]) == [
        Decimal("33.4"), Decimal("33.3"), Decimal("33.3")]


@given(st.lists(st.decimals(min_value=Decimal("0.01"), max_value=Decimal(1000), places=2), min_size=1,
                max_size=12))
def test_weight_percentages_always_sum_to_100_and_keep_order(weights):
    shares = weight_percentages(weights)
    assert sum(shares) == Decimal(100)
    assert all(share >= 0 for share in shares)
    for a, b in zip(weights, shares, strict=True):
        exact = a * 100 / sum(weights)
        assert abs(b - exact) < Decimal("0.1")
