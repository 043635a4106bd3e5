"""The search page at `/`, server-rendered, through falcon's TestClient: no JavaScript involved."""

from __future__ import annotations

import json
import re
from urllib.parse import parse_qs, urlsplit

import lxml.html
import pytest
from falcon import testing

CFR = "004_9574ace01beba1aa"
CFR_TITLE = "The U.S.-Japan Security Alliance"
# A sentence of the CFR article (seeds/004_*), as a reader would paste it.
CFR_SENTENCE = "Locals deeply resent the outsize burden of hosting U.S. troops"


@pytest.fixture(scope="module")
def page(app_config):
    from pinpoint.service.app import create_app

    return testing.TestClient(create_app(app_config))


def get(client, path="/", status=200, **params):
    resp = client.simulate_get(str(path), params=params)
    assert resp.status_code == status, resp.text[:2000]
    assert resp.headers["content-type"].startswith("text/html")
    return resp, lxml.html.fromstring(resp.text)


def texts(doc, xpath):
    return [" ".join(e.text_content().split()) for e in doc.xpath(xpath)]


def hit_cards(doc):
    return doc.xpath("//ol[@class='hits']//article[contains(@class,'hit')]")


def query_of(href):
    return {k: v[0] for k, v in parse_qs(urlsplit(href).query).items()}


def test_landing_page_has_labelled_search_form_and_query_help(page):
    resp, doc = get(page)
    assert doc.get("lang") == "en"
    assert doc.xpath("//main") and doc.xpath("//header") and doc.xpath("//nav[@aria-label]")
    form = doc.xpath("//form[@role='search']")[0]
    assert form.get("method") == "get" and form.get("action") == "/"
    for field in ("q", "source", "author", "year", "style"):
        control = form.xpath(f".//*[@name='{field}']")[0]
        assert doc.xpath(f"//label[@for='{control.get('id')}']"), f"{field} has no label"
    help_text = texts(doc, "//details[@class='help']")[0]
    assert '"security treaty"' in help_text and "OR" in help_text and "author:xu" in help_text
    from pinpoint.service.citations import STYLES

    assert set(form.xpath(".//select[@name='style']/option/@value")) == set(STYLES)
    assert len(form.xpath(".//select[@name='source']/option")) == 1 + 5  # "All sources" + the seeds


def test_futenma_results_show_excerpt_source_locator_relevance_and_citation(page):
    _, doc = get(page, q="Futenma")
    cards = hit_cards(doc)
    assert cards
    top = cards[0]
    assert texts(top, ".//h3")[0] == CFR_TITLE
    byline = texts(top, ".//p[@class='byline']")[0]
    assert "Beina Xu" in byline and "2014-07-01" in byline
    para = texts(top, ".//span[@class='para']")[0]
    assert re.fullmatch(r"paras?\. \d+(–\d+)?", para)
    assert [m.text for m in top.xpath(".//blockquote//mark")][0].lower() == "futenma"
    meter = top.xpath(".//meter")[0]
    assert 0 < float(meter.get("value")) <= float(meter.get("max"))
    reference = texts(top, ".//dd[@class='reference']")[0]
    assert reference.startswith("Xu, B. (2014")
    assert top.xpath(".//dd[@class='reference']/i"), "APA italicises the title"
    in_text = texts(top, ".//dd[@class='in-text']")[0]
    assert in_text == f"(Xu, 2014, {para})"
    copies = top.xpath(".//button[@data-copy]")
    assert [b.get("data-copy") for b in copies][0] == reference
    assert copies[1].get("data-copy").endswith(in_text)
    downloads = top.xpath(".//p[@class='downloads']/a/@href")
    assert downloads == [f"/sources/{CFR}?format={f}" for f in ("bibtex", "ris", "csl-json")]
    export = doc.xpath("//a[contains(., 'Export all results as BibTeX')]/@href")[0]
    assert export == "/bibtex?q=Futenma"


def test_download_and_export_links_answer(page):
    _, doc = get(page, q="Futenma")
    top = hit_cards(doc)[0]
    for href in top.xpath(".//p[@class='downloads']/a/@href"):
        path, query = str(href).split("?")
        resp = page.simulate_get(path, query_string=query)
        assert resp.status_code == 200, href
        assert CFR_TITLE.split()[-1] in resp.text
    export = doc.xpath("//a[contains(., 'Export all results as BibTeX')]/@href")[0]
    resp = page.simulate_get("/bibtex", query_string=export.split("?")[1])
    assert resp.status_code == 200 and "@" in resp.text and "Xu" in resp.text


