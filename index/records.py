"""Plain records shared by every part of Pinpoint.

Nothing here knows about Whoosh or Falcon: the engine hands these out and the
service shapes them into responses.  Metadata is CSL-JSON (a plain dict), the
lingua franca of reference managers, so citation styles and exports read one
format whatever the source said about itself.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from pinpoint.index.bibliography.dates import issued_year


@dataclass(frozen=True)
class RawSource:
    """A source as a reader found it, before cleaning.

    ``meta`` is CSL-JSON the file states in a structured way (JSONL fields,
    HTML ``<meta>`` tags); ``fmt`` is the reader that produced it.
    """

    id: str
    path: str
    fmt: str  # "txt", "md", "html", "jsonl", "rst", "tex", "pdf"
    text: str
    meta: dict[str, Any] = field(default_factory=dict)
    # Readers that already know the layout (PDF) hand over its blocks, which
    # cleaning then keeps as they are, and where each printed page starts.
    blocks: tuple["Block", ...] = ()
    pages: tuple[tuple[int, str], ...] = ()


@dataclass(frozen=True)
class Block:
    """One structural unit of a cleaned source: a heading or a paragraph.

    ``start``/``end`` are character offsets into the cleaned text.
    """

    kind: str  # "title"/"front" (title, bylines: not counted), "heading", "paragraph" or "references" (not passages)
    text: str
    start: int
    end: int


@dataclass(frozen=True)
class CleanDocument:
    """A source after boilerplate removal: its text and the blocks found in it."""

    text: str
    blocks: tuple[Block, ...]
    dropped: tuple[str, ...] = ()  # lines removed as boilerplate, for auditing
    # Paginated sources: (offset in ``text`` where a page starts, its printed label), in order.
    pages: tuple[tuple[int, str], ...] = ()


@dataclass(frozen=True)
class Passage:
    """A quotable unit of a source with its pinpoint locator.

    ``number`` is the passage's position in its source (1-based, the ``N`` of
    ``SOURCEID:N``).  ``paragraph``..``paragraph_end`` are the paragraph numbers
    it covers, counted over the cleaned source's body paragraphs (headings do
    not count): the locator a citation shows.  ``start``/``end`` are offsets of
    ``text`` in the cleaned source text.  ``page``..``page_end`` are the printed
    page labels it covers in a paginated source (PDF), ``None`` otherwise;
    ``page_end`` is ``None`` when it stays on one page.
    """

    source_id: str
    number: int
    paragraph: int
    paragraph_end: int
    heading: str | None
    text: str
    start: int
    end: int
    page: str | None = None
    page_end: str | None = None
    # Where a later page begins inside ``text``: (offset in ``text``, label), in order.
    page_breaks: tuple[tuple[int, str], ...] = ()

    @property
    def id(self) -> str:
        return f"{self.source_id}:{self.number}"

    def stored_fields(self) -> dict[str, Any]:
        """What every engine stores for a passage, in JSON-friendly form (``from_stored`` reads it back)."""
        fields = {
            "source_id": self.source_id, "number": self.number,
            "paragraph": self.paragraph, "paragraph_end": self.paragraph_end,
            "page": self.page, "page_end": self.page_end, "page_breaks": [list(b) for b in self.page_breaks],
            "start": self.start, "end": self.end, "text": self.text,
        }
        if self.heading:
            fields["heading"] = self.heading
        return fields

    @classmethod
    def from_stored(cls, fields: dict[str, Any]) -> "Passage":
        return cls(
            source_id=fields["source_id"], number=fields["number"],
            paragraph=fields["paragraph"], paragraph_end=fields["paragraph_end"],
            heading=fields.get("heading"), text=fields["text"], start=fields["start"], end=fields["end"],
            # .get: a version written before pages were stored has none.
            page=fields.get("page"), page_end=fields.get("page_end"),
            page_breaks=tuple((int(o), str(label)) for o, label in fields.get("page_breaks") or ()),
        )

    def pages_of(self, start: int, end: int) -> tuple[str | None, str | None]:
        """The printed pages ``text[start:end]`` lies on: (page, page_end or None when one page)."""
        first = last = self.page
        for offset, label in self.page_breaks:
            if offset <= start:
                first = label
            if offset < end:
                last = label
        return first, (last if last != first else None)


@dataclass(frozen=True)
class Source:
    """One indexed source: where it came from and what it says about itself.

    ``csl`` is a CSL-JSON item.  It holds only what a sidecar or the text
    states; absent fields stay absent (a missing date renders "n.d.").
    """

    id: str
    path: str
    csl: dict[str, Any]
    content_hash: str
    passage_count: int = 0
    metadata_origin: str = "text"  # "sidecar", "zotero", "embedded" (JSONL/HTML/PDF fields) or "text"
    # Where the title came from: "sidecar", "embedded", "text", or, for a work
    # stating none, "heading-description"/"file-name-description" ("[...]").
    title_origin: str = "text"
    collections: tuple[str, ...] = ()  # the reference manager's collections holding it (Zotero)
    zotero_key: str | None = None
    zotero_link: str | None = None  # zotero://select/... opens the item in the researcher's Zotero

    @property
    def title(self) -> str | None:
        return self.csl.get("title")

    @property
    def year(self) -> int | None:
        return issued_year(self.csl)


@dataclass(frozen=True)
class Match:
    """A matched term in a passage: offsets into ``Passage.text``."""

    start: int
    end: int
    term: str


@dataclass(frozen=True)
class Hit:
    rank: int
    score: float
    passage: Passage
    source: Source
    excerpt: str
    excerpt_html: str
    matches: tuple[Match, ...]
    # The words of a plain query (under match=preferred or any, which rank rather than require
    # every word) that this passage does not hold, as typed: "Missing: relocation".
    missing: tuple[str, ...] = ()


# How the words of a plain query (words and phrases, no operators) combine:
# "preferred" (the default) ranks passages holding every word first and still
# finds the passages holding some; "all" requires every word, falling back to
# any word when no passage has them all; "any" ranks by any word.  Measured on
# SciFact, Cranfield and known items (tests/benchmarks/quality.py --match).
MATCH_MODES = ("preferred", "all", "any")


@dataclass(frozen=True)
class SearchRequest:
    """What a caller asks of the engine; the service validates before building one."""

    q: str
    limit: int = 10
    offset: int = 0
    author: str | None = None
    title: str | None = None
    source: str | None = None
    collection: str | None = None  # a reference-manager collection's name (Zotero)
    year_from: int | None = None
    year_to: int | None = None
    group_by_source: bool = False
    # MATCH_MODES: how the words of a plain query combine.
    match: str = "preferred"
    # Callers that never show excerpts (ranking evaluation, quote candidates)
    # skip marking: hits then carry no matches and an empty excerpt.
    highlight: bool = True
    # Counting every match per source, author and year costs on common words;
    # without it SearchResult.facets is empty.
    facets: bool = True
    # Past a thousand matches ``total`` is a lower bound (``total_relation``
    # "gte") and pages are found without scoring every match; True counts all.
    exact_total: bool = False
    # A query tree (index.search.syntax) built by code rather than typed, such
    # as quote lookup's; when given, ``q`` is not parsed.
    query: Any = None
    # Seconds the engine may spend on this search; past them it answers with
    # what it has found so far and marks the result partial.  None: no limit.
    time_limit: float | None = None


@dataclass(frozen=True)
class SearchResult:
    query: str
    corrected_query: str | None
    total: int
    hits: tuple[Hit, ...]
    matched_all_terms: bool = True
    facets: dict[str, dict[str, int]] = field(default_factory=dict)
    # True when the search ran out of its time limit: hits and total cover the matches found until then.
    partial: bool = False
    # "eq": ``total`` counts every match; "gte": at least that many match (see
    # SearchRequest.exact_total).
    total_relation: str = "eq"
