"""The per-process cache of pages and PDFs made from frozen snapshots is shared by a worker's threads."""

from __future__ import annotations

import sys
import threading
from dataclasses import dataclass

import pytest

from competition.rankings import views

THREADS = 8
CALLS = 30000
KEYS = 40  # more keys than the cache holds (16), so every thread keeps evicting what the others read


@dataclass(frozen=True)
class PageKey:
    """A typed key: its hash and equality run as Python code, so a thread switch can fall between the old cache's
    `key in cache` and its `move_to_end(key)` (with plain tuples that window is just narrower)."""

    snapshot_id: int
    sha256: str
    locale: str


@pytest.fixture
def fast_switching():
    """Switch threads as often as the interpreter allows, so an unlocked check-then-act is interrupted."""
    before = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    views._CACHE.clear()
    yield
    sys.setswitchinterval(before)
    views._CACHE.clear()


def test_threads_hammering_the_cache_get_their_own_values_and_no_error(fast_switching):
    errors: list[BaseException] = []
    wrong: list[tuple] = []
    start = threading.Barrier(THREADS)

    def work(seed: int) -> None:
        start.wait()
        try:
            for i in range(CALLS):
                key = PageKey((seed * 7 + i) % KEYS, "sha", "de")
                value = views._cached(key, lambda key=key: ("built", key))
                if value != ("built", key):
                    wrong.append((key, value))
        except BaseException as exc:  # the old OrderedDict raised KeyError in move_to_end here
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert wrong == []
    assert len(views._CACHE) <= 16


def test_a_value_that_must_not_be_kept_is_built_again():
    views._CACHE.clear()
    builds = []

    def build():
        builds.append(1)
        return ("facts", "tables", False)  # a failed hash check

    for _ in range(3):
        assert views._cached(("page", 1, "sha", "de", False), build, keep=lambda value: value[2]) == build()
    assert len(builds) == 6  # three calls, each built again, plus the three comparisons
    kept = views._cached(("page", 2, "sha", "de", False), lambda: ("f", "t", True), keep=lambda value: value[2])
    assert views._cached(("page", 2, "sha", "de", False), lambda: ("other", "t", True)) == kept
    views._CACHE.clear()
