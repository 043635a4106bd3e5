"""BibTeX <-> CSL-JSON, both directions; the only module that imports bibtexparser.

Reading is lenient per entry and strict per file: an entry bibtexparser cannot
parse (unbalanced braces, duplicate key or field) is skipped with a logged
warning, so one bad entry in a reference manager's export never hides the
others; a file that cannot be read or decoded, or that yields failures and no
entry at all, raises :class:`BibtexError` naming the file and the problem.

Writing (:func:`to_bibtex`) produces biblatex for biber, UTF-8, and never
invalid BibTeX whatever the metadata holds: text fields are escaped, URLs go
verbatim (biblatex reads ``url``/``doi`` verbatim) with only the characters
that would break the file percent-encoded.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import bibtexparser
from bibtexparser.middlewares.names import (
    parse_single_name_into_parts,
    split_multiple_persons_names,
)
from bibtexparser.model import Entry, Field
from bibtexparser.writer import BibtexFormat

from pinpoint.index.bibliography.keys import citation_keys
from pinpoint.index.bibliography.csl_to_bibtex import bare_doi, csl_to_fields
from pinpoint.index.bibliography.dates import month_number
from pinpoint.index.errors import IndexError_
from pinpoint.index.bibliography.latex import decode_latex

logger = logging.getLogger(__name__)


class BibtexError(IndexError_, ValueError):
    """A .bib file (or metadata meant for one) that cannot be used at all."""

    def __init__(self, origin: str, reason: str):
        super().__init__(f"{origin}: {reason}")
        self.origin = origin
        self.reason = reason


@dataclass(frozen=True)
class SkippedEntry:
    """An entry left out of a reading, and why."""

    line: int | None
    key: str | None
    reason: str


@dataclass(frozen=True)
class BibtexReading:
    items: list[dict[str, Any]]
    skipped: list[SkippedEntry] = field(default_factory=list)


# --- reading ---------------------------------------------------------------

_CSL_TYPE_BY_ENTRY_TYPE = {
    "article": "article-journal",
    "book": "book",
    "mvbook": "book",
    "proceedings": "book",
    "collection": "book",
    "incollection": "chapter",
    "inbook": "chapter",
    "inproceedings": "paper-conference",
    "conference": "paper-conference",
    "report": "report",
    "techreport": "report",
    "manual": "report",
    "thesis": "thesis",
    "phdthesis": "thesis",
    "mastersthesis": "thesis",
    "online": "webpage",
    "electronic": "webpage",
    "www": "webpage",
    "unpublished": "manuscript",
    "booklet": "pamphlet",
    "dataset": "dataset",
    "software": "software",
    "patent": "patent",
    "periodical": "periodical",
    "inreference": "entry-encyclopedia",
    "standard": "standard",
    "jurisdiction": "legal_case",
}
_CSL_TYPE_BY_ARTICLE_SUBTYPE = {"magazine": "article-magazine", "newspaper": "article-newspaper"}

# biblatex's `type` field takes a localisation key or free text; the keys stand
# for the strings biblatex's English localisation (english.lbx) prints.
_GENRE_BY_TYPE_KEY = {
    "phdthesis": "PhD thesis",
    "mathesis": "Master's thesis",
    "candthesis": "Candidate thesis",
    "techreport": "Technical report",
    "resreport": "Research report",
}

def _split_unescaped(text: str, separator: str) -> list[str]:
    return re.split(r"(?<!\\)" + re.escape(separator), text)


def _unescape_file_path(path: str) -> str:
    path = path.replace("$\\backslash$", "\\").replace("{", "").replace("}", "")
    return re.sub(r"\\([:;\\_])", r"\1", path)


def file_names(file_field: str) -> list[str]:
    """Base names of the files a JabRef, Zotero or Mendeley ``file`` field lists."""
    names = []
    for piece in _split_unescaped(file_field, ";"):
        parts = _split_unescaped(piece.strip(), ":")
        if len(parts) >= 3:  # JabRef/Mendeley "description:path:type"
            path = ":".join(parts[1:-1])
        else:  # a bare path (Zotero), possibly with a Windows drive "C:"
            path = piece.strip()
        base = re.split(r"[\\/]", _unescape_file_path(path).strip())[-1].strip()
        if base and base not in names:
            names.append(base)
    return names


def _csl_names(raw: str) -> list[dict[str, str]]:
    names = []
    for person in split_multiple_persons_names(raw):
        person = person.strip()
        if not person or person.lower() == "others":
            continue  # "and others" states an et al., not a person
        if person.startswith("{") and person.endswith("}") and _is_one_group(person):
            names.append({"literal": decode_latex(person[1:-1])})
            continue
        parts = parse_single_name_into_parts(person, strict=False)
        name = {}
        for csl_key, words in (
            ("family", parts.last),
            ("given", parts.first),
            ("non-dropping-particle", parts.von),
            ("suffix", parts.jr),
        ):
            text = decode_latex(" ".join(words)) if words else ""
            if text:
                name[csl_key] = text
        if "family" not in name and "given" in name:
            name = {"literal": name["given"]}
        if name:
            names.append(name)
    return names


def _is_one_group(text: str) -> bool:
    """True when ``text`` is a single brace group, e.g. ``{Pacific Forum}``."""
    depth = 0
    for index, char in enumerate(text):
        if char == "{" and (index == 0 or text[index - 1] != "\\"):
            depth += 1
        elif char == "}" and text[index - 1] != "\\":
            depth -= 1
            if depth == 0 and index != len(text) - 1:
                return False
    return depth == 0


def _date_parts(text: str) -> list[int] | None:
    """``2014-03-05``, ``2014-03``, ``2014`` (or a range's start) -> date-parts."""
    match = re.match(r"\s*(\d{4})(?:-(\d{1,2}))?(?:-(\d{1,2}))?", text)
    if not match:
        return None
    parts = [int(group) for group in match.groups() if group]
    if len(parts) > 1 and not 1 <= parts[1] <= 12:
        return parts[:1]
    if len(parts) > 2 and not 1 <= parts[2] <= 31:
        return parts[:2]
    return parts


def _issued(fields: dict[str, str]) -> list[int] | None:
    if fields.get("date"):
        return _date_parts(fields["date"])
    year = re.search(r"\d{4}", fields.get("year", ""))
    if not year:
        return None
    parts = [int(year.group())]
    month = month_number(fields.get("month", ""))
    if month:
        parts.append(month)
    return parts


def entry_to_csl(entry_type: str, key: str, fields: dict[str, str]) -> dict[str, Any]:
    """One parsed BibTeX entry (field values still LaTeX) -> a CSL-JSON item."""
    fields = {name.lower(): value for name, value in fields.items() if isinstance(value, str)}
    entry_type = entry_type.lower()
    csl_type = _CSL_TYPE_BY_ENTRY_TYPE.get(entry_type)
    if csl_type is None:
        csl_type = "webpage" if fields.get("url") else "document"
    if csl_type == "article-journal":
        csl_type = _CSL_TYPE_BY_ARTICLE_SUBTYPE.get(fields.get("entrysubtype", "").strip().lower(), csl_type)
    item: dict[str, Any] = {"id": key, "citation-key": key, "type": csl_type}

    for bib_name in ("author", "editor", "translator"):
        if fields.get(bib_name):
            names = _csl_names(fields[bib_name])
            if names:
                item[bib_name] = names

    title = decode_latex(fields.get("title", ""))
    subtitle = decode_latex(fields.get("subtitle", ""))
    if title and subtitle:
        title = f"{title}: {subtitle}"
    if title:
        item["title"] = title

    text_fields = [
        ("container-title", ("journaltitle", "journal", "booktitle")),
        ("publisher", ("publisher", "institution", "school", "organization")),
        ("publisher-place", ("location", "address")),
        ("volume", ("volume",)),
        ("issue", ("number", "issue") if entry_type == "article" else ("issue",)),
        ("number", ("eid",) if entry_type == "article" else ("number",)),
        ("collection-title", ("series",)),
        ("edition", ("edition",)),
        ("ISBN", ("isbn",)),
        ("ISSN", ("issn",)),
        ("language", ("langid", "language")),
        ("note", ("note",)),
        ("abstract", ("abstract",)),
    ]
    for csl_key, bib_names in text_fields:
        for bib_name in bib_names:
            value = decode_latex(fields.get(bib_name, ""))
            if value:
                item[csl_key] = value
                break

    genre = decode_latex(fields.get("type", "")).strip()
    if genre:
        item["genre"] = _GENRE_BY_TYPE_KEY.get(genre.lower(), genre)
    if fields.get("pages"):
        item["page"] = decode_latex(re.sub(r"\s*-+\s*", "-", fields["pages"]))
    if fields.get("url"):
        item["URL"] = re.sub(r"^\\url\{(.*)\}$", r"\1", fields["url"].strip())
    if fields.get("doi"):
        item["DOI"] = bare_doi(fields["doi"])
    issued = _issued(fields)
    if issued:
        item["issued"] = {"date-parts": [issued]}
    accessed = _date_parts(fields.get("urldate", ""))
    if accessed:
        item["accessed"] = {"date-parts": [accessed]}
    item["_file"] = file_names(fields["file"]) if fields.get("file") else []
    return item


def _describe_failure(block: Any) -> SkippedEntry:
    original = getattr(block, "ignore_error_block", None)
    key = getattr(original, "key", None)
    return SkippedEntry(
        line=(block.start_line + 1) if block.start_line is not None else None,
        key=key,
        reason=str(block.error) or f"{type(block.error).__name__} (unbalanced braces or quotes?)",
    )


def read_bibtex_string(text: str, origin: str = "<string>") -> BibtexReading:
    """Parse BibTeX text into CSL-JSON items, collecting the entries skipped."""
    library = bibtexparser.parse_string(text)
    skipped = [_describe_failure(block) for block in library.failed_blocks]
    items = []
    for entry in library.entries:
        try:
            fields = {f.key: f.value for f in entry.fields}
            items.append(entry_to_csl(entry.entry_type, entry.key, fields))
        except Exception as error:  # one odd entry must not hide the rest of the file
            line = entry.start_line + 1 if entry.start_line is not None else None
            skipped.append(SkippedEntry(line, entry.key, repr(error)))
    for problem in skipped:
        logger.warning(
            "%s: skipped BibTeX entry %s at line %s: %s",
            origin,
            problem.key or "(no key)",
            problem.line,
            problem.reason,
        )
    if skipped and not items:
        first = skipped[0]
        raise BibtexError(
            origin, f"no usable entry; line {first.line}: {first.reason}"
        )
    return BibtexReading(items=items, skipped=skipped)


def read_bibtex_file(path: Path) -> list[dict]:
    """CSL-JSON items (with ``_file``: the base names in each ``file`` field).

    Bad entries are skipped with a logged warning; a file that cannot be read,
    is not UTF-8, or holds nothing usable raises :class:`BibtexError`.
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as error:
        raise BibtexError(
            path.name, f"not UTF-8 (byte {error.start}); re-export the file as UTF-8"
        ) from error
    except OSError as error:
        raise BibtexError(path.name, f"cannot read: {error.strerror or error}") from error
    return read_bibtex_string(text, origin=path.name).items


def _braces_balance(text: str) -> bool:
    depth = 0
    for char in text:
        depth += {"{": 1, "}": -1}.get(char, 0)
        if depth < 0:
            return False
    return depth == 0


def to_bibtex(items: Sequence[dict]) -> str:
    """CSL-JSON items -> biblatex text (UTF-8), one entry per item, keys from
    :func:`pinpoint.index.bibliography.keys.citation_keys` unless every item carries its own
    (``_key``, decided over a whole library), entries in the items' order."""
    for position, item in enumerate(items):
        if not isinstance(item, dict):
            raise BibtexError(f"item {position}", "not a CSL-JSON object")
    keys = [item.get("_key") for item in items]
    if not all(isinstance(k, str) and k for k in keys) or len(set(keys)) != len(keys):
        keys = citation_keys(items)
    entries = []
    for key, item in zip(keys, items):
        entry_type, fields = csl_to_fields(item)
        if isinstance(item.get("_file"), str) and item["_file"].strip() and _braces_balance(item["_file"]):
            # The file the entry describes, as Zotero and JabRef link it.
            fields = [*fields, ("file", item["_file"].strip())]
        for name, value in fields:
            if not _braces_balance(value):  # escaping makes this unreachable; never write it
                raise BibtexError(f"entry {key}", f"unbalanced braces in {name}")
        entries.append(Entry(entry_type, key, [Field(name, value) for name, value in fields]))
    library = bibtexparser.Library(entries)
    bibtex_format = BibtexFormat()
    bibtex_format.indent = "  "
    bibtex_format.value_column = "auto"
    bibtex_format.trailing_comma = True
    bibtex_format.block_separator = "\n"
    return bibtexparser.write_string(library, bibtex_format=bibtex_format)
