"""Where does this quotation come from?  Locate a pasted quote in the indexed passages.

A quote copied out of a PDF or a web page rarely matches its source byte for
byte: quotation marks turn curly or straight, dashes change, a word breaks
across a line with a hyphen, an ellipsis stands for omitted words.  Both sides
are therefore compared as sequences of normalised words, and every passage
word keeps its character offsets so a match maps back to an exact span of
``Passage.text``.

Candidates come from the engine (an any-word query over the quote's longer
words); each candidate is then aligned word by word.  Attributing a quote to a
source that does not contain it is the worst mistake this module can make, so
a fuzzy match must clear ``DEFAULT_THRESHOLD``, chosen by
``tests/benchmarks/quote_attribution.py`` for zero false attributions.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from rapidfuzz import fuzz
from rapidfuzz.distance import Levenshtein

from pinpoint.index.errors import BadQuery, UnknownPassage
from pinpoint.index.search.engine import Searcher
from pinpoint.index.search.syntax import Or, Phrase
from pinpoint.index.records import Passage, SearchRequest, Source

# Measured by `.venv/bin/python -m tests.benchmarks.quote_attribution` (seed
# 20261123, 611 negatives; --seed 7, 614 more) with EDIT_COST_CAP = 20: no
# negative is attributed from 0.875 up; the closest reached 0.85, which is
# three edits in a sentence of 20+ words.  0.875 lies halfway between that and
# two edits in 20 words (0.9): it admits one edited word from 8 words on, two
# from 16, and ~3% of the words of a paragraph.  Near-miss recall (8+ words,
# one or two words dropped, changed or added, "&" for "and"): 97.4% on both
# seeds (was 61.2% with a cap of 15, which allowed one edit only).
DEFAULT_THRESHOLD = 0.875

# Fewer words than this occur by chance in any corpus: refuse them outright.
MIN_QUOTE_WORDS = 3
# Below this many words a quote is attributed only when it occurs verbatim:
# one changed word in a six-word phrase leaves too little to be sure of (and
# at DEFAULT_THRESHOLD one edit needs eight words anyway).
FUZZY_MIN_WORDS = 8
# Each changed, dropped or added word costs 1/min(words, EDIT_COST_CAP) of the
# similarity: a long sentence with several content words replaced says
# something else, however many words it shares with the source; two slips in
# 20 words is ordinary copying.  Quotes of paragraph length (over
# EDIT_COST_CAP / LONG_QUOTE_EDIT_SHARE words) may differ in proportion to
# their length: copying noise grows with the text.
EDIT_COST_CAP = 20
LONG_QUOTE_EDIT_SHARE = 0.25
# An ellipsis may stand for a clause or a sentence, not for a page.
MAX_ELLIPSIS_GAP_WORDS = 80
CANDIDATE_PASSAGES = 30
QUERY_WORDS = 30  # each word is one query term; the engine allows 64
QUERY_WORD_MIN_CHARS = 4
# Look for the start of long quotes: the chain of passages follows from it.
QUERY_WINDOW_WORDS = 80
HEAD_WORDS = 10
MAX_CHAINED_PASSAGES = 200

# Initialisms first ("U.S.", "e.g." read as one word whether or not the dots
# survived the copy), then words with inner apostrophes ("Japan's").
_WORD = re.compile(
    r"[^\W\d_](?:\.[^\W\d_])+\.?(?!\w)"
    r"|[\w\u00ad]+(?:['\u2019\u2018\u02bc\u2032][\w\u00ad]+)*"
    r"|[&\uff06]"
)
# Symbols that stand for a word: a quote typed with "and" matches a source
# printing "&", and the other way round.
_SYMBOL_WORDS = {"&": "and", "\uff06": "and"}
_APOSTROPHES = str.maketrans(
    {"\u2019": "'", "\u2018": "'", "\u02bc": "'", "\u2032": "'", "\u00ad": None, ".": None}
)
# Three dots (spaced or not, optionally a fourth for a full stop), or the
# ellipsis character, optionally in square brackets as editors write it.
_ELLIPSIS = re.compile(r"\[?\s*(?:\u2026|\.\s?\.\s?\.(?:\s?\.)?)\s*\]?")
_SOFT_BREAK = "\ue000"  # a private-use character: never part of a word
_LINE_HYPHEN = re.compile(r"(?<=\w)[-\u2010\u2011]\s*\n\s*(?=\w)")
_SPACED_HYPHEN = re.compile(r"(?<=[a-z])[-\u2010\u2011] +(?=[a-z])")


class QuoteError(ValueError):
    """A quote that cannot be looked up; the message says why."""


class EmptyQuote(QuoteError):
    def __init__(self) -> None:
        super().__init__("the quote has no words to look up (only punctuation or spaces)")


class QuoteTooShort(QuoteError):
    def __init__(self, words: int):
        super().__init__(
            f"the quote has {words} word{'s' if words != 1 else ''}; at least {MIN_QUOTE_WORDS} are "
            "needed, because shorter phrases occur by chance in many sources"
        )
        self.words = words


@dataclass(frozen=True)
class Token:
    """A normalised word and where it stands in the original text."""

    text: str
    start: int
    end: int


@dataclass(frozen=True)
class QuoteSpan:
    """The part of a quote that runs on into a following passage."""

    passage: Passage
    start: int
    end: int

    @property
    def text(self) -> str:
        return self.passage.text[self.start:self.end]


@dataclass(frozen=True)
class QuoteMatch:
    """Where a quote was found: ``passage.text[start:end]``, plus any passages
    it runs on into (``continued``) when it crosses a passage boundary."""

    passage: Passage
    source: Source
    exact: bool
    similarity: float
    start: int
    end: int
    continued: tuple[QuoteSpan, ...] = ()

    @property
    def matched_text(self) -> str:
        parts = [self.passage.text[self.start:self.end]] + [span.text for span in self.continued]
        return " ".join(parts)

    @property
    def last_passage(self) -> Passage:
        return self.continued[-1].passage if self.continued else self.passage

    @property
    def pages(self) -> tuple[str | None, str | None]:
        """The printed pages the quote itself lies on (not its whole passage): (page, page_end or None)."""
        first, last = self.passage.pages_of(self.start, self.end)
        if self.continued:
            span = self.continued[-1]
            _, end = span.passage.pages_of(span.start, span.end)
            last = end or span.passage.pages_of(span.start, span.end)[0]
        last = last or first
        return first, (last if last != first else None)

    @property
    def paragraph(self) -> int:
        """The paragraph the quote starts in, not the first of its passage."""
        return paragraph_at(self.passage, self.start)

    @property
    def paragraph_end(self) -> int:
        """The paragraph the quote ends in."""
        end = self.continued[-1].end if self.continued else self.end
        return paragraph_at(self.last_passage, max(0, end - 1))


def paragraph_at(passage: Passage, offset: int) -> int:
    """The paragraph number of ``passage.text[offset]``: cleaned text separates
    paragraphs by a blank line (``pinpoint.index.ingest.clean``), and only paragraphs of one
    section share a passage, so each "\\n\\n" before it is one paragraph on."""
    return min(passage.paragraph_end, passage.paragraph + passage.text.count("\n\n", 0, offset))


@dataclass(frozen=True)
class QuoteResult:
    found: bool
    normalized_quote: str
    matches: tuple[QuoteMatch, ...]
    # When nothing is close enough: the best candidate there was, with its
    # similarity, to show as a clue.  Never a match, never to be cited.
    closest: QuoteMatch | None = None


def normalize_word(word: str) -> list[str]:
    """NFKC and case-folded; compatibility forms may split one word into several."""
    if word in _SYMBOL_WORDS:
        return [_SYMBOL_WORDS[word]]
    if word.isascii():  # the common case, and NFKC leaves ASCII alone
        return [word.lower().replace(".", "")]
    folded = unicodedata.normalize("NFKC", word.translate(_APOSTROPHES)).casefold()
    return [m.group().translate(_APOSTROPHES) for m in _WORD.finditer(folded)]


@lru_cache(maxsize=4096)
def tokenize(text: str) -> tuple[Token, ...]:
    """Normalised words of ``text`` with their offsets in ``text`` itself.

    Punctuation, dashes and quotation marks separate words and are otherwise
    ignored, so "U.S.–Japan" and "U.S. - Japan" read the same.
    """
    tokens = []
    for m in _WORD.finditer(text):
        for word in normalize_word(m.group()):
            tokens.append(Token(word, m.start(), m.end()))
    return tuple(tokens)


def _fragment_words(text: str, vocabulary: frozenset[str] | None) -> list[str]:
    text = _LINE_HYPHEN.sub(_SOFT_BREAK, text)
    text = _SPACED_HYPHEN.sub(_SOFT_BREAK, text)
    tokens = tokenize(text)
    words: list[str] = []
    for i, token in enumerate(tokens):
        joined_to_previous = i > 0 and text[tokens[i - 1].end:token.start] == _SOFT_BREAK
        # "secu-\nrity" is "security", but "well-\nknown" is "well-known": the
        # passages decide which, and with none to ask, a line-end hyphen joins.
        if joined_to_previous and (vocabulary is None or words[-1] + token.text in vocabulary):
            words[-1] += token.text
        else:
            words.append(token.text)
    return words


def quote_fragments(quote: str, vocabulary: frozenset[str] | None = None) -> tuple[tuple[str, ...], ...]:
    """The quote's words, split at each ellipsis into fragments that must appear in order."""
    fragments = []
    for piece in _ELLIPSIS.split(quote):
        words = _fragment_words(piece, vocabulary)
        if words:
            fragments.append(tuple(words))
    return tuple(fragments)


