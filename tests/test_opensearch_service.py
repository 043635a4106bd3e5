"""Pinpoint served from the OpenSearch cluster: real gunicorn, the same API and citations.

The seeds go through Pinpoint's own pipeline into a Whoosh index, `pinpoint
publish` moves that library into the cluster (3 shards, 1 replica), and a
gunicorn with PINPOINT_ENGINE=opensearch serves it.  Its answers are compared
with the Whoosh-served ones: same sources, ids and citations.
"""

from __future__ import annotations

import json
import subprocess
from urllib.parse import quote

import pytest

pytest.importorskip("opensearchpy", reason="the opensearch extra is not installed: pip install -e '.[opensearch]'")

from tests.conftest import PINPOINT, ROOT, free_port  # noqa: E402
from tests.opensearch_cluster import make_store  # noqa: E402
from tests.servers import get_json, pinpoint_server  # noqa: E402

pytestmark = pytest.mark.slow
PREFIX = "test-service"


def cluster_env(cluster, prefix: str = PREFIX) -> dict[str, str]:
    return {"PINPOINT_ENGINE": "opensearch", "PINPOINT_OPENSEARCH_URL": cluster.url,
            "PINPOINT_OPENSEARCH_INDEX": prefix, "PINPOINT_OPENSEARCH_SHARDS": "3",
            "PINPOINT_OPENSEARCH_REPLICAS": "1"}


