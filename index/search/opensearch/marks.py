"""OpenSearch's highlights back into Pinpoint's matches, excerpt and excerpt_html.

The unified highlighter is asked for the whole passage (``number_of_fragments:
0``) with private-use characters as tags, so the marked text is the passage
text plus tags; reading it gives each mark's character offsets in the
passage.  A mark over a phrase may span the stop words inside it; it is cut
into the words the index kept, as the Whoosh engine marks them, one
``Match`` per word.  The excerpt and its HTML are built by the shared
``index.search.highlight.mark``.
"""

from __future__ import annotations

import re

from pinpoint.index.records import Match
from pinpoint.index.search.opensearch.mapping import query_words

OPEN = "\ue000"
CLOSE = "\ue001"
_TAGS = re.compile(f"([{OPEN}{CLOSE}])")


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
