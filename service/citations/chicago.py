"""Chicago Manual of Style, 17th edition: author-date (ch. 15) and notes-bibliography (ch. 14).

Names: bibliography inverts only the first author ("Xu, Beina, and Jan
Smith"); a non-dropping particle moves after the given name when inverted
("Berg, Jan van der"), as the CSL Chicago styles do.  Up to ten authors are
listed, eleven or more give the first seven and "et al." (14.76, 15.9).
Author-date text: up to three surnames, four or more "First et al." (15.29);
notes follow the same three/four rule.  Titles in headline style (8.159).
Web pages with no date of publication take "Accessed ..." when the item
states an access date (14.233) and nothing otherwise; other works use "n.d.".
"""

from __future__ import annotations

from dataclasses import replace

from pinpoint.service.citations import legal
from pinpoint.service.citations.casing import title_case
from pinpoint.service.citations.citation import Citation
from pinpoint.service.citations.editions import edition
from pinpoint.service.citations.locators import PAGE, PAR, Locator, condensed_pages
from pinpoint.service.citations.markup import Styled, quoted
from pinpoint.service.citations.work import Work
from pinpoint.index.bibliography import names

ITALIC_TITLE_KINDS = {"book", "report"}
FULL_DATE_KINDS = {"webpage", "post-weblog", "article-newspaper", "article-magazine"}
SHORT_TITLE_WORDS = 4


def _natural(name: names.Name, given: str | None = None) -> str:
    """Given name first, "Jr." without a comma (CMOS 17 6.43)."""
    text = names.natural(replace(name, suffix=""), name.given if given is None else given)
    return f"{text} {name.suffix}" if name.suffix and not name.literal else text


def _bibliography_authors(authors: tuple[names.Name, ...]) -> str:
    return names.listed(
        authors,
        lambda i, n: names.inverted(n, n.given, demote_particle=True) if i == 0 else _natural(n),
        conjunction="and", serial_comma=True, pair_comma=True, et_al_min=11, use_first=7,
    )


def _note_authors(authors: tuple[names.Name, ...]) -> str:
    if len(authors) >= 4:
        return f"{_natural(authors[0])} et al."
    return names.join([_natural(n) for n in authors], "and", serial_comma=True)


def _short_names(authors: tuple[names.Name, ...]) -> str:
    return names.surnames_in_text(authors, et_al_min=4, conjunction="and", serial_comma=True)


def _site_as_author(work: Work) -> bool:
    """CMOS 14.207, 15.51: a web page with no author is listed under the site that publishes it;
    14.198: an unsigned newspaper or magazine article under the paper's name."""
    kinds = {"webpage", "article-newspaper", "article-magazine"}
    return not work.authors and not work.editors and work.kind in kinds and bool(work.container)


def _creators(work: Work) -> tuple[names.Name, ...]:
    """Authors, or an edited book's editors in their place (CMOS 14.103, 15.8)."""
    if _site_as_author(work):
        return (names.Name(literal=work.container),)
    return work.authors or (work.editors if work.edited_only else ())


def _editor_label(work: Work) -> str:
    return "" if work.authors or not work.edited_only else (", eds." if len(work.editors) > 1 else ", ed.")


def _italic_title(work: Work) -> bool:
    """Books and reports are italic; a data set's title is quoted, as the CMOS 17 CSL styles do."""
    return work.kind in ITALIC_TITLE_KINDS and work.csl_type != "dataset"


def _volume_in_locator(work: Work, locator: Locator | None) -> bool:
    """CMOS 14.121: a page of one volume of a multivolume book is cited "1:157"."""
    return bool(locator and locator.kind == PAGE and work.volume and work.kind == "book")


def _book_extras(work: Work, in_note: bool, volume: bool = True) -> list[str]:
    """Translators, edition, volume between title and publication facts (CMOS 14.104, 14.112, 14.121)."""
    out = []
    if work.translators:
        who = names.join([_natural(n) for n in work.translators], "and", serial_comma=True)
        out.append(f"{'trans.' if in_note else 'Translated by'} {who}")
    ed = edition(work.edition, "ed.")
    if ed:
        out.append(ed)
    if work.version:
        out.append(f"{'v.' if in_note else 'V.'} {work.version}")  # a program's version, as the CSL style abbreviates it
    if work.volume and work.kind == "book" and volume:
        out.append(f"{'vol.' if in_note else 'Vol.'} {work.volume}")
    return out


