"""Searching one published version in the cluster (a ``Searcher``).

A searcher names the version's concrete indexes, not the aliases, so every
request it answers sees one version even while a build publishes another;
``ClusterLiveIndex`` moves to the new version as ``LiveIndex`` does on disk.
Sources (CSL metadata) are read once when a searcher opens, like the Whoosh
engine's ``sources.json``, so hits need no second lookup.

Scores use cluster-wide term statistics (``dfs_query_then_fetch``): with
per-shard statistics the same passage would score differently depending on
which shard it landed in.  Equal scores are ordered by source id and passage
number, so every replica and every run give the same order.
"""

from __future__ import annotations

import time

from opensearchpy import exceptions as os_errors
from opensearchpy import helpers

from pinpoint.index.errors import BadQuery, UnknownPassage
from pinpoint.index.records import Hit, Passage, SearchRequest, SearchResult, Source
from pinpoint.index.search.opensearch.client import ClusterUnavailable, unavailable
from pinpoint.index.search.opensearch.compile import OpenSearchCompiler, Plan, typed_name
from pinpoint.index.search.engine import SourceCatalog
from pinpoint.index.search.highlight import UNMARKED, mark
from pinpoint.index.search.live import VersionFollower
from pinpoint.index.search.opensearch.marks import highlight_options, matches_from_marked
from pinpoint.index.search.results import check_request, facets
from pinpoint.index.search.opensearch.store import ClusterStore
from pinpoint.index.search.opensearch.mapping import query_words
from pinpoint.index.search.syntax import And, Not, Or, Phrase, Word, parse_request
from pinpoint.index.store.catalog import source_from_json

# Below the cluster's search.max_buckets (65,536); past it, grouped totals come from a cardinality count.
MAX_FACET_BUCKETS = 65_000
PASSAGE_FIELDS = ["source_id", "number", "paragraph", "paragraph_end", "page", "page_end", "page_breaks",
                  "heading", "text", "start", "end"]
TIE_BREAK = [{"_score": "desc"}, {"source_id": "asc"}, {"number": "asc"}]
SEARCH_PARAMS = {"search_type": "dfs_query_then_fetch"}
PAGE = 1000
READY_SECONDS = 3
SHARD_RETRIES = 3
SHARD_RETRY_PAUSE = 0.25


