"""reStructuredText (docutils) and LaTeX (pylatexenc) sources: text, structure and stated metadata."""

from __future__ import annotations

import shutil

import pytest

from pinpoint.index.ingest.clean import clean
from pinpoint.index.ingest.readers import SkipFile, read_file
from tests.conftest import ROOT

FIXTURES = ROOT / "tests" / "fixtures" / "markup"


def _read(name):
    (raw,) = read_file(FIXTURES / name, FIXTURES)
    return raw, clean(raw)


def test_rst_title_docinfo_sections_code_and_tables():
    raw, doc = _read("tidal.rst")
    assert raw.fmt == "rst"
    assert raw.meta["title"] == "Notes on Tidal Energy"
    assert raw.meta["author"] == [{"family": "Rivers", "given": "Ada"}, {"family": "Chan", "given": "Bo"}]
    assert raw.meta["issued"] == {"date-parts": [[2021, 3, 4]]}
    kinds = {b.text: b.kind for b in doc.blocks}
    assert kinds["Background"] == "heading"
    paragraphs = [b.text for b in doc.blocks if b.kind == "paragraph"]
    assert "power = 0.5 * density * area * speed ** 3\nprint(power)" in paragraphs
    assert "Site     | Capacity\nLa Rance | 240 MW\nSihwa    | 254 MW" in paragraphs
    assert any(p.startswith("Tides move water twice a day") for p in paragraphs)


def test_rst_raw_markup_and_file_inclusion_are_refused():
    raw, _ = _read("tidal.rst")
    assert "<script>" not in raw.text and "alert" not in raw.text
    assert "root:" not in raw.text


def test_latex_title_authors_date_sections_and_verbatim():
    raw, doc = _read("drift.tex")
    assert raw.fmt == "tex"
    assert raw.meta["title"] == "On the Drift of Alliances"
    assert raw.meta["author"] == [{"family": "Rivers", "given": "Ada"}, {"family": "Chan", "given": "Bo"}]
    assert raw.meta["issued"] == {"date-parts": [[2021, 3]]}
    headings = [b.text for b in doc.blocks if b.kind == "heading"]
    assert headings == ["Abstract", "Introduction", "Data"]
    paragraphs = [b.text for b in doc.blocks if b.kind == "paragraph"]
    assert "for treaty in archive:\n    code(treaty)" in paragraphs
    assert any("They last when interests align and fade when threats recede" in p for p in paragraphs)
    assert not any("\\" in p or "University of the Coast" in p for p in paragraphs)


def test_latex_today_states_no_date():
    raw, _ = _read("undated.tex")
    assert raw.meta["author"] == [{"family": "Roe", "given": "Jane"}]
    assert "issued" not in raw.meta


@pytest.mark.parametrize("name,content", [("broken.tex", b"\\begin{document}\\section{"),
                                          ("broken.rst", b"Title\n=====\n\n.. bogus-directive::\n\n`unclosed")])
def test_broken_markup_is_indexed_or_skipped_never_fatal(tmp_path, name, content):
    (tmp_path / name).write_bytes(content)
    try:
        read_file(tmp_path / name, tmp_path)
    except SkipFile as skipped:
        assert skipped.reason


def test_rst_and_tex_sources_are_built_searchable_and_cited(tmp_path):
    from pinpoint.index.store.build import build_index
    from pinpoint.index.records import SearchRequest
    from pinpoint.index.store.versions import open_searcher

    folder = tmp_path / "markup"
    shutil.copytree(FIXTURES, folder)
    report = build_index([folder], tmp_path / "index")
    assert report.sources == 3, report.skipped
    with open_searcher(tmp_path / "index") as searcher:
        hit = searcher.search(SearchRequest(q="barrage Rance")).hits[0]
        assert hit.source.id == "tidal" and hit.source.title_origin == "embedded"
        assert searcher.search(SearchRequest(q="threats recede")).hits[0].source.id == "drift"