def _number(work: Work) -> str:
    """A numbered web page or issue ("No. 230") that is not a report."""
    return f"no. {work.number}" if work.number and work.kind == "webpage" else ""


def _year(work: Work) -> str:
    return work.year("n.d.")


def _web_date(work: Work, in_note: bool = True) -> str:
    """The date a web page or periodical piece shows, or its access date when undated."""
    if work.issued and work.issued.month is not None:
        return work.issued.month_day_year()
    if work.issued is None and work.accessed and work.kind in FULL_DATE_KINDS:
        return f"{'accessed' if in_note else 'Accessed'} {work.accessed.month_day_year()}"
    return ""


def _title(work: Work, sep: str, styled: Styled) -> None:
    title = title_case(work.title) if work.title else ""
    if not title:
        return
    if _italic_title(work):
        # CMOS 6.119: a title ending in "?" or "!" takes no further period or comma ("Trap? Boston").
        styled.italic(title).add("" if sep in (".", ",") and title.endswith(("?", "!")) else sep)
    else:
        styled.add(quoted(title, sep))


def short_title(title: str) -> tuple[str, bool]:
    """CMOS 17 14.33 (short form for titles of works; 14.30 the short form): the main title less an initial article, at most four words.

    A longer main title is not cut (a rule cannot choose the key words CMOS
    asks for); the flag says it is longer than four words.
    """
    main = title_case(title.split(":")[0].strip())
    words = main.split()
    if len(words) > 1 and words[0].lower() in {"a", "an", "the"}:
        words = words[1:]
    # A longer main title is kept whole: cutting it by rule severs phrases
    # ("Japan's Leader Visits Pearl"); the flag asks the user for key words.
    return " ".join(words).rstrip(",;"), len(words) > SHORT_TITLE_WORDS


def _publication(work: Work, date: str) -> str:
    """"Place: Publisher, 2014" / "Publisher" — each part only when stated."""
    pub = f"{work.place}: {work.publisher}" if work.place and work.publisher else (work.publisher or work.place)
    return ", ".join(p for p in (pub, date) if p)


def _periodical(work: Work, styled: Styled, mode: str) -> None:
    styled.italic(title_case(work.container))
    if work.kind == "article-journal":
        if work.volume:
            styled.add(f" {work.volume}")
        if work.issue:
            styled.add(f", no. {work.issue}")
        if mode != "ad":
            # CMOS 14.171: the month or season is given with the year when the journal states it.
            month = work.issued.month_day_year().split(" ")[0] if work.issued and work.issued.month else ""
            styled.add(f" ({month + ' ' if month else ''}{_year(work)})")
        if work.page and mode != "note":
            styled.add(f": {condensed_pages(work.page)}")
        elif work.number and mode != "note":
            styled.add(f": {work.number}")  # an article number stands where the pages would (CMOS 14.174)
    else:
        # CMOS 15.49: a magazine or newspaper is located by its date, repeated after the name in
        # the reference list even when it is only a year.
        date = _web_date(work) or (str(work.issued.year) if work.issued else "")
        styled.add(f", {date}" if date else "")


