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
}

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
    elif entry_type in ("incollection", "inproceedings"):
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
        fields += [("institution", publisher), ("type", _text(item, "genre"))]
    elif publisher:
        fields.append(("publisher", publisher))
    page = _text(item, "page")
    fields += [
        ("location", _text(item, "publisher-place")),
        ("date", _iso_date(item.get("issued"))),
        ("volume", _text(item, "volume")),
        ("number", _text(item, "issue") or _text(item, "number")),
        ("edition", _text(item, "edition")),
        ("pages", re.sub(r"\s*[-–—]+\s*", "--", page) if page else None),
        ("isbn", _text(item, "ISBN")),
        ("issn", _text(item, "ISSN")),
        ("doi", verbatim_url(item["DOI"]) if item.get("DOI") else None),
        ("url", verbatim_url(item["URL"]) if item.get("URL") else None),
        ("urldate", _iso_date(item.get("accessed"))),
        ("note", _text(item, "note")),
    ]
    return entry_type, [(name, value) for name, value in fields if value]
