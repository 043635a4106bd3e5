"""Metadata: a CSL-JSON item for each source, from the best place that states it.

Priority: a BibTeX sidecar in the sources folder (what the researcher entered)
beats what the file states in a structured way (JSONL fields, HTML meta,
Markdown front matter), which beats what the text itself says (title line,
byline, dateline, closing author bio).  Nothing is ever guessed: a field
nobody states stays absent, so a missing date renders "n.d." downstream.
A wrong author is worse than none, so text-derived names must look like
personal names in a place where bylines and bios stand.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from pinpoint.index.bibliography.dates import month_number
from pinpoint.index.ingest.boilerplate import PERSONAL_NAME, furniture_kind
from pinpoint.index.ingest.bylines import ORGANISATION_WORDS, ROLE_WORDS
from pinpoint.index.records import CleanDocument, RawSource

logger = logging.getLogger(__name__)

# Words that mark a name as an organisation's rather than a person's.
_CORPORATE_WORDS = frozenset("""
forum center centre institute institution council university college association department
agency foundation press committee society organization organisation inc inc. ltd ltd. llc
group office bank ministry commission service services bureau company corporation corp
corp. board project network trust fund school library museum government staff team editors
editorial news times post journal review magazine
""".split())
_PARTICLES = frozenset("van von der den de del della di da du le la dos das ter ten".split())
_SUFFIXES = frozenset("jr jr. sr sr. ii iii iv".split())


def parse_names(text: str) -> list[dict[str, str]]:
    """Author text as stated ("A and B", "Xu, Beina", "Pacific Forum") into CSL names."""
    text = " ".join(text.split()).strip(" ,;")
    if not text:
        return []
    if ";" in text:
        pieces = text.split(";")
    elif re.search(r"\s+(?:and|&)\s+", text):
        pieces = re.split(r"\s*,\s*(?:and\s+|&\s+)?|\s+(?:and|&)\s+", text)
    elif text.count(",") >= 2 or (text.count(",") == 1 and len(text.split(",")[0].split()) > 1
                                  and len(text.split(",")[1].split()) > 1):
        pieces = text.split(",")  # "A B, C D": a list, not "Family, Given"
    else:
        pieces = [text]
    return [name for piece in pieces if (name := parse_name(piece))]


def parse_name(text: str) -> dict[str, str] | None:
    text = " ".join(text.split()).strip(" ,;")
    if not text:
        return None
    words = text.split()
    if len(words) == 1 or any(w.lower().strip(",") in _CORPORATE_WORDS for w in words):
        return {"literal": text}
    if "," in text:
        family, _, given = (part.strip() for part in text.partition(","))
        if given.lower() in _SUFFIXES:
            return None if not family else {"literal": text}
        name = {"family": family, "given": given} if given else {"literal": family}
        return name
    suffix = None
    if words[-1].lower().strip(",") in _SUFFIXES:
        suffix = words.pop().strip(",")
    family_start = len(words) - 1
    while family_start > 1 and words[family_start - 1].lower() in _PARTICLES:
        family_start -= 1
    name = {"family": " ".join(words[family_start:]), "given": " ".join(words[:family_start])}
    if suffix:
        name["suffix"] = suffix
    return name


_MONTH = r"(January|February|March|April|May|June|July|August|September|October|November|December" \
         r"|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept?|Oct|Nov|Dec)\.?"
_DATE_FORMS = (
    (re.compile(rf"^{_MONTH}\s+(\d{{1,2}}),?\s+(\d{{4}})\b", re.I), ("month", "day", "year")),
    (re.compile(rf"^(\d{{1,2}})\s+{_MONTH},?\s+(\d{{4}})\b", re.I), ("day", "month", "year")),
    (re.compile(rf"^{_MONTH},?\s+(\d{{4}})\b", re.I), ("month", "year")),
    (re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?!\d)"), ("year", "month", "day")),
    (re.compile(r"^(\d{4})-(\d{1,2})(?!\d)"), ("year", "month")),
    (re.compile(r"^(\d{4})\b"), ("year",)),
)


def parse_date_text(text: str) -> dict | None:
    """A date as pages write it ("July 1, 2014", "1 July 2014", "2014-07-01") -> CSL."""
    text = text.strip()
    for pattern, order in _DATE_FORMS:
        found = pattern.match(text)
        if not found:
            continue
        values = dict(zip(order, found.groups()))
        year = int(values["year"])
        month = month_number(values["month"]) if "month" in values else None
        day = int(values["day"]) if "day" in values else None
        parts = [year]
        if month and 1 <= month <= 12:
            parts.append(month)
            if day and 1 <= day <= 31:
                parts.append(day)
        return {"date-parts": [parts]}
    return None


def csl_date(value: Any) -> dict | None:
    """A stated date (text, a year as a number, or CSL already) as CSL; None if unreadable."""
    if isinstance(value, dict) and value.get("date-parts"):
        return value
    if isinstance(value, int) and not isinstance(value, bool) and 0 < value < 10000:
        return {"date-parts": [[value]]}
    if isinstance(value, str):
        return parse_date_text(value)
    return None


def csl_from_fields(fields: dict[str, Any]) -> dict[str, Any]:
    """Fields a file states (JSONL keys, HTML meta, front matter) as a CSL item.

    Only fields with a value are carried; unknown fields are ignored.
    """
    csl: dict[str, Any] = {}
    title = fields.get("title")
    if isinstance(title, str) and title.strip():
        csl["title"] = " ".join(title.split())
    author = fields.get("author")
    if isinstance(author, str):
        names = parse_names(author)
    elif isinstance(author, list):
        names = [n for a in author if isinstance(a, str) for n in parse_names(a)]
    else:
        names = []
    if names:
        csl["author"] = names
    issued = csl_date(fields.get("issued") or fields.get("date"))
    if issued:
        csl["issued"] = issued
    for key, csl_key in (("publisher", "publisher"), ("container-title", "container-title"),
                         ("url", "URL"), ("URL", "URL")):
        value = fields.get(key)
        if isinstance(value, str) and value.strip():
            csl[csl_key] = value.strip()
    return csl


def load_sidecars(roots: Iterable[Path], cache_dir: Path | None = None, fingerprint: str = "") -> dict[str, dict]:
    """Every ``*.bib`` in the roots: file name -> the CSL item of the entry naming it.

    Keys are the file's path relative to its root and its bare base name (as
    the ``file`` field usually holds only that).  The first entry found for a
    name wins, in sorted path order, so the result is stable; an unreadable
    ``.bib`` is logged and passed over rather than stopping a build, and so
    is one whose real path lies outside its root (a symlink leading out).

    With ``cache_dir``, each ``.bib`` is parsed once per content (and
    ``fingerprint``, the parsing code's): a 10,000-entry file took 17 s to
    parse on every build, no-op builds included.
    """
    from pinpoint.index.ingest.readers import bib_files

    sidecars: dict[str, dict] = {}
    used: set[str] = set()
    for root in roots:
        root = Path(root)
        if not root.is_dir():
            continue
        for bib in bib_files(root):
            items = _bib_items(bib, cache_dir, fingerprint, used)
            if items is None:
                continue
            folder = bib.parent.relative_to(root)
            for item in items:
                csl = {k: v for k, v in item.items() if k != "_file"}
                for name in item.get("_file") or ():
                    for key in ((folder / name).as_posix(), Path(name).name):
                        sidecars.setdefault(key, csl)
    if cache_dir is not None and Path(cache_dir).is_dir():
        for stale in Path(cache_dir).glob("*.json"):
            if stale.stem not in used:
                stale.unlink(missing_ok=True)
    return sidecars


def _bib_items(bib: Path, cache_dir: Path | None, fingerprint: str, used: set[str]) -> list[dict] | None:
    from pinpoint.index.bibliography.bibtex import BibtexError, read_bibtex_file

    cached = None
    if cache_dir is not None:
        try:
            digest = hashlib.sha256(fingerprint.encode() + bib.read_bytes()).hexdigest()
        except OSError:
            digest = None
        if digest is not None:
            used.add(digest)
            cached = Path(cache_dir) / f"{digest}.json"
            try:
                return json.loads(cached.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                pass
    try:
        items = read_bibtex_file(bib)
    except BibtexError as exc:
        logger.warning("sidecar %s not used: %s", bib, exc)
        return None
    if cached is not None:
        try:
            cached.parent.mkdir(parents=True, exist_ok=True)
            temp = cached.with_suffix(f".{os.getpid()}.tmp")
            temp.write_text(json.dumps(items), encoding="utf-8")
            os.replace(temp, cached)
        except (OSError, TypeError, ValueError):
            pass  # not cached: parsed again next time, nothing lost
    return items


def resolve(raw: RawSource, doc: CleanDocument, sidecar: dict | None) -> tuple[dict, str]:
    """The source's CSL item (``id`` = ``raw.id``) and where it came from.

    A sidecar is taken whole: it is the researcher's record, and a field they
    left out (say, a date) must not be filled back in from a guess.  File
    metadata is completed field by field from what the text states.
    """
    if sidecar and raw.fmt == "jsonl" and sidecar.get("citation-key") != raw.id:
        sidecar = None  # one entry naming a whole JSONL file cannot describe each of its sources
    if sidecar:
        csl = {k: v for k, v in sidecar.items() if not k.startswith("_")}
        csl["id"] = raw.id
        return csl, "zotero" if sidecar.get("_zotero_key") else "sidecar"
    stated = from_text(raw, doc)
    embedded = {k: v for k, v in raw.meta.items() if v}
    csl = {**stated, **embedded}
    csl.setdefault("type", "webpage" if csl.get("URL") else "document")
    csl["id"] = raw.id
    origin = "embedded" if any(k in embedded for k in ("title", "author", "issued")) else "text"
    return csl, origin


def title_origin(raw: RawSource, doc: CleanDocument, csl: dict, origin: str) -> tuple[dict, str]:
    """Where ``csl``'s title comes from; an untitled work gets a bracketed description.

    APA (7th ed., 9.19) and Chicago put a description in square brackets
    where a work states no title.  It is made from what identifies the
    source: its first heading, or else its file name (a JSONL source: its
    id), so a reference is never empty and the brackets say it is no title.
    """
    if csl.get("title"):
        if origin == "sidecar":
            return csl, "sidecar"
        return csl, "embedded" if raw.meta.get("title") else "text"
    first = next((b.text for b in doc.blocks if b.kind in ("title", "heading")), None)
    if first and _describes(first):
        return {**csl, "title": f"[{first}]"}, "heading-description"
    name = raw.id if raw.fmt == "jsonl" else Path(raw.path).name
    return {**csl, "title": f"[{name}]"}, "file-name-description"


def _describes(heading: str) -> bool:
    """Whether a first heading can stand for the work: not a section's name ("Summary"), not a
    page's furniture ("Bild 1 von 10"), not link or menu markup left over ("[english] [greek]",
    "> Jens Weber")."""
    return not _section_name(heading) and furniture_kind(heading) is None and heading[:1].isalnum()


def title_proper_nouns(title: str, doc: CleanDocument) -> list[str]:
    """Capitalised title words that the source's paragraphs capitalise mid-sentence
    more often than not ("in Syria", "the Pentagon"): names, which sentence case
    must not lower.  The paragraphs, not the headings, since headings are in
    title case too."""
    words = {w for w in re.findall(r"[^\W\d_][\w'’-]*", title) if w[:1].isupper() and w[1:].islower()}
    if not words:
        return []
    body = " ".join(b.text for b in doc.blocks if b.kind == "paragraph")
    names = []
    for word in sorted(words):
        escaped = re.escape(word)
        # After a lower-case word or a comma: not a sentence's first word.
        capitalised = len(re.findall(rf"(?<=[a-z,;] ){escaped}\b", body))
        lowered = len(re.findall(rf"\b{re.escape(word.lower())}\b", body))
        if capitalised > lowered:
            names.append(word)
    return names


# --- what the text states --------------------------------------------------------------

_PERSON = PERSONAL_NAME
_PEOPLE = rf"{_PERSON}(?:(?:,\s*|,?\s+and\s+){_PERSON})*"
_BYLINE = re.compile(rf"^(?:By|Written by)\s*:?\s+({_PEOPLE})(?:\s*[–—-]\s+|\s*,|\s*\|\s*|\s*$)")
_AUTHOR_LABEL = re.compile(rf"^Authors?\s*:\s*({_PEOPLE})\s*(?:,.*)?$")
_DATELINE = re.compile(r"^(?:Updated|Published|Posted|Last updated|Date|Published on|Posted on)"
                       r"\s*:?\s*(?:on\s+)?(.+)$", re.I)
# A bio names someone then says what they do; these first nouns of a bio
# are what keep "The alliance is a ..." or "United States is a ..." out.
_BIO = re.compile(
    rf"^({_PERSON}) is (?:a|an|the|currently|now|also)\b(?:\s+[\w'’\-]+){{0,6}}?\s+"
    r"(?i:graduate|professor|fellow|scholar|researcher|research|student|director|analyst|journalist"
    r"|writer|editor|lecturer|candidate|author|associate|chair|senior|visiting|former|assistant"
    r"|correspondent|reporter|member|head|president|adviser|advisor|consultant|doctoral|phd"
    r"|postdoctoral|program|officer|expert|specialist|contributor|columnist)\b")
_NOT_FIRST_NAME = frozenset("""
The This That These Those His Her Its Our Their It He She They We Our A An In On At For
United New North South East West Japan China Washington Tokyo
""".split())
TOP_LINES = 15
BIO_PARAGRAPHS = 3


# Section names a document opens with that say what a section is, not what
# the work is called ("# Summary" atop an RFC): never taken as a title.
_SECTION_NAMES = frozenset("""
summary abstract introduction overview motivation background contents table-of-contents preface
foreword synopsis description readme notes tl;dr tldr index home
""".split())


def _section_name(text: str) -> bool:
    return "-".join(text.lower().strip(" .:").split()) in _SECTION_NAMES


def from_text(raw: RawSource, doc: CleanDocument) -> dict[str, Any]:
    """Title, authors and date as the text itself states them; absent when it does not."""
    csl: dict[str, Any] = {}
    title = " ".join(b.text for b in doc.blocks[:1] if b.kind == "title")
    if title and not _section_name(title):
        csl["title"] = title
    top = [line.strip() for line in raw.text.split("\n") if line.strip()][:TOP_LINES]
    authors = _authors_from_top(top) or _authors_from_bio(doc)
    if authors:
        csl["author"] = authors
    for line in top:
        found = _DATELINE.match(line)
        if found and (issued := parse_date_text(found.group(1))):
            csl["issued"] = issued
            break
    return csl


def _authors_from_top(lines: list[str]) -> list[dict[str, str]]:
    for line in lines:
        found = _BYLINE.match(line) or _AUTHOR_LABEL.match(line)
        if found:
            names = parse_names(found.group(1))
            if names and all(_plausible_person(n) for n in names):
                return names
    return []


def _authors_from_bio(doc: CleanDocument) -> list[dict[str, str]]:
    paragraphs = [b.text for b in doc.blocks if b.kind == "paragraph"][-BIO_PARAGRAPHS:]
    for text in reversed(paragraphs):
        found = _BIO.match(text)
        if found:
            name = parse_name(found.group(1))
            if name and _plausible_person(name):
                return [name]
    return []


def _plausible_person(name: dict[str, str]) -> bool:
    if "literal" in name:
        return False
    words = f"{name.get('given', '')} {name.get('family', '')}".split()
    if any(w.lower().strip(".,") in ROLE_WORDS or w.lower().strip(".,") in ORGANISATION_WORDS for w in words):
        return False  # "Metro Reporter", "Associated Press": a desk or a firm, not a person
    return 2 <= len(words) <= 4 and words[0] not in _NOT_FIRST_NAME
