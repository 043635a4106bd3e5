"""Search at scale (issue 15): latency against corpus size and against match count.

Queries are 1-3 common words (the kind that match thousands of passages),
asked with every word required (``match=all``) and with any word
(``match=any``), and none repeats within a run, so no cache answers them.
Pinpoint answers as the API does by default (top 10 with excerpts, no
facets); over the posting columns (index/search/whoosh/column_search.py)
every match is scored and counted, so totals are exact and the
"exhaustive" row (``exact_total``) only differs for an index without
columns, whose Whoosh path prunes past 1,000 matches.  tantivy-py answers
the same words on the same passages, with a snippet per hit.  Each query's match count is the
exact one, so latency can be read against it.

    .venv/bin/python -m tests.benchmarks.scale INDEX_DIR [INDEX_DIR...]   (smallest first)
"""

from __future__ import annotations

import json
import random
import sys
import time
from collections import Counter
from pathlib import Path

from pinpoint.index.records import SearchRequest
from pinpoint.index.store.versions import open_searcher
from tests.benchmarks.corpus import QUERY_SEED, median, percentiles
from tests.benchmarks.latency import sample_passage_texts

# "Common": among the corpus' frequent words, past the function words a stop list drops.
COMMON_RANKS = (60, 1500)
MATCH_BUCKETS = (100, 1_000, 3_000, 10_000, 30_000, 100_000)


def common_word_queries(passage_texts: list[str], count: int, seed: int = QUERY_SEED) -> list[tuple[str, str]]:
    """``count`` distinct (query, match) pairs of 1-3 common words, half all-words, half any-word."""
    counts: Counter[str] = Counter()
    for text in passage_texts:
        counts.update(set(w for w in text.lower().split() if w.isalpha() and len(w) >= 4))
    ranked = [w for w, _ in counts.most_common(COMMON_RANKS[1])][COMMON_RANKS[0]:]
    rng = random.Random(seed)
    seen: set[tuple[str, str]] = set()
    queries: list[tuple[str, str]] = []
    while len(queries) < count:
        words = " ".join(rng.sample(ranked, rng.randint(1, 3)))
        match = "all" if len(queries) % 2 == 0 else "any"
        if (words, match) not in seen:
            seen.add((words, match))
            queries.append((words, match))
    return queries


def pinpoint_scale(index_dir: Path, queries: list[tuple[str, str]]) -> list[dict]:
    """Per query: milliseconds for the default search, and the exact match count."""
    rows = []
    with open_searcher(index_dir) as searcher:
        for q, match in queries[:20]:  # warm-up: term dictionaries and the page cache
            searcher.search(SearchRequest(q=q, match=match, facets=False))
        for q, match in queries:
            started = time.perf_counter()
            found = searcher.search(SearchRequest(q=q, match=match, facets=False))
            ms = (time.perf_counter() - started) * 1000
            rows.append({"q": q, "match": match, "ms": ms, "total": found.total, "relation": found.total_relation})
        for row in rows:
            if row["relation"] == "gte":
                exact = searcher.search(SearchRequest(q=row["q"], match=row["match"], facets=False, highlight=False,
                                                      exact_total=True, limit=1))
                row["matches"] = exact.total
            else:
                row["matches"] = row["total"]
    return rows


def exhaustive_scale(index_dir: Path, queries: list[tuple[str, str]]) -> list[dict]:
    """The same searches counting and scoring every match (exact_total=true): what pruning saves."""
    rows = []
    with open_searcher(index_dir) as searcher:
        for q, match in queries:
            started = time.perf_counter()
            found = searcher.search(SearchRequest(q=q, match=match, facets=False, exact_total=True))
            rows.append({"q": q, "match": match, "ms": (time.perf_counter() - started) * 1000, "matches": found.total})
    return rows


def summarise(rows: list[dict]) -> dict:
    """p50/p95/p99 per match mode, and median latency per match-count bucket."""
    out: dict = {}
    for match in ("all", "any"):
        ms = [r["ms"] for r in rows if r["match"] == match]
        out[match] = {k: round(v, 2) for k, v in percentiles(ms).items()} | {"n": len(ms)}
    out["every"] = {k: round(v, 2) for k, v in percentiles([r["ms"] for r in rows]).items()}
    buckets = []
    low = 0
    for high in MATCH_BUCKETS + (10**9,):
        inside = [r["ms"] for r in rows if low <= r["matches"] < high]
        if inside:
            buckets.append({"matches_from": low, "matches_below": high, "n": len(inside),
                            "p50_ms": round(median(inside), 2)})
        low = high
    out["by_matches"] = buckets
    return out


