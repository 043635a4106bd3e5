"""What a PDF states about itself: XMP, then the Info dictionary, then a printed DOI.

Order (a ``.bib`` sidecar and the Zotero library come before all of this, in
``pinpoint.index.ingest.metadata.resolve``): XMP ``dc:title``/``dc:creator``/``prism:doi``,
then Info ``Title``/``Author``, then a DOI printed on the first pages (stored,
never looked up), then the title set in the largest type on page 1.

Producers fill Info with what they know of the *file*: "Microsoft Word -
draft3.docx", the file's own name, the account that made it.  Such titles are
treated as absent.  Creation and modification dates are the file's, not the
work's, so no year is taken from them; only XMP's publication dates count.
"""

from __future__ import annotations

import mmap
import re
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

from pinpoint.index.ingest.metadata import csl_date, parse_names

_XMP_START = b"<x:xmpmeta"
_XMP_END = b"</x:xmpmeta>"
# XMP packets may not exceed a few hundred KB in practice; a bound keeps a hostile file cheap.
_XMP_MAX = 1 << 20
_NS = {
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "dc": "http://purl.org/dc/elements/1.1/",
    "prism": "http://prismstandard.org/namespaces/basic/2.0/",
    "prism3": "http://prismstandard.org/namespaces/basic/3.0/",
    "prism21": "http://prismstandard.org/namespaces/basic/2.1/",
}
_DOI = re.compile(r"\b(10\.\d{4,9}/[^\s\"<>{}]+)", re.I)
_FILE_TITLE = re.compile(
    r"^(?:microsoft (?:word|powerpoint|excel)\s*-\s*.*|untitled(?:\s*\d*)?|document\d*|"
    r".*\.(?:docx?|odt|rtf|pdf|tex|dvi|indd|pages|txt|pptx?|xlsx?|ps|eps|qxd|p65|fm|html?))$", re.I)


def doi_in(text: str) -> str | None:
    found = _DOI.search(text)
    if not found:
        return None
    return found.group(1).rstrip(".,;:)]").strip()


def usable_title(title: Any, path: Path) -> str | None:
    if not isinstance(title, str):
        return None
    title = " ".join(title.split())
    if len(title) < 3 or _FILE_TITLE.match(title) or title.lower() in (path.stem.lower(), path.name.lower()):
        return None
    return title


def read_xmp(path: Path) -> dict[str, Any]:
    """dc:title, dc:creator, prism:doi and a publication date from the file's XMP packet."""
    try:
        with open(path, "rb") as f, mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ) as data:
            start = data.find(_XMP_START)
            if start < 0:
                return {}
            end = data.find(_XMP_END, start, start + _XMP_MAX)
            if end < 0:
                return {}
            packet = data[start:end + len(_XMP_END)]
    except (OSError, ValueError):
        return {}
    try:
        root = ET.fromstring(packet)
    except ET.ParseError:
        return {}
    found: dict[str, Any] = {}
    title = _alt_or_text(root, "dc:title")
    if title:
        found["title"] = title
    creators = [li.text.strip() for li in root.iterfind(".//dc:creator//rdf:li", _NS) if li.text and li.text.strip()]
    if creators:
        found["author"] = creators
    for prefix in ("prism", "prism21", "prism3"):
        doi = _alt_or_text(root, f"{prefix}:doi")
        if doi:
            found["DOI"] = doi_in(doi) or doi
        date = _alt_or_text(root, f"{prefix}:publicationDate") or _alt_or_text(root, f"{prefix}:coverDate")
        if date:
            found["issued"] = date
    return found


def _alt_or_text(root: ET.Element, tag: str) -> str | None:
    for element in root.iter(f"{{{_NS[tag.split(':')[0]]}}}{tag.split(':')[1]}"):
        items = [li.text.strip() for li in element.iterfind(".//rdf:li", _NS) if li.text and li.text.strip()]
        if items:
            return items[0]
        if element.text and element.text.strip():
            return element.text.strip()
    # Some writers put simple properties as attributes of rdf:Description.
    key = f"{{{_NS[tag.split(':')[0]]}}}{tag.split(':')[1]}"
    for description in root.iter(f"{{{_NS['rdf']}}}Description"):
        if description.get(key):
            return description.get(key).strip()
    return None


def pdf_csl(path: Path, info: dict[str, Any], first_pages_text: str, largest_title: str | None) -> dict[str, Any]:
    """The CSL fields the file states, each from the first place in the order that has it."""
    xmp = read_xmp(path)
    csl: dict[str, Any] = {}
    title = usable_title(xmp.get("title"), path) or usable_title(info.get("Title"), path) or largest_title
    if title:
        csl["title"] = title
    names = []
    for creator in xmp.get("author") or []:
        names.extend(parse_names(creator))
    if not names and isinstance(info.get("Author"), str):
        names = [n for n in parse_names(info["Author"]) if _looks_like_person(n)]
    if names:
        csl["author"] = names
    issued = csl_date(xmp.get("issued")) if xmp.get("issued") else None
    if issued:
        csl["issued"] = issued
    doi = xmp.get("DOI") or doi_in(info.get("Subject") or "") or doi_in(first_pages_text)
    if doi:
        csl["DOI"] = doi
    return csl


def _looks_like_person(name: dict[str, str]) -> bool:
    # Info's Author is often a login ("jsmith", "user"); a name needs a given and a family part.
    return "literal" not in name and bool(name.get("given")) and bool(name.get("family"))
