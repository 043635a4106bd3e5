"""The Whoosh implementation of the engine protocols in ``pinpoint.index.search.engine``.

One Whoosh document per passage.  The source's title and authors are repeated
on each of its passages so BM25F can weigh a title match and ``author:`` can
filter without a join; everything else about a source lives in the version's
``sources.json`` and is read once when a searcher opens.
"""

from __future__ import annotations

import json
import os
from math import log
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

from whoosh import fields, index as whoosh_index, scoring
from whoosh.analysis import SimpleAnalyzer, StemmingAnalyzer
from whoosh.analysis.filters import STOP_WORDS
from whoosh.query import Term

from pinpoint.index.errors import UnknownPassage, UnknownSource
from pinpoint.index.search.highlight import Highlighter
from pinpoint.index.search.whoosh.query import QueryPlanner, SourceKeys, author_names, execute_search
from pinpoint.index.records import Passage, SearchRequest, SearchResult, Source
from pinpoint.index.search.whoosh.segment_writer import PassageSegmentWriter

WHOOSH_SUBDIR = "whoosh"
SOURCES_FILE = "sources.json"


@dataclass(frozen=True)
class Ranking:
    """The ranking knobs, chosen with tests/benchmarks/quality.py.

    Measured through the full pipeline, best passage per document, k1=1.2,
    b=0.75 (``python -m tests.benchmarks.quality``; grids with ``--k1 --b
    --title`` at ``--depth 100``):

    ===========================  ==================  ==================================
    title boost, idf             SciFact train       Cranfield MAP qrels.tsv / all-pairs
    ===========================  ==================  ==================================
    1.0, whoosh (until now)      nDCG@10 0.6705      0.312 / 0.426
    2.0 / 1.5 / 0.7 / 0.3        0.620/0.640/0.679/0.686
    0.5, whoosh                  0.6878              0.316 / 0.432
    0.5, bm25 (chosen)           0.6901              0.316 / 0.437
    ===========================  ==================  ==================================

    A title repeated on every passage of a document outweighed the passage's
    own words at boost 1.0.  k1/b barely matter: at title 1.0, k1 0.9 with b
    0.4/0.6/0.75/0.9 gave SciFact 0.668-0.669, and Whoosh's idf vs BM25's
    moved either collection by 0.001-0.002.  One passage per document
    (``--direct``, k1 0.9 b 0.4) gave SciFact 0.672 vs 0.668 through the
    chunker, so the best-passage rule costs little.  ``stopwords``/``min_token``
    shape the index, so changing them needs a rebuild (the pipeline
    fingerprint in ``pinpoint.index.store.build`` covers it); the other knobs act at query time.
    """

    k1: float = 1.2
    b: float = 0.75
    title_b: float = 0.75
    title_boost: float = 0.5
    stopwords: bool = True
    min_token: int = 2
    idf: str = "bm25"  # "whoosh": log(N/(df+1))+1; "bm25": Robertson/Lucene's log(1+(N-df+.5)/(df+.5))

    def __post_init__(self) -> None:
        if self.idf not in ("bm25", "whoosh"):
            raise ValueError(f"idf must be 'bm25' or 'whoosh', not {self.idf!r}")

    def weighting(self) -> scoring.BM25F:
        weighting = ProbabilisticIdfBM25F if self.idf == "bm25" else scoring.BM25F
        return weighting(B=self.b, K1=self.k1, title_B=self.title_b)

    def field_boosts(self) -> dict[str, float]:
        return {"text": 1.0, "title": self.title_boost}


class ProbabilisticIdfBM25F(scoring.BM25F):
    """BM25F with BM25's own idf, as Lucene and Anserini compute it.

    Whoosh's BM25F borrows TF-IDF's ``log(N/(df+1)) + 1``, whose "+1" narrows
    the gap between common and rare words; sentence-long queries are full of
    common ones.
    """

    def idf(self, searcher, fieldname, text):
        parent = searcher.get_parent()
        df = parent.doc_frequency(fieldname, text)
        n = parent.doc_count_all()
        return log(1 + (n - df + 0.5) / (df + 0.5))


DEFAULT_RANKING = Ranking()


def build_schema(ranking: Ranking = DEFAULT_RANKING) -> fields.Schema:
    stoplist = STOP_WORDS if ranking.stopwords else None
    stemmed = StemmingAnalyzer(stoplist=stoplist, minsize=ranking.min_token)
    names = SimpleAnalyzer()
    return fields.Schema(
        passage_id=fields.ID(stored=True, unique=True),
        source_id=fields.ID(stored=True, sortable=True),
        number=fields.NUMERIC(int, stored=True),
        paragraph=fields.STORED(),
        paragraph_end=fields.STORED(),
        page=fields.STORED(),
        page_end=fields.STORED(),
        page_breaks=fields.STORED(),
        start=fields.STORED(),
        end=fields.STORED(),
        heading=fields.TEXT(analyzer=stemmed, stored=True),
        # No spelling=True: its extra field tripled indexing time; suggestions
        # come from the stems and are turned back into words at query time.
        text=fields.TEXT(analyzer=stemmed, stored=True),
        title=fields.TEXT(analyzer=stemmed),
        author=fields.TEXT(analyzer=names),
        # Whole collection names, case-folded: a filter matches a name, not a word of it.
        collection=fields.KEYWORD(lowercase=True, commas=True, scorable=False),
        year=fields.NUMERIC(int),
    )


