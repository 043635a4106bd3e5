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

from pinpoint.service.citations import names
from pinpoint.service.citations.casing import FUNCTION_WORDS, title_case
from pinpoint.service.citations.citation import Citation
from pinpoint.service.citations.editions import edition
from pinpoint.service.citations.locators import PAR, Locator, condensed_pages
from pinpoint.service.citations.markup import Styled, quoted
from pinpoint.service.citations.work import Work

ITALIC_TITLE_KINDS = {"book", "report"}
FULL_DATE_KINDS = {"webpage", "post-weblog", "article-newspaper", "article-magazine"}
SHORT_TITLE_WORDS = 4


def _bibliography_authors(authors: tuple[names.Name, ...]) -> str:
    return names.listed(
        authors,
        lambda i, n: names.inverted(n, n.given, demote_particle=True) if i == 0 else names.natural(n, n.given),
        conjunction="and", serial_comma=True, pair_comma=True, et_al_min=11, use_first=7,
    )


def _note_authors(authors: tuple[names.Name, ...]) -> str:
    if len(authors) >= 4:
        return f"{names.natural(authors[0], authors[0].given)} et al."
    return names.join([names.natural(n, n.given) for n in authors], "and", serial_comma=True)


def _short_names(authors: tuple[names.Name, ...]) -> str:
    return names.surnames_in_text(authors, et_al_min=4, conjunction="and", serial_comma=True)


def _creators(work: Work) -> tuple[names.Name, ...]:
    """Authors, or an edited book's editors in their place (CMOS 14.103, 15.8)."""
    return work.authors or (work.editors if work.edited_only else ())


def _editor_label(work: Work) -> str:
    return "" if work.authors or not work.edited_only else (", eds." if len(work.editors) > 1 else ", ed.")


def _book_extras(work: Work, in_note: bool) -> list[str]:
    """Translators, edition, volume between title and publication facts (CMOS 14.104, 14.112, 14.121)."""
    out = []
    if work.translators:
        who = names.join([names.natural(n, n.given) for n in work.translators], "and", serial_comma=True)
        out.append(f"{'trans.' if in_note else 'Translated by'} {who}")
    ed = edition(work.edition, "ed.")
    if ed:
        out.append(ed)
    if work.volume and work.kind == "book":
        out.append(f"{'vol.' if in_note else 'Vol.'} {work.volume}")
    return out


def _number(work: Work) -> str:
    """A numbered web page or issue ("No. 230") that is not a report."""
    return f"no. {work.number}" if work.number and work.kind == "webpage" else ""


def _year(work: Work) -> str:
    return str(work.issued.year) if work.issued else "n.d."


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
    if work.kind in ITALIC_TITLE_KINDS:
        styled.italic(title).add(sep)
    else:
        styled.add(quoted(title, sep))


