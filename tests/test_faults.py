"""Load and faults against a real gunicorn on loopback.

Sustained load, a worker SIGKILLed under load, re-indexing while serving,
builds killed part-way, two builds at once, a read-only index folder and a
full disk.  The load duration comes from PINPOINT_LOAD_SECONDS (default 15;
the report's figures use 60).  Every scenario prints its figures: requests
sent, failed, p50/p99 latency.
"""

from __future__ import annotations

import http.client
import os
import shutil
import signal
import subprocess
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests.conftest import PINPOINT, ROOT, SEEDS
from tests.prerequisites import missing
from tests.servers import get_json, pinpoint_server, worker_pids

pytestmark = [pytest.mark.load, pytest.mark.slow]

LOAD_SECONDS = float(os.environ.get("PINPOINT_LOAD_SECONDS", "15"))
CONCURRENCY = int(os.environ.get("PINPOINT_LOAD_CONCURRENCY", "32"))
CFR = "004_9574ace01beba1aa"
PATHS = [
    "/search?q=alliance", "/search?q=futenma+relocation&limit=20", "/search?q=%22security+treaty%22",
    "/search?q=okinawa+OR+guam&group=source", f"/sources/{CFR}", f"/sources/{CFR}/passages/3",
    "/sources", "/ready", "/bibtex?q=okinawa",
]


@dataclass
class LoadResult:
    concurrency: int
    latencies: list[float] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    started: float = field(default_factory=time.monotonic)
    seconds: float = 0.0

    @property
    def sent(self) -> int:
        return len(self.latencies) + len(self.failures)

    def percentile(self, p: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))] * 1000 if ordered else float("nan")

    def summary(self, name: str) -> str:
        return (f"{name}: {self.sent} requests, {len(self.failures)} failed, "
                f"p50 {self.percentile(50):.1f} ms, p99 {self.percentile(99):.1f} ms, "
                f"{self.sent / max(self.seconds, 1e-9):.0f} req/s over {self.seconds:.0f} s at concurrency {self.concurrency}")


@contextmanager
def load(base: str, paths=PATHS, concurrency: int = CONCURRENCY):
    """Keep ``concurrency`` clients busy against ``base`` until the block ends."""
    host, port = urlsplit(base).hostname, urlsplit(base).port
    result, lock, stop = LoadResult(concurrency), threading.Lock(), threading.Event()

    def client(offset: int) -> None:
        n = offset
        while not stop.is_set():
            path = paths[n % len(paths)]
            n += 1
            started = time.perf_counter()
            try:
                conn = http.client.HTTPConnection(host, port, timeout=30)
                conn.request("GET", path)
                resp = conn.getresponse()
                resp.read()
                conn.close()
                outcome = None if resp.status == 200 else f"{path}: HTTP {resp.status}"
            except OSError as exc:  # refused, reset, timed out
                outcome = f"{path}: {type(exc).__name__}: {exc}"
            with lock:
                if outcome is None:
                    result.latencies.append(time.perf_counter() - started)
                else:
                    result.failures.append(outcome)

    threads = [threading.Thread(target=client, args=(i,), daemon=True) for i in range(concurrency)]
    for t in threads:
        t.start()
    try:
        yield result
    finally:
        stop.set()
        for t in threads:
            t.join(timeout=60)
        result.seconds = time.monotonic() - result.started


def report(result: LoadResult, name: str) -> None:
    print("\n" + result.summary(name))


def copy_seeds(target: Path) -> Path:
    target.mkdir(parents=True)
    for path in SEEDS.iterdir():
        shutil.copy2(path, target / path.name)
    return target


def pinpoint_index(sources: Path, index_dir: Path, **kwargs) -> subprocess.Popen:
    return subprocess.Popen([*PINPOINT, "index", str(sources), "--index", str(index_dir), "--quiet"], cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **kwargs)


@pytest.fixture
def served(tmp_path):
    """A private seeds corpus and index, and a 2-worker server that re-checks CURRENT every 0.2 s."""
    from pinpoint.index.store.build import build_index

    sources = copy_seeds(tmp_path / "sources")
    index_dir = tmp_path / "index"
    build_index([sources], index_dir)
    with pinpoint_server(index_dir, workers=2, env={"PINPOINT_RELOAD_SECONDS": "0.2"}) as (base, proc):
        yield base, proc, sources, index_dir