def test_style_picker_rerenders_citations_and_stays_selected(page):
    _, doc = get(page, q="Futenma", style="mla")
    assert doc.xpath("//select[@name='style']/option[@selected]/@value") == ["mla"]
    top = hit_cards(doc)[0]
    assert texts(top, ".//dd[@class='reference']")[0].startswith("Xu, Beina.")
    assert re.fullmatch(r"\(Xu, pars?\. \d+(–\d+)?\)", texts(top, ".//dd[@class='in-text']")[0])
    assert "MLA" in texts(top, ".//dl[@class='citation']/dt")[0]
    # Links from the results keep the chosen style.
    assert query_of(top.xpath(".//h3/a/@href")[0])["style"] == "mla"


def test_facets_count_and_filter_by_author_year_and_source(page):
    _, doc = get(page, q="alliance")
    total = int(re.match(r"(\d+)", texts(doc, "//h2[@id='results-heading']")[0]).group(1))
    for group in ("source", "author", "year"):
        counts = [int(c.text) for c in doc.xpath(f"//section[@aria-labelledby='facet-{group}']//span[@class='count']")]
        assert counts, group
        if group != "author":  # a source has one year; a passage may have several authors
            assert sum(counts) == total
    author_link = doc.xpath("//section[@aria-labelledby='facet-author']//a")[0]
    author, count = author_link.text_content().strip(), int(author_link.getnext().text)
    params = query_of(author_link.get("href"))
    assert params == {"q": "alliance", "author": author}
    _, filtered = get(page, **params)
    assert texts(filtered, "//h2[@id='results-heading']")[0].startswith(f"{count} passage")
    family = author.split(",")[0]
    assert all(family in b for b in texts(filtered, "//p[@class='byline']"))
    remove = filtered.xpath("//ul[@class='active-filters']//a/@href")[0]
    assert query_of(remove) == {"q": "alliance"}

    _, in_2014 = get(page, q="alliance", year="2014")
    assert all("2014" in b for b in texts(in_2014, "//ol[@class='hits']//p[@class='byline']"))
    _, one_source = get(page, q="alliance", source=CFR)
    assert set(texts(one_source, "//ol[@class='hits']//h3")) == {CFR_TITLE}
    assert one_source.xpath("//select[@name='source']/option[@selected]/@value") == [CFR]


def test_pagination_keeps_the_query_filters_and_style(page):
    _, first = get(page, q="alliance", style="ieee")
    assert first.xpath("//ol[@class='hits']/@start") == ["1"]
    next_href = first.xpath("//nav[@class='pagination']//a[@rel='next']/@href")[0]
    assert query_of(next_href) == {"q": "alliance", "style": "ieee", "page": "2"}
    _, second = get(page, **query_of(next_href))
    assert second.xpath("//ol[@class='hits']/@start") == ["11"]
    assert texts(second, "//nav[@class='pagination']//a[@aria-current='page']") == ["2"]
    first_ids = set(first.xpath("//ol[@class='hits']//h3/a/@href"))
    assert not first_ids & set(second.xpath("//ol[@class='hits']//h3/a/@href"))
    _, past = get(page, q="alliance", page="99")
    assert "past the end" in texts(past, "//div[@class='empty']")[0]


def test_did_you_mean_links_the_corrected_query(page):
    _, doc = get(page, q="Futenmaa", style="harvard")
    link = doc.xpath("//p[@class='did-you-mean']/a")[0]
    assert link.text.lower() == "futenma"
    assert query_of(link.get("href")) == {"q": link.text, "style": "harvard"}


def test_a_hit_says_which_typed_words_its_passage_lacks(page):
    _, doc = get(page, q="Futenma xylophone")
    missing = doc.xpath("//article[@class='hit']//p[@class='missing']")
    assert missing and all(p.text_content() == "Missing: xylophone" for p in missing)
    assert all(p.xpath("s")[0].text == "xylophone" for p in missing)
    _, doc = get(page, q="Futenma")
    assert not doc.xpath("//p[@class='missing']")


