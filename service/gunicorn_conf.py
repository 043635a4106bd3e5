"""Gunicorn settings for Pinpoint, shipped inside the package.

`pinpoint serve` runs gunicorn with ``--config python:pinpoint.service.gunicorn_conf``,
so an installed wheel serves without a checkout.  Everything that differs
between machines comes from the environment (PINPOINT_HOST, PINPOINT_PORT,
PINPOINT_WORKERS), so the same settings serve a laptop, a systemd unit and a
container; ``deploy/gunicorn.conf.py`` is the operator's file and imports these.
"""

import os

from pinpoint.service.config import config_from_env as _config_from_env

# The one settings object, read from the environment as every worker will read it.
_config = _config_from_env()
bind = f"{_config.host}:{_config.port}"
# In a container cpu_count() reports the node's cores, not the pod's CPU
# limit, so deployments there set PINPOINT_WORKERS explicitly.
workers = _config.workers
wsgi_app = "pinpoint.service.wsgi:application"

# Each worker opens the index itself after fork: nothing index-related is
# created in the master, so workers never share file handles or caches, and a
# worker recycled by max_requests opens whatever version CURRENT names then.
preload_app = False

# Threaded workers (pinpoint.service.gunicorn_worker): a slow client holds one thread,
# never the process, and must send its whole request within
# PINPOINT_CLIENT_TIMEOUT seconds.  Searches share one Whoosh searcher per
# process under a lock (CPU-bound work gains nothing from threads under the
# GIL); the threads are for clients on slow links and for the cheap routes
# (/health, /ready, static files) that must answer while a search runs.  32 is
# far above the 4 slow connections per worker issue 16 asks to absorb: the
# kernel may hand every one of them to the same worker.
worker_class = "pinpoint.service.gunicorn_worker.PinpointWorker"
threads = _config.threads

# The heartbeat comes from the worker's main loop, not from a request thread:
# the timeout catches a stuck process, while a long search only holds its own
# thread.
timeout = 30
graceful_timeout = 20
keepalive = 5

# Recycling workers bounds slow growth of per-worker caches; the jitter keeps
# all workers from restarting in the same second and dropping capacity at once.
# Evenly loaded workers reach max_requests together, so the jitter must be wide:
# with 200, both workers of a 2-worker server restarted within 0.5 s of each
# other and 1-connection p99 went from 7 ms to 181 ms (tests/benchmarks, wrk).
# Every per-worker cache is bounded (results, term lookups, filters), and at
# 300-450 searches a second 2,000 requests recycled a worker every 5-10 s: it
# reopened the index with cold caches, and the clients it dropped reconnected
# to its sibling and stayed there (kept alive), so one worker of two answered
# a whole 16-connection run.
max_requests = 50_000
max_requests_jitter = 25_000

# The heartbeat file is touched on every request; on a disk-backed /tmp that
# can stall workers, and containers run with a read-only root file system.
worker_tmp_dir = "/dev/shm"

# Logs go to stdout/stderr where journald or the container runtime collects
# them.  The request id set by nginx ties a log line to the proxy's.  The
# logger class writes JSON lines (PINPOINT_LOG_FORMAT=json, the default) for
# gunicorn's own, access and application logs; with PINPOINT_LOG_FORMAT=text
# access lines follow access_log_format below.  Neither logs query strings
# (%(r)s would): they carry what people search for, and must never carry a secret.
accesslog = "-"
errorlog = "-"
logger_class = "pinpoint.service.logging_setup.GunicornLogger"
access_log_format = (
    '%(h)s "%(m)s %(U)s %(H)s" %(s)s %(b)s %(M)sms rid=%({x-request-id}o)s ua="%(a)s"'
)


def post_fork(server, worker):
    # Deliberately opens nothing: the app opens the index lazily inside the
    # worker (preload_app is False), so a fork never duplicates open index
    # files.  Logging the pid makes recycled workers visible in the journal.
    server.log.info("worker %s started", worker.pid)


def when_ready(server):
    # Imports the code, and opens nothing: every worker, including each one
    # recycled by max_requests, forks with Falcon, Whoosh and the citation
    # styles already loaded and boots in milliseconds instead of re-importing
    # them (~0.6 s) while the other workers carry its load.  Runs after
    # on_starting, so prometheus_client sees PROMETHEUS_MULTIPROC_DIR.
    import pinpoint.service.app  # noqa: F401


def on_starting(server):
    # prometheus_client decides between in-process and file-backed metrics
    # when a worker first imports it, from this variable: it must be set here,
    # in the master, before any worker forks, so that /metrics (answered by
    # any one worker) can add up every worker's samples.
    import tempfile
    from pathlib import Path

    given = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if given:
        directory = Path(given)
        directory.mkdir(parents=True, exist_ok=True)
        # Counters left by an earlier run would otherwise be added to this one's.
        for stale in directory.glob("*.db"):
            stale.unlink()
    else:
        # tmpfs: every request writes to these files, and the root file system may be read-only.
        shm = "/dev/shm" if os.access("/dev/shm", os.W_OK) else None
        _remove_orphaned_metrics_dirs(Path(shm or tempfile.gettempdir()))
        directory = Path(tempfile.mkdtemp(prefix=f"pinpoint-metrics-{os.getpid()}-", dir=shm))
        os.environ["PROMETHEUS_MULTIPROC_DIR"] = str(directory)
        server.pinpoint_made_metrics_dir = directory
    server.log.info("worker metrics are shared through %s", directory)


def child_exit(server, worker):
    # Imported only now, after on_starting has set PROMETHEUS_MULTIPROC_DIR.
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)


def on_exit(server):
    import shutil

    made = getattr(server, "pinpoint_made_metrics_dir", None)
    if made is not None:
        shutil.rmtree(made, ignore_errors=True)


def _remove_orphaned_metrics_dirs(parent):
    # A master killed outright never runs on_exit; its directory names its pid,
    # so the next master can tell it is nobody's and remove it.
    import shutil

    for leftover in parent.glob("pinpoint-metrics-*-*"):
        try:
            os.kill(int(leftover.name.split("-")[2]), 0)
        except ValueError:
            continue
        except ProcessLookupError:
            shutil.rmtree(leftover, ignore_errors=True)
        except PermissionError:
            continue  # alive, someone else's
