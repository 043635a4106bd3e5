"""Pinpoint's query language: what a reader types, parsed into an engine-neutral tree.

Grammar (README "Query syntax" is the user's version)::

    query    := clause*                 joined by AND (match=all), OR (match=any),
                                        or OR plus their AND (match=preferred)
    clause   := NOT clause | clause AND clause | clause OR clause | clause ANDNOT clause
              | [field ":"] operand
    operand  := word | "a phrase"[~slop] | 'several words' | "(" query ")"
    field    := text | title | heading | author | source | year
    year     := 2014 | 2010..2014 | ..2012 | 2011.. | [2010 TO 2014]

Explicit operators bind tighter than the implicit join (``a b OR c`` is
``a AND (b OR c)``), NOT tightest, then AND, then OR, then ANDNOT; a field
before a group applies to every operand inside it.  These are the rules
Pinpoint's queries have always followed (they came from Whoosh's parser), so
nothing a reader types changes meaning.

The tree keeps words as typed: analysis (stemming, stop words) belongs to the
engine that compiles it, because only the engine knows how it indexed the
text.  Positions are offsets into the query text, for error messages and for
the did-you-mean, which rewrites the words where they were typed.

What an engine's compiler must make of each node (index/search/whoosh/compile.py
is the reference; tests/test_engine_contract.py holds engines to it):

- ``Word``/``Phrase`` with ``field`` None: the passage text, or the source title
  at the ranking's title boost.  ``text``/``title``/``heading``/``author``: that
  field; ``source``: the source id, exactly.  A word is analysed as the field
  was indexed; a word that analyses to nothing (a stop word) drops out, and one
  that analyses to several terms ("U.S.-Japan") joins them like the query joins
  its words (AND when ``match_all``, else OR).  A phrase's words must stand in
  order within ``slop``; a one-word phrase is that word.
- ``YearRange``: the source's issued year within low..high (inclusive, either
  open).
- ``And``/``Or``/``Not``: as named; ``Not`` excludes.  Children that dropped out
  are left out; a group left empty drops out too.
- ``SearchQuery.filters`` (``FieldWords``: every word of the text in the field;
  ``SourceIs``; ``YearRange``) narrow the matches and never change a score.
- Highlighting marks the analysed terms of the positive leaves
  (``positive_leaves``) found in the passage text, title and heading fields.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from pinpoint.index.errors import BadQuery
from pinpoint.index.records import SearchRequest

MAX_QUERY_CHARS = 10_000  # a hard guard; the service applies the configurable, lower PINPOINT_MAX_QUERY_CHARS first
MAX_QUERY_TERMS = 64  # what one query may ask an engine for, counted by the engine after analysis
MAX_NESTING = 100  # groups inside groups ("((x))" counts once); the tree and every engine's walk of it recurse

# The fields a query may name; ``None`` in a node means the default fields.
QUERY_FIELDS = frozenset({"author", "title", "source", "year", "heading", "text", "collection"})
TEXT_FIELDS = frozenset({"text", "title", "heading"})


class QuerySyntaxError(BadQuery):
    """A query that cannot be read: ``detail`` says why, ``position`` where (0-based)."""

    def __init__(self, detail: str, position: int | None = None):
        super().__init__(detail)
        self.detail = detail
        self.position = position


# ---- the tree ---------------------------------------------------------------


@dataclass(frozen=True)
class Word:
    """A word as typed (or several, from 'single quotes'); the engine analyses it."""

    text: str
    field: str | None = None
    start: int | None = None
    end: int | None = None


@dataclass(frozen=True)
class Phrase:
    """Words that must appear in order, at most ``slop`` positions apart."""

    text: str
    field: str | None = None
    slop: int = 1
    start: int | None = None
    end: int | None = None


@dataclass(frozen=True)
class YearRange:
    """``low``..``high`` inclusive (either may be open); ``exact`` for a single year typed as such."""

    low: int | None
    high: int | None
    exact: bool = False


@dataclass(frozen=True)
class And:
    children: tuple[Node, ...]


@dataclass(frozen=True)
class Or:
    children: tuple[Node, ...]


@dataclass(frozen=True)
class Not:
    child: Node


@dataclass(frozen=True)
class FieldWords:
    """A filter: every word of ``text`` in ``field`` (author or title)."""

    field: str
    text: str


@dataclass(frozen=True)
class SourceIs:
    """A filter: passages of one source, by id."""

    source_id: str


@dataclass(frozen=True)
class CollectionIs:
    """A filter: passages of sources in one reference-manager collection, by its whole name."""

    name: str


Node = Word | Phrase | YearRange | And | Or | Not
Filter = FieldWords | SourceIs | CollectionIs | YearRange


@dataclass(frozen=True)
class SearchQuery:
    """What to score (``root``; None when only filters were given) and what to keep."""

    root: Node | None
    filters: tuple[Filter, ...] = ()
    match_all: bool = True
    # The words and phrases of a plain query of several, as typed: a passage may hold only
    # some of them (a hit's "missing" words); () for one word, an operator, a field or a tree.
    typed: tuple[Word | Phrase, ...] = ()


def positive_leaves(node: Node | None):
    """Words and phrases that make a passage match (not those under NOT)."""
    if isinstance(node, (Word, Phrase)):
        yield node
    elif isinstance(node, (And, Or)):
        for child in node.children:
            yield from positive_leaves(child)


# ---- checks that read the whole text first -----------------------------------

_QUOTED = re.compile(r'"[^"]*"')
_FIELD_PREFIX = re.compile(r"(?<![\w:])([A-Za-z_]\w*):(?=\S)")
_YEAR_RANGE = re.compile(r"\byear:(\d{1,4})?\.\.(\d{1,4})?(?=\s|\)|$)")
_YEAR_ANY = re.compile(r"\byear:(\[[^\]]*\]\)*|\S*)")
_YEAR_OK = re.compile(r"\d{1,4}\)*|\[(\d{1,4} )?TO( \d{1,4})?\]\)*")


def _outside_quotes(text: str) -> str:
    return _QUOTED.sub(lambda m: " " * len(m.group()), text)


def check_syntax(text: str) -> None:
    """Raise QuerySyntaxError for text that cannot mean what its writer meant."""
    if len(text) > MAX_QUERY_CHARS:
        raise QuerySyntaxError(f"query is {len(text)} characters long; the limit is {MAX_QUERY_CHARS}", MAX_QUERY_CHARS)
    if text.count('"') % 2:
        raise QuerySyntaxError('unclosed quotation mark: phrases need a closing "', text.rindex('"'))
    bare = _outside_quotes(text)
    opened: list[int] = []
    for i, ch in enumerate(bare):
        if ch == "(":
            opened.append(i)
        elif ch == ")":
            if not opened:
                raise QuerySyntaxError("a closing parenthesis has no opening one", i)
            opened.pop()
    if opened:
        raise QuerySyntaxError("an opening parenthesis is never closed", opened[-1])
    for m in _FIELD_PREFIX.finditer(bare):
        if m.group(1) not in QUERY_FIELDS:
            allowed = ", ".join(sorted(QUERY_FIELDS))
            raise QuerySyntaxError(
                f"unknown field {m.group(1)!r}: use one of {allowed}, "
                'or put text containing ":" in quotes',
                m.start(1),
            )
    for m in _YEAR_RANGE.finditer(text):
        low, high = m.group(1), m.group(2)
        if low is None and high is None:
            raise QuerySyntaxError("year range needs at least one year, e.g. year:2010..2014", m.start())
        if low and high and int(low) > int(high):
            raise QuerySyntaxError(f"year range {low}..{high} runs backwards", m.start())
    for m in _YEAR_ANY.finditer(_outside_quotes(_YEAR_RANGE.sub(_as_bracket_range, text))):
        if not _YEAR_OK.fullmatch(m.group(1)):
            raise QuerySyntaxError(f"year:{m.group(1)} is not a year or a range like 2010..2014", _locate(text, m))


def _as_bracket_range(m: re.Match) -> str:
    # Only to check the rest of the year values with one pattern; never parsed.
    low, high = m.group(1), m.group(2)
    return f"year:[{low or ''} TO{' ' + high if high else ''}]".replace("[ TO", "[TO")


def _locate(text: str, m: re.Match) -> int | None:
    found = text.find(f"year:{m.group(1)}")
    return found if found >= 0 else None


# ---- tokens -----------------------------------------------------------------


@dataclass
class _Token:
    kind: str  # word, phrase, field, open, close, op, year, space
    text: str
    start: int
    end: int
    slop: int = 1
    fieldname: str | None = None
    year: YearRange | None = None


# Tried in this order at every position; text no pattern claims runs on as a word.
_OPERATORS = {
    "ANDNOT": re.compile(r"(?<=\s)ANDNOT(?=\s)"),
    "NOT": re.compile(r"(^|(?<=(\s|[()])))NOT(?=\s)"),
    "AND": re.compile(r"(?<=\s)AND(?=\s)"),
    "OR": re.compile(r"(?<=\s)OR(?=\s)"),
}
_SINGLE_QUOTED = re.compile(r"(^|(?<=\W))'(?P<text>.*?)'(?=\s|\]|[)}]|$)")
_FIELD = re.compile(r"(?P<text>\w+|[*]):")
_PHRASE = re.compile(r'"(?P<text>.*?)"(~(?P<slop>[1-9][0-9]*))?')
_SPACE = re.compile(r"\s+")
_YEAR_VALUE = re.compile(
    r"(?P<low>\d{1,4})?\.\.(?P<high>\d{1,4})?(?=\s|\)|$)"
    r"|\[(?:(?P<blow>\d{1,4}) )?TO(?: (?P<bhigh>\d{1,4}))?\]"
    r"|(?P<exact>\d{1,4})(?!\d)"
)


def _tokens(text: str) -> list[_Token]:
    tokens: list[_Token] = []
    pos = word_start = 0

    def flush(upto: int) -> None:
        if word_start < upto:
            tokens.append(_Token("word", text[word_start:upto], word_start, upto))

    while pos < len(text):
        token = _token_at(text, pos, tokens)
        if token is None:
            pos += 1
            continue
        flush(pos)
        tokens.append(token)
        pos = word_start = token.end
    flush(len(text))
    return tokens


def _token_at(text: str, pos: int, before: list[_Token]) -> _Token | None:
    if before and before[-1].kind == "field" and before[-1].fieldname == "year" and before[-1].end == pos:
        m = _YEAR_VALUE.match(text, pos)
        if m:
            if m.group("exact"):
                year = YearRange(int(m.group("exact")), int(m.group("exact")), exact=True)
            else:
                low, high = m.group("low") or m.group("blow"), m.group("high") or m.group("bhigh")
                year = YearRange(int(low) if low else None, int(high) if high else None)
            return _Token("year", m.group(), pos, m.end(), year=year)
    if m := _OPERATORS["ANDNOT"].match(text, pos):
        return _Token("op", "ANDNOT", pos, m.end())
    if m := _SINGLE_QUOTED.match(text, pos):
        return _Token("word", m.group("text"), pos, m.end())
    if m := _FIELD.match(text, pos):
        return _Token("field", m.group(), pos, m.end(), fieldname=m.group("text"))
    if m := _PHRASE.match(text, pos):
        slop = int(m.group("slop")) if m.group("slop") else 1
        return _Token("phrase", m.group("text"), pos, m.end(), slop=slop)
    if text[pos] == "(":
        return _Token("open", "(", pos, pos + 1)
    if text[pos] == ")":
        return _Token("close", ")", pos, pos + 1)
    for name in ("NOT", "AND", "OR"):
        if m := _OPERATORS[name].match(text, pos):
            return _Token("op", name, pos, m.end())
    if m := _SPACE.match(text, pos):
        return _Token("space", m.group(), pos, m.end())
    return None


# ---- tokens into the tree -----------------------------------------------------

class _Group(list):
    """The tokens of a parenthesised group (or of the whole query), in order."""

    start = 0


def _groups(tokens: list[_Token]) -> _Group:
    stack: list[_Group] = [_Group()]
    for token in tokens:
        if token.kind == "open":
            stack.append(_Group())
            stack[-1].start = token.start
        elif token.kind == "close":
            if len(stack) > 1:  # check_syntax rejected unbalanced parentheses
                _close(stack)
        else:
            stack[-1].append(token)
    while len(stack) > 1:
        _close(stack)
    _check_depth(stack[0])
    return stack[0]


def _close(stack: list[_Group]) -> None:
    inner = stack.pop()
    if len(inner) == 1 and isinstance(inner[0], _Group):
        inner = inner[0]  # "((x))" means "(x)"
    stack[-1].append(inner)


def _check_depth(top: _Group) -> None:
    pending = [(top, 0)]
    while pending:
        group, depth = pending.pop()
        if depth > MAX_NESTING:
            raise QuerySyntaxError(f"the query nests groups more than {MAX_NESTING} deep", group.start)
        pending.extend((item, depth + 1) for item in group if isinstance(item, _Group))


def _as_word(token: _Token) -> _Token:
    return _Token("word", token.text, token.start, token.end)


def _fields(group: _Group) -> _Group:
    """Give each field prefix to the operand right after it; a prefix with none is a word."""
    known: list = []
    dangling: _Token | None = None
    for item in group:
        if isinstance(item, _Token) and item.kind == "field" and item.fieldname not in QUERY_FIELDS:
            # "12:30": not a field, so the text it was cut from runs on.
            dangling = item
            continue
        if dangling is not None:
            if isinstance(item, _Token) and item.kind in ("word", "phrase"):
                item = _Token(item.kind, dangling.text + item.text, item.start, item.end, item.slop)
            else:
                known.append(_as_word(dangling))
            dangling = None
        known.append(item)
    if dangling is not None:
        known.append(_as_word(dangling))

    result = _Group()
    result.start = group.start
    i = len(known)
    while i > 0:
        i -= 1
        item = known[i]
        if isinstance(item, _Token) and item.kind == "field":
            item = _as_word(item)
        elif isinstance(item, _Group):
            item = _fields(item)
        previous = known[i - 1] if i > 0 else None
        fieldable = not (isinstance(item, _Token) and item.kind in ("space", "op"))
        if fieldable and isinstance(previous, _Token) and previous.kind == "field":
            item = _with_field(item, previous.fieldname)
            i -= 1
        result.append(item)
    result.reverse()
    return result


def _with_field(item, fieldname: str):
    if isinstance(item, _Group):
        copy = _Group(_with_field(child, fieldname) for child in item)
        copy.start = item.start
        return copy
    if item.kind in ("word", "phrase", "year") and item.fieldname is None:
        item = _Token(item.kind, item.text, item.start, item.end, item.slop, fieldname, item.year)
    return item


def _operators(group: _Group, implicit: type) -> Node | None:
    items: list = [item for item in group if not (isinstance(item, _Token) and item.kind == "space")]
    # NOT first (it takes the operand after it), then AND, OR and ANDNOT, each
    # left to right: explicit operators bind tighter than the implicit join.
    i = 0
    while i < len(items):
        item = items[i]
        if _is_op(item, "NOT"):
            del items[i]
            if i < len(items):
                if _is_op(items[i]):
                    raise QuerySyntaxError(f"NOT must be followed by a word, a phrase or a group, not {items[i].text}",
                                           items[i].start)
                items[i] = ("NOT", items[i])
        i += 1
    for name in ("AND", "OR", "ANDNOT"):
        i = 0
        while i < len(items):
            if not _is_op(items[i], name):
                i += 1
                continue
            if 0 < i < len(items) - 1:
                # An operand that is itself an operator ("a OR AND b") drops out below.
                left, right = items[i - 1], items[i + 1]
                if isinstance(left, tuple) and left[0] == name:
                    items[i - 1 : i + 2] = [(name, *left[1:], right)]
                else:
                    items[i - 1 : i + 2] = [(name, left, right)]
            else:
                del items[i]  # an operator with nothing on one side is dropped
    return _join(implicit, [_node(item, implicit) for item in items])


def _join(kind: type, nodes: list) -> Node | None:
    # AND within AND (and OR within OR) is one AND: flattened, the tree stays
    # shallow however the query nests its groups.
    children: list = []
    for node in nodes:
        if isinstance(node, kind):
            children.extend(node.children)
        elif node is not None:
            children.append(node)
    return kind(tuple(children)) if children else None


def _is_op(item, name: str | None = None) -> bool:
    return isinstance(item, _Token) and item.kind == "op" and (name is None or item.text == name)


def _node(item, implicit: type) -> Node | None:
    if isinstance(item, _Group):
        return _operators(item, implicit)
    if isinstance(item, tuple):
        name, *operands = item
        if name == "NOT":
            inner = _node(operands[0], implicit)
            return Not(inner) if inner is not None else None
        parts = [p for p in (_node(o, implicit) for o in operands) if p is not None]
        if name == "ANDNOT":
            if not parts:
                return None
            return _join(And, [parts[0], *(Not(p) for p in parts[1:])])
        return _join(And if name == "AND" else Or, parts)
    if item.kind == "op":  # a lone operator left inside a group
        return None
    if item.kind == "year":
        return item.year
    if item.kind == "phrase":
        return Phrase(item.text, item.fieldname, item.slop, item.start, item.end)
    return Word(item.text, item.fieldname, item.start, item.end)


def parse(text: str, *, match_all: bool = True) -> Node | None:
    """The tree for ``text``, or None when it asks for nothing; QuerySyntaxError when unreadable."""
    check_syntax(text)
    implicit = And if match_all else Or
    return _operators(_fields(_groups(_tokens(text))), implicit)


def prefer_all(root: Node | None) -> Node | None:
    """Words all preferred: ``a b c`` becomes ``a OR b OR c OR (a AND b AND c)``.

    A passage with every word scores its words twice (once through the AND), so
    it ranks above passages with some; those still match.  Only a plain query
    changes (``_plain``): a NOT, a field, a group or an operator means exactly
    what it says.
    """
    if (isinstance(root, And) and len(root.children) > 1
            and all(isinstance(c, (Word, Phrase)) and c.field is None for c in root.children)):
        return Or(root.children + (root,))
    return root


def _typed(root: Node | None) -> tuple[Word | Phrase, ...]:
    if (isinstance(root, (And, Or)) and len(root.children) > 1
            and all(isinstance(c, (Word, Phrase)) and c.field is None for c in root.children)):
        return root.children
    return ()


def _plain(text: str) -> bool:
    """Words and phrases only, as most people type a query."""
    return all(token.kind in ("word", "phrase", "space") for token in _tokens(text))


def parse_request(request: SearchRequest, *, match: str | None = None) -> SearchQuery:
    """The request's query (its text, or the tree it carries) with its filters merged in.

    ``match`` (default: the request's) is one of ``records.MATCH_MODES``.
    """
    match = match or request.match
    root = request.query if request.query is not None else parse(request.q, match_all=match != "any")
    typed = _typed(root) if request.query is None and _plain(request.q) else ()
    if match == "preferred" and typed:
        root = prefer_all(root)
    filters: list[Filter] = []
    for name, value in (("author", request.author), ("title", request.title)):
        if value:
            filters.append(FieldWords(name, value))
    if request.source:
        filters.append(SourceIs(request.source))
    if request.collection:
        filters.append(CollectionIs(" ".join(request.collection.replace(",", " ").split())))
    low, high = request.year_from, request.year_to
    if low is not None or high is not None:
        if low is not None and high is not None and low > high:
            raise QuerySyntaxError(f"year range {low}..{high} runs backwards")
        filters.append(YearRange(low, high))
    if root is None and not filters:
        raise QuerySyntaxError("empty query: type some words or choose a filter")
    return SearchQuery(root=root, filters=tuple(filters), match_all=match != "any", typed=typed)
