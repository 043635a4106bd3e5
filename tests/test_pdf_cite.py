"""A quote copied out of page 155 of a two-column PDF is found and cited by page.

The paper is the LaTeX ground truth in tests/fixtures/pdf (printed pages
153-155); its metadata comes from a ``.bib`` sidecar whose ``file`` field is
written the way Zotero/Better BibTeX/JabRef write it, as a researcher's
library would hold it.
"""

from __future__ import annotations

import json
import re
import shutil

import pytest

from tests.pdf_truth import FIXTURES

BIB = r"""@article{quill2021,
  author = {Quill, Ada and Rowe, Benedict},
  title = {Measured Boundaries in Regional Archives},
  journal = {Journal of Synthetic Studies},
  volume = {12},
  year = {2021},
  pages = {153--155},
  file = {Measured Boundaries (accepted version):papers/Quill\_Rowe\_2021.pdf:application/pdf}
}
"""


@pytest.fixture(scope="module")
def pdf_client(tmp_path_factory):
    from falcon import testing

    from pinpoint.index.store.build import build_index
    from pinpoint.service.app import create_app
    from pinpoint.service.config import Config

    library = tmp_path_factory.mktemp("library")
    (library / "papers").mkdir()
    shutil.copy(FIXTURES / "article.pdf", library / "papers" / "Quill_Rowe_2021.pdf")
    (library / "library.bib").write_text(BIB, encoding="utf-8")
    index_dir = tmp_path_factory.mktemp("pdf-index")
    report = build_index([library], index_dir)
    assert report.sources == 1 and not report.skipped
    return testing.TestClient(create_app(Config(index_dir=index_dir, reload_seconds=0)))


def copied_quote_from_page_155() -> tuple[str, str]:
    """A sentence from page 155 as a PDF viewer copies it: a word broken by its line-end hyphen."""
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(str(FIXTURES / "article.pdf"))
    page_text = pdf[2].get_textpage().get_text_range()
    pdf.close()
    truth = json.loads((FIXTURES / "article.truth.json").read_text(encoding="utf-8"))
    broken = re.findall(r"([^\W\d_]{3,})\ufffe\s*([^\W\d_]{3,})", page_text)
    for para in truth["paragraphs"]:
        if para["page"] != 155 or para["page_end"] != 155:
            continue
        for sentence in re.split(r"(?<=\.) ", para["text"]):
            for left, right in broken:
                if f" {left}{right} " in f" {sentence} " and len(sentence.split()) >= 10:
                    copied = f" {sentence} ".replace(f" {left}{right} ", f" {left}-\n{right} ", 1).strip()
                    return copied, sentence
    raise AssertionError("no sentence on page 155 has a word hyphenated at a line end: rebuild the fixture")


def test_quote_from_page_155_with_its_line_end_hyphen_is_cited_by_page(pdf_client):
    copied, sentence = copied_quote_from_page_155()
    assert "-\n" in copied
    body = pdf_client.simulate_post("/cite", json={"quote": copied}).json
    assert body["found"] is True
    top = body["matches"][0]
    assert top["exact"] is True
    assert top["matched_text"] == sentence.rstrip(".")
    assert top["page"] == "155" and top["page_end"] is None
    assert top["citation"]["in_text"] == "(Quill & Rowe, 2021, p. 155)"
    assert top["source"]["title"] == "Measured Boundaries in Regional Archives"


@pytest.mark.parametrize("style, expected", [
    ("apa", "p. 155)"), ("harvard", "p. 155)"), ("ieee", "p. 155]"), ("vancouver", "p. 155"),
    ("chicago-author-date", " 155)"), ("mla", " 155)"),
])
def test_every_style_pins_the_page(pdf_client, style, expected):
    copied, _ = copied_quote_from_page_155()
    body = pdf_client.simulate_post("/cite", json={"quote": copied, "style": style}).json
    in_text = body["matches"][0]["citation"]["in_text"]
    assert expected in in_text and "154" not in in_text and "par" not in in_text


def test_search_hits_and_passages_carry_their_pages(pdf_client):
    hits = pdf_client.simulate_get("/search", params={"q": "archaeology", "limit": 50}).json["hits"]
    assert hits and {h["page"] for h in hits} <= {"153", "154", "155"}
    first = hits[0]
    passage = pdf_client.simulate_get(f"/sources/{first['source_id']}/passages/{first['number']}").json
    assert passage["page"] == first["page"] and passage["page_end"] == first["page_end"]


def test_the_page_shows_the_page_locator(pdf_client):
    html = pdf_client.simulate_get("/", params={"q": "archaeology"}).text
    assert re.search(r"pp?\. 15[345]", html)
    assert "para." not in html


def test_the_passage_view_shows_its_page(pdf_client):
    hits = pdf_client.simulate_get("/search", params={"q": "archaeology", "limit": 1}).json["hits"]
    first = hits[0]
    html = pdf_client.simulate_get(f"/passages/{first['source_id']}/{first['number']}").text
    label = f"pp. {first['page']}–{first['page_end']}" if first["page_end"] else f"p. {first['page']}"
    assert label in html and "para." not in html
