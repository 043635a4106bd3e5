"""Three `pinpoint serve` replicas behind deploy/nginx survive losing one under load.

Everything is real: Debian's nginx with the shipped proxy rules, three
gunicorn instances started by the CLI sharing one index built from seeds/,
and clients on http.client.  Midway one instance's whole process group is
SIGKILLed, as a crashed machine would be.  nginx retries idempotent requests
elsewhere, so clients see no error; the one exception no proxy can mend is an
answer the victim was half-way through sending when it died.
"""

from __future__ import annotations

import http.client
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from tests.prerequisites import missing, tool

pytestmark = [pytest.mark.load, pytest.mark.slow]

REPO = Path(__file__).resolve().parents[1]
DEPLOY = REPO / "deploy"
PINPOINT = Path(sys.executable).parent / "pinpoint"
# Bounded on purpose: traffic only on loopback, for a fixed time.
LOAD_SECONDS = float(os.environ.get("PINPOINT_LOAD_SECONDS", "12"))
CLIENTS = 6
QUERIES = ["futenma", "relocation", "marine base", "okinawa", "security alliance", "japan"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(port: int, path: str, timeout: float = 10) -> int:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request("GET", path)
        resp = conn.getresponse()
        resp.read()
        return resp.status
    finally:
        conn.close()


def _wait_ready(port: int, process: subprocess.Popen, what: str, log: Path, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            break
        try:
            if _get(port, "/ready", timeout=2) == 200:
                return
        except OSError:
            pass
        time.sleep(0.1)
    process.kill()
    process.wait()
    pytest.fail(f"{what} on port {port} did not become ready (exit {process.returncode}):\n{log.read_text()}")


def _log_file(path: Path):
    # A file, not a pipe: nobody reads during the load, and a full pipe
    # would block gunicorn's access log and stall the very workers under test.
    return open(path, "w")


def _start_nginx(prefix: Path, upstream_ports: list[int], listen_port: int) -> subprocess.Popen:
    nginx = tool("nginx", "nginx")
    conf = prefix / "conf"
    for sub in (conf, prefix / "logs", prefix / "tmp"):
        sub.mkdir(mode=0o755, parents=True)
    shutil.copy(DEPLOY / "nginx" / "nginx.conf", conf)
    site = (DEPLOY / "nginx" / "pinpoint.conf").read_text()
    (conf / "pinpoint.conf").write_text(site.replace("listen 80;", f"listen 127.0.0.1:{listen_port};"))
    shipped = (DEPLOY / "nginx" / "pinpoint-upstreams.conf").read_text()
    server_options = re.search(r"^server \S+ (.*);$", shipped, re.MULTILINE).group(1)
    (conf / "pinpoint-upstreams.conf").write_text(
        "".join(f"server 127.0.0.1:{port} {server_options};\n" for port in upstream_ports)
    )
    with _log_file(prefix / "logs" / "stdout.log") as log:
        return subprocess.Popen(
            [nginx, "-p", str(prefix), "-c", str(conf / "nginx.conf"), "-g", "daemon off;"],
            stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        )


@pytest.fixture
def cluster():
    if not PINPOINT.exists():
        missing(f"no pinpoint entry point at {PINPOINT} (pip install -e .)")
    # Under /tmp with 0755: nginx workers run as `nobody` when the suite runs as root.
    work = Path(tempfile.mkdtemp(prefix="pinpoint-replicas-"))
    work.chmod(0o755)
    index = work / "index"
    build = subprocess.run(
        [str(PINPOINT), "index", str(REPO / "seeds"), "--index", str(index), "--quiet"],
        capture_output=True, text=True, timeout=120,
    )
    assert build.returncode == 0, build.stdout + build.stderr

    processes: list[subprocess.Popen] = []
    ports = [_free_port() for _ in range(3)]
    try:
        for port in ports:
            # Own session, so killing the instance kills its master and workers.
            with _log_file(work / f"serve-{port}.log") as log:
                processes.append(subprocess.Popen(
                    [str(PINPOINT), "serve", "--index", str(index), "--port", str(port), "--workers", "1"],
                    stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
                ))
        for port, process in zip(ports, processes):
            _wait_ready(port, process, "pinpoint serve", work / f"serve-{port}.log")
        proxy_port = _free_port()
        nginx = _start_nginx(work / "nginx", ports, proxy_port)
        processes.append(nginx)
        _wait_ready(proxy_port, nginx, "nginx", work / "nginx" / "logs" / "error.log")
        yield {"proxy": proxy_port, "instances": list(zip(ports, processes[:3])), "log": work / "nginx/logs/access.log"}
    finally:
        for process in processes:
            if process.poll() is None:
                # Each process leads its own group (serve: start_new_session;
                # nginx: its workers follow the master on TERM anyway).
                try:
                    os.killpg(process.pid, signal.SIGTERM)
                except ProcessLookupError:
                    pass
        for process in processes:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
        shutil.rmtree(work, ignore_errors=True)


def test_no_client_sees_a_failure_when_a_replica_dies_under_load(cluster):
    proxy = cluster["proxy"]
    deadline = time.monotonic() + LOAD_SECONDS
    outcomes: Counter[str] = Counter()
    lock = threading.Lock()

    def client(n: int) -> None:
        i = 0
        while time.monotonic() < deadline:
            q = QUERIES[(n + i) % len(QUERIES)].replace(" ", "+")
            try:
                outcome = str(_get(proxy, f"/search?q={q}&limit=5"))
            except (OSError, http.client.HTTPException) as problem:
                outcome = type(problem).__name__
            with lock:
                outcomes[outcome] += 1
            i += 1

    victim_port, victim = cluster["instances"][1]
    with ThreadPoolExecutor(CLIENTS) as pool:
        futures = [pool.submit(client, n) for n in range(CLIENTS)]
        time.sleep(LOAD_SECONDS / 3)
        os.killpg(victim.pid, signal.SIGKILL)
        victim.wait(timeout=10)
        for future in futures:
            future.result()

    total = sum(outcomes.values())
    failed = total - outcomes["200"]
    print(f"\n{total} requests in {LOAD_SECONDS:.0f} s through nginx, {failed} failed: {dict(outcomes)}")
    served_by = Counter(re.findall(r"upstream=(\S+)", cluster["log"].read_text()))
    assert total > 50, f"the load barely ran: {dict(outcomes)}"
    # nginx retries every request the dead instance had not started answering.
    # One it was half-way through sending (headers out, body not) cannot be
    # replayed by any proxy.  The victim's one worker runs threads
    # (PINPOINT_THREADS), so every client may have had an answer in flight
    # there: at most one truncated answer per client, and never a 5xx.
    truncated = sum(n for kind, n in outcomes.items() if kind in ("IncompleteRead", "RemoteDisconnected"))
    assert failed == truncated <= CLIENTS, f"clients saw failures after a replica died: {dict(outcomes)}"
    # All three took traffic before the kill, and the survivors carried on.
    for port, _ in cluster["instances"]:
        assert any(str(port) in addr for addr in served_by), f"instance {port} never served: {served_by}"
    for port, process in cluster["instances"]:
        if port != victim_port:
            assert process.poll() is None and _get(port, "/ready") == 200
