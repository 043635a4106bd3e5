"""Harvard as taught by Cite Them Right (12th edition), the common UK reference.

Authors "Xu, B." (initials without spaces: "Tolkien, J.R.R."); two "Xu, B.
and Smith, J."; three "Xu, B., Smith, J. and Lee, K."; four or more
"Xu, B. et al." in the list and in text.  Year in round brackets, "(no date)"
when none is stated (Cite Them Right's own wording, not "n.d.").  Titles of
works in sentence case with subtitles lower-cased after the colon, article
titles in single quotation marks, containers italic as published.  Online
items end "Available at: URL (Accessed: 1 July 2014)"; the access date
appears only when the item states one.
"""

from __future__ import annotations

from pinpoint.index.bibliography import names
from pinpoint.service.citations.casing import sentence_case
from pinpoint.service.citations.citation import Citation
from pinpoint.service.citations.locators import PARA, Locator
from pinpoint.service.citations.markup import Styled, quoted
from pinpoint.service.citations.work import Work

ITALIC_TITLE_KINDS = {"webpage", "book", "report"}


def _name(name: names.Name) -> str:
    return names.inverted(name, names.initials(name.given, spaced=False))


def _authors(authors: tuple[names.Name, ...]) -> str:
    return names.listed(authors, lambda i, n: _name(n), conjunction="and", serial_comma=False,
                        et_al_min=4, use_first=1, et_al=" et al.")


def _year(work: Work) -> str:
    return str(work.issued.year) if work.issued else "no date"


def render(work: Work, locator: Locator | None) -> Citation:
    title, warnings = sentence_case(work.title, capitalise_after_colon=False) if work.title else ("", ())
    ref = Styled()
    ref.add(_authors(work.authors) if work.authors else "")
    ref.add(f" ({_year(work)}) ")
    italic = work.kind in ITALIC_TITLE_KINDS
    if italic:
        ref.italic(title)
    else:
        ref.add(quoted(title, single=True))
    if work.kind == "chapter":
        ref.add(", in ")
        if work.editors:
            eds = names.join([_name(n) for n in work.editors], "and", serial_comma=False)
            ref.add(f"{eds} ({'eds' if len(work.editors) > 1 else 'ed.'}) ")
        ref.italic(work.container).end()
    elif work.is_periodical and work.container:
        ref.add(", ").italic(work.container)
        if work.volume:
            ref.add(f", {work.volume}" + (f"({work.issue})" if work.issue else ""))
        if work.kind != "article-journal" and work.issued and work.issued.month is not None:
            ref.add(", " + work.issued.day_month_year()[: -len(str(work.issued.year)) - 1])
        if work.page:
            ref.add(f", {'pp.' if chr(0x2013) in work.page else 'p.'} {work.page}")
        ref.end()
    else:
        if work.kind == "webpage" and work.site and not work.author_is(work.site):
            ref.add(", ").italic(work.site)
        ref.end()
        if work.kind == "report" and (work.series or work.number):
            ref.add(" " + " ".join(p for p in (work.series or work.genre, work.number) if p)).end()
    if work.edition and work.kind == "book":
        ref.add(f" {work.edition} edn.")
    if work.kind in {"book", "report", "chapter"}:
        pub = f"{work.place}: {work.publisher}" if work.place and work.publisher else (work.publisher or work.place)
        if pub and not work.author_is(pub):
            ref.add(f" {pub}")
            if work.kind == "chapter" and work.page:
                ref.add(f", pp. {work.page}")
            ref.end()
    if work.link:
        ref.add(f" Available at: {work.link}")
        if work.accessed:
            # A bare URL takes no closing period: it would be copied into the link.
            ref.add(f" (Accessed: {work.accessed.day_month_year()})").end()
    if work.authors:
        who = names.surnames_in_text(work.authors, et_al_min=4, conjunction="and", serial_comma=False)
    else:
        who = title
    parts = [who, _year(work)] + ([PARA.format(locator)] if locator else [])
    return Citation("harvard", ref.plain(), ref.html(), f"({', '.join(parts)})", warnings=warnings)
