"""The source of every document, read once per searcher, for grouping and facets."""

from __future__ import annotations

import threading

from whoosh import sorting


class SourceKeys:
    """The source id of every document number of one searcher, read once.

    Whoosh's ``FieldFacet`` re-reads the column's offsets (a Python loop over
    every document in the index) on each search; facets and one-per-source
    grouping read these instead, so their cost follows the matches, not the
    index size.
    """

    def __init__(self, searcher):
        self._searcher = searcher
        self._keys: list[str] | None = None
        self._lock = threading.Lock()

    def keys(self) -> list[str]:
        if self._keys is None:
            with self._lock:
                if self._keys is None:
                    keys = [""] * self._searcher.reader().doc_count_all()
                    for leaf, offset in self._searcher.leaf_searchers():
                        column = list(leaf.reader().column_reader("source_id", translate=True))
                        keys[offset : offset + len(column)] = column
                    self._keys = keys
        return self._keys

    def facet(self, counting: bool = False) -> sorting.FacetType:
        return _SourceFacet(self.keys(), sorting.Count if counting else None)


class _SourceFacet(sorting.FacetType):
    def __init__(self, keys: list[str], maptype):
        self._keys = keys
        self.maptype = maptype

    def categorizer(self, global_searcher):
        return _SourceCategorizer(self._keys)


class _SourceCategorizer(sorting.Categorizer):
    def __init__(self, keys: list[str]):
        self._keys = keys
        self._offset = 0

    def set_searcher(self, segment_searcher, docoffset):
        self._offset = docoffset

    def key_for(self, matcher, segment_docnum):
        return self._keys[self._offset + segment_docnum]
