"""The engine contract: what every engine must do, run against each engine under test.

``PINPOINT_TEST_ENGINES`` (comma-separated, default ``whoosh``) names the
engines; an engine proves itself by passing this file, tests/test_engine.py's
searcher tests and tests/test_query_syntax.py unchanged (they share the
``corpus_searcher`` fixture of tests/conftest.py).  This file adds ranking
sanity, grouping, highlight offsets, passages and their neighbours, quote
lookup, and publishing a version that a live index picks up.
"""

from __future__ import annotations

import html
import json

import pytest

from pinpoint.index.errors import BadQuery, UnknownPassage
from pinpoint.index.records import SearchRequest
from pinpoint.index.search.engine import ENGINES, UnknownEngine, get_engine
from pinpoint.index.search.quotes import find_quote
from pinpoint.index.store.build import build_index
from pinpoint.index.store.versions import LiveIndex, open_searcher
from tests.engine_corpus import CORPUS


@pytest.fixture(scope="module")
def searcher(corpus_searcher):
    return corpus_searcher


def ids(result):
    return [h.passage.id for h in result.hits]


def test_the_passage_that_says_it_most_ranks_first(searcher):
    result = searcher.search(SearchRequest(q="glaciers retreating"))
    # Both words in the title and the text beat a passage with only one of them in its text.
    assert ids(result)[:2] == ["climate:1", "climate:2"] or ids(result)[:2] == ["climate:2", "climate:1"]
    scores = [h.score for h in result.hits]
    assert scores == sorted(scores, reverse=True) and scores[0] > 0
    assert [h.rank for h in result.hits] == list(range(1, len(result.hits) + 1))


def test_a_rare_word_outweighs_a_common_one(searcher):
    hits = searcher.search(SearchRequest(q="treaty OR henoko")).hits
    assert hits[0].passage.id == "okinawa:1"


def test_every_hit_carries_its_source_and_a_passage_as_written(searcher):
    written = {p.id: p for _, passages in CORPUS for p in passages}
    for hit in searcher.search(SearchRequest(q="treaty", limit=50)).hits:
        assert hit.passage == written[hit.passage.id]
        assert hit.source.id == hit.passage.source_id and hit.source.title


def test_grouping_keeps_each_sources_best_passage_and_counts_sources(searcher):
    flat = searcher.search(SearchRequest(q="treaty OR bases", limit=50))
    grouped = searcher.search(SearchRequest(q="treaty OR bases", limit=50, group_by_source=True))
    best: dict[str, str] = {}
    for hit in flat.hits:
        best.setdefault(hit.source.id, hit.passage.id)
    assert ids(grouped) == list(best.values()) and grouped.total == len(best)


def test_matches_are_offsets_into_the_passage_text(searcher):
    for hit in searcher.search(SearchRequest(q='relocation "security treaty"', match="any", limit=50)).hits:
        # A passage can match through its source's title alone; then nothing in its text is marked.
        text = hit.passage.text.lower()
        assert bool(hit.matches) == ("relocation" in text or "security treaty" in text), hit.passage.id
        for match in hit.matches:
            assert hit.passage.text[match.start:match.end] == match.term
            assert match.term.lower().startswith(("reloc", "secur", "treat"))
        plain = html.unescape(hit.excerpt_html.replace("<mark>", "").replace("</mark>", ""))
        assert plain == hit.excerpt


def test_a_hit_names_the_typed_words_its_passage_lacks(searcher):
    result = searcher.search(SearchRequest(q="Okinawa protests relocation the", limit=50))
    # "protests" is matched through its stem ("protested"); "the" is a stop word nobody looks for.
    assert [(h.passage.id, h.missing) for h in result.hits] == [
        ("okinawa:2", ()),  # every word first
        ("okinawa:1", ("Okinawa", "protests")),
        ("okinawa:3", ("Okinawa", "protests", "relocation")),  # found through its source's title only
    ]
    # A phrase counts only with its words in a row.
    phrased = {h.passage.id: h.missing for h in searcher.search(SearchRequest(q='"security treaty" revised')).hits}
    assert phrased["treaty:1"] == () and phrased["okinawa:3"] == ("revised",)
    assert phrased["treaty:2"] == ("security treaty", "revised")  # "treaty" alone, and the title's phrase


@pytest.mark.parametrize("request_", [
    SearchRequest(q="Okinawa OR relocation"),  # an operator means what it says
    SearchRequest(q="relocation"),  # one word
    SearchRequest(q="Okinawa relocation", highlight=False),  # callers that show no excerpts
])
def test_no_missing_words_where_the_query_requires_them_or_nobody_reads_them(searcher, request_):
    assert all(h.missing == () for h in searcher.search(request_).hits)


def test_highlighting_and_facets_can_be_skipped_without_changing_the_ranking(searcher):
    full = searcher.search(SearchRequest(q="treaty", limit=50))
    bare = searcher.search(SearchRequest(q="treaty", limit=50, highlight=False, facets=False))
    assert ids(bare) == ids(full) and bare.total == full.total
    assert bare.facets == {} and all(h.matches == () and h.excerpt == "" for h in bare.hits)


