"""The OpenSearch engine on a real 3-node cluster: analyzer, publishing, searching, quotes.

Indexes have 3 shards and 1 replica, as the issue asks of the contract suite.
The cluster comes from the ``opensearch_cluster`` fixture (tests/opensearch_cluster.py).
"""

from __future__ import annotations

import dataclasses

import pytest

pytest.importorskip("opensearchpy", reason="the opensearch extra is not installed: pip install -e '.[opensearch]'")

from pinpoint.index.errors import BadQuery, IndexNotFound, UnknownPassage, UnknownSource  # noqa: E402
from pinpoint.index.records import Passage, SearchRequest, Source  # noqa: E402
from pinpoint.index.search.opensearch.client import ClusterUnavailable  # noqa: E402
from pinpoint.index.search.opensearch.mapping import STOP_WORDS, TOKEN_PATTERN  # noqa: E402
from pinpoint.index.search.opensearch.searcher import ClusterLiveIndex, OpenSearchSearcher  # noqa: E402
from pinpoint.index.search.opensearch.sync import publish_library  # noqa: E402
from pinpoint.index.search.opensearch.writer import OpenSearchWriter  # noqa: E402
from tests.engine_corpus import CORPUS  # noqa: E402
from tests.opensearch_cluster import Records, make_store  # noqa: E402


@pytest.fixture(scope="module")
def store(opensearch_cluster):
    store = make_store(opensearch_cluster, "test-engine")
    publish_library(Records(CORPUS), store)
    yield store
    store.delete_library()


@pytest.fixture(scope="module")
def searcher(store):
    return OpenSearchSearcher(store)


def search(searcher, q, **kw):
    return searcher.search(SearchRequest(q=q, **kw))


def test_stop_words_and_token_pattern_are_the_whoosh_engines():
    from whoosh.analysis import StemmingAnalyzer
    from whoosh.analysis.filters import STOP_WORDS as WHOOSH_STOP_WORDS

    assert set(STOP_WORDS) == set(WHOOSH_STOP_WORDS)
    assert StemmingAnalyzer().items[0].expression.pattern == TOKEN_PATTERN


def test_the_cluster_keeps_the_same_words_at_the_same_offsets_as_whoosh(store):
    from whoosh.analysis import StemmingAnalyzer

    text = ("The relocation of the U.S. base, e.g. to Henoko, was disputed: 3.14 percent; naïve "
            "Café-owners' protests_2010 and a I x of it")
    ours = store.client.indices.analyze(index=store.passages_index(store.current_version()),
                                        body={"analyzer": "pinpoint_stemmed", "text": text})["tokens"]
    # Whoosh hands out one Token object again and again: read each as it comes.
    theirs = [(t.text, t.startchar, t.endchar) for t in StemmingAnalyzer()(text, chars=True, mode="index")]
    assert [(t["start_offset"], t["end_offset"]) for t in ours] == [(s, e) for _, s, e in theirs]
    assert ours[0]["token"] == theirs[0][0] == "reloc"


def test_sources_and_passages_come_back_as_written(searcher):
    assert [s.id for s in searcher.sources()] == sorted(s.id for s, _ in CORPUS)
    okinawa = searcher.source("okinawa")
    assert okinawa.csl["author"] == [{"family": "Xu", "given": "Beina"}]
    assert okinawa.passage_count == 3
    assert searcher.passage("okinawa", 2) == CORPUS[0][1][1]
    assert searcher.passages("treaty") == CORPUS[1][1]
    assert searcher.passage_count == sum(len(p) for _, p in CORPUS)


def test_unknown_sources_and_passages_raise_named_errors(searcher):
    with pytest.raises(UnknownSource):
        searcher.source("nope")
    with pytest.raises(UnknownPassage):
        searcher.passage("okinawa", 99)
    with pytest.raises(UnknownSource):
        searcher.passages("nope")


