"""One page's lines into rows in reading order, each judged body, heading or footnote.

Everything here looks at one page at a time, so a 2,000-page file never has
more than one page's geometry in memory; what needs the whole document
(running heads by repetition, page numbering, hyphen choices) is decided
later in ``pinpoint.index.ingest.pdf.document`` from the small rows this returns.

Rules are about typography, not any one producer: a column is a run of lines
on one side of the page's middle; a paragraph starts with an indent, a wider
gap than the column's line pitch, or after a short line that ends a sentence
in justified text; a heading is set larger than the body, or bold and short;
a footnote is set smaller than the body, below the column's last body line.
"""

from __future__ import annotations

import re
import statistics
import unicodedata
from dataclasses import dataclass

from pinpoint.index.ingest.pdf.extract import Line

# Running heads and feet sit in these outer shares of the page height (LaTeX's default article
# sets its folio ~140 pt above the foot of a Letter page), set apart by a gap.
MARGIN_BAND = 0.2
MARGIN_LINES = 2
_PRESENTATION_FORMS = re.compile("[\ufb00-\ufdff\ufe70-\ufefe\u2000-\u200a]")
_INVISIBLE = re.compile("[\u00ad\u200b\u200c\u200d\u2060\ufeff\x00-\x08\x0b-\x1f]")
_TERMINAL = re.compile(r"[.!?:;\"”’)\]]$")
# A footnote's own number, where the producer did not set it as a superscript.
_FOOTNOTE_NUMBER = re.compile(r"^(?:\d{1,3}|[*†‡§¶])\s*(?=[^\W\d_])")


@dataclass(slots=True)
class Row:
    """A line as the document assembler needs it: its text, role and paragraph cues."""

    text: str
    kind: str  # "body", "heading", "footnote"
    start: bool | None  # True: starts a paragraph; None: continues unless the text before ended one
    size: float
    soft_hyphen: bool = False
    margin: str | None = None  # "top"/"bottom": a candidate running head or foot
    ends_paragraph: bool = False  # short, and ends like a sentence: the paragraph is over
    indented: bool = False
    bold: bool = False


def normalise(text: str) -> str:
    """Ligatures and other presentation forms to plain letters (NFKC on those only)."""
    text = _INVISIBLE.sub("", text)
    return _PRESENTATION_FORMS.sub(lambda m: unicodedata.normalize("NFKC", m.group()), text)


def body_size(lines: list[Line]) -> float:
    """The size most characters on the page are set in."""
    weights: dict[float, int] = {}
    for line in lines:
        key = round(line.size * 2) / 2
        weights[key] = weights.get(key, 0) + len(line.text)
    return max(weights, key=weights.get) if weights else 10.0


def page_rows(lines: list[Line], width: float, height: float, body: float | None = None) -> list[Row]:
    """The page's rows in reading order."""
    for line in lines:
        line.text = normalise(line.text)
    lines = [line for line in lines if line.text.strip()]
    if not lines:
        return []
    body = body or body_size(lines)
    top, bottom = _margin_candidates(lines, height)
    margin_ids = {id(l) for l in top + bottom}
    inner = [line for line in lines if id(line) not in margin_ids]
    rows: list[Row] = [_margin_row(line, "top", body) for line in top]
    for column in _columns(inner, width):
        rows.extend(_column_rows(column, body))
    rows.extend(_margin_row(line, "bottom", body) for line in bottom)
    return rows


def _margin_candidates(lines: list[Line], height: float) -> tuple[list[Line], list[Line]]:
    """Lines set apart at the top or bottom of the page: where running heads and feet sit.

    A candidate lies in the outer band of the page and is separated from the
    text next to it by more than a line's spacing; lines sharing a baseline
    (a head set left and right) are judged together.  Whether a candidate is
    furniture is decided over the whole document.
    """
    rows = _baselines(sorted(lines, key=lambda l: -l.y))
    top: list[Line] = []
    for i, row in enumerate(rows[:MARGIN_LINES]):
        below = rows[i + 1] if i + 1 < len(rows) else None
        size = max(l.size for l in row)
        if row[0].y < height * (1 - MARGIN_BAND) or (below is not None and row[0].y - below[0].y < 1.8 * size):
            break
        top.extend(row)
    bottom: list[Line] = []
    rising = rows[::-1]
    for i, row in enumerate(rising[:MARGIN_LINES]):
        above = rising[i + 1] if i + 1 < len(rising) else None
        size = max(l.size for l in row)
        if (row[0].y > height * MARGIN_BAND or row[0] in top
                or (above is not None and above[0].y - row[0].y < 1.8 * size)):
            break
        bottom.extend(row)
    return top, bottom[::-1]


def _baselines(by_height: list[Line]) -> list[list[Line]]:
    """Lines (highest first) grouped by shared baseline, each group left to right."""
    groups: list[list[Line]] = []
    for line in by_height:
        if groups and abs(groups[-1][0].y - line.y) < 0.3 * line.size:
            groups[-1].append(line)
        else:
            groups.append([line])
    return [sorted(group, key=lambda l: l.x0) for group in groups]


