"""Scoring's per-segment length tables (index/search/whoosh/lengths.py) give
exactly the lengths Whoosh reads from the column, so scores do not move."""

from __future__ import annotations

from pinpoint.index.search.whoosh.lengths import segment_lengths
from pinpoint.index.store.versions import open_searcher


def test_length_tables_equal_whooshs_own_lengths(seeds_index):
    with open_searcher(seeds_index) as searcher:
        whoosh_searcher = searcher._searcher
        atomic = whoosh_searcher.is_atomic()
        readers = [whoosh_searcher.reader()] if atomic else [sub.reader() for sub, _ in whoosh_searcher.subsearchers]
        checked = 0
        for reader in readers:
            for fieldname in ("text", "title", "heading"):
                table = segment_lengths(reader, fieldname)
                assert table is not None
                expected = [reader.doc_field_length(d, fieldname, 1) for d in range(reader.doc_count_all())]
                # Whoosh answers None for a document without the field, which no posting of it can score.
                assert [n for n, e in zip(table, expected) if e is not None] == [e for e in expected if e is not None]
                checked += len(expected)
        assert checked > 100
