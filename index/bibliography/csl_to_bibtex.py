"""CSL-JSON items -> biblatex entry types and field values (already LaTeX).

Every value this module returns is safe to put between braces: text is
escaped (so braces always balance), URLs and DOIs are verbatim with only the
characters that would break a verbatim field percent-encoded.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import quote

from pinpoint.index.bibliography.latex import escape_latex, protect_title

_ENTRY_TYPE_BY_CSL_TYPE = {
    "webpage": "online",
    "post-weblog": "online",
    "post": "online",
    "report": "report",
    "article-journal": "article",
    "article-magazine": "article",
    "article-newspaper": "article",
    "article": "article",
    "book": "book",
    "chapter": "incollection",
    "paper-conference": "inproceedings",
    "thesis": "thesis",
    "manuscript": "unpublished",
    "dataset": "dataset",
    "software": "software",
    "patent": "patent",
    "pamphlet": "booklet",
    # biblatex's "article in a work of reference", a variant of @incollection.
    "entry-encyclopedia": "inreference",
    "entry-dictionary": "inreference",
    # Types in biblatex's default data model that the standard styles print as @misc.
    "standard": "standard",
    "legal_case": "jurisdiction",
}

# biblatex has one @article for every periodical; `entrysubtype` names the kind,
# as biblatex-chicago and biblatex-apa read it, so a magazine or newspaper article
# keeps the form its style gives it.
_ARTICLE_SUBTYPE_BY_CSL_TYPE = {"article-magazine": "magazine", "article-newspaper": "newspaper"}

# The entry types whose fields include `type` (the genre) in biblatex's data model (blx-dm.def).
_TYPES_WITH_TYPE_FIELD = frozenset(
    "booklet dataset manual misc software patent report thesis unpublished".split()
)

# ... and those with `series` (@report and @thesis have none: their series is lost).
_TYPES_WITH_SERIES = frozenset(
    "article book inbook incollection inreference dataset manual inproceedings unpublished".split()
)

_DOI_RESOLVER = re.compile(r"^(https?://(dx\.)?doi\.org/|doi:\s*)", re.I)


def bare_doi(text: str) -> str:
    """A DOI without the resolver URL or ``doi:`` prefix it is often given with."""
    return _DOI_RESOLVER.sub("", text.strip())

def _name_part(text: Any) -> str:
    text = escape_latex(str(text))
    # Commas, a word "and", several words or a lowercase start would each be
    # read as name structure by biber; braces keep the part whole.
    if "," in text or " " in text or re.search(r"\band\b", text, re.I) or text[:1].islower():
        return "{" + text + "}"
    return text


def bibtex_name(name: Any) -> str | None:
    """A CSL name -> "von Last, Jr, First" or a braced corporate name."""
    if not isinstance(name, dict):
        return None
    if name.get("literal"):
        return "{" + escape_latex(str(name["literal"])) + "}"
    family = str(name.get("family") or "").strip()
    given = str(name.get("given") or "").strip()
    if not family:
        return "{" + escape_latex(given) + "}" if given else None
    particle = str(name.get("non-dropping-particle") or name.get("dropping-particle") or "")
    last = _name_part(family)
    if particle.strip():
        last = " ".join(escape_latex(word) for word in particle.split()) + " " + last
    parts = [last]
    if name.get("suffix"):
        parts.append(_name_part(name["suffix"]))
    if given or name.get("suffix"):
        parts.append(" ".join(_name_part(word) for word in given.split()))
    return ", ".join(parts)


def _names(names: Any) -> str | None:
    written = [bibtex_name(name) for name in names or [] if name]
    written = [name for name in written if name]
    return " and ".join(written) if written else None


def _iso_date(value: Any) -> str | None:
    try:
        ranges = value["date-parts"]
        written = []
        for parts in ranges[:2]:
            numbers = [int(part) for part in parts[:3]]
            if not numbers or not 0 < numbers[0] < 10000:
                return None
            written.append("-".join([f"{numbers[0]:04d}"] + [f"{n:02d}" for n in numbers[1:]]))
    except (KeyError, IndexError, TypeError, ValueError):
        return None
    return "/".join(written) if written else None


def verbatim_url(url: Any) -> str:
    """Percent-encode only what would break a verbatim field (braces, spaces, backslashes)."""
    return quote(str(url).strip(), safe="!#$%&'()*+,-./:;=?@[]_~")


def _text(item: dict, key: str) -> str | None:
    value = item.get(key)
    if value is None or isinstance(value, (dict, list)):
        return None
    text = str(value).strip()
    return escape_latex(text) if text else None


def csl_to_fields(item: dict) -> tuple[str, list[tuple[str, str]]]:
    """A CSL-JSON item -> (biblatex entry type, [(field, BibTeX value)])."""
    csl_type = str(item.get("type") or "")
    entry_type = _ENTRY_TYPE_BY_CSL_TYPE.get(csl_type, "misc")
    fields: list[tuple[str, str | None]] = [
        ("author", _names(item.get("author"))),
        ("editor", _names(item.get("editor"))),
        ("translator", _names(item.get("translator"))),
        ("title", protect_title(item["title"]) if item.get("title") else None),
    ]
    container = _text(item, "container-title")
    publisher = _text(item, "publisher")
    if entry_type == "article":
        fields.append(("journaltitle", container))
        fields.append(("entrysubtype", _ARTICLE_SUBTYPE_BY_CSL_TYPE.get(csl_type)))
    elif entry_type in ("incollection", "inproceedings", "inreference"):
        fields.append(("booktitle", container))
    elif entry_type == "online":
        # @online has no container field: the site's name goes where biblatex
        # prints the responsible body.
        fields.append(("organization", publisher or container))
        if publisher and container and container != publisher:
            fields.append(("titleaddon", container))
        publisher = None
    elif container:
        fields.append(("howpublished", container))
    if entry_type in ("report", "thesis"):
        fields.append(("institution", publisher))
    elif publisher:
        fields.append(("publisher", publisher))
    if entry_type in _TYPES_WITH_TYPE_FIELD:
        fields.append(("type", _text(item, "genre")))
    page = _text(item, "page")
    fields += [
        ("location", _text(item, "publisher-place")),
        ("date", _iso_date(item.get("issued"))),
        ("volume", _text(item, "volume")),
        # An article's own number (PLOS's e0229876) is biblatex's eid; its issue is `number`.
        ("number", _text(item, "issue") or (None if entry_type == "article" else _text(item, "number"))),
        ("eid", _text(item, "number") if entry_type == "article" else None),
        ("series", _text(item, "collection-title") if entry_type in _TYPES_WITH_SERIES else None),
        ("edition", _text(item, "edition")),
        ("pages", re.sub(r"\s*[-–—]+\s*", "--", page) if page else None),
        ("isbn", _text(item, "ISBN")),
        ("issn", _text(item, "ISSN")),
        # biblatex prints the resolver before `doi` itself: a resolver URL here would print twice.
        ("doi", verbatim_url(bare_doi(str(item["DOI"]))) if item.get("DOI") else None),
        ("url", verbatim_url(item["URL"]) if item.get("URL") else None),
        ("urldate", _iso_date(item.get("accessed"))),
        ("note", _text(item, "note")),
    ]
    return entry_type, [(name, value) for name, value in fields if value]
