"""Gunicorn settings for Pinpoint (refined in the deployment work)."""

import multiprocessing
import os

bind = f"{os.environ.get('PINPOINT_HOST', '127.0.0.1')}:{os.environ.get('PINPOINT_PORT', '8000')}"
workers = int(os.environ.get("PINPOINT_WORKERS", multiprocessing.cpu_count()))
wsgi_app = "service.wsgi:application"
# Each worker opens the index itself after fork: nothing index-related is
# created in the master, so workers never share file handles or caches.
preload_app = False
timeout = 30
graceful_timeout = 20
