"""Every query has a cost bound (issue 16 rows 2, 10, 11).

The query language (pinpoint.index.search.syntax) has no range or
expansion over text and names only the public fields; each search has a
time limit after which it answers with what it found, marked partial.
How long hostile queries take is measured in
``python -m tests.benchmarks.attacks --only queries``.
"""

from __future__ import annotations

import dataclasses

import pytest
from falcon import testing

from pinpoint.index.records import SearchRequest
from pinpoint.index.store.versions import open_searcher
from pinpoint.service.config import Config
from tests.hardening import full_app

HOSTILE = [
    "[a TO z]", "text:[0 TO 9]", "title:{a TO z}", "text:number:[0 TO 100000]", "text:paragraph:1",
    "number:1", "paragraph:1", "source_id:x", "passage_id:x", "start:0", "a*", "*", "?", "alliance~3",
    "text:(number:1 OR paragraph:2)", "(((((((((((a)))))))))))", "year:[0 TO 99999999]",
]


@pytest.fixture(scope="module")
def client(app_config):
    return testing.TestClient(full_app(app_config))


@pytest.mark.parametrize("q", HOSTILE)
def test_hostile_queries_are_answered_or_refused_never_failed(client, q):
    resp = client.simulate_get("/search", params={"q": q})
    assert resp.status_code in (200, 400), resp.text
    if resp.status_code == 400:
        assert resp.headers["content-type"] == "application/problem+json"
        detail = resp.json["detail"]
        assert "STORED" not in detail and "whoosh" not in detail.lower(), detail


def test_internal_fields_are_not_searched(client):
    # Every passage has number 1..n and paragraph >= 1: reaching those fields would match them all.
    everything = client.simulate_get("/sources").json["sources"]
    passages = sum(s["passage_count"] for s in everything)
    for q in ("text:number:[0 TO 100000]", "text:paragraph:1", "heading:number:1"):
        resp = client.simulate_get("/search", params={"q": q, "match": "any"})
        assert resp.status_code in (200, 400)
        if resp.status_code == 200:
            assert resp.json["total"] < passages, q


@pytest.fixture(scope="module")
def many_passages(tmp_path_factory):
    from pinpoint.index.store.build import build_index

    base = tmp_path_factory.mktemp("many-passages")
    folder = base / "sources"
    folder.mkdir()
    paragraph = "The zanzibarian alliance, the harbour and the treaty were discussed at length once more. " * 3
    (folder / "long.txt").write_text("A long record\n\n" + "\n\n".join(f"{n}. {paragraph}" for n in range(6000)),
                                     encoding="utf-8")
    build_index([folder], base / "index")
    return base / "index"


def test_a_search_past_its_time_limit_answers_with_what_it_found(many_passages):
    with open_searcher(many_passages) as searcher:
        request = SearchRequest(q="zanzibarian alliance", limit=5)
        whole = searcher.search(request)
        cut = searcher.search(dataclasses.replace(request, time_limit=1e-9))
    assert not whole.partial and whole.total >= 6000
    assert cut.partial and cut.total < whole.total


def test_the_api_says_when_an_answer_is_partial(many_passages):
    quick = testing.TestClient(full_app(Config(index_dir=many_passages, reload_seconds=0, search_seconds=1e-9)))
    resp = quick.simulate_get("/search", params={"q": "zanzibarian alliance"})
    assert resp.status_code == 200
    assert resp.json["partial"] is True
    patient = testing.TestClient(full_app(Config(index_dir=many_passages, reload_seconds=0)))
    assert patient.simulate_get("/search", params={"q": "zanzibarian alliance"}).json["partial"] is False


def test_citing_a_paragraph_finds_the_passage_a_full_scan_finds(seeds_index):
    from pinpoint.service.resources.export import passage_holding

    with open_searcher(seeds_index) as searcher:
        for source in searcher.sources():
            passages = searcher.passages(source.id)
            last = max(p.paragraph_end for p in passages)
            for paragraph in range(1, last + 2):
                expected = next((p for p in passages if p.paragraph <= paragraph <= p.paragraph_end), None)
                assert passage_holding(searcher, source, paragraph) == (expected, last), (source.id, paragraph)
