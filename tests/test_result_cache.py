"""The per-worker result cache (service/result_cache.py): a repeated search is
answered from it; another index version or a partial answer never is."""

from __future__ import annotations

import dataclasses
import shutil

from pinpoint.index.records import SearchRequest
from pinpoint.index.store.versions import open_searcher
from pinpoint.service.result_cache import ResultCache, normalised


def test_the_same_request_is_answered_from_the_cache_within_a_version(seeds_index, tmp_path):
    cache = ResultCache(10)
    with open_searcher(seeds_index) as searcher:
        first = cache.search(searcher, SearchRequest(q="alliance  treaty", time_limit=2.0))
        assert first.hits
        assert cache.search(searcher, SearchRequest(q=" alliance treaty ", time_limit=1.5)) is first
        assert cache.search(searcher, SearchRequest(q="alliance treaty", offset=1)) is not first
    copy = tmp_path / "index"
    shutil.copytree(seeds_index, copy)
    with open_searcher(copy) as same_files:
        # The same files under another version name: searched again, not served from the old version's entries.
        same_files.version = same_files.version + "-next"
        again = cache.search(same_files, SearchRequest(q="alliance treaty"))
        assert again is not first and [h.passage.id for h in again.hits] == [h.passage.id for h in first.hits]


def test_partial_answers_and_a_disabled_cache_search_every_time(seeds_index):
    with open_searcher(seeds_index) as searcher:
        # No time at all: the answer is partial, and a partial answer is not kept.
        hurried = SearchRequest(q="alliance", time_limit=1e-9)
        cache = ResultCache(10)
        first = cache.search(searcher, hurried)
        assert first.partial and cache.search(searcher, hurried) is not first
        off = ResultCache(0)
        request = SearchRequest(q="alliance")
        assert off.search(searcher, request) is not off.search(searcher, request)


def test_normalising_keeps_what_changes_the_answer():
    assert normalised(SearchRequest(q="a  b")) == normalised(SearchRequest(q="a b", time_limit=3))
    assert normalised(SearchRequest(q="a b", match="any")) != normalised(SearchRequest(q="a b"))
    assert normalised(SearchRequest(q="a b")) != normalised(dataclasses.replace(SearchRequest(q="a b"), exact_total=True))
