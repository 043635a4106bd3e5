"""Per-worker cache of search results, keyed by index version and normalised request.

A reader pages back and forth, the page and the API ask the same questions,
and a popular query arrives many times a minute; each answer is fixed within
one index version.  Entries live in ``VersionedMemo``, so a new version
empties the cache in each worker on its own, with nothing shared between
processes.  Partial answers (a search that ran out of time) are never kept:
the next asker may get the whole one.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

from pinpoint.index.records import SearchRequest, SearchResult
from pinpoint.service.cache import VersionedMemo


def normalised(request: SearchRequest) -> SearchRequest:
    """The request with what cannot change the answer taken out: spacing in ``q``
    and the time limit (an answer within the limit is the same under any limit)."""
    return dataclasses.replace(request, q=" ".join(request.q.split()), time_limit=None)


class ResultCache:
    def __init__(self, max_entries: int, on_lookup: Callable[[bool], None] | None = None):
        """``max_entries`` 0 turns the cache off."""
        self._memo = VersionedMemo(max_entries, on_lookup) if max_entries > 0 else None

    def search(self, searcher, request: SearchRequest) -> SearchResult:
        if self._memo is None or request.query is not None:
            return searcher.search(request)
        key = normalised(request)
        result = self._memo.get(searcher.version, key, lambda: searcher.search(request))
        if result.partial:
            self._memo.forget(searcher.version, key)
        return result
