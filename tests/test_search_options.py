"""Searches that skip work a caller does not show: highlighting and facets.

Skipping must never change which passages come back, in what order, or the
total; and facets and one-per-source grouping must stay right across
segments and deletions (they read source ids cached per searcher).
"""

from __future__ import annotations

import pytest

from pinpoint.index.records import SearchRequest
from pinpoint.index.search.whoosh.engine import WhooshSearcher, WhooshWriter, read_sources
from tests.engine_corpus import CORPUS, _passages, _source, open_corpus


@pytest.fixture(scope="module")
def searcher(tmp_path_factory):
    s = open_corpus(tmp_path_factory.mktemp("options"))
    yield s
    s.close()


def ranking(result):
    return [(h.passage.id, round(h.score, 9)) for h in result.hits]


@pytest.mark.parametrize("q, options", [
    ("treaty", {}),
    ("treaty japan", {}),
    ("glaciers henoko", {}),  # falls back to any word
    ('"security treaty"', {}),
    ("treaty", {"group_by_source": True}),
    ("bases", {"match": "any", "offset": 1, "limit": 2}),
])
def test_without_highlighting_the_same_passages_rank_the_same(searcher, q, options):
    marked = searcher.search(SearchRequest(q=q, **options))
    plain = searcher.search(SearchRequest(q=q, highlight=False, **options))
    assert ranking(plain) == ranking(marked) and plain.total == marked.total
    assert marked.hits and any(h.matches for h in marked.hits)
    assert all(h.matches == () and h.excerpt == "" == h.excerpt_html for h in plain.hits)


@pytest.mark.parametrize("options", [{}, {"group_by_source": True}, {"source": "treaty"}])
def test_without_facets_total_and_hits_are_unchanged(searcher, options):
    counted = searcher.search(SearchRequest(q="treaty", limit=50, **options))
    uncounted = searcher.search(SearchRequest(q="treaty", limit=50, facets=False, **options))
    assert counted.facets and uncounted.facets == {}
    assert ranking(uncounted) == ranking(counted) and uncounted.total == counted.total


def per_source(result):
    counts = {}
    for hit in result.hits:
        counts[hit.source.id] = counts.get(hit.source.id, 0) + 1
    return counts


def test_facets_and_grouping_follow_a_second_commit_with_deletions(tmp_path):
    directory = tmp_path / "two-commits"
    first = WhooshWriter(directory)
    for source, passages in CORPUS:
        first.add_source(source, passages)
    first.commit()
    second = WhooshWriter(directory, sources=read_sources(directory))
    second.remove_source("okinawa")
    second.add_source(
        _source("ryukyu", "Ryukyu treaty ports", [("Oshiro", "Mei")], 1854),
        _passages("ryukyu", ["The treaty of 1854 opened Naha to American ships.", "Ports and the treaty."]),
    )
    second.commit()
    with WhooshSearcher(directory, "two") as s:
        every = s.search(SearchRequest(q="treaty", limit=50))
        assert every.facets["source"] == per_source(every)
        assert set(every.facets["source"]) == {"treaty", "markup", "ryukyu"}
        assert every.facets["year"]["1854"] == 2 and every.facets["author"]["Oshiro, Mei"] == 2
        grouped = s.search(SearchRequest(q="treaty", limit=50, group_by_source=True, facets=False))
        assert sorted(per_source(grouped).items()) == [("markup", 1), ("ryukyu", 1), ("treaty", 1)]
        assert grouped.total == 3


@pytest.mark.parametrize("q, options", [("treaty bases", {"match": "any"}), ("the treaty", {}),
                                        ("bases", {"facets": False})])
def test_total_does_not_depend_on_the_page(searcher, q, options):
    totals = {searcher.search(SearchRequest(q=q, limit=limit, offset=offset, **options)).total
              for limit, offset in ((1, 0), (2, 1), (50, 0))}
    assert len(totals) == 1 and totals.pop() > 2