def short_title(title: str) -> tuple[str, bool]:
    """CMOS 14.30: the main title less an initial article, at most four words.

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
    else:
        date = _web_date(work) or (str(work.issued.year) if work.issued and mode != "ad" else "")
        styled.add(f", {date}" if date else "")


def _body(work: Work, mode: str) -> Styled:
    """Title onwards.  ``mode``: "bib" (bibliography, periods), "note" (commas,
    publication facts in parentheses) or "ad" (author-date: the year is already
    up front, so it is not repeated after the publisher or volume)."""
    in_note = mode == "note"
    s = Styled()
    bare_note_title = in_note and (work.kind == "thesis" or work.kind in ITALIC_TITLE_KINDS and not (
        work.series or work.number or _book_extras(work, in_note)))
    _title(work, "" if bare_note_title else "," if in_note else ".", s)
    year = "" if mode == "ad" else _year(work)
    if work.kind == "chapter":
        s.add(" in " if in_note else " In ").italic(title_case(work.container))
        if work.editors:
            eds = names.join([names.natural(n, n.given) for n in work.editors], "and", serial_comma=True)
            s.add(f", {'ed.' if in_note else 'edited by'} {eds}")
        if work.page and not in_note:
            s.add(f", {condensed_pages(work.page)}")
        pub = _publication(work, year)
        s.add(f" ({pub})" if in_note else f". {pub}" if pub else "")
    elif work.is_periodical and work.container:
        s.add(" ")
        _periodical(work, s, mode)
    elif work.kind == "thesis":
        facts = ", ".join(p for p in (work.genre, work.publisher, year) if p)
        if facts:
            s.add(f" ({facts})" if in_note else f" {facts}")
    elif work.kind in {"book", "report"}:
        extras = _book_extras(work, in_note)
        if extras and in_note:
            s.add(", " + ", ".join(extras))
        elif extras:
            s.add(" " + " ".join(e if e.endswith(".") else e + "." for e in extras))
        number_label = "no." if in_note else "No."
        series = f"{work.series}, no. {work.number}" if work.series and work.number else (
            f"{work.genre or 'Report'} {number_label} {work.number}" if work.number else work.series)
        if series:
            s.add(f" {series}" if in_note else f" {series}.")
        pub = _publication(work, year)
        if pub:
            s.add(f" ({pub})" if in_note else f" {pub}")
    else:
        site = "" if work.author_is(work.site) else work.site
        parts = [p for p in (_number(work) if in_note else _number(work).capitalize(), site,
                             _web_date(work, in_note)) if p]
        if parts:
            # Notes run on with commas; bibliography and reference list use sentences (14.206, 15.51).
            s.add(" " + (", " if in_note else ". ").join(parts))
    return s


def _with_link(s: Styled, work: Work, sep: str) -> Styled:
    if work.link:
        s.end(sep) if sep == "," else s.end()
        s.add(" " + work.link)
    return s.end()


def bibliography(work: Work) -> Styled:
    ref = Styled()
    if _creators(work):
        ref.add(_bibliography_authors(_creators(work)) + _editor_label(work)).end().add(" ")
    return _with_link(ref.extend(_body(work, "bib")), work, ".")


def render_author_date(work: Work, locator: Locator | None) -> Citation:
    ref = Styled()
    if _creators(work):
        ref.add(_bibliography_authors(_creators(work)) + _editor_label(work)).end()
        ref.add(f" {_year(work)}").end().add(" ")
        ref.extend(_body(work, "ad"))
    else:
        # CMOS 15.32: a work without an author is listed under its title, then the year.
        _title(work, ".", ref)
        ref.add(f" {_year(work)}").end()
        ref.extend(_body(replace(work, title=""), "ad"))
    _with_link(ref, work, ".")
    who = _short_names(_creators(work)) if _creators(work) else quoted(short_title(work.title)[0])
    # CMOS 15.50: "n.d." is set off by a comma ("Smith, n.d."), a year is not.
    cite = f"{who}{',' if work.issued is None else ''} {_year(work)}" + (f", {PAR.format(locator)}" if locator else "")
    return Citation("chicago-author-date", ref.plain(), ref.html(), f"({cite})")


def render_notes(work: Work, locator: Locator | None) -> Citation:
    note = Styled()
    if _creators(work):
        note.add(_note_authors(_creators(work)) + _editor_label(work) + ", ")
    note.extend(_body(work, "note"))
    if locator:
        # CMOS 14.171: a journal note gives the cited page after a colon, in place of the page range.
        journal = work.kind == "article-journal" and work.container
        note.add(f"{':' if journal else ','} {PAR.format(locator)}")
    if work.link:
        note.add(f", {work.link}")
    note.end()
    short = Styled()
    if _creators(work):
        short.add(_short_names(_creators(work)) + ", ")
    st, cut = short_title(work.title) if work.title else ("", False)
    warnings = (f"short title '{st}' is longer than four words (CMOS 14.30); shorten it to its key words",) if cut else ()
    if st:
        if work.kind in ITALIC_TITLE_KINDS:
            short.italic(st)
        else:
            short.add(quoted(st, "," if locator else "."))
    if locator:
        short.add(("," if work.kind in ITALIC_TITLE_KINDS else "") + f" {PAR.format(locator)}")
    short.end()
    ref = bibliography(work)
    return Citation("chicago-notes", ref.plain(), ref.html(), short.plain(), note.plain(), note.html(),
                    warnings=warnings)
