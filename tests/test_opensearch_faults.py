"""Faults on the real OpenSearch cluster, under load through a real gunicorn.

Pinpoint serves the seeds from the cluster (PINPOINT_ENGINE=opensearch, 3
shards x 1 replica) while tests/test_faults.py's load generator keeps its
clients busy, with the same bounds (PINPOINT_LOAD_SECONDS, default 15;
PINPOINT_LOAD_CONCURRENCY, default 32):
- a data node SIGKILLed: no request may fail once replicas take over; the
  longest pause a request saw is reported; the node started again rejoins;
- a re-index published by an alias swap: no request may fail.
"""

from __future__ import annotations

import shutil
import time

import pytest

pytest.importorskip("opensearchpy", reason="the opensearch extra is not installed: pip install -e '.[opensearch]'")

from tests.conftest import SEEDS  # noqa: E402
from tests.opensearch_cluster import make_store  # noqa: E402
from tests.servers import get_json, pinpoint_server  # noqa: E402
from tests.test_faults import LOAD_SECONDS, load, report  # noqa: E402
from tests.test_opensearch_service import cluster_env, run_cli  # noqa: E402

pytestmark = [pytest.mark.load, pytest.mark.slow]
PREFIX = "test-faults"


@pytest.fixture(scope="module")
def served(opensearch_cluster, seeds_index):
    store = make_store(opensearch_cluster, PREFIX)
    env = {**cluster_env(opensearch_cluster, PREFIX), "PINPOINT_RELOAD_SECONDS": "0.2"}
    done = run_cli("publish", "--index", str(seeds_index), env=env)
    assert done.returncode == 0, done.stderr
    with pinpoint_server(seeds_index, workers=2, env=env) as (base, _):
        yield base, env
    store.delete_library()


def test_a_node_killed_under_load_fails_no_request_and_rejoins(opensearch_cluster, served):
    base, _ = served
    try:
        with load(base) as result:
            time.sleep(LOAD_SECONDS / 3)
            opensearch_cluster.run("kill", "2")
            time.sleep(LOAD_SECONDS * 2 / 3)
    finally:
        opensearch_cluster.run("start-node", "2")
    report(result, f"node-2 SIGKILLed under load, longest pause {max(result.latencies, default=0) * 1000:.0f} ms")
    assert result.sent > 0
    assert not result.failures, result.failures[:5]
    assert "green with 3 nodes" in opensearch_cluster.run("wait", "green")


def test_a_reindex_with_an_alias_swap_under_load_fails_no_request(served, seeds_index, tmp_path):
    from pinpoint.index.store.build import build_index

    base, env = served
    _, before = get_json(f"{base}/ready")
    sources = tmp_path / "sources"
    shutil.copytree(SEEDS, sources)
    first = sorted(sources.glob("*.txt"))[0]
    first.write_text(first.read_text() + "\n\nA closing paragraph added for the re-index.\n")
    build_index([sources], tmp_path / "index")
    with load(base) as result:
        time.sleep(LOAD_SECONDS / 3)
        done = run_cli("publish", "--index", str(tmp_path / "index"), env=env)
        time.sleep(LOAD_SECONDS / 3)
    report(result, "re-index published by an alias swap under load")
    assert done.returncode == 0 and "(1 sent" in done.stdout, done.stdout + done.stderr
    assert not result.failures, result.failures[:5]
    _, after = get_json(f"{base}/ready")
    assert after["index_version"] != before["index_version"]
