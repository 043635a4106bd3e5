"""Searching one Whoosh index version: run the compiled query, count, group, mark, suggest."""

from __future__ import annotations

import dataclasses
import threading
import time
from collections.abc import Callable
from pathlib import Path

from whoosh import collectors, index as whoosh_index, query as wq
from whoosh.index import EmptyIndexError

from pinpoint.index.errors import BadQuery, UnknownPassage
from pinpoint.index.records import Hit, Passage, SearchRequest, SearchResult, Source
from pinpoint.index.search.engine import SourceCatalog
from pinpoint.index.search.highlight import UNMARKED, Highlighter
from pinpoint.index.search.results import check_request, facets
from pinpoint.index.search.syntax import parse_request
from pinpoint.index.search.whoosh.analysis import TextAnalysis
from pinpoint.index.search.whoosh.column_search import ColumnSearch, SourceOrdinals, Unsupported
from pinpoint.index.search.whoosh.compile import Plan, WhooshCompiler
from pinpoint.index.search.whoosh.schema import DEFAULT_RANKING, WHOOSH_SUBDIR, Ranking
from pinpoint.index.search.whoosh.source_keys import SourceKeys
from pinpoint.index.search.whoosh.skipping import install as install_bisecting_skip_to
from pinpoint.index.search.whoosh.spelling import suggest_spelling
from pinpoint.index.search.whoosh.topk import EXACT_TOTAL_UP_TO, PrunedTopCollector
from pinpoint.index.store.catalog import read_sources

install_bisecting_skip_to()


def _has_several_terms(q: wq.Query) -> bool:
    return sum(1 for _ in q.leaves()) > 1


class _Deadline(collectors.WrappingCollector):
    """Stops collecting at ``deadline`` (time.monotonic()); what was collected stays the answer.

    The innermost wrapper, so every match the filter, collapse and facet
    collectors pass down is checked.  Whoosh's TimeLimitCollector must be the
    outermost one and then bypasses their collect_matches (filters were
    ignored); its SIGALRM mode reaches only the main thread, and searches run
    in gunicorn's worker threads.
    """

    def __init__(self, child, deadline: float):
        super().__init__(child)
        self.deadline = deadline

    def collect_matches(self):
        for sub_docnum in self.child.matches():
            self.collect(sub_docnum)

    def collect(self, sub_docnum):
        if time.monotonic() > self.deadline:
            raise collectors.TimeLimit()
        return self.child.collect(sub_docnum)


@dataclasses.dataclass
class _Run:
    """One plan's answer: the best ``offset + limit`` (global docnum, score), best first, and the counts."""

    ranked: list[tuple[int, float]]
    per_source: dict[str, int]
    total: int
    timed_out: bool = False
    pruned: bool = False  # ``total`` is a lower bound


def _run(searcher, source_keys: SourceKeys, plan: Plan, request: SearchRequest, seconds: float | None = None,
         columns: ColumnSearch | None = None) -> _Run:
    """Run one plan: over the posting columns when they can answer it, else through Whoosh.

    On the Whoosh path, with ``seconds``, collecting stops when they are up
    and what was collected so far is the answer: a query matching most of a
    large index must not hold a worker thread for as long as it likes.
    """
    if columns is not None and columns.usable:
        deadline = None if seconds is None else time.monotonic() + max(seconds, 0.0)
        try:
            found = columns.search(plan.scored, plan.filter, request.offset + request.limit, request.facets,
                                   deadline, request.group_by_source)
        except Unsupported:
            pass
        else:
            return _Run(found.top, found.per_source, found.total, found.timed_out)
    # Grouped results count sources, and facets count every match per source,
    # so both need every match; otherwise the page's heap prunes by block
    # quality past the exact-count threshold (topk.py).
    counting = request.facets or request.group_by_source
    exact = counting or request.exact_total
    top = PrunedTopCollector(request.offset + request.limit, None if exact else EXACT_TOTAL_UP_TO)
    collector = top
    if seconds is not None:
        collector = _Deadline(collector, time.monotonic() + max(seconds, 0.0))
    if counting:
        collector = collectors.FacetCollector(collector, {"source": source_keys.facet(counting=True)})
    if request.group_by_source:
        collector = collectors.CollapseCollector(collector, source_keys.facet(), limit=1)
    if plan.filter is not None:
        collector = collectors.FilterCollector(collector, plan.filter)
    timed_out = False
    try:
        searcher.search_with_collector(plan.scored, collector)
    except collectors.TimeLimit:
        timed_out = True
    results = collector.results()
    per_source = results.groups("source") if counting else {}
    total = len(per_source) if request.group_by_source else top.total
    ranked = [(docnum, score) for score, docnum in results.top_n]
    return _Run(ranked, per_source, total, timed_out, top.pruned)


def _count(searcher, source_keys, compiler, request: SearchRequest, q: str, match: str,
           seconds: float | None, columns: ColumnSearch | None) -> int | None:
    """How many passages ``q`` matches in ``match`` mode; None when unreadable or out of time."""
    counting = dataclasses.replace(request, q=q, query=None, match=match, offset=0, limit=1, facets=False,
                                   highlight=False)
    try:
        plan = compiler.plan(parse_request(counting))
    except BadQuery:
        return None
    found = _run(searcher, source_keys, plan, counting, seconds, columns)
    return None if found.timed_out else found.total


