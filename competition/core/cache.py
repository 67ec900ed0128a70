"""A small per-process cache for what is derived from immutable rows (a frozen snapshot's page, its public PDF).

The key must name everything the value depends on (for a snapshot: its id and hash, the language, the options), so
an entry never goes stale; the cache only bounds memory. It is shared by the threads of one worker process
(gunicorn's threads, the embedded job worker), so every read and write of the LRU holds one lock. The value is built
outside the lock: two threads that miss at once both build it, and the second one's result replaces the first.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable
from typing import Any, TypeVar

from cachetools import LRUCache

T = TypeVar("T")


class DerivedCache:
    """A thread-safe least-recently-used cache: ``get_or_build(key, build, keep=...)``."""

    def __init__(self, maxsize: int) -> None:
        self._lru: LRUCache[Hashable, Any] = LRUCache(maxsize=maxsize)
        self._lock = threading.Lock()

    def get_or_build(self, key: Hashable, build: Callable[[], T], *,
                     keep: Callable[[T], bool] = lambda value: True) -> T:
        """The cached value for `key`, or `build()`; a built value is kept only when `keep(value)` says so."""
        with self._lock:
            try:
                return self._lru[key]
            except KeyError:
                pass
        value = build()
        if keep(value):
            with self._lock:
                self._lru[key] = value
        return value

    def __len__(self) -> int:
        with self._lock:
            return len(self._lru)

    def clear(self) -> None:
        with self._lock:
            self._lru.clear()
