"""Pinpoint's query tree (``index.search.syntax``) into OpenSearch's query DSL.

The same shape as the Whoosh compiler: an unfielded word or phrase is sought
in the passage text and in the source title, the title at
``Ranking.title_boost``, and the two scores add up (a ``bool`` of ``should``
clauses, as Whoosh's ``Or``).  A word the analyzer splits joins its pieces the
way the query joins its words.  Filters go to the ``filter`` context, so they
narrow without scoring.  The highlight query holds only the words and phrases
that made a passage match, all aimed at the passage text, so a title match
marks the same word in the text and words under NOT never mark anything.
"""

from __future__ import annotations

from dataclasses import dataclass

from pinpoint.index.errors import BadQuery
from pinpoint.index.search.opensearch.mapping import DEFAULT_RANKING, Ranking, query_words
from pinpoint.index.search.syntax import (
    MAX_QUERY_TERMS,
    TEXT_FIELDS,
    And,
    FieldWords,
    Node,
    Not,
    Or,
    Phrase,
    QuerySyntaxError,
    SearchQuery,
    SourceIs,
    CollectionIs,
    Word,
    YearRange,
    positive_leaves,
)

DEFAULT_FIELDS = ("text", "title")
STEMMED_FIELDS = frozenset({"text", "title", "heading"})
MATCH_NONE = {"match_none": {}}


@dataclass(frozen=True)
class Plan:
    """A compiled request body's parts: the query, what to mark, and the words to spell-check."""

    query: dict
    highlight: dict | None
    # (typed word, start, end) of unfielded or text-field words, for the did-you-mean.
    words: tuple[tuple[str, int, int], ...]


