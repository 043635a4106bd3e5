"""APA 7th edition (sections 9.8-9.43 references, 8.10-8.36 in-text citations).

Reference-list authors: all up to 20; 21 or more lists the first 19, an
ellipsis and the last (9.8).  In text: one or two surnames, three or more
"First et al." (8.17).  Work titles in sentence case, periodical and
website names in title case as published (6.17, 9.19).
"""

from __future__ import annotations

from pinpoint.index.bibliography import names
from pinpoint.service.citations import legal
from pinpoint.service.citations.casing import apa_title_case, sentence_case
from pinpoint.service.citations.citation import Citation
from pinpoint.index.bibliography.dates import MONTHS
from pinpoint.service.citations.editions import edition
from pinpoint.service.citations.locators import PARA, Locator
from pinpoint.service.citations.markup import Styled
from pinpoint.service.citations.work import Work

ITALIC_TITLE_KINDS = {"webpage", "book", "report", "thesis"}
# APA 7 10.6, 10.9, 10.10: a description in square brackets after the title.
DESCRIPTIONS = {"dataset": "Data set", "software": "Computer software"}
DATED_KINDS = {"webpage", "post-weblog", "article-newspaper", "article-magazine"}


def _name(name: names.Name) -> str:
    return names.inverted(name, names.initials(name.given))


def reference_authors(authors: tuple[names.Name, ...]) -> str:
    if len(authors) >= 21:
        shown = ", ".join(_name(n) for n in authors[:19])
        return f"{shown}, . . . {_name(authors[-1])}"
    return names.join([_name(n) for n in authors], "&", serial_comma=True, pair_comma=True)


def _date(work: Work) -> str:
    date = work.issued
    if date is None or not (work.kind in DATED_KINDS and date.month is not None):
        return work.year("n.d.")
    day = f" {date.day}" if date.day is not None else ""
    return f"{work.year('n.d.')}, {MONTHS[date.month - 1]}{day}"


def _creators(work: Work) -> str:
    """Authors, or for an edited book its editors with "(Ed.)"/"(Eds.)" (APA 7 9.10)."""
    if work.authors:
        return reference_authors(work.authors)
    if work.edited_only:
        return f"{reference_authors(work.editors)} ({'Eds.' if len(work.editors) > 1 else 'Ed.'})"
    return ""


def _editors(work: Work) -> str:
    shown = names.join([names.natural(n, names.initials(n.given)) for n in work.editors], "&",
                       serial_comma=True)
    return f"{shown} ({'Eds.' if len(work.editors) > 1 else 'Ed.'})"


def _report_number(work: Work) -> str:
    """"Report No. 7" for reports (APA 7 10.4); a bare "No. 230" for other numbered works."""
    if not work.number:
        return ""
    if not work.number.isdigit() and work.kind != "report":
        return work.number  # a designation such as "ISO 690:2021" is printed as given
    label = work.series or work.genre or ("Report" if work.kind == "report" else "")
    return f"{label} No. {work.number}".strip()


def _title_notes(work: Work) -> str:
    """The parenthetical after a title: translators, edition, volume, report number (APA 7 9.39-9.41)."""
    notes = []
    if work.translators:
        names_ = names.join([names.natural(n, names.initials(n.given)) for n in work.translators], "&",
                            serial_comma=True)
        notes.append(f"{names_}, Trans.")
    if work.version:
        notes.append(f"Version {work.version}")  # APA 7 10.10
    if work.kind != "chapter":
        notes.append(edition(work.edition, "ed."))
        if work.volume and work.kind in {"book", "report"}:
            notes.append(f"Vol. {work.volume}")
    if not work.is_periodical and work.kind != "paper-conference":
        notes.append(_report_number(work))
    notes = [n for n in notes if n]
    return f" ({', '.join(notes)})" if notes else ""


