"""Writing one Whoosh index version (an ``EngineWriter``)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import replace
from pathlib import Path

from whoosh import index as whoosh_index

from pinpoint.index.records import Passage, Source
from pinpoint.index.search.engine import index_one_by_one
from pinpoint.index.search.whoosh.parallel_build import ParallelIndexing
from pinpoint.index.search.whoosh.schema import DEFAULT_RANKING, WHOOSH_SUBDIR, Ranking, build_schema, passage_documents
from pinpoint.index.search.whoosh.segment_writer import PassageSegmentWriter
from pinpoint.index.store.catalog import write_sources


class WhooshWriter:
    """Writes one index version into ``version_dir``.

    Start from an empty directory, or from a copy of a previous version's
    files together with its ``sources`` so unchanged sources cost nothing.
    With ``procs`` > 1, ``index`` runs that many worker processes, each
    writing segments of its own (``parallel_build``).
    """

    def __init__(
        self,
        version_dir: Path,
        *,
        sources: dict[str, Source] | None = None,
        ranking: Ranking = DEFAULT_RANKING,
        procs: int = 1,
        memory_mb: int = 256,
    ):
        self.version_dir = Path(version_dir)
        self._sources: dict[str, Source] = dict(sources or {})
        self.procs = procs
        self._worker_segments: list = []
        whoosh_dir = self.version_dir / WHOOSH_SUBDIR
        if whoosh_index.exists_in(str(whoosh_dir)):
            ix = whoosh_index.open_dir(str(whoosh_dir))
        else:
            whoosh_dir.mkdir(parents=True, exist_ok=True)
            ix = whoosh_index.create_in(str(whoosh_dir), build_schema(ranking))
        self._index = ix
        self.whoosh_dir = whoosh_dir
        self.memory_mb = memory_mb
        # Parallel builds run their own worker writers (parallel_build);
        # this one takes deletions and any documents added here.
        self._writer = PassageSegmentWriter(ix, limitmb=memory_mb)

    def add_source(self, source: Source, passages: Iterable[Passage]) -> None:
        count = 0
        for doc in passage_documents(source, passages):
            self._writer.add_document(**doc)
            count += 1
        self.record_source(source, count)

    def index(self, items: Iterable, prepare: Callable[..., tuple[Source, list[Passage]]],
              on_empty: Callable[[Source], None]) -> int:
        if self.procs > 1:
            indexing = ParallelIndexing(self, self.procs, prepare)
            self._worker_segments.extend(indexing.run(items, on_empty))
            return indexing.rebuilt
        return index_one_by_one(self, items, prepare, on_empty)

    def record_source(self, source: Source, passages_written: int) -> None:
        """Remember ``source`` for the catalog, with the passages actually written."""
        if passages_written != source.passage_count:
            source = replace(source, passage_count=passages_written)
        self._sources[source.id] = source

    def remove_source(self, source_id: str) -> None:
        self._writer.delete_by_term("source_id", source_id)
        self._sources.pop(source_id, None)

    def sources(self) -> dict[str, Source]:
        return dict(self._sources)

    def commit(self, worker_segments: Sequence = ()) -> None:
        """Write what was added here, list every worker's segments, and the catalog."""
        self._writer.commit_with_segments([*self._worker_segments, *worker_segments])
        self._index.close()
        write_sources(self.version_dir, self._sources)

    def cancel(self) -> None:
        self._writer.cancel()
        self._index.close()
