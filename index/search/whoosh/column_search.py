"""A Whoosh query scored with numpy over the segments' posting columns (``columns``).

The query is turned into the tree of matchers Whoosh would build for it
(which terms, which BM25F scorer with which idf and average length, which
boost, and how the sums are grouped: ``_Builder`` follows Whoosh's own
``matcher`` methods, with Whoosh's tree builders), without reading a posting
(building Whoosh's own matchers positions every intersection on its first
match, which cost as much as the scoring), and the tree is evaluated
array-wise: a leaf's postings come from its column, a union adds where both
sides match, an intersection keeps the common documents, a boost multiplies.  Every score is the same expression over the same float64 numbers
Whoosh's scorer computes, applied in the same order, so scores, ranking and
ties are those of the Whoosh path exactly (tests/test_column_search.py holds
the two paths side by side).  Every match is visited, so totals and facets
are exact at no extra cost.

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
from whoosh import query as wq
from whoosh import scoring
from whoosh.reading import TermNotFound
from whoosh.searching import SearchContext
from whoosh.util import make_weighted_tree

from pinpoint.index.search.whoosh.columns import SegmentColumns
from pinpoint.index.search.whoosh.lengths import segment_lengths

# Filters (a source, a collection, a year range) repeat from search to search
# while the words change: their document sets are kept, a few per searcher.
FILTERS_KEPT = 32
# Per segment, what a term's lookups found (Whoosh's term information, its
# scorer, its column): each took a read of Whoosh's term table, four per term
# and segment, and common words come back search after search.
TERMS_KEPT = 20_000


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
                tree = _Builder(segment).build(scored_query, context)
                found = _Evaluator(segment, scored=True).run(tree)
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

    def _allowed(self, filter_query, segment: _Segment) -> np.ndarray:
        """Which of the segment's documents ``filter_query`` lets through (a mask), kept for reuse."""
        key = (filter_query, segment.offset)
        with self._lock:
            mask = self._filters.get(key)
            if mask is not None:
                self._filters.move_to_end(key)
                return mask
        # As Whoosh's FilterCollector asks: every document of the filter, unscored.
        tree = _Builder(segment).build(filter_query, segment.searcher.boolean_context())
        docs = _Evaluator(segment, scored=False).run(tree).docs
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


class _Node:
    """A matcher as Whoosh would build it, without reading a posting.

    Whoosh's weighted trees sort (estimated size, matcher) pairs; between
    matchers of equal weight its comparisons always answer "not less", so
    the sort keeps their order.  Nodes compare the same way, and Whoosh's
    own tree builders (``make_weighted_tree``, ``make_binary_tree``) arrange
    them exactly as they arrange its matchers.
    """

    __slots__ = ()

    def __lt__(self, other):
        return False


class _Leaf(_Node):
    __slots__ = ("fieldname", "tbytes", "scorer")

    def __init__(self, fieldname, tbytes, scorer):
        self.fieldname, self.tbytes, self.scorer = fieldname, tbytes, scorer


class _Null(_Node):
    __slots__ = ()


class _Boost(_Node):  # WrappingMatcher: the child's score times ``boost``
    __slots__ = ("child", "boost")

    def __init__(self, child, boost):
        self.child, self.boost = child, boost


class _Live(_Node):  # FilterMatcher(exclude=True) over a segment's deleted documents
    __slots__ = ("child",)

    def __init__(self, child):
        self.child = child


class _Pair(_Node):
    __slots__ = ("kind", "a", "b")

    def __init__(self, kind, a, b):
        self.kind, self.a, self.b = kind, a, b


class _ArrayUnion(_Node):  # ArrayUnionMatcher
    __slots__ = ("children", "boost", "scored")

    def __init__(self, children, boost, scored):
        self.children, self.boost, self.scored = children, boost, scored


class _Constant(_Node):  # ListMatcher(all_weights=score) over a child's documents
    __slots__ = ("child", "score")

    def __init__(self, child, score):
        self.child, self.score = child, score


class _Inverse(_Node):  # InverseMatcher: every live document the child lacks, weight 1
    __slots__ = ("child",)

    def __init__(self, child):
        self.child = child


def _union(a, b):
    return _Pair("union", a, b)


def _intersection(a, b):
    return _Pair("intersection", a, b)


