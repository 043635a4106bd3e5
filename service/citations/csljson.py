"""CSL-JSON export: what Zotero, Mendeley and pandoc import without loss.

Items are checked against the official CSL-JSON input schema (its copy is
``tests/fixtures/csl-data.json``): private keys (``_file``) are dropped, keys
the schema does not know (``citation-key`` in older schema releases) move into
``custom`` rather than being lost, and values of the wrong shape are dropped
rather than written invalid.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from pinpoint.service.citations.errors import InvalidCitationData

ITEM_TYPES = frozenset(
    "article article-journal article-magazine article-newspaper bill book broadcast chapter "
    "classic collection dataset document entry entry-dictionary entry-encyclopedia figure "
    "graphic hearing interview legal_case legislation manuscript map motion_picture "
    "musical_score pamphlet paper-conference patent performance periodical "
    "personal_communication post post-weblog regulation report review review-book software "
    "song speech standard thesis treaty webpage".split()
)
NAME_VARIABLES = frozenset(
    "author chair collection-editor compiler composer container-author contributor curator "
    "director editor editorial-director executive-producer interviewer illustrator organizer "
    "original-author performer producer recipient reviewed-author translator".split()
)
DATE_VARIABLES = frozenset(
    "accessed available-date container event-date issued original-date submitted".split()
)
# Variables the schema allows as a number as well as a string.
NUMBER_VARIABLES = frozenset(
    "chapter-number citation-number collection-number edition first-reference-note-number "
    "issue locator number number-of-pages number-of-volumes page page-first part printing "
    "supplement volume".split()
)
TEXT_VARIABLES = frozenset(
    "language journalAbbreviation shortTitle abstract annote archive archive_collection "
    "archive_location archive-place authority call-number citation-label collection-title "
    "container-title container-title-short dimensions division DOI event event-place genre "
    "ISAN ISBN ISCI ISMN ISRC ISSN ISWC jurisdiction keyword medium note original-publisher "
    "original-publisher-place original-title part-title PMCID PMID publisher publisher-place "
    "references reviewed-title scale section source status title title-short "
    "translated-title translated-title-short URL version year-suffix".split()
)
_NAME_TEXT_PARTS = ("family", "given", "dropping-particle", "non-dropping-particle", "suffix", "literal")
_NAME_FLAG_PARTS = ("comma-suffix", "static-ordering", "parse-names")


def _scalar(value: Any) -> bool:
    return isinstance(value, (str, int, float)) and not isinstance(value, bool)


def _name(value: Any) -> dict[str, Any] | None:
    if not isinstance(value, dict):
        return None
    name: dict[str, Any] = {}
    for part in _NAME_TEXT_PARTS:
        if _scalar(value.get(part)) and str(value[part]).strip():
            name[part] = str(value[part])
    for part in _NAME_FLAG_PARTS:
        if _scalar(value.get(part)) or isinstance(value.get(part), bool):
            name[part] = value[part]
    return name if any(part in name for part in _NAME_TEXT_PARTS) else None


def _date(value: Any) -> dict[str, Any] | None:
    if not isinstance(value, dict):
        return None
    date: dict[str, Any] = {}
    parts = value.get("date-parts")
    if (
        isinstance(parts, list)
        and 1 <= len(parts) <= 2
        and all(
            isinstance(p, list) and 1 <= len(p) <= 3 and all(_scalar(x) for x in p) for p in parts
        )
    ):
        date["date-parts"] = parts
    for key in ("literal", "raw"):
        if isinstance(value.get(key), str) and value[key].strip():
            date[key] = value[key]
    for key in ("season", "circa"):
        if _scalar(value.get(key)) or isinstance(value.get(key), bool):
            date[key] = value[key]
    return date or None


def clean_item(item: Any, position: int = 0) -> dict[str, Any]:
    """One CSL-JSON item as the schema accepts it (see the module docstring)."""
    if not isinstance(item, dict):
        raise InvalidCitationData(f"item {position} is not a CSL-JSON object")
    if not _scalar(item.get("id")) or not str(item["id"]).strip():
        raise InvalidCitationData(f"item {position} has no id")
    # "document" is CSL's own type for a work of unstated kind.
    item_type = item.get("type") if item.get("type") in ITEM_TYPES else "document"
    clean: dict[str, Any] = {"id": item["id"], "type": item_type}
    custom: dict[str, Any] = dict(item["custom"]) if isinstance(item.get("custom"), dict) else {}
    for key, value in item.items():
        if key in ("id", "type", "custom") or key.startswith("_") or value is None:
            continue
        if key in NAME_VARIABLES:
            names = [n for n in (_name(v) for v in value or []) if n] if isinstance(value, list) else []
            if names:
                clean[key] = names
        elif key in DATE_VARIABLES:
            date = _date(value)
            if date:
                clean[key] = date
        elif key in NUMBER_VARIABLES:
            if _scalar(value) and str(value).strip():
                clean[key] = value
        elif key in TEXT_VARIABLES:
            if _scalar(value) and str(value).strip():
                clean[key] = str(value)
        elif key == "categories":
            if isinstance(value, list):
                clean[key] = [str(v) for v in value if _scalar(v)]
        else:
            try:
                json.dumps(value)
            except (TypeError, ValueError):
                continue
            custom[key] = value
    if custom:
        clean["custom"] = custom
    return clean


def to_csl_json(items: Sequence[dict]) -> str:
    """CSL-JSON items -> a JSON array (UTF-8, indented), valid against the CSL schema."""
    cleaned = [clean_item(item, position) for position, item in enumerate(items)]
    return json.dumps(cleaned, ensure_ascii=False, indent=2) + "\n"
