"""``GET /metrics``: Prometheus's text exposition format, for scrapers rather than people."""

from __future__ import annotations

from pathlib import Path

import falcon
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from pinpoint.service.metrics import metrics_registry


class MetricsResource:
    def __init__(self, index, multiprocess_dir: Path | None = None):
        self._registry = metrics_registry(index, multiprocess_dir)

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        resp.data = generate_latest(self._registry)
        resp.content_type = CONTENT_TYPE_LATEST
        # A cached scrape would report old counters as if they were current.
        resp.cache_control = ["no-store"]
