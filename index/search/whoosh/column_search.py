"""A search answered over the segments' posting columns (``columns``), with numpy.

For each segment the query becomes the tree of matchers Whoosh would build
(``column_tree``), evaluated array-wise (``column_scoring``); the segments'
matches are then filtered, ranked as Whoosh's TopCollector ranks them (ties
to the lower document number), grouped one per source as its
CollapseCollector groups them, and counted per source with ``bincount``.
Every match is visited, so totals and facets are exact at no extra cost.

A query holding anything else (phrases, spans, a scorer other than BM25F)
raises ``Unsupported`` and the search runs through Whoosh's collectors as
before; so does a segment without columns (an index built before them).
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from dataclasses import dataclass

import numpy as np

from pinpoint.index.search.whoosh.column_scoring import Evaluator, Matches, Segment
from pinpoint.index.search.whoosh.column_tree import Builder, Unsupported
from pinpoint.index.search.whoosh.columns import SegmentColumns

# Filters (a source, a collection, a year range) repeat from search to search
# while the words change: their document sets are kept, a few per searcher.
FILTERS_KEPT = 32


@dataclass
class Found:
    """What a search over every segment found: the page's documents and the counts."""

    top: list[tuple[int, float]]  # (global document number, score), best first
    total: int
    per_source: dict[str, int]
    timed_out: bool = False  # the segments searched before the deadline are the answer


class SourceOrdinals:
    """Each document's source as a small integer, for counting matches per source with bincount."""

    def __init__(self, source_keys):
        self._source_keys = source_keys
        self._ordinals: np.ndarray | None = None
        self._names: list[str] = []
        self._lock = threading.Lock()

    def count(self, docs: np.ndarray) -> dict[str, int]:
        ordinals = self._load()
        return self.named(np.bincount(ordinals[docs], minlength=len(self._names)))

    def of(self, docs: np.ndarray) -> np.ndarray:
        return self._load()[docs]

    def named(self, counts: np.ndarray) -> dict[str, int]:
        return {self._names[i]: int(counts[i]) for i in np.flatnonzero(counts)}

    def has_unnamed(self) -> bool:
        self._load()
        return "" in self._names

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
        self._segments: list[Segment] = []
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
            self._segments.append(Segment(sub, offset, columns))

    def search(self, scored_query, filter_query, keep: int, count_sources: bool,
               deadline: float | None = None, group_by_source: bool = False) -> Found:
        """The best ``keep`` documents of ``scored_query`` within ``filter_query``, with exact counts.

        With ``group_by_source``, the best document of each source (``_grouped``).
        Past ``deadline`` (time.monotonic()) no further segment is searched.
        Raises ``Unsupported`` when the query needs Whoosh's own path.
        """
        if group_by_source and self._source_ordinals.has_unnamed():
            self.declined += 1
            raise Unsupported("documents without a source")
        context = self._searcher.context()
        docs_parts, score_parts = [], []
        timed_out = False
        try:
            for segment in self._segments:
                if deadline is not None and time.monotonic() > deadline:
                    timed_out = True
                    break
                tree = Builder(segment).build(scored_query, context)
                found = Evaluator(segment, scored=True).run(tree)
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
        if group_by_source:
            return self._grouped(docs, scores, keep, timed_out)
        per_source = self._source_ordinals.count(docs) if count_sources else {}
        return Found(top=_best(docs, scores, keep), total=len(docs), per_source=per_source, timed_out=timed_out)

    def _grouped(self, docs: np.ndarray, scores: np.ndarray, keep: int, timed_out: bool) -> Found:
        """One document per source, as Whoosh's CollapseCollector (limit 1) under its FacetCollector gives them.

        Documents arrive in document order; a source keeps its first document
        and each later one that scores strictly higher, and every one it keeps
        is counted for the facets (a replaced one is not uncounted).  The page
        is the best of the kept documents, the total the number of sources.
        """
        sources = self._source_ordinals.of(docs)
        order = np.argsort(sources, kind="stable")  # by source, then document number
        sources, docs, scores = sources[order], docs[order], scores[order]
        first = np.ones(len(sources), dtype=bool)
        first[1:] = sources[1:] != sources[:-1]
        # A source's running best, compared exactly: scores as ranks (equal
        # scores, equal ranks) raised by the source's place, so a running
        # maximum over everything restarts at each source.
        _, ranks = np.unique(scores, return_inverse=True)
        place = np.cumsum(first) - 1
        value = place.astype(np.int64) * (int(ranks.max(initial=0)) + 1) + ranks
        kept = first.copy()
        if len(value) > 1:
            kept[1:] |= value[1:] > np.maximum.accumulate(value)[:-1]
        per_source = self._source_ordinals.named(np.bincount(sources[kept])) if len(sources) else {}
        # The document each source keeps in the end: its best score, the earliest of equals.
        best = np.lexsort((docs, -scores, sources))
        best = best[np.r_[True, sources[best][1:] != sources[best][:-1]]] if len(best) else best
        return Found(top=_best(docs[best], scores[best], keep), total=len(per_source), per_source=per_source,
                     timed_out=timed_out)

    def _allowed(self, filter_query, segment: Segment) -> np.ndarray:
        """Which of the segment's documents ``filter_query`` lets through (a mask), kept for reuse."""
        key = (filter_query, segment.offset)
        with self._lock:
            mask = self._filters.get(key)
            if mask is not None:
                self._filters.move_to_end(key)
                return mask
        # As Whoosh's FilterCollector asks: every document of the filter, unscored.
        tree = Builder(segment).build(filter_query, segment.searcher.boolean_context())
        docs = Evaluator(segment, scored=False).run(tree).docs
        mask = np.zeros(segment.size, dtype=bool)
        mask[docs] = True
        with self._lock:
            self._filters[key] = mask
            while len(self._filters) > FILTERS_KEPT:
                self._filters.popitem(last=False)
        return mask


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


__all__ = ["ColumnSearch", "SourceOrdinals", "Unsupported"]
