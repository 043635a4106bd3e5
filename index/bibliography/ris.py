"""RIS export: the tagged format EndNote, Zotero, Mendeley and RefWorks import.

One ``TAG  - value`` per line, CRLF as the RIS specification asks, each record
closed by ``ER  -``.  Values are single lines: a newline inside metadata would
start a bogus tag.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from pinpoint.index.errors import InvalidCitationData

RIS_TYPE_BY_CSL_TYPE = {
    "webpage": "ELEC",
    "post": "ELEC",
    "post-weblog": "BLOG",
    "report": "RPRT",
    "article-journal": "JOUR",
    "article": "JOUR",
    "article-magazine": "MGZN",
    "article-newspaper": "NEWS",
    "book": "BOOK",
    "chapter": "CHAP",
    "paper-conference": "CPAPER",
    "thesis": "THES",
    "dataset": "DATA",
    "software": "COMP",
    "manuscript": "UNPB",
    "pamphlet": "PAMP",
    "patent": "PAT",
    "entry-encyclopedia": "ENCYC",
    "entry-dictionary": "DICT",
    "legal_case": "CASE",
    "standard": "STAND",
}

# The RIS specification's editor slot depends on the reference type: the secondary
# author (A2) is a chapter's or article's editor but a book's series editor, so a
# book's own editors are tertiary authors (A3), as Zotero and EndNote read them.
# ED is a legacy tag the current specification and most readers no longer know.
_EDITOR_TAG_BY_RIS_TYPE = {"BOOK": "A3"}


def _one_line(value: Any) -> str:
    return re.sub(r"\s+", " ", str(value)).strip()


def ris_name(name: Any) -> str | None:
    """"Family, Given, Suffix" (particles kept with the family name) or a corporate name."""
    if not isinstance(name, dict):
        return None
    if name.get("literal"):
        return _one_line(name["literal"])
    family = " ".join(
        _one_line(name[part])
        for part in ("non-dropping-particle", "family")
        if name.get(part)
    )
    given = " ".join(
        _one_line(name[part]) for part in ("given", "dropping-particle") if name.get(part)
    )
    parts = [part for part in (family, given, _one_line(name.get("suffix") or "")) if part]
    if not family:
        return given or None
    return ", ".join(parts)


def _date_parts(value: Any) -> list[int] | None:
    try:
        return [int(part) for part in value["date-parts"][0][:3]]
    except (KeyError, IndexError, TypeError, ValueError):
        return None


def ris_date(parts: list[int]) -> str:
    """RIS dates are ``YYYY/MM/DD/`` with empty slots for what is not stated."""
    year, month, day = (parts + [None, None])[:3]
    return f"{year:04d}/" + (f"{month:02d}" if month else "") + "/" + (f"{day:02d}" if day else "") + "/"


def _record(item: dict[str, Any]) -> list[tuple[str, str]]:
    ris_type = RIS_TYPE_BY_CSL_TYPE.get(str(item.get("type")), "GEN")
    lines = [("TY", ris_type)]
    editor_tag = _EDITOR_TAG_BY_RIS_TYPE.get(ris_type, "A2")
    for role, tag in (("author", "AU"), ("editor", editor_tag), ("translator", "A4")):
        for name in item.get(role) or []:
            written = ris_name(name)
            if written:
                lines.append((tag, written))
    # T3, the tertiary title, is the series in every reference type.
    for key, tag in (("title", "TI"), ("container-title", "T2"), ("collection-title", "T3")):
        if item.get(key):
            lines.append((tag, _one_line(item[key])))
    issued = _date_parts(item.get("issued"))
    if issued:
        lines += [("PY", f"{issued[0]:04d}"), ("DA", ris_date(issued))]
    for key, tag in (
        ("publisher", "PB"),
        ("publisher-place", "CY"),
        ("volume", "VL"),
        ("issue", "IS"),
        ("edition", "ET"),
        # M3, "type of work": a thesis's degree, a report's or web page's kind.
        ("genre", "M3"),
        ("ISBN", "SN"),
        ("ISSN", "SN"),
        ("URL", "UR"),
        ("DOI", "DO"),
    ):
        if item.get(key) not in (None, ""):
            lines.append((tag, _one_line(item[key])))
    if ris_type == "RPRT" and item.get("number") not in (None, ""):
        lines.append(("SN", _one_line(item["number"])))  # the report number's tag for RPRT
    if item.get("page") not in (None, ""):
        first, *rest = re.split(r"\s*[-–—]+\s*", _one_line(item["page"]), maxsplit=1)
        lines.append(("SP", first))
        if rest and rest[0]:
            lines.append(("EP", rest[0]))
    accessed = _date_parts(item.get("accessed"))
    if accessed:
        lines.append(("Y2", ris_date(accessed)))
    if item.get("note"):
        lines.append(("N1", _one_line(item["note"])))
    if isinstance(item.get("_file"), str) and item["_file"].strip():
        lines.append(("L1", _one_line(item["_file"])))  # the file the record describes
    lines.append(("ER", ""))
    return lines


def to_ris(items: Sequence[dict]) -> str:
    """CSL-JSON items -> RIS records, in the items' order."""
    out = []
    for position, item in enumerate(items):
        if not isinstance(item, dict):
            raise InvalidCitationData(f"item {position} is not a CSL-JSON object")
        for tag, value in _record(item):
            out.append(f"{tag}  - {value}\r\n")
    return "".join(out)
