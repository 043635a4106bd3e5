"""Evaluating ``column_tree``'s nodes over one segment's posting columns with numpy.

A leaf's postings come from its column, a union adds where both sides match,
an intersection keeps the common documents, a boost multiplies.  Every score
is the expression Whoosh's scorer computes (``scoring.bm25``), over the same
float64 numbers, applied in the same order, and sums are grouped as the tree
groups them, so scores, ranking and ties are Whoosh's exactly
(tests/test_column_search.py holds the two paths side by side).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from whoosh import scoring
from whoosh.reading import TermNotFound

from pinpoint.index.search.whoosh.column_tree import (
    ArrayUnion, Boost, Constant, Inverse, Leaf, Live, Node, Null, Pair, Unsupported)
from pinpoint.index.search.whoosh.columns import SegmentColumns
from pinpoint.index.search.whoosh.lengths import segment_lengths

# Per segment, what a term's lookups found (Whoosh's term information, its
# scorer, its column): each took a read of Whoosh's term table, four per term
# and segment, and common words come back search after search.  An entry
# holds ~2.3 KB (measured with tracemalloc), so the cap bounds it to ~10 MB.
TERMS_KEPT = 4096


@dataclass
class Matches:
    """Documents of one segment (ascending) and, when scored, their scores."""

    docs: np.ndarray
    scores: np.ndarray | None


class Segment:
    """One segment's columns and what scoring them needs, read once per searcher."""

    def __init__(self, searcher, offset: int, columns: SegmentColumns):
        self.searcher = searcher
        self.reader = searcher.reader()
        self.offset = offset
        self.columns = columns
        self.size = self.reader.doc_count_all()
        self._lengths: dict[str, tuple[list, np.ndarray]] = {}
        self.deleted = bool(self.reader.deleted_docs_set)
        self.deleted_mask = np.zeros(self.size, dtype=bool)
        self.deleted_mask[np.fromiter(self.reader.deleted_docs_set, dtype=np.int64)] = True
        self._terms: dict[tuple[str, bytes], list] = {}

    def term(self, fieldname: str, tbytes: bytes) -> list:
        """[Whoosh's TermInfo or None, (weighting, scorer) or None, column postings or None], kept."""
        key = (fieldname, tbytes)
        entry = self._terms.get(key)
        if entry is None:
            try:
                info = self.reader.term_info(fieldname, tbytes)
            except TermNotFound:
                info = None
            postings = self.columns.postings(fieldname, tbytes) if info is not None else None
            if postings is not None and not _agrees(postings[0], info):
                postings = None
            if len(self._terms) >= TERMS_KEPT:
                self._terms.clear()
            entry = self._terms[key] = [info, None, postings]
        return entry

    def scorer(self, weighting, fieldname: str, tbytes: bytes):
        """``weighting.scorer`` for this segment, as Whoosh's Searcher.postings asks for it; kept."""
        entry = self.term(fieldname, tbytes)
        if entry[1] is None or entry[1][0] is not weighting:
            entry[1] = (weighting, weighting.scorer(self.searcher, fieldname, tbytes))
        return entry[1][1]

    def lengths(self, fieldname: str, table: list) -> np.ndarray:
        """The scorer's length table as float64, converted once."""
        known = self._lengths.get(fieldname)
        if known is None or known[0] is not table:
            known = self._lengths[fieldname] = (table, np.asarray(table, dtype=np.float64))
        return known[1]


def _agrees(docs: np.ndarray, info) -> bool:
    """Whether a column holds the postings Whoosh's term information describes."""
    if len(docs) != info.doc_frequency():
        return False
    return not len(docs) or (int(docs[0]) == info.min_id() and int(docs[-1]) == info.max_id())


