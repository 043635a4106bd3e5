"""Security defaults: read-only API, headers, CORS off unless configured, size limits,
odd ids refused, no internals in answers, and the token-protected re-index endpoint."""

from __future__ import annotations

import logging
import time

import pytest
from falcon import testing

from pinpoint.service.config import Config
from tests.conftest import SEEDS
from tests.hardening import full_app, index_copy

CFR = "004_9574ace01beba1aa"
TOKEN = "s3cret-admin-token-for-tests"


@pytest.fixture(scope="module")
def client(app_config):
    return testing.TestClient(full_app(app_config))


@pytest.mark.parametrize("path", ["/search?q=alliance", "/sources", f"/sources/{CFR}", "/bibtex", "/", "/no/such", "/cite"])
def test_security_headers_on_every_answer(client, path):
    resp = client.simulate_get(path)
    assert resp.headers["x-content-type-options"] == "nosniff"
    assert resp.headers["x-frame-options"] == "DENY"
    assert resp.headers["referrer-policy"] == "no-referrer"
    csp = resp.headers["content-security-policy"]
    for directive in ("default-src 'self'", "script-src 'self'", "object-src 'none'", "frame-ancestors 'none'"):
        assert directive in csp
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp


@pytest.mark.parametrize("method", ["PUT", "PATCH", "DELETE"])
@pytest.mark.parametrize("path", ["/search", "/sources", f"/sources/{CFR}", f"/sources/{CFR}/passages/1", "/bibtex", "/cite"])
def test_api_is_read_only(client, method, path):
    resp = client.simulate_request(method, path, json={"quote": "x"})
    assert resp.status_code == 405, (method, path, resp.status_code)
    assert resp.headers["content-type"] == "application/problem+json"


def test_admin_route_is_invisible_without_a_token(client):
    for method in ("GET", "POST"):
        resp = client.simulate_request(method, "/admin/reindex", headers={"Authorization": f"Bearer {TOKEN}"})
        assert resp.status_code in (404, 405)
        assert resp.headers["content-type"] == "application/problem+json"
    assert "/admin/reindex" not in client.simulate_get("/openapi.json").json["paths"]


def test_cors_is_off_by_default(client):
    resp = client.simulate_get("/search", params={"q": "alliance"}, headers={"Origin": "https://evil.example"})
    assert "access-control-allow-origin" not in resp.headers
    preflight = client.simulate_options("/search", headers={
        "Origin": "https://evil.example", "Access-Control-Request-Method": "GET"})
    assert "access-control-allow-origin" not in preflight.headers


def test_cors_allows_only_configured_origins(seeds_index):
    client = testing.TestClient(full_app(Config(index_dir=seeds_index, reload_seconds=0,
                                                cors_origins=("https://notes.example",))))
    allowed = client.simulate_get("/search", params={"q": "alliance"}, headers={"Origin": "https://notes.example"})
    assert allowed.headers["access-control-allow-origin"] == "https://notes.example"
    other = client.simulate_get("/search", params={"q": "alliance"}, headers={"Origin": "https://evil.example"})
    assert other.headers.get("access-control-allow-origin") in (None, "null")


def test_oversized_body_is_refused_before_it_is_read(client):
    body = b'{"quote": "' + b"a" * 200_000 + b'"}'
    resp = client.simulate_post("/cite", body=body, headers={"Content-Type": "application/json"})
    assert resp.status_code == 413
    assert resp.headers["content-type"] == "application/problem+json"
    assert "bytes" in resp.json["detail"]


ODD_IDS = ["..", "../..", "..%2F..%2Fetc%2Fpasswd", "%2e%2e%2f%2e%2e%2fetc%2fpasswd", "%2Fetc%2Fpasswd",
           "seeds%2F" + CFR, "....//....//etc//passwd", "%00", "a%00b", CFR + "%00", "C:%5Cwindows%5Cwin.ini",
           "~root", "%7E", "sources.json", "manifest.json", "CURRENT", "%252e%252e%252f", "x" * 2000, "%E2%80%AE" + CFR]


@pytest.mark.parametrize("template", [
    "/sources/{}", "/sources/{}.bib", "/sources/{}.ris", "/sources/{}.json", "/sources/{}/cite",
    "/sources/{}/passages/1", "/sources/" + CFR + "/passages/{}", "/passages/{}/1", "/passages/" + CFR + "/{}",
])
@pytest.mark.parametrize("odd", ODD_IDS)
def test_odd_ids_are_refused_without_reading_files(client, template, odd):
    resp = client.simulate_get(template.format(odd))
    assert resp.status_code in (400, 404), (template, odd, resp.status_code)
    assert "root:" not in resp.text and "[fonts]" not in resp.text and '"pipeline"' not in resp.text
    assert "Traceback" not in resp.text


