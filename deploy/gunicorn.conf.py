"""Gunicorn settings for Pinpoint.

Everything that differs between machines comes from the environment
(PINPOINT_HOST, PINPOINT_PORT, PINPOINT_WORKERS), so the same file serves a
laptop, a systemd unit and a container.
"""

import multiprocessing
import os

bind = f"{os.environ.get('PINPOINT_HOST', '127.0.0.1')}:{os.environ.get('PINPOINT_PORT', '8000')}"
# In a container cpu_count() reports the node's cores, not the pod's CPU
# limit, so deployments there set PINPOINT_WORKERS explicitly.
workers = int(os.environ.get("PINPOINT_WORKERS", multiprocessing.cpu_count()))
wsgi_app = "service.wsgi:application"

# Each worker opens the index itself after fork: nothing index-related is
# created in the master, so workers never share file handles or caches, and a
# worker recycled by max_requests opens whatever version CURRENT names then.
preload_app = False

# Searches are CPU-bound and short; a request still running after 30 s is a
# pathological query, and killing its worker is better than queueing behind it.
timeout = 30
graceful_timeout = 20
keepalive = 5

# Recycling workers bounds slow growth of per-worker caches; the jitter keeps
# all workers from restarting in the same second and dropping capacity at once.
max_requests = 2000
max_requests_jitter = 200

# The heartbeat file is touched on every request; on a disk-backed /tmp that
# can stall workers, and containers run with a read-only root file system.
worker_tmp_dir = "/dev/shm"

# Logs go to stdout/stderr where journald or the container runtime collects
# them.  The request id set by nginx ties a log line to the proxy's.
accesslog = "-"
errorlog = "-"
access_log_format = (
    '%(h)s "%(r)s" %(s)s %(b)s %(M)sms rid=%({x-request-id}o)s ua="%(a)s"'
)


def post_fork(server, worker):
    # Deliberately opens nothing: the app opens the index lazily inside the
    # worker (preload_app is False), so a fork never duplicates open index
    # files.  Logging the pid makes recycled workers visible in the journal.
    server.log.info("worker %s started", worker.pid)
