"""The formatted citation handed to the HTTP layer, and ready-to-paste quotations."""

from __future__ import annotations

import re
from dataclasses import dataclass

from pinpoint.service.citations.errors import InvalidExcerpt


@dataclass(frozen=True)
class Citation:
    style: str
    reference: str
    reference_html: str
    in_text: str
    note: str | None = None
    note_html: str | None = None
    complete: bool = True
    warnings: tuple[str, ...] = ()


# Harvard (Cite Them Right) is a British style: single outer quotation marks.
SINGLE_QUOTE_STYLES = {"harvard"}
NOTE_STYLES = {"chicago-notes"}
_OUTER_QUOTES = "\"'\u201c\u201d\u2018\u2019"


def _nest_double_quotes(text: str) -> str:
    """Inside a double-quoted excerpt, the source's own double quotes become single."""
    text = text.replace("\u201c", "\u2018").replace("\u201d", "\u2019")
    opening = True
    out = []
    for ch in text:
        if ch == '"':
            out.append("\u2018" if opening else "\u2019")
            opening = not opening
        else:
            out.append(ch)
    return "".join(out)


def quotation(excerpt: str, citation: Citation) -> str:
    """The excerpt in the style's quotation marks, then its in-text citation.

    A trailing period or comma of the excerpt is dropped: the sentence the
    quotation is pasted into supplies its own punctuation after the citation.
    Notes-bibliography has no parenthetical, so the short note follows as
    footnote 1.
    """
    if not isinstance(excerpt, str):
        raise InvalidExcerpt("excerpt must be a string")
    body = re.sub(r"\s+", " ", excerpt).strip().strip(_OUTER_QUOTES).strip()
    body = body.rstrip(".,;:").rstrip() if not body.endswith("...") else body
    if not body:
        raise InvalidExcerpt("excerpt is empty")
    if citation.style in SINGLE_QUOTE_STYLES:
        quoted = f"\u2018{body}\u2019"
    else:
        quoted = f"\u201c{_nest_double_quotes(body)}\u201d"
    if citation.style in NOTE_STYLES:
        return f"{quoted}\u00b9\n\n1. {citation.in_text}"
    return f"{quoted} {citation.in_text}"