def tantivy_scale(pinpoint_index: Path, work: Path, queries: list[tuple[str, str]]) -> list[dict]:
    """tantivy-py over the same passages: top 10 with a snippet each, and its exact count."""
    import tantivy

    from tests.benchmarks.peers import build_tantivy, load_passages

    index, _ = build_tantivy(load_passages(pinpoint_index), work / f"tantivy-{pinpoint_index.name}")
    searcher = index.searcher()
    schema = index.schema

    def run_one(q: str, match: str) -> int:
        text = " ".join(f"+{w}" for w in q.split()) if match == "all" else q
        query = index.parse_query(text, ["text", "title"])
        found = searcher.search(query, 10, count=True)
        snippets = tantivy.SnippetGenerator.create(searcher, query, schema, "text")
        for _, address in found.hits:
            snippets.snippet_from_doc(searcher.doc(address)).to_html()
        return found.count

    for q, match in queries[:20]:
        run_one(q, match)
    rows = []
    for q, match in queries:
        started = time.perf_counter()
        count = run_one(q, match)
        rows.append({"q": q, "match": match, "ms": (time.perf_counter() - started) * 1000, "matches": count})
    return rows


def plot(scale: list[dict], target: Path) -> Path | None:
    """latency against corpus size and against match count, Pinpoint beside tantivy-py."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return None
    fig, (by_size, by_matches) = plt.subplots(1, 2, figsize=(9, 3.4), dpi=80)
    passages = [row["passages"] for row in scale]
    for engine, colour in (("pinpoint", "tab:blue"), ("tantivy", "tab:orange")):
        if not all(engine in row for row in scale):
            continue
        for match, style in (("all", "-"), ("any", "--")):
            by_size.plot(passages, [row[engine][match]["p50"] for row in scale], style, color=colour, marker="o",
                         label=f"{engine} {match} p50")
        largest = scale[-1][engine]["by_matches"]
        by_matches.plot([(b["matches_from"] + min(b["matches_below"], 3 * max(b["matches_from"], 100))) / 2
                         for b in largest], [b["p50_ms"] for b in largest], color=colour, marker="o", label=engine)
    by_size.set(xlabel="passages in the corpus", ylabel="ms per search (p50)", yscale="log",
                title="latency against corpus size")
    by_matches.set(xlabel=f"matching passages ({scale[-1]['slice']} corpus)", ylabel="ms per search (median)",
                   xscale="log", yscale="log", title="latency against match count")
    by_size.legend(fontsize=7)
    by_matches.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(target)
    plt.close(fig)
    return target


def run(slices: list[tuple[str, Path]], work: Path, count: int = 300, peers: bool = True) -> list[dict]:
    """Figures per slice (label, Pinpoint index), the largest last; queries drawn from the largest."""
    queries = common_word_queries(sample_passage_texts(slices[-1][1], 40, QUERY_SEED), count)
    out = []
    for label, index_dir in slices:
        with open_searcher(index_dir) as searcher:
            passages = searcher.passage_count
        row = {"slice": label, "passages": passages, "pinpoint": summarise(pinpoint_scale(index_dir, queries)),
               "pinpoint_exhaustive": summarise(exhaustive_scale(index_dir, queries))}
        if peers:
            row["tantivy"] = summarise(tantivy_scale(index_dir, work, queries))
        out.append(row)
        print(json.dumps(row), flush=True)
    return out


def main(argv: list[str]) -> int:
    import tempfile

    from tests.benchmarks.corpus import RESULTS

    dirs = [Path(a) for a in argv]
    with tempfile.TemporaryDirectory(prefix="pinpoint-scale-") as tmp:
        scale = run([(d.name, d) for d in dirs], Path(tmp))
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / f"scale-{time.strftime('%Y%m%d-%H%M%S')}.json").write_text(json.dumps(scale, indent=1))
    print(plot(scale, RESULTS / "search-scale.png"))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
