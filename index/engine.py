"""The search engine interface the rest of Pinpoint talks to.

Whoosh implements it today (``index.whoosh_engine``); another engine (tantivy,
OpenSearch) can serve the same API by implementing these two protocols.  The
service only ever sees records from ``index.records``.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol

from index.records import Passage, SearchRequest, SearchResult, Source


class IndexError_(Exception):
    """Base for index problems the edges turn into CLI or HTTP errors."""


class IndexNotFound(IndexError_):
    """No built index version exists at the given location."""


class UnknownSource(IndexError_):
    def __init__(self, source_id: str):
        super().__init__(f"no source with id {source_id!r}")
        self.source_id = source_id


class UnknownPassage(IndexError_):
    def __init__(self, source_id: str, number: int):
        super().__init__(f"source {source_id!r} has no passage {number}")
        self.source_id = source_id
        self.number = number


class BadQuery(IndexError_):
    """The query text cannot be parsed or is outside the configured limits."""


class IndexBusy(IndexError_):
    """Another build holds the index lock."""


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
