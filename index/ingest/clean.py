"""Cleaning: a raw source into titled, headed paragraphs without page furniture.

Two layouts meet here.  Scraped pages put one paragraph on each line; plain
text books hard-wrap lines at ~70 characters with blank lines between
paragraphs.  Each blank-line-separated block is judged on its own, so a page
that quotes a wrapped passage still reads right.

Boilerplate rules are about *kinds* of furniture (share buttons, subscription
forms, photo credits, job adverts, "more on this topic" links, navigation
labels, pull quotes) rather than any one site's strings, and they only fire
on short lines or on lines whose whole shape gives them away, because losing
a sentence of the source is worse than keeping a stray label.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from pinpoint.index.ingest.boilerplate import (
    drop_pull_quotes,
    drop_slideshows,
    drop_tail_links,
    drop_top_navigation,
    furniture_kind,
    is_closing_line,
    split_byline_prefix,
    trim_trailing_furniture,
)
from pinpoint.index.records import Block, CleanDocument, RawSource

# A wrapped line is at most this long; a page's paragraph-per-line is longer.
WRAP_WIDTH_MAX = 100
# Mean width of the non-final lines of a wrapped block (Gutenberg wraps at ~70).
WRAP_WIDTH_MIN_MEAN = 50
HEADING_MAX_CHARS = 120
HEADING_MAX_WORDS = 15

_WORDY = re.compile(r"\w")
_WORDS = re.compile(r"\w+")
_TERMINAL = re.compile(r"[.!,;:…]['\"”’)\]]*$")
_QUESTION = re.compile(r"\?['\"”’)\]]*$")


@dataclass
class Unit:
    """A candidate paragraph or heading on its way through cleaning."""

    text: str
    heading_level: int = 0  # > 0 only for headings the markup states (markdown "#")
    verse_group: int | None = None  # lines of one unwrapped block in a wrapped document
    list_item: bool = False
    # A code block or table: one paragraph whose lines and spacing are its
    # meaning, so no rule for prose (furniture, bylines, headings) applies.
    verbatim: bool = False


def clean(raw: RawSource) -> CleanDocument:
    """Drop boilerplate and find the title, headings and paragraphs of ``raw``."""
    if raw.blocks:  # the reader rebuilt the layout itself (PDF): its furniture is already gone
        return CleanDocument(text=raw.text, blocks=raw.blocks, pages=raw.pages)
    if raw.fmt in ("md", "html", "rst", "tex"):  # rst and tex are read into Markdown's shape
        # An extracted page can put a widget's line right above or below a
        # paragraph with no blank line between; joined as Markdown joins lines,
        # "Sign up for our newsletter" became the paragraph's first words.
        # trafilatura fences a page's code; its indented lines are the page source's own indentation.
        units = markdown_units(raw.text, peel_furniture=raw.fmt == "html", indented_code=raw.fmt != "html",
                               headless_tables=raw.fmt == "html")
    else:
        units = plain_units(raw.text)
    dropped: list[str] = []
    # A unit without a word character ("| | |", "* * *") has nothing to find or cite ("_" is
    # one: a Rust keyword in the Reference's list of keywords).
    units = [u for u in units if _WORDY.search(u.text)]
    units = drop_top_navigation(units, dropped)
    units = drop_slideshows(units, dropped)
    kept: list[Unit] = []
    ended_at = None  # index in ``kept`` after which the article is over
    for unit in units:
        if unit.verbatim:
            kept.append(unit)
            continue
        kind = furniture_kind(unit.text)
        if kind:
            dropped.append(unit.text)
            if kind.ends_article:
                ended_at = len(kept)
            continue
        unit.text = trim_trailing_furniture(unit.text, dropped)
        if unit.text:
            kept.append(unit)
            if is_closing_line(unit.text):
                ended_at = len(kept)  # the story's own last line: kept, and what follows is the page's
    if ended_at is not None:
        kept = drop_tail_links(kept, ended_at, dropped, is_sentence)
    kept = drop_pull_quotes(kept, dropped)
    kept = _drop_leading_bylines(kept, dropped)
    kept = _join_verse(kept)
    return _assemble(kept, dropped, raw.meta.get("title"))


# --- layout: text into units ---------------------------------------------------------

def _blocks(text: str) -> list[list[str]]:
    blocks: list[list[str]] = []
    current: list[str] = []
    for line in text.split("\n"):
        stripped = " ".join(line.split())
        if stripped:
            current.append(stripped)
        elif current:
            blocks.append(current)
            current = []
    if current:
        blocks.append(current)
    return blocks


def is_wrapped(lines: list[str]) -> bool:
    """Whether a block is one paragraph hard-wrapped over several lines."""
    if len(lines) < 2 or any(len(line) > WRAP_WIDTH_MAX for line in lines):
        return False
    body = lines[:-1]
    return sum(len(line) for line in body) / len(body) >= WRAP_WIDTH_MIN_MEAN


def plain_units(text: str) -> list[Unit]:
    blocks = _blocks(text)
    wrapped = [is_wrapped(b) for b in blocks]
    long_lines = sum(1 for b in blocks for line in b if len(line) > WRAP_WIDTH_MAX * 2)
    # Short unwrapped lines in a wrapped document are verse or lists: keep
    # them together as one paragraph.  In a scraped page they are separate
    # items (buttons, links, captions) and stay apart.
    book_like = sum(wrapped) > long_lines
    units: list[Unit] = []
    for number, (lines, joined) in enumerate(zip(blocks, wrapped)):
        if joined:
            units.append(Unit(_join_wrapped(lines)))
        else:
            group = number if book_like and len(lines) > 1 else None
            units.extend(Unit(line, verse_group=group) for line in lines)
    return units


def _join_wrapped(lines: list[str]) -> str:
    return " ".join(lines)


_MD_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
_MD_SETEXT = re.compile(r"^(=+|-+)\s*$")
_MD_LIST = re.compile(r"^(?:[-*+]|\d{1,3}[.)])\s+(.*)$")
_MD_QUOTE = re.compile(r"^>\s?")
_MD_RULE = re.compile(r"^(?:[-*_]\s*){3,}$")
_MD_LINK_DEF = re.compile(r"^\[[^\]]+\]:\s*\S+")
_MD_FENCE = re.compile(r"^(```|~~~)")


def markdown_units(text: str, peel_furniture: bool = False, indented_code: bool = True,
                   headless_tables: bool = False) -> list[Unit]:
    """Markdown's blocks as units.  ``headless_tables``: rows written "| a | b |" on consecutive
    lines are a table without a delimiter row, as trafilatura writes a table with no header
    (in a Markdown file, GitHub's tables need the delimiter row)."""
    units: list[Unit] = []
    paragraph: list[str] = []

    def flush() -> None:
        if not paragraph:
            return
        lines = [strip_inline_markdown(line) for line in paragraph]
        paragraph.clear()
        head, tail = [], []
        if peel_furniture:
            # Widget lines at either edge stand alone, to be judged (and dropped) as furniture.
            while len(lines) > 1 and furniture_kind(lines[0]):
                head.append(Unit(lines.pop(0)))
            while len(lines) > 1 and furniture_kind(lines[-1]):
                tail.insert(0, Unit(lines.pop()))
        units.extend([*head, Unit(" ".join(lines)), *tail])

    lines = text.split("\n")
    index = 0
    while index < len(lines):
        line = lines[index]
        stripped = line.strip()
        fence = _MD_FENCE.match(stripped)
        if fence:
            flush()
            index = _fenced_code(lines, index, fence.group(1), units)
            continue
        if (indented_code and _MD_INDENTED_CODE.match(line) and not paragraph
                and not (units and units[-1].list_item)):
            index = _indented_code(lines, index, units)
            continue
        if _MD_TABLE_ROW.match(stripped) and index + 1 < len(lines) and (
                _MD_TABLE_RULE.match(lines[index + 1].strip())
                or (headless_tables and not paragraph and _PIPED_ROW.match(stripped)
                    and _PIPED_ROW.match(lines[index + 1].strip()))):
            flush()
            index = _table(lines, index, units)
            continue
        index += 1
        stripped = _MD_QUOTE.sub("", stripped).strip()
        if not stripped or _MD_LINK_DEF.match(stripped):
            flush()
            continue
        heading = _MD_HEADING.match(stripped)
        if heading:
            flush()
            units.append(Unit(strip_inline_markdown(heading.group(2)),
                              heading_level=len(heading.group(1))))
            continue
        if _MD_SETEXT.match(stripped) and len(paragraph) == 1:
            level = 1 if stripped.startswith("=") else 2
            units.append(Unit(strip_inline_markdown(paragraph[0]), heading_level=level))
            paragraph.clear()
            continue
        if _MD_RULE.match(stripped):
            flush()
            continue
        item = _MD_LIST.match(stripped)
        if item:
            flush()
            # A heading inside a list item ("- ### Related story", as extractors
            # write link lists) keeps its words, not its "###".
            inner = _MD_HEADING.match(item.group(1))
            units.append(Unit(strip_inline_markdown(inner.group(2) if inner else item.group(1)), list_item=True))
            continue
        if units and units[-1].list_item and not paragraph and line[:1].isspace():
            units[-1].text += " " + strip_inline_markdown(stripped)  # a list item's continuation
            continue
        paragraph.append(stripped)
    flush()
    return units


_MD_INDENTED_CODE = re.compile(r"^(?: {4}|\t)\s*\S")
_MD_TABLE_ROW = re.compile(r"^\|?.*\|.*$")
_PIPED_ROW = re.compile(r"^\|.*\|$")
_MD_TABLE_RULE = re.compile(r"^\|?\s*:?-{2,}:?\s*(?:\|\s*:?-{2,}:?\s*)*\|?$")


def _verbatim(lines: list[str], units: list[Unit]) -> None:
    """Lines of code as one paragraph, indentation kept relative to the block."""
    while lines and not lines[-1].strip():
        lines.pop()
    while lines and not lines[0].strip():
        lines.pop(0)
    if not lines:
        return
    lines = [line.rstrip().expandtabs(4) for line in lines]
    margin = min(len(line) - len(line.lstrip()) for line in lines if line.strip())
    # A blank line inside the block keeps one space: "\n\n" separates
    # paragraphs in the cleaned text, and locators count on that.
    units.append(Unit("\n".join(line[margin:] or " " for line in lines), verbatim=True))


def _fenced_code(lines: list[str], start: int, marker: str, units: list[Unit]) -> int:
    """A fenced block (to its closing fence, or the end of the text); returns the next line."""
    end = start + 1
    while end < len(lines) and not lines[end].strip().startswith(marker):
        end += 1
    _verbatim(lines[start + 1:end], units)
    return end + 1


def _indented_code(lines: list[str], start: int, units: list[Unit]) -> int:
    """An indented block: indented lines, with blank lines between them."""
    end = start
    while end < len(lines) and (_MD_INDENTED_CODE.match(lines[end]) or not lines[end].strip()):
        end += 1
    _verbatim(lines[start:end], units)
    return end


def _table(lines: list[str], start: int, units: list[Unit]) -> int:
    """A pipe table as one paragraph: a line per row, cells padded into columns."""
    rows: list[list[str]] = []
    end = start
    while end < len(lines) and _MD_TABLE_ROW.match(lines[end].strip()):
        row = lines[end].strip()
        end += 1
        if _MD_TABLE_RULE.match(row):
            continue
        cells = re.split(r"(?<!\\)\|", row.strip().strip("|"))
        rows.append([strip_inline_markdown(cell.replace("\\|", "|")) for cell in cells])
    columns = max(len(r) for r in rows)
    rows = [r + [""] * (columns - len(r)) for r in rows]
    widths = [max(len(r[c]) for r in rows) for c in range(columns)]
    text = "\n".join(" | ".join(cell.ljust(width) for cell, width in zip(row, widths)).rstrip() for row in rows)
    if text.strip():
        units.append(Unit(text, verbatim=True))
    return end


_HTML_INLINE_TAGS = (
    "a", "abbr", "acronym", "b", "bdi", "bdo", "big", "blockquote", "br", "center", "cite", "code", "dd",
    "del", "details", "dfn", "div", "dl", "dt", "em", "figcaption", "figure", "font", "h[1-6]", "hr", "i",
    "iframe", "img", "ins", "kbd", "li", "mark", "ol", "p", "picture", "pre", "q", "s", "samp", "small",
    "source", "span", "strike", "strong", "sub", "summary", "sup", "table", "tbody", "td", "th", "thead",
    "time", "tr", "tt", "u", "ul", "var", "video", "wbr",
)
# Every span is bounded: an unclosed marker ("**a " x 16000) made each rule
# scan to the end of the paragraph from every marker, 18 s for a 64 KB file
# (issue 16).  Emphasis or link text longer than this is left as written.
_SPAN = 300
_INLINE_RULES = (
    (re.compile(rf"!\[[^\]]{{0,{_SPAN}}}\]\([^)]{{0,{_SPAN}}}\)"), ""),
    (re.compile(rf"\[([^\]]{{1,{_SPAN}}})\]\([^)]{{0,{_SPAN}}}\)"), r"\1"),
    (re.compile(rf"\[([^\]]{{1,{_SPAN}}})\]\[[^\]]{{0,{_SPAN}}}\]"), r"\1"),
    (re.compile(rf"<(https?://[^>\s]{{1,{_SPAN}}})>"), r"\1"),
    # Only HTML's own elements: "Vec<T>" or "CARGO_BIN_EXE_<name>" are words, not markup.
    (re.compile(r"</?(?:" + "|".join(_HTML_INLINE_TAGS) + rf")(?:\s[^<>]{{0,{_SPAN}}})?/?>|<!--.{{0,{_SPAN}}}?-->", re.I), ""),
    (re.compile(rf"(\*\*|__)(?=\S)(.{{1,{_SPAN}}}?)(?<=\S)\1"), r"\2"),
    (re.compile(rf"(?<![\w*])\*(?=\S)(.{{1,{_SPAN}}}?)(?<=\S)\*(?![\w*])"), r"\1"),
    (re.compile(rf"(?<![\w_])_(?=\S)(.{{1,{_SPAN}}}?)(?<=\S)_(?![\w_])"), r"\1"),
    (re.compile(rf"~~(?=\S)(.{{1,{_SPAN}}}?)(?<=\S)~~"), r"\1"),
    (re.compile(r"\\([\\`*_{}\[\]()#+\-.!>|])"), r"\1"),
)


_CODE_SPAN = re.compile(r"(`+)(.+?)\1")


def strip_inline_markdown(text: str) -> str:
    """Markdown emphasis, code and link markup to the plain words a reader sees.

    A code span's content is kept as written: "`Option<T>`" or "`a_b_c`" hold
    no markup to remove.
    """
    pieces = _CODE_SPAN.split(text)
    # split() gives [text, ticks, code, text, ticks, code, ..., text].
    out = []
    for index in range(0, len(pieces), 3):
        part = pieces[index]
        for pattern, replacement in _INLINE_RULES:
            part = pattern.sub(replacement, part)
        out.append(part)
        if index + 2 < len(pieces):
            out.append(pieces[index + 2].strip())
    return " ".join("".join(out).split())


# --- structure: units into title, headings and paragraphs ----------------------------

def is_sentence(text: str) -> bool:
    """Body text rather than a label: punctuated like prose, or too long to be a heading."""
    return (bool(_TERMINAL.search(text)) or len(text) > HEADING_MAX_CHARS
            or len(text.split()) > HEADING_MAX_WORDS or "\n" in text)


def _heading_like(unit: Unit) -> bool:
    if unit.heading_level:
        return True
    if unit.verbatim or unit.verse_group is not None or unit.list_item or is_sentence(unit.text):
        return False
    first = unit.text[0]
    return first.isupper() or first.isdigit() or (first in "\"“'‘" and unit.text[1:2].isupper())


_BYLINE_LINE = re.compile(
    # A byline names someone: "By Jane Doe", "By the Associated Press", not "By default, ...".
    r"^(?:(?:By|Written by)\s+(?:the\s+)?[A-Z]|(?:Authors?|By)\s*:\s*\S).{0,100}$"
    r"|^(?:Updated|Published|Posted|Last (?:updated|modified)|Date)\s*:?\s*(?:on\s+)?"
    r"(?:\d|[A-Z][a-z]+\.?\s+\d).{0,60}$")


def _drop_leading_bylines(units: list[Unit], dropped: list[str]) -> list[Unit]:
    """Bylines and datelines near the top are metadata, not body text.

    ``pinpoint.index.ingest.metadata`` reads them from the raw text; here they only leave the
    paragraphs, so a byline glued to the first paragraph ("By X – A decade
    ago...") loses its prefix but keeps its sentence.
    """
    result: list[Unit] = []
    for index, unit in enumerate(units):
        if index < 8 and not unit.heading_level and not unit.verbatim:
            if _BYLINE_LINE.match(unit.text) and len(unit.text.split()) <= 12:
                dropped.append(unit.text)
                continue
            byline, rest = split_byline_prefix(unit.text)
            if byline:
                dropped.append(byline)
                unit.text = rest
        result.append(unit)
    return result


def _join_verse(units: list[Unit]) -> list[Unit]:
    result: list[Unit] = []
    for unit in units:
        previous = result[-1] if result else None
        if (previous is not None and unit.verse_group is not None
                and previous.verse_group == unit.verse_group):
            previous.text += "\n" + unit.text
        else:
            result.append(unit)
    return result


# How far down a page its headline may stand below a kicker, a teaser or a date.
HEADLINE_WINDOW = 4


def _same_words(a: str, b: str) -> bool:
    return _WORDS.findall(a.casefold()) == _WORDS.findall(b.casefold())


def _kinds(units: list[Unit], title: str | None = None) -> list[str]:
    """Title, heading or paragraph for each unit.

    A heading is a label followed (perhaps through further labels) by body
    text.  Labels before the first body paragraph are the title lines, except
    that a markup-stated heading below level 1 stays a heading, unless it
    repeats the title the source states (``title``): that is its headline,
    whatever level the page gave it.
    """
    kinds = ["paragraph"] * len(units)
    label = [_heading_like(u) for u in units]
    # A label run ending at body text is a run of headings.
    index = len(units) - 1
    followed_by_body = False
    while index >= 0:
        if not label[index]:
            followed_by_body = True
        elif followed_by_body or units[index].heading_level:
            kinds[index] = "heading"
        index -= 1
    first_body = next((i for i, k in enumerate(kinds) if k == "paragraph"), len(units))
    for index in range(min(first_body, len(units) - 1)):
        if index == 0:
            if units[0].heading_level <= 1:
                kinds[0] = "title"
        elif label[index + 1] and units[index].heading_level <= 1:
            kinds[index] = "title"  # front matter (subtitle, author line) rather than a section
    if title:
        headline = next((i for i in range(min(HEADLINE_WINDOW, len(units)))
                         if kinds[i] == "heading" and _same_words(units[i].text, title)), None)
        if headline is not None:
            kinds[headline] = "title"
    return kinds


def _assemble(units: list[Unit], dropped: list[str], title: str | None = None) -> CleanDocument:
    blocks: list[Block] = []
    pieces: list[str] = []
    offset = 0
    for unit, kind in zip(units, _kinds(units, title)):
        if pieces:
            pieces.append("\n\n")
            offset += 2
        pieces.append(unit.text)
        blocks.append(Block(kind=kind, text=unit.text, start=offset, end=offset + len(unit.text)))
        offset += len(unit.text)
    return CleanDocument(text="".join(pieces), blocks=tuple(blocks), dropped=tuple(dropped))
