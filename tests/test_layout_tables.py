"""Layout tables read as flowing paragraphs; data tables stay tables (``layout_tables``).

Each page goes through the real reader (trafilatura on a saved file) and the
cleaner, as an indexed page does.  Each data-table case is a small table
(2 rows, 2 columns) that only its one signal makes "data": without the signal
the same table is layout, so every case fails if its rule is lost.
"""

from __future__ import annotations

import lxml.html
import pytest

from pinpoint.index.ingest.clean import clean
from pinpoint.index.ingest.readers import read_file

# Enough article around a table for the extractor to take the page for an article.
_STORY = [
    "The harbour commission met on Tuesday to weigh the dredging plan for the northern channel.",
    "Engineers told the members that silt had narrowed the approach by a third since the spring floods.",
    "Fishing crews said the delays had already cost them two weeks of landings this season.",
    "The commission will publish its decision and the contractor's estimate before the end of the month.",
]


def _story(first: int = 0, last: int = 4) -> str:
    return "".join(f"<p>{sentence}</p>" for sentence in _STORY[first:last])


def _paragraphs(tmp_path, body: str) -> list[str]:
    page = tmp_path / "page.html"
    page.write_text(f"<!DOCTYPE html><html><head><title>Harbour news</title></head><body>{body}</body></html>",
                    encoding="utf-8")
    (raw,) = read_file(page, tmp_path)
    return [block.text for block in clean(raw).blocks if block.kind == "paragraph"]


def _tables(paragraphs: list[str]) -> list[str]:
    return [text for text in paragraphs if " | " in text]


def _table_of(paragraphs: list[str], *cells: str) -> str:
    """The one table paragraph holding every one of ``cells``."""
    (shown,) = [text for text in _tables(paragraphs) if all(cell in text for cell in cells)]
    return shown


def _cells(rows: list[list[str]], cell: str = "td", attrs: str = "") -> str:
    return "".join("<tr>" + "".join(f"<{cell}{attrs}>{text}</{cell}>" for text in row) + "</tr>" for row in rows)


_SMALL = [["Dredger capacity", "Four thousand tonnes"], ["Crew on board", "Eleven sailors"]]


def _prose(rows: int, columns: int) -> list[list[str]]:
    """Cells of prose, which the cleaner keeps as paragraphs once they flow."""
    return [[f"The survey of berth {r} found {c + 2} wrecks in the channel." for c in range(columns)]
            for r in range(rows)]


def test_a_page_laid_out_in_a_table_reads_as_separate_paragraphs(tmp_path):
    menu = "<a href='/'>Home</a><br><a href='/news'>News</a><br><a href='/about'>About us</a>"
    body = (f"<table width='100%'><tr><td>{menu}</td><td><h1>Harbour news</h1>{_story()}</td></tr>"
            "<tr><td colspan='2'>Copyright the Harbour Gazette</td></tr></table>")
    paragraphs = _paragraphs(tmp_path, body)
    assert not _tables(paragraphs)
    for sentence in _STORY:
        assert sentence in paragraphs  # each is a paragraph of its own that a reader can find


def test_text_loose_in_a_layout_cell_beside_blocks_is_kept_as_its_own_paragraph(tmp_path):
    loose = "Residents may <b>comment on the plan</b> at the harbour office until the end of the month."
    body = f"<table><tr><td>{_story(0, 2)}{loose}<br><br>{_story(2)}</td><td>Weather: fair</td></tr></table>"
    paragraphs = _paragraphs(tmp_path, body)
    assert "Residents may comment on the plan at the harbour office until the end of the month." in paragraphs
    assert _STORY[3] in paragraphs and not _tables(paragraphs)


@pytest.mark.parametrize("table", [
    f"<table summary='Vessel figures'>{_cells(_SMALL)}</table>",
    f"<table><caption>Vessel figures</caption>{_cells(_SMALL)}</table>",
    f"<table><thead>{_cells(_SMALL[:1])}</thead><tbody>{_cells(_SMALL[1:])}</tbody></table>",
    f"<table><tbody>{_cells(_SMALL[:1])}</tbody><tfoot>{_cells(_SMALL[1:])}</tfoot></table>",
    f"<table><colgroup span='2'></colgroup>{_cells(_SMALL)}</table>",
    f"<table><col><col>{_cells(_SMALL)}</table>",
    f"<table>{_cells(_SMALL[:1], 'th')}{_cells(_SMALL[1:])}</table>",
    f"<table>{_cells(_SMALL, attrs=' scope=row')}</table>",
    f"<table>{_cells(_SMALL, attrs=' headers=h1')}</table>",
    f"<table>{_cells(_SMALL, attrs=' abbr=x')}</table>",
    "<table>" + _cells([["<abbr title='nautical miles'>NM</abbr>", "Forty"], ["Depth", "Nine"]]) + "</table>",
    "<table>" + _cells([[f"Berth {n}", f"{n * 3} metres"] for n in range(10)]) + "</table>",  # 10 rows
    "<table>" + _cells([[f"Quay {n}" for n in range(5)], [f"{n} m" for n in range(5)]]) + "</table>",  # 5 columns
    "<table>" + _cells([[f"Row {r} col {c}" for c in range(4)] for r in range(3)]) + "</table>",  # 12 cells
], ids=["summary", "caption", "thead", "tfoot", "colgroup", "col", "th", "scope", "headers", "abbr", "abbr-alone", "ten-rows",
        "five-columns", "twelve-cells"])
