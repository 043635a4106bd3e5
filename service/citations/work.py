"""A CSL-JSON item read once into the fields the built-in styles use.

Only what the item states is kept; an absent field stays ``""``/None and
each style decides how to show its absence ("n.d.", "no date", nothing).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pinpoint.index.bibliography.dates import PartialDate, parse_date
from pinpoint.service.citations.errors import InvalidCitationData
from pinpoint.index.bibliography.names import Name, parse_names

KINDS = {
    "webpage", "post-weblog", "report", "article-journal", "book", "chapter",
    "article-newspaper", "article-magazine",
}


@dataclass(frozen=True)
class Work:
    kind: str
    title: str
    authors: tuple[Name, ...]
    editors: tuple[Name, ...]
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


def _doi(raw: str) -> str:
    lowered = raw.lower()
    for prefix in ("https://doi.org/", "http://doi.org/", "https://dx.doi.org/", "http://dx.doi.org/", "doi:"):
        if lowered.startswith(prefix):
            return raw[len(prefix):].strip()
    return raw


def read_work(csl: Any) -> Work:
    if not isinstance(csl, dict):
        raise InvalidCitationData(f"a citation needs a CSL-JSON object, got {type(csl).__name__}")
    kind = csl.get("type") if csl.get("type") in KINDS else "webpage"
    report_like = kind == "report"
    container = _text(csl, "container-title")
    series = _text(csl, "collection-title") or (container if report_like else "")
    return Work(
        kind=kind,
        title=_text(csl, "title"),
        authors=parse_names(csl.get("author"), "author"),
        editors=parse_names(csl.get("editor"), "editor"),
        issued=parse_date(csl.get("issued"), "issued"),
        accessed=parse_date(csl.get("accessed"), "accessed"),
        container="" if report_like else container,
        publisher=_text(csl, "publisher"),
        place=_text(csl, "publisher-place"),
        url=_text(csl, "URL"),
        doi=_doi(_text(csl, "DOI")),
        volume=_text(csl, "volume"),
        issue=_text(csl, "issue"),
        page=_text(csl, "page").replace("--", "\u2013").replace("-", "\u2013"),
        number=_text(csl, "number") or _text(csl, "collection-number"),
        genre=_text(csl, "genre"),
        series=series,
        edition=_text(csl, "edition"),
    )