class _Builder:
    """Whoosh's ``Query.matcher`` for the query classes Pinpoint compiles, as nodes.

    Each method follows the Whoosh method it names (whoosh.query, 2.7), so
    the tree has the same shape, the same scorers and the same boosts.
    """

    def __init__(self, segment: _Segment):
        self.segment = segment
        self.searcher = segment.searcher
        self.reader = segment.reader

    def build(self, q, context) -> _Node:
        kind = type(q)
        if kind is wq.Term:
            return self.term(q, context)
        if kind in (wq.And, wq.Or):
            subs = q.subqueries
            if not subs:
                return _Null()
            if len(subs) == 1:
                return self.build(subs[0], context)
            return self.conjunction(q, context) if kind is wq.And else self.disjunction(q, context)
        if kind is wq.Not:
            return _Inverse(self.build(q.query, self.searcher.boolean_context()))
        if kind is wq.AndNot:
            return _Pair("and_not", self.build(q.a, context), self.build(q.b, self.searcher.boolean_context()))
        if kind is wq.NumericRange:
            return self.build(q._compile_query(self.reader), context)
        if kind is wq.ConstantScoreQuery:  # ConstantScoreQuery.matcher
            context = context or SearchContext()
            child = self.build(q.child, context)
            if context.needs_current or type(child) is _Null:
                return child
            return _Constant(child, q.score)
        if kind in (wq.TermRange, wq.Prefix, wq.Wildcard) and kind.matcher is wq.MultiTerm.matcher:
            return self.multiterm(q, context)
        if q is wq.NullQuery:
            return _Null()
        raise Unsupported(kind.__name__)

    def term(self, q, context) -> _Node:  # Term.matcher, Searcher.postings, SegmentReader.postings
        fieldname = q.fieldname
        schema = self.searcher.schema
        if fieldname not in schema:
            return _Null()
        try:
            text = schema[fieldname].to_bytes(q.text)
        except ValueError:
            return _Null()
        if self.segment.term(fieldname, text)[0] is None:  # (fieldname, text) not in the reader
            return _Null()
        if q.minquality:
            raise Unsupported("a term with a minimum quality")
        weighting = (context.weighting if context is not None else None) or self.searcher.weighting
        node: _Node = _Leaf(fieldname, text, self.segment.scorer(weighting, fieldname, text))
        if self.segment.deleted:
            node = _Live(node)
        if q.boost != 1.0:
            node = _Boost(node, q.boost)
        return node

    def _tree(self, q, subs, make, context, weight) -> _Node:  # CompoundQuery._tree_matcher
        nodes = [self.build(sub, context) for sub in subs]
        if len(nodes) == 1:
            node = nodes[0]
        else:
            node = make_weighted_tree(make, [(weight(sub), n) for sub, n in zip(subs, nodes)])
        return _Boost(node, q.boost) if q.boost != 1.0 else node

    def size(self, q) -> int:  # Query.estimate_size, reading term frequencies through the segment's cache
        kind = type(q)
        if kind is wq.Term:
            schema = self.searcher.schema
            if q.fieldname not in schema:
                return 0
            try:
                text = schema[q.fieldname].to_bytes(q.text)
            except ValueError:
                return 0
            info = self.segment.term(q.fieldname, text)[0]
            return info.doc_frequency() if info is not None else 0
        if kind is wq.Or:  # CompoundQuery.estimate_size
            return min(sum(self.size(sub) for sub in q.subqueries), self.reader.doc_count())
        if kind is wq.And:
            return min(self.size(sub) for sub in q.subqueries)
        return q.estimate_size(self.reader)

    def conjunction(self, q, context) -> _Node:  # And._matcher
        return self._tree(q, q.subqueries, _intersection, context, lambda sub: 0 - self.size(sub))

    def disjunction(self, q, context) -> _Node:  # Or._matcher
        if type(q).matcher_type != wq.Or.AUTO_MATCHER or q.scale or q.minmatch:
            raise Unsupported("an Or with its own matcher type, scale or minmatch")
        subs = q.subqueries
        needs_current = context.needs_current if context else True
        if len(subs) < q.TOO_MANY_CLAUSES and (needs_current or len(subs) == 2
                                               or self.searcher.doc_count_all() > 5000):
            # DefaultOr(subs, boost=q.boost).matcher -> CompoundQuery.matcher -> DefaultOr._matcher
            return self._tree(q, subs, _union, context, self.size)
        # PreloadedOr._matcher
        scored = context.weighting is not None if context else True
        return _ArrayUnion([self.build(sub, context) for sub in subs], q.boost, scored)

    def multiterm(self, q, context) -> _Node:  # MultiTerm.matcher
        qs = [wq.Term(q.field(), word) for word in q._btexts(self.reader) if word]
        if not qs:
            return _Null()
        if len(qs) == 1:
            return self.build(qs[0], context)
        if q.constantscore:
            context = context.set(weighting=None) if context else SearchContext(weighting=None)
        return self.build(wq.Or(qs, boost=q.boost), context)


class _Evaluator:
    """Evaluates one segment's node tree array-wise."""

    def __init__(self, segment: _Segment, scored: bool):
        self.segment = segment
        self.scored = scored

    def run(self, node: _Node) -> Matches:
        return _HANDLERS[type(node)](self, node)

    def leaf(self, node: _Leaf) -> Matches:
        found = self.segment.term(node.fieldname, node.tbytes)[2]
        if found is None:
            raise Unsupported(f"no column for {node.fieldname}:{node.tbytes!r}")
        docs, weights = np.asarray(found[0]), np.asarray(found[1])
        if not self.scored:
            return Matches(docs, None)
        return Matches(docs, self._leaf_scores(node, docs, weights))

    def _leaf_scores(self, node: _Leaf, docs: np.ndarray, weights: np.ndarray) -> np.ndarray:
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

    def boosted(self, node: _Boost) -> Matches:
        inner = self.run(node.child)
        if self.scored:
            inner = Matches(inner.docs, inner.scores * node.boost)
        return inner

    def live(self, node: _Live) -> Matches:
        inner = self.run(node.child)
        keep = ~self.segment.deleted_mask[inner.docs]
        return Matches(inner.docs[keep], inner.scores[keep] if self.scored else None)

    def constant(self, node: _Constant) -> Matches:
        inner = self.run(node.child)
        # ListMatcher.weight: its all_weights when set, else 1.0.
        return Matches(inner.docs, np.full(len(inner.docs), node.score or 1.0) if self.scored else None)

    def inverse(self, node: _Inverse) -> Matches:
        inner = self.run(node.child)
        outside = ~self.segment.deleted_mask
        outside[inner.docs] = False
        docs = np.flatnonzero(outside).astype(np.int32)
        return Matches(docs, np.ones(len(docs)) if self.scored else None)

    def pair(self, node: _Pair) -> Matches:
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

    def array_union(self, node: _ArrayUnion) -> Matches:
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
    _Leaf: _Evaluator.leaf,
    _Null: _Evaluator.null,
    _Boost: _Evaluator.boosted,
    _Live: _Evaluator.live,
    _Inverse: _Evaluator.inverse,
    _Constant: _Evaluator.constant,
    _Pair: _Evaluator.pair,
    _ArrayUnion: _Evaluator.array_union,
}