def test_empty_state_says_what_to_try(page):
    _, doc = get(page, q="zzqqxx", author="Xu")
    assert texts(doc, "//h2[@id='results-heading']")[0] == "No passages match “zzqqxx”"
    advice = texts(doc, "//div[@class='empty']")[0]
    assert "fewer or more general words" in advice
    assert query_of(doc.xpath("//a[contains(., 'search all sources')]/@href")[0]) == {"q": "zzqqxx"}


@pytest.mark.parametrize(
    ("params", "detail"),
    [
        ({"q": '"security treaty'}, "quotation mark"),
        ({"q": "colour:red"}, "unknown field"),
        ({"q": "alliance", "year": "20x4"}, "year"),
        ({"q": "alliance", "page": "0"}, "page"),
        ({"q": "alliance", "style": "no-such-style"}, "no-such-style"),
    ],
)
def test_bad_input_shows_the_problem_and_keeps_the_status(page, params, detail):
    _, doc = get(page, status=400, **params)
    problem = doc.xpath("//section[@class='problem' and @role='alert']")[0]
    assert detail in problem.text_content().lower() or detail in problem.text_content()
    assert texts(problem, ".//p[@class='next-step']")[0]
    assert doc.xpath("//input[@name='q']/@value") == [params["q"]], "the query stays in the box to fix"


def test_quote_mode_finds_the_source_with_an_exact_match(page):
    _, doc = get(page, mode="quote", quote=f"“{CFR_SENTENCE.replace('U.S.', 'U.S. ')}”")
    assert doc.xpath("//nav//a[@aria-current='page']")[0].text_content().startswith("Find the source")
    card = hit_cards(doc)[0]
    assert texts(card, ".//h3")[0] == CFR_TITLE
    assert texts(card, ".//span[contains(@class,'badge')]") == ["Exact match"]
    assert "deeply resent" in card.xpath(".//blockquote//mark")[0].text_content()
    assert re.search(r"\(Xu, 2014, para\. \d+\)$", texts(card, ".//dd[@class='quotation']")[0])


def test_quote_mode_reports_near_matches_with_their_similarity(page):
    near = CFR_SENTENCE.replace("deeply", "strongly")
    _, doc = get(page, mode="quote", quote=near)
    badge = texts(hit_cards(doc)[0], ".//span[contains(@class,'badge')]")[0]
    percent = int(re.fullmatch(r"Near match: (\d+)% similar", badge).group(1))
    assert 50 < percent < 100


def test_quote_mode_says_when_nothing_matches_and_refuses_tiny_quotes(page):
    _, doc = get(page, mode="quote", quote="Penguins in Antarctica negotiated a new fishing treaty with the walruses")
    assert texts(doc, "//h2[@id='results-heading']") == ["No indexed source contains this quotation"]
    assert not hit_cards(doc)
    _, short = get(page, status=400, mode="quote", quote="the alliance")
    assert "at least" in texts(short, "//p[@class='problem-detail']")[0]


def test_passage_view_shows_context_and_citation(page):
    _, results = get(page, q="Futenma")
    href = hit_cards(results)[0].xpath(".//h3/a/@href")[0]
    path, query = href.split("?")
    _, doc = get(page, path, **query_of(href))
    number = int(path.rsplit("/", 1)[1])
    assert texts(doc, "//h1")[0] == CFR_TITLE
    assert len(doc.xpath("//div[@class='neighbour']")) == 2
    assert {query_of(a)["q"] for a in doc.xpath("//div[@class='neighbour']//a/@href")} == {"Futenma"}
    api = page.simulate_get(f"/sources/{CFR}/passages/{number}").json
    assert texts(doc, "//div[@class='current']/blockquote")[0] == " ".join(api["text"].split())
    assert texts(doc, "//div[@class='current']//dd[@class='in-text']")[0] == api["citation"]["in_text"]
    assert query_of(doc.xpath("//a[contains(., 'Back to results')]/@href")[0]) == {"q": "Futenma"}


@pytest.mark.parametrize(("path", "status"), [(f"/passages/{CFR}/9999", 404), ("/passages/nope/1", 404), (f"/passages/{CFR}/x", 400)])
def test_passage_view_errors_are_pages_too(page, path, status):
    _, doc = get(page, path, status=status)
    assert doc.xpath("//section[@role='alert']//p[@class='next-step']")


