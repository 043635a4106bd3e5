"""The printed tables, the ratios against peers, and the targets met or missed."""

from __future__ import annotations

import io
import json
from contextlib import redirect_stdout
from pathlib import Path

# The targets for a 2-core machine and the full 150 MB corpus.
TARGETS = {
    "indexing_mb_per_s": 2.5,
    "indexing_vs_tantivy": 12.0,
    "http_2term_p50_ms": 10.0,
    "http_2term_p99_ms": 50.0,
    "http_req_per_s": 150.0,
    "worker_rss_mb": 250.0,
    "first_answer_s": 2.0,
    "scifact_ndcg10": 0.68,
    "cranfield_map": 0.31,
    # Issue 15: search at scale (full corpus, common words, result cache off).
    "scale_http_2conn_p50_ms": 10.0,
    "scale_http_2conn_p99_ms": 50.0,
    "scale_http_16conn_req_per_s": 250.0,
    "scale_http_16conn_p99_ms": 200.0,
    "scale_in_process_p50_ms": 5.0,
    "scale_worker_rss_mb": 300.0,
}

_INDEXING_COLUMNS = ("slice", "books", "text_mb", "passages", "runs", "wall_s", "cpu_s", "cores_used",
                     "mb_per_s", "passages_per_s", "index_mb", "peak_rss_mb", "peak_worker_rss_mb")


def print_rows(title: str, rows: list[dict], columns: tuple[str, ...] = _INDEXING_COLUMNS) -> None:
    widths = [max(len(c), *(len(str(r.get(c, ""))) for r in rows)) for c in columns]
    print(f"\n## {title}")
    print("  ".join(c.rjust(w) for c, w in zip(columns, widths)))
    for r in rows:
        print("  ".join(str(r.get(c, "")).rjust(w) for c, w in zip(columns, widths)))


def _latency_rows(label: str, figures: dict) -> list[dict]:
    return [{"system": label, "queries": name, **f} for name, f in figures.items()]


def run_quality(work: Path) -> list[dict]:
    """tests.benchmarks.quality's own measurement, its table captured for ours."""
    from tests.benchmarks import quality

    output = work / "quality.json"
    captured = io.StringIO()
    with redirect_stdout(captured):
        status = quality.main(["--output", str(output)])
    if status != 0 or not output.exists():
        print(f"quality benchmark did not run (status {status}):\n{captured.getvalue()}")
        return []
    return json.loads(output.read_text())


def ratios(results: dict) -> dict:
    out = {}
    indexing, tantivy = results.get("indexing"), results.get("tantivy")
    if indexing and tantivy:
        out["indexing_time_pinpoint_over_tantivy"] = round(indexing[-1]["wall_s"] / tantivy["index_s"], 1)
    latency, t_latency = results.get("latency_in_process_ms"), (tantivy or {}).get("latency_ms")
    if latency and t_latency:
        for name in latency:
            if name in t_latency and t_latency[name]["p50"]:
                out[f"{name}_p50_pinpoint_over_tantivy"] = round(latency[name]["p50"] / t_latency[name]["p50"], 1)
    http, bare = results.get("http"), results.get("bare_falcon")
    if http and bare:
        out["throughput_pinpoint_over_bare_falcon"] = round(
            http["saturation"]["req_per_s"] / bare["saturation"]["req_per_s"], 3)
        out["2term_p50_pinpoint_over_bare_falcon"] = round(
            http["latency"]["2-term"]["p50_ms"] / bare["latency"]["2-term"]["p50_ms"], 1)
    return out