class Evaluator:
    """Evaluates one segment's node tree array-wise."""

    def __init__(self, segment: Segment, scored: bool):
        self.segment = segment
        self.scored = scored

    def run(self, node: Node) -> Matches:
        return _HANDLERS[type(node)](self, node)

    def leaf(self, node: Leaf) -> Matches:
        found = self.segment.term(node.fieldname, node.tbytes)[2]
        if found is None:
            raise Unsupported(f"no column for {node.fieldname}:{node.tbytes!r}")
        docs, weights = np.asarray(found[0]), np.asarray(found[1])
        if not self.scored:
            return Matches(docs, None)
        return Matches(docs, self._leaf_scores(node, docs, weights))

    def _leaf_scores(self, node: Leaf, docs: np.ndarray, weights: np.ndarray) -> np.ndarray:
        scorer = node.scorer
        tf = weights.astype(np.float64)
        if type(scorer) is scoring.WeightScorer:
            return tf
        if type(scorer) is not scoring.BM25FScorer:
            raise Unsupported(type(scorer).__name__)
        table = segment_lengths(self.segment.reader, node.fieldname)
        if table is None or getattr(scorer.dfl, "__self__", None) is not table:
            raise Unsupported("a scorer reading lengths elsewhere")
        fl = self.segment.lengths(node.fieldname, table)[docs]
        idf, avgfl, b, k1 = scorer.idf, scorer.avgfl, scorer.B, scorer.K1
        # scoring.bm25, term for term and in its order, so every float is Whoosh's.
        return idf * ((tf * (k1 + 1)) / (tf + k1 * ((1 - b) + b * fl / avgfl)))

    def null(self, node) -> Matches:
        return Matches(np.empty(0, dtype=np.int32), np.empty(0) if self.scored else None)

    def boosted(self, node: Boost) -> Matches:
        inner = self.run(node.child)
        if self.scored:
            inner = Matches(inner.docs, inner.scores * node.boost)
        return inner

    def live(self, node: Live) -> Matches:
        inner = self.run(node.child)
        keep = ~self.segment.deleted_mask[inner.docs]
        return Matches(inner.docs[keep], inner.scores[keep] if self.scored else None)

    def constant(self, node: Constant) -> Matches:
        inner = self.run(node.child)
        # ListMatcher.weight: its all_weights when set, else 1.0.
        return Matches(inner.docs, np.full(len(inner.docs), node.score or 1.0) if self.scored else None)

    def inverse(self, node: Inverse) -> Matches:
        inner = self.run(node.child)
        outside = ~self.segment.deleted_mask
        outside[inner.docs] = False
        docs = np.flatnonzero(outside).astype(np.int32)
        return Matches(docs, np.ones(len(docs)) if self.scored else None)

    def pair(self, node: Pair) -> Matches:
        a, b = self.run(node.a), self.run(node.b)
        if node.kind == "union":
            return self._union(a, b)
        keep, at_b = self._common(a, b)
        if node.kind == "intersection":  # AdditiveBiMatcher: a + b
            docs = a.docs[keep]
            return Matches(docs, a.scores[keep] + b.scores[at_b] if self.scored else None)
        keep = ~keep  # and_not: a's documents b lacks, scored by a alone
        return Matches(a.docs[keep], a.scores[keep] if self.scored else None)

    def _union(self, a: Matches, b: Matches) -> Matches:  # UnionMatcher: a + b where both match
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

    def array_union(self, node: ArrayUnion) -> Matches:
        # ArrayUnionMatcher adds each sub-matcher's score times its boost into
        # a zeroed array, sub-matcher by sub-matcher, and skips documents whose
        # sum is not positive; unscored, every match counts 1.
        parts = [self.run(child) for child in node.children]
        size = self.segment.size
        present = np.zeros(size, dtype=bool)
        for part in parts:
            present[part.docs] = True
        if not self.scored:
            return Matches(np.flatnonzero(present).astype(np.int32), None)
        if not node.scored:
            docs = np.flatnonzero(present).astype(np.int32)
            return Matches(docs, np.ones(len(docs)))
        dense = np.zeros(size)
        for part in parts:
            dense[part.docs] += part.scores * node.boost
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
    Leaf: Evaluator.leaf,
    Null: Evaluator.null,
    Boost: Evaluator.boosted,
    Live: Evaluator.live,
    Inverse: Evaluator.inverse,
    Constant: Evaluator.constant,
    Pair: Evaluator.pair,
    ArrayUnion: Evaluator.array_union,
}