def test_each_data_table_signal_keeps_a_table(tmp_path, table):
    paragraphs = _paragraphs(tmp_path, f"<article><h1>Harbour news</h1>{_story(0, 2)}{table}{_story(2)}</article>")
    cells = [cell.text_content() for cell in lxml.html.fragment_fromstring(table).iter("td", "th")]
    first, last = cells[0], cells[-1]
    _table_of(paragraphs, first, last)  # the first and last cells in one table, not paragraphs of their own
    assert first not in paragraphs and last not in paragraphs
    assert _STORY[0] in paragraphs and _STORY[3] in paragraphs


@pytest.mark.parametrize("table", [
    f"<table>{_cells(_prose(2, 2))}</table>",  # 2 x 2: too few cells to be data
    f"<table>{_cells(_prose(3, 3))}</table>",  # 9 cells
    f"<table>{_cells(_prose(1, 8))}</table>",  # one row
    f"<table>{_cells(_prose(12, 1))}</table>",  # one column
    f"<table role='presentation'>{_cells(_prose(1, 2), 'th')}{_cells(_prose(2, 2))}</table>",
    f"<table datatable='0' summary='Survey'>{_cells(_prose(2, 2))}</table>",
], ids=["two-by-two", "nine-cells", "one-row", "one-column", "role-presentation", "datatable-0"])
def test_tables_the_rule_calls_layout_flow(tmp_path, table):
    paragraphs = _paragraphs(tmp_path, f"<article><h1>Harbour news</h1>{_story(0, 2)}{table}{_story(2)}</article>")
    assert not _tables(paragraphs)
    for cell in lxml.html.fragment_fromstring(table).iter("td", "th"):
        assert any(cell.text_content() in text for text in paragraphs)  # kept, as flowing text
    assert _STORY[0] in paragraphs and _STORY[3] in paragraphs


def test_nested_layout_tables_all_flow(tmp_path):
    # The inner table alone would be data by size (3 x 4); the outer one holds a table, so it is
    # layout.  Unwrapping the inner first must not make the outer "data" (judged on the page as written).
    grid = "<table>" + _cells([[f"Slot {r}{c}" for c in range(4)] for r in range(3)]) + "</table>"
    nav = "<table><tr><td><a href='/'>Home</a></td></tr><tr><td><a href='/news'>News</a></td></tr></table>"
    inner = f"<table><tr><td>{_story(0, 2)}</td></tr><tr><td>{_story(2)}</td></tr></table>"
    body = (f"<table><tr><td>{nav}</td><td>{inner}</td></tr><tr><td>Left</td><td>Right</td></tr>"
            f"<tr><td>A</td><td>B</td></tr><tr><td>C</td><td>D</td></tr><tr><td>E</td><td>F</td></tr>"
            f"<tr><td>G</td><td>{grid}</td></tr></table>")
    paragraphs = _paragraphs(tmp_path, body)
    for sentence in _STORY:
        assert sentence in paragraphs
    (shown,) = _tables(paragraphs)  # only the grid, which is data by its own size
    assert "Slot 00" in shown and _STORY[0] not in shown


def test_a_data_table_inside_a_layout_table_stays_a_table(tmp_path):
    figures = f"<table>{_cells(_SMALL[:1], 'th')}{_cells(_SMALL[1:])}</table>"
    body = (f"<table><tr><td><a href='/'>Home</a></td><td><h1>Harbour news</h1>{_story(0, 2)}{figures}"
            f"{_story(2)}</td></tr></table>")
    paragraphs = _paragraphs(tmp_path, body)
    (shown,) = _tables(paragraphs)  # the figures' own th does not make the page's table "data"
    assert shown.split("\n")[0].split(" | ")[0].strip() == "Dredger capacity"
    assert "Eleven sailors" in shown.split("\n")[1]
    for sentence in _STORY:
        assert sentence in paragraphs


def test_a_layout_cell_becomes_a_div_with_its_inline_runs_as_paragraphs():
    from lxml import etree

    from pinpoint.index.ingest.page_layout import article_tree

    page = lxml.html.document_fromstring(
        "<html><body><table><tr><td>Loose <b>bold</b> text<br><br>more<div>A block</div>tail <i>it</i><br>"
        "<!-- note --></td><td><br>Lead<p>Para</p><i>after</i></td></tr></table></body></html>")
    article = article_tree(page)
    assert etree.tostring(article.find("body"), encoding="unicode") == (
        "<body><div><div><div><p>Loose <b>bold</b> text<br/><br/>more</p><div>A block</div>"
        "<p>tail <i>it</i><br/><!-- note --></p></div><div><p><br/>Lead</p><p>Para</p><p><i>after</i></p></div></div></div></body>")
    assert page.find("body/table/tr/td").text == "Loose "  # the page's own tree, read for metadata, is left as written
