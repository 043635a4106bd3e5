"""Query text and request filters into Whoosh queries, and searches into records.

The syntax is Whoosh's own (AND/OR/NOT, parentheses, "phrases", ``field:``)
narrowed to the fields a reader knows about, plus ``year:2010..2014``.  Errors
the parser would silently paper over (an unclosed quote, an unknown field)
become ``BadQuery`` so the person typing learns why the results look odd.
"""

from __future__ import annotations

import re
import threading
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

from whoosh import collectors, qparser, query as wq, sorting

from pinpoint.index.errors import BadQuery
from pinpoint.index.search.highlight import Highlighter, Marked, QueryTerms
from pinpoint.index.records import Hit, Passage, SearchRequest, SearchResult, Source

UNMARKED = Marked(matches=(), excerpt="", excerpt_html="")

MAX_QUERY_CHARS = 10_000  # a hard guard; the service applies the configurable, lower PINPOINT_MAX_QUERY_CHARS first
MAX_QUERY_TERMS = 64
MAX_RESULT_WINDOW = 10_000  # offset + limit: deeper paging is a scraper, not a reader

DEFAULT_FIELDS = ("text", "title")
QUERY_FIELDS = {"author", "title", "source", "year", "heading", "text", "collection"}
TEXT_FIELDS = {"text", "title", "heading"}

_YEAR_RANGE = re.compile(r"\byear:(\d{1,4})?\.\.(\d{1,4})?(?=\s|\)|$)")
_YEAR_ANY = re.compile(r"\byear:(\[[^\]]*\]\)*|\S*)")
_YEAR_OK = re.compile(r"\d{1,4}\)*|\[(\d{1,4} )?TO( \d{1,4})?\]\)*")
_FIELD_PREFIX = re.compile(r"(?<![\w:])([A-Za-z_]\w*):(?=\S)")
_QUOTED = re.compile(r'"[^"]*"')
_WORD = re.compile(r"\w+(\.?\w+)*")


def _outside_quotes(text: str) -> str:
    return _QUOTED.sub(lambda m: " " * len(m.group()), text)


def _rewrite_year_ranges(text: str) -> str:
    def to_whoosh(m: re.Match) -> str:
        low, high = m.group(1), m.group(2)
        if low is None and high is None:
            raise BadQuery("year range needs at least one year, e.g. year:2010..2014")
        if low and high and int(low) > int(high):
            raise BadQuery(f"year range {low}..{high} runs backwards")
        return f"year:[{low or ''} TO{' ' + high if high else ''}]".replace("[ TO", "[TO")

    return _YEAR_RANGE.sub(to_whoosh, text)


def check_syntax(text: str) -> None:
    """Raise BadQuery for input Whoosh would misread without complaint."""
    if len(text) > MAX_QUERY_CHARS:
        raise BadQuery(f"query is {len(text)} characters long; the limit is {MAX_QUERY_CHARS}")
    if text.count('"') % 2:
        raise BadQuery('unclosed quotation mark: phrases need a closing "')
    bare = _outside_quotes(text)
    depth = 0
    for ch in bare:
        depth += ch == "("
        depth -= ch == ")"
        if depth < 0:
            raise BadQuery("a closing parenthesis has no opening one")
    if depth:
        raise BadQuery("an opening parenthesis is never closed")
    for m in _FIELD_PREFIX.finditer(bare):
        if m.group(1) not in QUERY_FIELDS:
            allowed = ", ".join(sorted(QUERY_FIELDS))
            raise BadQuery(
                f"unknown field {m.group(1)!r}: use one of {allowed}, "
                'or put text containing ":" in quotes'
            )


@dataclass(frozen=True)
class Plan:
    """A parsed query ready to run: what scores, what filters, what to mark."""

    scored: wq.Query
    filter: wq.Query | None
    terms: QueryTerms


