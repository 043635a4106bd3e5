"""A Zotero item's fields and creators as a CSL-JSON item.

Zotero stores each value under the item type's own field ("bookTitle",
"university", "reportNumber") and says in ``baseFieldMappings`` which base
field it stands for ("publicationTitle", "publisher", "number"); the mapping
below is written against the base fields, so every item type that refines one
is covered.  The correspondences follow Zotero's published CSL mappings.

Only what the item holds is carried: an empty field stays absent, and a date
Zotero could not parse keeps its text as CSL ``literal`` rather than a guessed
year.
"""

from __future__ import annotations

import re
from typing import Any

ITEM_TYPES = {
    "journalArticle": "article-journal", "book": "book", "bookSection": "chapter", "thesis": "thesis",
    "report": "report", "conferencePaper": "paper-conference", "magazineArticle": "article-magazine",
    "newspaperArticle": "article-newspaper", "webpage": "webpage", "blogPost": "post-weblog",
    "forumPost": "post", "document": "document", "preprint": "article", "manuscript": "manuscript",
    "dataset": "dataset", "presentation": "speech", "encyclopediaArticle": "entry-encyclopedia",
    "dictionaryEntry": "entry-dictionary", "patent": "patent", "letter": "personal_communication",
    "email": "personal_communication", "interview": "interview", "film": "motion_picture",
    "videoRecording": "motion_picture", "audioRecording": "song", "podcast": "broadcast",
    "radioBroadcast": "broadcast", "tvBroadcast": "broadcast", "computerProgram": "software",
    "standard": "standard", "statute": "legislation", "case": "legal_case", "hearing": "hearing",
    "bill": "bill", "map": "map", "artwork": "graphic",
}

# Base field -> CSL variable.
FIELDS = {
    "title": "title", "publicationTitle": "container-title", "volume": "volume", "issue": "issue",
    "pages": "page", "DOI": "DOI", "url": "URL", "publisher": "publisher", "place": "publisher-place",
    "edition": "edition", "type": "genre", "number": "number", "ISBN": "ISBN", "ISSN": "ISSN",
    "seriesTitle": "collection-title", "series": "collection-title", "seriesNumber": "collection-number",
    "abstractNote": "abstract", "language": "language", "shortTitle": "title-short",
    "journalAbbreviation": "container-title-short", "numPages": "number-of-pages",
    "numberOfVolumes": "number-of-volumes", "conferenceName": "event-title", "meetingName": "event-title",
    "archive": "archive", "archiveLocation": "archive_location", "callNumber": "call-number",
    "libraryCatalog": "source", "rights": "license", "versionNumber": "version", "section": "section",
    "medium": "medium", "PMID": "PMID", "PMCID": "PMCID", "eventPlace": "event-place",
    "citationKey": "citation-key",
}
DATES = {"date": "issued", "accessDate": "accessed", "originalDate": "original-date", "filingDate": "submitted"}

CREATORS = {
    "author": "author", "editor": "editor", "bookAuthor": "container-author", "translator": "translator",
    "seriesEditor": "collection-editor", "contributor": "contributor", "reviewedAuthor": "reviewed-author",
    "director": "director", "interviewer": "interviewer", "recipient": "recipient", "composer": "composer",
    "castMember": "performer", "executiveProducer": "executive-producer", "guest": "guest", "host": "host",
    "podcaster": "host", "narrator": "narrator", "originalCreator": "original-author",
    "organizer": "organizer", "producer": "producer", "scriptwriter": "script-writer", "chair": "chair",
    "seriesCreator": "series-creator",
}

# Zotero's multipart date: "2021-03-00 March 2021" (SQL form, then what was typed).
_MULTIPART = re.compile(r"^(\d{4})-(\d{2})-(\d{2})(?:\s+(.*))?$")


def csl_date(value: str) -> dict[str, Any] | None:
    value = value.strip()
    if not value:
        return None
    found = _MULTIPART.match(value)
    if found:
        parts = [int(p) for p in found.groups()[:3]]
        if parts[0] == 0:
            typed = (found.group(4) or "").strip()
            return {"literal": typed} if typed else None
        stated = [parts[0]] + ([parts[1]] if parts[1] else []) + ([parts[2]] if parts[1] and parts[2] else [])
        return {"date-parts": [stated]}
    if re.fullmatch(r"\d{4}", value):
        return {"date-parts": [[int(value)]]}
    return {"literal": value}


def item_csl(item_type: str, fields: dict[str, str], creators: list[tuple[str, str, str, int, bool]]) -> dict[str, Any]:
    """``fields``: base field name -> value; ``creators``: (type, first, last, fieldMode, primary) in order."""
    csl: dict[str, Any] = {"type": ITEM_TYPES.get(item_type, "document")}
    for field, value in fields.items():
        if not isinstance(value, str) or not value.strip():
            continue
        if field in DATES:
            date = csl_date(value)
            if date:
                csl[DATES[field]] = date
        elif field in FIELDS:
            csl.setdefault(FIELDS[field], value.strip())
    for creator_type, first, last, mode, primary in creators:
        role = "author" if primary else CREATORS.get(creator_type, "contributor")
        if mode == 1:  # a single-field name: an institution, or a name Zotero was told not to split
            name = {"literal": (last or "").strip()}
        else:
            name = {k: v.strip() for k, v in (("family", last or ""), ("given", first or "")) if v.strip()}
        if any(name.values()):
            csl.setdefault(role, []).append(name)
    return csl
