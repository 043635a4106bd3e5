"""Pages of rows into one document: furniture dropped, paragraphs and pages rebuilt.

What only the whole document shows is decided here:

* running heads and feet are the top and bottom lines that repeat (digits
  aside) on two or more pages, plus lone page numbers;
* the printed page numbers, when the numbers found in that furniture agree
  on one offset from the page index (an article starting at p. 153);
* whether a line-end hyphen is a real one ("long-term") or the typesetter's
  ("adminis-tration"): the document's own words decide, as a reader would;
* a references or bibliography section, whose entries are kept apart so
  reference lists do not swamp search results.

Footnotes wait until the paragraph they interrupted ends, then follow it as
paragraphs of their own, so a body sentence is never cut by one.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from pinpoint.index.ingest.pdf.layout import Row
from pinpoint.index.records import Block

_PAGE_NUMBER = re.compile(r"^(?:page\s+)?(\d{1,5}|[ivxlcdm]{1,8})(?:\s*(?:of|/)\s*\d{1,5})?$", re.I)
_EDGE_NUMBER = re.compile(r"^(\d{1,5})\b|\b(\d{1,5})$")
_REFERENCES = re.compile(
    r"^(?:[\dIVX]+\.?\s+)?(?:references|bibliography|works cited|literature cited|reference list"
    r"|literatur|références|bibliographie|referencias|bibliografía)\s*$", re.I)
# The largest type on page 1 of a thesis or report is often a numbered chapter or a contents page.
_NOT_A_TITLE = re.compile(r"^(?:\d+(?:\.\d+)*\.?\s|chapter\b|(?:table of )?contents$|abstract$|preface$"
                          r"|introduction$|index$)", re.I)
# Anchored at a word's start and possessive: a long run of letters costs one pass, not n^2.
_NUMBERED = re.compile(r"^(?:\d+(?:\.\d+)*\.?|[IVX]+\.)\s")
_HYPHENATED = re.compile(r"(?<![^\W\d_-])[^\W\d_]++(?:-[^\W\d_]++)+")
_WORD = re.compile(r"[^\W\d_]+")
_LEFT_PART = re.compile(r"([^\W\d_]+)-$")
_RIGHT_PART = re.compile(r"^([^\W\d_]+)")


@dataclass
class PageRows:
    index: int  # 0-based page index in the file
    label: str | None  # the file's /PageLabels entry, when it has one
    rows: list[Row]


@dataclass
class Assembled:
    text: str
    blocks: tuple[Block, ...]
    pages: tuple[tuple[int, str], ...]  # (offset where the page's text starts, printed label)
    labels: list[str]
    dropped: tuple[str, ...] = ()
    title: str | None = None


@dataclass
class _Piece:
    kind: str
    lines: list[tuple[str, str, bool]] = field(default_factory=list)  # text, page label, soft hyphen
    size: float = 0.0


def furniture_key(text: str) -> str:
    return re.sub(r"\d+", "#", " ".join(text.lower().split()))


def assemble(pages: list[PageRows]) -> Assembled:
    furniture = _furniture(pages)
    labels = page_labels(pages, furniture)
    vocabulary = _Vocabulary(pages, furniture)
    title = _title(pages[0]) if pages else None
    pieces: list[_Piece] = []
    pending: list[_Piece] = []  # footnotes waiting for their paragraph to end
    current: _Piece | None = None
    footnote: _Piece | None = None
    ended = True  # whether the last body line read ended its paragraph
    dropped: list[str] = []
    in_references: float | None = None  # size of the references heading while inside that section
    body_seen = False

    def close() -> None:
        nonlocal current
        if current is not None:
            pieces.append(current)
            current = None
        pieces.extend(pending)
        pending.clear()

    for page in pages:
        label = labels[page.index]
        for row in page.rows:
            if row.margin and (id(row) in furniture):
                dropped.append(row.text)
                continue
            if row.kind == "footnote":
                if footnote is None or row.start or footnote not in pending:
                    footnote = _Piece("paragraph", size=row.size)
                    pending.append(footnote)
                footnote.lines.append((row.text, label, row.soft_hyphen))
                continue
            if row.kind == "heading":
                if title is not None and page.index == 0 and row.text in title[1]:
                    kind = "title"
                elif title is not None and page.index == 0 and not body_seen and not row.bold \
                        and not _NUMBERED.match(row.text):
                    # Between the title and the text: bylines, affiliations, dates in larger type.
                    kind = "front"
                elif in_references is not None and row.size < in_references - 0.5:
                    kind = "references"
                else:
                    kind = "heading"
                if current is not None and current.kind == kind and abs(current.size - row.size) < 0.5:
                    current.lines.append((row.text, label, row.soft_hyphen))
                    continue
                close()
                current = _Piece(kind, [(row.text, label, row.soft_hyphen)], row.size)
                if kind == "heading":
                    in_references = row.size if _REFERENCES.match(row.text.strip()) else None
                ended = True
                continue
            starts = row.start if row.start is not None else ended
            body_kind = "references" if in_references is not None else "paragraph"
            body_seen = True
            if body_kind == "references" and row.indented:
                starts = False  # a hanging indent continues the entry above
            if starts or current is None or current.kind != body_kind:
                close()
                current = _Piece(body_kind, size=row.size)
            current.lines.append((row.text, label, row.soft_hyphen))
            ended = row.ends_paragraph
    close()
    text, blocks, offsets = _compose(pieces, vocabulary)
    return Assembled(text, blocks, offsets, labels, tuple(dropped), title[0] if title else None)


def _furniture(pages: list[PageRows]) -> set[int]:
    seen: dict[tuple[str, str], set[int]] = {}
    for page in pages:
        for row in page.rows:
            if row.margin:
                seen.setdefault((row.margin, furniture_key(row.text)), set()).add(page.index)
    found = set()
    for page in pages:
        for row in page.rows:
            if not row.margin:
                continue
            repeated = len(seen[(row.margin, furniture_key(row.text))]) >= 2
            if repeated or _PAGE_NUMBER.match(row.text.strip()):
                found.add(id(row))
    return found


def page_labels(pages: list[PageRows], furniture: set[int]) -> list[str]:
    """Printed page labels: the file's /PageLabels, else consistent printed numbers, else index + 1."""
    count = max((p.index for p in pages), default=-1) + 1
    labels = [str(i + 1) for i in range(count)]
    stated = {p.index: p.label for p in pages if p.label}
    if stated and len(stated) == len(pages):
        for index, label in stated.items():
            labels[index] = label
        return labels
    offsets: Counter[int] = Counter()
    numbered = 0
    for page in pages:
        found = set()
        for row in page.rows:
            if id(row) in furniture:
                match = _EDGE_NUMBER.search(row.text.strip())
                if match:
                    found.add(int(match.group(1) or match.group(2)) - page.index)
        numbered += bool(found)
        offsets.update(found)
    if offsets:
        offset, votes = offsets.most_common(1)[0]
        # Most numbered pages must agree, and at least two: one number alone may be anything.
        if votes >= max(2, 0.6 * numbered):
            for i in range(count):
                if i + offset >= 1:
                    labels[i] = str(i + offset)
    return labels