def test_sustained_load_fails_no_request(served):
    base, _, _, _ = served
    with load(base) as result:
        time.sleep(LOAD_SECONDS)
    report(result, f"sustained {LOAD_SECONDS:.0f}s")
    assert result.sent > 0
    assert not result.failures, result.failures[:5]


def test_worker_killed_under_load_is_replaced(tmp_path):
    from pinpoint.index.store.build import build_index

    sources = copy_seeds(tmp_path / "sources")
    index_dir = tmp_path / "index"
    build_index([sources], index_dir)
    # Recycling is off here, so the only worker that can disappear is the one
    # this test kills: with max_requests on, load could recycle the victim first.
    with pinpoint_server(index_dir, workers=2, env={"GUNICORN_CMD_ARGS": "--max-requests 0"}) as (base, proc):
        assert len(worker_pids(proc.pid)) == 2
        with load(base) as result:
            time.sleep(LOAD_SECONDS / 3)
            victim = min(worker_pids(proc.pid))  # alive now, at the moment of the kill
            os.kill(victim, signal.SIGKILL)
            deadline = time.monotonic() + LOAD_SECONDS
            while not (victim not in (after := worker_pids(proc.pid)) and len(after) == 2):
                assert time.monotonic() < deadline, f"no replacement for worker {victim}: {after}"
                time.sleep(0.05)
            time.sleep(LOAD_SECONDS / 3)
        report(result, f"worker SIGKILL, {LOAD_SECONDS:.0f}s")
        assert get_json(f"{base}/ready")[0] == 200
    # Only requests the killed worker held in flight may fail: each client has
    # one in flight at a time, and a threaded worker may hold all of its clients'.
    assert len(result.failures) <= CONCURRENCY, result.failures
    assert len(result.latencies) > len(result.failures) * 100


def test_reindex_while_serving_switches_without_a_failed_request(served):
    base, _, sources, index_dir = served
    old_version = get_json(f"{base}/ready")[1]["index_version"]
    marker = "quetzalcoatlian"
    with load(base) as result:
        time.sleep(LOAD_SECONDS / 3)
        with open(sources / f"{CFR}.txt", "a", encoding="utf-8") as f:
            f.write(f"\n\nA late {marker} paragraph was added to this source after it was first indexed.\n")
        build = pinpoint_index(sources, index_dir)
        out, err = build.communicate(timeout=120)
        assert build.returncode == 0, err
        deadline = time.monotonic() + 10
        seen = 0
        while seen < 10:  # ten answers in a row, so both workers have switched
            status, body = get_json(f"{base}/search?q={marker}")
            seen = seen + 1 if status == 200 and body["total"] >= 1 else 0
            assert time.monotonic() < deadline, "the new version never became searchable"
            time.sleep(0.05)
        time.sleep(LOAD_SECONDS / 3)
    report(result, f"re-index under load, {LOAD_SECONDS:.0f}s")
    assert get_json(f"{base}/ready")[1]["index_version"] != old_version
    assert not result.failures, result.failures[:5]


@pytest.fixture(scope="module")
def bulky_sources(tmp_path_factory) -> Path:
    """Seeds plus ~24 MB of generated text, so a build lasts long enough to be interrupted.

    ~6 MB built in 1.7 s on a quiet 2-core machine, and a build killed at
    2.0 or 3.5 s had already published; only a server busy with slow
    searches beside it had made it last that long.
    """
    folder = copy_seeds(tmp_path_factory.mktemp("bulky") / "sources")
    text = (SEEDS / f"{CFR}.txt").read_text(encoding="utf-8")
    for n in range(40):
        (folder / f"bulk-{n:03d}.txt").write_text(f"Copy {n}.\n\n" + text * 48, encoding="utf-8")
    return folder


