"""A faster Whoosh segment writer for passages: same files, a fraction of the Python.

Profiling a build showed Whoosh's own write path at ~85% of the CPU: the
token-at-a-time analyzer chain (a generator per filter, one ``Token`` object
mutated per word), ``add_document``'s generic bookkeeping, and at commit a
field-length lookup per posting that seeks and reads the length column through
a file object (and, for fields without lengths, stats the column file every
time).  ``PassageSegmentWriter`` keeps Whoosh's codec, pool and on-disk format
untouched and replaces only those three hot spots:

- analysis of TEXT fields whose analyzer is the plain regex -> lowercase ->
  (stop) -> (stem) chain is done with one regex scan and the cache from raw
  token to indexed term of ``analysis.Chain`` (the highlighter's too),
  producing exactly the postings ``field.index`` would
  (tests/test_segment_writer.py checks term, frequency, weight and positions);
  any other analyzer falls back to Whoosh;
- ``add_document`` walks a per-schema plan instead of re-deriving it per call;
- the length columns are read into memory once per field at commit.

The schema stays pure Whoosh, so the read side (query parsing, highlighting)
and any index written here are indistinguishable from a plain Whoosh build.
"""

from __future__ import annotations

from array import array
from collections import defaultdict
from operator import sub
from pickle import dumps

from whoosh import fields as whoosh_fields
from whoosh.codec.whoosh3 import LENGTHS_COLUMN, W3FieldWriter, W3PostingsWriter
from whoosh.formats import Positions
from whoosh.system import pack_uint
from whoosh.util.numeric import byte_to_length, length_to_byte
from whoosh.writing import SegmentWriter

from pinpoint.index.search.whoosh.analysis import STOPPED, Chain
from pinpoint.index.search.whoosh.columns import ColumnWriter

_LENGTH_OF_BYTE = [None] + [byte_to_length(b) for b in range(1, 256)]
_UNREAD = object()


class FastTextIndexer:
    """``field.index(value)`` for a TEXT field with a plain regex/lowercase/stop/stem chain."""

    def __init__(self, field: whoosh_fields.FieldType):
        chain = Chain(field.analyzer)  # ValueError for any other analyzer
        self._findall = chain.findall
        self._cached = chain.cached
        self._term = chain.term
        self._renumber = chain.renumber
        self._boost = field.format.field_boost

    def index(self, value: str) -> list[tuple[bytes, int, float, bytes]]:
        known = self._cached
        term_for = self._term
        # STOPPED and every term are truthy, so "or" only runs on a cache miss.
        mapped = [known(token) or term_for(token) for token in self._findall(value)]
        kept = [term for term in mapped if term is not STOPPED]
        if not kept:
            return []
        # StopFilter(renumber=True): the first kept token keeps its place and
        # later ones follow it with the stop words squeezed out.
        first = mapped.index(kept[0]) if self._renumber else 0
        positions: defaultdict[str, list[int]] = defaultdict(list)
        if self._renumber or len(kept) == len(mapped):
            for pos, term in enumerate(kept, first):
                positions[term].append(pos)
        else:
            for pos, term in enumerate(mapped):
                if term is not STOPPED:
                    positions[term].append(pos)
        boost = self._boost
        single = _single_position_value
        items = []
        for term, poslist in positions.items():
            if len(poslist) == 1:
                # Most postings hold one position: their encodings are shared.
                pos = poslist[0]
                value = single[pos] if pos < len(single) else _encode_positions(poslist)
                items.append((term.encode("utf-8"), 1, boost, value))
            else:
                items.append((term.encode("utf-8"), len(poslist), len(poslist) * boost,
                              _encode_positions(poslist)))
        return items


def _encode_positions(poslist: list[int]) -> bytes:
    """``Positions.encode``: the count, then the pickled deltas."""
    deltas = [poslist[0]]
    deltas.extend(map(sub, poslist[1:], poslist))
    return pack_uint(len(deltas)) + dumps(deltas, 2)


_single_position_value = [_encode_positions([pos]) for pos in range(4096)]


def fast_indexer_for(field: whoosh_fields.FieldType):
    """A ``FastTextIndexer`` for ``field``, or None where Whoosh's own path must run."""
    if type(field.format) is not Positions or field.vector or field.separate_spelling():
        return None
    try:
        return FastTextIndexer(field)
    except (ValueError, AttributeError):
        return None


