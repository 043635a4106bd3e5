"""The OpenSearch index settings and mappings: Pinpoint's analyzer and ranking, in the cluster.

Two indexes make one version: passages (one document per passage, searched)
and sources (one per source, its CSL metadata, read when a searcher opens).
The analyzer reproduces the Whoosh engine's: the same token pattern, lowercase,
the same stop words and minimum length, then Porter's stemmer.  Lucene's
``porter_stem`` is Porter's algorithm as published; Whoosh's port skips the
clean-up of step 1b ("accumulated" -> "accumulat" rather than "accumul"), so a
few stems differ while matching the same words; the quality benchmark shows
ranking is unchanged by it.
Scoring is BM25 with the Whoosh engine's k1/b, and the title counts half as
much as the passage text, as ``Ranking.field_boosts`` says.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# Whoosh's RegexTokenizer default; "*" is in it because Whoosh's parser uses it
# for wildcards.  Java needs UNICODE_CHARACTER_CLASS for \w to mean what
# Python's does.
TOKEN_PATTERN = r"[\w\*]+(\.?[\w\*]+)*"

# Whoosh's STOP_WORDS (tests/test_opensearch_mapping.py checks they stay equal).
STOP_WORDS = (
    "a", "an", "and", "are", "as", "at", "be", "by", "can", "for", "from", "have",
    "if", "in", "is", "it", "may", "not", "of", "on", "or", "tbd", "that", "the",
    "this", "to", "us", "we", "when", "will", "with", "yet", "you", "your",
)
MIN_TOKEN = 2

_TOKEN = re.compile(TOKEN_PATTERN)
_STOPS = frozenset(STOP_WORDS)


@dataclass(frozen=True)
class Ranking:
    """The knobs of the Whoosh engine's ``Ranking`` that OpenSearch can express."""

    k1: float = 1.2
    b: float = 0.75
    title_b: float = 0.75
    title_boost: float = 0.5
    stopwords: bool = True
    min_token: int = MIN_TOKEN


DEFAULT_RANKING = Ranking()


def query_words(text: str, *, stemmed: bool = True, ranking: Ranking | None = None) -> list[tuple[str, int, int]]:
    """(word, start, end) for each token the index keeps, before stemming.

    Which typed words survive analysis is decided here, with the analyzer's
    own pattern, stop words and minimum length, so a query never asks
    OpenSearch for a word it dropped when indexing (a stop word inside an AND
    would otherwise match nothing); stemming is left to the cluster.
    """
    ranking = ranking or DEFAULT_RANKING
    words = []
    for m in _TOKEN.finditer(text):
        word = m.group().lower()
        if stemmed and (len(word) < ranking.min_token or (ranking.stopwords and word in _STOPS)):
            continue
        words.append((word, m.start(), m.end()))
    return words


def analysis(ranking: Ranking = DEFAULT_RANKING) -> dict:
    stemmed_filters = ["lowercase", "pinpoint_min_length"]
    if ranking.stopwords:
        stemmed_filters.append("pinpoint_stop")
    stemmed_filters.append("porter_stem")
    return {
        "tokenizer": {
            "pinpoint_words": {
                "type": "pattern",
                "pattern": TOKEN_PATTERN,
                "group": 0,
                "flags": "UNICODE_CHARACTER_CLASS",
            },
        },
        "filter": {
            "pinpoint_stop": {"type": "stop", "stopwords": list(STOP_WORDS), "ignore_case": False},
            "pinpoint_min_length": {"type": "length", "min": ranking.min_token},
        },
        "analyzer": {
            # Passage text, headings, titles: what the Whoosh engine's StemmingAnalyzer does.
            "pinpoint_stemmed": {"type": "custom", "tokenizer": "pinpoint_words", "filter": stemmed_filters},
            # Author names: Whoosh's SimpleAnalyzer (tokens lowercased, no stop words, no stems).
            "pinpoint_names": {"type": "custom", "tokenizer": "pinpoint_words", "filter": ["lowercase"]},
            # Did-you-mean suggests words as written, so the words field keeps them unstemmed.
            "pinpoint_words": {"type": "custom", "tokenizer": "pinpoint_words", "filter": ["lowercase"]},
        },
    }


def passages_index_body(ranking: Ranking = DEFAULT_RANKING, *, shards: int = 1, replicas: int = 1) -> dict:
    stemmed = {"type": "text", "analyzer": "pinpoint_stemmed"}
    return {
        "settings": {
            "index": {
                "number_of_shards": shards,
                "number_of_replicas": replicas,
                # Refreshing during a bulk build only costs: the alias swap publishes.
                "refresh_interval": "-1",
                # Pinpoint pages as deep as its settings allow (PINPOINT_MAX_OFFSET), and the sources
                # behind a search ask for one hit per source: OpenSearch's 10,000 would cut both short.
                "max_result_window": 1_000_000,
                "similarity": {
                    "pinpoint_text": {"type": "BM25", "k1": ranking.k1, "b": ranking.b},
                    "pinpoint_title": {"type": "BM25", "k1": ranking.k1, "b": ranking.title_b},
                },
                "analysis": analysis(ranking),
            }
        },
        "mappings": {
            "dynamic": "strict",
            "properties": {
                "source_id": {"type": "keyword"},
                "number": {"type": "integer"},
                "paragraph": {"type": "integer", "index": False},
                "paragraph_end": {"type": "integer", "index": False},
                # Printed page labels of a paginated source ("157", "xii"), and where each page starts.
                "page": {"type": "keyword", "index": False},
                "page_end": {"type": "keyword", "index": False},
                "page_breaks": {"type": "object", "enabled": False},
                "start": {"type": "integer", "index": False},
                "end": {"type": "integer", "index": False},
                "heading": {**stemmed, "similarity": "pinpoint_text"},
                "text": {
                    **stemmed,
                    "similarity": "pinpoint_text",
                    "fields": {"words": {"type": "text", "analyzer": "pinpoint_words"}},
                },
                "title": {**stemmed, "similarity": "pinpoint_title"},
                "author": {"type": "text", "analyzer": "pinpoint_names"},
                "year": {"type": "integer"},
                # Whole collection names, case-folded: a filter matches a name, not a word of it.
                "collection": {"type": "keyword"},
            },
        },
    }


def sources_index_body(*, shards: int = 1, replicas: int = 1) -> dict:
    return {
        "settings": {"index": {"number_of_shards": shards, "number_of_replicas": replicas}},
        "mappings": {
            # The Source record is kept whole in _source; only what lookups need is indexed.
            "dynamic": False,
            "properties": {
                "id": {"type": "keyword"},
                "content_hash": {"type": "keyword"},
                "passage_count": {"type": "integer"},
            },
        },
    }
