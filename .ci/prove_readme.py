"""Prove the README's two promises the way a newcomer meets them, before the suite runs.

1. In a fresh clone, ``make run`` (the default install only) serves the seeds:
   ``/search?q=Futenma`` puts the CFR passage first, cited to Xu, 2014 and a paragraph.
2. A wheel built from the repository, installed into a fresh venv and run
   from outside any checkout, indexes the seeds, answers ``/ready``,
   ``/search`` and the page, re-indexes over HTTP, and names the missing extra
   when asked for a style it cannot render.

On failure it prints the tail of the server's log; every server it starts is stopped.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from contextlib import contextmanager
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
CFR = "004_9574ace01beba1aa"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def run(cmd: list[str], **kwargs) -> None:
    print("$", " ".join(cmd), flush=True)
    subprocess.run(cmd, check=True, **kwargs)


def request(url: str, *, method: str = "GET", headers: dict | None = None, timeout: float = 10.0):
    req = urllib.request.Request(url, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            return resp.status, resp.headers, resp.read()
    except urllib.error.HTTPError as err:
        return err.code, err.headers, err.read()


@contextmanager
def server(cmd: list[str], *, cwd: Path, log: Path, env: dict, ready_url: str, startup: float):
    """Start ``cmd`` in its own process group; yield once ``ready_url`` answers 200."""
    print("$", " ".join(cmd), f"(in {cwd})", flush=True)
    with open(log, "wb") as out:
        proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=out, stderr=subprocess.STDOUT,
                                start_new_session=True)
    try:
        deadline = time.monotonic() + startup
        while True:
            if proc.poll() is not None:
                fail(f"{cmd[0]} exited with {proc.returncode} before answering", log)
            try:
                if request(ready_url, timeout=2)[0] == 200:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline:
                fail(f"no answer from {ready_url} after {startup:.0f} s", log)
            time.sleep(0.5)
        yield
    except BaseException:
        print(f"--- last lines of {log} ---\n" + "\n".join(log.read_text(errors="replace").splitlines()[-40:]))
        raise
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()


def fail(message: str, log: Path | None = None):
    raise SystemExit(f"prove_readme: {message}")


def check_futenma(base: str) -> None:
    status, _, body = request(f"{base}/search?q=Futenma")
    assert status == 200, (status, body[:500])
    top = json.loads(body)["hits"][0]
    in_text = top["citation"]["in_text"]
    assert top["source_id"] == CFR, top["source_id"]
    assert in_text.startswith("(Xu, 2014, para. ") and "futenma" in top["text"].lower(), in_text
    print(f"ok: /search?q=Futenma -> {top['passage_id']} {in_text}", flush=True)


def prove_make_run(work: Path) -> None:
    clone = work / "clone"
    run(["git", "clone", "-q", str(REPO), str(clone)])
    port = free_port()
    env = {**os.environ, "PORT": str(port)}
    base = f"http://127.0.0.1:{port}"
    with server(["make", "run", f"PORT={port}"], cwd=clone, log=work / "make-run.log", env=env,
                ready_url=f"{base}/ready", startup=900):
        check_futenma(base)


def prove_wheel(work: Path) -> None:
    venv, dist, elsewhere = work / "wheel-venv", work / "dist", work / "elsewhere"
    elsewhere.mkdir()
    run([sys.executable, "-m", "venv", str(venv)])
    pip = [str(venv / "bin" / "python"), "-m", "pip", "-q"]
    run([*pip, "wheel", "--no-deps", "-w", str(dist), str(REPO)])
    wheel = next(dist.glob("pinpoint-*.whl"))
    run([*pip, "install", str(wheel)])
    pinpoint = str(venv / "bin" / "pinpoint")
    sources, index = work / "sources", work / "index"
    run(["cp", "-r", str(REPO / "seeds"), str(sources)])
    # A saved web page too: HTML extraction pulls in lxml's cleaner, which lxml 6 no longer ships.
    run(["cp", str(REPO / "tests" / "fixtures" / "sources" / "page.html"), str(sources / "saved-page.html")])
    built = subprocess.run([pinpoint, "index", str(sources), "--index", str(index), "--quiet"], cwd=elsewhere,
                           capture_output=True, text=True)
    print(built.stdout + built.stderr, end="")
    assert built.returncode == 0 and "6 sources" in built.stdout and "skipped" not in built.stdout, built
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    token = "prove-readme-token"
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    env.update(PINPOINT_ADMIN_TOKEN=token, PINPOINT_SOURCES=str(sources), PINPOINT_RELOAD_SECONDS="0.5")
    with server([pinpoint, "serve", "--index", str(index), "--port", str(port), "--workers", "2"],
                cwd=elsewhere, log=work / "wheel-serve.log", env=env, ready_url=f"{base}/ready", startup=120):
        check_futenma(base)
        status, headers, body = request(f"{base}/?q=Futenma")
        assert status == 200 and b"Futenma" in body and "text/html" in headers["Content-Type"], status
        print("ok: the page answers from the wheel (templates and static files are packaged)")
        status, _, body = request(f"{base}/static/pinpoint.css")
        assert status == 200 and body, status
        status, headers, body = request(f"{base}/search?q=Futenma&style=nature")
        problem = json.loads(body)
        assert status == 501 and headers["Content-Type"].startswith("application/problem+json"), (status, body)
        assert "pinpoint[csl]" in problem["detail"], problem
        print(f"ok: a style the base install lacks is a 501 naming the extra: {problem['detail']}")
        (sources / "added-note.txt").write_text(
            "A note added after the first build.\n\nThe quetzalcoatlian passage proves the re-index ran.\n",
            encoding="utf-8")
        auth = {"Authorization": f"Bearer {token}"}
        status, _, body = request(f"{base}/admin/reindex", method="POST", headers=auth)
        assert status == 202, (status, body)
        deadline = time.monotonic() + 120
        while True:
            state = json.loads(request(f"{base}/admin/reindex", headers=auth)[2])
            if state["state"] in {"succeeded", "failed"}:
                break
            assert time.monotonic() < deadline, state
            time.sleep(0.5)
        assert state["state"] == "succeeded", state
        deadline = time.monotonic() + 30
        while json.loads(request(f"{base}/search?q=quetzalcoatlian")[2]).get("total", 0) < 1:
            assert time.monotonic() < deadline, "the re-indexed version never became searchable"
            time.sleep(0.5)
        print(f"ok: re-index over HTTP from the wheel: {state['message']}")


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="pinpoint-prove-") as tmp:
        work = Path(tmp)
        steps = sys.argv[1:] or ["make-run", "wheel"]
        if "make-run" in steps:
            prove_make_run(work)
        if "wheel" in steps:
            prove_wheel(work)
    print("prove_readme: the README's commands work on a fresh clone and from a wheel")
    return 0


if __name__ == "__main__":
    sys.exit(main())