def source_to_json(source: Source) -> dict:
    return asdict(source)


def source_from_json(data: dict) -> Source:
    if "collections" in data:  # a tuple in the record, a list in JSON
        data = {**data, "collections": tuple(data["collections"])}
    return Source(**data)


def read_sources(version_dir: Path) -> dict[str, Source]:
    path = version_dir / SOURCES_FILE
    if not path.exists():
        return {}
    with open(path, encoding="utf-8") as f:
        return {item["id"]: source_from_json(item) for item in json.load(f)}


def write_json_durably(path: Path, data) -> None:
    with open(path, "w", encoding="utf-8") as f:
        json.dump(data, f, ensure_ascii=False, indent=1)
        f.flush()
        os.fsync(f.fileno())


def passage_documents(source: Source, passages: Iterable[Passage]) -> Iterator[dict]:
    """The Whoosh document of each passage of ``source``."""
    csl = source.csl
    title = csl.get("title") or ""
    authors = " ".join(author_names(csl))
    year = source.year
    for passage in passages:
        doc = {
            "passage_id": passage.id,
            "source_id": passage.source_id,
            "number": passage.number,
            "paragraph": passage.paragraph,
            "paragraph_end": passage.paragraph_end,
            "page": passage.page,
            "page_end": passage.page_end,
            "page_breaks": [list(b) for b in passage.page_breaks],
            "start": passage.start,
            "end": passage.end,
            "text": passage.text,
            "title": title,
            "author": authors,
        }
        if passage.heading:
            doc["heading"] = passage.heading
        if source.collections:
            doc["collection"] = ",".join(name.replace(",", " ") for name in source.collections)
        if year is not None:
            doc["year"] = year
        yield doc


class WhooshWriter:
    """Writes one index version into ``version_dir`` (an ``EngineWriter``).

    Start from an empty directory, or from a copy of a previous version's
    files together with its ``sources`` so unchanged sources cost nothing.
    """

    def __init__(
        self,
        version_dir: Path,
        *,
        sources: dict[str, Source] | None = None,
        ranking: Ranking = DEFAULT_RANKING,
        procs: int = 1,
        memory_mb: int = 256,
    ):
        self.version_dir = Path(version_dir)
        self.sources: dict[str, Source] = dict(sources or {})
        whoosh_dir = self.version_dir / WHOOSH_SUBDIR
        if whoosh_index.exists_in(str(whoosh_dir)):
            ix = whoosh_index.open_dir(str(whoosh_dir))
        else:
            whoosh_dir.mkdir(parents=True, exist_ok=True)
            ix = whoosh_index.create_in(str(whoosh_dir), build_schema(ranking))
        self._index = ix
        self.whoosh_dir = whoosh_dir
        self.memory_mb = memory_mb
        # Parallel builds run their own worker writers (pinpoint.index.search.whoosh.parallel_build);
        # this one takes deletions and any documents added here.
        self._writer = PassageSegmentWriter(ix, limitmb=memory_mb)

    def add_source(self, source: Source, passages: Iterable[Passage]) -> None:
        count = 0
        for doc in passage_documents(source, passages):
            self._writer.add_document(**doc)
            count += 1
        self.record_source(source, count)

    def record_source(self, source: Source, passages_written: int) -> None:
        """Remember ``source`` for sources.json, with the passages actually written."""
        if passages_written != source.passage_count:
            source = Source(**{**asdict(source), "passage_count": passages_written})
        self.sources[source.id] = source

    def remove_source(self, source_id: str) -> None:
        self._writer.delete_by_term("source_id", source_id)
        self.sources.pop(source_id, None)

    def commit(self, worker_segments: Sequence = ()) -> None:
        """Publish what was written here plus any segments worker writers finished."""
        self._writer.commit_with_segments(worker_segments)
        self._index.close()
        ordered = [source_to_json(self.sources[k]) for k in sorted(self.sources)]
        write_json_durably(self.version_dir / SOURCES_FILE, ordered)

    def cancel(self) -> None:
        self._writer.cancel()
        self._index.close()


class WhooshSearcher:
    """A read-only snapshot of one index version (a ``Searcher``)."""

    def __init__(self, version_dir: Path, version: str, ranking: Ranking = DEFAULT_RANKING):
        self.version = version
        self.version_dir = Path(version_dir)
        self._index = whoosh_index.open_dir(str(self.version_dir / WHOOSH_SUBDIR))
        self._searcher = self._index.searcher(weighting=ranking.weighting())
        self._sources = read_sources(self.version_dir)
        self._planner = QueryPlanner(self._index.schema, ranking)
        self._highlighter = Highlighter(self._index.schema["text"].analyzer)
        self._source_keys = SourceKeys(self._searcher)

    def search(self, request: SearchRequest) -> SearchResult:
        return execute_search(
            self._searcher, self._planner, self._highlighter, self._sources, request,
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
        found = self._searcher.search(Term("source_id", source_id), limit=None, sortedby="number")
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
            # .get: an index written before pages were stored has none.
            page=stored.get("page"),
            page_end=stored.get("page_end"),
            page_breaks=tuple((int(o), str(label)) for o, label in stored.get("page_breaks") or ()),
        )
