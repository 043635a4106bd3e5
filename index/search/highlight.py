"""Where a passage matched, and the excerpt a reader sees.

Matching re-analyses the passage with the index's own analyzer, so a stemmed
query term ("relocating" -> "reloc") marks exactly the words that made the
passage score.  Terms that appear only under NOT never mark anything: they are
the reason a passage did *not* match.
"""

from __future__ import annotations

import html
from dataclasses import dataclass

from whoosh import query as wq

from pinpoint.index.records import Match

EXCERPT_CHARS = 300
ELLIPSIS = "…"


@dataclass(frozen=True)
class QueryTerms:
    """The positive, analysed terms of a query: single words and phrases."""

    words: frozenset[str]
    phrases: tuple[tuple[str, ...], ...]

    @classmethod
    def from_query(cls, q: wq.Query, fieldnames: set[str]) -> QueryTerms:
        words: set[str] = set()
        phrases: set[tuple[str, ...]] = set()

        def walk(node: wq.Query) -> None:
            if isinstance(node, wq.Not):
                return
            if isinstance(node, wq.AndNot):
                walk(node.a)
                return
            if isinstance(node, wq.Phrase):
                if node.fieldname in fieldnames and node.words:
                    phrases.add(tuple(node.words))
                return
            if isinstance(node, wq.Term):
                if node.fieldname in fieldnames:
                    words.add(node.text)
                return
            for child in node.children():
                walk(child)

        walk(q)
        return cls(frozenset(words), tuple(sorted(phrases)))


@dataclass(frozen=True)
class Marked:
    matches: tuple[Match, ...]
    excerpt: str
    excerpt_html: str


class Highlighter:
    """Finds matches with the analyzer the index used.

    Running Whoosh's analyzer chain token by token dominates a search that
    returns many hits, so for the usual tokenizer-lowercase-stop-stem chain the
    same steps run here with a per-word memo; any other analyzer takes the
    general (slower) path, so the result never depends on which path ran.
    """

    _MEMO_LIMIT = 200_000

    def __init__(self, analyzer):
        self._analyzer = analyzer
        self._chain = _stemming_chain(analyzer)
        self._memo: dict[str, str | None] = {}

    def tokens(self, text: str) -> list[tuple[str, int, int]]:
        """(term, start, end) for each indexed token of ``text``."""
        if self._chain is None:
            return [
                (t.text, t.startchar, t.endchar)
                for t in self._analyzer(text, chars=True, positions=True, mode="index")
            ]
        pattern, stops, minsize, maxsize, stem = self._chain
        memo = self._memo
        if len(memo) > self._MEMO_LIMIT:
            memo.clear()
        tokens = []
        for m in pattern.finditer(text):
            word = m.group().lower()
            try:
                term = memo[word]
            except KeyError:
                too_short = len(word) < minsize
                too_long = maxsize is not None and len(word) > maxsize
                term = None if (too_short or too_long or word in stops) else stem(word)
                memo[word] = term
            if term is not None:
                tokens.append((term, m.start(), m.end()))
        return tokens

    def find_matches(self, text: str, terms: QueryTerms) -> tuple[Match, ...]:
        tokens = self.tokens(text)
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
        matches = self.find_matches(text, terms)
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


def _stemming_chain(analyzer):
    """The pieces of a tokenizer-lowercase-stop-stem analyzer, or None for any other shape."""
    from whoosh.analysis import LowercaseFilter, RegexTokenizer, StemFilter, StopFilter

    items = getattr(analyzer, "items", None)
    shape = (RegexTokenizer, LowercaseFilter, StopFilter, StemFilter)
    if not items or len(items) != 4 or not all(type(i) is t for i, t in zip(items, shape)):
        return None
    tokenizer, _, stop, stemmer = items
    if tokenizer.gaps or stemmer.ignore:
        return None
    return tokenizer.expression, stop.stops, stop.min, stop.max, stemmer.stemfn


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
