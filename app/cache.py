"""A small in-process LRU cache for results keyed by a version read from the database.

Keys must contain everything the value depends on, including a version that every writer
bumps in the same transaction as its change; then each process may keep its own copy and all
processes still agree, because a stale entry is simply never asked for again.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Hashable
from threading import Lock
from typing import Any, Generic, TypeVar

V = TypeVar("V")


_caches: list[VersionedCache[Any]] = []


def clear_all() -> None:
    """Empty every cache of the process (a test starting on a new database needs this)."""
    for cache in _caches:
        cache.clear()


class VersionedCache(Generic[V]):
    def __init__(self, max_entries: int) -> None:
        _caches.append(self)
        self.max_entries = max_entries
        self._entries: OrderedDict[Hashable, V] = OrderedDict()
        self._lock = Lock()
        self.hits = 0
        self.misses = 0

    def get(self, key: Hashable) -> V | None:
        with self._lock:
            value = self._entries.get(key)
            if value is None:
                self.misses += 1
                return None
            self._entries.move_to_end(key)
            self.hits += 1
            return value

    def put(self, key: Hashable, value: V) -> None:
        with self._lock:
            self._entries[key] = value
            self._entries.move_to_end(key)
            while len(self._entries) > self.max_entries:
                self._entries.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