def _margin_row(line: Line, where: str, body: float) -> Row:
    # A candidate that is not furniture after all is text like any other: a page's first
    # line set apart by a heading below it still continues the paragraph before.
    # Small type set apart at the foot is a footnote when it is not a running foot.
    if line.size >= 1.15 * body:
        kind = "heading"
    elif where == "bottom" and line.size < 0.9 * body:
        kind = "footnote"
    else:
        kind = "body"
    return Row(line.text, kind, True if kind == "heading" else None, line.size,
               line.soft_hyphen, margin=where, bold=line.bold)


def _columns(lines: list[Line], width: float) -> list[list[Line]]:
    """Lines grouped into columns in reading order: bands split by full-width lines."""
    if not lines:
        return []
    left_edge = min(l.x0 for l in lines)
    right_edge = max(l.x1 for l in lines)
    middle = (left_edge + right_edge) / 2
    slack = 0.01 * width
    side = {}
    for line in lines:
        if line.x1 <= middle + slack:
            side[id(line)] = "left"
        elif line.x0 >= middle - slack:
            side[id(line)] = "right"
        else:
            side[id(line)] = "full"
    lefts = sum(1 for s in side.values() if s == "left")
    rights = sum(1 for s in side.values() if s == "right")
    ordered = sorted(lines, key=lambda l: (-round(l.y, 1), l.x0))
    if lefts < 3 or rights < 3:
        return [ordered]
    groups: list[list[Line]] = []
    band_left: list[Line] = []
    band_right: list[Line] = []

    def close_band() -> None:
        for group in (band_left, band_right):
            if group:
                groups.append(list(group))
        band_left.clear()
        band_right.clear()

    for line in ordered:
        where = side[id(line)]
        if where == "full":
            close_band()
            groups.append([line])
        elif where == "left":
            band_left.append(line)
        else:
            band_right.append(line)
    close_band()
    return groups


def _column_rows(lines: list[Line], body: float) -> list[Row]:
    body_lines = [l for l in lines if abs(l.size - body) < 0.75]
    left = _left_edge([l.x0 for l in body_lines] or [l.x0 for l in lines])
    right = _mode([l.x1 for l in body_lines] or [l.x1 for l in lines])
    pitches = [a.y - b.y for a, b in zip(body_lines, body_lines[1:]) if 0 < a.y - b.y < 3 * body]
    pitch = statistics.median(pitches) if pitches else 1.2 * body
    flush = sum(1 for l in body_lines if abs(l.x1 - right) < 0.3 * body) >= 0.5 * max(1, len(body_lines))
    lowest_body = min((l.y for l in body_lines), default=None)
    width = max(right - left, 1.0)
    rows: list[Row] = []
    previous: Line | None = None
    previous_kind = None
    for line in lines:
        kind = "body"
        if line.size >= 1.15 * body or (line.bold and len(line.text) < 120 and not line.text.endswith(".")
                                        and line.size >= 0.95 * body and line.x1 - line.x0 < 0.9 * width):
            kind = "heading"
        elif line.size < 0.9 * body and lowest_body is not None and line.y < lowest_body:
            kind = "footnote"
        if kind == "footnote" and previous_kind != "footnote" or kind == "footnote" and line.x0 - left > 0.3 * line.size:
            line.text = _FOOTNOTE_NUMBER.sub("", line.text)
        indent = line.x0 - left
        indented = 0.8 * line.size < indent < 8 * line.size
        if previous is None:
            start = True if kind == "heading" or indented else None
        else:
            gap = previous.y - line.y
            start = (indented or gap > 1.45 * pitch or abs(line.size - previous.size) > 1.0
                     or kind != previous_kind)
        # Justified text fills every line but a paragraph's last; ragged text needs a wider margin.
        short = line.x1 < right - 2 * body if flush else line.x1 < left + 0.8 * width
        ends = short and bool(_TERMINAL.search(line.text))
        if rows and start is False and rows[-1].ends_paragraph and rows[-1].kind == kind:
            start = True
        rows.append(Row(line.text, kind, start, line.size, line.soft_hyphen,
                        ends_paragraph=ends, indented=indented, bold=line.bold))
        previous = line
        previous_kind = kind
    return rows


def _left_edge(values: list[float]) -> float:
    """The leftmost x at which several lines start: the column's edge, not an indent or an outlier."""
    ordered = sorted(values)
    need = max(2, len(ordered) // 10) if len(ordered) > 2 else 1
    for value in ordered:
        if sum(1 for v in ordered if abs(v - value) < 1.5) >= need:
            return value
    return ordered[0]


def _mode(values: list[float]) -> float:
    counts: dict[int, int] = {}
    for value in values:
        counts[round(value)] = counts.get(round(value), 0) + 1
    best = max(counts, key=lambda k: (counts[k], -k))
    return float(best)
