"""GET /metrics: counters move with real requests, labels stay route templates,
and under gunicorn any worker reports the sum over all workers."""

from __future__ import annotations

import os
import shutil
import signal
import time
import urllib.parse
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from falcon import testing
from prometheus_client.parser import text_string_to_metric_families

from pinpoint.service import metrics
from pinpoint.service.app import create_app
from pinpoint.service.config import Config
from tests.servers import get, get_json, pinpoint_server


def samples(text: str) -> list:
    return [s for family in text_string_to_metric_families(text) for s in family.samples]


def value(text: str, name: str, **labels: str) -> float:
    """The sample called ``name`` whose labels include ``labels`` (0 when absent)."""
    found = [s.value for s in samples(text) if s.name == name and labels.items() <= s.labels.items()]
    assert len(found) <= 1, f"{name}{labels} matches several series: give more labels"
    return found[0] if found else 0.0


def scrape(client) -> str:
    response = client.simulate_get("/metrics")
    assert response.status_code == 200
    return response.text


def registered_templates(app) -> set[str]:
    from pinpoint.service.openapi import routed_paths

    return set(routed_paths(app))


def test_metrics_are_prometheus_text(client):
    response = client.simulate_get("/metrics")
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/plain; version=")
    assert "no-store" in response.headers["Cache-Control"]
    names = {family.name for family in text_string_to_metric_families(response.text)}
    assert {"pinpoint_http_requests", "pinpoint_http_request_duration_seconds", "pinpoint_index_info"} <= names


def test_request_counter_and_latency_histogram_move_with_requests(client):
    search = {"method": "GET", "route": "/search", "status": "200"}
    before = scrape(client)
    for word in ("alliance", "Okinawa", "treaty"):
        assert client.simulate_get("/search", params={"q": word}).status_code == 200
    after = scrape(client)

    assert value(after, "pinpoint_http_requests_total", **search) == value(before, "pinpoint_http_requests_total", **search) + 3
    count = "pinpoint_http_request_duration_seconds_count"
    assert value(after, count, **search) == value(before, count, **search) + 3
    total = "pinpoint_http_request_duration_seconds_sum"
    assert value(after, total, **search) > value(before, total, **search)
    # Every observation is at most +Inf and the buckets are cumulative.
    bucket = "pinpoint_http_request_duration_seconds_bucket"
    assert value(after, bucket, le="+Inf", **search) == value(after, count, **search)
    assert value(after, bucket, le="0.001", **search) <= value(after, bucket, le="30.0", **search)


def test_labels_are_route_templates_never_raw_paths(client, seeds_index):
    source_id = client.simulate_get("/sources").json["sources"][0]["id"]
    route = {"method": "GET", "route": "/sources/{source_id}"}
    before = scrape(client)
    client.simulate_get(f"/sources/{source_id}")
    client.simulate_get("/sources/no-such-source-7f3a")
    client.simulate_get("/no/such/route/7f3a")
    client.simulate_get("/static/pinpoint.css")
    after = scrape(client)

    assert value(after, "pinpoint_http_requests_total", status="200", **route) == (
        value(before, "pinpoint_http_requests_total", status="200", **route) + 1
    )
    assert source_id not in after and "7f3a" not in after
    templates = registered_templates(create_app(Config(index_dir=seeds_index)))
    allowed = templates | {metrics.UNMATCHED_ROUTE, "/static/{path}"}
    seen = {s.labels["route"] for s in samples(after) if "route" in s.labels}
    assert seen <= allowed, f"labels that are not route templates: {seen - allowed}"
    assert {"/sources/{source_id}", metrics.UNMATCHED_ROUTE, "/static/{path}"} <= seen


@pytest.mark.parametrize(
    ("method", "path", "route", "status"),
    [
        ("GET", "/sources/no-such-source", "/sources/{source_id}", "404"),
        ("GET", "/search?q=" + urllib.parse.quote("x" * 5000), "/search", "400"),
        ("DELETE", "/search?q=alliance", "/search", "405"),
        ("GET", "/nowhere", metrics.UNMATCHED_ROUTE, "404"),
    ],
)
def test_problem_responses_are_counted_with_their_status(client, method, path, route, status):
    labels = {"method": method, "route": route, "status": status}
    before = value(scrape(client), "pinpoint_http_requests_total", **labels)
    url, _, query = path.partition("?")
    response = client.simulate_request(method, url, query_string=query or None)
    assert str(response.status_code) == status
    assert response.headers["Content-Type"] == "application/problem+json"
    assert value(scrape(client), "pinpoint_http_requests_total", **labels) == before + 1


def test_index_version_and_size_match_ready(client):
    ready = client.simulate_get("/ready").json
    text = scrape(client)
    assert value(text, "pinpoint_index_ready") == 1
    assert value(text, "pinpoint_index_info", version=ready["index_version"]) == 1
    assert value(text, "pinpoint_index_passages") == ready["passages"]
    assert value(text, "pinpoint_index_sources") == ready["sources"]


def test_missing_index_reports_not_ready_and_still_answers(tmp_path):
    client = testing.TestClient(create_app(Config(index_dir=tmp_path / "never-built", reload_seconds=0)))
    text = scrape(client)
    assert value(text, "pinpoint_index_ready") == 0
    assert "pinpoint_index_info" not in text


def test_cache_counters_are_named_by_cache_and_result(client):
    before = scrape(client)
    count = metrics.cache_lookups("test-cache")
    count(True)
    count(True)
    count(False)
    after = scrape(client)
    for result, moved in (("hit", 2), ("miss", 1)):
        labels = {"cache": "test-cache", "result": result}
        assert value(after, "pinpoint_cache_lookups_total", **labels) == value(before, "pinpoint_cache_lookups_total", **labels) + moved


