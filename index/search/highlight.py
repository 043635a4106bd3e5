"""Where a passage matched, and the excerpt a reader sees; the same for every engine.

Matching re-analyses the passage with the engine's own analysis, so a stemmed
query term ("relocating" -> "reloc") marks exactly the words that made the
passage score.  The engine says which terms a query looks for
(``QueryTerms``); terms that appear only under NOT are not among them: they
are the reason a passage did *not* match.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from collections.abc import Sequence
from typing import Protocol

from pinpoint.index.records import Match

EXCERPT_CHARS = 300
ELLIPSIS = "…"


@dataclass(frozen=True)
class QueryTerms:
    """The positive, analysed terms of a query: single words and phrases."""

    words: frozenset[str]
    phrases: tuple[tuple[str, ...], ...]


@dataclass(frozen=True)
class Marked:
    matches: tuple[Match, ...]
    excerpt: str
    excerpt_html: str


# What a hit carries when its caller asked for no highlighting.
UNMARKED = Marked(matches=(), excerpt="", excerpt_html="")


class Analysis(Protocol):
    """An engine's analysis of passage text, as it indexed it."""

    def tokens(self, text: str) -> list[tuple[str, int, int]]:
        """(term, start, end) for each indexed token of ``text``."""


class Highlighter:
    """Finds matches with the analysis the engine indexed with."""

    def __init__(self, analysis: Analysis):
        self.tokens = analysis.tokens

    def find_matches(self, text: str, terms: QueryTerms,
                     tokens: list[tuple[str, int, int]] | None = None) -> tuple[Match, ...]:
        tokens = self.tokens(text) if tokens is None else tokens
        marked: dict[int, Match] = {}
        for stem, start, end in tokens:
            if stem in terms.words:
                marked[start] = Match(start, end, text[start:end])
        for phrase in terms.phrases:
            n = len(phrase)
            for i in range(len(tokens) - n + 1):
                if all(tokens[i + k][0] == phrase[k] for k in range(n)):
                    for _, start, end in tokens[i : i + n]:
                        marked[start] = Match(start, end, text[start:end])
        return tuple(marked[k] for k in sorted(marked))

    def highlight(self, text: str, terms: QueryTerms) -> Marked:
        return mark(text, self.find_matches(text, terms))

    def typed(self, words: Sequence[str]) -> tuple[tuple[str, tuple[str, ...]], ...]:
        """Typed words (or phrases) with their stems, once per search; a stop word has none
        and is left out: the engine ignores it, so it is never missing."""
        analysed = ((word, tuple(stem for stem, _, _ in self.tokens(word))) for word in words)
        return tuple((word, stems) for word, stems in analysed if stems)

    def highlight_hit(self, text: str, terms: QueryTerms,
                      typed: tuple[tuple[str, tuple[str, ...]], ...]) -> tuple[Marked, tuple[str, ...]]:
        """The hit's marking and which ``typed`` words (phrases: their words in a row) ``text``
        lacks, both from one analysis of ``text``, as the engine indexed it."""
        tokens = self.tokens(text)
        marked = mark(text, self.find_matches(text, terms, tokens))
        if not typed:
            return marked, ()
        stems_of_text = [stem for stem, _, _ in tokens]
        present = set(stems_of_text)
        missing = []
        for word, stems in typed:
            held = all(stem in present for stem in stems)
            if held and len(stems) > 1:  # a phrase: its words in a row, as the engines match phrases
                n = len(stems)
                held = any(tuple(stems_of_text[i:i + n]) == stems for i in range(len(stems_of_text) - n + 1))
            if not held:
                missing.append(word)
        return marked, tuple(missing)


def mark(text: str, matches: tuple[Match, ...]) -> Marked:
    """The excerpt around ``matches`` (offsets into ``text``), plain and with <mark> tags.

    Engines that find matches themselves (OpenSearch's highlighter) build
    their excerpts here too, so every engine's excerpts follow one rule.
    """
    start, end = excerpt_window(text, matches)
    inside = [m for m in matches if m.start >= start and m.end <= end]
    prefix = ELLIPSIS if start > 0 else ""
    suffix = ELLIPSIS if end < len(text) else ""
    plain = prefix + text[start:end] + suffix
    pieces = [prefix]
    cursor = start
    for m in inside:
        pieces.append(html.escape(text[cursor : m.start]))
        pieces.append(f"<mark>{html.escape(text[m.start : m.end])}</mark>")
        cursor = m.end
    pieces.append(html.escape(text[cursor:end]))
    pieces.append(suffix)
    return Marked(matches=matches, excerpt=plain, excerpt_html="".join(pieces))


def excerpt_window(text: str, matches: tuple[Match, ...], size: int = EXCERPT_CHARS) -> tuple[int, int]:
    """Character span of the ``size``-wide window holding the most matches."""
    if len(text) <= size:
        return 0, len(text)
    if not matches:
        return 0, _snap_end(text, size, 0)
    best_first, best_last = 0, 0
    last = 0
    for first, m in enumerate(matches):
        last = max(last, first)
        while last + 1 < len(matches) and matches[last + 1].end - m.start <= size:
            last += 1
        if last - first > best_last - best_first:
            best_first, best_last = first, last
    span_start, span_end = matches[best_first].start, matches[best_last].end
    slack = max(0, size - (span_end - span_start))
    start = max(0, span_start - slack // 2)
    end = min(len(text), start + max(size, span_end - span_start))
    start = max(0, end - max(size, span_end - span_start))
    return _snap_start(text, start, span_start), _snap_end(text, end, span_end)


def _snap_start(text: str, start: int, must_include: int) -> int:
    """Move ``start`` forward to the beginning of a word, never past ``must_include``."""
    if start == 0 or text[start - 1].isspace():
        return start
    while start < must_include and not text[start].isspace():
        start += 1
    while start < must_include and text[start].isspace():
        start += 1
    return start


def _snap_end(text: str, end: int, must_include: int) -> int:
    """Move ``end`` back to the end of a word, never before ``must_include``."""
    if end >= len(text) or text[end].isspace():
        return end
    while end > must_include and not text[end - 1].isspace():
        end -= 1
    while end > must_include and text[end - 1].isspace():
        end -= 1
    return end
