"""Re-indexing over HTTP: a background build whose state every worker can read.

Gunicorn runs several worker processes, so the state of a re-index lives in a
file beside the index (``.reindex.json``), not in memory: a POST answered by
one worker and a GET answered by another see the same thing.  The build runs
in its own process (``python -m pinpoint.service.admin``) so a slow or crashing build
never holds up or takes down a worker; ``pinpoint.index.store.build``'s lock and atomic
publish keep the served version intact whatever happens to it.
"""

from __future__ import annotations

import argparse
import fcntl
import hashlib
import hmac
import json
import os
import signal
import subprocess
import sys
import threading
import time
import traceback
from collections.abc import Sequence
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path

STATUS_FILE = ".reindex.json"
SPAWN_LOCK_FILE = ".reindex.lock"
LOG_FILE = ".reindex.log"
# PINPOINT_REINDEX_SECONDS: a build that never ends (a symlink loop did) must
# not leave the state "running" and refuse every later POST with 409.
DEFAULT_TIME_LIMIT = 3600.0
# How long past its deadline a build that did not stop itself is killed.
KILL_GRACE_SECONDS = 30.0


class ReindexRunning(RuntimeError):
    """A re-index started earlier is still running."""


def token_matches(expected: str, authorization: str | None) -> bool:
    """Whether an ``Authorization: Bearer <token>`` header carries ``expected``.

    Both sides are hashed first so the comparison takes the same time whatever
    the given token's length or content.
    """
    if not expected or not expected.strip() or not authorization:
        return False  # a blank token would match a blank bearer: admin stays off
    scheme, _, given = authorization.partition(" ")
    if scheme.lower() != "bearer":
        return False
    digest = lambda text: hashlib.sha256(text.strip().encode("utf-8", "surrogatepass")).digest()  # noqa: E731
    return hmac.compare_digest(digest(given), digest(expected))


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def _pid_alive(pid: int | None) -> bool:
    if not pid:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


@contextmanager
def _spawn_lock(index_dir: Path):
    index_dir.mkdir(parents=True, exist_ok=True)
    with open(index_dir / SPAWN_LOCK_FILE, "a+") as handle:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


def _write_status(index_dir: Path, status: dict) -> None:
    temp = index_dir / f"{STATUS_FILE}.{os.getpid()}.tmp"
    temp.write_text(json.dumps(status), encoding="utf-8")
    os.replace(temp, index_dir / STATUS_FILE)


def read_status(index_dir: Path) -> dict:
    """The last re-index's state: idle, running, succeeded or failed."""
    index_dir = Path(index_dir)
    try:
        status = json.loads((index_dir / STATUS_FILE).read_text(encoding="utf-8"))
    except (FileNotFoundError, json.JSONDecodeError):
        return {"state": "idle", "started": None, "finished": None, "version": None, "message": None}
    if status.get("state") == "running" and not _pid_alive(status.get("pid")):
        # Killed before it could say so (SIGKILL, OOM, reboot): the served index is untouched.
        status.update(state="failed", message="the re-index process died before finishing; the served index is unchanged")
    elif status.get("state") == "running" and time.time() > status.get("deadline", float("inf")) + KILL_GRACE_SECONDS:
        # The build stops itself at its deadline; one stuck where its alarm cannot
        # reach (inside a C call) is ended here, so "running" never lasts forever.
        _kill_group(status["pid"])
        status.update(state="failed", finished=_now(),
                      message="the re-index ran past its time limit and was stopped; the served index is unchanged")
        with _spawn_lock(index_dir):
            _write_status(index_dir, {k: v for k, v in status.items() if k != "pid"})
    status.pop("pid", None)
    status.pop("deadline", None)
    return status


def _kill_group(pid: int) -> None:
    try:
        os.killpg(pid, signal.SIGKILL)  # started with start_new_session: its group is its own
    except (ProcessLookupError, PermissionError):
        pass