def test_a_title_match_lifts_a_passage(searcher):
    hits = search(searcher, "security").hits
    assert hits[0].source.id == "treaty"


def test_matches_point_at_stemmed_forms_with_character_offsets(searcher):
    hit = search(searcher, "relocating").hits[0]
    assert [m.term for m in hit.matches] == ["relocation"]
    for m in hit.matches:
        assert hit.passage.text[m.start:m.end] == m.term
    assert "<mark>relocation</mark>" in hit.excerpt_html


def test_not_terms_are_never_marked(searcher):
    for hit in search(searcher, "treaty NOT japan").hits:
        assert "japan" not in {m.term.lower() for m in hit.matches}
        assert "japan" not in hit.passage.text.lower()


def test_phrase_terms_are_marked_only_where_the_phrase_occurs(searcher):
    result = search(searcher, '"security treaty"')
    by_id = {h.passage.id: h for h in result.hits}
    assert [m.term for m in by_id["treaty:1"].matches] == ["security", "treaty"]
    assert by_id["treaty:2"].matches == ()  # it matched by its title alone


def test_excerpt_html_escapes_source_text_exactly_once(searcher):
    hit = search(searcher, "verbatim").hits[0]
    assert "&lt;script&gt;" in hit.excerpt_html
    assert "AT&amp;amp;T" in hit.excerpt_html
    assert "<script>" not in hit.excerpt_html


def test_filters_facets_and_grouping(searcher):
    result = search(searcher, "treaty", author="Smith")
    assert {h.source.id for h in result.hits} == {"treaty"}
    assert search(searcher, "treaty", year_from=2011, year_to=2020).total == 1
    facets = search(searcher, "treaty").facets
    assert facets["source"] == {"treaty": 3, "markup": 1, "okinawa": 1}
    assert list(facets["year"]) == ["n.d.", "2014", "2010"]
    assert facets["author"]["Smith, Anna"] == 3
    grouped = search(searcher, "treaty", group_by_source=True)
    assert grouped.total == 3 and len({h.source.id for h in grouped.hits}) == len(grouped.hits) == 3
    assert search(searcher, "treaty source:okinawa").total == 1
    assert search(searcher, "year:2019").total == 2


def test_any_word_fallback_and_did_you_mean(searcher):
    result = search(searcher, "treaty glaciers", match="all")
    assert result.matched_all_terms is False and result.total == 7
    assert search(searcher, "treaty glaciers").total == 7  # preferred: either word, no fallback needed
    assert search(searcher, "glaciers retreat", match="all").matched_all_terms is True
    assert search(searcher, "treety").corrected_query == "treaty"
    assert search(searcher, "security treety").corrected_query == "security treaty"
    assert search(searcher, "treaty").corrected_query is None


def test_bad_queries_are_bad_query_errors(searcher):
    for q in ('"open', "the", "nofield:x", "year:abc"):
        with pytest.raises(BadQuery):
            search(searcher, q)
    with pytest.raises(BadQuery):
        search(searcher, "treaty", offset=-1)
    # Paging depth is the service's setting: past OpenSearch's default window of 10,000 is fine.
    assert search(searcher, "treaty", offset=10_000, limit=20).hits == ()


def test_quote_lookup_verifies_cluster_candidates_with_the_shared_alignment(searcher):
    from pinpoint.index.search.quotes import find_quote

    found = find_quote(searcher, "residents of Okinawa protested the relocation plans in 2010")
    assert found.found and found.matches[0].passage.id == "okinawa:2" and found.matches[0].exact
    across = find_quote(searcher, "has been disputed for decades. Residents of Okinawa protested the relocation")
    assert across.found and across.matches[0].passage.id == "okinawa:1"
    assert [span.passage.id for span in across.matches[0].continued] == ["okinawa:2"]


