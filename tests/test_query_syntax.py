"""Query syntax, filters, fallback, paging, grouping, spelling and facets."""

from __future__ import annotations

import pytest

from pinpoint.index.errors import BadQuery
from pinpoint.index.search.syntax import MAX_QUERY_CHARS, MAX_QUERY_TERMS
from pinpoint.index.records import SearchRequest
from tests.engine_corpus import CORPUS


@pytest.fixture(scope="module")
def searcher(corpus_searcher):
    # Part of the engine contract: every engine under test runs these.
    return corpus_searcher


def search(searcher, q, **options):
    return searcher.search(SearchRequest(q=q, limit=options.pop("limit", 50), **options))


def texts(result):
    return [h.passage.text.lower() for h in result.hits]


def sources_of(result):
    return {h.source.id for h in result.hits}


def holds_every_word(hit, words) -> bool:
    text = (hit.passage.text + " " + hit.source.title).lower()
    return all(word in text for word in words)


def test_match_all_needs_every_word(searcher):
    result = search(searcher, "treaty japan", match="all")
    assert result.matched_all_terms and result.total == len(result.hits) > 0
    assert all("treaty" in t and "japan" in t for t in texts(result))


def test_by_default_passages_with_every_word_rank_first_and_the_rest_follow(searcher):
    strict = search(searcher, "treaty japan", match="all")
    preferred = search(searcher, "treaty japan")
    assert preferred.total > strict.total > 0 and preferred.matched_all_terms
    every = [holds_every_word(hit, ("treaty", "japan")) for hit in preferred.hits]
    # Every passage holding both words comes before any passage holding one.
    assert every == sorted(every, reverse=True) and sum(every) >= strict.total


def test_by_default_operators_mean_what_they_say(searcher):
    explicit = search(searcher, "treaty AND japan")
    strict = search(searcher, "treaty japan", match="all")
    assert [h.passage.id for h in explicit.hits] == [h.passage.id for h in strict.hits]


def test_no_passage_with_every_word_falls_back_to_any_and_says_so(searcher):
    result = search(searcher, "glaciers henoko", match="all")
    assert not result.matched_all_terms
    assert sources_of(result) == {"climate", "okinawa"}
    # Preferring every word needs no fallback: passages with either word are found as asked.
    assert sources_of(search(searcher, "glaciers henoko")) == {"climate", "okinawa"}


def test_match_any_ranks_by_any_word(searcher):
    result = search(searcher, "glaciers treaty", match="any")
    assert {"climate", "treaty"} <= sources_of(result)


def test_quoted_phrase_needs_the_words_in_order(searcher):
    phrase = search(searcher, '"security treaty"')
    words = search(searcher, "treaty security")
    # The title is searched too: its phrase match brings in the treaty source's passages.
    assert all("security treaty" in (h.passage.text + " " + h.source.title).lower() for h in phrase.hits)
    assert phrase.total < words.total
    body_only = search(searcher, 'text:"security treaty"')
    assert body_only.total > 0 and all("security treaty" in t for t in texts(body_only))


def test_or_not_and_parentheses(searcher):
    assert sources_of(search(searcher, "henoko OR glaciers")) == {"okinawa", "climate"}
    not_japan = search(searcher, "treaty NOT japan")
    assert not_japan.total > 0 and all("japan" not in t for t in texts(not_japan))
    grouped = search(searcher, "(henoko OR glaciers) AND relocation")
    assert sources_of(grouped) == {"okinawa"}


@pytest.mark.parametrize(
    "q, expected",
    [
        ("author:smith treaty", {"treaty"}),
        ("title:glaciers", {"climate"}),
        ("source:markup", {"markup"}),
        ("year:2019", {"climate"}),
        ("year:2010..2014 treaty", {"okinawa", "treaty"}),
        ("year:2011.. bases", {"okinawa", "climate"}),
        ("year:..2012 bases", {"treaty"}),
    ],
)
def test_field_filters_in_the_query(searcher, q, expected):
    assert sources_of(search(searcher, q)) == expected


def test_filters_from_request_fields(searcher):
    assert sources_of(search(searcher, "treaty", author="Jones")) == {"treaty"}
    assert sources_of(search(searcher, "bases", title="glaciers retreat")) == {"climate"}
    assert sources_of(search(searcher, "treaty", source="okinawa")) == {"okinawa"}
    assert sources_of(search(searcher, "treaty", year_from=2011)) == {"okinawa"}
    assert sources_of(search(searcher, "treaty", year_to=2012)) == {"treaty"}
    # A filter does not change which passage ranks first within what is left.
    alone = search(searcher, "treaty", source="treaty").hits[0].passage.id
    ranked = [h.passage.id for h in search(searcher, "treaty").hits if h.source.id == "treaty"][0]
    assert alone == ranked


def test_filters_alone_list_their_passages(searcher):
    result = search(searcher, "", source="climate")
    assert result.total == 2 and sources_of(result) == {"climate"}


def test_group_by_source_gives_each_source_once_with_its_best_passage(searcher):
    flat = search(searcher, "treaty")
    grouped = search(searcher, "treaty", group_by_source=True)
    best = {}
    for hit in flat.hits:
        best.setdefault(hit.source.id, hit.passage.id)
    assert grouped.total == len(best) == len(grouped.hits)
    assert {h.source.id: h.passage.id for h in grouped.hits} == best


def test_paging_walks_the_same_ranking_with_a_stable_total(searcher):
    everything = search(searcher, "treaty OR bases")
    pages = [search(searcher, "treaty OR bases", limit=2, offset=o) for o in range(0, everything.total, 2)]
    assert all(p.total == everything.total for p in pages)
    assert [h.passage.id for p in pages for h in p.hits] == [h.passage.id for h in everything.hits]
    assert [h.rank for p in pages for h in p.hits] == list(range(1, everything.total + 1))


def test_spelling_suggestion_only_for_unknown_words(searcher):
    assert search(searcher, "glacers").corrected_query == "glaciers"
    assert search(searcher, "retreating glacers").corrected_query == "retreating glaciers"
    assert search(searcher, "glaciers").corrected_query is None


def test_facets_count_matching_passages(searcher):
    result = search(searcher, "treaty")
    assert sum(result.facets["source"].values()) == result.total
    per_source = {}
    for hit in result.hits:
        per_source[hit.source.id] = per_source.get(hit.source.id, 0) + 1
    assert result.facets["source"] == per_source
    assert result.facets["author"]["Smith, Anna"] == per_source["treaty"]
    assert result.facets["year"]["n.d."] == per_source["markup"]


@pytest.mark.parametrize(
    "q, needle",
    [
        ('"unclosed phrase', "quotation"),
        ("(treaty OR japan", "parenthesis"),
        ("treaty)", "parenthesis"),
        ("colour:red", "unknown field"),
        ("year:soon", "year"),
        ("year:2015..2010", "backwards"),
        ("x" * (MAX_QUERY_CHARS + 1), "limit"),
        (" ".join(f"w{i}" for i in range(MAX_QUERY_TERMS + 1)), "limit"),
        ("   ", "empty"),
    ],
)
def test_bad_queries_raise_with_a_readable_message(searcher, q, needle):
    with pytest.raises(BadQuery, match=needle):
        search(searcher, q)


@pytest.mark.parametrize(
    "options", [{"limit": 0}, {"offset": -1}, {"match": "some"}]
)
def test_bad_paging_and_options_raise(searcher, options):
    with pytest.raises(BadQuery):
        search(searcher, "treaty", **options)


def test_corpus_fixture_covers_every_source(searcher):
    assert {s.id for s in searcher.sources()} == {source.id for source, _ in CORPUS}
