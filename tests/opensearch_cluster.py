"""The real 3-node OpenSearch cluster the OpenSearch tests run against.

Three routes, in order:
- ``PINPOINT_OPENSEARCH_URL`` names a running cluster: it is used, never stopped.
- ``CI=true`` or ``PINPOINT_OPENSEARCH_START=1``: ``deploy/opensearch/cluster``
  starts three nodes on loopback (ports 9260-9262, transport 9360-9362), once
  per test run, waits for green with a bound, and stops them at the end of
  the run whatever happened.
- Otherwise a cluster already started on the default ports with
  ``deploy/opensearch/cluster start`` is used; with none, the tests skip and
  say how to get one.  Under CI a missing cluster fails instead.
"""

from __future__ import annotations

import dataclasses
import os
import subprocess
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "deploy" / "opensearch" / "cluster"
NODES = 3
TEST_HTTP_PORT = 9260
TEST_TRANSPORT_PORT = 9360
DEFAULT_HTTP_PORT = 9200
START_SECONDS = 240


@dataclass
class Cluster:
    """A running cluster: its node URLs, and (when the tests started it) how to kill and restart a node."""

    urls: tuple[str, ...]
    script_env: dict | None = None  # set when this run started the cluster

    @property
    def url(self) -> str:
        return ",".join(self.urls)

    def run(self, *args: str, timeout: float = START_SECONDS) -> str:
        if self.script_env is None:
            pytest.skip("this test kills and restarts nodes: it needs a cluster the test run started "
                        "(PINPOINT_OPENSEARCH_START=1), not one it was given")
        done = subprocess.run([str(SCRIPT), *args], env=self.script_env, capture_output=True, text=True, timeout=timeout)
        if done.returncode:
            raise RuntimeError(f"cluster {' '.join(args)} failed: {done.stderr.strip() or done.stdout.strip()}")
        return done.stdout


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/_cluster/health", timeout=3) as response:
            return response.status == 200
    except OSError:
        return False


def _unavailable(message: str):
    if os.environ.get("CI") == "true":
        pytest.fail(message)
    pytest.skip(message)


def _script_env(http_port: int, transport_port: int) -> dict:
    return {**os.environ, "OPENSEARCH_NODES": str(NODES), "OPENSEARCH_HTTP_PORT": str(http_port),
            "OPENSEARCH_TRANSPORT_PORT": str(transport_port), "OPENSEARCH_WAIT_SECONDS": str(START_SECONDS)}


def cluster_session():
    """Generator for the session fixture: yields a Cluster, stops it afterwards if it started it.

    While it runs, the engine's own settings (PINPOINT_OPENSEARCH_*) name the
    cluster, with 3 shards and 1 replica per index, for tests that make the
    engine by name (the contract suite with PINPOINT_TEST_ENGINES=opensearch).
    """
    saved = dict(os.environ)
    try:
        for cluster in _cluster():
            os.environ.setdefault("PINPOINT_OPENSEARCH_URL", cluster.url)
            os.environ.setdefault("PINPOINT_OPENSEARCH_INDEX", "test-contract")
            os.environ.setdefault("PINPOINT_OPENSEARCH_SHARDS", "3")
            os.environ.setdefault("PINPOINT_OPENSEARCH_REPLICAS", "1")
            yield cluster
    finally:
        os.environ.clear()
        os.environ.update(saved)


def _cluster():
    given = os.environ.get("PINPOINT_OPENSEARCH_URL")
    if given:
        urls = tuple(u.strip() for u in given.split(",") if u.strip())
        if not any(_answers(u) for u in urls):
            _unavailable(f"PINPOINT_OPENSEARCH_URL={given} does not answer")
        yield Cluster(urls)
        return
    if os.environ.get("CI") == "true" or os.environ.get("PINPOINT_OPENSEARCH_START") == "1":
        env = _script_env(TEST_HTTP_PORT, TEST_TRANSPORT_PORT)
        cluster = Cluster(tuple(f"http://127.0.0.1:{TEST_HTTP_PORT + i}" for i in range(NODES)), env)
        try:
            # A fresh cluster each run: nothing a killed earlier run left can leak into this one.
            for step in ("stop", "wipe"):
                subprocess.run([str(SCRIPT), step], env=env, capture_output=True, timeout=120)
            done = subprocess.run([str(SCRIPT), "start"], env=env, capture_output=True, text=True,
                                  timeout=START_SECONDS + 300)  # the first start also assembles the server with Maven
            if done.returncode:
                _unavailable(f"could not start the OpenSearch cluster: {done.stderr.strip() or done.stdout.strip()}")
            yield cluster
        finally:
            subprocess.run([str(SCRIPT), "stop"], env=env, capture_output=True, timeout=120)
        return
    local = tuple(f"http://127.0.0.1:{DEFAULT_HTTP_PORT + i}" for i in range(NODES))
    if not _answers(local[0]):
        _unavailable("no OpenSearch cluster is running: start one with `deploy/opensearch/cluster start`, "
                     "set PINPOINT_OPENSEARCH_URL, or set PINPOINT_OPENSEARCH_START=1 to let the tests start and stop one")
    yield Cluster(local, _script_env(DEFAULT_HTTP_PORT, DEFAULT_HTTP_PORT + 100))


class Records:
    """The hand-made corpus as a Searcher's records (what publish_library reads)."""

    def __init__(self, corpus):
        self._sources = {s.id: dataclasses.replace(s, passage_count=len(p)) for s, p in corpus}
        self._passages = {s.id: p for s, p in corpus}

    def sources(self):
        return [self._sources[k] for k in sorted(self._sources)]

    def passages(self, source_id):
        return list(self._passages[source_id])


def make_store(cluster: Cluster, prefix: str):
    """An empty library ``prefix`` in the cluster, with 3 shards and 1 replica per index."""
    from pinpoint.index.search.opensearch.client import ClusterSettings
    from pinpoint.index.search.opensearch.store import ClusterStore

    settings = dataclasses.replace(ClusterSettings.from_env({"PINPOINT_OPENSEARCH_URL": cluster.url}),
                                   prefix=prefix, shards=3, replicas=1)
    store = ClusterStore(settings.connect(), settings)
    store.delete_library()
    return store
