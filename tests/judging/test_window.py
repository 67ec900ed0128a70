"""The scoring window (pure): the round's deadline, an extension, the phase. No fixtures."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from competition.editions.phases import Phase
from competition.judging.window import Closed, ScoringWindow, latest, why_closed

DEADLINE = datetime(2026, 11, 20, 18, 0, tzinfo=UTC)
SECOND = timedelta(seconds=1)


@pytest.mark.parametrize("phase, now, extended, expected", [
    (Phase.JURY, DEADLINE - SECOND, None, None),
    (Phase.JURY, DEADLINE, None, Closed.DEADLINE_PASSED),  # the deadline itself is closed
    (Phase.JURY, DEADLINE + SECOND, DEADLINE + timedelta(days=1), None),
    (Phase.JURY, DEADLINE + timedelta(days=1), DEADLINE + timedelta(days=1), Closed.DEADLINE_PASSED),
    (Phase.JURY, DEADLINE + SECOND, DEADLINE - timedelta(days=1), Closed.DEADLINE_PASSED),  # earlier: no effect
    (Phase.DELIBERATION, DEADLINE - SECOND, None, Closed.JURY_OVER),
    (Phase.DELIBERATION, DEADLINE + SECOND, DEADLINE + timedelta(days=1), None),
    (Phase.PUBLISHED, DEADLINE - SECOND, DEADLINE + timedelta(days=1), Closed.PUBLISHED),
    (Phase.REVIEW, DEADLINE - timedelta(days=9), None, Closed.NOT_YET),
    (Phase.SUBMISSION, DEADLINE - timedelta(days=30), DEADLINE + timedelta(days=1), Closed.NOT_YET),
])
def test_why_closed(phase, now, extended, expected):
    assert why_closed(ScoringWindow(DEADLINE, extended), phase=phase, now=now) is expected


def test_the_latest_extension_counts():
    assert latest([None, None]) is None
    assert latest([DEADLINE, None, DEADLINE + SECOND]) == DEADLINE + SECOND


@given(now=st.integers(-10_000, 10_000), extension=st.integers(-10_000, 10_000),
       phase=st.sampled_from(list(Phase)))
def test_an_extension_never_closes_a_window_that_was_open(now, extension, phase):
    at = DEADLINE + timedelta(minutes=now)
    before = why_closed(ScoringWindow(DEADLINE), phase=phase, now=at)
    after = why_closed(ScoringWindow(DEADLINE, DEADLINE + timedelta(minutes=extension)), phase=phase, now=at)
    if before is None:
        assert after is None
