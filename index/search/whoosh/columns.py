"""Each segment's postings as flat arrays beside Whoosh's files, for numpy to score.

Whoosh decodes and scores one posting per Python call (3.5-20 us each), so a
search over common words costs what its matches cost.  At build time every
term of every searchable field is also written here as a run of document
numbers (int32, ascending) and term weights (float32, the weight Whoosh
stores), so a search can read a term's postings as one array and score them
all at once (``column_search``).

One segment's files, named after it so Whoosh's own clean-up deletes them
with the segment (``index.clean_files`` matches ``<segment>.<anything>``):

=====================  =====================================================
``<seg>.pinpoint1.keys``    uint64: hash of (field, term), ascending
``<seg>.pinpoint1.terms``   int64 pairs, in key order: first posting, count
``<seg>.pinpoint1.docs``    int32: every term's document numbers, term by term
``<seg>.pinpoint1.weights`` float32: the weight of each of those postings
=====================  =====================================================

The files are read through ``numpy.memmap``: the page cache holds them once
for every worker process, and a worker's own memory does not grow with them.
Keys are 64-bit hashes, not the terms: a lookup is a bisection of one array.
A reader never trusts a key alone: ``column_search`` compares each term's
count and first document with Whoosh's own term information, and answers
through Whoosh when they differ (a hash collision, which the writer also
drops, or files from another build).
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from hashlib import blake2b

import numpy as np

FORMAT = "pinpoint1"
PARTS = ("keys", "terms", "docs", "weights")
_DTYPES = {"keys": np.uint64, "terms": np.int64, "docs": np.int32, "weights": np.float32}


def term_key(fieldname: str, tbytes: bytes) -> int:
    return int.from_bytes(blake2b(fieldname.encode("utf-8") + b"\0" + tbytes, digest_size=8).digest(), "little")


def _path(storage, segment, part: str) -> str:
    return os.path.join(storage.folder, segment.make_filename(f".{FORMAT}.{part}"))


class ColumnWriter:
    """Collects a segment's postings term by term and writes them as the files above.

    Document numbers and weights go to disk as they come; only one key and
    one (start, count) pair per term stay in memory until ``write``.
    """

    def __init__(self, storage, segment, fieldnames: Iterable[str]):
        self.fieldnames = frozenset(fieldnames)
        self._storage = storage
        self._segment = segment
        self._docs = open(_path(storage, segment, "docs") + ".tmp", "wb")
        self._weights = open(_path(storage, segment, "weights") + ".tmp", "wb")
        self._keys: list[int] = []
        self._terms = np.empty((0, 2), dtype=np.int64)
        self._pending: list[tuple[int, int]] = []
        self._written = 0
        self._lossy = False

    @staticmethod
    def can_write(storage) -> bool:
        return isinstance(getattr(storage, "folder", None), str)

    def add_term(self, fieldname: str, tbytes: bytes, ids, weights) -> None:
        """One term's postings: ``ids`` ascending, ``weights`` beside them (any buffer or sequence)."""
        if fieldname not in self.fieldnames:
            return
        docs = np.asarray(ids, dtype=np.int32)
        exact = np.asarray(weights, dtype=np.float64)
        narrow = exact.astype(np.float32)
        if not np.array_equal(narrow, exact):
            self._lossy = True  # a weight float32 cannot hold: scores would drift, so no columns
        self._docs.write(docs.tobytes())
        self._weights.write(narrow.tobytes())
        self._keys.append(term_key(fieldname, tbytes))
        self._pending.append((self._written, len(docs)))
        self._written += len(docs)

    def tee(self, postings: Iterator[tuple]) -> Iterator[tuple]:
        """Pass Whoosh's sorted (field, term, docnum, weight, value) postings through, recording them."""
        current = None
        ids: list[int] = []
        weights: list[float] = []
        for item in postings:
            key = (item[0], item[1])
            if key != current:
                if current is not None:
                    self.add_term(current[0], current[1], ids, weights)
                current, ids, weights = key, [], []
            if item[0] in self.fieldnames:
                ids.append(item[2])
                weights.append(item[3])
            yield item
        if current is not None:
            self.add_term(current[0], current[1], ids, weights)

    def write(self) -> None:
        if self._lossy:
            self.cancel()
            return
        self._docs.close()
        self._weights.close()
        keys = np.array(self._keys, dtype=np.uint64)
        terms = np.array(self._pending, dtype=np.int64).reshape(-1, 2)
        order = np.argsort(keys, kind="stable")
        keys, terms = keys[order], terms[order]
        # Two terms with one hash: keep neither, so both are answered by Whoosh.
        clash = np.zeros(len(keys), dtype=bool)
        if len(keys) > 1:
            same = keys[1:] == keys[:-1]
            clash[1:] |= same
            clash[:-1] |= same
        keys, terms = keys[~clash], terms[~clash]
        for part, array in (("keys", keys), ("terms", terms)):
            with open(_path(self._storage, self._segment, part) + ".tmp", "wb") as f:
                f.write(array.tobytes())
        # The docs and weights files last of all: a segment is read only with all four.
        for part in ("keys", "terms", "weights", "docs"):
            final = _path(self._storage, self._segment, part)
            os.replace(final + ".tmp", final)

    def cancel(self) -> None:
        for f in (self._docs, self._weights):
            f.close()
        for part in PARTS:
            try:
                os.remove(_path(self._storage, self._segment, part) + ".tmp")
            except FileNotFoundError:
                pass


class SegmentColumns:
    """One segment's column files, memory-mapped; None from ``open`` when it has none."""

    def __init__(self, keys, terms, docs, weights):
        self.keys = keys
        self.terms = terms
        self.docs = docs
        self.weights = weights

    @classmethod
    def open(cls, storage, segment) -> SegmentColumns | None:
        if not ColumnWriter.can_write(storage):
            return None
        arrays = {}
        for part in PARTS:
            path = _path(storage, segment, part)
            try:
                size = os.path.getsize(path)
            except OSError:
                return None  # an index built before the columns, or by another writer
            dtype = np.dtype(_DTYPES[part])
            if size % dtype.itemsize:
                return None
            arrays[part] = np.memmap(path, dtype=dtype, mode="r") if size else np.empty(0, dtype=dtype)
        terms = arrays["terms"].reshape(-1, 2)
        if len(terms) != len(arrays["keys"]) or len(arrays["docs"]) != len(arrays["weights"]):
            return None
        return cls(arrays["keys"], terms, arrays["docs"], arrays["weights"])

    def postings(self, fieldname: str, tbytes: bytes) -> tuple[np.ndarray, np.ndarray] | None:
        """(document numbers, weights) of one term, or None when the columns do not hold it."""
        key = np.uint64(term_key(fieldname, tbytes))
        i = int(np.searchsorted(self.keys, key))
        if i >= len(self.keys) or self.keys[i] != key:
            return None
        start, count = (int(v) for v in self.terms[i])
        return self.docs[start:start + count], self.weights[start:start + count]


__all__ = ["ColumnWriter", "SegmentColumns", "term_key"]
