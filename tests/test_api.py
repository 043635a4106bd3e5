"""Every route of the HTTP API, through falcon's TestClient around create_app()."""

from __future__ import annotations

import html
import re


CFR = "004_9574ace01beba1aa"


def test_futenma_puts_the_cfr_relocation_passage_first(client):
    body = client.simulate_get("/search", params={"q": "Futenma"}).json
    top = body["hits"][0]
    assert top["source_id"] == CFR
    assert "relocat" in top["text"].lower()
    assert top["source"]["authors"] == ["Beina Xu"]
    assert "Xu, B." in top["citation"]["reference"] and "2014" in top["citation"]["reference"]
    assert re.search(r"\(Xu, 2014, paras?\. \d+", top["citation"]["in_text"])
    assert str(top["paragraph"]) in top["citation"]["in_text"]


def test_hit_carries_every_documented_field(client):
    body = client.simulate_get("/search", params={"q": "Okinawa bases"}).json
    assert set(body) >= {"query", "corrected_query", "total", "took_ms", "hits"}
    hit = body["hits"][0]
    for field in ("rank", "score", "passage_id", "source_id", "paragraph", "heading", "text",
                  "excerpt", "excerpt_html", "matches", "source", "citation"):
        assert field in hit, field
    assert hit["passage_id"] == f"{hit['source_id']}:{hit['number']}"
    assert set(hit["source"]) >= {"id", "title", "authors", "issued", "container", "publisher", "url"}
    assert set(hit["citation"]) >= {"reference", "in_text", "quotation"}
    assert hit["citation"]["quotation"].endswith(hit["citation"]["in_text"])


def test_matches_point_at_the_matched_words(client):
    hit = client.simulate_get("/search", params={"q": "earthquake"}).json["hits"][0]
    assert hit["matches"]
    for m in hit["matches"]:
        assert hit["text"][m["start"]:m["end"]].lower().startswith("earthquake")


def test_excerpt_html_marks_terms_and_escapes_once(client):
    hit = client.simulate_get("/search", params={"q": "Tomodachi"}).json["hits"][0]
    assert "<mark>Tomodachi</mark>" in hit["excerpt_html"]
    plain = re.sub(r"</?mark>", "", hit["excerpt_html"])
    assert html.unescape(plain) == hit["excerpt"]
    assert "&amp;amp;" not in hit["excerpt_html"]


def test_ranks_and_paging_are_consistent(client):
    first = client.simulate_get("/search", params={"q": "alliance", "limit": 3}).json
    second = client.simulate_get("/search", params={"q": "alliance", "limit": 3, "offset": 3}).json
    assert [h["rank"] for h in first["hits"]] == [1, 2, 3]
    assert [h["rank"] for h in second["hits"]] == [4, 5, 6]
    assert first["total"] == second["total"] > 6
    ids = {h["passage_id"] for h in first["hits"]} | {h["passage_id"] for h in second["hits"]}
    assert len(ids) == 6


def test_group_by_source_gives_one_hit_per_source(client):
    body = client.simulate_get("/search", params={"q": "alliance", "group": "source", "limit": 20}).json
    sources = [h["source_id"] for h in body["hits"]]
    assert len(sources) == len(set(sources)) == 5


def test_filters_as_parameters(client):
    body = client.simulate_get("/search", params={"q": "alliance", "author": "Tatsumi"}).json
    assert body["hits"] and {h["source_id"] for h in body["hits"]} == {"002_5d702fabc9f371d2"}
    body = client.simulate_get("/search", params={"q": "alliance", "year": "2013..2015"}).json
    assert body["hits"] and {h["source_id"] for h in body["hits"]} == {CFR}


def test_misspelling_gets_a_suggestion(client):
    body = client.simulate_get("/search", params={"q": "Futenmaa"}).json
    assert body["corrected_query"] and "futenma" in body["corrected_query"].lower()


def test_no_results_is_an_empty_list_not_an_error(client):
    resp = client.simulate_get("/search", params={"q": "xylophone"})
    assert resp.status_code == 200
    assert resp.json["total"] == 0 and resp.json["hits"] == []


def test_sources_lists_every_seed_with_counts(client):
    body = client.simulate_get("/sources").json
    assert body["total"] == 5
    by_id = {s["id"]: s for s in body["sources"]}
    assert by_id[CFR]["authors"] == ["Beina Xu"]
    assert by_id[CFR]["issued"] == "2014-07-01"
    assert all(s["passage_count"] > 0 for s in body["sources"])


def test_source_by_id(client):
    body = client.simulate_get(f"/sources/{CFR}").json
    assert body["title"] == "The U.S.-Japan Security Alliance"


