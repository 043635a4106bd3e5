"""Following the served version: one reload rule for every engine.

A worker keeps one searcher open and, at most every ``reload_seconds``, asks
where the served version is now (the CURRENT file on disk, an alias on a
cluster).  On a new version it opens that and retires the old searcher.  A
retired searcher is closed one switch later, not at once, because another
thread may still be answering a request with it.  Every worker reads the same
pointer, so the workers converge on the same version.  When the pointer
cannot be read (a cluster hiccup), the open searcher keeps serving.
"""

from __future__ import annotations

import threading
import time
from typing import Generic, TypeVar

from pinpoint.index.search.engine import Searcher

S = TypeVar("S", bound=Searcher)


class VersionFollower(Generic[S]):
    """Hands out a searcher over whatever version the pointer names right now.

    Subclasses say how to read the pointer (``current_version``) and how to open
    a version (``open_version``).
    """

    def __init__(self, reload_seconds: float = 1.0):
        self.reload_seconds = reload_seconds
        self._lock = threading.Lock()
        self._searcher: S | None = None
        self._retired: S | None = None
        self._checked_at = float("-inf")

    def current_version(self) -> str | None:
        raise NotImplementedError

    def open_version(self, version: str | None) -> S:
        raise NotImplementedError

    @property
    def version(self) -> str | None:
        return self._searcher.version if self._searcher else self.current_version()

    def searcher(self) -> S:
        now = time.monotonic()
        current = self._searcher
        if current is not None and now - self._checked_at < self.reload_seconds:
            return current
        with self._lock:
            if self._searcher is not None and now - self._checked_at < self.reload_seconds:
                return self._searcher
            try:
                version = self.current_version()
            except Exception:
                if self._searcher is not None:
                    return self._searcher
                raise
            self._checked_at = now
            if self._searcher is not None and version in (None, self._searcher.version):
                return self._searcher
            fresh = self.open_version(version)
            if self._retired is not None:
                self._retired.close()
            self._retired, self._searcher = self._searcher, fresh
            return fresh

    def close(self) -> None:
        with self._lock:
            for searcher in (self._searcher, self._retired):
                if searcher is not None:
                    searcher.close()
            self._searcher = self._retired = None