def test_build_killed_at_any_point_leaves_the_served_index_answering(served, bulky_sources):
    base, _, _, index_dir = served
    version = get_json(f"{base}/ready")[1]["index_version"]
    killed = []
    try:
        with load(base, concurrency=8) as result:
            for delay in (0.2, 0.6, 1.2, 2.0, 3.5):
                # Only the build process is killed, as the OOM killer would; the
                # worker processes it forked are orphaned and must not block what follows.
                build = pinpoint_index(bulky_sources, index_dir, start_new_session=True)
                killed.append(build.pid)
                time.sleep(delay)
                build.kill()
                build.wait()
                assert (index_dir / "CURRENT").read_text().strip() == version
        report(result, "builds SIGKILLed at 0.2-3.5 s")
        status, body = get_json(f"{base}/search?q=alliance")
        assert status == 200 and body["total"] > 0
        assert not result.failures, result.failures[:5]
        # The next build clears what the killed ones left and publishes normally.
        build = pinpoint_index(bulky_sources, index_dir)
        assert build.wait(timeout=300) == 0, build.stderr.read()
        assert not list((index_dir / "versions").glob(".tmp-*"))
    finally:
        for group in killed:  # the orphans share the killed build's session
            try:
                os.killpg(group, signal.SIGKILL)
            except ProcessLookupError:
                pass


def test_two_concurrent_builds_never_corrupt_the_index(tmp_path, bulky_sources):
    from pinpoint.index.store.versions import open_searcher

    index_dir = tmp_path / "index"
    first = pinpoint_index(bulky_sources, index_dir)
    time.sleep(0.3)
    second = pinpoint_index(bulky_sources, index_dir)
    outcomes = [(b.wait(timeout=300), b.stdout.read(), b.stderr.read()) for b in (first, second)]
    assert outcomes[0][0] == 0, outcomes[0]
    code, out, err = outcomes[1]
    # The second either waited for the lock and then found nothing to do, or gave up in one clear line.
    assert code == 0 or (code == 1 and "another build" in err and len(err.strip().splitlines()) == 1), outcomes[1]
    searcher = open_searcher(index_dir)
    try:
        assert searcher.passage_count > 0
    finally:
        searcher.close()
    assert not list((index_dir / "versions").glob(".tmp-*"))


@contextmanager
def tmpfs(path: Path, size: str):
    path.mkdir(parents=True, exist_ok=True)
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(path)],
                             capture_output=True, text=True)
    if mounted.returncode != 0:
        missing(f"cannot mount a tmpfs here ({mounted.stderr.strip() or 'not root'}); "
                    "read-only and full-disk builds need it")
    try:
        yield path
    finally:
        subprocess.run(["umount", "-l", str(path)], capture_output=True)


@pytest.mark.parametrize("fault", ["read-only", "full"])
def test_build_on_a_read_only_or_full_disk_fails_clearly_and_the_old_index_serves(tmp_path, fault):
    sources = copy_seeds(tmp_path / "sources")
    # The tmpfs is the index folder itself, so the server's log (beside it) stays writable.
    with tmpfs(tmp_path / "srv" / "index", "2m" if fault == "full" else "16m") as index_dir:
        first = pinpoint_index(sources, index_dir)
        assert first.wait(timeout=120) == 0, first.stderr.read()
        version = (index_dir / "CURRENT").read_text().strip()
        for n in range(3):  # new text, so the next build has to write
            (sources / f"more-{n}.txt").write_text(("New quokkaphilic text. " * 2000 + "\n\n") * 20, encoding="utf-8")
        with pinpoint_server(index_dir, workers=1) as (base, _):
            if fault == "read-only":
                subprocess.run(["mount", "-o", "remount,ro", str(index_dir)], check=True)
            else:
                subprocess.run(["dd", "if=/dev/zero", f"of={index_dir / 'filler'}", "bs=64k"], capture_output=True)
            with load(base, concurrency=4) as result:
                build = pinpoint_index(sources, index_dir)
                out, err = build.communicate(timeout=120)
            report(result, f"build on a {fault} disk")
            assert build.returncode == 1, (out, err)
            assert err.startswith("pinpoint: error:") and len(err.strip().splitlines()) == 1, err
            expected = "Read-only file system" if fault == "read-only" else "No space left on device"
            assert expected in err, err
            assert (index_dir / "CURRENT").read_text().strip() == version
            status, body = get_json(f"{base}/search?q=alliance")
            assert status == 200 and body["total"] > 0
            assert not result.failures, result.failures[:5]
