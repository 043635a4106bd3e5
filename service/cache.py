"""Per-worker memo of what every search response repeats: sources and citations.

A source's JSON and a passage's citation depend only on the source's
metadata, the style and the passage's locator, all fixed within one index
version.  Formatting them again for every hit was a fifth of a search
request's time.  Entries are keyed by the index version a searcher serves and
dropped as soon as a newer version is seen, so each gunicorn worker converges
on the new version's state on its own, with nothing shared between processes.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable
from typing import Any, TypeVar

T = TypeVar("T")

# Ten hits per page across a few thousand distinct queries; a full memo is
# cleared rather than evicted piecemeal, which keeps the hot path to one dict get.
DEFAULT_MAX_ENTRIES = 20_000


class VersionedMemo:
    """Values computed once per (index version, key); forgotten when the version changes."""

    def __init__(self, max_entries: int = DEFAULT_MAX_ENTRIES, on_lookup: Callable[[bool], None] | None = None):
        """``on_lookup(found)`` is told of every lookup (the /metrics cache counters)."""
        if max_entries < 1:
            raise ValueError("max_entries must be at least 1")
        self.max_entries = max_entries
        self._on_lookup = on_lookup
        # One tuple, replaced whole, so a reader never pairs one version with another's values.
        self._state: tuple[str | None, dict[Hashable, Any]] = (None, {})
        self._lock = threading.Lock()

    def get(self, version: str, key: Hashable, compute: Callable[[], T]) -> T:
        held_version, values = self._state
        if version == held_version:
            try:
                value = values[key]
            except KeyError:
                pass
            else:
                if self._on_lookup is not None:
                    self._on_lookup(True)
                return value
        if self._on_lookup is not None:
            self._on_lookup(False)
        value = compute()  # outside the lock: a slow style must not serialise other threads
        with self._lock:
            held_version, values = self._state
            if version != held_version or len(values) >= self.max_entries:
                values = {}
                self._state = (version, values)
            values[key] = value
        return value

    def forget(self, version: str, key: Hashable) -> None:
        """Drop one entry, if this version holds it."""
        with self._lock:
            held_version, values = self._state
            if version == held_version:
                values.pop(key, None)

    def __len__(self) -> int:
        return len(self._state[1])

    @property
    def version(self) -> str | None:
        return self._state[0]
