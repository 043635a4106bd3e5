"""Indexing cost: each build runs in its own process so its peak memory is its own.

``python -m tests.benchmarks.indexing SOURCE INDEX_DIR`` builds once and
prints one JSON line: wall seconds, CPU seconds (the build process and the
worker processes it reaped), and peak RSS of the builder and of its largest
worker.  The parent adds throughput and the index's size on disk.
"""

from __future__ import annotations

import json
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

from tests.benchmarks.corpus import ROOT, Slice, median


def directory_bytes(path: Path) -> int:
    return sum(p.stat().st_size for p in Path(path).rglob("*") if p.is_file())


def build_once(source: Path, index_dir: Path) -> dict:
    """Run one build in a fresh interpreter and return its figures."""
    shutil.rmtree(index_dir, ignore_errors=True)
    done = subprocess.run(
        [sys.executable, "-m", "tests.benchmarks.indexing", str(source), str(index_dir)],
        cwd=ROOT, capture_output=True, text=True, check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"benchmark build of {source} failed:\n{done.stderr[-4000:]}")
    figures = json.loads(done.stdout.strip().splitlines()[-1])
    figures["index_bytes"] = directory_bytes(index_dir)
    return figures


def measure_slice(piece: Slice, work: Path, repeats: int) -> dict:
    """Median figures over ``repeats`` builds of one slice; the last build is kept."""
    runs = [build_once(piece.path, work / f"index-{piece.label.rstrip('%')}") for _ in range(repeats)]
    wall = median([r["wall_s"] for r in runs])
    cpu = median([r["cpu_s"] for r in runs])
    last = runs[-1]
    mb = piece.text_bytes / 1e6
    return {
        "slice": piece.label,
        "books": piece.books,
        "text_mb": round(mb, 1),
        "passages": last["passages"],
        "runs": len(runs),
        "wall_s": round(wall, 2),
        "cpu_s": round(cpu, 2),
        "cores_used": round(cpu / wall, 2) if wall else None,
        "mb_per_s": round(mb / wall, 2),
        "passages_per_s": round(last["passages"] / wall),
        "index_mb": round(last["index_bytes"] / 1e6, 1),
        "peak_rss_mb": round(max(r["peak_rss_mb"] for r in runs), 1),
        "peak_worker_rss_mb": round(max(r["peak_worker_rss_mb"] for r in runs), 1),
        "index_dir": str(work / f"index-{piece.label.rstrip('%')}"),
    }


def _build_here(source: Path, index_dir: Path) -> None:
    from pinpoint.index.store.build import build_index

    started = time.monotonic()
    report = build_index([source], index_dir)
    wall = time.monotonic() - started
    own = resource.getrusage(resource.RUSAGE_SELF)
    workers = resource.getrusage(resource.RUSAGE_CHILDREN)
    print(json.dumps({
        "wall_s": wall,
        "cpu_s": own.ru_utime + own.ru_stime + workers.ru_utime + workers.ru_stime,
        "passages": report.passages,
        "sources": report.sources,
        "peak_rss_mb": own.ru_maxrss / 1024,  # Linux reports KiB
        "peak_worker_rss_mb": workers.ru_maxrss / 1024,
    }))


if __name__ == "__main__":
    _build_here(Path(sys.argv[1]), Path(sys.argv[2]))
