"""Prometheus metrics: request counts and latencies by route, the served index, caches.

Under gunicorn every worker is a separate process, so each one writes its
samples to memory-mapped files in ``PROMETHEUS_MULTIPROC_DIR`` (prepared by
the master in ``deploy/gunicorn.conf.py``) and ``GET /metrics``, whichever
worker answers it, adds them all up with ``MultiProcessCollector``.  Without
that directory (a TestClient, a single-process server) the samples live in
this process and ``/metrics`` reports them directly.

prometheus_client chooses between those two storages when it is first
imported, from the environment; that is why the master must never import
this module before the directory is set.
"""

from __future__ import annotations

import logging
import time
from pathlib import Path

import falcon
from prometheus_client import CollectorRegistry, Counter, Histogram, disable_created_metrics
from prometheus_client.core import GaugeMetricFamily, InfoMetricFamily
from prometheus_client.multiprocess import MultiProcessCollector

from pinpoint.index.errors import IndexNotFound

# Multiprocess mode has no *_created series; leaving them out in a single
# process too keeps /metrics the same shape however Pinpoint is served.
disable_created_metrics()

log = logging.getLogger("pinpoint.metrics")

# Searches take milliseconds; gunicorn kills a request at 30 s, so nothing lands past that.
LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)
# Label values for requests that matched no route: one value each, whatever
# the path, so a scanner probing random URLs cannot blow up the series count.
UNMATCHED_ROUTE = "(unmatched)"
OTHER_METHOD = "(other)"

REQUESTS = Counter(
    "pinpoint_http_requests",
    "HTTP requests answered, by method, route template and status code.",
    ("method", "route", "status"),
    registry=None,
)
LATENCY = Histogram(
    "pinpoint_http_request_duration_seconds",
    "Time from the request reaching the app to the response leaving it, by route template and status.",
    ("method", "route", "status"),
    buckets=LATENCY_BUCKETS,
    registry=None,
)
CACHE_LOOKUPS = Counter(
    "pinpoint_cache_lookups",
    "Lookups in Pinpoint's in-process caches, by cache name and result (hit or miss).",
    ("cache", "result"),
    registry=None,
)
PROCESS_METRICS = (REQUESTS, LATENCY, CACHE_LOOKUPS)


def cache_hit(name: str) -> None:
    """Count a hit in the cache called ``name`` (a fixed identifier, never a key)."""
    CACHE_LOOKUPS.labels(cache=name, result="hit").inc()


def cache_miss(name: str) -> None:
    """Count a miss in the cache called ``name`` (a fixed identifier, never a key)."""
    CACHE_LOOKUPS.labels(cache=name, result="miss").inc()


def route_label(uri_template: str | None, path: str, static_prefixes: tuple[str, ...] = ()) -> str:
    """The route template a request matched: bounded, unlike the raw path."""
    if uri_template:
        return uri_template
    for prefix in static_prefixes:
        if path == prefix or path.startswith(prefix.rstrip("/") + "/"):
            return prefix.rstrip("/") + "/{path}"
    return UNMATCHED_ROUTE


class RequestMetrics:
    """Falcon middleware counting and timing every request, errors included.

    ``static_prefixes`` are the prefixes given to ``add_static_route``: Falcon
    reports no template for those, so they are labelled ``PREFIX/{path}``.
    """

    def __init__(self, static_prefixes: tuple[str, ...] = ()):
        self._static_prefixes = tuple(static_prefixes)
        self._write_failure_logged = False

    def process_request(self, req: falcon.Request, resp: falcon.Response) -> None:
        req.context.metrics_started = time.perf_counter()

    def process_response(self, req, resp, resource, req_succeeded) -> None:
        started = getattr(req.context, "metrics_started", None)
        if started is None:
            return
        labels = {
            "method": req.method if req.method in falcon.COMBINED_METHODS else OTHER_METHOD,
            "route": route_label(req.uri_template, req.path, self._static_prefixes),
            "status": str(resp.status_code),
        }
        try:
            REQUESTS.labels(**labels).inc()
            LATENCY.labels(**labels).observe(time.perf_counter() - started)
        except OSError:
            # Under gunicorn the samples go to files in PROMETHEUS_MULTIPROC_DIR;
            # a full or vanished tmpfs must cost the metrics, never the answer.
            if not self._write_failure_logged:
                log.warning("cannot record request metrics", exc_info=True)
                self._write_failure_logged = True


class IndexCollector:
    """The index version and size as the answering worker sees them, read at scrape time.

    Reading at scrape time (rather than keeping gauges per worker) means the
    figures are never stale; every worker reopens the newest version within
    ``PINPOINT_RELOAD_SECONDS``, so any worker's view is the service's view.
    """

    def __init__(self, index):
        self._index = index

    def collect(self):
        ready = GaugeMetricFamily("pinpoint_index_ready", "1 when an index version is open and answering, else 0.")
        try:
            searcher = self._index.searcher()
        except IndexNotFound:
            ready.add_metric([], 0)
            yield ready
            return
        ready.add_metric([], 1)
        yield ready
        info = InfoMetricFamily("pinpoint_index", "The index version being served.")
        info.add_metric([], {"version": str(searcher.version)})
        yield info
        passages = GaugeMetricFamily("pinpoint_index_passages", "Passages in the served index version.")
        passages.add_metric([], searcher.passage_count)
        yield passages
        sources = GaugeMetricFamily("pinpoint_index_sources", "Sources in the served index version.")
        sources.add_metric([], len(searcher.sources()))
        yield sources


class AllWorkersCollector:
    """Every worker's samples, read from the shared directory at each scrape.

    ``MultiProcessCollector`` refuses to be built when the directory is
    missing; building it per scrape, rather than when a worker starts, means a
    directory removed under a running server costs the figures, not the
    worker (and a worker that fails to boot makes gunicorn stop the service).
    """

    def __init__(self, directory: Path):
        self._directory = Path(directory)

    def collect(self):
        try:
            collector = MultiProcessCollector(None, path=str(self._directory))
        except ValueError:
            log.warning("metrics directory %s is missing: /metrics reports no request figures", self._directory)
            return
        yield from collector.collect()


def metrics_registry(index, multiprocess_dir: Path | None) -> CollectorRegistry:
    """A registry for ``/metrics``: every worker's samples when ``multiprocess_dir`` is set,
    this process's otherwise, plus the served index."""
    registry = CollectorRegistry(auto_describe=False)
    if multiprocess_dir is not None:
        registry.register(AllWorkersCollector(multiprocess_dir))
    else:
        for metric in PROCESS_METRICS:
            registry.register(metric)
    registry.register(IndexCollector(index))
    return registry

