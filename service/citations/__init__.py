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

from pinpoint.service.citations import apa, chicago, csl_styles, harvard, legal, mla, numeric
from pinpoint.service.citations.citation import Citation, quotation
from pinpoint.service.citations.errors import (
    CitationError, InvalidCitationData, InvalidExcerpt, InvalidLocator, UnknownStyle,
)
from pinpoint.service.citations.locators import Locator
from pinpoint.service.citations.work import Work, read_work, unprotect

__all__ = [
    "STYLES", "Citation", "CitationError", "InvalidCitationData", "InvalidExcerpt",
    "InvalidLocator", "Locator", "NUMBERED_STYLES", "UnknownStyle", "cite", "quotation", "year_suffixes",
    "first_initials_needed", "titles_needed",
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


AUTHOR_DATE_STYLES = ("apa", "chicago-author-date", "harvard")
NUMBERED_STYLES = ("ieee", "vancouver")  # a single work is number 1; a list renumbers it


def cite(csl: dict[str, Any], style: str = "apa", locator: Locator | None = None,
         year_suffix: str = "", first_initials: bool = False, title_in_text: bool = False) -> Citation:
    """A citation of ``csl`` in ``style``; raises UnknownStyle, InvalidCitationData.

    ``year_suffix`` ("a", "b", ...) tells apart works an author-date style
    would otherwise cite alike; ``year_suffixes`` assigns them for a list.
    ``first_initials`` puts the first author's initials in the in-text
    citation, for an author who shares a surname with another cited author
    (APA 8.20); ``first_initials_needed`` decides it for a list.  ``title_in_text``
    adds a short title for MLA, which tells apart works by the same author that
    way (``titles_needed``)."""
    if not isinstance(style, str):
        raise UnknownStyle(repr(style))
    if locator is not None and not isinstance(locator, Locator):
        raise InvalidLocator(f"locator must be a Locator, got {type(locator).__name__}")
    key = style.strip().lower()
    work = read_work(csl)
    if year_suffix:
        if not (year_suffix.isalpha() and year_suffix.islower() and len(year_suffix) <= 2):
            raise InvalidCitationData(f"year_suffix must be a lower-case letter, got {year_suffix!r}")
        work = replace(work, year_suffix=year_suffix)
    if first_initials or title_in_text:
        work = replace(work, first_initials=first_initials, title_in_text=title_in_text)
    if key in _RENDERERS:
        citation = _RENDERERS[key](work, locator)
        # The generic-form warning does not apply where the style has a rule for the type.
        handled = legal.is_court_decision(work) and key in legal.STYLES
        return replace(
            citation, warnings=(() if handled else work.warnings) + citation.warnings, reference=unprotect(citation.reference),
            reference_html=unprotect(citation.reference_html), in_text=unprotect(citation.in_text),
            note=unprotect(citation.note) if citation.note else citation.note,
            note_html=unprotect(citation.note_html) if citation.note_html else citation.note_html,
        )
    return csl_styles.render(csl, key, locator)


def _sort_title(item: dict[str, Any]) -> str:
    """APA 9.47: titles are alphabetised ignoring an initial "A", "An" or "The"."""
    title = str(item.get("title") or "").casefold()
    first, _, rest = title.partition(" ")
    return rest if first in {"a", "an", "the"} and rest else title


def year_suffixes(items: list[dict[str, Any]], style: str) -> list[str]:
    """Letters after the year for works an author-date style would cite alike (APA 8.19 and
    9.47: "Smith, 2020a" / "2020b", ordered by title; CMOS 15.19; Cite Them Right).

    Two works need letters when they have the same authors and their in-text
    citations are the same text (authors who only share a surname are told
    apart by initials instead, APA 8.20); other styles get "".
    """
    key = style.strip().lower()
    out = [""] * len(items)
    if key not in AUTHOR_DATE_STYLES:
        return out
    groups: dict[str, list[int]] = {}
    for index, item in enumerate(items):
        work = read_work(item)
        names = tuple((n.literal, n.family, n.given, n.particle) for n in work.authors or work.editors)
        groups.setdefault(f"{cite(item, key).in_text}\x00{names}", []).append(index)
    for members in groups.values():
        if len(members) < 2:
            continue
        members.sort(key=lambda i: _sort_title(items[i]))
        for n, index in enumerate(members[:26]):
            out[index] = chr(ord("a") + n)
    return out


# APA 7 8.20 and CMOS 17 15.21: first authors who share a surname but not their given names are
# cited with initials in every citation, even when the years differ (CSL's global "primary-name"
# disambiguation).  MLA 9 and Cite Them Right add them only where two citations would otherwise
# read the same (CSL's "by-cite" rule; MLA's in-text form has no year, so any two such authors).
_INITIALS_ALWAYS = ("apa", "chicago-author-date")
_INITIALS_BY_CITE = ("harvard", "mla")


def first_initials_needed(items: list[dict[str, Any]], style: str) -> list[bool]:
    """For each item, whether its in-text citation needs the first author's initials."""
    key = style.strip().lower()
    out = [False] * len(items)
    if key not in _INITIALS_ALWAYS + _INITIALS_BY_CITE:
        return out
    firsts = []
    for item in items:
        work = read_work(item)
        creators = work.authors or (work.editors if work.edited_only else ())
        person = creators[0] if creators and not creators[0].literal and creators[0].given else None
        firsts.append(person)
    for i, person in enumerate(firsts):
        if person is None:
            continue
        others = [j for j, other in enumerate(firsts) if other is not None and j != i
                  and other.surname == person.surname and other.given != person.given]
        if key in _INITIALS_BY_CITE:
            mine = cite(items[i], key).in_text
            others = [j for j in others if cite(items[j], key).in_text == mine]
        out[i] = bool(others)
    return out


def titles_needed(items: list[dict[str, Any]], style: str) -> list[bool]:
    """MLA 9 (in-text citations, more than one work by an author): works whose author citations
    read the same are cited with a short title, "(Smith, Zebra Alliances)"; other styles use letters."""
    out = [False] * len(items)
    if style.strip().lower() != "mla":
        return out
    initials = first_initials_needed(items, "mla")
    cited = [cite(item, "mla", first_initials=f).in_text for item, f in zip(items, initials)]
    for i, text in enumerate(cited):
        out[i] = read_work(items[i]).title != "" and cited.count(text) > 1
    return out

