"""MLA Handbook, 9th edition: core elements in order, separated by commas within a container.

Authors: one "Xu, Beina"; two "Xu, Beina, and Jan Smith"; three or more
"Xu, Beina, et al." (5.6) both in works cited and in text.  Particles stay
with the family name ("van der Berg, Jan"), as MLA's CSL style does.
Titles in title case (6.25); containers italic; dates day-month-year with
months longer than four letters abbreviated; URLs without "https://" (5.95),
DOIs as https://doi.org/ links.  No date: the element is left out and the
access date, when stated, closes the entry (5.111).
"""

from __future__ import annotations

import re

from pinpoint.service.citations import names
from pinpoint.service.citations.casing import title_case
from pinpoint.service.citations.citation import Citation
from pinpoint.service.citations.dates import MLA_MONTHS
from pinpoint.service.citations.editions import edition
from pinpoint.service.citations.locators import PAGE, PAR, Locator, condensed_pages
from pinpoint.service.citations.markup import Styled, quoted
from pinpoint.service.citations.work import Work

ITALIC_TITLE_KINDS = {"book", "report", "thesis"}


def _authors(authors: tuple[names.Name, ...]) -> str:
    return names.listed(
        authors,
        lambda i, n: names.inverted(n, n.given) if i == 0 else names.natural(n, n.given),
        conjunction="and", serial_comma=True, pair_comma=True, et_al_min=3, use_first=1,
    )


def _date(work: Work) -> str:
    return work.issued.day_month_year(MLA_MONTHS) if work.issued else ""


def _organisation_is_publisher(work: Work) -> bool:
    """MLA 9 5.7: a work by an organisation that also publishes it starts with its title; the
    organisation is named once, as publisher."""
    return len(work.authors) == 1 and work.authors[0].is_corporate and bool(work.publisher) and work.author_is(
        work.publisher)


def _creators(work: Work) -> tuple[names.Name, ...]:
    if _organisation_is_publisher(work):
        return ()
    return work.authors or (work.editors if work.edited_only else ())


def _container_elements(work: Work) -> list[str]:
    """Elements after the container, each only when stated."""
    out = []
    if work.translators:
        out.append("Translated by " + names.join([names.natural(n, n.given) for n in work.translators], "and",
                                                 serial_comma=True))
    if work.kind != "chapter" and work.edition:
        out.append(edition(work.edition, "ed."))
    if work.kind == "report" and work.number:
        out.append(f"{work.series}, no. {work.number}" if work.series
                   else " ".join(p for p in (work.genre, f"no. {work.number}") if p))
    if work.kind == "chapter" and work.editors:
        out.append("edited by " + names.join([names.natural(n, n.given) for n in work.editors], "and",
                                             serial_comma=True))
    if work.volume:
        out.append(f"vol. {work.volume}")
    if work.issue:
        out.append(f"no. {work.issue}")
    elif work.number and work.kind == "webpage":
        out.append(f"no. {work.number}")
    publisher = work.publisher
    if publisher and (publisher == work.container or work.is_periodical or work.kind == "thesis"
                      or (work.author_is(publisher) and not _organisation_is_publisher(work))):
        publisher = ""  # MLA 5.53: omit a publisher whose name matches the website
    if publisher:
        out.append(publisher)
    if _date(work):
        out.append(_date(work))
    if work.page:
        out.append(f"{'pp.' if chr(0x2013) in work.page else 'p.'} {condensed_pages(work.page)}")
    link = work.doi_url or re.sub(r"^https?://", "", work.url)
    if link:
        out.append(link)
    return out


def render(work: Work, locator: Locator | None) -> Citation:
    ref = Styled()
    if _creators(work):
        ref.add(_authors(_creators(work)) + ("" if work.authors else
                                            ", editors" if len(work.editors) > 1 else ", editor")).end().add(" ")
    title = title_case(work.title) if work.title else ""
    if title:
        if work.kind in ITALIC_TITLE_KINDS:
            ref.italic(title).end()
        else:
            ref.add(quoted(title, "."))
    container = work.container if not work.author_is(work.container) else ""
    elements = _container_elements(work)
    if container:
        ref.add(" ").italic(title_case(container))
        ref.add("".join(f", {e}" for e in elements)).end()
    elif elements:
        ref.add(" " + ", ".join(elements)).end()
    if work.kind == "thesis":
        # MLA 9 (dissertations): institution and kind of thesis close the entry.
        ref.add(" " + ", ".join(p for p in (work.publisher, work.genre) if p)).end()
    if work.issued is None and work.accessed:
        ref.add(f" Accessed {work.accessed.day_month_year(MLA_MONTHS)}.")
    if _creators(work):
        who = names.surnames_in_text(_creators(work), et_al_min=3, conjunction="and", serial_comma=True)
    elif work.kind in ITALIC_TITLE_KINDS:
        who = title_case(work.title.split(":")[0])
    else:
        who = quoted(title_case(work.title.split(":")[0])) if work.title else ""
    where = PAR.format(locator) if locator else ""
    # MLA 9 6.18: a page number follows the author with no comma; 6.22: "par." is set off by one.
    sep = " " if locator and locator.kind == PAGE else ", "
    return Citation("mla", ref.plain(), ref.html(), f"({sep.join(p for p in (who, where) if p)})")