class _LengthsInMemory:
    """The per-document reader's ``doc_field_length``, served from memory.

    Whoosh asks for the length of every posting's document while writing
    postings; the stock reader seeks a column file each time and stats the
    file for fields that have no length column.  Here each length column is
    read once.
    """

    def __init__(self, reader):
        self._reader = reader
        self._columns: dict[str, object] = {}

    def doc_field_length(self, docnum, fieldname, default=0):
        column = self._columns.get(fieldname, _UNREAD)
        if column is _UNREAD:
            column = self._load(fieldname)
        if column is None:
            return default
        if docnum >= len(column):
            return None
        return _LENGTH_OF_BYTE[column[docnum]]

    def _load(self, fieldname):
        lenfield = f"_{fieldname}_len"
        column = None
        if self._reader.has_column(lenfield):
            column = bytes(self._reader.column_reader(lenfield, LENGTHS_COLUMN).load())
        self._columns[fieldname] = column
        return column

    def __getattr__(self, name):
        return getattr(self._reader, name)


class _PostingTable:
    """A segment's postings by field and term, in document order, kept compact.

    Whoosh's pool holds one 5-tuple per posting and sorts them all at commit;
    documents arrive in docnum order, so grouping by term as they come needs
    only a sort of the distinct terms.
    """

    # Rough bytes per posting (array slots, a list slot, the value bytes) and
    # per distinct term, to keep within the writer's ``limitmb``.
    POSTING_BYTES = 48  # measured: ~45 on the Gutenberg corpus
    TERM_BYTES = 300

    def __init__(self):
        self.fields: dict[str, dict[bytes, tuple[array, array, list]]] = {}
        self.estimated_bytes = 0

    def add(self, fieldname: str, docnum: int, items) -> None:
        terms = self.fields.get(fieldname)
        if terms is None:
            terms = self.fields[fieldname] = {}
        added = 0
        for tbytes, _, weight, vbytes in items:
            entry = terms.get(tbytes)
            if entry is None:
                entry = terms[tbytes] = (array("I"), array("f"), [])
                self.estimated_bytes += self.TERM_BYTES
            entry[0].append(docnum)
            entry[1].append(weight)
            entry[2].append(vbytes)
            added += 1
        self.estimated_bytes += added * self.POSTING_BYTES

    def as_pool_items(self):
        for fieldname, terms in self.fields.items():
            for tbytes, (ids, weights, values) in terms.items():
                for docnum, weight, vbytes in zip(ids, weights, values):
                    yield (fieldname, tbytes, docnum, weight, vbytes)


def _write_term_blocks(postwriter, ids, weights, values, lengths) -> None:
    """Fill ``W3PostingsWriter``'s block buffers a block at a time.

    Equivalent to ``add_posting`` per posting (which checks types and updates
    block statistics one posting at a time): same blocks, same statistics, the
    last block left for ``finish_postings`` exactly as ``add_posting`` leaves it.
    """
    count = len(ids)
    limit = postwriter._blocklimit
    for start in range(0, count, limit):
        end = min(start + limit, count)
        block_ids = ids[start:end]
        postwriter._ids = block_ids
        postwriter._weights = weights[start:end]
        postwriter._values = [v for v in values[start:end] if v]
        postwriter._maxweight = max(0, max(postwriter._weights))
        known = [_LENGTH_OF_BYTE[lengths[d]] for d in block_ids if d < len(lengths)] if lengths else []
        known = [length for length in known if length]
        postwriter._minlength = min(known) if known else None
        postwriter._maxlength = max(known) if known else 0
        if end < count:
            postwriter._write_block()