def test_static_assets_are_served_and_the_page_needs_no_inline_code(page):
    resp, doc = get(page, q="Futenma")
    assert not [s for s in doc.xpath("//script") if not s.get("src")], "inline <script>"
    assert not doc.xpath("//style") and not doc.xpath("//*[@style]"), "inline styles"
    assert not [a for a in doc.xpath("//@*") if a.attrname.startswith("on")], "inline event handlers"
    assets = doc.xpath("//script/@src") + doc.xpath("//link[@rel='stylesheet' or @rel='icon']/@href")
    assert assets and all(a.startswith("/static/") for a in assets)
    for asset in assets:
        got = page.simulate_get(str(asset))
        assert got.status_code == 200 and got.text.strip(), asset
    css = page.simulate_get("/static/pinpoint.css").text
    assert ":focus-visible" in css and "@media (max-width" in css


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    """A source whose metadata and text are markup, indexed by the real pipeline."""
    from pinpoint.index.store.build import build_index
    from pinpoint.service.app import create_app
    from pinpoint.service.config import Config

    root = tmp_path_factory.mktemp("hostile")
    record = {
        "id": "hostile",
        "title": "<script>alert(1)</script>",
        "author": "<img src=x onerror=alert(2)>",
        "url": "javascript:alert(3)",
        "date": "2020",
        "text": "The <b>walrus</b> treaty <script>alert(4)</script> covers fishing rights in detail.\n\n"
                "A second paragraph about the walrus treaty & its <i>signatories</i>.\n",
    }
    (root / "sources").mkdir()
    (root / "sources" / "hostile.jsonl").write_text(json.dumps(record) + "\n")
    build_index([root / "sources"], root / "index")
    return testing.TestClient(create_app(Config(index_dir=root / "index", reload_seconds=0)))


def test_markup_in_sources_never_reaches_the_page_unescaped(hostile):
    for path, params in (("/", {"q": "walrus"}), ("/passages/hostile/1", {}), ("/", {"mode": "quote", "quote": "second paragraph about the walrus treaty"})):
        resp, doc = get(hostile, path, **params)
        assert "<script>alert" not in resp.text and "<img src=x" not in resp.text
        assert not [s for s in doc.xpath("//script") if not s.get("src")]
        assert not doc.xpath("//img[@onerror]") and not doc.xpath("//b") and not doc.xpath("//i[contains(., 'signatories')]")
        assert not [h for h in doc.xpath("//a/@href") if h.lower().startswith("javascript:")]
        assert "<script>alert(1)</script>" in texts(doc, "//h1 | //h3"), "the title shows as text"


def test_a_quote_running_into_the_next_passage_is_cited_for_both_as_cite_does(page, seeds_index):
    from pinpoint.index.store.versions import open_searcher

    searcher = open_searcher(seeds_index)
    try:
        first, following = next(
            (a, b) for s in searcher.sources() for a, b in zip(searcher.passages(s.id), searcher.passages(s.id)[1:])
            if len(a.text.split()) > 20 and len(b.text.split()) > 20 and a.paragraph_end < b.paragraph
        )
    finally:
        searcher.close()
    quote = " ".join(first.text.split()[-12:] + following.text.split()[:12])
    cited = page.simulate_get("/cite", params={"quote": quote}).json["matches"][0]["citation"]
    # Pinned to the paragraphs the quote lies in: the end of one passage, the start of the next.
    assert f"{first.paragraph_end}–{following.paragraph}" in cited["in_text"]
    _, doc = get(page, mode="quote", quote=quote)
    card = hit_cards(doc)[0]
    assert texts(card, ".//dd[@class='quotation']")[0].endswith(cited["in_text"])


def test_one_result_per_source_is_offered_and_kept_across_pages(page):
    _, everything = get(page, q="alliance")
    _, grouped = get(page, q="alliance", group="source")
    box = grouped.xpath("//input[@name='group']")[0]
    assert box.get("type") == "checkbox" and box.get("value") == "source" and box.get("checked") is not None
    assert everything.xpath("//input[@name='group']")[0].get("checked") is None
    titles = [t.xpath("string(.)").strip() for t in grouped.xpath("//h3[contains(@class, 'hit-title')]")]
    assert titles and len(titles) == len(set(titles)), titles
    all_titles = [t.xpath("string(.)").strip() for t in everything.xpath("//h3[contains(@class, 'hit-title')]")]
    assert len(all_titles) > len(set(all_titles)), "the ungrouped page should repeat a source for this test to mean anything"
    for link in grouped.xpath("//a[contains(@href, 'page=')]"):
        assert "group=source" in link.get("href")
