"""Ranking quality on SciFact (train split) and Cranfield, through Pinpoint's own pipeline.

Run ``.venv/bin/python -m tests.benchmarks.quality`` (``--grid`` to compare
settings, ``--dataset cranfield`` for one collection).  Prints a table and
writes ``var/benchmarks/quality.json``.  Documents are judged by their best
passage: searches group by source, as the search page's "one per source" does.
Queries run with ``match="any"`` because benchmark queries are sentences;
requiring every word would measure the fallback rule, not the ranking.
"""

from __future__ import annotations

import argparse
import json
import math
import re
import sys
import tempfile
import time
from dataclasses import asdict, replace
from pathlib import Path

from pinpoint.index.records import Passage, SearchRequest, Source
from pinpoint.index.store.versions import current_version, version_dir
from pinpoint.index.search.whoosh.engine import DEFAULT_RANKING, Ranking, WhooshSearcher, WhooshWriter

ROOT = Path(__file__).resolve().parents[2]
DATASETS = ROOT.parent / "shared" / "datasets"
OUTPUT = ROOT / "var" / "benchmarks" / "quality.json"

COLLECTIONS = {
    # name: (folder, queries file, [qrels files])
    "scifact": ("scifact", "queries_train.jsonl", ["qrels_train.tsv"]),
    "cranfield": ("cranfield", "queries.jsonl", ["qrels.tsv", "qrels_all_pairs_binary.tsv"]),
}
DEPTH = 1000  # MAP is measured to depth 1000, as trec_eval does by default
_QUERY_SYNTAX = re.compile(r"[^\w\s]|\b(AND|OR|NOT)\b")


def read_qrels(path: Path) -> dict[str, dict[str, int]]:
    qrels: dict[str, dict[str, int]] = {}
    with open(path, encoding="utf-8") as f:
        next(f)
        for line in f:
            query_id, doc_id, score = line.rstrip("\n").split("\t")
            qrels.setdefault(query_id, {})[doc_id] = int(score)
    return qrels


def read_queries(path: Path) -> dict[str, str]:
    with open(path, encoding="utf-8") as f:
        return {item["id"]: item["text"] for item in map(json.loads, f)}


def ndcg_at(ranked: list[str], judged: dict[str, int], k: int = 10) -> float:
    dcg = sum(judged.get(d, 0) / math.log2(i + 2) for i, d in enumerate(ranked[:k]))
    ideal = sorted((g for g in judged.values() if g > 0), reverse=True)[:k]
    idcg = sum(g / math.log2(i + 2) for i, g in enumerate(ideal))
    return dcg / idcg if idcg else 0.0


def average_precision(ranked: list[str], judged: dict[str, int]) -> float:
    relevant = {d for d, g in judged.items() if g > 0}
    found, total = 0, 0.0
    for i, d in enumerate(ranked, start=1):
        if d in relevant:
            found += 1
            total += found / i
    return total / len(relevant) if relevant else 0.0


def recall_at(ranked: list[str], judged: dict[str, int], k: int = 100) -> float:
    relevant = {d for d, g in judged.items() if g > 0}
    return len(relevant & set(ranked[:k])) / len(relevant) if relevant else 0.0


def plain_words(text: str) -> str:
    """A benchmark query as words only: its punctuation is prose, not query syntax."""
    return " ".join(_QUERY_SYNTAX.sub(" ", text).split())


def rank_documents(searcher: WhooshSearcher, text: str, depth: int = DEPTH) -> list[str]:
    words = plain_words(text)
    if not words:
        return []
    # Rankings are judged, not shown: no excerpts to mark, no facets to count.
    result = searcher.search(SearchRequest(q=words, limit=depth, group_by_source=True, match="any",
                                           highlight=False, facets=False))
    return [hit.source.id for hit in result.hits]


def evaluate(searcher: WhooshSearcher, queries: dict[str, str], qrels: dict[str, dict[str, int]],
             depth: int = DEPTH) -> dict:
    ndcg, ap, recall = [], [], []
    for query_id, judged in qrels.items():
        if query_id not in queries or not any(g > 0 for g in judged.values()):
            continue
        ranked = rank_documents(searcher, queries[query_id], depth)
        ndcg.append(ndcg_at(ranked, judged))
        ap.append(average_precision(ranked, judged))
        recall.append(recall_at(ranked, judged))
    n = len(ndcg)
    return {"queries": n, "depth": depth, "ndcg@10": sum(ndcg) / n, "map": sum(ap) / n,
            "recall@100": sum(recall) / n}


def build_collection(name: str, work: Path, ranking: Ranking, direct: bool = False) -> Path:
    """Index a collection's corpus.jsonl with the real pipeline; return the version dir.

    ``direct`` skips reading and cleaning (one passage per document), to tell
    a ranking problem from a pipeline problem.
    """
    folder = DATASETS / COLLECTIONS[name][0]
    index_dir = work / f"{name}-{ranking.stopwords}-{ranking.min_token}-{'direct' if direct else 'pipeline'}"
    if direct:
        target = index_dir / "direct"
        if not target.exists():
            write_direct(folder / "corpus.jsonl", target, ranking)
        return target
    if current_version(index_dir) is None:
        from pinpoint.index.store.build import build_index

        build_index([folder / "corpus.jsonl"], index_dir, ranking=ranking)
    return version_dir(index_dir, current_version(index_dir))