class OpenSearchSearcher(SourceCatalog):
    def __init__(self, store: ClusterStore, version: str | None = None):
        self.store = store
        self.client = store.client
        try:
            self.version = version or store.require_current()
            self._passages = store.passages_index(self.version)
            self._sources_index = store.sources_index(self.version)
            self._sources = self._read_sources()
            self._count = self.client.count(index=self._passages)["count"]
        except os_errors.NotFoundError as exc:
            raise unavailable(exc, f"opening version {version}") from exc
        except (os_errors.ConnectionError, os_errors.TransportError) as exc:
            raise unavailable(exc, "opening the served version") from exc
        self._compiler = OpenSearchCompiler(store.ranking)

    def _read_sources(self) -> dict[str, Source]:
        found = helpers.scan(self.client, index=self._sources_index, query={"query": {"match_all": {}}}, size=PAGE)
        return {hit["_id"]: source_from_json(hit["_source"]) for hit in found}

    # -- the Searcher protocol ---------------------------------------------

    def passage(self, source_id: str, number: int) -> Passage:
        self.source(source_id)
        try:
            doc = self.client.get(index=self._passages, id=f"{source_id}:{number}", _source_includes=PASSAGE_FIELDS)
        except os_errors.NotFoundError:
            raise UnknownPassage(source_id, number) from None
        except (os_errors.ConnectionError, os_errors.TransportError) as exc:
            raise unavailable(exc, "reading a passage") from exc
        return _passage(doc["_source"])

    def passages(self, source_id: str) -> list[Passage]:
        self.source(source_id)
        body = {"query": {"term": {"source_id": source_id}}, "sort": [{"number": "asc"}],
                "size": PAGE, "_source": PASSAGE_FIELDS}
        passages: list[Passage] = []
        while True:
            hits = self._search(body)["hits"]["hits"]
            passages.extend(_passage(hit["_source"]) for hit in hits)
            if len(hits) < PAGE:
                return passages
            body["search_after"] = hits[-1]["sort"]

    @property
    def passage_count(self) -> int:
        return self._count

    def close(self) -> None:
        """Nothing to release: the client's connections are shared by every searcher of a store."""

    def __enter__(self) -> OpenSearchSearcher:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # -- searching ---------------------------------------------------------

    def search(self, request: SearchRequest) -> SearchResult:
        check_request(request)
        falls_back = request.match == "all"  # to any word when no passage has every word
        query = parse_request(request)
        plan = self._compiler.plan(query)
        spelling = self._spelling_body(plan) if request.q and plan.words else None
        bodies = [self._body(plan, request)] + ([spelling] if spelling else [])
        answers = self._msearch(bodies)
        found = answers[0]
        matched_all = request.match != "any"
        if falls_back and _total(found, request) == 0 and _several_words(query.root):
            loose = self._compiler.plan(parse_request(request, match="any"))
            loose_found = self._msearch([self._body(loose, request)])[0]
            if _total(loose_found, request):
                plan, found, matched_all = loose, loose_found, False
        corrected = _corrected(request.q, plan, answers[1]) if spelling else None

        # Words the analyzer drops (stop words) are never missing: nothing looks for them.
        typed = tuple(node for node in query.typed
                      if query_words(node.text, ranking=self._compiler.ranking)) if request.highlight else ()
        hits = []
        for rank, hit in enumerate(found["hits"]["hits"], start=request.offset + 1):
            passage = _passage(hit["_source"])
            matched = set(hit.get("matched_queries") or ())
            missing = tuple(node.text for node in typed if typed_name(node) not in matched)
            if request.highlight:
                marked_text = (hit.get("highlight", {}).get("text") or [None])[0]
                marked = mark(passage.text, matches_from_marked(passage.text, marked_text))
            else:
                marked = UNMARKED
            hits.append(Hit(
                rank=rank, score=float(hit.get("_score") or 0.0), passage=passage,
                source=self._sources[passage.source_id], excerpt=marked.excerpt,
                excerpt_html=marked.excerpt_html, matches=marked.matches, missing=missing,
            ))
        return SearchResult(
            query=request.q, corrected_query=corrected, total=_total(found, request), hits=tuple(hits),
            matched_all_terms=matched_all,
            facets=facets(_per_source(found), self._sources) if request.facets else {},
        )

    def _body(self, plan: Plan, request: SearchRequest) -> dict:
        body: dict = {
            "query": plan.query,
            "from": request.offset,
            "size": request.limit,
            "track_total_hits": True,
            "sort": TIE_BREAK,
            "_source": PASSAGE_FIELDS,
        }
        if request.facets or request.group_by_source:
            buckets = max(1, min(len(self._sources), MAX_FACET_BUCKETS))
            by_count = [{"_count": "desc"}, {"_key": "asc"}]
            # Matches per source; authors and years follow from them (index.search.results.facets).
            body["aggs"] = {"source": {"terms": {"field": "source_id", "size": buckets, "shard_size": buckets, "order": by_count}}}
            if len(self._sources) > MAX_FACET_BUCKETS:
                body["aggs"]["sources"] = {"cardinality": {"field": "source_id", "precision_threshold": 40_000}}
        if request.group_by_source:
            body["collapse"] = {"field": "source_id"}
        if request.highlight and plan.highlight is not None:
            body["highlight"] = highlight_options(plan.highlight)
        return body

    def _spelling_body(self, plan: Plan) -> dict:
        """Which typed words the index lacks (document counts) and the nearest indexed word for each."""
        fields = ["text", "title", "heading"]
        words = [w for w, _, _ in plan.words]
        return {
            "size": 0,
            "track_total_hits": False,
            "query": {"bool": {"should": [{"multi_match": {"query": w, "fields": fields}} for w in words]}},
            "aggs": {"known": {"filters": {"filters": {
                str(i): {"multi_match": {"query": w, "fields": fields}} for i, w in enumerate(words)
            }}}},
            "suggest": {
                f"w{i}": {"text": w, "term": {
                    "field": "text.words", "size": 1, "max_edits": 2, "prefix_length": 1,
                    "min_word_length": 2, "suggest_mode": "always",
                }} for i, w in enumerate(words)
            },
        }

    def _msearch(self, bodies: list[dict]) -> list[dict]:
        """Run ``bodies`` in one request; retry a bounded number of times when shards failed.

        A shard copy on a node that just died fails its part of a search until
        the cluster notices; the client already retried the connection, and a
        search is idempotent, so asking again (routed to the surviving copies)
        beats serving a partial answer or an error.
        """
        lines: list[dict] = []
        for body in bodies:
            lines.extend(({"index": self._passages, **SEARCH_PARAMS}, body))
        for attempt in range(SHARD_RETRIES + 1):
            try:
                answers = self.client.msearch(body=lines)["responses"]
            except os_errors.RequestError as exc:
                raise BadQuery(f"the search engine refused the query: {exc.error}") from exc
            except (os_errors.ConnectionError, os_errors.TransportError) as exc:
                raise unavailable(exc, "searching") from exc
            problem = _problem(answers)
            if problem is None:
                return answers
            if problem.status_code == 400:
                raise BadQuery(f"the search engine refused the query: {problem.error}")
            time.sleep(SHARD_RETRY_PAUSE * (attempt + 1))
        raise unavailable(problem, "searching")

    def _search(self, body: dict) -> dict:
        try:
            return self.client.search(index=self._passages, body=body)
        except (os_errors.ConnectionError, os_errors.TransportError) as exc:
            raise unavailable(exc, "searching") from exc


