"""tantivy-py on the very passages Pinpoint indexed: indexing time and query latency.

The schema mirrors Pinpoint's: stemmed ``text`` (stored, with positions for
phrases), ``title`` repeated per passage, and the stored ids a hit needs.
Queries get the same all-words semantics as Pinpoint's default (``+word``)
and each hit's snippet comes from ``SnippetGenerator``, as Pinpoint's hits
carry a highlighted excerpt.
"""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import tantivy

from pinpoint.index.store.versions import open_searcher
from tests.benchmarks.corpus import QuerySet
from tests.benchmarks.latency import indexed_passages, time_queries

INDEX_THREADS = 2
HEAP_BYTES = 256 * 1024 * 1024  # the same budget Pinpoint's Whoosh writer gets


def _schema() -> tantivy.Schema:
    builder = tantivy.SchemaBuilder()
    builder.add_text_field("passage_id", stored=True, tokenizer_name="raw")
    builder.add_text_field("source_id", stored=True, tokenizer_name="raw")
    builder.add_integer_field("number", stored=True)
    builder.add_text_field("title", stored=False, tokenizer_name="en_stem")
    builder.add_text_field("text", stored=True, tokenizer_name="en_stem", index_option="position")
    return builder.build()


def load_passages(pinpoint_index: Path) -> list[tuple[str, str, int, str, str]]:
    """(passage id, source id, number, title, text) of every passage Pinpoint indexed."""
    searcher = open_searcher(pinpoint_index)
    try:
        titles = {s.id: s.title or "" for s in searcher.sources()}
    finally:
        searcher.close()
    return [(p.id, p.source_id, p.number, titles.get(p.source_id, ""), p.text) for p in indexed_passages(pinpoint_index)]


def build_tantivy(passages: list[tuple[str, str, int, str, str]], target: Path) -> tuple[tantivy.Index, float]:
    """Index ``passages`` into ``target``; seconds from empty directory to searchable."""
    shutil.rmtree(target, ignore_errors=True)
    target.mkdir(parents=True)
    started = time.perf_counter()
    index = tantivy.Index(_schema(), path=str(target))
    writer = index.writer(heap_size=HEAP_BYTES, num_threads=INDEX_THREADS)
    for passage_id, source_id, number, title, text in passages:
        writer.add_document(tantivy.Document(
            passage_id=passage_id, source_id=source_id, number=number, title=title, text=text,
        ))
    writer.commit()
    writer.wait_merging_threads()
    index.reload()
    return index, time.perf_counter() - started


def tantivy_query_text(q: str) -> str:
    return q if q.startswith('"') else " ".join(f"+{word}" for word in q.split())


def tantivy_latency(index: tantivy.Index, query_sets: list[QuerySet], repeats: int) -> dict[str, dict]:
    searcher = index.searcher()
    schema = index.schema

    def run_one(q: str) -> list[str]:
        query = index.parse_query(tantivy_query_text(q), ["text", "title"])
        found = searcher.search(query, 10)
        snippets = tantivy.SnippetGenerator.create(searcher, query, schema, "text")
        return [snippets.snippet_from_doc(searcher.doc(address)).to_html() for _, address in found.hits]

    return time_queries(run_one, query_sets, repeats)


def measure_tantivy(pinpoint_index: Path, work: Path, query_sets: list[QuerySet], repeats: int) -> dict:
    passages = load_passages(pinpoint_index)
    seconds = []
    index = None
    for _ in range(repeats):
        index, took = build_tantivy(passages, work / "tantivy")
        seconds.append(took)
    seconds.sort()
    return {
        "passages": len(passages),
        "index_s": round(seconds[len(seconds) // 2], 2),
        "threads": INDEX_THREADS,
        "latency_ms": tantivy_latency(index, query_sets, repeats),
    }