def run_cli(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    import os

    return subprocess.run([*PINPOINT, *args], cwd=ROOT, env={**os.environ, **env},
                          capture_output=True, text=True, timeout=300)


@pytest.fixture(scope="module")
def published(opensearch_cluster, seeds_index):
    store = make_store(opensearch_cluster, PREFIX)
    env = cluster_env(opensearch_cluster)
    done = run_cli("publish", "--index", str(seeds_index), env=env)
    assert done.returncode == 0, done.stderr
    assert "published cluster version 000001" in done.stdout
    again = run_cli("publish", "--index", str(seeds_index), env=env)
    assert "is up to date" in again.stdout, again.stdout + again.stderr
    yield env
    store.delete_library()


@pytest.fixture(scope="module")
def servers(published, seeds_index):
    with pinpoint_server(seeds_index) as (whoosh, _), pinpoint_server(seeds_index, env=published) as (cluster, _):
        yield whoosh, cluster


QUERIES = ["alliance", "futenma", '"security treaty"', "okinawa OR guam", "treaty NOT japan",
           "alliance year:2000..2030", "base realignment"]


@pytest.mark.parametrize("q", QUERIES)
def test_search_answers_like_the_whoosh_engine(servers, q):
    whoosh, cluster = servers
    _, ours = get_json(f"{cluster}/search?q={quote(q)}&limit=5&facets=true")
    _, theirs = get_json(f"{whoosh}/search?q={quote(q)}&limit=5&facets=true")
    assert ours["total"] == theirs["total"]
    assert ours["corrected_query"] == theirs["corrected_query"]
    assert set(ours["facets"]["source"]) == set(theirs["facets"]["source"])
    assert ours["facets"] == theirs["facets"]
    for hit in ours["hits"]:
        for match in hit["matches"]:
            assert hit["text"][match["start"]:match["end"]] == match["term"]
    mine = {h["passage_id"]: h for h in ours["hits"]}
    for hit in theirs["hits"]:
        if hit["passage_id"] in mine:
            assert mine[hit["passage_id"]]["citation"] == hit["citation"]


def test_stemming_and_spelling_are_porters_and_the_clusters(servers):
    """Where the engines differ, and why: Lucene's Porter stemmer is the published algorithm
    ("relocated" -> "reloc", like "relocation"); Whoosh's port leaves "relocat".  The
    did-you-mean proposes the nearest word as written ("relocation", one edit away)."""
    whoosh, cluster = servers
    _, ours = get_json(f"{cluster}/search?q=futenma+relocation&limit=50")
    _, theirs = get_json(f"{whoosh}/search?q=futenma+relocation&limit=50")
    assert {h["passage_id"] for h in theirs["hits"]} <= {h["passage_id"] for h in ours["hits"]}
    assert get_json(f"{cluster}/search?q=relocaton")[1]["corrected_query"] == "relocation"


def test_grouping_sources_passages_and_citations_match(servers):
    whoosh, cluster = servers
    _, ours = get_json(f"{cluster}/search?q=okinawa&group=source&limit=50")
    _, theirs = get_json(f"{whoosh}/search?q=okinawa&group=source&limit=50")
    assert ours["total"] == theirs["total"]
    assert sorted(h["source"]["id"] for h in ours["hits"]) == sorted(h["source"]["id"] for h in theirs["hits"])
    _, sources = get_json(f"{cluster}/sources")
    assert sources == get_json(f"{whoosh}/sources")[1]
    first = (sources["sources"] if isinstance(sources, dict) else sources)[0]["id"]
    for path in (f"/sources/{first}", f"/sources/{first}/passages/2", f"/sources/{first}/cite?style=chicago"):
        assert get_json(cluster + path) == get_json(whoosh + path), path


def test_quote_lookup_cites_the_same_passage(servers):
    whoosh, cluster = servers
    _, hit = get_json(f"{whoosh}/search?q=futenma+relocation&limit=1")
    quote_text = hit["hits"][0]["text"][:160]
    _, ours = get_json(f"{cluster}/cite?q={quote(quote_text)}")
    _, theirs = get_json(f"{whoosh}/cite?q={quote(quote_text)}")
    assert ours == theirs


def test_ready_names_the_cluster_version(servers):
    _, cluster = servers
    status, ready = get_json(f"{cluster}/ready")
    assert status == 200 and ready["index_version"] == "000001" and ready["sources"] > 0


def test_an_unreachable_cluster_is_503_problem_json_never_a_traceback():
    from falcon import testing

    from pinpoint.index.search.opensearch.client import ClusterSettings
    from pinpoint.index.search.opensearch.searcher import ClusterLiveIndex
    from pinpoint.index.search.opensearch.store import ClusterStore
    from pinpoint.service.config import config_from_env
    from tests.hardening import full_app

    settings = ClusterSettings(urls=(f"http://127.0.0.1:{free_port()}",), prefix=PREFIX, timeout=2, retries=1)
    app = full_app(config_from_env({"PINPOINT_ENGINE": "opensearch"}),
                   index=ClusterLiveIndex(ClusterStore(settings.connect(), settings)))
    client = testing.TestClient(app)
    ready = client.simulate_get("/ready")
    assert ready.status_code == 503 and "cannot connect" in ready.json["detail"]
    search = client.simulate_get("/search", params={"q": "treaty"})
    assert search.status_code == 503
    assert search.headers["content-type"].startswith("application/problem+json")
    assert "OpenSearch cluster" in search.json["detail"] and "Traceback" not in search.text


def test_cli_searches_the_cluster_and_says_so_when_it_cannot(published):
    done = run_cli("search", "alliance", "--json", env=published)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["total"] > 0
    dead = {**published, "PINPOINT_OPENSEARCH_URL": f"http://127.0.0.1:{free_port()}", "PINPOINT_OPENSEARCH_TIMEOUT": "2"}
    failed = run_cli("search", "alliance", env=dead)
    assert failed.returncode == 1
    assert failed.stderr.startswith("pinpoint: error: OpenSearch cluster") and "Traceback" not in failed.stderr


def test_pinpoint_index_with_the_opensearch_engine_publishes_to_the_aliases(opensearch_cluster, tmp_path):
    store = make_store(opensearch_cluster, "test-build")
    env = cluster_env(opensearch_cluster, "test-build")
    try:
        built = run_cli("index", str(ROOT / "seeds"), "--index", str(tmp_path / "index"), "--quiet", env=env)
        assert built.returncode == 0, built.stderr
        assert store.current_version() is not None, "the build must move the cluster's aliases"
        # Stateless: no index directory, the aliases alone.
        found = run_cli("search", "alliance", "--json", "--index", str(tmp_path / "nowhere"), env=env)
        assert found.returncode == 0, found.stderr
        assert json.loads(found.stdout)["total"] > 0
        again = run_cli("index", str(ROOT / "seeds"), "--index", str(tmp_path / "index"), "--quiet", env=env)
        assert "up to date" in again.stdout
    finally:
        store.delete_library()