def test_search_reports_its_render_cache(client):
    labels = lambda result: {"cache": "render", "result": result}  # noqa: E731
    before = scrape(client)
    client.simulate_get("/search", params={"q": "alliance treaty", "style": "harvard"})
    middle = scrape(client)
    client.simulate_get("/search", params={"q": "alliance treaty", "style": "harvard"})
    after = scrape(client)
    # The first search formats sources and citations (misses); the same search again reuses them.
    assert value(middle, "pinpoint_cache_lookups_total", **labels("miss")) > value(before, "pinpoint_cache_lookups_total", **labels("miss"))
    assert value(after, "pinpoint_cache_lookups_total", **labels("miss")) == value(middle, "pinpoint_cache_lookups_total", **labels("miss"))
    assert value(after, "pinpoint_cache_lookups_total", **labels("hit")) > value(middle, "pinpoint_cache_lookups_total", **labels("hit"))


def test_route_label_for_static_and_unrouted_paths():
    assert metrics.route_label("/sources/{source_id}", "/sources/abc") == "/sources/{source_id}"
    assert metrics.route_label(None, "/static/css/a.css", ("/static",)) == "/static/{path}"
    assert metrics.route_label(None, "/staticky", ("/static",)) == metrics.UNMATCHED_ROUTE
    assert metrics.route_label(None, "/wp-admin/setup.php", ("/static",)) == metrics.UNMATCHED_ROUTE


# ---------------------------------------------------------------- real gunicorn


def _search_total(base: str) -> float:
    status, _, body = get(f"{base}/metrics")
    assert status == 200
    return value(body.decode(), "pinpoint_http_requests_total", method="GET", route="/search", status="200")


def _worker_pids(metrics_dir: Path) -> set[int]:
    return {int(p.stem.rsplit("_", 1)[1]) for p in metrics_dir.glob("counter_*.db")}


@pytest.mark.slow
def test_gunicorn_workers_are_summed_and_survive_a_killed_worker(seeds_index, tmp_path):
    metrics_dir = tmp_path / "prometheus"
    metrics_dir.mkdir()
    # A previous run's file must not be added to this run's counts.
    (metrics_dir / "counter_999999999.db").write_bytes(b"left over from a previous run")
    batch = 40
    # No result cache: repeated searches answered from it would leave one worker free to take them all.
    env = {"PROMETHEUS_MULTIPROC_DIR": str(metrics_dir), "PINPOINT_RESULT_CACHE": "0"}
    with pinpoint_server(seeds_index, workers=2, env=env) as (base, proc):
        assert not (metrics_dir / "counter_999999999.db").exists()
        words = ["alliance", "Okinawa", "treaty", "base", "security"]
        # Concurrent clients keep one worker busy, so the other answers too; on a loaded machine
        # one worker can still take a whole batch, so batches go on until both have answered.
        requests = 0
        with ThreadPoolExecutor(max_workers=4) as pool:
            for _ in range(10):
                statuses = list(pool.map(lambda i: get_json(f"{base}/search?q={words[i % len(words)]}")[0],
                                         range(batch)))
                assert statuses == [200] * batch
                requests += batch
                if len(_worker_pids(metrics_dir)) == 2:
                    break

        pids = _worker_pids(metrics_dir)
        assert len(pids) == 2, f"expected both workers to have answered, saw files for {pids}"
        # Whichever worker answers the scrape reports every worker's requests.
        assert {_search_total(base) for _ in range(8)} == {requests}

        # A dead worker's counts stay: counters never go backwards when gunicorn replaces a worker.
        os.kill(sorted(pids)[0], signal.SIGKILL)
        deadline = time.monotonic() + 15
        while proc.log_path.read_text().count("Booting worker") < 3:
            assert time.monotonic() < deadline, "gunicorn did not replace the killed worker"
            time.sleep(0.2)
        assert {_search_total(base) for _ in range(8)} == {requests}


@pytest.mark.slow
def test_lost_metrics_directory_costs_the_metrics_not_the_answers(seeds_index, tmp_path):
    metrics_dir = tmp_path / "prometheus"
    # No result cache: repeated searches answered from it would leave one worker free to take them all.
    env = {"PROMETHEUS_MULTIPROC_DIR": str(metrics_dir), "PINPOINT_RESULT_CACHE": "0"}
    with pinpoint_server(seeds_index, workers=2, env=env) as (base, proc):
        assert get(f"{base}/search?q=alliance")[0] == 200
        shutil.rmtree(metrics_dir)
        # /ready answers once the first worker is up; wait for both before killing.
        deadline = time.monotonic() + 15
        while len(booted := _worker_pids_from_log(proc.log_path)) < 2:
            assert time.monotonic() < deadline, "gunicorn did not boot two workers"
            time.sleep(0.1)
        # A worker started now finds no directory to create its sample files in.
        for pid in booted:
            os.kill(pid, signal.SIGKILL)
        while proc.log_path.read_text().count("Booting worker") < len(booted) + 2:
            assert time.monotonic() < deadline, "gunicorn did not replace the killed workers"
            time.sleep(0.2)
        with ThreadPoolExecutor(max_workers=4) as pool:
            statuses = list(pool.map(lambda _: get(f"{base}/search?q=treaty")[0], range(12)))
        assert statuses == [200] * 12
        assert get(f"{base}/metrics")[0] == 200
    assert "cannot record request metrics" in proc.log_path.read_text()


def _worker_pids_from_log(log_path: Path) -> list[int]:
    return [int(line.split("pid: ")[1].split('"')[0]) for line in log_path.read_text().splitlines() if "Booting worker" in line]
