"""The one text analyzer of Pinpoint's Whoosh index, for indexing, querying and highlighting.

Passages, titles and headings are analysed by Whoosh's ``StemmingAnalyzer``:
a regex tokenizer, lowercasing, English stop words (with a minimum length) and
the Porter stemmer.  Running that chain token by token through Whoosh's
generators dominates both a build and a search that marks many hits, so
``Chain`` takes the same analyzer apart and runs its steps directly, with a
cache from raw token to term; the segment writer (indexing) and the
highlighter (marking) both use it, so a word is marked exactly when it is the
word that was indexed.  Any analyzer of another shape takes Whoosh's own path.
"""

from __future__ import annotations

import re

from whoosh.analysis import (
    CompositeAnalyzer,
    LowercaseFilter,
    RegexTokenizer,
    SimpleAnalyzer,
    StemFilter,
    StemmingAnalyzer,
    StopFilter,
)
from whoosh.analysis.filters import STOP_WORDS

# Raw token -> term (STOPPED for a stop word); cleared when it grows past this
# so a build of many languages cannot grow it without bound.
TERM_CACHE_LIMIT = 400_000
# Truthy, like every term, so a cache lookup ``cached(token) or chain.term(token)``
# only computes on a miss.
STOPPED = object()


def text_analyzer(*, stopwords: bool, min_token: int):
    """The analyzer of the passage text, title and heading fields."""
    return StemmingAnalyzer(stoplist=STOP_WORDS if stopwords else None, minsize=min_token)


def names_analyzer():
    """Author names: words, lowercased, never stemmed or stopped."""
    return SimpleAnalyzer()


class Chain:
    """A regex -> lowercase -> (stop) -> (stem) analyzer, its steps run directly.

    Raises ValueError for an analyzer of any other shape.
    """

    def __init__(self, analyzer):
        tokenizer, _lowercase, stop, stem = _plain_chain(analyzer)
        self.pattern = tokenizer.expression
        # The same pattern with its groups made non-capturing, so findall hands
        # back whole matches as strings without a match object per token.
        self.findall = re.compile(_non_capturing(self.pattern.pattern), self.pattern.flags).findall
        self.stops = stop.stops if stop else frozenset()
        self.minsize = stop.min if stop else 0
        self.maxsize = stop.max if stop else None
        self.renumber = stop.renumber if stop else True
        self._stem = _stem_function(stem) if stem else None
        self._stem_ignore = stem.ignore if stem else frozenset()
        self._terms: dict[str, object] = {}
        # The cache's own lookup, for hot loops: ``cached(token) or term(token)``.
        self.cached = self._terms.get

    def term(self, token: str):
        """The indexed term of one raw token, or STOPPED."""
        found = self._terms.get(token)
        if found is not None:
            return found
        text = token.lower()
        if len(text) < self.minsize or (self.maxsize is not None and len(text) > self.maxsize) \
                or text in self.stops:
            term = STOPPED
        elif self._stem is not None and text not in self._stem_ignore:
            term = self._stem(text)
        else:
            term = text
        if len(self._terms) >= TERM_CACHE_LIMIT:
            self._terms.clear()
        self._terms[token] = term
        return term

    def tokens(self, text: str) -> list[tuple[str, int, int]]:
        term = self.term
        found = []
        for m in self.pattern.finditer(text):
            t = term(m.group())
            if t is not STOPPED:
                found.append((t, m.start(), m.end()))
        return found


class TextAnalysis:
    """``tokens(text)``: (term, start, end) of each indexed token, as the index analysed it."""

    def __init__(self, analyzer):
        self._analyzer = analyzer
        try:
            self._chain: Chain | None = Chain(analyzer)
        except (ValueError, AttributeError):
            self._chain = None

    def tokens(self, text: str) -> list[tuple[str, int, int]]:
        if self._chain is not None:
            return self._chain.tokens(text)
        return [
            (t.text, t.startchar, t.endchar)
            for t in self._analyzer(text, chars=True, positions=True, mode="index")
        ]


def _non_capturing(pattern: str) -> str:
    converted = re.sub(r"(?<!\\)\((?!\?)", "(?:", pattern)
    if re.compile(converted).groups:
        raise ValueError(f"cannot make the groups of {pattern!r} non-capturing")
    return converted


def _stem_function(stem: StemFilter):
    # The filter's own cache (an LFU of 50,000 by default) costs more per call
    # than it saves here: Chain caches whole tokens in front of it.
    if stem.lang:
        from whoosh.lang import stemmer_for_language

        return stemmer_for_language(stem.lang)
    return stem.stemfn


def _plain_chain(analyzer):
    """The (tokenizer, lowercase, stop, stem) filters of a plain chain, or ValueError."""
    items = list(analyzer.items) if isinstance(analyzer, CompositeAnalyzer) else [analyzer]
    if not items or type(items[0]) is not RegexTokenizer or items[0].gaps:
        raise ValueError("not a plain regex tokenizer")
    found = {LowercaseFilter: None, StopFilter: None, StemFilter: None}
    order = [LowercaseFilter, StopFilter, StemFilter]
    last = -1
    for item in items[1:]:
        kind = type(item)
        if kind not in found or found[kind] is not None or order.index(kind) <= last:
            raise ValueError(f"unsupported analyzer step {item!r}")
        found[kind] = item
        last = order.index(kind)
    if found[LowercaseFilter] is None:
        raise ValueError("no lowercase step")
    return items[0], found[LowercaseFilter], found[StopFilter], found[StemFilter]
