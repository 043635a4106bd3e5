"""Quote lookup that helps: two-word near misses, '&' for 'and', the closest candidate, the exact paragraph."""

from __future__ import annotations

import pytest

from pinpoint.index.search.quotes import DEFAULT_THRESHOLD, find_quote
from pinpoint.index.store.versions import open_searcher

CLAUSEN = "000_f5cc0b5bea89428d"
# Paragraph 2 of the Clausen piece, which shares passage 1 with paragraph 1.
SENTENCE = ("Even during the halcyon days of the Bush II-Koizumi relationship, where many were calling the "
            "U.S.-Japan security relationship the strongest it’s ever been, thoughtful analysts were looking at "
            "trends portending a dimmer future.")


@pytest.fixture(scope="module")
def searcher(seeds_index):
    with open_searcher(seeds_index) as s:
        yield s


def test_two_dropped_words_in_a_long_sentence_are_found(searcher):
    quote = SENTENCE.replace("halcyon ", "").replace("thoughtful ", "")
    result = find_quote(searcher, quote)
    assert result.found and not result.matches[0].exact
    assert result.matches[0].passage.id == f"{CLAUSEN}:1"
    assert DEFAULT_THRESHOLD <= result.matches[0].similarity < 1


def test_two_changed_words_in_a_long_sentence_are_found(searcher):
    quote = SENTENCE.replace("halcyon", "golden").replace("dimmer", "darker")
    result = find_quote(searcher, quote)
    assert result.found and result.matches[0].passage.id == f"{CLAUSEN}:1"


def test_ampersand_for_and_plus_one_dropped_word_is_found(searcher):
    quote = "The United States & Japan both need to remind themselves of the importance of bilateral"
    result = find_quote(searcher, quote)
    assert result.found, result
    assert result.matches[0].passage.source_id == "001_8da24b7836810569"


def test_three_changed_words_are_not_attributed_but_the_closest_is_shown(searcher):
    quote = SENTENCE.replace("halcyon", "golden").replace("dimmer", "darker").replace("analysts", "critics")
    result = find_quote(searcher, quote)
    assert not result.found and not result.matches
    closest = result.closest
    assert closest is not None and closest.passage.id == f"{CLAUSEN}:1"
    assert 0.5 < closest.similarity < DEFAULT_THRESHOLD


def test_a_verbatim_quote_leaves_no_closest(searcher):
    result = find_quote(searcher, SENTENCE)
    assert result.found and result.matches[0].exact and result.closest is None


def test_the_locator_is_the_paragraph_the_quote_lies_in(searcher):
    match = find_quote(searcher, SENTENCE).matches[0]
    assert (match.passage.paragraph, match.passage.paragraph_end) == (1, 2)
    assert (match.paragraph, match.paragraph_end) == (2, 2)
    first = find_quote(searcher, "with quality leadership bilateral security ties should continue to thrive").matches[0]
    assert (first.paragraph, first.paragraph_end) == (1, 1)
    across = find_quote(searcher, "should continue to thrive. It is not uncommon to hear professional Japan-watchers").matches[0]
    assert (across.paragraph, across.paragraph_end) == (1, 2)


def test_cite_endpoint_pins_the_paragraph_and_shows_the_closest(client):
    body = client.simulate_get("/cite", params={"quote": SENTENCE}).json
    assert body["matches"][0]["paragraph"] == 2 and "para. 2" in body["matches"][0]["citation"]["in_text"]
    assert body["closest"] is None
    missed = SENTENCE.replace("halcyon", "golden").replace("dimmer", "darker").replace("analysts", "critics")
    body = client.simulate_get("/cite", params={"quote": missed}).json
    assert body["found"] is False and body["matches"] == []
    assert body["closest"]["passage_id"] == f"{CLAUSEN}:1"
    assert body["closest"]["note"].startswith("not found; closest: ")
    assert "citation" not in body["closest"]


def test_search_page_says_not_found_and_names_the_closest(client):
    missed = SENTENCE.replace("halcyon", "golden").replace("dimmer", "darker").replace("analysts", "critics")
    page = client.simulate_get("/", params={"mode": "quote", "quote": missed}).text
    assert "No indexed source contains this quotation" in page
    assert "Not found; closest:" in page and "not a match" in page
