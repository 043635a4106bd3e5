"""GET and POST /cite through falcon's TestClient around create_app()."""

from __future__ import annotations

import itertools
import json

import pytest

from pinpoint.index.search.quotes import DEFAULT_THRESHOLD


@pytest.fixture(scope="module")
def cite_client(client):
    return client


@pytest.fixture(scope="module")
def passages(seeds_index):
    from pinpoint.index.store.versions import open_searcher

    searcher = open_searcher(seeds_index)
    found = [p for s in searcher.sources() for p in searcher.passages(s.id)]
    searcher.close()
    return found


def long_passage(passages, min_words=60):
    return next(p for p in passages if len(p.text.split()) >= min_words and "\n" not in p.text)


def test_get_finds_an_exact_quote_with_its_citation(cite_client, passages):
    passage = long_passage(passages)
    quote = " ".join(passage.text.split()[3:21])
    body = cite_client.simulate_get("/cite", params={"quote": f"“{quote}”"}).json
    assert body["quote"] == f"“{quote}”" and body["found"] is True
    assert body["threshold"] == DEFAULT_THRESHOLD
    top = body["matches"][0]
    assert top["passage_id"] == passage.id and top["source_id"] == passage.source_id
    assert top["exact"] is True and top["similarity"] == 1.0
    assert top["matched_text"] == quote == passage.text[top["span"]["start"]:top["span"]["end"]]
    assert top["paragraph"] == passage.paragraph and top["source"]["id"] == passage.source_id
    citation = top["citation"]
    assert set(citation) >= {"reference", "in_text", "quotation"}
    assert f"para. {passage.paragraph}" in citation["in_text"] or f"paras. {passage.paragraph}" in citation["in_text"]
    assert quote.rstrip(".,;:") in citation["quotation"] and citation["quotation"].endswith(citation["in_text"])


def test_normalised_quote_and_style_are_reported(cite_client, passages):
    passage = long_passage(passages)
    quote = " ".join(passage.text.split()[3:21]).upper()
    body = cite_client.simulate_get("/cite", params={"quote": quote, "style": "mla"}).json
    assert body["normalized_quote"] == body["normalized_quote"].lower()
    assert body["style"] == "mla" and body["matches"][0]["citation"]["style"] == "mla"


def test_a_near_miss_is_reported_with_its_similarity(cite_client, passages):
    passage = long_passage(passages)
    words = passage.text.split()[3:21]
    words[8] = "Lisbon"
    top = cite_client.simulate_get("/cite", params={"quote": " ".join(words)}).json["matches"][0]
    assert top["exact"] is False and DEFAULT_THRESHOLD <= top["similarity"] < 1
    assert top["passage_id"] == passage.id


def test_absent_text_is_not_found(cite_client):
    quote = "Tokyo quietly agreed to pay for a second runway on Guam after the talks in Honolulu collapsed."
    body = cite_client.simulate_get("/cite", params={"quote": quote}).json
    assert body["found"] is False and body["matches"] == []


def test_post_takes_a_long_quote_across_passages(cite_client, passages):
    first, following = next(
        (a, b) for a, b in itertools.pairwise(passages)
        if a.source_id == b.source_id and len(a.text) + len(b.text) > 1500
    )
    quote = first.text + "\n\n" + following.text
    assert len(quote) > 1500
    resp = cite_client.simulate_post("/cite", json={"quote": quote, "style": "apa", "limit": 2})
    assert resp.status_code == 200
    top = resp.json["matches"][0]
    assert top["exact"] is True and top["passage_id"] == first.id
    assert [c["passage_id"] for c in top["continued"]] == [following.id]
    assert top["continued"][0]["matched_text"] in following.text
    assert len(resp.json["matches"]) <= 2


def test_get_and_post_agree(cite_client, passages):
    quote = " ".join(long_passage(passages).text.split()[10:30])
    got = cite_client.simulate_get("/cite", params={"quote": quote}).json
    posted = cite_client.simulate_post("/cite", json={"quote": quote}).json
    for body in (got, posted):
        body.pop("took_ms")
    assert got == posted


def problem(resp):
    assert resp.status_code == 400, resp.text
    assert resp.headers["content-type"].startswith("application/problem+json")
    return resp.json["detail"]


@pytest.mark.parametrize("params, fragment", [
    ({}, "quote"),
    ({"quote": "   "}, "quote"),
    ({"quote": "Futenma"}, "at least"),
    ({"quote": "the alliance drifts apart", "limit": "0"}, "limit"),
    ({"quote": "the alliance drifts apart", "style": "no-such-style"}, "style"),
])
def test_bad_get_requests_are_400_problems(cite_client, params, fragment):
    assert fragment in problem(cite_client.simulate_get("/cite", params=params))


def test_a_quote_over_the_configured_length_is_refused(cite_client, app_config):
    too_long = "alliance " * (app_config.max_quote_chars // 9 + 1)
    assert "limit" in problem(cite_client.simulate_post("/cite", json={"quote": too_long}))


@pytest.mark.parametrize("kwargs, fragment", [
    ({"body": '{"quote": "the alliance', "headers": {"Content-Type": "application/json"}}, "not valid JSON"),
    ({"body": "", "headers": {"Content-Type": "application/json"}}, "empty"),
    ({"body": "quote=the+alliance", "headers": {"Content-Type": "application/x-www-form-urlencoded"}}, "JSON"),
    ({"json": ["the alliance drifts apart"]}, "JSON object"),
    ({"json": {"quote": 42}}, "string"),
    ({"json": {"quote": None}}, "required"),
    ({"json": {"quote": ""}}, "empty"),
    ({"json": {"quote": "the alliance drifts apart", "limit": True}}, "limit"),
    ({"json": {"quote": "the alliance drifts apart", "limit": "5"}}, "limit"),
    ({"json": {"quote": "the alliance drifts apart", "style": 3}}, "style"),
    ({"json": {"qoute": "the alliance drifts apart"}}, "qoute"),
])
def test_bad_post_requests_are_400_problems(cite_client, kwargs, fragment):
    detail = problem(cite_client.simulate_post("/cite", **kwargs))
    assert fragment in detail


def test_problem_bodies_are_json_documents(cite_client):
    resp = cite_client.simulate_post("/cite", body="{", headers={"Content-Type": "application/json"})
    doc = json.loads(resp.text)
    assert doc["status"] == 400 and doc["title"]
