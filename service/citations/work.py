"""A CSL-JSON item read once into the fields the built-in styles use.

Only what the item states is kept; an absent field stays ``""``/None and
each style decides how to show its absence ("n.d.", "no date", nothing).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from pinpoint.index.bibliography.csl_to_bibtex import bare_doi
from pinpoint.index.bibliography.dates import PartialDate, parse_date
from pinpoint.service.citations.errors import InvalidCitationData
from pinpoint.index.bibliography.names import Name, parse_names

KINDS = {
    "webpage", "post-weblog", "report", "article-journal", "book", "chapter",
    "article-newspaper", "article-magazine", "thesis", "paper-conference",
}
# CSL types written like one of the kinds above: a "post" is a web post, an
# encyclopedia or dictionary entry is a part of a larger work.
SAME_AS = {"post": "post-weblog", "entry-encyclopedia": "chapter", "entry-dictionary": "chapter",
           "entry": "chapter"}
# Types with no rule of their own in the built-in styles are written in the
# styles' generic form for a stand-alone work (APA 7 9.1, CMOS 14.100, MLA 9 5.1:
# author, title, date, publisher, link) and say so: never silently as a web page.
GENERIC = "book"


@dataclass(frozen=True)
class Work:
    kind: str
    title: str
    authors: tuple[Name, ...]
    editors: tuple[Name, ...]
    translators: tuple[Name, ...]
    issued: PartialDate | None
    accessed: PartialDate | None
    container: str
    publisher: str
    place: str
    url: str
    doi: str
    volume: str
    issue: str
    page: str
    number: str
    genre: str
    series: str
    edition: str
    version: str = ""
    authority: str = ""  # the court of a legal case
    csl_type: str = ""
    year_suffix: str = ""  # "a", "b": two works that would be cited alike (APA 8.19, CMOS 15.19)
    first_initials: bool = False  # the first author shares a surname with another cited author (APA 8.20)
    title_in_text: bool = False  # MLA 9: another cited work has the same authors, so the title is cited too
    warnings: tuple[str, ...] = ()

    def year(self, no_date: str, joiner: str = "-") -> str:
        """The year as cited in text, with its disambiguating letter ("2020a", "n.d.-a", "no date a")."""
        if self.issued is None:
            return f"{no_date}{joiner}{self.year_suffix}" if self.year_suffix else no_date
        return f"{self.issued.year}{self.year_suffix}"

    @property
    def title_is_name(self) -> bool:
        """A program's title is its name, kept as its makers write it ("scikit-learn"; APA 7 10.10)."""
        return self.csl_type == "software"

    @property
    def edited_only(self) -> bool:
        """A work with editors and no author: the editors take the author slot (APA 9.10, CMOS 14.103, MLA 5.9, CTR)."""
        return not self.authors and bool(self.editors) and self.kind != "chapter"
    # Title words the source itself writes capitalised mid-sentence (names):
    # sentence case keeps them ("Russia and Syria", not "Russia and syria").
    # None: the source gave no text to judge by, so no capital is lowered.
    keep_case: frozenset[str] | None = None

    @property
    def doi_url(self) -> str:
        return f"https://doi.org/{self.doi}" if self.doi else ""

    @property
    def link(self) -> str:
        """DOI in its URL form when there is one (APA 7, Chicago 17, MLA 9), else the URL."""
        return self.doi_url or self.url

    @property
    def site(self) -> str:
        """The website or organisation a web page belongs to."""
        return self.container or self.publisher

    @property
    def is_periodical(self) -> bool:
        return self.kind in {"article-journal", "article-magazine", "article-newspaper", "post-weblog"}

    def author_is(self, organisation: str) -> bool:
        """True when the (sole) author is the named organisation: styles then omit the repeat."""
        return (len(self.authors) == 1 and self.authors[0].is_corporate
                and self.authors[0].literal.casefold() == organisation.casefold())


def _text(csl: dict[str, Any], key: str) -> str:
    value = csl.get(key)
    if value is None:
        return ""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    if not isinstance(value, str):
        raise InvalidCitationData(f"{key} must be a string, got {type(value).__name__}")
    return " ".join(value.split())


_APOSTROPHE = re.compile(r"(?<=\w)'(?=\w)")
# CSL-JSON rich text in titles (CSL 1.0.2 appendix "Rich text markup within fields"): a
# <span class="nocase"> keeps its words' casing; the other tags carry formatting the
# built-in styles do not reproduce, so only their text is kept.
_NOCASE = re.compile(r'<span class="nocase">(.*?)</span>', re.S)
_RICH_TAGS = re.compile(r'</?(?:i|b|sup|sub)>|<span style="font-variant:\s*small-caps;?">|</span>')
PROTECT_START, PROTECT_END = "\ue000", "\ue001"


def protected_words(text: str) -> str:
    """Marks every word of a nocase span so casing leaves it alone; ``unprotect`` removes the marks."""
    def mark(match: re.Match[str]) -> str:
        return " ".join(f"{PROTECT_START}{w}{PROTECT_END}" for w in match.group(1).split())
    return _RICH_TAGS.sub("", _NOCASE.sub(mark, text))


def unprotect(text: str) -> str:
    return text.replace(PROTECT_START, "").replace(PROTECT_END, "")


def _typographic(text: str) -> str:
    """A straight apostrophe inside a word becomes the typographic one (Thucydides’s), as typeset."""
    return _APOSTROPHE.sub("\u2019", text)


def read_work(csl: Any) -> Work:
    if not isinstance(csl, dict):
        raise InvalidCitationData(f"a citation needs a CSL-JSON object, got {type(csl).__name__}")
    csl_type = csl.get("type") if isinstance(csl.get("type"), str) else ""
    kind = SAME_AS.get(csl_type, csl_type)
    warnings: tuple[str, ...] = ()
    if kind not in KINDS:
        kind = "webpage" if not csl_type else GENERIC
        if csl_type:
            warnings = (f"type {csl_type!r} has no rule of its own in the built-in styles; "
                        "written in the style's generic form for a stand-alone work",)
    report_like = kind == "report"
    container = protected_words(_typographic(_text(csl, "container-title")))
    series = _text(csl, "collection-title") or (container if report_like else "")
    return Work(
        kind=kind,
        title=protected_words(_typographic(_text(csl, "title"))),
        authors=parse_names(csl.get("author"), "author"),
        editors=parse_names(csl.get("editor"), "editor"),
        translators=parse_names(csl.get("translator"), "translator"),
        issued=parse_date(csl.get("issued"), "issued"),
        accessed=parse_date(csl.get("accessed"), "accessed"),
        container="" if report_like else container,
        publisher=_text(csl, "publisher"),
        place=_text(csl, "publisher-place"),
        url=_text(csl, "URL"),
        doi=bare_doi(_text(csl, "DOI")),
        volume=_text(csl, "volume"),
        issue=_text(csl, "issue"),
        page=_text(csl, "page").replace("--", "\u2013").replace("-", "\u2013"),
        number=_text(csl, "number") or _text(csl, "collection-number"),
        genre=_typographic(_text(csl, "genre")),
        series=series,
        edition=_text(csl, "edition"),
        version=_text(csl, "version"),
        authority=_text(csl, "authority"),
        csl_type=csl_type,
        warnings=warnings,
        keep_case=(frozenset(w for w in csl["_proper_nouns"] or () if isinstance(w, str))
                   if "_proper_nouns" in csl else None),
    )
