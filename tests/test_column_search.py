"""Searches over the posting columns (index/search/whoosh/columns.py, column_search.py)
answer exactly what Whoosh's own collectors answer: the same hits, the same
scores to the last bit, the same totals and facets, on real data.  What the
columns cannot answer, and indexes without them, go through Whoosh."""

from __future__ import annotations

import dataclasses
import json
import shutil
from pathlib import Path

import pytest
from whoosh import index as whoosh_index

from pinpoint.index.records import SearchRequest
from pinpoint.index.search.whoosh.columns import SegmentColumns
from pinpoint.index.search.whoosh.schema import WHOOSH_SUBDIR, build_schema
from pinpoint.index.search.whoosh.searcher import WhooshSearcher
from pinpoint.index.search.whoosh.segment_writer import PassageSegmentWriter
from pinpoint.index.search.whoosh.topk import EXACT_TOTAL_UP_TO
from pinpoint.index.store.build import build_index
from pinpoint.index.store.versions import current_version, open_searcher, version_dir
from tests.prerequisites import dataset

SEED_QUERIES = [
    "alliance", "futenma relocation", "okinawa OR guam", "alliance NOT china", "(okinawa OR guam) base",
    "treaty security japan", "author:xu", "title:drift alliance", "year:2010..2014 alliance", "year:..2012 alliance",
    "heading:okinawa", "text:treaty -china", "futenma quokka", "allaince drfit",
]
SCIFACT_QUERIES = [
    "white matter", "diffusion tensor imaging preterm infants", "insulin OR glucose", "cancer NOT breast",
    "(tumor OR tumour) suppressor", "title:vitamin deficiency", "text:macrophages", "cells", "protein",
    "stem cells zyxwvut", "0-dimensional biomaterials show inductive properties.",
    "ALDH1 expression is associated with poorer prognosis for breast cancer primary tumors.",
    "year:2010..2014 cells", "author:smith", "heading:results",
]
# Filters the request carries beside the words (the API's author, title, source, year parameters).
FILTERS = [{}, {"year_from": 2010, "year_to": 2014}, {"title": "cancer"}]


def _both(version_path: Path, version: str):
    return WhooshSearcher(version_path, version), WhooshSearcher(version_path, version, columns=False)


def _served(index_dir: Path) -> tuple[Path, str]:
    version = current_version(index_dir)
    return version_dir(index_dir, version), version


def _answer(result) -> dict:
    return {
        "hits": [(h.passage.id, h.score, h.excerpt_html) for h in result.hits],
        "total": result.total,
        "facets": result.facets,
        "matched_all_terms": result.matched_all_terms,
        "corrected": result.corrected_query,
    }


def _assert_same(columns: WhooshSearcher, whoosh: WhooshSearcher, request: SearchRequest) -> None:
    # Whoosh's path counts exactly only when asked; the columns always do.
    exact = dataclasses.replace(request, exact_total=True)
    by_columns = columns.search(request)
    assert by_columns.total_relation == "eq"
    assert _answer(by_columns) == _answer(whoosh.search(exact)), request


def _requests(queries, filters, sources=()):
    for q in queries:
        for match in ("preferred", "all", "any"):
            for extra in filters:
                yield SearchRequest(q=q, match=match, facets=True, **extra)
            for source in sources:
                yield SearchRequest(q=q, match=match, facets=False, source=source)
            # One passage per source, and the facets Whoosh counts under that grouping.
            yield SearchRequest(q=q, match=match, facets=True, group_by_source=True, limit=20)
        yield SearchRequest(q=q, limit=5, offset=7, facets=False)
        yield SearchRequest(q=q, limit=3, offset=2, facets=False, group_by_source=True)


def test_the_seeds_are_answered_by_the_columns_exactly_as_by_whoosh(seeds_index):
    columns, whoosh = _both(*_served(seeds_index))
    with columns, whoosh:
        assert columns._columns.usable
        for request in _requests(SEED_QUERIES, FILTERS[:2], sources=["004_9574ace01beba1aa"]):
            _assert_same(columns, whoosh, request)
        assert columns._columns.declined == 0 and columns._columns.answered > 100


@pytest.fixture(scope="module")
def scifact_slice(tmp_path_factory):
    """1,600 SciFact abstracts in two files, built, then one file changed and built
    again: the served version has two segments, one with deleted documents."""
    lines = dataset("scifact").joinpath("corpus.jsonl").read_text(encoding="utf-8").splitlines()[:1600]
    base = tmp_path_factory.mktemp("scifact-columns")
    folder = base / "sources"
    folder.mkdir()
    (folder / "a.jsonl").write_text("\n".join(lines[:800]) + "\n", encoding="utf-8")
    (folder / "b.jsonl").write_text("\n".join(lines[800:]) + "\n", encoding="utf-8")
    build_index([folder], base / "index", procs=1)
    changed = [json.loads(line) for line in lines[800:1500]]
    for record in changed[::3]:
        record["text"] += " Revised: cells and protein."
    (folder / "b.jsonl").write_text("\n".join(json.dumps(r) for r in changed) + "\n", encoding="utf-8")
    build_index([folder], base / "index", procs=1)
    return base / "index"