def start_reindex(index_dir: Path, sources: Sequence[Path], time_limit: float = DEFAULT_TIME_LIMIT,
                  max_source_bytes: int | None = None) -> dict:
    """Start ``python -m pinpoint.service.admin`` building ``sources`` into ``index_dir``; raise ReindexRunning."""
    index_dir = Path(index_dir)
    with _spawn_lock(index_dir):
        if read_status(index_dir)["state"] == "running":
            raise ReindexRunning("a re-index is already running; GET /admin/reindex shows its progress")
        # The child imports Pinpoint from the same interpreter's installed
        # package, never from a checkout, so a wheel install re-indexes too.
        env = dict(os.environ)
        with open(index_dir / LOG_FILE, "ab") as log:
            proc = subprocess.Popen(
                [sys.executable, "-m", "pinpoint.service.admin", "--index", str(index_dir.resolve()),
                 "--time-limit", str(time_limit),
                 *(["--max-source-bytes", str(max_source_bytes)] if max_source_bytes else []),
                 *[str(Path(s).resolve()) for s in sources]],
                cwd=index_dir, env=env, stdin=subprocess.DEVNULL, stdout=log, stderr=log,
                start_new_session=True,
            )
        status = {"state": "running", "started": _now(), "finished": None, "version": None,
                  "message": None, "pid": proc.pid, "deadline": time.time() + time_limit}
        _write_status(index_dir, status)
    # Reap the child when it ends so a long-lived worker collects no zombies.
    threading.Thread(target=proc.wait, name="pinpoint-reindex-reaper", daemon=True).start()
    return read_status(index_dir)


class TimeLimitExceeded(Exception):
    """The re-index ran longer than its time limit (PINPOINT_REINDEX_SECONDS)."""


def _on_alarm(signum, frame):
    raise TimeLimitExceeded()


def run_reindex(index_dir: Path, sources: Sequence[Path], engine: str | None = None,
                time_limit: float = DEFAULT_TIME_LIMIT, max_source_bytes: int | None = None,
                pdf_limits=None) -> int:
    """The body of the background process: build within ``time_limit`` seconds, then record the outcome."""
    from pinpoint.index.store.build import build_index
    from pinpoint.index.errors import IndexError_

    started = _now()
    extra = {"max_source_bytes": max_source_bytes} if max_source_bytes else {}
    if pdf_limits is not None:
        extra["pdf_limits"] = pdf_limits
    signal.signal(signal.SIGALRM, _on_alarm)
    signal.setitimer(signal.ITIMER_REAL, time_limit)
    try:
        report = build_index(list(sources), index_dir, engine=engine, **extra)
    except TimeLimitExceeded:
        outcome = {"state": "failed", "version": None,
                   "message": f"the re-index took longer than its time limit ({time_limit:g} s, "
                              "PINPOINT_REINDEX_SECONDS) and was stopped; the served index is unchanged"}
    except (IndexError_, OSError, ValueError) as problem:
        outcome = {"state": "failed", "version": None, "message": str(problem)}
    except Exception as problem:  # noqa: BLE001 - recorded for the operator, never re-raised into a worker
        traceback.print_exc()
        outcome = {"state": "failed", "version": None,
                   "message": f"the build failed unexpectedly ({type(problem).__name__}); see {LOG_FILE}"}
    else:
        signal.setitimer(signal.ITIMER_REAL, 0)
        skipped = f", {len(report.skipped)} files skipped" if report.skipped else ""
        outcome = {"state": "succeeded", "version": report.version,
                   "message": f"{report.sources} sources, {report.passages} passages{skipped}"}
    with _spawn_lock(index_dir):
        _write_status(index_dir, {"started": started, "finished": _now(), **outcome})
    return 0 if outcome["state"] == "succeeded" else 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m pinpoint.service.admin", description="re-index in the background")
    parser.add_argument("--index", required=True)
    parser.add_argument("--time-limit", type=float, default=DEFAULT_TIME_LIMIT)
    parser.add_argument("--max-source-bytes", type=int)
    parser.add_argument("sources", nargs="+")
    args = parser.parse_args(argv)
    from pinpoint.index.ingest.pdf.limits import PdfLimits
    from pinpoint.service.config import config_from_env  # the serving workers' settings, inherited

    config = config_from_env()
    return run_reindex(Path(args.index), [Path(s) for s in args.sources], config.engine,
                       args.time_limit, args.max_source_bytes,
                       PdfLimits(config.pdf_time_limit, config.pdf_memory_mb))


if __name__ == "__main__":
    sys.exit(main())
