"""The per-worker memo of sources and citations: once per index version, bounded."""

from __future__ import annotations

import pytest

from pinpoint.service.cache import VersionedMemo


def test_a_value_is_computed_once_per_version():
    memo = VersionedMemo()
    calls = []

    def compute():
        calls.append(1)
        return len(calls)

    assert memo.get("000001", "apa", compute) == 1
    assert memo.get("000001", "apa", compute) == 1
    assert memo.get("000002", "apa", compute) == 2  # a new version formats again
    assert memo.version == "000002" and len(memo) == 1
    assert memo.get("000002", "mla", compute) == 3 and len(memo) == 2


def test_the_memo_never_grows_past_its_bound():
    memo = VersionedMemo(max_entries=5)
    for n in range(23):
        assert memo.get("v", n, lambda n=n: n * n) == n * n
        assert len(memo) <= 5


def test_an_error_is_not_remembered():
    memo = VersionedMemo()

    def fail():
        raise LookupError("no such style")

    with pytest.raises(LookupError):
        memo.get("v", "x", fail)
    assert memo.get("v", "x", lambda: "ok") == "ok"


def test_bound_must_be_positive():
    with pytest.raises(ValueError):
        VersionedMemo(max_entries=0)


def test_search_citations_match_a_fresh_citation_in_every_style(client, seeds_index):
    from pinpoint.index.store.versions import open_searcher
    from pinpoint.service.citations import STYLES, cite
    from pinpoint.service.representations import citation_json, locator_for, source_json

    searcher = open_searcher(seeds_index)
    try:
        for style in STYLES:
            for _ in range(2):  # the second response comes from the memo
                body = client.simulate_get("/search", params={"q": "alliance", "style": style, "limit": 5}).json
                assert body["hits"]
                for hit in body["hits"]:
                    source = searcher.source(hit["source_id"])
                    passage = searcher.passage(hit["source_id"], hit["number"])
                    fresh = citation_json(cite(source.csl, style, locator_for(passage)), hit["excerpt"])
                    assert hit["citation"] == fresh
                    assert hit["source"] == source_json(source)
    finally:
        searcher.close()
