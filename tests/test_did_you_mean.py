"""Did-you-mean suggests only corrections that stay close to the query and find more."""

from __future__ import annotations

import pytest

from pinpoint.index.records import SearchRequest
from pinpoint.index.store.versions import open_searcher

DOCS = {
    "gig.txt": "Drivers say they get paid less under the new rules of the platform economy.",
    "glacier.txt": "The glaciers of the northern valley have been retreating for a century.",
    "fuel.txt": "The economy slowed while gas prices rose through the winter.",
}


@pytest.fixture(scope="module")
def searcher(tmp_path_factory):
    from pinpoint.index.store.build import build_index

    folder = tmp_path_factory.mktemp("dym") / "docs"
    folder.mkdir()
    for name, text in DOCS.items():
        (folder / name).write_text(f"{text}\n", encoding="utf-8")
    build_index([folder], folder.parent / "index")
    with open_searcher(folder.parent / "index") as s:
        yield s


def suggest(searcher, q: str) -> str | None:
    return searcher.search(SearchRequest(q=q)).corrected_query


def test_short_words_are_not_turned_into_other_words(searcher):
    # "gig" -> "get" and "uber" -> "under" are two letters off: different words, not typos.
    assert suggest(searcher, "gig economy Uber drivers") is None


def test_a_real_typo_is_corrected(searcher):
    assert suggest(searcher, "glacers") == "glaciers"
    assert suggest(searcher, "retreating glacers") == "retreating glaciers"


def test_a_correction_that_finds_no_more_is_not_offered(searcher):
    # Matching any word, "gad economy" already finds both passages about the
    # economy; "gas economy" would find the same two, so it adds nothing.
    assert searcher.search(SearchRequest(q="gad economy", match="any")).total == 2
    assert searcher.search(SearchRequest(q="gas economy", match="any")).total == 2
    assert searcher.search(SearchRequest(q="gad economy", match="any")).corrected_query is None


def test_a_correction_that_makes_every_word_match_is_offered(searcher):
    # Matching all words (the default), "economy gad" finds nothing as typed
    # (the page falls back to any word); corrected, one passage has them all.
    assert suggest(searcher, "economy gad") == "economy gas"


def test_a_known_query_gets_no_suggestion(searcher):
    assert suggest(searcher, "glaciers") is None
