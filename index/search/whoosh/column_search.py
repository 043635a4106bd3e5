"""A Whoosh query scored with numpy over the segments' posting columns (``columns``).

Whoosh builds its matcher tree for the query as it always does (which terms,
which BM25F scorer with which idf and average length, which boost, and how
the sums are grouped), and that tree is then evaluated array-wise instead of
posting by posting: a leaf's postings come from its column, a union adds where
both sides match, an intersection keeps the common documents, a boost
multiplies.  Every score is the same expression over the same float64 numbers
Whoosh's scorer computes, applied in the same order, so scores, ranking and
ties are those of the Whoosh path exactly (tests/test_column_search.py holds
the two paths side by side).  Every match is visited, so totals and facets
are exact at no extra cost.

A tree holding anything else (phrases, spans, a scorer other than BM25F)
raises ``Unsupported`` and the search runs through Whoosh's collectors as
before; so does a segment without columns (an index built before them).
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from dataclasses import dataclass

import numpy as np
from whoosh import scoring
from whoosh.codec.whoosh3 import W3LeafMatcher
from whoosh.matching import (AndMaybeMatcher, AndNotMatcher, ArrayUnionMatcher, FilterMatcher,
                             IntersectionMatcher, ListMatcher, NullMatcherClass, RequireMatcher, UnionMatcher,
                             WrappingMatcher)

from pinpoint.index.search.whoosh.columns import SegmentColumns
from pinpoint.index.search.whoosh.lengths import segment_lengths

# Filters (a source, a collection, a year range) repeat from search to search
# while the words change: their document sets are kept, a few per searcher.
FILTERS_KEPT = 32


class Unsupported(Exception):
    """The query, or the index, needs Whoosh's own path."""


@dataclass
class Matches:
    """Documents of one segment (ascending) and, when scored, their scores."""

    docs: np.ndarray
    scores: np.ndarray | None


@dataclass
class Found:
    """What a search over every segment found: the page's documents and the counts."""

    top: list[tuple[int, float]]  # (global document number, score), best first
    total: int
    per_source: dict[str, int]
    timed_out: bool = False  # the segments searched before the deadline are the answer


class _Segment:
    """One segment's columns and what scoring them needs, read once per searcher."""

    def __init__(self, searcher, offset: int, columns: SegmentColumns):
        self.searcher = searcher
        self.reader = searcher.reader()
        self.offset = offset
        self.columns = columns
        self.size = self.reader.doc_count_all()
        self._lengths: dict[str, tuple[list, np.ndarray]] = {}
        self._deleted = self.reader.deleted_docs_set
        self._deleted_docs = np.array(sorted(self._deleted), dtype=np.int32)

    def lengths(self, fieldname: str, table: list) -> np.ndarray:
        """The scorer's length table as float64, converted once."""
        known = self._lengths.get(fieldname)
        if known is None or known[0] is not table:
            known = self._lengths[fieldname] = (table, np.asarray(table, dtype=np.float64))
        return known[1]

    def id_array(self, ids) -> np.ndarray:
        if ids is self._deleted:
            return self._deleted_docs
        return np.array(sorted(ids), dtype=np.int32)


class SourceOrdinals:
    """Each document's source as a small integer, for counting matches per source with bincount."""

    def __init__(self, source_keys):
        self._source_keys = source_keys
        self._ordinals: np.ndarray | None = None
        self._names: list[str] = []
        self._lock = threading.Lock()

    def count(self, docs: np.ndarray) -> dict[str, int]:
        ordinals = self._load()
        counts = np.bincount(ordinals[docs], minlength=len(self._names))
        return {self._names[i]: int(counts[i]) for i in np.flatnonzero(counts)}

    def _load(self) -> np.ndarray:
        if self._ordinals is None:
            with self._lock:
                if self._ordinals is None:
                    numbers: dict[str, int] = {}
                    ordinals = [numbers.setdefault(key, len(numbers)) for key in self._source_keys.keys()]
                    self._names = list(numbers)
                    self._ordinals = np.array(ordinals, dtype=np.int32)
        return self._ordinals