class PassageSegmentWriter(SegmentWriter):
    """A ``SegmentWriter`` with the fast paths above; files identical in kind to Whoosh's."""

    def __init__(self, ix, *, spill: bool = True, **kwargs):
        """``spill=False``: never move postings to Whoosh's pool when past ``limitmb``;
        the owner checks ``memory_full`` and starts a new segment instead."""
        # One file per part, not Whoosh's compound file: a compound segment is
        # read through BytesIO over its mmap, which copies every postings,
        # column and term file into each worker's private memory (760 MB of
        # RSS per worker on the full Gutenberg corpus).  Plain files are read
        # through the page cache, which the workers share.
        kwargs.setdefault("compound", False)
        super().__init__(ix, **kwargs)
        self._spill = spill
        self._plan = {}
        for name in self.schema.names():
            field = self.schema[name]
            indexer = fast_indexer_for(field) if field.indexed else None
            self._plan[name] = (field, indexer)
        self._table = _PostingTable()
        self._table_limit = kwargs.get("limitmb", 128) * 1024 * 1024
        self._length_bytes: dict[str, bytearray] = {}
        # The block-at-a-time postings path relies on whoosh3's writer internals.
        self._write_blocks_directly = isinstance(self.fieldwriter, W3FieldWriter) and \
            isinstance(self.codec.postings_writer(None), W3PostingsWriter)

    def add_document(self, **values):
        if any(name.startswith("_") for name in values):
            return super().add_document(**values)  # boosts and custom stored values: Whoosh's path
        self._check_state()
        perdoc = self.perdocwriter
        table = self._table
        docnum = self.docnum
        plan = self._plan
        names = sorted(values)
        for name in names:
            if name not in plan:
                return super().add_document(**values)  # Whoosh raises its UnknownFieldError
        perdoc.start_doc(docnum)
        try:
            for name in names:
                value = values[name]
                if value is None:
                    continue
                field, indexer = plan[name]
                length = 0
                if field.indexed:
                    items = indexer.index(value) if indexer is not None else list(field.index(value))
                    table.add(name, docnum, items)
                    if field.scorable:
                        length = sum(item[1] for item in items)
                        if length:
                            self._record_length(name, docnum, length)
                perdoc.add_field(name, field, value if field.stored else None, length)
                column = field.column_type
                if column:
                    perdoc.add_column_value(name, column, field.to_column_value(value))
        except Exception:
            perdoc.cancel_doc()
            raise
        perdoc.finish_doc()
        self._added = True
        self.docnum += 1
        if self._spill and self.memory_full:
            self._spill_table()

    @property
    def memory_full(self) -> bool:
        return self._table.estimated_bytes > self._table_limit

    def _record_length(self, fieldname: str, docnum: int, length: int) -> None:
        column = self._length_bytes.get(fieldname)
        if column is None:
            column = self._length_bytes[fieldname] = bytearray()
        if len(column) < docnum:
            column.extend(bytes(docnum - len(column)))
        column.append(length_to_byte(length))

    def _spill_table(self) -> None:
        # Past the memory budget the postings go to Whoosh's pool, which sorts
        # them in runs on disk; slower, but memory stays within ``limitmb``.
        add = self.pool.add
        for item in self._table.as_pool_items():
            add(item)
        self._table = _PostingTable()

    def _flush_segment(self):
        columns = self._column_writer()
        try:
            self._flush_postings(columns)
        except BaseException:
            if columns is not None:
                columns.cancel()
            raise
        if columns is not None:
            columns.write()

    def _column_writer(self) -> ColumnWriter | None:
        """Where the segment's postings also go as flat arrays (``columns``), for every
        indexed field a query can name; None for storage without a folder."""
        if not ColumnWriter.can_write(self.storage):
            return None
        names = [name for name in self.schema.names()
                 if self.schema[name].indexed and not getattr(self.schema[name], "unique", False)]
        return ColumnWriter(self.storage, self.get_segment(), names)

    def _flush_postings(self, columns: ColumnWriter | None) -> None:
        pool_is_empty = not self.pool.current and not self.pool.runs
        if pool_is_empty and self._write_blocks_directly:
            self.perdocwriter.close()
            self._write_table(columns)
            self.fieldwriter.close()
            return
        # Postings from merged segments or a spilled table are in the pool:
        # everything goes through Whoosh's sorted path.
        self._spill_table()
        self.perdocwriter.close()
        lengths = _LengthsInMemory(self.per_document_reader()) if self.codec.length_stats else None
        postings = self.pool.iter_postings()
        if columns is not None:
            postings = columns.tee(postings)
        self.fieldwriter.add_postings(self.schema, lengths, postings)
        self.fieldwriter.close()
        if lengths is not None:
            lengths.close()

    def _write_table(self, columns: ColumnWriter | None = None) -> None:
        writer = self.fieldwriter
        lengths_known = self.codec.length_stats
        for fieldname in sorted(self._table.fields):
            terms = self._table.fields[fieldname]
            writer.start_field(fieldname, self.schema[fieldname])
            lengths = self._length_bytes.get(fieldname) if lengths_known else None
            for tbytes in sorted(terms):
                ids, weights, values = terms[tbytes]
                writer.start_term(tbytes)
                _write_term_blocks(writer._postwriter, ids, weights, values, lengths)
                writer.finish_term()
                if columns is not None:
                    columns.add_term(fieldname, tbytes, ids, weights)
            writer.finish_field()
        self._table = _PostingTable()

    def commit_with_segments(self, worker_segments=()):
        """Commit, listing the finished segments of worker writers in the new TOC.

        The same steps as ``whoosh.multiproc.MpWriter`` with ``multisegment=True``:
        the merge policy runs over the existing segments, the workers' segments
        join the list as they are, and one TOC naming them all is written.
        """
        if not worker_segments:
            return self.commit()
        self._check_state()
        final = self._merge_segments(None, None, None)
        final.extend(worker_segments)
        if self._added:
            final.append(self._finalize_segment())
        else:
            self._close_segment()
        self._commit_toc(final)
        self._finish()


__all__ = ["FastTextIndexer", "PassageSegmentWriter", "fast_indexer_for"]
