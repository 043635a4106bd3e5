"""Numbered styles: IEEE (IEEE Reference Guide, 2023) and Vancouver (NLM Citing Medicine, 2nd ed.).

A single cited work is number 1: the reference starts "[1]" (IEEE) or "1."
(Vancouver) and the in-text marker is "[1]"; a caller numbering a whole
bibliography replaces the number.  IEEE lists up to six authors, seven or
more give "First et al."; Vancouver lists six then "et al.".  Pinpoints:
IEEE "[1, para. 18]"; NLM has no in-text locator rule, and a paragraph is
the point of a Pinpoint citation, so Vancouver uses the same bracketed form.
"""

from __future__ import annotations

from dataclasses import replace

from pinpoint.service.citations.casing import sentence_case, title_case
from pinpoint.service.citations.citation import Citation
from pinpoint.index.bibliography.dates import IEEE_MONTHS, NLM_MONTHS
from pinpoint.service.citations.editions import edition
from pinpoint.service.citations.locators import PARA, Locator, condensed_pages
from pinpoint.service.citations.markup import Styled, quoted
from pinpoint.service.citations.work import Work
from pinpoint.index.bibliography import names


def _ieee_name(name: names.Name) -> str:
    """"J. S. Nye Jr.": initials first, the suffix without a comma, as IEEE's CSL style writes it."""
    text = names.natural(replace(name, suffix=""), names.initials(name.given))
    return f"{text} {name.suffix}" if name.suffix and not name.literal else text


def _pages(page: str) -> str:
    return f"{'pp.' if chr(0x2013) in page else 'p.'} {page}" if page else ""


def _marker(locator: Locator | None) -> str:
    return f"[1, {PARA.format(locator)}]" if locator else "[1]"


def _publication(work: Work, sep: str) -> str:
    return f"{work.place}{sep}{work.publisher}" if work.place and work.publisher else (work.publisher or work.place)


def render_ieee(work: Work, locator: Locator | None) -> Citation:
    ref = Styled().add("[1] ")
    creators = work.authors or (work.editors if work.edited_only else ())
    if creators:
        if len(creators) >= 7:
            # IEEE Reference Guide: seven or more names give the first and "et al." in italics.
            ref.add(_ieee_name(creators[0]) + " ").italic("et al.")
        else:
            ref.add(names.join([_ieee_name(n) for n in creators], "and", serial_comma=True))
        # IEEE Reference Guide: an edited book lists its editors with "Ed."/"Eds.".
        ref.add(", " if work.authors else f", {'Eds.' if len(work.editors) > 1 else 'Ed.'}, ")
    warnings: tuple[str, ...] = ()
    date = work.issued.month_day_year(IEEE_MONTHS) if work.issued else ""
    if work.kind == "book" and work.csl_type == "dataset":
        # IEEE's CSL style quotes a data set's title and gives its DOI.
        ref.add(quoted(title_case(work.title), "."))
        pub = ", ".join(p for p in (_publication(work, ": "), str(work.issued.year) if work.issued else "") if p)
        ref.add(f" {pub}" if pub else "").end()
        ref.add(f" doi: {work.doi}." if work.doi else "")
    elif work.csl_type == "software":
        # IEEE Reference Guide (software): "Title of Software. (version or year). Distributor." The
        # name is kept as its makers write it, and the year given, as IEEE's CSL style does.
        ref.italic(work.title).end()
        ref.add(f" ({work.issued.year})." if work.issued else "")
        ref.add(f" {_publication(work, ': ')}" if _publication(work, ": ") else "").end()
    elif work.kind == "book":
        ref.italic(title_case(work.title))
        # IEEE Reference Guide (books): a series in parentheses after the title; a standard's
        # designation ("ISO 690:2021") after it (standards: "Title of Standard, Standard number").
        ref.add(f" ({work.series})" if work.series else "")
        designation = work.number if work.number and not work.number.isdigit() else ""
        extras = [designation, edition(work.edition, "ed."), f"vol. {work.volume}" if work.volume else ""]
        ref.add("".join(f", {e}" for e in extras if e)).end()
        pub = ", ".join(p for p in (_publication(work, ": "), str(work.issued.year) if work.issued else "") if p)
        ref.add(f" {pub}" if pub else "").end()
    else:
        title, warnings = sentence_case(work.title, keep=work.keep_case)
        ref.add(quoted(title, ","))
        tail = []
        if work.kind == "chapter":
            ref.add(" in ").italic(title_case(work.container))
            if work.edition:
                ref.add(", " + edition(work.edition, "ed."))  # IEEE: "in Plastics, 2nd ed., vol. 3, J. Peters, Ed."
            if not work.editors:
                ref.add(".")  # IEEE: the book's elements end with a period before the city
            if work.editors:
                eds = names.join([_ieee_name(n) for n in work.editors], "and",
                                 serial_comma=True)
                ref.add(f", {eds}, {'Eds' if len(work.editors) > 1 else 'Ed'}.")
            tail = [_publication(work, ": ") + (f", {work.issued.year}" if work.issued else ""),
                    f"pp. {work.page}" if work.page else ""]
        elif work.kind == "paper-conference" and work.container:
            ref.add(" in ").italic(work.container).add(",")
            tail = [_publication(work, ": "), str(work.issued.year) if work.issued else "",
                    f"pp. {work.page}" if work.page else ""]
        elif work.kind == "thesis":
            tail = [work.genre, work.publisher, work.place, str(work.issued.year) if work.issued else ""]
        elif work.is_periodical and work.container:
            ref.add(" ").italic(work.container).add(",")
            month_year = work.issued.month_day_year(IEEE_MONTHS) if work.issued else ""
            if work.kind == "article-journal" and work.issued and work.issued.day:
                month_year = f"{IEEE_MONTHS[work.issued.month - 1]} {work.issued.year}"
            article = f"Art. no. {work.number}" if work.number and not work.page else ""  # IEEE article numbers
            tail = [f"vol. {work.volume}" if work.volume else "", f"no. {work.issue}" if work.issue else "",
                    _pages(work.page) or article, month_year]
        elif work.kind == "report":
            # IEEE Reference Guide (reports): "Abbrev. Name of Co., City of Co., Rep. xxx, Mon. year".
            series = (f"{work.series}, no. {work.number}" if work.series and work.number
                      else f"{work.genre or 'Rep.'} {work.number}" if work.number and (work.genre or work.number.isdigit())
                      else work.number or work.series)  # a designation such as "RR-2350" as given
            month_year = (f"{IEEE_MONTHS[work.issued.month - 1]} {work.issued.year}" if work.issued
                          and work.issued.month else str(work.issued.year) if work.issued else "")
            tail = [work.publisher, work.place, series, month_year]
        else:
            tail = [work.site, date]  # an organisation is named again as the site (IEEE: '"Title." IEEE.')
        tail = [t for t in tail if t]
        ref.add(" " + ", ".join(tail) if tail else "")
        if work.doi:
            ref.add(f", doi: {work.doi}")
        ref.end()
    if work.accessed:
        ref.add(f" Accessed: {work.accessed.month_day_year(IEEE_MONTHS)}.")
    if work.url and not work.doi:
        ref.add(f" [Online]. Available: {work.url}")
    return Citation("ieee", ref.plain(), ref.html(), _marker(locator), warnings=warnings)


