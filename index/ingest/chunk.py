"""Chunking: cleaned paragraphs into passages a citation can point at.

A passage is about a paragraph: short paragraphs join the ones after them in
the same section (a one-line paragraph is a poor search result on its own),
long ones split at sentence ends (a page of text is a poor quotation).  The
locator is always the paragraph numbers of the cleaned source, counted over
body paragraphs only, so "para. 18" is what a reader counting the page gets.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass

from pinpoint.index.records import Block, CleanDocument, Passage

MIN_CHARS = 250
MAX_CHARS = 1500

# A sentence ends at . ! ? (plus closing quotes) before a space and a capital,
# digit or opening quote, except after an abbreviation or an initial.
_SENTENCE_END = re.compile(r"[.!?…]['\"”’)\]]*\s+(?=[A-Z0-9\"“‘(\[])")
_ABBREVIATION = re.compile(
    r"(?:\b(?:Mr|Mrs|Ms|Dr|Prof|Sr|Jr|St|No|Nos|Vol|pp|p|cf|vs|etc|e\.g|i\.e|Gen|Col|Lt|Sgt|Capt"
    r"|Rep|Sen|Gov|Pres|Fig|Inc|Ltd|Co|Corp|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)"
    r"|\b[A-Z]|(?:\b[A-Za-z]\.){2,}[A-Za-z]?)\.$")


@dataclass(frozen=True)
class _Paragraph:
    number: int
    heading: str | None
    section: int
    start: int
    end: int


@dataclass
class _Span:
    start: int
    end: int
    first: int
    last: int
    heading: str | None
    section: int


def chunk(source_id: str, doc: CleanDocument) -> list[Passage]:
    """Passages of ``doc`` in order, numbered from 1; ``doc.text[start:end] == text``."""
    paragraphs = _paragraphs(doc.blocks)
    spans: list[_Span] = []
    index = 0
    while index < len(paragraphs):
        first = last = paragraphs[index]
        index += 1
        while (last.end - first.start < MIN_CHARS and index < len(paragraphs)
               and paragraphs[index].section == first.section
               and paragraphs[index].end - first.start <= MAX_CHARS):
            last = paragraphs[index]
            index += 1
        if first.end - first.start > MAX_CHARS:
            spans.extend(_Span(start, end, first.number, first.number, first.heading, first.section)
                         for start, end in split_sentences(doc.text, first.start, first.end))
            continue
        previous = spans[-1] if spans else None
        if (last.end - first.start < MIN_CHARS and previous is not None
                and previous.section == first.section
                and last.end - previous.start <= MAX_CHARS and previous.last < first.number):
            # A short section end joins the passage before it rather than standing alone.
            previous.end, previous.last = last.end, last.number
            continue
        spans.append(_Span(first.start, last.end, first.number, last.number, first.heading, first.section))
    return [
        Passage(source_id=source_id, number=number, paragraph=span.first, paragraph_end=span.last,
                heading=span.heading, text=doc.text[span.start:span.end], start=span.start, end=span.end,
                **_page_range(doc.pages, span.start, span.end))
        for number, span in enumerate(spans, start=1)
    ]


def _page_range(pages: tuple[tuple[int, str], ...], start: int, end: int) -> dict[str, str | None]:
    """The printed pages ``[start, end)`` of the text lies on (none for unpaginated sources)."""
    if not pages:
        return {}
    offsets = [offset for offset, _ in pages]
    first = pages[max(0, bisect_right(offsets, start) - 1)][1]
    last = pages[max(0, bisect_right(offsets, max(start, end - 1)) - 1)][1]
    breaks = tuple((offset - start, label) for offset, label in pages if start < offset < end)
    return {"page": first, "page_end": last if last != first else None, "page_breaks": breaks}


def _paragraphs(blocks: tuple[Block, ...]) -> list[_Paragraph]:
    result: list[_Paragraph] = []
    heading: str | None = None
    section = 0
    for block in blocks:
        if block.kind == "heading":
            heading = block.text
            section += 1
        elif block.kind == "paragraph":
            result.append(_Paragraph(len(result) + 1, heading, section, block.start, block.end))
    return result


def split_sentences(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Split ``text[start:end]`` into spans of at most ``MAX_CHARS`` at sentence ends.

    Pieces aim at an even size, so a 1,600-character paragraph becomes two
    halves rather than 1,500 characters and a stub.  A sentence longer than
    the limit is cut at the last space before it.
    """
    cuts = [m.end() for m in _SENTENCE_END.finditer(text, start, end)
            if not _ABBREVIATION.search(text[max(start, m.start() - 12): m.start() + 1])]
    pieces = -(-(end - start) // MAX_CHARS)
    target = (end - start) / pieces
    spans: list[tuple[int, int]] = []
    piece_start = start
    while end - piece_start > MAX_CHARS:
        limit = piece_start + MAX_CHARS
        # cuts are in order: a slice, not a scan, or a book-long paragraph costs pieces x cuts.
        fitting = cuts[bisect_right(cuts, piece_start):bisect_right(cuts, limit)]
        if fitting:
            cut = min(fitting, key=lambda c: abs((c - piece_start) - target))
        else:
            space = text.rfind(" ", piece_start + 1, limit)
            cut = space + 1 if space > piece_start else limit
        spans.append((piece_start, _trim_end(text, piece_start, cut)))
        piece_start = cut
    spans.append((piece_start, end))
    return spans


def _trim_end(text: str, start: int, end: int) -> int:
    while end > start and text[end - 1].isspace():
        end -= 1
    return end