def test_publishing_is_incremental_atomic_and_can_roll_back(opensearch_cluster):
    store = make_store(opensearch_cluster, "test-publish")
    try:
        first = publish_library(Records(CORPUS), store)
        assert first.rebuilt_sources == 4 and store.current_version() == first.version
        assert publish_library(Records(CORPUS), store).unchanged

        changed_source, passages = CORPUS[3]
        edited = [dataclasses.replace(changed_source, content_hash="new"),
                  passages + [Passage("climate", 3, 3, 3, None, "Permafrost thaws too.", 200, 221)]]
        second = publish_library(Records(CORPUS[:1] + CORPUS[2:3] + [tuple(edited)]), store)
        assert (second.reused_sources, second.rebuilt_sources, second.removed_sources) == (2, 1, 1)
        live = ClusterLiveIndex(store, reload_seconds=0)
        assert live.searcher().version == second.version
        assert live.searcher().search(SearchRequest(q="permafrost")).total == 1
        with pytest.raises(UnknownSource):
            live.searcher().source("treaty")

        # A build that fails part-way never moves the aliases, and its indexes go with it.
        broken = (Source("broken", "b.txt", {}, "x", 1), [Passage("broken", 1, 1, 1, None, "x", "zero", 8)])
        with pytest.raises(ClusterUnavailable, match="refused"):
            publish_library(Records(CORPUS + [broken]), store)
        assert store.current_version() == second.version
        # A killed build leaves its indexes unpublished; the next build removes them.
        abandoned = OpenSearchWriter(store, store.next_version_name(), base=second.version)
        abandoned.add_source(*CORPUS[1])
        abandoned.flush()
        assert store.current_version() == second.version
        assert store.remove_stale() == [abandoned.version]

        assert store.rollback() == first.version
        assert live.searcher().search(SearchRequest(q="treaty")).total == 5
        for _ in range(3):
            publish_library(Records(CORPUS[: 1 + _]), store)
        assert len(store.published_versions()) == 3
    finally:
        store.delete_library()


def test_a_library_with_nothing_published_is_index_not_found(opensearch_cluster):
    store = make_store(opensearch_cluster, "test-empty")
    with pytest.raises(IndexNotFound):
        OpenSearchSearcher(store)


def test_the_engine_seam_writes_opens_and_publishes_versions(opensearch_cluster, tmp_path):
    from pinpoint.index.search.engine import get_engine
    from pinpoint.index.search.opensearch.engine import read_pointer
    from pinpoint.index.store.catalog import read_sources

    store = make_store(opensearch_cluster, "test-seam")
    engine = get_engine("opensearch", settings=store.settings)
    try:
        first = tmp_path / "000001"
        first.mkdir()
        writer = engine.writer(first)
        added = writer.index(iter(CORPUS), lambda item: item, lambda source: None)
        writer.commit()
        assert added == 4 and set(read_sources(first)) == {s.id for s, _ in CORPUS}
        assert engine.store.current_version() is None  # committed, not yet published by the store
        engine.published(first, "000001")
        assert engine.store.current_version() == read_pointer(first)["version"]
        with engine.open(first, "000001") as searcher:
            assert searcher.version == "000001" and searcher.search(SearchRequest(q="treaty")).total == 5

        second = tmp_path / "000002"
        second.mkdir()
        writer = engine.writer(second, previous=first)
        writer.remove_source("markup")
        writer.commit()
        engine.published(second, "000002")
        assert engine.open(second, "000002").search(SearchRequest(q="treaty")).total == 4
        assert engine.open(first, "000001").search(SearchRequest(q="treaty")).total == 5  # kept, untouched

        third = tmp_path / "000003"
        third.mkdir()
        writer = engine.writer(third, previous=second)
        writer.add_source(*CORPUS[2])
        writer.cancel()  # a failed build: nothing published, its indexes gone, the lock free
        assert engine.store.current_version() == read_pointer(second)["version"]
        assert engine.store.remove_stale() == []
        assert engine.fingerprint == get_engine("opensearch", settings=store.settings).fingerprint
    finally:
        store.delete_library()