def write_direct(corpus: Path, target: Path, ranking: Ranking) -> None:
    writer = WhooshWriter(target, ranking=ranking)
    with open(corpus, encoding="utf-8") as f:
        for item in map(json.loads, f):
            text = item["text"]
            source = Source(id=item["id"], path=str(corpus), csl={"title": item.get("title") or ""},
                            content_hash="", passage_count=1)
            writer.add_source(source, [Passage(item["id"], 1, 1, 1, None, text, 0, len(text))])
    writer.commit()


def measure(name: str, work: Path, ranking: Ranking, direct: bool = False, depth: int = DEPTH) -> list[dict]:
    folder_name, queries_file, qrels_files = COLLECTIONS[name]
    folder = DATASETS / folder_name
    queries = read_queries(folder / queries_file)
    started = time.monotonic()
    directory = build_collection(name, work, ranking, direct)
    rows = []
    with WhooshSearcher(directory, directory.name, ranking) as searcher:
        for qrels_file in qrels_files:
            figures = evaluate(searcher, queries, read_qrels(folder / qrels_file), depth)
            rows.append({"collection": name, "qrels": qrels_file, "ranking": asdict(ranking),
                         "pipeline": not direct, **figures})
    rows[-1]["seconds"] = round(time.monotonic() - started, 1)
    return rows


def grid() -> list[Ranking]:
    """Settings compared by --grid: BM25's two knobs, the title weight and stopwords."""
    base = DEFAULT_RANKING
    candidates = [base]
    for k1 in (0.9, 1.2, 1.6):
        for b in (0.4, 0.75):
            candidates.append(replace(base, k1=k1, b=b, title_b=b))
    for title_boost in (0.5, 2.0):
        candidates.append(replace(base, title_boost=title_boost))
    candidates.append(replace(base, stopwords=not base.stopwords))
    unique = []
    for c in candidates:
        if c not in unique:
            unique.append(c)
    return unique


def product_grid(k1s: list[float], bs: list[float], title_boosts: list[float]) -> list[Ranking]:
    """Every combination of the given values (``--k1 0.9,1.2 --b 0.4,0.75 --title 0.5,1``)."""
    return [replace(DEFAULT_RANKING, k1=k1, b=b, title_b=b, title_boost=t)
            for k1 in k1s for b in bs for t in title_boosts]


def _floats(text: str) -> list[float]:
    return [float(x) for x in text.split(",") if x.strip()]


def print_table(rows: list[dict]) -> None:
    print(f"{'collection':<10} {'qrels':<28} {'k1':>4} {'b':>5} {'title':>5} {'idf':>6} {'stop':>5} "
          f"{'n':>4} {'depth':>5} {'nDCG@10':>8} {'MAP':>7} {'R@100':>7}")
    for r in rows:
        k = r["ranking"]
        print(f"{r['collection']:<10} {r['qrels']:<28} {k['k1']:>4} {k['b']:>5} {k['title_boost']:>5} {k['idf']:>6} "
              f"{str(k['stopwords']):>5} {r['queries']:>4} {r['depth']:>5} {r['ndcg@10']:>8.4f} {r['map']:>7.4f} "
              f"{r['recall@100']:>7.4f}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dataset", choices=sorted(COLLECTIONS), action="append")
    parser.add_argument("--grid", action="store_true", help="compare ranking settings")
    parser.add_argument("--direct", action="store_true", help="bypass reading/cleaning/chunking")
    parser.add_argument("--depth", type=int, default=DEPTH,
                        help="hits per query; MAP is MAP@depth (a grid can use 100 to save time)")
    parser.add_argument("--k1", type=_floats, help="comma-separated k1 values: a grid over --k1 x --b x --title")
    parser.add_argument("--b", type=_floats, help="comma-separated b values (text and title alike)")
    parser.add_argument("--title", type=_floats, help="comma-separated title boosts")
    parser.add_argument("--output", type=Path, default=OUTPUT)
    args = parser.parse_args(argv)
    if not DATASETS.exists():
        print(f"datasets not found at {DATASETS}: place ../shared/datasets beside the repository", file=sys.stderr)
        return 2
    rankings = grid() if args.grid else [DEFAULT_RANKING]
    if args.k1 or args.b or args.title:
        base = DEFAULT_RANKING
        rankings = product_grid(args.k1 or [base.k1], args.b or [base.b], args.title or [base.title_boost])
    rows = []
    with tempfile.TemporaryDirectory(prefix="pinpoint-quality-") as work:
        for name in args.dataset or sorted(COLLECTIONS):
            for ranking in rankings:
                rows.extend(measure(name, Path(work), ranking, args.direct, args.depth))
                print_table(rows[-len(COLLECTIONS[name][2]):])
    print()
    print_table(rows)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(rows, indent=1))
    print(f"\nwrote {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
