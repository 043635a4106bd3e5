"""Worker segments: a memory budget that rolls segments, and a worker that fails."""

from __future__ import annotations

import random

import pytest

from pinpoint.index.store.build import _prepare
from pinpoint.index.search.whoosh.parallel_build import ParallelBuildFailed, ParallelIndexing
from pinpoint.index.records import RawSource, SearchRequest
from pinpoint.index.search.whoosh.engine import WhooshSearcher, WhooshWriter

VOCABULARY = [f"{a}{b}{c}" for a in "bcdfglmnprst" for b in "aeiou" for c in ("n", "r", "st", "ll", "x")]


def _items(count: int):
    rng = random.Random(11)
    for n in range(count):
        text = "\n\n".join(" ".join(rng.choices(VOCABULARY, k=60)).capitalize() + "." for _ in range(3))
        yield RawSource(id=f"doc{n}", path="bulk.jsonl", fmt="jsonl", text=text, meta={"title": f"Paper {n}"}), None, "h"


def _top(version_dir, query):
    with WhooshSearcher(version_dir, "v") as searcher:
        result = searcher.search(SearchRequest(q=query, limit=20))
        scored = [(h.passage.id, round(h.score, 6)) for h in result.hits]
        segments = len(searcher._index._segments())
    if result.total > len(scored):
        scored = [(pid, score) for pid, score in scored if score > scored[-1][1]]
    return sorted(scored), segments


def test_a_small_memory_budget_rolls_segments_and_finds_the_same(tmp_path):
    sequential = WhooshWriter(tmp_path / "one")
    for item in _items(120):
        sequential.add_source(*_prepare(item))
    sequential.commit()

    writer = WhooshWriter(tmp_path / "many")
    indexing = ParallelIndexing(writer, procs=2, prepare=_prepare, memory_mb=0.05)
    segments = indexing.run(_items(120), on_empty=lambda source: None)
    writer.commit(segments)
    assert indexing.rebuilt == 120 and len(writer.sources) == 120
    for query in ("bast mell", "tax", '"nir pun"', "paper"):
        expected, one_segment = _top(tmp_path / "one", query)
        found, many_segments = _top(tmp_path / "many", query)
        assert found == expected, query
        assert one_segment == 1 and many_segments > 2


def _fails_on_doc7(item):
    if item[0].id == "doc7":
        raise ValueError("a cleaner bug")
    return _prepare(item)


def test_a_failing_worker_fails_the_build_with_its_reason(tmp_path):
    writer = WhooshWriter(tmp_path / "v")
    indexing = ParallelIndexing(writer, procs=2, prepare=_fails_on_doc7)
    with pytest.raises(ParallelBuildFailed, match="a cleaner bug"):
        indexing.run(_items(40), on_empty=lambda source: None)
    writer.cancel()
