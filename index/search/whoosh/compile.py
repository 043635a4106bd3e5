"""Pinpoint's query tree (``index.search.syntax``) into Whoosh queries.

An unfielded word or phrase is searched in the passage text and the source
title, the title at ``Ranking.title_boost``.  Words are analysed with the
field's own analyzer, as they were when indexed; a word the analyzer splits
("U.S.-Japan") joins its pieces the way the query joins its words (AND for
match=all, OR for match=any).  Filters never score: they narrow what the
scored query found.
"""

from __future__ import annotations

from dataclasses import dataclass

from whoosh import query as wq

from pinpoint.index.errors import BadQuery
from pinpoint.index.search.highlight import QueryTerms
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
    Word,
    YearRange,
    positive_leaves,
)

DEFAULT_FIELDS = ("text", "title")
# Pinpoint's field names -> the schema's.
SCHEMA_FIELDS = {"source": "source_id"}


@dataclass(frozen=True)
class Plan:
    """A compiled query ready to run: what scores, what filters, what to mark."""

    scored: wq.Query
    filter: wq.Query | None
    terms: QueryTerms


class WhooshCompiler:
    def __init__(self, schema, ranking):
        self.schema = schema
        self.boosts = ranking.field_boosts()

    def plan(self, query: SearchQuery) -> Plan:
        scored = self.scored(query.root, match_all=query.match_all)
        filt = self.filters(query.filters)
        if scored is None:
            if filt is None:  # every word was one the index never stores
                raise BadQuery("empty query: type some words or choose a filter")
            scored = wq.Every()
        return Plan(scored=scored, filter=filt, terms=self.terms(query.root))

    def terms(self, root: Node | None) -> QueryTerms:
        """What to mark: the analysed words and phrases that make a passage match."""
        words: set[str] = set()
        phrases: set[tuple[str, ...]] = set()
        for leaf in positive_leaves(root):
            fieldname = next((f for f in ([leaf.field] if leaf.field else DEFAULT_FIELDS) if f in TEXT_FIELDS), None)
            if fieldname is None:
                continue
            field = self.schema[fieldname]
            if isinstance(leaf, Phrase):
                analysed = tuple(t.text for t in field.tokenize(leaf.text, mode="query"))
                if len(analysed) > 1:
                    phrases.add(analysed)
                    continue
            else:
                analysed = tuple(field.process_text(leaf.text, mode="query", tokenize=True, removestops=True))
            words.update(analysed)
        return QueryTerms(frozenset(words), tuple(sorted(phrases)))

    def scored(self, root: Node | None, *, match_all: bool) -> wq.Query | None:
        if root is None:
            return None
        try:
            compiled = self._node(root, And if match_all else Or)
        except (ValueError, TypeError) as exc:  # a value the schema's field cannot take
            raise BadQuery(f"cannot parse query: {exc}") from exc
        compiled = (compiled or wq.NullQuery).normalize()
        if compiled is wq.NullQuery or isinstance(compiled, type(wq.NullQuery)):
            return None
        # Each word is a leaf in every default field, so count distinct words.
        words = {getattr(leaf, "text", None) or repr(leaf) for leaf in compiled.leaves()}
        if len(words) > MAX_QUERY_TERMS:
            raise BadQuery(f"query has {len(words)} terms; the limit is {MAX_QUERY_TERMS}")
        return compiled

    def filters(self, filters) -> wq.Query | None:
        parts: list[wq.Query] = []
        for item in filters:
            if isinstance(item, FieldWords):
                words = [t.text for t in self.schema[item.field].analyzer(item.text)]
                if not words:
                    raise BadQuery(f"{item.field} filter {item.text!r} has no searchable words")
                parts.extend(wq.Term(item.field, w) for w in words)
            elif isinstance(item, SourceIs):
                parts.append(wq.Term("source_id", item.source_id))
            elif isinstance(item, YearRange):
                parts.append(wq.NumericRange("year", item.low, item.high))
        if not parts:
            return None
        return parts[0] if len(parts) == 1 else wq.And(parts)

    def _node(self, node: Node, implicit: type) -> wq.Query | None:
        if isinstance(node, (And, Or)):
            children = [c for c in (self._node(child, implicit) for child in node.children) if c is not None]
            return (wq.And if isinstance(node, And) else wq.Or)(children)
        if isinstance(node, Not):
            inner = self._node(node.child, implicit)
            return wq.Not(inner) if inner else None
        if isinstance(node, YearRange):
            field = self.schema["year"]
            if node.exact:
                return field.parse_query("year", str(node.low))
            low = str(node.low) if node.low is not None else None
            high = str(node.high) if node.high is not None else None
            return field.parse_range("year", low, high, False, False)
        if node.field is None:
            per_field = [self._leaf(node, name, self.boosts.get(name, 1.0), implicit) for name in DEFAULT_FIELDS]
            return _at(wq.Or([q for q in per_field if q is not None]), node)
        return self._leaf(node, SCHEMA_FIELDS.get(node.field, node.field), 1.0, implicit)

    def _leaf(self, node: Word | Phrase, fieldname: str, boost: float, implicit: type) -> wq.Query | None:
        if fieldname == "year":  # the parser reads year values itself; anything else here is not one
            raise QuerySyntaxError(f"year:{node.text} is not a year or a range like 2010..2014", node.start)
        field = self.schema[fieldname]
        if isinstance(node, Phrase):
            tokens = [(t.text, t.startchar, t.endchar) for t in field.tokenize(node.text, mode="query", chars=True)]
            # Offsets in the query text (past the opening quote): a one-word
            # phrase becomes a word the did-you-mean can find again.
            at = node.start + 1 if node.start is not None else 0
            return _at(wq.Phrase(fieldname, [w for w, _, _ in tokens], slop=node.slop, boost=boost,
                                 char_ranges=[(at + s, at + e) for _, s, e in tokens]), node)
        texts = list(field.process_text(node.text, mode="query", tokenize=True, removestops=True))
        if not texts:
            return None
        if len(texts) > 1:
            joined = wq.And if implicit is And else wq.Or
            return _at(joined([wq.Term(fieldname, t, boost=boost) for t in texts]), node)
        return _at(wq.Term(fieldname, texts[0], boost=boost), node)


def _at(q: wq.Query, node: Word | Phrase) -> wq.Query:
    # The did-you-mean finds each word where it was typed through these.
    if q:
        q.startchar, q.endchar = node.start, node.end
    return q
