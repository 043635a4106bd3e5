"""Exports past the result window and free of control characters; HEAD, static methods, deep JSON (issue 16 rows 12-14)."""

from __future__ import annotations

import json

import pytest
from falcon import testing

from pinpoint.index.records import SearchRequest
from pinpoint.index.store.versions import open_searcher
from pinpoint.service.config import Config
from pinpoint.service.exports import sources_behind
from tests.hardening import full_app

CONTROLS = "".join(chr(c) for c in (*range(0, 9), 0x0B, 0x0C, *range(0x0E, 0x20), 0x7F, 0x85, 0x9F))


def test_the_sources_behind_a_search_include_those_past_the_ranked_window(seeds_index):
    with open_searcher(seeds_index) as searcher:
        request = SearchRequest(q="alliance OR security OR japan OR treaty", match="any")
        everything = sources_behind(searcher, request)
        windowed = sources_behind(searcher, request, window=2)
    assert len(everything) > 2
    assert windowed[:2] == everything[:2]  # the ranked ones first, best first
    assert sorted(s.id for s in windowed) == sorted(s.id for s in everything)


@pytest.fixture(scope="module")
def control_library(tmp_path_factory):
    from pinpoint.index.store.build import build_index

    base = tmp_path_factory.mktemp("controls")
    folder = base / "sources"
    folder.mkdir()
    record = {"id": "nul", "title": f"Zanzibarian{CONTROLS} title", "author": f"Doe{chr(0)}, Jane",
              "publisher": f"Press{chr(27)}[31m", "issued": "2020",
              "text": "The zanzibarian alliance paragraph is here for searching and exporting."}
    (folder / "corpus.jsonl").write_text(json.dumps(record) + "\n", encoding="utf-8")
    build_index([folder], base / "index")
    return base / "index"


@pytest.mark.parametrize("params", [{}, {"q": "zanzibarian"}, {"format": "csl-json"}, {"format": "ris"}])
def test_exports_carry_no_control_characters(control_library, params):
    client = testing.TestClient(full_app(Config(index_dir=control_library, reload_seconds=0)))
    resp = client.simulate_get("/bibtex", params=params)
    assert resp.status_code == 200
    text = resp.text
    assert "Zanzibarian" in text
    assert not any(ch in text for ch in CONTROLS), repr(text[:400])
    # JSON may spell them as escapes instead
    assert "\\u0000" not in text and "\\u001b" not in text.lower()


def test_a_deeply_nested_json_body_is_a_400(client):
    resp = client.simulate_post("/cite", body="[" * 40000, headers={"Content-Type": "application/json"})
    assert resp.status_code == 400
    assert resp.headers["content-type"] == "application/problem+json"
    assert "deeply" in resp.json["detail"]


def test_head_is_answered_wherever_get_is(client):
    source_id = client.simulate_get("/sources").json["sources"][0]["id"]
    for path in ("/", "/search?q=alliance", f"/sources/{source_id}", f"/sources/{source_id}/cite",
                 f"/sources/{source_id}/passages/1", f"/passages/{source_id}/1", "/bibtex", "/health",
                 "/static/pinpoint.css"):
        get = client.simulate_get(path)
        head = client.simulate_head(path)
        assert head.status_code == get.status_code == 200, (path, head.status_code)
        assert head.content == b"", path


@pytest.mark.parametrize("method", ["TRACE", "PUT", "DELETE", "POST", "PATCH"])
def test_static_files_refuse_methods_other_than_get_and_head(client, method):
    resp = client.simulate_request(method, "/static/pinpoint.css")
    assert resp.status_code == 405
    assert set(resp.headers["allow"].replace(" ", "").split(",")) == {"GET", "HEAD"}