def test_passage_with_neighbours(client):
    body = client.simulate_get(f"/sources/{CFR}/passages/2").json
    assert body["passage_id"] == f"{CFR}:2"
    assert body["previous"]["number"] == 1 and body["next"]["number"] == 3
    first = client.simulate_get(f"/sources/{CFR}/passages/1").json
    assert first["previous"] is None


def test_last_passage_has_no_next(client):
    count = client.simulate_get(f"/sources/{CFR}").json["passage_count"]
    body = client.simulate_get(f"/sources/{CFR}/passages/{count}").json
    assert body["next"] is None


def test_health_and_ready(client):
    assert client.simulate_get("/health").json == {"status": "ok"}
    ready = client.simulate_get("/ready").json
    assert ready["status"] == "ready" and ready["passages"] > 0 and ready["index_version"]


def test_ready_is_503_without_an_index(tmp_path):
    from falcon import testing

    from pinpoint.service.app import create_app
    from pinpoint.service.config import Config

    client = testing.TestClient(create_app(Config(index_dir=tmp_path / "nothing")))
    assert client.simulate_get("/ready").status_code == 503
    assert client.simulate_get("/health").status_code == 200
    resp = client.simulate_get("/search", params={"q": "alliance"})
    assert resp.status_code == 503
    assert resp.headers["content-type"] == "application/problem+json"


def test_hits_name_the_words_their_passage_lacks(client):
    hits = client.simulate_get("/search", params={"q": "Futenma xylophone"}).json["hits"]
    assert hits and all(hit["missing"] == ["xylophone"] for hit in hits)
    hits = client.simulate_get("/search", params={"q": "Futenma OR xylophone"}).json["hits"]
    assert hits and all(hit["missing"] == [] for hit in hits)


def test_match_any_ranks_by_any_word(client):
    strict = client.simulate_get("/search", params={"q": "Futenma xylophone", "match": "all"}).json
    loose = client.simulate_get("/search", params={"q": "Futenma xylophone", "match": "any"}).json
    preferred = client.simulate_get("/search", params={"q": "Futenma xylophone"}).json
    assert strict["matched_all_terms"] is False  # fell back: nothing has both words
    assert loose["total"] == strict["total"] == preferred["total"] > 0
    both = client.simulate_get("/search", params={"q": "Futenma relocation", "match": "all"}).json
    anyword = client.simulate_get("/search", params={"q": "Futenma relocation", "match": "any"}).json
    assert anyword["total"] >= both["total"]


def test_an_unknown_match_mode_is_a_problem_naming_the_modes(client):
    answer = client.simulate_get("/search", params={"q": "Futenma", "match": "most"})
    assert answer.status_code == 400 and answer.headers["content-type"] == "application/problem+json"
    assert all(mode in answer.json["detail"] for mode in ("preferred", "all", "any"))


def test_deep_link_opens_the_source_at_the_passage():
    from pinpoint.service.representations import deep_link

    text = "The U.S.-Japan alliance, at sixty, faces new tests & old ones in the region today."
    link = deep_link("https://example.org/a#top", text)
    assert link == (
        "https://example.org/a#:~:text=The%20U.S.%2DJapan%20alliance%2C%20at,in%20the%20region%20today."
    )
    assert deep_link(None, text) is None
    assert deep_link("javascript:alert(1)", text) is None


def test_passage_links_to_its_page_and_no_deep_link_without_url(client):
    body = client.simulate_get(f"/sources/{CFR}/passages/3").json
    assert body["links"]["page"] == f"/passages/{CFR}/3"
    assert body["links"]["deep_link"] is None  # the CFR sidecar states no URL


def test_facets_are_counted_only_when_asked(client):
    with_counts = client.simulate_get("/search", params={"q": "alliance", "facets": "true"}).json
    without = client.simulate_get("/search", params={"q": "alliance"}).json
    assert with_counts["facets"]["source"] and not without["facets"]
    assert with_counts["total"] == without["total"]
    assert with_counts["total_relation"] == without["total_relation"] == "eq"  # the seeds match far fewer than 1,000


def test_exact_total_is_a_boolean_parameter(client):
    assert client.simulate_get("/search", params={"q": "alliance", "exact_total": "true"}).json["total_relation"] == "eq"
    refused = client.simulate_get("/search", params={"q": "alliance", "exact_total": "perhaps"})
    assert refused.status_code == 400 and "exact_total" in refused.json["detail"]


def test_bibtex_for_a_search_lists_only_the_sources_behind_it(client):
    everything = client.simulate_get("/bibtex").text
    futenma = client.simulate_get("/bibtex", params={"q": "Futenma"}).text
    assert everything.count("@online") == 5
    # Futenma is named by three of the five sources (CFR, The Diplomat, Pacific Forum).
    assert futenma.count("@online") == 3 and "xu2014us" in futenma and "tatsumi" not in futenma
