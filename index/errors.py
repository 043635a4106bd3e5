"""Every index error has one root, so the CLI and the HTTP edge can catch them all."""

from __future__ import annotations


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