def _finds_more(searcher, source_keys, compiler, request: SearchRequest, corrected: str,
                total: int, seconds: float | None, columns: ColumnSearch | None) -> bool:
    """Whether the corrected query matches more than the query as typed: a
    suggestion that finds less is no help, however close its spelling.

    With every word preferred, what a correction must raise is the number of
    passages holding every word: any-word matches hardly change.
    """
    match = "any" if request.match == "any" else "all"
    before = total if request.match == match else _count(searcher, source_keys, compiler, request, request.q,
                                                          match, seconds, columns)
    after = _count(searcher, source_keys, compiler, request, corrected, match, seconds, columns)
    return before is not None and after is not None and after > before


def execute_search(
    searcher,
    compiler: WhooshCompiler,
    highlighter: Highlighter,
    sources: dict[str, Source],
    request: SearchRequest,
    passage_from_fields: Callable[[dict], Passage],
    source_keys: SourceKeys,
    columns: ColumnSearch | None = None,
) -> SearchResult:
    check_request(request)
    falls_back = request.match == "all"  # to any word when no passage has every word
    deadline = time.monotonic() + request.time_limit if request.time_limit else None

    def left() -> float | None:
        return None if deadline is None else deadline - time.monotonic()

    query = parse_request(request)
    plan = compiler.plan(query)
    run = _run(searcher, source_keys, plan, request, left(), columns)
    as_asked = run.total  # in the matching the request asked for, before any fallback
    matched_all = request.match != "any"
    if falls_back and run.total == 0 and not run.timed_out and _has_several_terms(plan.scored):
        loose = compiler.plan(parse_request(request, match="any"))
        loose_run = _run(searcher, source_keys, loose, request, left(), columns)
        if loose_run.total or loose_run.timed_out:
            run = loose_run
            plan = loose
            matched_all = False
    corrected = suggest_spelling(searcher, highlighter, request.q, plan.scored, deadline) if request.q else None
    if corrected and not _finds_more(searcher, source_keys, compiler, request, corrected, as_asked, left(), columns):
        corrected = None

    typed = highlighter.typed([node.text for node in query.typed]) if request.highlight else ()
    hits = []
    for rank, (docnum, score) in enumerate(run.ranked[request.offset : request.offset + request.limit],
                                           start=request.offset + 1):
        passage = passage_from_fields(searcher.stored_fields(docnum))
        marked, missing = (highlighter.highlight_hit(passage.text, plan.terms, typed) if request.highlight
                           else (UNMARKED, ()))
        hits.append(
            Hit(
                rank=rank,
                score=float(score or 0.0),
                passage=passage,
                source=sources[passage.source_id],
                excerpt=marked.excerpt,
                excerpt_html=marked.excerpt_html,
                matches=marked.matches,
                missing=missing,
            )
        )
    return SearchResult(
        query=request.q,
        corrected_query=corrected,
        total=run.total,
        hits=tuple(hits),
        matched_all_terms=matched_all,
        facets=facets(run.per_source, sources) if request.facets else {},
        partial=run.timed_out,
        total_relation="gte" if run.pruned else "eq",
    )


class WhooshSearcher(SourceCatalog):
    """A read-only snapshot of one index version (a ``Searcher``).

    Safe to share between threads: Whoosh's readers seek and then read shared
    file objects, so one call at a time reaches them.  Searches are CPU-bound
    under the GIL, so running two at once in one process would gain nothing.
    """

    def __init__(self, version_dir: Path, version: str, ranking: Ranking = DEFAULT_RANKING, *, columns: bool = True):
        """``columns=False`` answers every search through Whoosh's collectors (tests compare the two)."""
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
        self._columns = ColumnSearch(self._searcher, SourceOrdinals(self._source_keys)) if columns else None
        self._lock = threading.RLock()

    def search(self, request: SearchRequest) -> SearchResult:
        with self._lock:
            return execute_search(
                self._searcher, self._compiler, self._highlighter, self._sources, request,
                self._passage_from_fields, self._source_keys, self._columns,
            )

    def passage(self, source_id: str, number: int) -> Passage:
        self.source(source_id)
        with self._lock:
            stored = self._searcher.document(passage_id=f"{source_id}:{number}")
        if stored is None:
            raise UnknownPassage(source_id, number)
        return self._passage_from_fields(stored)

    def passages(self, source_id: str) -> list[Passage]:
        self.source(source_id)
        with self._lock:
            found = self._searcher.search(wq.Term("source_id", source_id), limit=None, sortedby="number")
            return [self._passage_from_fields(hit.fields()) for hit in found]

    @property
    def passage_count(self) -> int:
        with self._lock:
            return self._searcher.doc_count()

    def close(self) -> None:
        with self._lock:
            self._searcher.close()
            self._index.close()

    def __enter__(self) -> WhooshSearcher:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    _passage_from_fields = staticmethod(Passage.from_stored)