def test_internal_error_carries_no_internals_and_is_logged(seeds_index, tmp_path, caplog):
    """A corrupted index is a legitimate internal error: the client learns nothing of paths or code."""
    from pinpoint.index.store.versions import current_version, version_dir

    broken = index_copy(seeds_index, tmp_path / "broken")
    (version_dir(broken, current_version(broken)) / "sources.json").write_text("{not json", encoding="utf-8")
    client = testing.TestClient(full_app(Config(index_dir=broken, reload_seconds=0)))
    with caplog.at_level(logging.ERROR, logger="pinpoint.errors"):
        resp = client.simulate_get("/sources", headers={"Authorization": f"Bearer {TOKEN}"})
    assert resp.status_code == 500
    assert resp.headers["content-type"] == "application/problem+json"
    for leak in ("Traceback", "JSONDecodeError", str(tmp_path), "sources.json", ".py", TOKEN):
        assert leak not in resp.text, leak
    assert "logged" in resp.json["detail"]
    assert any(r.exc_info for r in caplog.records), "the internal error was not logged with its traceback"
    assert all(TOKEN not in r.getMessage() for r in caplog.records), "a request secret reached the log"


@pytest.fixture
def admin(tmp_path):
    from pinpoint.index.store.build import build_index

    sources = tmp_path / "sources"
    sources.mkdir()
    for path in SEEDS.iterdir():
        (sources / path.name).write_bytes(path.read_bytes())
    index_dir = tmp_path / "index"
    build_index([sources], index_dir)
    config = Config(index_dir=index_dir, sources=(sources,), reload_seconds=0)
    return testing.TestClient(full_app(config, admin_token=TOKEN)), sources, index_dir


@pytest.mark.parametrize("authorization", [None, "", "Bearer", "Bearer wrong", f"Basic {TOKEN}", f"Bearer {TOKEN}x",
                                           f"Bearer {TOKEN[:-1]}", f"bearer{TOKEN}"])
def test_admin_refuses_missing_or_wrong_tokens(admin, authorization):
    client, _, index_dir = admin
    headers = {"Authorization": authorization} if authorization is not None else {}
    for method in ("GET", "POST"):
        resp = client.simulate_request(method, "/admin/reindex", headers=headers)
        assert resp.status_code == 401, (method, authorization)
        assert resp.headers["content-type"] == "application/problem+json"
        assert resp.headers["www-authenticate"].startswith("Bearer")
        assert TOKEN not in resp.text
    assert not (index_dir / ".reindex.json").exists(), "a refused request started a build"


@pytest.mark.slow
def test_admin_reindex_builds_a_new_version_in_the_background(admin):
    client, sources, index_dir = admin
    auth = {"Authorization": f"Bearer {TOKEN}"}
    before = client.simulate_get("/ready").json["index_version"]
    assert client.simulate_get("/admin/reindex", headers=auth).json["state"] == "idle"
    (sources / "added.txt").write_text("The quokkaphilic treaty was signed after long talks.\n", encoding="utf-8")
    started = client.simulate_post("/admin/reindex", headers=auth)
    assert started.status_code == 202, started.text
    assert started.json["state"] in ("running", "succeeded")
    again = client.simulate_post("/admin/reindex", headers=auth)
    assert again.status_code in (202, 409)  # 409 while the first still runs
    deadline = time.monotonic() + 90
    while (status := client.simulate_get("/admin/reindex", headers=auth).json)["state"] == "running":
        assert time.monotonic() < deadline, "re-index did not finish in 90 s"
        time.sleep(0.2)
    assert status["state"] == "succeeded", status
    assert status["version"] != before
    assert client.simulate_get("/ready").json["index_version"] == status["version"]
    assert client.simulate_get("/search", params={"q": "quokkaphilic"}).json["total"] == 1


def test_admin_reports_a_failed_build_clearly(tmp_path):
    from pinpoint.service.admin import read_status, run_reindex

    index_dir = tmp_path / "index"
    index_dir.mkdir()
    (index_dir / "versions").write_text("a file where the versions folder belongs\n")
    assert run_reindex(index_dir, [SEEDS]) == 1
    status = read_status(index_dir)
    assert status["state"] == "failed"
    assert "versions" in status["message"], status
    assert status["finished"]


def test_token_comparison_accepts_only_the_exact_token():
    from pinpoint.service.admin import token_matches

    assert token_matches(TOKEN, f"Bearer {TOKEN}")
    assert token_matches(TOKEN, f"bearer {TOKEN}")
    for wrong in (None, "", TOKEN, f"Token {TOKEN}", f"Bearer {TOKEN.upper()}", "Bearer \udcff", f"Bearer {TOKEN}{TOKEN}"):
        assert not token_matches(TOKEN, wrong), wrong
    assert not token_matches("", "Bearer ")