def _body(work: Work, mode: str, volume: bool = True, accessed: bool = True) -> Styled:
    """Title onwards.  ``mode``: "bib" (bibliography, periods), "note" (commas,
    publication facts in parentheses) or "ad" (author-date: the year is already
    up front, so it is not repeated after the publisher or volume)."""
    in_note = mode == "note"
    s = Styled()
    bare_note_title = in_note and (work.kind == "thesis" or _italic_title(work) and not (
        work.series or work.number or _book_extras(work, in_note, volume)))
    _title(work, "" if bare_note_title else "," if in_note else ".", s)
    year = "" if mode == "ad" else _year(work)
    if work.kind in {"chapter", "paper-conference"}:
        # CMOS 17 14.217: a paper in published proceedings is cited like a chapter in a book.
        s.add(" in " if in_note else " In ").italic(title_case(work.container))
        if work.kind == "paper-conference" and work.volume:
            s.add(f", vol. {work.volume}")
        if work.edition:
            s.add(", " + edition(work.edition, "ed."))  # the edition of the book the chapter is in
        if work.editors:
            eds = names.join([_natural(n) for n in work.editors], "and", serial_comma=True)
            both = work.translators == work.editors  # CMOS 14.104: "edited and translated by"
            label = ("ed. and trans." if both else "ed.") if in_note else (
                "edited and translated by" if both else "edited by")
            s.add(f", {label} {eds}")
        if work.page and not in_note:
            s.add(f", {condensed_pages(work.page)}")
        pub = _publication(work, year)
        s.add(f" ({pub})" if in_note else f". {pub}" if pub else "")
    elif work.is_periodical and work.container:
        s.add(" ")
        if _site_as_author(work) and not in_note:
            s.add(_web_date(work) or "")  # the paper is already the author (CMOS 14.198)
        else:
            _periodical(work, s, mode)
    elif work.kind == "thesis":
        facts = ", ".join(p for p in (work.genre, work.publisher, year) if p)
        if facts:
            s.add(f" ({facts})" if in_note else f" {facts}")
    elif work.csl_type == "dataset":
        facts = ", ".join(p for p in (work.publisher, year) if p)
        if facts:
            s.add(f", {facts}" if in_note else f" {facts}.")
    elif work.kind in {"book", "report"}:
        extras = _book_extras(work, in_note, volume)
        if extras and in_note:
            s.add(", " + ", ".join(extras))
        elif extras:
            s.add(" " + " ".join(e if e.endswith(".") else e + "." for e in extras))
        number_label = "no." if in_note else "No."
        # A designation with letters ("ISO 690:2021", "RR-2350") is printed as given.
        designation = work.number if not work.genre and not work.number.isdigit() else ""
        series = f"{work.series}, no. {work.number}" if work.series and work.number else (
            designation or f"{work.genre or 'Report'} {number_label} {work.number}" if work.number else work.series)
        if series:
            s.add(f" {series}" if in_note else f" {series}.")
        pub = _publication(work, year)
        if pub:
            s.add(f" ({pub})" if in_note else f" {pub}")
    else:
        # CMOS 14.84: an organisation that is also the publisher is named again as publisher.
        site = "" if _site_as_author(work) and not in_note else work.site
        date = _web_date(work, in_note) or (str(work.issued.year) if work.issued and mode != "ad" else "")
        if mode == "ad" and work.issued and date.endswith(f", {work.issued.year}"):
            date = date[: -len(f", {work.issued.year}")]  # the year is already up front (15.51)
        access = date if work.issued is None else ""
        published = ", ".join(p for p in (site, "" if access else date) if p)
        # CMOS 14.206: a description of the page ("Backgrounder") follows its title when the source gives one.
        genre = work.genre if work.kind in {"webpage", "post-weblog"} else ""
        parts = [p for p in (genre, _number(work) if in_note else _number(work).capitalize(), published,
                             access if accessed else "") if p]
        if parts:
            # Notes run on with commas; bibliography and reference list use sentences (14.206, 15.51).
            s.add(" " + (", " if in_note else ". ").join(parts))
    return s


def _with_link(s: Styled, work: Work, sep: str) -> Styled:
    if work.link:
        s.end(sep) if sep == "," else s.end()
        s.add(" " + work.link)
    return s.end()


def _add_creators(ref: Styled, work: Work) -> None:
    """The author slot; a newspaper or magazine standing in for its unsigned article is italic (14.198)."""
    if _site_as_author(work) and work.kind != "webpage":
        ref.italic(title_case(work.container)).end()
    else:
        ref.add(_bibliography_authors(_creators(work)) + _editor_label(work)).end()