class ColumnSearch:
    """Column scoring for one Whoosh searcher; ``usable`` is False when a segment has no columns."""

    def __init__(self, searcher, source_ordinals):
        self._searcher = searcher
        self._source_ordinals = source_ordinals
        self._segments: list[_Segment] = []
        self._filters: OrderedDict = OrderedDict()
        self._lock = threading.Lock()
        self.usable = True
        # How many searches the columns answered and how many they left to Whoosh.
        self.answered = 0
        self.declined = 0
        for sub, offset in searcher.leaf_searchers():
            reader = sub.reader()
            segment = getattr(reader, "segment", None)
            columns = SegmentColumns.open(reader.storage(), segment()) if segment else None
            if columns is None:
                self.usable = False
                self._segments = []
                return
            self._segments.append(_Segment(sub, offset, columns))

    def search(self, scored_query, filter_query, keep: int, count_sources: bool,
               deadline: float | None = None) -> Found:
        """The best ``keep`` documents of ``scored_query`` within ``filter_query``, with exact counts.

        Past ``deadline`` (time.monotonic()) no further segment is searched.
        Raises ``Unsupported`` when the query needs Whoosh's own path.
        """
        context = self._searcher.context()
        docs_parts, score_parts = [], []
        timed_out = False
        try:
            for segment in self._segments:
                if deadline is not None and time.monotonic() > deadline:
                    timed_out = True
                    break
                found = _Evaluator(segment, scored=True).run(scored_query.matcher(segment.searcher, context))
                if filter_query is not None and len(found.docs):
                    allowed = self._allowed(filter_query, segment)
                    keep_mask = allowed[found.docs]
                    found = Matches(found.docs[keep_mask], found.scores[keep_mask])
                docs_parts.append(found.docs.astype(np.int64) + segment.offset)
                score_parts.append(found.scores)
        except Unsupported:
            self.declined += 1
            raise
        self.answered += 1
        docs = np.concatenate(docs_parts) if docs_parts else np.empty(0, dtype=np.int64)
        scores = np.concatenate(score_parts) if score_parts else np.empty(0)
        per_source = self._source_ordinals.count(docs) if count_sources else {}
        return Found(top=_best(docs, scores, keep), total=len(docs), per_source=per_source, timed_out=timed_out)

    def _allowed(self, filter_query, segment: _Segment) -> np.ndarray:
        """Which of the segment's documents ``filter_query`` lets through (a mask), kept for reuse."""
        key = (filter_query, segment.offset)
        with self._lock:
            mask = self._filters.get(key)
            if mask is not None:
                self._filters.move_to_end(key)
                return mask
        # As Whoosh's FilterCollector asks: every document of the filter, unscored.
        matcher = filter_query.matcher(segment.searcher, segment.searcher.boolean_context())
        docs = _Evaluator(segment, scored=False).run(matcher).docs
        mask = np.zeros(segment.size, dtype=bool)
        mask[docs] = True
        with self._lock:
            self._filters[key] = mask
            while len(self._filters) > FILTERS_KEPT:
                self._filters.popitem(last=False)
        return mask


def _agrees(docs: np.ndarray, info) -> bool:
    """Whether a column holds the postings Whoosh's term information describes."""
    if len(docs) != info.doc_frequency():
        return False
    return not len(docs) or (int(docs[0]) == info.min_id() and int(docs[-1]) == info.max_id())


def _best(docs: np.ndarray, scores: np.ndarray, keep: int) -> list[tuple[int, float]]:
    """The ``keep`` best by score, ties to the lower document number, as Whoosh's TopCollector keeps them."""
    if keep <= 0 or not len(docs):
        return []
    if len(docs) > keep:
        # Everything scoring at least the keep-th best score, ties included, then ordered exactly.
        threshold = np.partition(scores, len(scores) - keep)[len(scores) - keep]
        chosen = np.flatnonzero(scores >= threshold)
        docs, scores = docs[chosen], scores[chosen]
    order = np.lexsort((docs, -scores))[:keep]
    return [(int(d), float(s)) for d, s in zip(docs[order], scores[order])]


