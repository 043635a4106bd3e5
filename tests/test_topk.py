"""Top-k pruning (index/search/whoosh/topk.py): the same page as scoring every
match, and a total that says when it is only a lower bound.

Pruning runs where the posting columns cannot answer (column_search.py), so
these searches go through Whoosh's collectors (``columns=False``)."""

from __future__ import annotations

import dataclasses
import random

import pytest

from pinpoint.index.records import SearchRequest
from pinpoint.index.search.whoosh.searcher import WhooshSearcher
from pinpoint.index.search.whoosh.topk import EXACT_TOTAL_UP_TO
from pinpoint.index.store.build import build_index
from pinpoint.index.store.versions import open_searcher

WORDS = ("harbour treaty alliance river king love death ship island trade war peace garden letter "
         "mountain winter summer castle bridge market").split()


@pytest.fixture(scope="module")
def varied(tmp_path_factory):
    """Several thousand passages, most mentioning a few words once among many
    others, a few short and dense with them: most posting blocks then cannot
    reach the page."""
    base = tmp_path_factory.mktemp("topk")
    folder = base / "sources"
    folder.mkdir()
    rng = random.Random(15)
    for book in range(3):
        paragraphs = []
        for n in range(1500):
            # Dense passages open the first book and close the last: pruning
            # must skip the plain blocks between without losing the last ones.
            if (book == 0 and n < 30) or (book == 2 and n >= 1470):
                words = rng.sample(WORDS, 10) * 3
            else:
                words = rng.sample(WORDS, 3) + ["quietly"] * rng.randint(40, 80)
                rng.shuffle(words)
            paragraphs.append(" ".join(words) + ".")
        (folder / f"book{book}.txt").write_text(f"Book {book}\n\n" + "\n\n".join(paragraphs), encoding="utf-8")
    build_index([folder], base / "index")
    served = open_searcher(base / "index")
    served.close()
    with WhooshSearcher(served.version_dir, served.version, columns=False) as searcher:
        yield searcher


QUERIES = [("king", "all"), ("love death", "all"), ("love death river", "any"), ("harbour", "any"),
           ("treaty peace war ship", "any"), ("castle bridge", "all"), ("king", "any")]


@pytest.mark.parametrize("q,match", QUERIES)
@pytest.mark.parametrize("limit,offset", [(10, 0), (5, 20)])
def test_pruned_pages_equal_exhaustive_ones(varied, q, match, limit, offset):
    asked = SearchRequest(q=q, match=match, limit=limit, offset=offset, facets=False, highlight=False)
    pruned = varied.search(asked)
    exact = varied.search(dataclasses.replace(asked, exact_total=True))
    assert [(h.passage.id, round(h.score, 9)) for h in pruned.hits] == \
        [(h.passage.id, round(h.score, 9)) for h in exact.hits]
    assert exact.total_relation == "eq"
    if pruned.total_relation == "eq":
        assert pruned.total == exact.total
    else:
        assert EXACT_TOTAL_UP_TO <= pruned.total <= exact.total


def test_common_words_are_counted_as_a_lower_bound(varied):
    found = varied.search(SearchRequest(q="love death river", match="any", facets=False))
    exact = varied.search(SearchRequest(q="love death river", match="any", facets=False, exact_total=True))
    assert found.total_relation == "gte" and EXACT_TOTAL_UP_TO <= found.total < exact.total


def test_few_matches_are_counted_exactly(varied):
    found = varied.search(SearchRequest(q="king love death", match="all", facets=False))
    exact = varied.search(SearchRequest(q="king love death", match="all", facets=False, exact_total=True))
    assert found.total == exact.total < EXACT_TOTAL_UP_TO and found.total_relation == "eq"


def test_facets_and_grouping_count_every_match(varied):
    faceted = varied.search(SearchRequest(q="harbour", facets=True))
    grouped = varied.search(SearchRequest(q="harbour", facets=False, group_by_source=True))
    assert faceted.total_relation == grouped.total_relation == "eq"
    assert sum(faceted.facets["source"].values()) == faceted.total
    assert grouped.total == 3
