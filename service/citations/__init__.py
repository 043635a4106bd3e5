"""Citations in the styles researchers are asked for, as pure functions.

``cite(csl, style, locator)`` turns a CSL-JSON item into a ``Citation``:
reference-list entry (plain and HTML), in-text citation with a paragraph
locator, and for Chicago notes-bibliography the full note.  Seven styles are
written by hand against their manuals; any other CSL style id goes through
citeproc-py and is marked incomplete.  See README.md for the rules chosen.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any, Callable

from pinpoint.service.citations import apa, chicago, csl_styles, harvard, mla, numeric
from pinpoint.service.citations.citation import Citation, quotation
from pinpoint.service.citations.errors import (
    CitationError, InvalidCitationData, InvalidExcerpt, InvalidLocator, UnknownStyle,
)
from pinpoint.service.citations.locators import Locator
from pinpoint.service.citations.work import Work, read_work

__all__ = [
    "STYLES", "Citation", "CitationError", "InvalidCitationData", "InvalidExcerpt",
    "InvalidLocator", "Locator", "UnknownStyle", "cite", "quotation",
]

STYLES: dict[str, str] = {
    "apa": "APA 7th edition",
    "chicago-author-date": "Chicago 17th edition (author-date)",
    "chicago-notes": "Chicago 17th edition (notes and bibliography)",
    "mla": "MLA 9th edition",
    "harvard": "Harvard (Cite Them Right)",
    "ieee": "IEEE",
    "vancouver": "Vancouver (NLM)",
}

_RENDERERS: dict[str, Callable[[Work, Locator | None], Citation]] = {
    "apa": apa.render,
    "chicago-author-date": chicago.render_author_date,
    "chicago-notes": chicago.render_notes,
    "mla": mla.render,
    "harvard": harvard.render,
    "ieee": numeric.render_ieee,
    "vancouver": numeric.render_vancouver,
}


def cite(csl: dict[str, Any], style: str = "apa", locator: Locator | None = None) -> Citation:
    """A citation of ``csl`` in ``style``; raises UnknownStyle, InvalidCitationData."""
    if not isinstance(style, str):
        raise UnknownStyle(repr(style))
    if locator is not None and not isinstance(locator, Locator):
        raise InvalidLocator(f"locator must be a Locator, got {type(locator).__name__}")
    key = style.strip().lower()
    work = read_work(csl)
    if key in _RENDERERS:
        citation = _RENDERERS[key](work, locator)
        return replace(citation, warnings=work.warnings + citation.warnings) if work.warnings else citation
    return csl_styles.render(csl, key, locator)
