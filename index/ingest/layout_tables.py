"""Tables a page uses for layout, rewritten as the flowing blocks they lay out.

Old-web pages put the whole article in a table cell, with the navigation in
the cells beside it.  Read as a table, the article becomes one pipe-table
"paragraph" glued to its menus: no paragraph of it can be cited on its own,
and no furniture cell can be dropped.  A layout table is therefore rewritten
into ``div`` elements that keep its cells' content and order; a data table is
left as the page wrote it, and Pinpoint shows it as a table.

Layout or data is decided by Mozilla Readability's published heuristic,
``_markDataTables`` in Readability.js (github.com/mozilla/readability), which
follows Firefox's accessibility guess ``TableAccessible::IsProbablyLayoutTable``
(accessible/generic/TableAccessible.cpp in mozilla-central), in Readability's
order:

1. ``role="presentation"`` (or its ARIA 1.1 synonym ``role="none"``) or
   ``datatable="0"``: layout.
2. A ``summary`` attribute, a non-empty ``caption``, a ``col``, ``colgroup``,
   ``thead``, ``tfoot`` or ``th``, or a cell with a ``headers``, ``scope`` or
   ``abbr`` attribute or holding only an ``abbr`` (Firefox's cell-level
   signals): data.
3. A table nested inside: layout.
4. One row or one column: layout.
5. 10 rows or more, or more than 4 columns: data.
6. Otherwise data only when rows x columns > 10.

Rows are counted as ``tr`` elements and columns as the widest row's ``td``
cells, colspans included, as Readability counts them.  The signals of step 2
are the table's own, as Firefox reads them (its children, its rows' cells),
not those of a table nested in one of its cells: Readability's descendant
search would call a page-wide layout table "data" because a small table of
figures sits somewhere in its article cell.  Firefox's rendering-based steps
(cell borders, row colours, width against the page) need a layout engine and
are not used, as Readability does not use them.

Every table is judged on the page as written before any is rewritten, so
unwrapping an inner layout table cannot turn its outer table into "data".

A layout cell becomes a ``div`` whose runs of inline content (text and
elements holding no block) are each wrapped in a ``p``, as Readability's
``_grabArticle`` puts a ``div``'s phrasing content into paragraphs: text that
sits loose in a ``div`` is dropped by trafilatura's default read, and old-web
cells hold their article text loose, between ``<br>`` and block elements.
Elements HTML does not list as blocks count as inline, as CSS displays them.
"""

from __future__ import annotations

from pinpoint.index.ingest.loose_text import paragraphs_of_inline_runs

# The parts of a table's own structure, as opposed to its cells' content.
_TABLE_PARTS = ("caption", "colgroup", "col", "thead", "tbody", "tfoot", "tr", "th", "td")
_DATA_PARTS = frozenset({"col", "colgroup", "thead", "tfoot", "th"})
_CELL_HEADER_ATTRIBUTES = ("headers", "scope", "abbr")


def flow_layout_tables(tree) -> None:
    """Rewrite every layout table in ``tree`` (in place) as ``div`` blocks; data tables stay."""
    layout = [table for table in tree.iter("table") if not is_data_table(table)]
    cells = []
    for table in layout:
        for part in _own_parts(table):
            if part.tag in ("td", "th"):
                cells.append(part)
            part.tag = "div"
        table.tag = "div"
    for cell in cells:  # once every layout table is a div, so a nested one counts as a block
        paragraphs_of_inline_runs(cell)


def is_data_table(table) -> bool:
    """Whether ``table`` holds data rather than laying out the page (Readability's rule, above)."""
    if (table.get("role") or "").strip().lower() in ("presentation", "none") or table.get("datatable") == "0":
        return False
    if (table.get("summary") or "").strip():
        return True
    parts = _own_parts(table)
    for part in parts:
        if part.tag in _DATA_PARTS:
            return True
        if part.tag == "caption" and _has_content(part):
            return True
        if part.tag == "td" and _states_headers(part):
            return True
    if any(True for _ in table.iterdescendants("table")):
        return False
    rows = [part for part in parts if part.tag == "tr"]
    columns = max((sum(_span(cell) for cell in row if cell.tag == "td") for row in rows), default=0)
    if len(rows) == 1 or columns == 1:
        return False
    if len(rows) >= 10 or columns > 4:
        return True
    return len(rows) * columns > 10


def _own_parts(table) -> list:
    """The table's own captions, column groups, row groups, rows and cells, not a nested table's."""
    return [part for part in table.iterdescendants(*_TABLE_PARTS)
            if next(part.iterancestors("table"), None) is table]


def _states_headers(cell) -> bool:
    if any(cell.get(name) is not None for name in _CELL_HEADER_ATTRIBUTES):
        return True
    children = list(cell)
    only_abbr = len(children) == 1 and children[0].tag == "abbr"
    return only_abbr and not (cell.text or "").strip() and not (children[0].tail or "").strip()


def _has_content(element) -> bool:
    return bool("".join(element.itertext()).strip()) or len(element) > 0


def _span(cell) -> int:
    try:
        return max(int((cell.get("colspan") or "1").strip()), 1)
    except ValueError:
        return 1