def _source(ref: Styled, work: Work) -> None:
    """Everything after the title: container, volume, publisher."""
    if work.kind == "chapter":
        ref.add(" In ")
        if work.editors:
            ref.add(_editors(work) + ", ")
        ref.italic(apa_title_case(work.container) if work.container else "")
        extras = [edition(work.edition, "ed."), f"pp. {work.page}" if work.page else ""]
        extras = [e for e in extras if e]
        ref.add(f" ({', '.join(extras)})" if extras else "").end()
        if work.publisher:
            ref.add(" " + work.publisher).end()
    elif (work.is_periodical or work.kind == "paper-conference") and work.container:
        ref.add(" ").italic(apa_title_case(work.container))
        if work.volume:
            ref.add(", ").italic(work.volume)
        if work.issue:
            # An issue with no volume stands alone after a comma: "Foreign Policy, (80), 153–171".
            ref.add(f"({work.issue})" if work.volume else f", ({work.issue})")
        if work.page:
            ref.add(f", {work.page}")
        elif work.number and work.kind == "article-journal":
            ref.add(f", Article {work.number}")  # APA 7 9.27: an article number in place of pages
        ref.end()
    elif work.kind in {"book", "report", "thesis"}:
        if work.publisher and not work.author_is(work.publisher):
            ref.add(" " + work.publisher).end()
    elif work.site and not work.author_is(work.site):
        ref.add(" " + work.site).end()


def _court_decision(work: Work, locator: Locator | None) -> Citation:
    """APA 7 11.4: "Name v. Name (Court Date)."; in text the case name and year."""
    ref = Styled().add(legal.reference(work))
    parts = [work.title, work.year("n.d.")] + ([legal.APA_LOCATOR.format(locator)] if locator else [])
    return Citation("apa", ref.plain(), ref.html(), f"({', '.join(p for p in parts if p)})")


def render(work: Work, locator: Locator | None) -> Citation:
    if legal.is_court_decision(work):
        return _court_decision(work, locator)
    title, warnings = (sentence_case(work.title, keep=work.keep_case)
                       if work.title and not work.title_is_name else (work.title, ()))
    italic_title = work.kind in ITALIC_TITLE_KINDS
    ref = Styled()
    creators = _creators(work)
    if creators:
        ref.add(creators).end()
        ref.add(f" ({_date(work)}).")
    title_part = Styled()
    if title:
        title_part.add(title, italic_title)
        title_part.add(_title_notes(work))
        # APA 7 9.21: a web page's stated genre ("Backgrounder", "Fact sheet") is its bracketed description.
        description = (work.genre if work.kind in {"thesis", "webpage", "post-weblog"} and work.genre
                       else DESCRIPTIONS.get(work.csl_type, ""))
        if description:
            title_part.add(f" [{description}]")
        title_part.end()
    if creators:
        ref.add(" ")
    ref.extend(title_part)
    if not creators:
        ref.add(f" ({_date(work)}).")
    _source(ref, work)
    if work.link:
        ref.add(" " + work.link)
    in_text = _in_text(work, locator)
    return Citation("apa", ref.plain(), ref.html(), in_text, warnings=warnings)


def _in_text(work: Work, locator: Locator | None) -> str:
    creators = work.authors or (work.editors if work.edited_only else ())
    if creators:
        who = names.surnames_in_text(creators, et_al_min=3, conjunction="&", serial_comma=True)
        who = names.with_first_initials(who, creators[0]) if work.first_initials else who
    else:
        short = work.title.split(":")[0] or "Untitled"
        if work.kind not in ITALIC_TITLE_KINDS:
            # A quoted title: the comma goes inside the closing mark (APA 6.10, 8.14).
            date = work.year("n.d.")
            rest = ", ".join([date] + ([PARA.format(locator)] if locator else []))
            return f"(\u201c{short},\u201d {rest})"
        who = short
    date = work.year("n.d.")
    parts = [who, date] + ([PARA.format(locator)] if locator else [])
    return f"({', '.join(parts)})"
