"""Whoosh's matcher tree for a query, as plain nodes, for ``column_scoring`` to evaluate array-wise.

``Builder`` follows Whoosh's own ``matcher`` methods (whoosh.query, 2.7) for
the query classes Pinpoint compiles: which terms, which BM25F scorer with
which idf and average length, which boosts, and how the sums are grouped,
arranged by Whoosh's own tree builders.  No posting is read: building
Whoosh's matchers positions every intersection on its first common document
by leapfrogging postings in Python, which cost as much as the scoring the
columns replace.  Any other query class raises ``Unsupported``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from whoosh import query as wq
from whoosh.searching import SearchContext
from whoosh.util import make_weighted_tree

if TYPE_CHECKING:  # column_scoring evaluates these nodes and imports this module
    from pinpoint.index.search.whoosh.column_scoring import Segment


class Unsupported(Exception):
    """The query, or the index, needs Whoosh's own path."""


class Node:
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


class Leaf(Node):
    __slots__ = ("fieldname", "tbytes", "scorer")

    def __init__(self, fieldname, tbytes, scorer):
        self.fieldname, self.tbytes, self.scorer = fieldname, tbytes, scorer


class Null(Node):
    __slots__ = ()


class Boost(Node):  # WrappingMatcher: the child's score times ``boost``
    __slots__ = ("child", "boost")

    def __init__(self, child, boost):
        self.child, self.boost = child, boost


class Live(Node):  # FilterMatcher(exclude=True) over a segment's deleted documents
    __slots__ = ("child",)

    def __init__(self, child):
        self.child = child


class Pair(Node):
    __slots__ = ("kind", "a", "b")

    def __init__(self, kind, a, b):
        self.kind, self.a, self.b = kind, a, b


class ArrayUnion(Node):  # ArrayUnionMatcher
    __slots__ = ("children", "boost", "scored")

    def __init__(self, children, boost, scored):
        self.children, self.boost, self.scored = children, boost, scored


class Constant(Node):  # ListMatcher(all_weights=score) over a child's documents
    __slots__ = ("child", "score")

    def __init__(self, child, score):
        self.child, self.score = child, score


class Inverse(Node):  # InverseMatcher: every live document the child lacks, weight 1
    __slots__ = ("child",)

    def __init__(self, child):
        self.child = child


def union(a, b):
    return Pair("union", a, b)


def intersection(a, b):
    return Pair("intersection", a, b)


class Builder:
    """Whoosh's ``Query.matcher`` for the query classes Pinpoint compiles, as nodes.

    Each method follows the Whoosh method it names (whoosh.query, 2.7), so
    the tree has the same shape, the same scorers and the same boosts.
    """

    def __init__(self, segment: Segment):
        self.segment = segment
        self.searcher = segment.searcher
        self.reader = segment.reader

    def build(self, q, context) -> Node:
        kind = type(q)
        if kind is wq.Term:
            return self.term(q, context)
        if kind in (wq.And, wq.Or):
            subs = q.subqueries
            if not subs:
                return Null()
            if len(subs) == 1:
                return self.build(subs[0], context)
            return self.conjunction(q, context) if kind is wq.And else self.disjunction(q, context)
        if kind is wq.Not:
            return Inverse(self.build(q.query, self.searcher.boolean_context()))
        if kind is wq.AndNot:
            return Pair("and_not", self.build(q.a, context), self.build(q.b, self.searcher.boolean_context()))
        if kind is wq.NumericRange:
            return self.build(q._compile_query(self.reader), context)
        if kind is wq.ConstantScoreQuery:  # ConstantScoreQuery.matcher
            context = context or SearchContext()
            child = self.build(q.child, context)
            if context.needs_current or type(child) is Null:
                return child
            return Constant(child, q.score)
        if kind in (wq.TermRange, wq.Prefix, wq.Wildcard) and kind.matcher is wq.MultiTerm.matcher:
            return self.multiterm(q, context)
        if q is wq.NullQuery:
            return Null()
        raise Unsupported(kind.__name__)

    def term(self, q, context) -> Node:  # Term.matcher, Searcher.postings, SegmentReader.postings
        fieldname = q.fieldname
        schema = self.searcher.schema
        if fieldname not in schema:
            return Null()
        try:
            text = schema[fieldname].to_bytes(q.text)
        except ValueError:
            return Null()
        if self.segment.term(fieldname, text)[0] is None:  # (fieldname, text) not in the reader
            return Null()
        if q.minquality:
            raise Unsupported("a term with a minimum quality")
        weighting = (context.weighting if context is not None else None) or self.searcher.weighting
        node: Node = Leaf(fieldname, text, self.segment.scorer(weighting, fieldname, text))
        if self.segment.deleted:
            node = Live(node)
        if q.boost != 1.0:
            node = Boost(node, q.boost)
        return node

    def _tree(self, q, subs, make, context, weight) -> Node:  # CompoundQuery._tree_matcher
        nodes = [self.build(sub, context) for sub in subs]
        if len(nodes) == 1:
            node = nodes[0]
        else:
            node = make_weighted_tree(make, [(weight(sub), n) for sub, n in zip(subs, nodes)])
        return Boost(node, q.boost) if q.boost != 1.0 else node

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

    def conjunction(self, q, context) -> Node:  # And._matcher
        return self._tree(q, q.subqueries, intersection, context, lambda sub: 0 - self.size(sub))

    def disjunction(self, q, context) -> Node:  # Or._matcher
        if type(q).matcher_type != wq.Or.AUTO_MATCHER or q.scale or q.minmatch:
            raise Unsupported("an Or with its own matcher type, scale or minmatch")
        subs = q.subqueries
        needs_current = context.needs_current if context else True
        if len(subs) < q.TOO_MANY_CLAUSES and (needs_current or len(subs) == 2
                                               or self.searcher.doc_count_all() > 5000):
            # DefaultOr(subs, boost=q.boost).matcher -> CompoundQuery.matcher -> DefaultOr._matcher
            return self._tree(q, subs, union, context, self.size)
        # PreloadedOr._matcher
        scored = context.weighting is not None if context else True
        return ArrayUnion([self.build(sub, context) for sub in subs], q.boost, scored)

    def multiterm(self, q, context) -> Node:  # MultiTerm.matcher
        qs = [wq.Term(q.field(), word) for word in q._btexts(self.reader) if word]
        if not qs:
            return Null()
        if len(qs) == 1:
            return self.build(qs[0], context)
        if q.constantscore:
            context = context.set(weighting=None) if context else SearchContext(weighting=None)
        return self.build(wq.Or(qs, boost=q.boost), context)
