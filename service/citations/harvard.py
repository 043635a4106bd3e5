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
from pinpoint.service.citations.editions import edition
from pinpoint.service.citations.locators import PARA, Locator
from pinpoint.service.citations.markup import Styled, quoted
from pinpoint.service.citations.work import Work

ITALIC_TITLE_KINDS = {"webpage", "book", "report", "thesis"}


def _name(name: names.Name) -> str:
    return names.inverted(name, names.initials(name.given, spaced=False))


def _authors(authors: tuple[names.Name, ...], styled: Styled) -> None:
    """CTR: four or more authors give the first and "et al." in italics."""
    if len(authors) >= 4:
        styled.add(_name(authors[0]) + " ").italic("et al.")
    else:
        styled.add(names.join([_name(n) for n in authors], "and", serial_comma=False))


def _newspaper_as_author(work: Work) -> bool:
    """CTR: an unsigned newspaper or magazine article is listed under the paper's title."""
    return not work.authors and work.kind in {"article-newspaper", "article-magazine"} and bool(work.container)


def _creators(work: Work, styled: Styled) -> None:
    if _newspaper_as_author(work):
        styled.italic(work.container)
    elif work.authors:
        _authors(work.authors, styled)
    elif work.edited_only:
        _authors(work.editors, styled)
        styled.add(f" ({'eds' if len(work.editors) > 1 else 'ed.'})")


def _year(work: Work) -> str:
    return work.year("no date", joiner=" ")  # Cite Them Right: "(no date a)"


def render(work: Work, locator: Locator | None) -> Citation:
    title, warnings = (sentence_case(work.title, capitalise_after_colon=False, keep=work.keep_case)
                       if work.title and not work.title_is_name else (work.title, ()))
    ref = Styled()
    _creators(work, ref)
    # A data set's title is quoted, as Cite Them Right's CSL style has it.
    italic = work.kind in ITALIC_TITLE_KINDS and work.csl_type != "dataset"
    # CTR (standards): the standard's number opens its italic title ("BS ISO 690:2021 Title").
    designation = work.number if work.csl_type == "standard" and work.number else ""
    if designation:
        title = f"{designation} {title}"
    if work.authors or work.edited_only or _newspaper_as_author(work):
        ref.add(f" ({_year(work)}) ")
        ref.italic(title) if italic else ref.add(quoted(title, single=True))
        if work.csl_type == "software":
            # CTR (computer programs): "Title (Version) [Computer program]".
            ref.add(f" (Version {work.version})" if work.version else "").add(" [Computer program]")
    else:
        # No author: the title takes the author's place, then the year (CTR).
        ref.italic(title) if italic else ref.add(quoted(title, single=True))
        ref.add(f" ({_year(work)})")
    if work.kind == "chapter":
        ref.add(", in ")
        if work.editors:
            eds = names.join([_name(n) for n in work.editors], "and", serial_comma=False)
            role = "eds" if len(work.editors) > 1 else "ed."
            # Editors who also translated are named once, with both roles, as CTR's CSL style does.
            ref.add(f"{eds} ({role} & trans.) " if work.translators == work.editors else f"{eds} ({role}) ")
        ref.italic(work.container).end()
        if work.edition:
            ref.add(" " + edition(work.edition, "edn.")).end()  # the edition of the book the chapter is in
        if work.translators and work.translators != work.editors:
            ref.add(" Translated by " + names.join([names.natural(n, names.initials(n.given, spaced=False))
                                                   for n in work.translators], "and", serial_comma=False)).end()
    elif (work.is_periodical or work.kind == "paper-conference") and work.container:
        if not _newspaper_as_author(work):
            # After a title standing in for the author, the year closes that unit: no comma.
            ref.add(", " if work.authors or work.edited_only else " ").italic(work.container)
        dated = work.kind != "article-journal" and work.issued and work.issued.month is not None
        if work.kind == "paper-conference":
            pass
        elif work.kind != "article-journal":
            pass  # CTR: magazines and newspapers are located by their date, not volume and issue
        elif work.volume:
            ref.add(f", {work.volume}" + (f"({work.issue})" if work.issue else ""))
        elif work.issue:
            ref.add(f", ({work.issue})")
        if dated:
            ref.add(", " + work.issued.day_month_year()[: -len(str(work.issued.year)) - 1])
        if work.page and (work.kind != "paper-conference" or not (work.publisher or work.place)):
            ref.add(f", {'pp.' if chr(0x2013) in work.page else 'p.'} {work.page}")
        ref.end()
    else:
        if work.kind == "webpage" and work.container and not work.author_is(work.container):
            ref.add(", " if work.authors else " ").italic(work.container).end()
        elif work.kind == "webpage" and work.publisher and not work.author_is(work.publisher):
            ref.end().add(" " + work.publisher)
        ref.end()
        if work.translators:
            ref.add(" Translated by " + names.join([names.natural(n, names.initials(n.given, spaced=False))
                                                   for n in work.translators], "and", serial_comma=False)).end()
        if work.kind == "thesis" and work.genre:
            ref.add(f" {work.genre}").end()
        if work.kind == "report" and (work.series or work.number):
            ref.add(" " + " ".join(p for p in (work.series or work.genre, work.number) if p)).end()
    if work.edition and work.kind == "book":
        ref.add(" " + edition(work.edition, "edn.")).end()
    if work.kind in {"book", "report", "chapter", "thesis", "paper-conference"}:
        place = "" if work.kind == "thesis" else work.place  # CTR: a thesis names its institution only
        pub = f"{place}: {work.publisher}" if place and work.publisher else (work.publisher or place)
        if not pub and work.kind == "chapter" and work.page:
            ref.add(f", pp. {work.page}").end()  # no publisher named: the pages follow the book's title
        if pub and not work.author_is(pub):
            ref.add(f" {pub}")
            if work.kind in {"chapter", "paper-conference"} and work.page:
                ref.add(f", pp. {work.page}")
            if work.kind == "book" and work.series:
                ref.add(f" ({work.series})")  # CTR: a series in brackets after the publisher
            ref.end()
    if work.link:
        ref.add(f" Available at: {work.link}")
        if work.accessed:
            # A bare URL takes no closing period: it would be copied into the link.
            ref.add(f" (Accessed: {work.accessed.day_month_year()})").end()
    creators = work.authors or (work.editors if work.edited_only else ())
    if _newspaper_as_author(work):
        who = work.container
    elif creators:
        who = names.surnames_in_text(creators, et_al_min=4, conjunction="and", serial_comma=False)
        who = names.with_first_initials(who, creators[0]) if work.first_initials else who
    else:
        # CTR: the title as it stands in the reference, in quotation marks when it is not italic.
        who = title if italic else quoted(title, single=True)
    parts = [who, _year(work)] + ([PARA.format(locator)] if locator else [])
    return Citation("harvard", ref.plain(), ref.html(), f"({', '.join(parts)})", warnings=warnings)