class QueryPlanner:
    def __init__(self, schema, ranking):
        self.schema = schema
        self._parsers = {
            group: self._make_parser(schema, ranking, group)
            for group in (qparser.AndGroup, qparser.OrGroup)
        }

    @staticmethod
    def _make_parser(schema, ranking, group) -> qparser.QueryParser:
        parser = qparser.MultifieldParser(
            list(DEFAULT_FIELDS), schema, fieldboosts=ranking.field_boosts(), group=group
        )
        # Wildcards and "*" expand to unbounded term lists; boosts are noise here.
        for plugin in (qparser.WildcardPlugin, qparser.EveryPlugin, qparser.BoostPlugin):
            parser.remove_plugin_class(plugin)
        parser.add_plugin(qparser.FieldAliasPlugin({"source_id": ["source"]}))
        return parser

    def parse(self, text: str, *, match_all: bool) -> wq.Query | None:
        check_syntax(text)
        text = _rewrite_year_ranges(text)
        for m in _YEAR_ANY.finditer(_outside_quotes(text)):
            if not _YEAR_OK.fullmatch(m.group(1)):
                raise BadQuery(f"year:{m.group(1)} is not a year or a range like 2010..2014")
        if not text.strip():
            return None
        group = qparser.AndGroup if match_all else qparser.OrGroup
        try:
            parsed = self._parsers[group].parse(text)
        except Exception as exc:  # whoosh raises assorted internal errors on odd input
            raise BadQuery(f"cannot parse query: {exc}") from exc
        parsed = parsed.normalize()
        if parsed is wq.NullQuery or isinstance(parsed, type(wq.NullQuery)):
            return None
        # Each word is a leaf in every default field, so count distinct words.
        words = {getattr(leaf, "text", None) or repr(leaf) for leaf in parsed.leaves()}
        if len(words) > MAX_QUERY_TERMS:
            raise BadQuery(f"query has {len(words)} terms; the limit is {MAX_QUERY_TERMS}")
        return parsed

    def filters(self, request: SearchRequest) -> wq.Query | None:
        parts: list[wq.Query] = []
        for fieldname, value in (("author", request.author), ("title", request.title)):
            if value:
                words = [t.text for t in self.schema[fieldname].analyzer(value)]
                if not words:
                    raise BadQuery(f"{fieldname} filter {value!r} has no searchable words")
                parts.extend(wq.Term(fieldname, w) for w in words)
        if request.source:
            parts.append(wq.Term("source_id", request.source))
        if request.collection:
            parts.append(wq.Term("collection", " ".join(request.collection.replace(",", " ").split()).lower()))
        low, high = request.year_from, request.year_to
        if low is not None or high is not None:
            if low is not None and high is not None and low > high:
                raise BadQuery(f"year range {low}..{high} runs backwards")
            parts.append(wq.NumericRange("year", low, high))
        if not parts:
            return None
        return parts[0] if len(parts) == 1 else wq.And(parts)

    def plan(self, request: SearchRequest, *, match_all: bool) -> Plan:
        scored = self.parse(request.q, match_all=match_all)
        filt = self.filters(request)
        if scored is None:
            if filt is None:
                raise BadQuery("empty query: type some words or choose a filter")
            scored = wq.Every()
        return Plan(scored=scored, filter=filt, terms=QueryTerms.from_query(scored, TEXT_FIELDS))


def author_names(csl: dict) -> list[str]:
    """Display names of a CSL item's authors, as facets and the author field hold them."""
    names = []
    for person in csl.get("author") or []:
        if person.get("literal"):
            names.append(person["literal"])
        elif person.get("family"):
            given = person.get("given")
            names.append(f"{person['family']}, {given}" if given else person["family"])
    return names


def check_paging(request: SearchRequest) -> None:
    if request.limit < 1:
        raise BadQuery("limit must be at least 1")
    if request.offset < 0:
        raise BadQuery("offset cannot be negative")
    if request.offset + request.limit > MAX_RESULT_WINDOW:
        raise BadQuery(f"offset + limit may not exceed {MAX_RESULT_WINDOW}")


def _has_several_terms(q: wq.Query) -> bool:
    return sum(1 for _ in q.leaves()) > 1


def _surface_form(searcher, highlighter: Highlighter, stem: str) -> str | None:
    """A word as written in some passage whose stem is ``stem``."""
    found = searcher.search(wq.Term("text", stem), limit=1)
    if not found:
        return None
    text = found[0]["text"]
    for term, start, end in highlighter.tokens(text):
        if term == stem:
            return text[start:end].lower()
    return None


def suggest_spelling(searcher, highlighter: Highlighter, text: str, q: wq.Query) -> str | None:
    """The query with unknown words replaced by the closest indexed word, or None."""
    reader = searcher.reader()
    corrector = reader.corrector("text")
    replacements = {}  # by start: each word is a Term in every default field
    for leaf in q.leaves():
        if not isinstance(leaf, wq.Term) or leaf.fieldname not in TEXT_FIELDS:
            continue
        if any(reader.doc_frequency(f, leaf.text) for f in TEXT_FIELDS):
            continue
        start = getattr(leaf, "startchar", None)
        # The parser's endchar counts the stemmed form, so find the typed word's end.
        typed = _WORD.match(text, start) if start is not None else None
        if typed is None:
            continue
        word, end = typed.group(), typed.end()
        # Stems are what the field holds, so compare the typed word's stem first.
        suggestions = (corrector.suggest(leaf.text, limit=1, maxdist=2, prefix=1)
                       or corrector.suggest(word.lower(), limit=1, maxdist=2, prefix=1))
        surface = _surface_form(searcher, highlighter, suggestions[0]) if suggestions else None
        if surface and surface != word.lower():
            replacements[start] = (start, end, surface)
    if not replacements:
        return None
    corrected = text
    for start, end, word in sorted(replacements.values(), reverse=True):
        corrected = corrected[:start] + word + corrected[end:]
    return corrected