class OpenSearchCompiler:
    def __init__(self, ranking: Ranking = DEFAULT_RANKING):
        self.ranking = ranking
        self.boosts = {"text": 1.0, "title": ranking.title_boost}

    def plan(self, query: SearchQuery) -> Plan:
        scored = self.scored(query.root, match_all=query.match_all)
        filters = self.filters(query.filters)
        if scored is None:
            if not filters:  # every word was one the index never stores
                raise BadQuery("empty query: type some words or choose a filter")
            scored = {"match_all": {}}
        body = {"bool": {"must": [scored], "filter": filters}} if filters else scored
        return Plan(query=body, highlight=self.highlight_query(query.root), words=tuple(self._spelled(query.root)))

    def scored(self, root: Node | None, *, match_all: bool) -> dict | None:
        if root is None:
            return None
        self._terms: set[str] = set()
        compiled = self._node(root, match_all)
        if len(self._terms) > MAX_QUERY_TERMS:
            raise BadQuery(f"query has {len(self._terms)} terms; the limit is {MAX_QUERY_TERMS}")
        return compiled

    def filters(self, filters) -> list[dict]:
        parts: list[dict] = []
        for item in filters:
            if isinstance(item, FieldWords):
                words = query_words(item.text, stemmed=item.field in STEMMED_FIELDS, ranking=self.ranking)
                if not words:
                    raise BadQuery(f"{item.field} filter {item.text!r} has no searchable words")
                parts.extend({"match": {item.field: {"query": w}}} for w, _, _ in words)
            elif isinstance(item, SourceIs):
                parts.append({"term": {"source_id": item.source_id}})
            elif isinstance(item, CollectionIs):
                parts.append({"term": {"collection": item.name.lower()}})
            elif isinstance(item, YearRange):
                parts.append(_year(item))
        return parts

    def highlight_query(self, root: Node | None) -> dict | None:
        clauses = []
        for leaf in positive_leaves(root):
            if leaf.field is not None and leaf.field not in TEXT_FIELDS:
                continue
            compiled = self._leaf(leaf, "text", 1.0, match_all=False, count=False)
            if compiled is not None:
                clauses.append(compiled)
        if not clauses:
            return None
        return {"bool": {"should": clauses}}

    def _spelled(self, root: Node | None):
        for leaf in positive_leaves(root):
            if isinstance(leaf, Word) and (leaf.field is None or leaf.field in TEXT_FIELDS) and leaf.start is not None:
                for word, start, end in query_words(leaf.text, ranking=self.ranking):
                    yield word, leaf.start + start, leaf.start + end

    def _node(self, node: Node, match_all: bool) -> dict | None:
        if isinstance(node, (And, Or)):
            children = [c for c in (self._node(child, match_all) for child in node.children) if c is not None]
            if not children:
                return None
            if isinstance(node, Or):
                return children[0] if len(children) == 1 else {"bool": {"should": children, "minimum_should_match": 1}}
            must = [c for c, child in zip(children, node.children) if not _is_not(c)]
            must_not = [c["bool"]["must_not"][0] for c in children if _is_not(c)]
            if len(must) == 1 and not must_not:
                return must[0]
            body = {"must": must} if must else {"must": [{"match_all": {}}]}
            if must_not:
                body["must_not"] = must_not
            return {"bool": body}
        if isinstance(node, Not):
            inner = self._node(node.child, match_all)
            if inner is None:
                return None
            return {"bool": {"must": [{"match_all": {}}], "must_not": [inner]}}
        if isinstance(node, YearRange):
            return _year(node)
        if node.field is None:
            per_field = [self._leaf(node, name, self.boosts[name], match_all=match_all) for name in DEFAULT_FIELDS]
            per_field = [q for q in per_field if q is not None]
            if not per_field:
                return None
            return per_field[0] if len(per_field) == 1 else {"bool": {"should": per_field, "minimum_should_match": 1}}
        return self._leaf(node, node.field, 1.0, match_all=match_all)

    def _leaf(self, node: Word | Phrase, field: str, boost: float, *, match_all: bool, count: bool = True) -> dict | None:
        compiled = self._leaf_query(node, field, boost, match_all=match_all, count=count)
        if compiled is not None and field == "text" and node.start is not None:
            # Named by where it was typed, so a hit reports which typed words its passage
            # holds (OpenSearch's matched_queries), as a passage's "Missing: ..." needs.
            kind, body = next(iter(compiled.items()))
            if kind == "bool":
                body["_name"] = typed_name(node)
            else:
                next(iter(body.values()))["_name"] = typed_name(node)
        return compiled

    def _leaf_query(self, node: Word | Phrase, field: str, boost: float, *, match_all: bool,
                    count: bool = True) -> dict | None:
        if field == "year":  # the parser reads year values itself; anything else here is not one
            raise QuerySyntaxError(f"year:{node.text} is not a year or a range like 2010..2014", node.start)
        if field == "source":
            return {"term": {"source_id": {"value": node.text, "boost": boost}}}
        if field == "collection":
            return {"term": {"collection": {"value": node.text.lower(), "boost": boost}}}
        words = [w for w, _, _ in query_words(node.text, stemmed=field in STEMMED_FIELDS, ranking=self.ranking)]
        if not words:
            return None
        if count:
            self._terms.update(words)
        if isinstance(node, Phrase) and len(words) > 1:
            # Whoosh's slop counts positions apart (1: adjacent); Lucene's counts moves (0: adjacent).
            # The typed text, not ``words``: the cluster's analyzer leaves the same
            # position gaps for stop words as it left when indexing.
            return {"match_phrase": {field: {"query": node.text, "slop": max(0, node.slop - 1), "boost": boost}}}
        terms = [{"match": {field: {"query": w, "boost": boost}}} for w in words]
        if len(terms) == 1:
            return terms[0]
        return {"bool": {"must": terms}} if match_all else {"bool": {"should": terms, "minimum_should_match": 1}}


def typed_name(node: Word | Phrase) -> str:
    """The name a typed word's clause carries in the request body (``_name``)."""
    return f"typed:{node.start}"


def _is_not(compiled: dict) -> bool:
    body = compiled.get("bool", {})
    return set(body) == {"must", "must_not"} and body["must"] == [{"match_all": {}}] and len(body["must_not"]) == 1


def _year(node: YearRange) -> dict:
    if node.exact:
        return {"term": {"year": node.low}}
    bounds = {}
    if node.low is not None:
        bounds["gte"] = node.low
    if node.high is not None:
        bounds["lte"] = node.high
    return {"range": {"year": bounds}}