def _problem(answers: list[dict]) -> os_errors.TransportError | None:
    """The first failure among msearch answers: an error, or shards that did not answer."""
    for answer in answers:
        if "error" in answer:
            error = answer["error"]
            return os_errors.TransportError(answer.get("status", 500), error.get("reason") if isinstance(error, dict) else error)
        if answer.get("_shards", {}).get("failed"):
            return os_errors.TransportError(503, "shards failed")
    return None


_passage = Passage.from_stored


def _several_words(root) -> bool:
    """Whether the any-word form of the query differs from it: more than one word, NOT ones included."""
    def count(node) -> int:
        if isinstance(node, (And, Or)):
            return sum(count(child) for child in node.children)
        if isinstance(node, Not):
            return count(node.child)
        if isinstance(node, (Word, Phrase)):
            return max(1, len(query_words(node.text)))
        return 1

    return root is not None and count(root) > 1


def _total(found: dict, request: SearchRequest) -> int:
    if request.group_by_source:
        aggs = found["aggregations"]
        return aggs["sources"]["value"] if "sources" in aggs else len(aggs["source"]["buckets"])
    return found["hits"]["total"]["value"]


def _per_source(found: dict) -> dict[str, int]:
    return {b["key"]: b["doc_count"] for b in found["aggregations"]["source"]["buckets"]}


def _corrected(text: str, plan: Plan, answer: dict) -> str | None:
    """``text`` with each word no field holds replaced by the nearest indexed word, or None."""
    known = answer["aggregations"]["known"]["buckets"]
    replacements = []
    for i, (word, start, end) in enumerate(plan.words):
        if known[str(i)]["doc_count"]:
            continue
        options = answer["suggest"][f"w{i}"][0]["options"] if answer["suggest"][f"w{i}"] else []
        if options and options[0]["text"] != word:
            replacements.append((start, end, options[0]["text"]))
    if not replacements:
        return None
    corrected = text
    for start, end, word in sorted(set(replacements), reverse=True):
        corrected = corrected[:start] + word + corrected[end:]
    return corrected


class ClusterLiveIndex(VersionFollower[OpenSearchSearcher]):
    """Follows the version the aliases name (``index.search.live`` has the rule)."""

    def __init__(self, store: ClusterStore, reload_seconds: float = 1.0):
        super().__init__(reload_seconds)
        self.store = store

    def current_version(self) -> str | None:
        return self.store.current_version()

    def open_version(self, version: str | None) -> OpenSearchSearcher:
        return OpenSearchSearcher(self.store, version)

    def check_ready(self) -> None:
        """Raise ClusterUnavailable unless the served version's indexes can answer (not red)."""
        searcher = self.searcher()
        names = f"{searcher._passages},{searcher._sources_index}"
        try:
            health = self.store.client.cluster.health(index=names, request_timeout=READY_SECONDS)
        except (os_errors.ConnectionError, os_errors.TransportError) as exc:
            raise unavailable(exc, "checking health") from exc
        if health["status"] == "red":
            raise ClusterUnavailable(
                f"OpenSearch cluster: version {searcher.version} is red "
                f"({health['unassigned_shards']} shards unassigned, {health['number_of_nodes']} nodes)"
            )

