"""Start real `pinpoint serve` processes for tests, and fail loudly when they don't come up."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
from contextlib import contextmanager
from pathlib import Path

from tests.conftest import PINPOINT, ROOT, free_port

DEPLOY = ROOT / "deploy"


def get(url: str, timeout: float = 5.0):
    """(status, headers (case-insensitive), body) for a GET, errors included."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as resp:
            return resp.status, resp.headers, resp.read()
    except urllib.error.HTTPError as err:
        return err.code, err.headers, err.read()


def get_json(url: str, timeout: float = 5.0) -> tuple[int, dict]:
    status, _, body = get(url, timeout)
    return status, json.loads(body)


def worker_pids(master: int) -> set[int]:
    """The live child processes of a gunicorn master (its workers)."""
    children = set()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == master:
            children.add(int(stat.parent.name))
    return children


def stop_process_group(proc: subprocess.Popen, grace: float = 20) -> None:
    """SIGTERM a server started with start_new_session=True and its workers; SIGKILL if it lingers."""
    if proc.poll() is not None:
        return
    os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()


@contextmanager
def pinpoint_server(index_dir: Path, *, workers: int = 2, env: dict[str, str] | None = None, startup: float = 30.0):
    """Yield the base URL of a gunicorn-served Pinpoint on a free loopback port."""
    port = free_port()
    log_path = index_dir.parent / f"server-{port}.log"
    log = open(log_path, "wb")
    proc = subprocess.Popen(
        [*PINPOINT, "serve", "--index", str(index_dir), "--port", str(port), "--workers", str(workers)],
        cwd=ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
        env={**os.environ, **(env or {})},
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + startup
        while True:
            if proc.poll() is not None:
                raise AssertionError(f"pinpoint serve exited with {proc.returncode}:\n{log_path.read_text()}")
            try:
                if get(f"{base}/ready", timeout=1.0)[0] == 200:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise AssertionError(f"pinpoint serve not ready after {startup}s:\n{log_path.read_text()}")
            time.sleep(0.1)
        # /ready answers as soon as the first worker is up; gunicorn spawns the
        # rest a moment later, and tests that count or kill workers need them all.
        while len(worker_pids(proc.pid)) < workers:
            if time.monotonic() > deadline:
                raise AssertionError(f"only {worker_pids(proc.pid)} of {workers} workers started:\n{log_path.read_text()}")
            time.sleep(0.05)
        proc.log_path = log_path
        yield base, proc
    finally:
        stop_process_group(proc)
        log.close()


def nginx_prefix(upstream_ports: list[int], listen_port: int) -> Path:
    """A private nginx prefix holding deploy/nginx with test upstreams and port."""
    # mkdtemp under /tmp rather than pytest's 0700 tree: when the suite runs as
    # root, nginx workers drop to `nobody` and must reach their temp paths.
    prefix = Path(tempfile.mkdtemp(prefix="pinpoint-nginx-"))
    prefix.chmod(0o755)
    conf = prefix / "conf"
    for sub in (conf, prefix / "logs", prefix / "tmp"):
        sub.mkdir(mode=0o755)
    shutil.copy(DEPLOY / "nginx" / "nginx.conf", conf / "nginx.conf")
    site = (DEPLOY / "nginx" / "pinpoint.conf").read_text()
    if site.count("listen 80;") != 1:
        raise AssertionError("pinpoint.conf should listen on port 80 exactly once")
    (conf / "pinpoint.conf").write_text(site.replace("listen 80;", f"listen 127.0.0.1:{listen_port};"))
    # max_fails=0 keeps every backend in rotation, so each request's fate
    # depends only on the retry rules under test, not on earlier failures.
    (conf / "pinpoint-upstreams.conf").write_text(
        "".join(f"server 127.0.0.1:{port} max_fails=0;\n" for port in upstream_ports)
    )
    return prefix