def _facets(per_source: dict[str, int], sources: dict[str, Source]) -> dict[str, dict[str, int]]:
    # Authors and years belong to sources, so counting them from the per-source
    # counts costs nothing extra over the one facet Whoosh computes.
    authors: Counter[str] = Counter()
    years: Counter[str] = Counter()
    collections: Counter[str] = Counter()
    for source_id, count in per_source.items():
        source = sources.get(source_id)
        if source is None:
            continue
        for name in author_names(source.csl):
            authors[name] += count
        years[str(source.year) if source.year is not None else "n.d."] += count
        for name in source.collections:
            collections[name] += count
    facets = {
        "source": dict(sorted(per_source.items(), key=lambda kv: (-kv[1], kv[0]))),
        "author": dict(sorted(authors.items(), key=lambda kv: (-kv[1], kv[0]))),
        "year": dict(sorted(years.items(), key=lambda kv: kv[0], reverse=True)),
    }
    if collections:  # only libraries from a reference manager have collections
        facets["collection"] = dict(sorted(collections.items(), key=lambda kv: (-kv[1], kv[0])))
    return facets


class SourceKeys:
    """The source id of every document number of one searcher, read once.

    Whoosh's ``FieldFacet`` re-reads the column's offsets (a Python loop over
    every document in the index) on each search; facets and one-per-source
    grouping read these instead, so their cost follows the matches, not the
    index size.
    """

    def __init__(self, searcher):
        self._searcher = searcher
        self._keys: list[str] | None = None
        self._lock = threading.Lock()

    def keys(self) -> list[str]:
        if self._keys is None:
            with self._lock:
                if self._keys is None:
                    keys = [""] * self._searcher.reader().doc_count_all()
                    for leaf, offset in self._searcher.leaf_searchers():
                        column = list(leaf.reader().column_reader("source_id", translate=True))
                        keys[offset : offset + len(column)] = column
                    self._keys = keys
        return self._keys

    def facet(self, counting: bool = False) -> sorting.FacetType:
        return _SourceFacet(self.keys(), sorting.Count if counting else None)


class _SourceFacet(sorting.FacetType):
    def __init__(self, keys: list[str], maptype):
        self._keys = keys
        self.maptype = maptype

    def categorizer(self, global_searcher):
        return _SourceCategorizer(self._keys)


class _SourceCategorizer(sorting.Categorizer):
    def __init__(self, keys: list[str]):
        self._keys = keys
        self._offset = 0

    def set_searcher(self, segment_searcher, docoffset):
        self._offset = docoffset

    def key_for(self, matcher, segment_docnum):
        return self._keys[self._offset + segment_docnum]


def _run(searcher, source_keys: SourceKeys, plan: Plan, request: SearchRequest):
    # The total is shown, so every match is counted while it is scored: Whoosh's
    # block-skipping would only make ``len(results)`` run the query a second
    # time, and its faceting collector would keep and sort every match rather
    # than a heap of the page's worth.  ``replace=0``: swapping in a matcher
    # pruned by the page's lowest score would leave matches uncounted.
    collector = collectors.TopCollector(request.offset + request.limit, usequality=False, replace=0)
    # Grouped results count sources, so they need the per-source counts either way.
    counting = request.facets or request.group_by_source
    if counting:
        collector = collectors.FacetCollector(collector, {"source": source_keys.facet(counting=True)})
    if request.group_by_source:
        collector = collectors.CollapseCollector(collector, source_keys.facet(), limit=1)
    if plan.filter is not None:
        collector = collectors.FilterCollector(collector, plan.filter)
    searcher.search_with_collector(plan.scored, collector)
    results = collector.results()
    per_source = results.groups("source") if counting else {}
    total = len(per_source) if request.group_by_source else len(results)
    return results, per_source, total


def execute_search(
    searcher,
    planner: QueryPlanner,
    highlighter: Highlighter,
    sources: dict[str, Source],
    request: SearchRequest,
    passage_from_fields: Callable[[dict], Passage],
    source_keys: SourceKeys,
) -> SearchResult:
    check_paging(request)
    if request.match not in ("all", "any"):
        raise BadQuery(f"match must be 'all' or 'any', not {request.match!r}")
    match_all = request.match == "all"
    plan = planner.plan(request, match_all=match_all)
    results, per_source, total = _run(searcher, source_keys, plan, request)
    matched_all = match_all
    if match_all and total == 0 and _has_several_terms(plan.scored):
        loose = planner.plan(request, match_all=False)
        loose_results, loose_sources, loose_total = _run(searcher, source_keys, loose, request)
        if loose_total:
            plan, results, per_source, total = loose, loose_results, loose_sources, loose_total
            matched_all = False
    corrected = suggest_spelling(searcher, highlighter, request.q, plan.scored) if request.q else None

    hits = []
    for rank, hit in enumerate(results[request.offset : request.offset + request.limit], start=request.offset + 1):
        passage = passage_from_fields(hit.fields())
        marked = highlighter.highlight(passage.text, plan.terms) if request.highlight else UNMARKED
        hits.append(
            Hit(
                rank=rank,
                score=float(hit.score or 0.0),
                passage=passage,
                source=sources[passage.source_id],
                excerpt=marked.excerpt,
                excerpt_html=marked.excerpt_html,
                matches=marked.matches,
            )
        )
    return SearchResult(
        query=request.q,
        corrected_query=corrected,
        total=total,
        hits=tuple(hits),
        matched_all_terms=matched_all,
        facets=_facets(per_source, sources) if request.facets else {},
    )
