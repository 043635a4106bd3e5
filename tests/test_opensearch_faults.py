"""Faults on the real OpenSearch cluster under search load.

A data node SIGKILLed while searches run: with one replica per shard, no
search may fail once the client and the cluster have moved to the surviving
copies; the longest pause is reported.  A re-index published by an alias swap
under load: no search may fail.  The killed node is started again and must
rejoin (green, three nodes).  Load is bounded in time (PINPOINT_LOAD_SECONDS,
default 15) and in threads, as in tests/test_faults.py.
"""

from __future__ import annotations

import dataclasses
import os
import threading
import time

import pytest

pytest.importorskip("opensearchpy", reason="the opensearch extra is not installed: pip install -e '.[opensearch]'")

from pinpoint.index.records import Passage, SearchRequest  # noqa: E402
from pinpoint.index.search.opensearch.searcher import ClusterLiveIndex  # noqa: E402
from pinpoint.index.search.opensearch.sync import publish_library  # noqa: E402
from tests.engine_corpus import CORPUS  # noqa: E402
from tests.opensearch_cluster import Records, make_store  # noqa: E402

pytestmark = [pytest.mark.load, pytest.mark.slow]

LOAD_SECONDS = float(os.environ.get("PINPOINT_LOAD_SECONDS", "15"))
THREADS = 4
AFTER_SECONDS = 3.0
QUERIES = [
    SearchRequest(q="treaty"), SearchRequest(q="security treaty", group_by_source=True),
    SearchRequest(q='"security treaty"'), SearchRequest(q="glaciers OR bases"),
    SearchRequest(q="relocating", author="Xu"), SearchRequest(q="treety"),
]


@dataclasses.dataclass
class Load:
    latencies: list[float] = dataclasses.field(default_factory=list)
    failures: list[str] = dataclasses.field(default_factory=list)
    totals: set[int] = dataclasses.field(default_factory=set)
    longest: float = 0.0

    def summary(self, name: str) -> str:
        ordered = sorted(self.latencies) or [float("nan")]
        p50 = ordered[len(ordered) // 2] * 1000
        p99 = ordered[min(len(ordered) - 1, int(0.99 * len(ordered)))] * 1000
        return (f"{name}: {len(self.latencies) + len(self.failures)} searches, {len(self.failures)} failed, "
                f"p50 {p50:.1f} ms, p99 {p99:.1f} ms, longest pause {self.longest * 1000:.0f} ms")


def search_load(live: ClusterLiveIndex, seconds: float, during=None) -> Load:
    load = Load()
    stop = threading.Event()
    guard = threading.Lock()

    def worker(offset: int) -> None:
        i = offset
        while not stop.is_set():
            request = QUERIES[i % len(QUERIES)]
            i += 1
            started = time.monotonic()
            try:
                result = live.searcher().search(request)
                if request.q == "treaty":
                    with guard:
                        load.totals.add(result.total)
            except Exception as exc:  # every failure is counted and shown, whatever its kind
                with guard:
                    load.failures.append(f"{type(exc).__name__}: {exc}")
                continue
            took = time.monotonic() - started
            with guard:
                load.latencies.append(took)
                load.longest = max(load.longest, took)

    threads = [threading.Thread(target=worker, args=(n,), daemon=True) for n in range(THREADS)]
    for t in threads:
        t.start()
    deadline = time.monotonic() + seconds
    if during is not None:
        time.sleep(seconds / 3)
        during()
        # Searches go on after the fault, whatever it cost, so the load sees its outcome.
        deadline = max(deadline, time.monotonic() + AFTER_SECONDS)
    while time.monotonic() < deadline:
        time.sleep(0.1)
    stop.set()
    for t in threads:
        t.join(timeout=60)
    return load


@pytest.fixture(scope="module")
def store(opensearch_cluster):
    store = make_store(opensearch_cluster, "test-faults")
    publish_library(Records(CORPUS), store)
    yield store
    store.delete_library()


def test_a_node_killed_under_search_load_fails_no_search_and_rejoins(opensearch_cluster, store):
    live = ClusterLiveIndex(store)
    live.searcher()
    try:
        load = search_load(live, LOAD_SECONDS, during=lambda: opensearch_cluster.run("kill", "2"))
    finally:
        opensearch_cluster.run("start-node", "2")
    print(load.summary("node-2 SIGKILLed under search load"))
    assert load.latencies, "no search completed"
    assert load.failures == [], load.failures[:5]
    assert load.totals == {5}
    assert "green with 3 nodes" in opensearch_cluster.run("wait", "green")


def test_a_reindex_published_under_load_fails_no_search(store):
    live = ClusterLiveIndex(store, reload_seconds=0.2)
    live.searcher()
    before = store.current_version()
    extra = [dataclasses.replace(CORPUS[1][0], content_hash="changed"),
             CORPUS[1][1] + [Passage("treaty", 4, 4, 4, None, "A fourth treaty passage.", 300, 324)]]

    def reindex() -> None:
        publish_library(Records([c for c in CORPUS if c[0].id != "treaty"] + [tuple(extra)]), store)

    load = search_load(live, LOAD_SECONDS, during=reindex)
    print(load.summary("re-index with an alias swap under search load"))
    assert load.failures == [], load.failures[:5]
    assert store.current_version() != before
    assert load.totals == {5, 6}  # each search saw one whole version, the old or the new
