"""In-process query latency: ``searcher.search`` with highlighting, per query set.

Each query set runs ``repeats`` passes after one warm-up pass (the first pass
pays for Whoosh loading term dictionaries and the OS page cache); the
percentiles are over every timed query of every pass.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Iterator
from pathlib import Path

from pinpoint.index.records import Passage, SearchRequest
from pinpoint.index.store.versions import open_searcher
from tests.benchmarks.corpus import QuerySet, draw_queries, percentiles


def indexed_passages(index_dir: Path) -> Iterator[Passage]:
    """Every passage of the served version, source by source, as the engine stores them."""
    searcher = open_searcher(index_dir)
    try:
        for source in searcher.sources():
            yield from searcher.passages(source.id)
    finally:
        searcher.close()


def sample_passage_texts(index_dir: Path, sources: int, seed: int) -> list[str]:
    """Passage texts of a fixed random sample of sources: enough vocabulary to draw queries from."""
    searcher = open_searcher(index_dir)
    try:
        chosen = random.Random(seed).sample(searcher.sources(), min(sources, len(searcher.sources())))
        return [p.text for s in chosen for p in searcher.passages(s.id)]
    finally:
        searcher.close()


def query_sets_for(index_dir: Path, per_set: int, seed: int) -> list[QuerySet]:
    return draw_queries(sample_passage_texts(index_dir, 40, seed), per_set, seed)


def time_queries(run_one: Callable[[str], object], query_sets: list[QuerySet], repeats: int) -> dict[str, dict]:
    """Milliseconds per query (p50/p95/p99) for each query set."""
    figures = {}
    for qs in query_sets:
        for q in qs.queries:
            run_one(q)
        samples = []
        for _ in range(repeats):
            for q in qs.queries:
                started = time.perf_counter()
                run_one(q)
                samples.append((time.perf_counter() - started) * 1000)
        figures[qs.name] = {k: round(v, 2) for k, v in percentiles(samples).items()} | {"n": len(samples)}
    return figures


def pinpoint_latency(index_dir: Path, query_sets: list[QuerySet], repeats: int) -> dict[str, dict]:
    searcher = open_searcher(index_dir)
    try:
        # Every word required, as tantivy-py's "+word" queries beside it (the API's default,
        # every word preferred, also ranks the passages holding some of them).
        return time_queries(lambda q: searcher.search(SearchRequest(q=q, limit=10, match="all")), query_sets, repeats)
    finally:
        searcher.close()
