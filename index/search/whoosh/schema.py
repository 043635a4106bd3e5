"""The Whoosh index of one version: its schema, its ranking and the document of a passage.

One Whoosh document per passage.  The source's title and authors are repeated
on each of its passages so BM25F can weigh a title match and ``author:`` can
filter without a join; everything else about a source lives in the version's
catalog (``index.store.catalog``) and is read once when a searcher opens.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from math import log

from whoosh import fields, scoring

from pinpoint.index.bibliography.names import author_names
from pinpoint.index.records import Passage, Source
from pinpoint.index.search.whoosh.analysis import names_analyzer, text_analyzer
from pinpoint.index.search.whoosh.lengths import with_cached_lengths

WHOOSH_SUBDIR = "whoosh"


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
    shape the index, so changing them needs a rebuild (``WhooshEngine.fingerprint``
    covers them); the other knobs act at query time.
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
        weighting = ProbabilisticIdfBM25F if self.idf == "bm25" else LengthTableBM25F
        return weighting(B=self.b, K1=self.k1, title_B=self.title_b)

    def field_boosts(self) -> dict[str, float]:
        return {"text": 1.0, "title": self.title_boost}


class LengthTableBM25F(scoring.BM25F):
    """Whoosh's BM25F, reading field lengths from a per-segment table (lengths.py)."""

    def scorer(self, searcher, fieldname, text, qf=1):
        return with_cached_lengths(super().scorer(searcher, fieldname, text, qf=qf), searcher, fieldname)


class ProbabilisticIdfBM25F(LengthTableBM25F):
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
    stemmed = text_analyzer(stopwords=ranking.stopwords, min_token=ranking.min_token)
    names = names_analyzer()
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


def passage_documents(source: Source, passages: Iterable[Passage]) -> Iterator[dict]:
    """The Whoosh document of each passage of ``source``."""
    csl = source.csl
    title = csl.get("title") or ""
    authors = " ".join(author_names(csl))
    year = source.year
    for passage in passages:
        doc = {**passage.stored_fields(), "passage_id": passage.id, "title": title, "author": authors}
        if source.collections:
            doc["collection"] = ",".join(name.replace(",", " ") for name in source.collections)
        if year is not None:
            doc["year"] = year
        yield doc
