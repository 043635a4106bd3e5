"""Field lengths read once per segment, for scoring.

BM25 needs each scored document's field length.  Whoosh reads it per
posting from the segment's length column (a seek and a one-byte read through
a file object: a seventh of a search's time on common words); here the
column is read whole the first time a segment's field is scored and kept on
the segment reader, which lives as long as the searcher of its version.
"""

from __future__ import annotations

import threading

from whoosh import scoring
from whoosh.codec.whoosh3 import LENGTHS_COLUMN
from whoosh.util.numeric import byte_to_length

_LENGTH_OF_BYTE = [1] + [byte_to_length(b) for b in range(1, 256)]  # 0: no length stored, Whoosh's default 1
_lock = threading.Lock()


def segment_lengths(reader, fieldname: str) -> list[int] | None:
    """docnum -> the length ``reader.doc_field_length(docnum, fieldname, 1)`` gives,
    or None when ``reader`` is not one segment's (those keep Whoosh's own lookup)."""
    perdoc = getattr(reader, "_perdoc", None)
    if perdoc is None or not hasattr(perdoc, "_cached_reader"):
        return None
    cache = reader.__dict__.setdefault("_pinpoint_lengths", {})
    table = cache.get(fieldname)
    if table is None:
        with _lock:
            table = cache.get(fieldname)
            if table is None:
                column = perdoc._cached_reader(f"_{fieldname}_len", LENGTHS_COLUMN)
                raw = column._dbfile.get(column._basepos, column._count) if column is not None else b""
                table = [_LENGTH_OF_BYTE[b] for b in raw]
                table += [1] * max(0, reader.doc_count_all() - len(table))
                cache[fieldname] = table
    return table


def with_cached_lengths(scorer, searcher, fieldname: str):
    """``scorer`` reading lengths from the segment's table rather than its column file."""
    if isinstance(scorer, scoring.WeightLengthScorer) and hasattr(scorer, "dfl"):
        table = segment_lengths(searcher.reader(), fieldname)
        if table is not None:
            scorer.dfl = table.__getitem__
    return scorer