def targets(results: dict) -> list[tuple[str, str, str, bool | None]]:
    """(target, wanted, measured, met) — met is None where the run did not measure it."""
    rows: list[tuple[str, str, str, bool | None]] = []

    def add(name: str, wanted: str, value, ok) -> None:
        rows.append((name, wanted, "not measured" if value is None else str(value), None if value is None else ok))

    full = [r for r in results.get("indexing", []) if r["slice"] == "100%"]
    speed = full[0]["mb_per_s"] if full else None
    add("indexing MB/s (full corpus)", f">= {TARGETS['indexing_mb_per_s']}", speed,
        speed is not None and speed >= TARGETS["indexing_mb_per_s"])
    ratio = ratios(results).get("indexing_time_pinpoint_over_tantivy") if full else None
    add("indexing time vs tantivy-py", f"<= {TARGETS['indexing_vs_tantivy']}x", ratio,
        ratio is not None and ratio <= TARGETS["indexing_vs_tantivy"])
    http = results.get("http") or {}
    two = (http.get("latency") or {}).get("2-term")
    add("HTTP 2-term p50 ms", f"<= {TARGETS['http_2term_p50_ms']}", two and two["p50_ms"],
        bool(two) and two["p50_ms"] <= TARGETS["http_2term_p50_ms"])
    add("HTTP 2-term p99 ms", f"<= {TARGETS['http_2term_p99_ms']}", two and two["p99_ms"],
        bool(two) and two["p99_ms"] <= TARGETS["http_2term_p99_ms"])
    rate = (http.get("saturation") or {}).get("req_per_s")
    add("HTTP req/s at saturation", f">= {TARGETS['http_req_per_s']}", rate,
        rate is not None and rate >= TARGETS["http_req_per_s"])
    rss = max(http["worker_rss_mb"]) if http.get("worker_rss_mb") else None
    add("worker RSS MB (largest)", f"<= {TARGETS['worker_rss_mb']}", rss, rss is not None and rss <= TARGETS["worker_rss_mb"])
    first = http.get("first_answer_s")
    add("serve start to first answer s", f"<= {TARGETS['first_answer_s']}", first,
        first is not None and first <= TARGETS["first_answer_s"])
    quality = results.get("quality") or []
    scifact = next((r["ndcg@10"] for r in quality if r["collection"] == "scifact"), None)
    add("SciFact nDCG@10 (train)", f">= {TARGETS['scifact_ndcg10']}", scifact and round(scifact, 4),
        scifact is not None and scifact >= TARGETS["scifact_ndcg10"])
    cran = next((r["map"] for r in quality if r["collection"] == "cranfield" and r["qrels"] == "qrels.tsv"), None)
    add("Cranfield MAP (qrels.tsv)", f">= {TARGETS['cranfield_map']}", cran and round(cran, 4),
        cran is not None and cran >= TARGETS["cranfield_map"])
    scale = (results.get("scale") or [None])[-1]
    for match in ("all", "any"):
        p50 = scale["pinpoint"][match]["p50"] if scale else None
        add(f"in-process top 10 p50 ms, match={match}", f"<= {TARGETS['scale_in_process_p50_ms']}", p50,
            p50 is not None and p50 <= TARGETS["scale_in_process_p50_ms"])
    off = (results.get("http_scale") or {}).get("pinpoint_cache_off") or {}
    for conns, key, wanted, better in (("2", "p50_ms", "scale_http_2conn_p50_ms", min),
                                       ("2", "p99_ms", "scale_http_2conn_p99_ms", min),
                                       ("16", "req_per_s", "scale_http_16conn_req_per_s", max),
                                       ("16", "p99_ms", "scale_http_16conn_p99_ms", min)):
        value = (off.get(conns) or {}).get(key)
        limit = TARGETS[wanted]
        add(f"HTTP common words, {conns} connections, {key}", f"{'<=' if better is min else '>='} {limit}", value,
            value is not None and (value <= limit if better is min else value >= limit))
    rss = max(off["worker_rss_mb"]) if off.get("worker_rss_mb") else None
    add("worker RSS MB after common-word load", f"<= {TARGETS['scale_worker_rss_mb']}", rss,
        rss is not None and rss <= TARGETS["scale_worker_rss_mb"])
    if results.get("served_slice") not in (None, "100%"):
        rows.append(("note", "", f"search figures from the {results['served_slice']} slice, not the full corpus", None))
    return rows


