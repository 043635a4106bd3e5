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

from pinpoint.service.citations.casing import title_case
from pinpoint.service.citations.citation import Citation
from pinpoint.service.citations.editions import edition
from pinpoint.service.citations.locators import MLA, PAGE, Locator, condensed_pages
from pinpoint.service.citations.markup import Styled, quoted
from pinpoint.service.citations.work import Work
from pinpoint.index.bibliography import names
from pinpoint.index.bibliography.dates import MLA_MONTHS

ITALIC_TITLE_KINDS = {"book", "report", "thesis"}


def _authors(authors: tuple[names.Name, ...]) -> str:
    return names.listed(
        authors,
        lambda i, n: names.inverted(n, n.given) if i == 0 else names.natural(n, n.given),
        conjunction="and", serial_comma=True, pair_comma=True, et_al_min=3, use_first=1,
    )


def _date(work: Work) -> str:
    """Day, month and year as published; a journal issue is dated by month or season and year."""
    if work.issued is None:
        return ""
    date = work.issued
    if work.kind == "article-journal" and date.day is not None:
        date = type(date)(date.year, date.month)
    return date.day_month_year(MLA_MONTHS)


def _italic_title(work: Work) -> bool:
    """Self-contained works are italic (MLA 9, titles); so is a web page with no website named
    as its container, as MLA's CSL style has it.  A data set's title is quoted, as there."""
    if work.csl_type == "dataset":
        return False
    return work.kind in ITALIC_TITLE_KINDS or (work.kind == "webpage" and not work.container)


def _organisation_is_publisher(work: Work) -> bool:
    """MLA 9 (organization as author and publisher): a work by an organisation that also publishes
    it, or whose website it is, starts with its title; the organisation is named once."""
    return len(work.authors) == 1 and work.authors[0].is_corporate and any(
        site and work.author_is(site) for site in (work.publisher, work.container))


def _creators(work: Work) -> tuple[names.Name, ...]:
    if _organisation_is_publisher(work):
        return ()
    return work.authors or (work.editors if work.edited_only else ())


def _container_elements(work: Work) -> list[str]:
    """Elements after the container, each only when stated."""
    out = []
    def who(people: tuple[names.Name, ...]) -> str:
        return names.join([names.natural(n, n.given) for n in people], "and", serial_comma=True)
    in_container = work.kind == "chapter" and bool(work.container)
    same = in_container and work.editors and work.translators == work.editors
    if work.translators and not same:
        # After the title "Translated by" opens its own element; inside a container it is lower case.
        out.append(f"{'translated' if in_container else 'Translated'} by {who(work.translators)}")
    if work.version:
        out.append(f"Version {work.version}")  # MLA 9 version element
    if work.kind != "chapter" and work.edition:
        out.append(edition(work.edition, "ed."))
    if work.kind in {"report", "book"} and work.number:
        # A standard's designation ("ISO 690:2021") is printed as given; report numbers take "no.".
        numbered = f"no. {work.number}" if work.kind == "report" or work.number.isdigit() else work.number
        out.append(" ".join(p for p in (work.genre, numbered) if p))
    if work.kind == "chapter" and work.editors:
        out.append(f"{'edited and translated' if same else 'edited'} by {who(work.editors)}")
    if work.kind == "chapter" and work.edition:
        out.append(edition(work.edition, "ed."))
    if work.volume:
        out.append(f"vol. {work.volume}")
    if work.issue:
        out.append(f"no. {work.issue}")
    if work.number and (work.kind == "webpage" or (work.kind == "article-journal" and not work.page)):
        out.append(f"no. {work.number}")  # a web page's number, or a journal's article number
    publisher = work.publisher
    if publisher and (publisher == work.container or work.is_periodical or work.kind == "thesis"
                      or (work.author_is(publisher) and not _organisation_is_publisher(work))):
        publisher = ""  # MLA 5.53: omit a publisher whose name matches the website
    if publisher:
        out.append(publisher)
    if _date(work):
        out.append(_date(work))
    if work.page:
        out.append(f"{'pp.' if chr(0x2013) in work.page else 'p.'} {condensed_pages(work.page, two_digits=True)}")
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
        if _italic_title(work):
            ref.italic(title).end()
        else:
            ref.add(quoted(title, "."))
    if work.genre and work.kind in {"webpage", "post-weblog"}:
        # MLA 9 (optional element after the title): a description of the work's form as the source gives it.
        ref.add(f" {work.genre}").end()
    container = work.container if _organisation_is_publisher(work) or not work.author_is(work.container) else ""
    elements = _container_elements(work)
    if container:
        ref.add(" ").italic(title_case(container))
        ref.add("".join(f", {e}" for e in elements)).end()
    elif elements:
        ref.add(" " + ", ".join(elements)).end()
    if work.kind == "thesis":
        # MLA 9 (dissertations): institution and kind of thesis close the entry.
        ref.add(" " + ", ".join(p for p in (work.publisher, work.genre) if p)).end()
    if work.kind in {"book", "report"} and work.series:
        ref.add(f" {work.series}").end()  # MLA 9: a series closes the entry
    if work.issued is None and work.accessed:
        ref.add(f" Accessed {work.accessed.day_month_year(MLA_MONTHS)}.")
    if _creators(work):
        who = names.surnames_in_text(_creators(work), et_al_min=3, conjunction="and", serial_comma=True)
        who = names.with_first_initials(who, _creators(work)[0]) if work.first_initials else who
        if work.title_in_text and work.title:
            # MLA 9: two or more works by the same author are told apart by a short title.
            short = title_case(work.title.split(":")[0])
            who = f"{who}, {short if _italic_title(work) else quoted(short)}"
    elif _italic_title(work):
        who = title_case(work.title.split(":")[0])
    else:
        who = quoted(title_case(work.title.split(":")[0])) if work.title else ""
    where = MLA.format(locator) if locator else ""
    # MLA 9 6.18: a page number follows the author with no comma; 6.22: "par." is set off by one.
    sep = " " if locator and locator.kind == PAGE else ", "
    if where and sep == ", " and who.endswith("\u201d"):
        # A comma goes inside the closing quotation mark.
        return Citation("mla", ref.plain(), ref.html(), f"({who[:-1]},\u201d {where})")
    return Citation("mla", ref.plain(), ref.html(), f"({sep.join(p for p in (who, where) if p)})")
