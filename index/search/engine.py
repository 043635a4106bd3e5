"""The search engine interface the rest of Pinpoint talks to.

Whoosh implements it today (``pinpoint.index.search.whoosh``); another engine (tantivy,
OpenSearch) can serve the same API by implementing these two protocols.  The
service only ever sees records from ``pinpoint.index.records``.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol

from pinpoint.index.records import Passage, SearchRequest, SearchResult, Source


class Searcher(Protocol):
    """A read-only snapshot of one index version."""

    version: str

    def search(self, request: SearchRequest) -> SearchResult: ...

    def sources(self) -> list[Source]: ...

    def source(self, source_id: str) -> Source: ...

    def passage(self, source_id: str, number: int) -> Passage: ...

    def passages(self, source_id: str) -> list[Passage]: ...

    @property
    def passage_count(self) -> int: ...

    def close(self) -> None: ...


class EngineWriter(Protocol):
    """Writes one new index version; nothing is visible until ``commit``."""

    def add_source(self, source: Source, passages: Iterable[Passage]) -> None: ...

    def remove_source(self, source_id: str) -> None: ...

    def commit(self) -> None: ...

    def cancel(self) -> None: ...