def test_a_scifact_slice_with_deletions_is_answered_by_the_columns_exactly_as_by_whoosh(scifact_slice):
    path, version = _served(scifact_slice)
    columns, whoosh = _both(path, version)
    with columns, whoosh:
        segments = whoosh._searcher.reader().leaf_readers()
        assert len(segments) >= 2 and any(r.has_deletions() for r, _ in segments)
        for request in _requests(SCIFACT_QUERIES, FILTERS, sources=["4983"]):
            _assert_same(columns, whoosh, request)
        assert columns._columns.declined == 0 and columns._columns.answered > 100


def test_common_words_are_counted_exactly_past_whooshs_exact_range(scifact_slice):
    columns, whoosh = _both(*_served(scifact_slice))
    with columns, whoosh:
        request = SearchRequest(q="cells protein patients study results", match="any", facets=False)
        found = columns.search(request)
        assert found.total_relation == "eq"
        assert found.total == whoosh.search(dataclasses.replace(request, exact_total=True)).total > EXACT_TOTAL_UP_TO


def test_what_the_columns_cannot_answer_goes_through_whoosh(seeds_index):
    columns, whoosh = _both(*_served(seeds_index))
    with columns, whoosh:
        for request in (SearchRequest(q='"security treaty" alliance'), SearchRequest(q='"security treaty"', match="any")):
            _assert_same(columns, whoosh, request)
        assert columns._columns.declined == 2 and columns._columns.answered == 0


def test_an_index_built_before_the_columns_is_served_by_whoosh(seeds_index, tmp_path):
    copy = tmp_path / "index"
    shutil.copytree(seeds_index, copy)
    path, version = _served(copy)
    removed = [f for f in (path / WHOOSH_SUBDIR).iterdir() if ".pinpoint1." in f.name]
    assert removed
    for f in removed:
        f.unlink()
    with open_searcher(copy) as old, WhooshSearcher(*_served(seeds_index)) as new:
        assert not old._columns.usable
        for q in ("alliance", "okinawa OR guam", "treaty security japan"):
            request = SearchRequest(q=q, exact_total=True)
            assert _answer(old.search(request)) == _answer(new.search(request))


def test_columns_that_disagree_with_whooshs_terms_are_not_trusted(seeds_index, tmp_path):
    copy = tmp_path / "index"
    shutil.copytree(seeds_index, copy)
    path, version = _served(copy)
    for docs in (path / WHOOSH_SUBDIR).glob("*.pinpoint1.docs"):
        docs.write_bytes(docs.read_bytes()[::-1])  # same size, other numbers
    columns, whoosh = _both(path, version)
    with columns, whoosh:
        for q in ("alliance", "treaty security japan"):
            _assert_same(columns, whoosh, SearchRequest(q=q))
        assert columns._columns.declined == 2


def _documents():
    seeds = Path(__file__).resolve().parents[1] / "seeds"
    texts = []
    for source in sorted(seeds.glob("*.txt")):
        body = source.read_text(encoding="utf-8")
        texts.extend(body[i:i + 700] for i in range(0, len(body), 700))
    for n, text in enumerate(texts * 2, start=1):
        yield {"passage_id": f"s:{n}", "source_id": f"s{n % 7}", "number": n, "paragraph": n, "paragraph_end": n,
               "start": 0, "end": len(text), "text": text, "title": "The Title of It", "author": "Ann Author",
               "year": 1990 + n % 30, "collection": "one,two" if n % 4 else "three"}


@pytest.mark.parametrize("memory_mb", [256, 0.2], ids=["in memory", "through Whoosh's pool"])
def test_the_columns_hold_whooshs_postings_term_for_term(tmp_path, memory_mb):
    ix = whoosh_index.create_in(str(tmp_path), build_schema())
    writer = PassageSegmentWriter(ix, limitmb=memory_mb)
    for doc in _documents():
        writer.add_document(**doc)
    writer.commit()
    with whoosh_index.open_dir(str(tmp_path)).reader() as reader:
        columns = SegmentColumns.open(reader.storage(), reader.segment())
        assert columns is not None
        checked = 0
        for fieldname, tbytes in reader.all_terms():
            held = columns.postings(fieldname, tbytes)
            if reader.schema[fieldname].unique:
                assert held is None
                continue
            matcher = reader.postings(fieldname, tbytes)
            expected = list(matcher.items_as("weight"))
            assert held is not None, (fieldname, tbytes)
            assert list(zip(held[0].tolist(), held[1].tolist())) == expected, (fieldname, tbytes)
            checked += 1
        assert checked > 1000


def test_one_passage_per_source_counts_as_whoosh_counts_on_long_books(tmp_path):
    # Whoosh's grouping counts, per source, each passage that beat the ones
    # before it: long books with many matching passages exercise that order.
    import random

    words = "harbour treaty alliance river king love death ship island trade war peace".split()
    rng = random.Random(15)
    folder = tmp_path / "books"
    folder.mkdir()
    for book in range(4):
        paragraphs = [" ".join(rng.sample(words, 3) + ["quietly"] * rng.randint(5, 60)) + "." for _ in range(400)]
        (folder / f"book{book}.txt").write_text(f"Book {book}\n\n" + "\n\n".join(paragraphs), encoding="utf-8")
    build_index([folder], tmp_path / "index", procs=1)
    columns, whoosh = _both(*_served(tmp_path / "index"))
    with columns, whoosh:
        for q in ("king", "love death", "river ship war"):
            for match in ("all", "any"):
                _assert_same(columns, whoosh, SearchRequest(q=q, match=match, facets=True, group_by_source=True))
        assert columns._columns.declined == 0
