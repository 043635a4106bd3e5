"""OpenSearch's highlights back into Pinpoint's matches, excerpt and excerpt_html.

The unified highlighter is asked for the whole passage (``number_of_fragments:
0``) with private-use characters as tags, so the marked text is the passage
text plus tags; reading it gives each mark's character offsets in the
passage.  A mark over a phrase may span the stop words inside it; it is cut
into the words the index kept, as the Whoosh engine marks them, one
``Match`` per word.  The excerpt window and its HTML are the shared ones.
"""

from __future__ import annotations

import html
import re

from pinpoint.index.records import Match
from pinpoint.index.search.highlight import ELLIPSIS, Marked, excerpt_window
from pinpoint.index.search.opensearch.mapping import query_words

OPEN = "\ue000"
CLOSE = "\ue001"
_TAGS = re.compile(f"([{OPEN}{CLOSE}])")
UNMARKED = Marked(matches=(), excerpt="", excerpt_html="")


def highlight_options(highlight_query: dict) -> dict:
    return {
        "fields": {
            "text": {
                "type": "unified",
                "number_of_fragments": 0,
                "pre_tags": [OPEN],
                "post_tags": [CLOSE],
                "highlight_query": highlight_query,
            }
        }
    }


def matches_from_marked(text: str, marked: str | None) -> tuple[Match, ...]:
    """The matches a highlighted copy of ``text`` shows; none if it is not a copy of ``text``."""
    if not marked:
        return ()
    spans: list[tuple[int, int]] = []
    plain: list[str] = []
    length = 0
    opened = None
    for piece in _split_tags(marked):
        if piece == OPEN:
            opened = length
        elif piece == CLOSE:
            if opened is not None:
                spans.append((opened, length))
            opened = None
        else:
            plain.append(piece)
            length += len(piece)
    if "".join(plain) != text:
        return ()  # the passage holds the tag characters itself: better no marks than wrong ones
    matches = []
    for start, end in spans:
        for _, s, e in query_words(text[start:end]):
            matches.append(Match(start + s, start + e, text[start + s : start + e]))
    return tuple(matches)


def _split_tags(marked: str) -> list[str]:
    return [piece for piece in _TAGS.split(marked) if piece]


def mark(text: str, matches: tuple[Match, ...]) -> Marked:
    """The excerpt around ``matches``, plain and with <mark> tags, as the Whoosh engine builds it."""
    start, end = excerpt_window(text, matches)
    inside = [m for m in matches if m.start >= start and m.end <= end]
    prefix = ELLIPSIS if start > 0 else ""
    suffix = ELLIPSIS if end < len(text) else ""
    pieces = [prefix]
    cursor = start
    for m in inside:
        pieces.append(html.escape(text[cursor : m.start]))
        pieces.append(f"<mark>{html.escape(text[m.start : m.end])}</mark>")
        cursor = m.end
    pieces.append(html.escape(text[cursor:end]))
    pieces.append(suffix)
    return Marked(matches=matches, excerpt=prefix + text[start:end] + suffix, excerpt_html="".join(pieces))
