"""Ranking quality on SciFact (train split) and Cranfield, through Pinpoint's own pipeline.

Run ``.venv/bin/python -m tests.benchmarks.quality`` (``--grid`` to compare
settings, ``--dataset cranfield`` for one collection).  Prints a table and
writes ``var/benchmarks/quality.json``.  Documents are judged by their best
passage: searches group by source, as the search page's "one per source" does.
Queries run with ``match="any"`` because benchmark queries are sentences;
requiring every word would measure the fallback rule, not the ranking.

``--engine whoosh --engine opensearch`` measures both engines on the same
built passages, the second after ``publish_library`` copied them into the
cluster at PINPOINT_OPENSEARCH_URL (PINPOINT_OPENSEARCH_SHARDS sets its
shards).  SciFact train, 3 shards x 1 replica on the 3-node loopback cluster:
nDCG@10 0.6901 (Whoosh) vs 0.6889 (OpenSearch), MAP 0.6555 vs 0.6500,
R@100 0.9149 vs 0.9215.

How query words combine (``--match all --match any --match preferred``, see
``MATCH_MODES``) and known-item search (``--known-item 300``: 2-4 topic words
naming one document, drawn with ``--seed 13`` from its title, and apart from
its text, words used there at least twice and absent from the title; MRR and
success@k of that document, one result per source, depth 100)::

    .venv/bin/python -m tests.benchmarks.quality --match all --match any --match preferred --known-item 300

Measured (Whoosh, default ranking, 2 shared cores, 6 min 54 s):

===========================  ======  ======  =========
figure                       all     any     preferred
===========================  ======  ======  =========
SciFact nDCG@10              0.6888  0.6901  0.6909
SciFact MAP                  0.6546  0.6555  0.6565
Cranfield MAP (qrels.tsv)    0.3036  0.3163  0.3167
Cranfield MAP (all pairs)    0.4220  0.4368  0.4368
SciFact known-item title     0.8565  0.8249  0.8545   MRR
  success@10                 0.9567  0.9433  0.9567
SciFact known-item text      0.6999  0.6269  0.7034   MRR
  success@10                 0.8800  0.8433  0.8900
Cranfield known-item title   0.8541  0.8517  0.8544   MRR
  success@10                 0.9833  0.9833  0.9833
Cranfield known-item text    0.6547  0.5605  0.6567   MRR
  success@10                 0.8867  0.8100  0.8900
===========================  ======  ======  =========

"all" was the default when these were measured (every word in one passage,
else any word); "preferred", any word with the all-words match scored again
on top, is the default since, because it is
best or level on every row but SciFact's title known items (0.8545 against
0.8565, within the noise of 300 queries); "any" alone loses known items
(MRR -0.03 to -0.09) for what it gains on sentence-long queries.  Title
queries cannot tell "all" from the rest: every passage carries its source's
title, so all title words always match the document.
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

from pinpoint.index.records import MATCH_MODES, Passage, SearchRequest, Source
from pinpoint.index.store.versions import current_version, version_dir
from pinpoint.index.search.whoosh import WhooshEngine, WhooshSearcher, WhooshWriter
from pinpoint.index.search.whoosh.schema import DEFAULT_RANKING, Ranking

ROOT = Path(__file__).resolve().parents[2]
DATASETS = ROOT.parent / "shared" / "datasets"
OUTPUT = ROOT / "var" / "benchmarks" / "quality.json"

COLLECTIONS = {
    # name: (folder, queries file, [qrels files])
    "scifact": ("scifact", "queries_train.jsonl", ["qrels_train.tsv"]),
    "cranfield": ("cranfield", "queries.jsonl", ["qrels.tsv", "qrels_all_pairs_binary.tsv"]),
}
DEPTH = 1000  # MAP is measured to depth 1000, as trec_eval does by default
KNOWN_ITEM_SEED = 13
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


# How a query's words are combined (--match): records.MATCH_MODES, the API's
# ``match``.  "preferred" (the default since it was measured here) ranks
# passages holding every word first and still finds those holding some; "all"
# needs every word, falling back to any word when none has all; "any" ranks by
# any word.


def request_for(words: str, mode: str, depth: int) -> SearchRequest:
    # Rankings are judged, not shown: no excerpts to mark, no facets to count.
    return SearchRequest(q=words, match=mode, limit=depth, group_by_source=True, highlight=False, facets=False)


def rank_documents(searcher: WhooshSearcher, text: str, depth: int = DEPTH, mode: str = "any") -> list[str]:
    words = plain_words(text)
    if not words:
        return []
    result = searcher.search(request_for(words, mode, depth))
    return [hit.source.id for hit in result.hits]


def evaluate(searcher: WhooshSearcher, queries: dict[str, str], qrels: dict[str, dict[str, int]],
             depth: int = DEPTH, mode: str = "any") -> dict:
    ndcg, ap, recall = [], [], []
    for query_id, judged in qrels.items():
        if query_id not in queries or not any(g > 0 for g in judged.values()):
            continue
        ranked = rank_documents(searcher, queries[query_id], depth, mode)
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

        build_index([folder / "corpus.jsonl"], index_dir, engine=WhooshEngine(ranking))
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


def cluster_copy(name: str, built: WhooshSearcher, ranking: Ranking):
    """The same passages published into the OpenSearch cluster at PINPOINT_OPENSEARCH_URL."""
    from pinpoint.index.search.opensearch.client import ClusterSettings
    from pinpoint.index.search.opensearch.mapping import Ranking as ClusterRanking
    from pinpoint.index.search.opensearch.searcher import OpenSearchSearcher
    from pinpoint.index.search.opensearch.store import ClusterStore
    from pinpoint.index.search.opensearch.sync import publish_library

    settings = replace(ClusterSettings.from_env(), prefix=f"quality-{name}-{ranking.k1}-{ranking.b}-{ranking.title_boost}")
    store = ClusterStore(settings.connect(), settings, ClusterRanking(
        k1=ranking.k1, b=ranking.b, title_b=ranking.title_b, title_boost=ranking.title_boost,
        stopwords=ranking.stopwords, min_token=ranking.min_token))
    store.delete_library()
    publish_library(built, store)
    return OpenSearchSearcher(store)


def measure(name: str, work: Path, ranking: Ranking, direct: bool = False, depth: int = DEPTH,
            engine: str = "whoosh", modes: tuple[str, ...] = ("any",), known_items: int = 0,
            seed: int = KNOWN_ITEM_SEED) -> list[dict]:
    folder_name, queries_file, qrels_files = COLLECTIONS[name]
    folder = DATASETS / folder_name
    queries = read_queries(folder / queries_file)
    started = time.monotonic()
    directory = build_collection(name, work, ranking, direct)
    item_sets = {f"known-item {source} (seed {seed})": known_item_set(folder / "corpus.jsonl", known_items, seed, source)
                 for source in ("title", "text")} if known_items else {}
    rows = []
    with WhooshSearcher(directory, directory.name, ranking) as searcher:
        if engine == "opensearch":
            searcher = cluster_copy(name, searcher, ranking)
        for mode in modes:
            for qrels_file in qrels_files:
                figures = evaluate(searcher, queries, read_qrels(folder / qrels_file), depth, mode)
                rows.append({"collection": name, "qrels": qrels_file, "ranking": asdict(ranking),
                             "pipeline": not direct, "engine": engine, "match": mode, **figures})
            for label, items in item_sets.items():
                rows.append({"collection": name, "qrels": label, "ranking": asdict(ranking),
                             "pipeline": not direct, "engine": engine, "match": mode,
                             **evaluate_known_items(searcher, items, mode)})
    rows[-1]["seconds"] = round(time.monotonic() - started, 1)
    return rows


# --- known-item search: a query naming one document's topic, that document the answer ---

KNOWN_ITEM_DEPTH = 100
# Words that name no topic; a title's other words of 3+ letters can be drawn.
_FUNCTION_WORDS = frozenset("""
the and for with from into onto over under between among about after before during without within
that this these those their there which what when where whose while than then also such both each
its are was were been being has have had not but can may might will would should could does did
using used use via based new study studies effect effects role analysis some other more most very
""".split())
_WORD = re.compile(r"[^\W\d_]{3,}")


def known_item_set(corpus: Path, count: int, seed: int = KNOWN_ITEM_SEED,
                   words_from: str = "title") -> list[tuple[str, str]]:
    """``count`` (query, document id) pairs for documents drawn with ``seed``: 2 to 4 topic words, in
    the order the document uses them.

    ``words_from="title"``: words of the title (every passage of the document
    carries its title, so an all-words query always matches it).  ``"text"``:
    words the document's text uses at least twice and its title never, as a
    reader remembers what a paper discussed rather than what it was called.
    Documents with fewer than two such words are passed over.
    """
    import random

    rng = random.Random(seed)
    with open(corpus, encoding="utf-8") as f:
        documents = [(item["id"], item.get("title") or "", item.get("text") or "") for item in map(json.loads, f)]
    rng.shuffle(documents)
    items = []
    for doc_id, title, text in documents:
        title_words = [w for w in _WORD.findall(title.lower()) if w not in _FUNCTION_WORDS]
        if words_from == "title":
            words = list(dict.fromkeys(title_words))
        else:
            used = [w for w in _WORD.findall(text.lower()) if w not in _FUNCTION_WORDS and w not in title_words]
            words = [w for w in dict.fromkeys(used) if used.count(w) >= 2]
        if len(words) < 2:
            continue
        chosen = sorted(rng.sample(range(len(words)), min(len(words), rng.randint(2, 4))))
        items.append((" ".join(words[i] for i in chosen), doc_id))
        if len(items) == count:
            break
    return items


def evaluate_known_items(searcher: WhooshSearcher, items: list[tuple[str, str]], mode: str) -> dict:
    reciprocal, within_10, first = [], [], []
    for words, doc_id in items:
        ranked = rank_documents(searcher, words, KNOWN_ITEM_DEPTH, mode)
        rank = ranked.index(doc_id) + 1 if doc_id in ranked else None
        reciprocal.append(1 / rank if rank else 0.0)
        within_10.append(1.0 if rank and rank <= 10 else 0.0)
        first.append(1.0 if rank == 1 else 0.0)
    n = len(items)
    return {"queries": n, "depth": KNOWN_ITEM_DEPTH, "mrr": sum(reciprocal) / n,
            "success@10": sum(within_10) / n, "success@1": sum(first) / n}


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
    print(f"{'collection':<10} {'engine':<10} {'qrels':<28} {'match':<9} {'k1':>4} {'b':>5} {'title':>5} {'stop':>5} "
          f"{'n':>4} {'depth':>5} {'nDCG@10':>8} {'MAP':>7} {'R@100':>7} {'MRR':>7} {'S@10':>7} {'S@1':>7}")
    for r in rows:
        k = r["ranking"]

        def figure(key):
            return f"{r[key]:>7.4f}" if key in r else f"{'':>7}"

        ndcg = f"{r['ndcg@10']:>8.4f}" if "ndcg@10" in r else f"{'':>8}"
        print(f"{r['collection']:<10} {r.get('engine', 'whoosh'):<10} {r['qrels']:<28} {r.get('match', 'any'):<9} "
              f"{k['k1']:>4} {k['b']:>5} {k['title_boost']:>5} {str(k['stopwords']):>5} {r['queries']:>4} "
              f"{r['depth']:>5} {ndcg} {figure('map')} {figure('recall@100')} {figure('mrr')} "
              f"{figure('success@10')} {figure('success@1')}")


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
    parser.add_argument("--engine", choices=["whoosh", "opensearch"], action="append",
                        help="engines to measure on the same built passages (default whoosh); "
                             "opensearch uses the cluster at PINPOINT_OPENSEARCH_URL")
    parser.add_argument("--match", choices=MATCH_MODES, action="append",
                        help="how query words combine (default any; repeat to compare: all, any, preferred)")
    parser.add_argument("--known-item", type=int, default=0, metavar="N",
                        help="also measure N known-item queries per collection (2-4 words naming one "
                             "document, from its title and, apart, from its text; MRR, success@10)")
    parser.add_argument("--seed", type=int, default=KNOWN_ITEM_SEED, help="seed drawing the known items")
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
                for engine in args.engine or ["whoosh"]:
                    added = measure(name, Path(work), ranking, args.direct, args.depth, engine,
                                    tuple(args.match or ["any"]), args.known_item, args.seed)
                    rows.extend(added)
                    print_table(added)
    print()
    print_table(rows)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(rows, indent=1))
    print(f"\nwrote {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