def test_passages_and_their_neighbours(searcher):
    for source, passages in CORPUS:
        assert searcher.passages(source.id) == passages
        for passage in passages:
            assert searcher.passage(source.id, passage.number) == passage
        with pytest.raises(UnknownPassage):
            searcher.passage(source.id, 0)
        with pytest.raises(UnknownPassage):
            searcher.passage(source.id, len(passages) + 1)


def test_a_query_tree_built_by_code_runs_like_typed_text(searcher):
    from pinpoint.index.search.syntax import Or, Phrase

    built = searcher.search(SearchRequest(q="", query=Or((Phrase("glaciers", field="text"), Phrase("henoko", field="text")))))
    typed = searcher.search(SearchRequest(q='text:"glaciers" OR text:"henoko"'))
    assert ids(built) == ids(typed) and built.total == typed.total == 3


def test_quotes_are_found_exactly_fuzzily_across_passages_or_not_at_all(searcher):
    exact = find_quote(searcher, "Residents of Okinawa protested the relocation plans")
    assert exact.found and exact.matches[0].exact and exact.matches[0].passage.id == "okinawa:2"
    assert exact.matches[0].matched_text == "Residents of Okinawa protested the relocation plans"
    fuzzy = find_quote(searcher, "residents of Okinawa protested the relocation plan in 2010 and again in 2013")
    assert fuzzy.found and not fuzzy.matches[0].exact and fuzzy.matches[0].passage.id == "okinawa:2"
    spanning = find_quote(searcher, "signed the security treaty in 1960. The security treaty between the United States")
    assert not spanning.found  # the two sentences are in different sources, never one run of text
    across = find_quote(searcher, "relocation plans in 2010 and again in 2013. The United States and Japan signed")
    match = across.matches[0]
    assert across.found and match.passage.id == "okinawa:2" and match.last_passage.id == "okinawa:3"
    assert not find_quote(searcher, "penguins rarely negotiate basing agreements with submarine cooks").found


def test_a_caller_may_ask_for_every_match(searcher):
    # How deep a reader may page is the service's setting; the engine has no cap of its own
    # (the sources behind a search of a library of 10,001 sources are 10,001 hits).
    everything = searcher.search(SearchRequest(q="treaty OR glaciers", limit=50_000, group_by_source=True))
    assert everything.total == len(everything.hits) == 4
    deep = searcher.search(SearchRequest(q="treaty", limit=10, offset=20_000))
    assert deep.hits == () and deep.total > 0


def test_syntax_errors_are_the_same_for_every_engine(searcher):
    with pytest.raises(BadQuery, match="unclosed quotation mark"):
        searcher.search(SearchRequest(q='"security treaty'))


def _corpus_file(folder, texts):
    folder.mkdir(parents=True, exist_ok=True)
    for n, text in enumerate(texts):
        line = json.dumps({"id": f"doc{n}", "title": f"Note {n}", "text": text})
        (folder / f"note{n}.jsonl").write_text(line + "\n", encoding="utf-8")


def test_a_published_version_is_picked_up_by_a_live_index(engine_name, tmp_path):
    corpus, index_dir = tmp_path / "corpus", tmp_path / "index"
    _corpus_file(corpus, ["Lighthouses guide ships along the rocky coast at night."])
    first = build_index([corpus], index_dir, engine=engine_name)
    live = LiveIndex(index_dir, reload_seconds=0, engine=engine_name)
    try:
        before = live.searcher()
        assert before.version == first.version
        assert before.search(SearchRequest(q="lighthouses")).total == 1
        assert before.search(SearchRequest(q="harbour")).total == 0

        _corpus_file(corpus, ["Lighthouses guide ships along the rocky coast at night.",
                              "The harbour master keeps a log of every ship that docks."])
        second = build_index([corpus], index_dir, engine=engine_name)
        assert second.version != first.version and second.reused_sources == 1 and second.rebuilt_sources == 1
        after = live.searcher()
        assert after.version == second.version and after.search(SearchRequest(q="harbour")).total == 1
        # The retired searcher still answers a request that was using it.
        assert before.search(SearchRequest(q="lighthouses")).total == 1
        again = build_index([corpus], index_dir, engine=engine_name)
        assert again.unchanged and again.version == second.version
    finally:
        live.close()
    reopened = open_searcher(index_dir, engine_name)
    try:
        assert reopened.version == second.version
        assert {s.id for s in reopened.sources()} == {"doc0", "doc1"}
    finally:
        reopened.close()


def test_engines_are_chosen_by_name():
    assert "whoosh" in ENGINES and get_engine().name == "whoosh" and get_engine("whoosh").name == "whoosh"
    with pytest.raises(UnknownEngine, match="no search engine called 'lucene'"):
        get_engine("lucene")
