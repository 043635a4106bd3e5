"""Searching one Whoosh index version: run the compiled query, count, group, mark, suggest."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from whoosh import collectors, index as whoosh_index, query as wq
from whoosh.index import EmptyIndexError

from pinpoint.index.errors import UnknownPassage, UnknownSource
from pinpoint.index.records import Hit, Passage, SearchRequest, SearchResult, Source
from pinpoint.index.search.highlight import UNMARKED, Highlighter
from pinpoint.index.search.results import check_request, facets
from pinpoint.index.search.syntax import parse_request
from pinpoint.index.search.whoosh.analysis import TextAnalysis
from pinpoint.index.search.whoosh.compile import Plan, WhooshCompiler
from pinpoint.index.search.whoosh.schema import DEFAULT_RANKING, WHOOSH_SUBDIR, Ranking
from pinpoint.index.search.whoosh.source_keys import SourceKeys
from pinpoint.index.search.whoosh.spelling import suggest_spelling
from pinpoint.index.store.catalog import read_sources


def _has_several_terms(q: wq.Query) -> bool:
    return sum(1 for _ in q.leaves()) > 1


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
    compiler: WhooshCompiler,
    highlighter: Highlighter,
    sources: dict[str, Source],
    request: SearchRequest,
    passage_from_fields: Callable[[dict], Passage],
    source_keys: SourceKeys,
) -> SearchResult:
    check_request(request)
    match_all = request.match == "all"
    plan = compiler.plan(parse_request(request, match_all=match_all))
    results, per_source, total = _run(searcher, source_keys, plan, request)
    matched_all = match_all
    if match_all and total == 0 and _has_several_terms(plan.scored):
        loose = compiler.plan(parse_request(request, match_all=False))
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
        facets=facets(per_source, sources) if request.facets else {},
    )


class WhooshSearcher:
    """A read-only snapshot of one index version (a ``Searcher``)."""

    def __init__(self, version_dir: Path, version: str, ranking: Ranking = DEFAULT_RANKING):
        self.version = version
        self.version_dir = Path(version_dir)
        try:
            self._index = whoosh_index.open_dir(str(self.version_dir / WHOOSH_SUBDIR))
        except EmptyIndexError as exc:  # a version pruned while it was being opened
            raise FileNotFoundError(str(exc)) from None
        self._searcher = self._index.searcher(weighting=ranking.weighting())
        self._sources = read_sources(self.version_dir)
        self._compiler = WhooshCompiler(self._index.schema, ranking)
        self._highlighter = Highlighter(TextAnalysis(self._index.schema["text"].analyzer))
        self._source_keys = SourceKeys(self._searcher)

    def search(self, request: SearchRequest) -> SearchResult:
        return execute_search(
            self._searcher, self._compiler, self._highlighter, self._sources, request,
            self._passage_from_fields, self._source_keys,
        )

    def sources(self) -> list[Source]:
        return [self._sources[k] for k in sorted(self._sources)]

    def source(self, source_id: str) -> Source:
        try:
            return self._sources[source_id]
        except KeyError:
            raise UnknownSource(source_id) from None

    def passage(self, source_id: str, number: int) -> Passage:
        self.source(source_id)
        stored = self._searcher.document(passage_id=f"{source_id}:{number}")
        if stored is None:
            raise UnknownPassage(source_id, number)
        return self._passage_from_fields(stored)

    def passages(self, source_id: str) -> list[Passage]:
        self.source(source_id)
        found = self._searcher.search(wq.Term("source_id", source_id), limit=None, sortedby="number")
        return [self._passage_from_fields(hit.fields()) for hit in found]

    @property
    def passage_count(self) -> int:
        return self._searcher.doc_count()

    def close(self) -> None:
        self._searcher.close()
        self._index.close()

    def __enter__(self) -> WhooshSearcher:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    @staticmethod
    def _passage_from_fields(stored: dict) -> Passage:
        return Passage(
            source_id=stored["source_id"],
            number=stored["number"],
            paragraph=stored["paragraph"],
            paragraph_end=stored["paragraph_end"],
            heading=stored.get("heading"),
            text=stored["text"],
            start=stored["start"],
            end=stored["end"],
        )