def query_for(fragments: Sequence[Sequence[str]]) -> Or | None:
    """An any-word query over the quote's longer words, each a one-word phrase
    in the passage text: built as a tree, so nothing in the quote is read as
    query syntax."""
    words: list[str] = []
    for fragment in fragments:
        words.extend(fragment)
    chosen: list[str] = []
    for word in sorted(dict.fromkeys(words[:QUERY_WINDOW_WORDS]), key=len, reverse=True):
        if len(word) >= QUERY_WORD_MIN_CHARS and word.replace("'", "").isalnum():
            chosen.append(word)
        if len(chosen) == QUERY_WORDS:
            break
    if not chosen:
        chosen = [w for w in dict.fromkeys(words) if w.isalnum()][:QUERY_WORDS]
    return Or(tuple(Phrase(w, field="text") for w in chosen)) if chosen else None


@dataclass(frozen=True)
class _Alignment:
    edits: int
    start: int  # token index in the stream, inclusive
    end: int  # exclusive


def _find_exact(fragments: Sequence[Sequence[str]], stream: list[str]) -> _Alignment | None:
    position, first, last = 0, None, None
    for fragment in fragments:
        n = len(fragment)
        limit = len(stream) if first is None else min(len(stream), last + MAX_ELLIPSIS_GAP_WORDS + n)
        found = None
        for i in range(position, limit - n + 1):
            if stream[i] == fragment[0] and stream[i:i + n] == list(fragment):
                found = i
                break
        if found is None:
            return None
        first = found if first is None else first
        last = found + n
        position = last
    return _Alignment(0, first, last)