class _Evaluator:
    """Evaluates one segment's matcher tree array-wise."""

    def __init__(self, segment: _Segment, scored: bool):
        self.segment = segment
        self.scored = scored

    def run(self, matcher) -> Matches:
        kind = type(matcher)
        handler = _HANDLERS.get(kind)
        if handler is None:
            raise Unsupported(kind.__name__)
        return handler(self, matcher)

    # Leaves

    def leaf(self, matcher) -> Matches:
        term = matcher.term()
        if term is None:
            raise Unsupported("a posting list without a term")
        fieldname, tbytes = term
        found = self.segment.columns.postings(fieldname, tbytes)
        if found is None or not _agrees(found[0], self.segment.reader.term_info(fieldname, tbytes)):
            raise Unsupported(f"no column for {fieldname}:{tbytes!r}")
        docs, weights = np.asarray(found[0]), np.asarray(found[1])
        if not self.scored:
            return Matches(docs, None)
        return Matches(docs, self._leaf_scores(matcher, fieldname, docs, weights))

    def _leaf_scores(self, matcher, fieldname: str, docs: np.ndarray, weights: np.ndarray) -> np.ndarray:
        scorer = matcher.scorer if isinstance(matcher, W3LeafMatcher) else matcher._scorer
        tf = weights.astype(np.float64)
        if scorer is None or type(scorer) is scoring.WeightScorer:
            return tf
        if type(scorer) is not scoring.BM25FScorer:
            raise Unsupported(type(scorer).__name__)
        table = segment_lengths(self.segment.reader, fieldname)
        if table is None or getattr(scorer.dfl, "__self__", None) is not table:
            raise Unsupported("a scorer reading lengths elsewhere")
        fl = self.segment.lengths(fieldname, table)[docs]
        idf, avgfl, b, k1 = scorer.idf, scorer.avgfl, scorer.B, scorer.K1
        # scoring.bm25, term for term and in its order, so every float is Whoosh's.
        return idf * ((tf * (k1 + 1)) / (tf + k1 * ((1 - b) + b * fl / avgfl)))

    def null(self, matcher) -> Matches:
        return Matches(np.empty(0, dtype=np.int32), np.empty(0) if self.scored else None)

    # Wrappers

    def boosted(self, matcher) -> Matches:
        inner = self.run(matcher.child)
        if self.scored and matcher.boost != 1.0:
            inner = Matches(inner.docs, inner.scores * matcher.boost)
        return inner

    def filtered(self, matcher) -> Matches:
        inner = self.boosted(matcher)
        ids = self.segment.id_array(matcher._ids)
        keep = np.isin(inner.docs, ids, assume_unique=True, invert=matcher._exclude)
        return Matches(inner.docs[keep], inner.scores[keep] if self.scored else None)

    # Combinations (a + b where both match, as AdditiveBiMatcher and UnionMatcher score)

    def union(self, matcher) -> Matches:
        a, b = self.run(matcher.a), self.run(matcher.b)
        if not len(a.docs):
            return b
        if not len(b.docs):
            return a
        size = self.segment.size
        present = np.zeros(size, dtype=bool)
        present[a.docs] = True
        present[b.docs] = True
        docs = np.flatnonzero(present).astype(np.int32)
        if not self.scored:
            return Matches(docs, None)
        # 0.0 + x is x exactly, so a document on one side keeps its score unchanged.
        dense = np.zeros(size)
        dense[a.docs] = a.scores
        dense[b.docs] += b.scores
        return Matches(docs, dense[docs])

    def intersection(self, matcher) -> Matches:
        a, b = self.run(matcher.a), self.run(matcher.b)
        keep, at_b = self._common(a, b)
        docs = a.docs[keep]
        if not self.scored:
            return Matches(docs, None)
        return Matches(docs, a.scores[keep] + b.scores[at_b])

    def required(self, matcher) -> Matches:
        a, b = self.run(matcher.a), self.run(matcher.b)
        keep, _ = self._common(a, b)
        return Matches(a.docs[keep], a.scores[keep] if self.scored else None)

    def and_not(self, matcher) -> Matches:
        a, b = self.run(matcher.a), self.run(matcher.b)
        keep, _ = self._common(a, b)
        keep = ~keep
        return Matches(a.docs[keep], a.scores[keep] if self.scored else None)

    def and_maybe(self, matcher) -> Matches:
        a, b = self.run(matcher.a), self.run(matcher.b)
        if not self.scored or not len(b.docs):
            return a
        keep, at_b = self._common(a, b)
        scores = a.scores.copy()
        scores[keep] = a.scores[keep] + b.scores[at_b]
        return Matches(a.docs, scores)

    def array_union(self, matcher) -> Matches:
        # ArrayUnionMatcher adds each sub-matcher's score times its boost into
        # a zeroed array, sub-matcher by sub-matcher, and skips documents whose
        # sum is not positive.
        parts = [self.run(m) for m in matcher._submatchers]
        size = self.segment.size
        present = np.zeros(size, dtype=bool)
        for part in parts:
            present[part.docs] = True
        if not self.scored:
            return Matches(np.flatnonzero(present).astype(np.int32), None)
        if not matcher._scored:  # every match counts 1
            docs = np.flatnonzero(present).astype(np.int32)
            return Matches(docs, np.ones(len(docs)))
        dense = np.zeros(size)
        for part in parts:
            dense[part.docs] += part.scores * matcher._boost
        docs = np.flatnonzero(present & (dense > 0)).astype(np.int32)
        return Matches(docs, dense[docs])

    @staticmethod
    def _common(a: Matches, b: Matches) -> tuple[np.ndarray, np.ndarray]:
        """(mask over a's documents that b holds, their positions in b)."""
        if not len(a.docs) or not len(b.docs):
            return np.zeros(len(a.docs), dtype=bool), np.empty(0, dtype=np.intp)
        at = np.searchsorted(b.docs, a.docs)
        np.minimum(at, len(b.docs) - 1, out=at)
        keep = b.docs[at] == a.docs
        return keep, at[keep]


_HANDLERS = {
    W3LeafMatcher: _Evaluator.leaf,
    ListMatcher: _Evaluator.leaf,
    NullMatcherClass: _Evaluator.null,
    WrappingMatcher: _Evaluator.boosted,
    FilterMatcher: _Evaluator.filtered,
    UnionMatcher: _Evaluator.union,
    IntersectionMatcher: _Evaluator.intersection,
    RequireMatcher: _Evaluator.required,
    AndNotMatcher: _Evaluator.and_not,
    AndMaybeMatcher: _Evaluator.and_maybe,
    ArrayUnionMatcher: _Evaluator.array_union,
}
