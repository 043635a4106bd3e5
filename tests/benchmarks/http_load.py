"""HTTP figures with ``wrk``: latency at one connection, throughput at saturation.

Pinpoint runs as ``pinpoint serve --workers N`` (gunicorn with
deploy/gunicorn.conf.py); the bare Falcon peer runs under the same gunicorn
configuration.  A Lua script cycles through the query URLs and prints wrk's
own percentiles as one JSON line, so nothing is scraped from wrk's prose.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from contextlib import contextmanager
from pathlib import Path

from tests.benchmarks.corpus import ROOT, median
from tests.servers import stop_process_group

GUNICORN_CONF = ROOT / "deploy" / "gunicorn.conf.py"
SATURATION_CONNECTIONS = 8
WORKERS_SETTLE_S = 1.0
WARM_UP_S = 2

_LUA = """
local paths = {%s}
local i = 0
request = function()
  i = i %% #paths + 1
  return wrk.format("GET", paths[i])
end
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format('WRKJSON {"requests": %%d, "duration_us": %%d, "socket_errors": %%d, "non_2xx": %%d, '
    .. '"p50_us": %%d, "p95_us": %%d, "p99_us": %%d}\\n', summary.requests, summary.duration,
    e.connect + e.read + e.write + e.timeout, e.status,
    latency:percentile(50), latency:percentile(95), latency:percentile(99)))