def bibliography(work: Work) -> Styled:
    ref = Styled()
    if _creators(work):
        _add_creators(ref, work)
        ref.add(" ")
    return _with_link(ref.extend(_body(work, "bib")), work, ".")


def render_author_date(work: Work, locator: Locator | None) -> Citation:
    if legal.is_court_decision(work):
        # CMOS 17 defers to The Bluebook for legal citations: the case name in roman, court and date.
        ref = Styled().add(legal.reference(work))
        cite = " ".join(p for p in (work.title, _year(work)) if p)
        cite += f", {legal.CHICAGO_LOCATOR.format(locator)}" if locator else ""
        return Citation("chicago-author-date", ref.plain(), ref.html(), f"({cite})")
    ref = Styled()
    if _creators(work):
        _add_creators(ref, work)
        ref.add(f" {_year(work)}").end().add(" ")
        ref.extend(_body(work, "ad"))
    else:
        # CMOS 15.32: a work without an author is listed under its title, then the year.
        _title(work, ".", ref)
        ref.add(f" {_year(work)}").end()
        ref.extend(_body(replace(work, title=""), "ad"))
    _with_link(ref, work, ".")
    who = _short_names(_creators(work)) if _creators(work) else quoted(short_title(work.title)[0])
    if work.first_initials and _creators(work):
        who = names.with_first_initials(who, _creators(work)[0])  # CMOS 17 15.21
    # CMOS 15.50: "n.d." is set off by a comma ("Smith, n.d."), a year is not.
    cite = f"{who}{',' if work.issued is None else ''} {_year(work)}" + (f", {PAR.format(locator)}" if locator else "")
    return Citation("chicago-author-date", ref.plain(), ref.html(), f"({cite})")


def render_notes(work: Work, locator: Locator | None) -> Citation:
    if legal.is_court_decision(work):
        # A full note is the Bluebook citation; a short one the case name (CMOS 17 legal citations).
        where = f", {legal.CHICAGO_LOCATOR.format(locator)}" if locator else ""
        full = legal.reference(work)
        note = Styled().add(full[:-1] + where).end()
        short = Styled().add(work.title + where).end()
        ref = Styled().add(full)
        return Citation("chicago-notes", ref.plain(), ref.html(), short.plain(), note.plain(), note.html())
    note = Styled()
    # CMOS 14.207: a note for a web page with no author starts with its title (the site follows).
    creators = () if _site_as_author(work) else _creators(work)
    if creators:
        note.add(_note_authors(creators) + _editor_label(work) + ", ")
    in_volume = _volume_in_locator(work, locator)
    where = f"{work.volume}:{PAR.format(locator)}" if in_volume else PAR.format(locator) if locator else ""
    note.extend(_body(work, "note", volume=not in_volume, accessed=locator is None))
    if locator:
        # CMOS 14.171: a journal note gives the cited page after a colon, in place of the page range.
        journal = work.kind == "article-journal" and work.container
        note.add(f"{':' if journal else ','} {where}")
        if journal and work.number and not work.page:
            note.add(f", {work.number}")  # the article number still identifies the article (CMOS 14.174)
        # CMOS 14.233: an access date stands just before the URL, after the cited page.
        access = _web_date(work) if work.issued is None else ""
        note.add(f", {access}" if access else "")
    if work.link:
        note.add(f", {work.link}")
    note.end()
    short = Styled()
    if _creators(work):
        short.add(_short_names(_creators(work)) + ", ")
    st, cut = short_title(work.title) if work.title else ("", False)
    warnings = ((f"short title '{st}' is longer than four words (CMOS 14.33); shorten it to its key words",)
                if cut else ())
    if st:
        if _italic_title(work):
            short.italic(st)
        else:
            short.add(quoted(st, "," if locator else "."))
    if locator and work.volume and work.kind == "book" and not in_volume:
        where = f"vol. {work.volume}, {where}"
    if locator:
        short.add(("," if _italic_title(work) else "") + f" {where}")
    short.end()
    ref = bibliography(work)
    return Citation("chicago-notes", ref.plain(), ref.html(), short.plain(), note.plain(), note.html(),
                    warnings=warnings)
