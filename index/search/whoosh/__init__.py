"""The Whoosh engine: an embedded index in each version's directory; the only code that imports whoosh.

``schema`` (fields and ranking), ``analysis`` (the one analyzer, for indexing,
querying and highlighting), ``compile`` (Pinpoint's query tree -> Whoosh
queries), ``searcher``, ``writer`` with ``segment_writer`` and
``parallel_build`` (one segment per worker process); ``columns`` (each
segment's postings as arrays) with ``column_tree``, ``column_scoring`` and
``column_search`` (searches scored over them with numpy).
"""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

from pinpoint.index.search.whoosh.schema import DEFAULT_RANKING, WHOOSH_SUBDIR, Ranking
from pinpoint.index.search.whoosh.searcher import WhooshSearcher
from pinpoint.index.search.whoosh.writer import WhooshWriter
from pinpoint.index.store.catalog import read_sources

# What shapes the index files: a change to one of these rebuilds every source.
_INDEX_SHAPING = ("schema.py", "analysis.py", "segment_writer.py", "columns.py")


class WhooshEngine:
    """The default engine (``PINPOINT_ENGINE=whoosh``)."""

    name = "whoosh"

    def __init__(self, ranking: Ranking = DEFAULT_RANKING):
        self.ranking = ranking

    @property
    def fingerprint(self) -> str:
        digest = hashlib.sha256(f"{self.name}|{self.ranking.stopwords}|{self.ranking.min_token}".encode())
        here = Path(__file__).resolve().parent
        for name in _INDEX_SHAPING:
            digest.update((here / name).read_bytes())
        return digest.hexdigest()

    def writer(self, version_dir: Path, *, previous: Path | None = None, procs: int = 1) -> WhooshWriter:
        sources = None
        if previous is not None:
            shutil.copytree(Path(previous) / WHOOSH_SUBDIR, Path(version_dir) / WHOOSH_SUBDIR)
            sources = read_sources(previous)
        return WhooshWriter(version_dir, sources=sources, ranking=self.ranking, procs=procs)

    def open(self, version_dir: Path, version: str) -> WhooshSearcher:
        return WhooshSearcher(version_dir, version, self.ranking)


__all__ = ["WhooshEngine", "WhooshSearcher", "WhooshWriter"]