def _as_letters(*sequences: Sequence[str]) -> list[str]:
    """Each distinct word as one character: rapidfuzz compares strings far
    faster than lists, and word-level edits stay word-level."""
    codes: dict[str, str] = {}
    return ["".join(codes.setdefault(w, chr(0x100 + len(codes))) for w in seq) for seq in sequences]


def _align_fragment(fragment: Sequence[str], stream: list[str], lo: int, hi: int) -> _Alignment:
    """Best fit of the whole fragment against any window of ``stream[lo:hi]``."""
    if hi <= lo:
        return _Alignment(len(fragment), lo, lo)
    needle, haystack = _as_letters(fragment, stream[lo:hi])
    rough = fuzz.partial_ratio_alignment(needle, haystack)
    if len(needle) <= len(haystack):
        s0, e0 = rough.dest_start, rough.dest_end
    else:  # the fragment is the longer: rapidfuzz aligned the haystack inside it
        s0, e0 = 0, len(haystack)
    slack = 2 + min(len(needle) // 20, 4)

    def cost(s: int, e: int) -> tuple[int, int, int, int]:
        return (Levenshtein.distance(needle, haystack[s:e]), abs((e - s) - len(needle)), s, e)

    starts = range(max(0, s0 - slack), min(len(haystack) - 1, s0 + slack) + 1)
    if len(needle) <= 100:
        best = min(
            (cost(s, e) for s in starts for e in range(max(s + 1, e0 - slack), min(len(haystack), e0 + slack) + 1)),
            default=None,
        )
    else:  # long fragments: settle the start, then the end (the grid costs too much)
        e0 = max(e0, min(starts, default=0) + 1)
        best = min((cost(s, e0) for s in starts if s < e0), default=None)
        if best is not None:
            s = best[2]
            best = min(cost(s, e) for e in range(max(s + 1, e0 - slack), min(len(haystack), e0 + slack) + 1))
    if best is None:
        return _Alignment(len(fragment), lo, lo)
    edits, _, s, e = best
    return _Alignment(edits, lo + s, lo + e)


def _align(fragments: Sequence[Sequence[str]], stream: list[str]) -> _Alignment:
    first = None
    position, total = 0, 0
    for fragment in fragments:
        hi = len(stream) if first is None else min(len(stream), position + MAX_ELLIPSIS_GAP_WORDS + len(fragment))
        part = _align_fragment(fragment, stream, position, hi)
        total += part.edits
        first = part.start if first is None else first
        position = part.end
    return _Alignment(total, first or 0, position)


def _opening(fragments: Sequence[Sequence[str]], stream: list[str]) -> int | None:
    """Where the quote's opening words stand in ``stream``, if they do, nearly verbatim
    or as a verbatim tail of ``stream`` (a quote running on into the next passage)."""
    first = list(fragments[0])
    head = first[:HEAD_WORDS]
    found = _align_fragment(head, stream, 0, len(stream))
    if found.edits <= len(head) // 4:
        return found.start
    for k in range(min(len(first), len(stream)), 1, -1):
        if stream[-k:] == first[:k]:
            return len(stream) - k
    return None


def similarity(edits: int, words: int) -> float:
    """1 for a verbatim quote, less per word edit by 1/min(words, EDIT_COST_CAP),
    or for quotes of paragraph length by 1/(words * LONG_QUOTE_EDIT_SHARE)."""
    return max(0.0, 1.0 - edits / max(min(words, EDIT_COST_CAP), words * LONG_QUOTE_EDIT_SHARE))


class _Chain:
    """Consecutive passages of one source read as a single word stream."""

    def __init__(self, searcher: Searcher, first: Passage):
        self._searcher = searcher
        self.passages = [first]
        self.tokens: list[tuple[int, Token]] = [(0, t) for t in tokenize(first.text)]

    @property
    def words(self) -> list[str]:
        return [t.text for _, t in self.tokens]

    def extend(self) -> bool:
        if len(self.passages) >= MAX_CHAINED_PASSAGES:
            return False
        last = self.passages[-1]
        try:
            following = self._searcher.passage(last.source_id, last.number + 1)
        except UnknownPassage:
            return False
        self.passages.append(following)
        index = len(self.passages) - 1
        self.tokens.extend((index, t) for t in tokenize(following.text))
        return True

    def spans(self, start: int, end: int) -> list[QuoteSpan]:
        """Token range -> one character span per passage it touches."""
        per_passage: dict[int, list[Token]] = {}
        for index, token in self.tokens[start:end]:
            per_passage.setdefault(index, []).append(token)
        return [
            QuoteSpan(self.passages[i], tokens[0].start, tokens[-1].end)
            for i, tokens in sorted(per_passage.items())
        ]


def _locate(searcher: Searcher, passage: Passage, fragments, words: int) -> tuple[_Alignment, _Chain]:
    chain = _Chain(searcher, passage)
    stream = chain.words
    exact = _find_exact(fragments, stream)
    if exact is not None:
        return exact, chain
    opening = _opening(fragments, stream)
    if opening is not None:
        # The quote opens in this passage: read on through the following
        # passages as far as its words (and any ellipsis gaps) could reach,
        # then align once.  A chain that starts earlier is another candidate's.
        reach = opening + words + words // 8 + 2 + MAX_ELLIPSIS_GAP_WORDS * (len(fragments) - 1)
        while len(chain.tokens) < reach and chain.extend():
            pass
        if len(chain.passages) > 1:
            stream = chain.words
            exact = _find_exact(fragments, stream)
            if exact is not None:
                return exact, chain
    return _align(fragments, stream), chain


def find_quote(
    searcher: Searcher, quote: str, *, limit: int = 5, threshold: float = DEFAULT_THRESHOLD
) -> QuoteResult:
    """Passages that contain ``quote`` verbatim (after normalisation) or nearly so.

    Raises ``EmptyQuote`` or ``QuoteTooShort`` for quotes that cannot be
    attributed; returns ``found=False`` and no matches when no passage is
    close enough.
    """
    if limit < 1:
        raise QuoteError("limit must be at least 1")
    if not 0.0 < threshold <= 1.0:
        raise QuoteError(f"threshold must be in (0, 1], not {threshold}")
    rough = quote_fragments(quote)
    words = sum(len(f) for f in rough)
    if words == 0:
        raise EmptyQuote()
    if words < MIN_QUOTE_WORDS:
        raise QuoteTooShort(words)

    candidates = _candidates(searcher, rough)
    vocabulary = frozenset(t.text for p in candidates for t in tokenize(p.text))
    fragments = quote_fragments(quote, vocabulary)
    words = sum(len(f) for f in fragments)
    normalized = " … ".join(" ".join(f) for f in fragments)

    found: dict[tuple, tuple[tuple, QuoteMatch]] = {}
    closest: tuple[float, int, _Alignment, _Chain] | None = None
    for rank, passage in enumerate(candidates):
        alignment, chain = _locate(searcher, passage, fragments, words)
        score = similarity(alignment.edits, words)
        # Short quotes are attributed only verbatim: one changed word in a
        # six-word phrase leaves too little to be sure of.
        if alignment.edits and (score < threshold or words < FUZZY_MIN_WORDS):
            if score > 0 and (closest is None or (score, -rank) > closest[:2]):
                closest = (score, -rank, alignment, chain)
            continue
        match = _match(searcher, alignment, chain, score)
        if match is None:
            continue
        head = match
        spans = [match, *match.continued]
        key = (head.passage.id, head.start, spans[-1].passage.id, spans[-1].end)
        order = (not match.exact, -match.similarity, rank)
        if key not in found or order < found[key][0]:
            found[key] = (order, match)
    ranked = [m for _, m in sorted(found.values(), key=lambda pair: pair[0])]
    nearest = None
    if not ranked and closest is not None:
        nearest = _match(searcher, closest[2], closest[3], closest[0])
    return QuoteResult(found=bool(ranked), normalized_quote=normalized, matches=tuple(ranked[:limit]),
                       closest=nearest)


def _match(searcher: Searcher, alignment: _Alignment, chain: _Chain, score: float) -> QuoteMatch | None:
    spans = chain.spans(alignment.start, alignment.end)
    if not spans:
        return None
    head = spans[0]
    return QuoteMatch(
        passage=head.passage,
        source=searcher.source(head.passage.source_id),
        exact=alignment.edits == 0,
        similarity=round(score, 4),
        start=head.start,
        end=head.end,
        continued=tuple(spans[1:]),
    )


def _candidates(searcher: Searcher, fragments) -> list[Passage]:
    query = query_for(fragments)
    if query is None:
        return []
    try:
        # Only the passages' text is aligned: no excerpts to mark, no facets to count.
        result = searcher.search(
            SearchRequest(q="", query=query, limit=CANDIDATE_PASSAGES, highlight=False, facets=False)
        )
    except BadQuery:
        # Every word was one the index never stores (stop words): nothing to align against.
        return []
    return [hit.passage for hit in result.hits]
