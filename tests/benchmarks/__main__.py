"""`make bench`: speed, scale and ranking quality, side by side with peers.

    .venv/bin/python -m tests.benchmarks [--quick] [--slices 0.1,0.3,1]
        [--only indexing,latency,scale,http,peers,quality,pdf,attacks]

Indexing runs on slices of the Gutenberg corpus (10%, 30%, 100%; --quick: 10%
only, one run each); the largest slice's index, the full corpus unless
--slices says otherwise, serves the latency, HTTP and peer measurements.
``scale`` (tests/benchmarks/scale.py) times common-word searches on every
slice, Pinpoint beside tantivy-py, against corpus size and match count, plots
them to results/search-scale.png, and runs issue 15's HTTP table (2 and 16
connections, result cache off and on, bare Falcon in the same run).  ``pdf`` generates a 1,000-page two-column corpus (200 with
--quick; needs pdflatex) and measures PDF ingest (tests/benchmarks/pdf_ingest.py).
``attacks`` reproduces issue 16's table (tests/benchmarks/attacks.py).
Results go to tests/benchmarks/results/ as JSON.

The engine is a dimension of the HTTP figures (``--engines``; by default
OpenSearch joins Whoosh whenever a cluster answers): the served index is published into the cluster at
PINPOINT_OPENSEARCH_URL (3 shards, 1 replica; ``deploy/opensearch/cluster
start`` gives one on loopback) and the same wrk runs go through Pinpoint with
PINPOINT_ENGINE=opensearch, in the same run as Whoosh.  On this 2-core machine
three JVMs, the gunicorn workers and wrk share the cores: the cluster figures
show the engine works under load, not what a real cluster does
(deploy/README.md "Sizing").
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

from tests.benchmarks import pdf_ingest, report
from tests.benchmarks.corpus import QUERY_SEED, RESULTS, DatasetMissing, require_gutenberg, write_slices
from tests.benchmarks.indexing import build_once, measure_slice

SECTIONS = ("indexing", "latency", "scale", "http", "peers", "quality", "pdf", "attacks")


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m tests.benchmarks", description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="10%% slice, one run each, short HTTP runs")
    parser.add_argument("--only", default=",".join(SECTIONS), help=f"comma-separated subset of {','.join(SECTIONS)}")
    parser.add_argument("--slices", help="comma-separated shares of the corpus, e.g. 0.1,0.3,1")
    parser.add_argument("--repeats", type=int, help="runs per figure (default 3, --quick 1)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (default 2)")
    parser.add_argument("--engines", help="comma-separated engines for the HTTP figures (default: whoosh, "
                                          "and opensearch when a cluster answers at PINPOINT_OPENSEARCH_URL)")
    parser.add_argument("--output", type=Path, help="JSON file (default results/bench-<time>.json)")
    args = parser.parse_args(argv)
    args.engines = [e.strip() for e in args.engines.split(",") if e.strip()] if args.engines else default_engines()
    args.only = [s.strip() for s in args.only.split(",") if s.strip()]
    unknown = sorted(set(args.only) - set(SECTIONS))
    if unknown:
        parser.error(f"unknown section(s) {', '.join(unknown)}: choose from {', '.join(SECTIONS)}")
    args.slices = [float(s) for s in args.slices.split(",")] if args.slices else ([0.1] if args.quick else [0.1, 0.3, 1.0])
    args.repeats = args.repeats or (1 if args.quick else 3)
    return args


def corpus_sections(args, work: Path, results: dict) -> None:
    from tests.benchmarks.latency import pinpoint_latency, query_sets_for

    slices = write_slices(args.slices, work / "slices")
    largest = slices[-1]
    if "indexing" in args.only:
        results["indexing"] = []
        for piece in slices:
            # Builds of the full corpus take minutes each: one fewer run there keeps `make bench` bounded.
            repeats = args.repeats if piece is not largest or len(slices) == 1 else max(1, args.repeats - 1)
            row = measure_slice(piece, work, repeats)
            results["indexing"].append(row)
            report.print_rows(f"indexing {piece.label} done", [row])
        index_dirs = [Path(row["index_dir"]) for row in results["indexing"]]
    else:
        pieces = slices if "scale" in args.only else [largest]
        index_dirs = [work / f"index-{piece.label.rstrip('%')}" for piece in pieces]
        for piece, target in zip(pieces, index_dirs):
            build_once(piece.path, target)
    index_dir = index_dirs[-1]
    results["served_slice"] = largest.label
    query_sets = query_sets_for(index_dir, per_set=20 if args.quick else 50, seed=QUERY_SEED)
    results["queries"] = {qs.name: list(qs.queries) for qs in query_sets}
    # Queries are cheap: one more pass than the builds get, for both engines alike.
    search_repeats = args.repeats + 1
    if "latency" in args.only:
        results["latency_in_process_ms"] = pinpoint_latency(index_dir, query_sets, search_repeats)
    if "peers" in args.only:
        from tests.benchmarks.peers import measure_tantivy

        results["tantivy"] = measure_tantivy(index_dir, work, query_sets, search_repeats)
    if "scale" in args.only:
        from tests.benchmarks import scale

        results["scale"] = scale.run([(p.label, d) for p, d in zip(slices, index_dirs)] if len(index_dirs) > 1
                                     else [(largest.label, index_dir)], work, 100 if args.quick else 300,
                                     peers="peers" in args.only)
        plotted = scale.plot(results["scale"], RESULTS / "search-scale.png")
        print(f"plot: {plotted}" if plotted else "no plot: install the bench extra (matplotlib)")
    if "http" in args.only:
        from tests.benchmarks.http_load import WrkMissing, measure_scale, measure_server

        seconds = 3 if args.quick else 10
        logs = work / "logs"
        logs.mkdir(exist_ok=True)
        try:
            if "scale" in args.only:
                from tests.benchmarks.latency import sample_passage_texts
                from tests.benchmarks.scale import common_word_queries

                # Each server answers 2 x 3 runs of 10 s: ~28,000 requests at 460 req/s, none repeated.
                many = common_word_queries(sample_passage_texts(index_dir, 40, QUERY_SEED), 60_000)
                results["http_scale"] = measure_scale(index_dir, many, args.workers, seconds, args.repeats, logs)
            results["http"] = measure_server("pinpoint", index_dir, query_sets, args.workers, seconds, args.repeats, logs)
            if "opensearch" in args.engines:
                env = publish_to_cluster(index_dir, results)
                results["http_opensearch"] = measure_server("pinpoint", index_dir, query_sets, args.workers,
                                                            seconds, args.repeats, logs, env)
            if "peers" in args.only:
                results["bare_falcon"] = measure_server("bare", None, query_sets, args.workers, seconds, args.repeats, logs)
        except WrkMissing as missing:
            results["http_skipped"] = str(missing)
            print(f"skipping HTTP figures: {missing}", file=sys.stderr)


def default_engines() -> list[str]:
    """Whoosh, and OpenSearch too when a cluster answers (deploy/opensearch/cluster start)."""
    import os
    import urllib.request

    url = os.environ.get("PINPOINT_OPENSEARCH_URL", "http://127.0.0.1:9200").split(",")[0]
    try:
        with urllib.request.urlopen(f"{url}/_cluster/health", timeout=3):
            return ["whoosh", "opensearch"]
    except OSError:
        print(f"no OpenSearch cluster at {url}: HTTP figures for whoosh only "
              "(deploy/opensearch/cluster start, or PINPOINT_OPENSEARCH_URL)", file=sys.stderr)
        return ["whoosh"]


def publish_to_cluster(index_dir: Path, results: dict) -> dict[str, str]:
    """Publish the served index into the cluster; the environment that serves it from there."""
    import os

    from pinpoint.index.search.opensearch.client import ClusterSettings
    from pinpoint.index.search.opensearch.store import ClusterStore
    from pinpoint.index.search.opensearch.sync import publish_library
    from pinpoint.index.store.versions import open_searcher

    env = {"PINPOINT_ENGINE": "opensearch", "PINPOINT_OPENSEARCH_INDEX": "bench",
           "PINPOINT_OPENSEARCH_SHARDS": "3", "PINPOINT_OPENSEARCH_REPLICAS": "1",
           "PINPOINT_OPENSEARCH_URL": os.environ.get("PINPOINT_OPENSEARCH_URL",
                                                     "http://127.0.0.1:9200,http://127.0.0.1:9201,http://127.0.0.1:9202")}
    settings = ClusterSettings.from_env(env)
    store = ClusterStore(settings.connect(), settings)
    store.delete_library()
    local = open_searcher(index_dir)
    try:
        report = publish_library(local, store)
    finally:
        local.close()
    results["opensearch_publish"] = {"sources": report.sources, "passages": report.passages,
                                     "seconds": round(report.seconds, 1), "shards": 3, "replicas": 1}
    print(f"published {report.passages} passages into the cluster in {report.seconds:.0f} s", file=sys.stderr)
    return env


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    started = time.monotonic()
    output = args.output or RESULTS / f"bench-{time.strftime('%Y%m%d-%H%M%S')}.json"
    output.parent.mkdir(parents=True, exist_ok=True)
    results: dict = {"args": {"quick": args.quick, "only": args.only, "slices": args.slices,
                              "repeats": args.repeats, "workers": args.workers}}
    with tempfile.TemporaryDirectory(prefix="pinpoint-bench-") as tmp:
        work = Path(tmp)
        if "attacks" in args.only:
            from tests.benchmarks import attacks

            results["attacks"] = attacks.run(work / "attacks")
        if set(args.only) - {"quality", "pdf", "attacks"}:
            try:
                require_gutenberg()
                corpus_sections(args, work, results)
                # Saved before quality runs, so a long quality pass never costs the speed figures.
                output.write_text(json.dumps(results, indent=1))
            except DatasetMissing as missing:
                results["corpus_skipped"] = str(missing)
                print(f"skipping corpus benchmarks: {missing}", file=sys.stderr)
        if "pdf" in args.only:
            results["pdf"] = pdf_ingest.run(work, pages=200 if args.quick else 1000, quick=args.quick)
            output.write_text(json.dumps(results, indent=1))
        if "quality" in args.only:
            results["quality"] = report.run_quality(work)
    results["seconds"] = round(time.monotonic() - started, 1)
    print()
    report.print_all(results)
    if results.get("pdf"):
        pdf_ingest.print_result(results["pdf"])
    output.write_text(json.dumps(results, indent=1))
    print(f"\nwrote {output} ({results['seconds']:.0f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