end
"""


class WrkMissing(Exception):
    """wrk is not installed and could not be installed."""


def ensure_wrk() -> str:
    """Path to wrk, installing Debian's package when we are allowed to."""
    found = shutil.which("wrk")
    if found:
        return found
    if shutil.which("apt-get") and os.geteuid() == 0:
        subprocess.run(["apt-get", "install", "-y", "-qq", "wrk"], capture_output=True, check=False)
        found = shutil.which("wrk")
        if found:
            return found
    raise WrkMissing("wrk not found: install it (`apt-get install -y wrk`) for the HTTP figures")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _answered(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as resp:
            resp.read()
            return resp.status == 200
    except (urllib.error.URLError, OSError):
        return False


@contextmanager
def served(kind: str, index_dir: Path | None, workers: int, probe_path: str, log_dir: Path,
           extra_env: dict[str, str] | None = None):
    """Start Pinpoint (``kind="pinpoint"``) or the bare Falcon app; yield (base URL, master pid, seconds to first answer)."""
    port = _free_port()
    env = {**os.environ, "PINPOINT_PORT": str(port), "PINPOINT_HOST": "127.0.0.1", "PINPOINT_WORKERS": str(workers),
           **(extra_env or {})}
    if kind == "pinpoint":
        command = [sys.executable, "-m", "pinpoint.service.cli", "serve", "--index", str(index_dir),
                   "--port", str(port), "--workers", str(workers)]
    else:
        gunicorn = str(Path(sys.executable).parent / "gunicorn")
        command = [gunicorn, "--config", str(GUNICORN_CONF), "tests.benchmarks.bare_falcon:app"]
    log = open(log_dir / f"{kind}-{port}.log", "wb")
    started = time.monotonic()
    proc = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        while not _answered(base + probe_path):
            if proc.poll() is not None:
                raise RuntimeError(f"{kind} server exited with {proc.returncode}; see {log.name}")
            if time.monotonic() - started > 120:
                raise RuntimeError(f"{kind} server did not answer within 120 s; see {log.name}")
            time.sleep(0.01)
        first_answer = time.monotonic() - started
        # One worker answered; the others may still be loading the app, and a
        # wrk run starting now would hand every connection to the first one.
        time.sleep(WORKERS_SETTLE_S)
        yield base, proc.pid, first_answer
    finally:
        stop_process_group(proc)
        log.close()


def worker_rss_mb(master_pid: int, field: str = "VmRSS") -> list[float]:
    """``field`` of /proc/PID/status, in MB, of each process whose parent is the gunicorn master.

    VmRSS counts the pages of memory-mapped index files a worker has
    touched, which every worker shares through the page cache; RssAnon is
    the worker's own memory.
    """
    sizes = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            parent = int(stat.rsplit(")", 1)[1].split()[1])
            if parent != master_pid:
                continue
            for line in (entry / "status").read_text().splitlines():
                if line.startswith(f"{field}:"):
                    sizes.append(int(line.split()[1]) / 1024)
        except (OSError, ValueError, IndexError):
            continue
    return sorted(sizes)


def search_paths(queries: tuple[str, ...]) -> list[str]:
    return ["/search?" + urllib.parse.urlencode({"q": q}) for q in queries]


def run_wrk(wrk: str, base: str, paths: list[str], connections: int, seconds: float) -> dict:
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(_LUA % ", ".join(json.dumps(p) for p in paths))
    try:
        done = subprocess.run(
            [wrk, "-t1", f"-c{connections}", f"-d{seconds:g}s", "--timeout", "10s", "-s", script.name, base],
            capture_output=True, text=True, check=False,
        )
    finally:
        os.unlink(script.name)
    line = next((ln for ln in done.stdout.splitlines() if ln.startswith("WRKJSON ")), None)
    if line is None:
        raise RuntimeError(f"wrk gave no figures:\n{done.stdout}\n{done.stderr}")
    raw = json.loads(line[len("WRKJSON "):])
    return {
        "connections": connections,
        "requests": raw["requests"],
        "errors": raw["socket_errors"] + raw["non_2xx"],
        "req_per_s": raw["requests"] / (raw["duration_us"] / 1e6),
        "p50_ms": raw["p50_us"] / 1000, "p95_ms": raw["p95_us"] / 1000, "p99_ms": raw["p99_us"] / 1000,
    }


def median_of(runs: list[dict]) -> dict:
    keys = ("req_per_s", "p50_ms", "p95_ms", "p99_ms")
    merged = {k: round(median([r[k] for r in runs]), 2) for k in keys}
    merged.update(connections=runs[0]["connections"], runs=len(runs),
                  requests=sum(r["requests"] for r in runs), errors=sum(r["errors"] for r in runs))
    return merged


def measure_server(kind: str, index_dir: Path | None, query_sets, workers: int, seconds: float,
                   repeats: int, log_dir: Path, extra_env: dict[str, str] | None = None) -> dict:
    """Latency (1 connection) per query set, saturation throughput, worker RSS, time to first answer."""
    wrk = ensure_wrk()
    two_terms = next(qs for qs in query_sets if qs.name == "2-term")
    probe = search_paths(two_terms.queries[:1])[0]
    figures: dict = {"workers": workers}
    with served(kind, index_dir, workers, probe, log_dir, extra_env) as (base, master, first_answer_s):
        figures["first_answer_s"] = round(first_answer_s, 2)
        sets = query_sets if kind == "pinpoint" else [two_terms]
        figures["latency"] = {
            qs.name: median_of([run_wrk(wrk, base, search_paths(qs.queries), 1, seconds) for _ in range(repeats)])
            for qs in sets
        }
        figures["saturation"] = median_of([
            run_wrk(wrk, base, search_paths(two_terms.queries), SATURATION_CONNECTIONS, seconds)
            for _ in range(repeats)
        ])
        figures["worker_rss_mb"] = [round(x, 1) for x in worker_rss_mb(master)]
    return figures


def search_paths_matching(queries: list[tuple[str, str]]) -> list[str]:
    return ["/search?" + urllib.parse.urlencode({"q": q, "match": match}) for q, match in queries]


def measure_scale(index_dir: Path, queries: list[tuple[str, str]], workers: int, seconds: float, repeats: int,
                  log_dir: Path, connections: tuple[int, ...] = (2, 16)) -> dict:
    """Issue 15's HTTP table: Pinpoint with its result cache off and on, and bare Falcon, in one run.

    The query list is longer than any run's request count, so no query
    repeats within a run and the cache can only cost, never flatter.
    """
    wrk = ensure_wrk()
    paths = search_paths_matching(queries)
    figures: dict = {"workers": workers, "queries": len(paths)}
    for label, kind, env in (("pinpoint_cache_off", "pinpoint", {"PINPOINT_RESULT_CACHE": "0"}),
                             ("pinpoint_cache_on", "pinpoint", {}), ("bare_falcon", "bare", {})):
        with served(kind, index_dir if kind == "pinpoint" else None, workers, paths[0], log_dir, env) as (base, master, _):
            rows = {}
            # Unmeasured: every worker opens the index on its first search.
            cursor = run_wrk(wrk, base, paths, 4 * workers, WARM_UP_S)["requests"] % len(paths)
            # Each run starts where the last stopped: nothing a cache kept comes back.
            for n in connections:
                runs = []
                for _ in range(repeats):
                    run = run_wrk(wrk, base, paths[cursor:] + paths[:cursor], n, seconds) | {"load": os.getloadavg()[0]}
                    if run["requests"] + cursor > len(paths):
                        run["repeated_queries"] = True
                    cursor = (cursor + run["requests"]) % len(paths)
                    runs.append(run)
                rows[str(n)] = median_of(runs) | {"load_avg_1m": round(median([x["load"] for x in runs]), 2),
                                                  "queries_repeated": any(x.get("repeated_queries") for x in runs)}
            rows["worker_rss_mb"] = [round(x, 1) for x in worker_rss_mb(master)]
            rows["worker_private_mb"] = [round(x, 1) for x in worker_rss_mb(master, "RssAnon")]
        figures[label] = rows
    return figures