def render_vancouver(work: Work, locator: Locator | None) -> Citation:
    ref = Styled().add("1. ")
    creators = work.authors or (work.editors if work.edited_only else ())
    if creators:
        # Citing Medicine ch. 2: "Nye JS Jr" (suffix after the initials, no punctuation).
        ref.add(names.listed(
            creators,
            lambda i, n: n.literal or " ".join(p for p in (n.particle or n.dropping, n.family,
                                                           names.initials(n.given, period=False),
                                                           n.suffix.rstrip(".")) if p),
            conjunction=None, serial_comma=False, et_al_min=7, use_first=6))
        ref.add("" if work.authors else ", editors" if len(work.editors) > 1 else ", editor").end()
        ref.add(" ")
    title, warnings = (sentence_case(work.title, capitalise_after_colon=False, keep=work.keep_case)
                       if not work.title_is_name else (work.title, ()))
    online = bool(work.url) and not work.doi
    medium = " [Internet]" if online else ""
    cited = f" [cited {work.accessed.year_month_day()}]" if work.accessed else ""
    date = work.issued.year_month_day() if work.issued else ""
    if work.kind == "report" and work.issued and work.issued.month:
        date = f"{work.issued.year} {NLM_MONTHS[work.issued.month - 1]}"  # Citing Medicine: reports by year and month
    if work.is_periodical and work.container:
        ref.add(title).end().add(f" {work.container}{medium}.")
        issue = f"({work.issue})" if work.issue else ""
        vol = f";{work.volume}{issue}" if work.volume else (f";{issue}" if issue else "")
        pages = f":{condensed_pages(work.page, minimal=True).replace(chr(0x2013), '-')}" if work.page else (
            f":{work.number}" if work.number and work.kind == "article-journal" else "")  # article numbers
        ref.add(f" {date}{cited}{vol}{pages}").end()
    elif work.kind in {"chapter", "paper-conference"}:
        ref.add(title).end().add(" In: ")
        if work.editors:
            eds = ", ".join(f"{n.surname} {names.initials(n.given, period=False)}".strip() if not n.literal
                            else n.literal for n in work.editors)
            ref.add(eds + ", editor" + ("s" if len(work.editors) > 1 else "") + ". ")
        ref.add(work.container + medium).end()
        if work.edition:
            ref.add(" " + edition(work.edition, "ed.")).end()
        pub = _publication(work, ": ")
        facts = "; ".join(p for p in (pub, date) if p)
        ref.add(f" {facts}{cited}" if facts or cited else "").end()
        if work.page:
            ref.add(f" p. {condensed_pages(work.page, minimal=True).replace(chr(0x2013), '-')}.")
    else:
        genre = f" [{work.genre}]" if work.kind in {"thesis", "report"} and work.genre else ""
        ref.add(title + genre + medium).end()
        if work.kind == "book" and work.edition:
            ref.add(" " + edition(work.edition, "ed.")).end()
        if work.kind == "book" and work.volume:
            ref.add(f" Vol. {work.volume}.")
        publisher = work.publisher or (work.container if not work.author_is(work.container) else "")
        pub = f"{work.place}: {publisher}" if work.place and publisher else (publisher or work.place)
        facts = "; ".join(p for p in (pub, date) if p)
        if facts or cited:
            ref.add(f" {facts}{cited}").end()
        if work.kind == "book" and work.series:
            ref.add(f" ({work.series}).")  # Citing Medicine: a series in parentheses at the end
        if work.kind == "report" and work.series:
            # Citing Medicine ch. 15: a series in parentheses, a report number as "Report No.:".
            ref.add(f" ({work.series}" + (f"; no. {work.number}" if work.number else "") + ").")
        elif work.kind == "report" and work.number:
            ref.add(f" {work.genre or 'Report'} no.: {work.number}.")
    if work.doi:
        ref.add(f" doi:{work.doi}")
    elif work.url:
        ref.add(f" Available from: {work.url}")
    return Citation("vancouver", ref.plain(), ref.html(), _marker(locator), warnings=warnings)