def _title(first: PageRows) -> tuple[str, set[str]] | None:
    """The lines set in the largest type on page 1, when that type stands out from the body."""
    rows = [r for r in first.rows if not r.margin and r.text.strip()]
    if not rows:
        return None
    weights: Counter[float] = Counter()
    for row in rows:
        weights[round(row.size * 2) / 2] += len(row.text)
    body = weights.most_common(1)[0][0]
    largest = max(r.size for r in rows)
    if largest < 1.3 * body:
        return None
    lines = [r.text for r in rows if r.kind == "heading" and abs(r.size - largest) < 0.5]
    if not lines or len(" ".join(lines)) > 300 or _NOT_A_TITLE.match(lines[0]):
        return None
    return " ".join(" ".join(lines).split()), set(lines)


class _Vocabulary:
    """The words and hyphenated compounds the document sets inside its lines."""

    def __init__(self, pages: list[PageRows], furniture: set[int]):
        self.plain: set[str] = set()
        self.hyphenated: set[str] = set()
        for page in pages:
            for row in page.rows:
                if id(row) in furniture:
                    continue
                inner = row.text[:-1] if row.text.endswith("-") else row.text
                self.hyphenated.update(w.lower() for w in _HYPHENATED.findall(inner))
                self.plain.update(w.lower() for w in _WORD.findall(_HYPHENATED.sub(" ", inner)))

    def keep_hyphen(self, left: str, right: str, soft: bool) -> bool:
        compound = f"{left}-{right}".lower()
        joined = f"{left}{right}".lower()
        if compound in self.hyphenated and joined not in self.plain:
            return True
        if joined in self.plain:
            return False
        return not soft and right[:1].isupper()


def join_lines(lines: list[str], softs: list[bool], vocabulary: _Vocabulary) -> tuple[str, list[int]]:
    """Lines of one block as one string, hyphens resolved; returns the text and each line's offset.

    Built from parts, and a hyphen looked for at the end of the previous line
    only: a block can be a whole book long when a file marks no paragraphs.
    """
    parts: list[str] = []
    starts: list[int] = []
    length = 0
    for i, line in enumerate(lines):
        line = " ".join(line.split())
        if i:
            previous = parts[-1]
            left = _LEFT_PART.search(previous[-64:])
            right = _RIGHT_PART.match(line)
            if left and right:
                if not vocabulary.keep_hyphen(left.group(1), right.group(1), softs[i - 1]):
                    parts[-1] = previous[:-1]
                    length -= 1
            else:
                parts.append(" ")
                length += 1
        starts.append(length)
        parts.append(line)
        length += len(line)
    return "".join(parts), starts


def _compose(pieces: list[_Piece], vocabulary: _Vocabulary):
    parts: list[str] = []
    blocks: list[Block] = []
    offsets: list[tuple[int, str]] = []
    at = 0
    for piece in pieces:
        text, starts = join_lines([l[0] for l in piece.lines], [l[2] for l in piece.lines], vocabulary)
        if not text.strip():
            continue
        if parts:
            at += 2
        for (_, label, _), start in zip(piece.lines, starts):
            if not offsets or offsets[-1][1] != label:
                offsets.append((at + start, label))
        blocks.append(Block(piece.kind, text, at, at + len(text)))
        parts.append(text)
        at += len(text)
    return "\n\n".join(parts), tuple(blocks), tuple(offsets)
