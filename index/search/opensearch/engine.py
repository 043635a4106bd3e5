"""The OpenSearch engine behind the engine seam (``index.search.engine.Engine``).

The store's version directory holds what names the cluster's version (a
pointer file) and the version's catalog (``sources.json``), so the build
machine's versions, manifest and CURRENT work as with Whoosh.  The cluster's
own aliases move in ``published``, which the build calls after CURRENT moved
(and again on an unchanged rebuild, so a failed switch catches up): a build
that fails or is killed before that never touches them, and the next build
deletes the indexes it left.  Replicas that serve from the cluster alone
follow the aliases (``ClusterLiveIndex``), not a directory.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable
from pathlib import Path

from pinpoint.index.records import Passage, Source
from pinpoint.index.search.engine import Item, index_one_by_one
from pinpoint.index.search.opensearch.client import ClusterSettings
from pinpoint.index.search.opensearch.mapping import DEFAULT_RANKING, Ranking, passages_index_body, sources_index_body
from pinpoint.index.search.opensearch.searcher import OpenSearchSearcher
from pinpoint.index.search.opensearch.store import KEEP_VERSIONS, ClusterStore
from pinpoint.index.search.opensearch.writer import OpenSearchWriter
from pinpoint.index.store.catalog import read_sources, write_json_durably, write_sources

POINTER_FILE = "opensearch.json"
LAYOUT_VERSION = "1"


def read_pointer(version_dir: Path) -> dict:
    """What a version directory names in the cluster; FileNotFoundError when it names nothing."""
    with open(Path(version_dir) / POINTER_FILE, encoding="utf-8") as f:
        return json.load(f)


class OpenSearchEngine:
    name = "opensearch"

    def __init__(self, settings: ClusterSettings | None = None, ranking: Ranking = DEFAULT_RANKING):
        self.settings = settings or ClusterSettings.from_env()
        self.store = ClusterStore(self.settings.connect(), self.settings, ranking)

    @property
    def fingerprint(self) -> str:
        shape = {"layout": LAYOUT_VERSION, "passages": passages_index_body(self.store.ranking), "sources": sources_index_body()}
        return hashlib.sha256(json.dumps(shape, sort_keys=True).encode()).hexdigest()

    def writer(self, version_dir: Path, *, previous: Path | None = None, procs: int = 1) -> ClusterVersionWriter:
        base = None
        sources: dict[str, Source] = {}
        if previous is not None:
            try:
                base = read_pointer(previous)["version"]
                sources = read_sources(previous)
            except FileNotFoundError:
                base = None
        if base is not None and base not in self.store.complete_versions():
            base, sources = None, {}  # pruned from the cluster since: start afresh
        return ClusterVersionWriter(self.store, Path(version_dir), base, sources)

    def open(self, version_dir: Path, version: str) -> OpenSearchSearcher:
        pointer = read_pointer(version_dir)
        searcher = OpenSearchSearcher(self.store, pointer["version"])
        searcher.version = version
        return searcher

    def published(self, version_dir: Path, version: str) -> None:
        """Move the cluster's aliases to the version the store just published, and prune old ones."""
        pointer = read_pointer(version_dir)
        if self.store.current_version() == pointer["version"]:
            return
        self.store.publish(pointer["version"], {"store_version": version})
        self.store.prune(KEEP_VERSIONS)


class ClusterVersionWriter:
    """An ``EngineWriter``: a cluster version, recorded in ``version_dir`` when committed."""

    def __init__(self, store: ClusterStore, version_dir: Path, base: str | None, sources: dict[str, Source]):
        self.store = store
        self.version_dir = version_dir
        # Held while this version is written, so builds from other machines wait (and do not
        # take its indexes for a dead build's); a killed build's lease runs out.
        self._lock = store.acquire_lock()
        try:
            store.remove_stale()
            self._writer = OpenSearchWriter(store, store.next_version_name(), base=base, sources=sources)
        except BaseException:
            store.release_lock(self._lock)
            raise

    def add_source(self, source: Source, passages: Iterable[Passage]) -> None:
        self._writer.add_source(source, passages)

    def index(self, items: Iterable[Item], prepare: Callable[[Item], tuple[Source, list[Passage]]],
              on_empty: Callable[[Source], None]) -> int:
        # Preparing runs here; the cluster's nodes do the indexing work in parallel.
        return index_one_by_one(self, items, prepare, on_empty)

    def remove_source(self, source_id: str) -> None:
        self._writer.remove_source(source_id)

    def sources(self) -> dict[str, Source]:
        return dict(self._writer.sources)

    def commit(self) -> None:
        try:
            self._writer.commit()
        finally:
            self.store.release_lock(self._lock)
        write_sources(self.version_dir, self._writer.sources)
        write_json_durably(self.version_dir / POINTER_FILE, {"version": self._writer.version,
                                                             "prefix": self.store.settings.prefix})

    def cancel(self) -> None:
        try:
            self._writer.cancel()
        finally:
            self.store.release_lock(self._lock)
