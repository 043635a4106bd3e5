"""The search engine seam: what Pinpoint asks of an engine, and engines by name.

Everything outside ``index/search/<engine>/`` talks to an engine through the
three protocols below and sees only the records of ``pinpoint.index.records``:

- ``Engine`` writes index versions and opens them.  The store
  (``index.store``) owns the versions folder, the CURRENT pointer, the build
  lock and the manifest; an engine owns what is inside one version's
  directory (or, for a server engine, what that directory names).
- ``EngineWriter`` writes one version; nothing is served before the store
  publishes it.
- ``Searcher`` answers searches over one version; it is shared by the
  threads of a worker, so it must be safe to use from several at once.

A query reaches an engine as ``SearchRequest``; the engine reads it with
``index.search.syntax.parse_request`` (Pinpoint's grammar, already checked)
and compiles the tree for itself.  Marking matches is engine-neutral
(``index.search.highlight``) given the engine's ``tokens(text)``.

Adding an engine: a package ``index/search/<name>/`` whose ``__init__`` holds a
class implementing ``Engine``, one line in ``ENGINES`` below, and
``tests/test_engine_contract.py`` passing unchanged with ``PINPOINT_TEST_ENGINES``
naming it.  Only that package may import the engine's client library.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Protocol, TypeVar

from pinpoint.index.errors import IndexError_, UnknownSource
from pinpoint.index.records import Passage, SearchRequest, SearchResult, Source

DEFAULT_ENGINE = "whoosh"
# Engine name -> "module:Class", imported only when asked for, so an
# installation without an engine's client library never imports it.
ENGINES: dict[str, str] = {
    "whoosh": "pinpoint.index.search.whoosh:WhooshEngine",
    "opensearch": "pinpoint.index.search.opensearch:OpenSearchEngine",
}

Item = TypeVar("Item")


class UnknownEngine(IndexError_):
    def __init__(self, name: str):
        super().__init__(f"no search engine called {name!r}: use one of {', '.join(sorted(ENGINES))}")
        self.name = name


class SourceCatalog:
    """``sources()`` and ``source()`` over the catalog a searcher reads when it opens.

    Every engine keeps its version's sources in memory as ``_sources`` (id ->
    Source): a library's catalog is small beside its passages, and citations
    need a source for every hit.
    """

    _sources: dict[str, Source]

    def sources(self) -> list[Source]:
        return [self._sources[k] for k in sorted(self._sources)]

    def source(self, source_id: str) -> Source:
        try:
            return self._sources[source_id]
        except KeyError:
            raise UnknownSource(source_id) from None


class Searcher(Protocol):
    """A read-only snapshot of one index version."""

    version: str

    def search(self, request: SearchRequest) -> SearchResult:
        """Hits for ``request``, best first, with ``total`` counting every match.

        Raises BadQuery for a query the grammar or the paging limits refuse, or
        that leaves nothing to search once analysed.  When ``match`` is "all"
        and no passage has every word, answers the any-word query instead with
        ``matched_all_terms`` False.  ``group_by_source``: the best passage of
        each source, ``total`` counting sources.  ``facets``: match counts by
        source id, author ("Family, Given") and year ("n.d." when none).
        ``highlight``: excerpts and match offsets into ``Passage.text``.
        ``corrected_query``: the typed query with unknown words replaced by
        the closest indexed ones, or None.
        """

    def sources(self) -> list[Source]:
        """Every source of this version, by id."""

    def source(self, source_id: str) -> Source:
        """One source; UnknownSource if this version has none by that id."""

    def passage(self, source_id: str, number: int) -> Passage:
        """Passage ``number`` (1-based) of a source; UnknownSource or UnknownPassage."""

    def passages(self, source_id: str) -> list[Passage]:
        """Every passage of a source, in order; UnknownSource."""

    @property
    def passage_count(self) -> int:
        """Passages in this version."""

    def close(self) -> None:
        """Release the version; called once no request uses this searcher any more."""


class EngineWriter(Protocol):
    """Writes one new index version; nothing is served before the store publishes it."""

    def add_source(self, source: Source, passages: Iterable[Passage]) -> None:
        """Add (or replace) a source and its passages."""

    def index(self, items: Iterable[Item], prepare: Callable[[Item], tuple[Source, list[Passage]]],
              on_empty: Callable[[Source], None]) -> int:
        """``prepare`` each item into a source and its passages and add it; the
        engine may spread this over processes (``prepare`` is then run in them).
        Sources without passages go to ``on_empty`` instead.  Returns the
        number of sources added."""

    def remove_source(self, source_id: str) -> None:
        """Remove a source and its passages, if present."""

    def sources(self) -> dict[str, Source]:
        """Every source the version will hold, by id."""

    def commit(self) -> None:
        """Finish the version: afterwards ``Engine.open`` can open its directory."""

    def cancel(self) -> None:
        """Abandon the version; the store deletes its directory."""


class Engine(Protocol):
    """One search engine, chosen by name (``PINPOINT_ENGINE``, ``--engine``)."""

    name: str

    @property
    def fingerprint(self) -> str:
        """Whatever shapes the index (analysis, schema): when it changes, every
        source is indexed again instead of reusing the previous version."""

    def writer(self, version_dir: Path, *, previous: Path | None = None, procs: int = 1) -> EngineWriter:
        """A writer into the new, empty ``version_dir``.  With ``previous`` (the
        directory of a published version of this engine) the new version starts
        with its sources, so unchanged ones cost nothing.  ``procs`` > 1 lets
        ``EngineWriter.index`` use that many processes."""

    def open(self, version_dir: Path, version: str) -> Searcher:
        """A searcher over a committed version; FileNotFoundError if its files are gone."""


def get_engine(engine: str | Engine | None = None, **options) -> Engine:
    """The engine called ``engine`` (default whoosh), made with ``options``; an Engine is returned as is."""
    if engine is not None and not isinstance(engine, str):
        return engine
    name = engine or DEFAULT_ENGINE
    try:
        module_name, class_name = ENGINES[name].split(":")
    except KeyError:
        raise UnknownEngine(name) from None
    return getattr(importlib.import_module(module_name), class_name)(**options)


def index_one_by_one(writer: EngineWriter, items: Iterable[Item],
                     prepare: Callable[[Item], tuple[Source, list[Passage]]],
                     on_empty: Callable[[Source], None]) -> int:
    """``EngineWriter.index`` in this process, for engines (or builds) that do not spread it."""
    added = 0
    for source, passages in map(prepare, items):
        if not passages:
            on_empty(source)
            continue
        writer.add_source(source, passages)
        added += 1
    return added