def print_all(results: dict) -> None:
    if results.get("indexing"):
        print_rows("Indexing (Pinpoint pipeline: read, clean, chunk, Whoosh)", results["indexing"])
    latency_rows = []
    if results.get("latency_in_process_ms"):
        latency_rows += _latency_rows("pinpoint", results["latency_in_process_ms"])
    if results.get("tantivy"):
        t = results["tantivy"]
        latency_rows += _latency_rows("tantivy-py", t["latency_ms"])
        print(f"\ntantivy-py: {t['passages']} passages indexed in {t['index_s']} s with {t['threads']} threads")
    if latency_rows:
        print_rows(f"In-process query latency, ms ({results.get('served_slice')} slice, top 10 with snippets)",
                   latency_rows, ("system", "queries", "n", "p50", "p95", "p99"))
    http_rows = []
    for label, key in (("pinpoint", "http"), ("pinpoint+opensearch", "http_opensearch"), ("bare falcon", "bare_falcon")):
        figures = results.get(key)
        if not figures:
            continue
        for name, f in figures["latency"].items():
            http_rows.append({"system": label, "queries": name, **f})
        http_rows.append({"system": label, "queries": "2-term (saturation)", **figures["saturation"]})
        print(f"\n{label}: {figures['workers']} workers, RSS after load {figures['worker_rss_mb']} MB, "
              f"first answer {figures['first_answer_s']} s after start")
    if http_rows:
        print_rows("HTTP via wrk (loopback)", http_rows,
                   ("system", "queries", "connections", "runs", "requests", "errors", "req_per_s", "p50_ms", "p95_ms", "p99_ms"))
    if results.get("scale"):
        rows = []
        for row in results["scale"]:
            for engine in ("pinpoint", "pinpoint_exhaustive", "tantivy"):
                for match in ("all", "any"):
                    if engine in row:
                        rows.append({"slice": row["slice"], "passages": row["passages"], "system": engine,
                                     "match": match, **row[engine][match]})
        print_rows("Common-word searches (1-3 words, none repeated), ms, top 10 with excerpts", rows,
                   ("slice", "passages", "system", "match", "n", "p50", "p95", "p99"))
        largest = results["scale"][-1]
        buckets = [{"system": engine, **b} for engine in ("pinpoint", "pinpoint_exhaustive", "tantivy")
                   if engine in largest for b in largest[engine]["by_matches"]]
        print_rows(f"Latency against match count ({largest['slice']})", buckets,
                   ("system", "matches_from", "matches_below", "n", "p50_ms"))
    if results.get("http_scale"):
        rows = []
        for label, figures in results["http_scale"].items():
            if isinstance(figures, dict):
                for n, f in figures.items():
                    if n not in ("worker_rss_mb", "worker_private_mb"):
                        rows.append({"system": label, **f})
                print(f"\n{label}: worker RSS after load {figures.get('worker_rss_mb')} MB, "
                      f"of which the worker's own (RssAnon) {figures.get('worker_private_mb')} MB")
        print_rows(f"HTTP, common-word searches never repeated ({results['http_scale']['queries']} queries)", rows,
                   ("system", "connections", "runs", "requests", "errors", "req_per_s", "p50_ms", "p99_ms",
                    "load_avg_1m", "queries_repeated"))
    if results.get("http_skipped"):
        print(f"\nHTTP skipped: {results['http_skipped']}")
    if results.get("corpus_skipped"):
        print(f"\ncorpus benchmarks skipped: {results['corpus_skipped']}")
    if results.get("quality"):
        quality_rows = [{"collection": r["collection"], "qrels": r["qrels"], "queries": r["queries"],
                         "nDCG@10": round(r["ndcg@10"], 4), "MAP": round(r["map"], 4),
                         "R@100": round(r["recall@100"], 4)} for r in results["quality"]]
        print_rows("Ranking quality", quality_rows, ("collection", "qrels", "queries", "nDCG@10", "MAP", "R@100"))
    results["ratios"] = ratios(results)
    if results["ratios"]:
        print("\n## Ratios")
        for k, v in results["ratios"].items():
            print(f"  {k}: {v}")
    rows = targets(results)
    results["targets"] = [{"target": n, "wanted": w, "measured": m, "met": ok} for n, w, m, ok in rows]
    print("\n## Targets")
    for name, wanted, measured, ok in rows:
        verdict = {True: "met", False: "NOT MET", None: "-"}[ok]
        print(f"  {name:<32} {wanted:>10}  {measured:>12}  {verdict}")
