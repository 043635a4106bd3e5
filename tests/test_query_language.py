"""Pinpoint's query language as a tree, before any engine sees it (index.search.syntax)."""

from __future__ import annotations

import pytest

from pinpoint.index.errors import BadQuery
from pinpoint.index.records import SearchRequest
from pinpoint.index.search.syntax import (
    And,
    FieldWords,
    Not,
    Or,
    Phrase,
    QuerySyntaxError,
    SourceIs,
    Word,
    YearRange,
    parse,
    parse_request,
    positive_leaves,
)


def words(node):
    """The tree with positions dropped, for comparing shapes."""
    if isinstance(node, Word):
        return ("w", node.text, node.field)
    if isinstance(node, Phrase):
        return ("p", node.text, node.field, node.slop)
    if isinstance(node, YearRange):
        return ("y", node.low, node.high, node.exact)
    if isinstance(node, Not):
        return ("not", words(node.child))
    kind = "and" if isinstance(node, And) else "or"
    return (kind, *[words(c) for c in node.children])


def test_words_join_by_the_match_mode():
    assert words(parse("treaty japan")) == ("and", ("w", "treaty", None), ("w", "japan", None))
    assert words(parse("treaty japan", match_all=False)) == ("or", ("w", "treaty", None), ("w", "japan", None))


def test_explicit_operators_bind_tighter_than_the_implicit_join():
    assert words(parse("war cat OR dog")) == (
        "and", ("w", "war", None), ("or", ("w", "cat", None), ("w", "dog", None)))
    assert words(parse("war AND cat OR dog")) == (
        "and", ("or", ("and", ("w", "war", None), ("w", "cat", None)), ("w", "dog", None)))
    assert words(parse("alliance NOT china")) == ("and", ("w", "alliance", None), ("not", ("w", "china", None)))


def test_a_field_before_a_group_applies_inside_it_unless_a_word_names_its_own():
    tree = parse("title:(drift author:xu) treaty")
    assert words(tree) == ("and", ("w", "drift", "title"), ("w", "xu", "author"), ("w", "treaty", None))


def test_phrases_single_quotes_and_slop():
    assert words(parse('"security treaty"~3')) == ("and", ("p", "security treaty", None, 3))
    assert words(parse("text:\"security treaty\"")) == ("and", ("p", "security treaty", "text", 1))
    assert words(parse("'security treaty'")) == ("and", ("w", "security treaty", None))


@pytest.mark.parametrize("typed, low, high, exact", [
    ("year:2014", 2014, 2014, True),
    ("year:2010..2014", 2010, 2014, False),
    ("year:..2012", None, 2012, False),
    ("year:2011..", 2011, None, False),
    ("year:[2010 TO 2014]", 2010, 2014, False),
])
def test_year_forms(typed, low, high, exact):
    assert words(parse(typed)) == ("and", ("y", low, high, exact))


def test_words_keep_where_they_were_typed_even_after_a_year_range():
    tree = parse("year:2010..2014 allaince")
    typo = tree.children[1]
    assert (typo.text, typo.start, typo.end) == ("allaince", 16, 24)


def test_text_that_is_not_a_field_stays_a_word():
    assert words(parse("12:30")) == ("and", ("w", "12:30", None))
    assert words(parse("author: xu")) == ("and", ("w", "author:", None), ("w", "xu", None))


@pytest.mark.parametrize("typed, detail, position", [
    ('"unclosed phrase', 'unclosed quotation mark', 0),
    ("(alliance", "never closed", 0),
    ("alliance)", "no opening one", 8),
    ("war colour:red", "unknown field 'colour'", 4),
    ("year:2014..2010", "runs backwards", 0),
    ("year:..", "at least one year", 0),
    ("war year:soon", "year:soon is not a year", 4),
    ("NOT NOT war", "NOT must be followed", 4),
])
def test_errors_say_what_and_where(typed, detail, position):
    with pytest.raises(QuerySyntaxError) as caught:
        parse(typed)
    assert detail in caught.value.detail and caught.value.position == position
    assert isinstance(caught.value, BadQuery)


def test_operators_with_nothing_on_one_side_are_dropped():
    assert words(parse("war AND ")) == ("and", ("w", "war", None))
    assert words(parse("(war OR )")) == ("and", ("w", "war", None))
    # An operator needs a space on each side; without one it is a word (a stop word to the engine).
    assert words(parse("OR war")) == ("and", ("w", "OR", None), ("w", "war", None))


def test_nesting_is_flattened_and_bounded():
    assert words(parse("(" * 400 + "alliance" + ")" * 400)) == ("and", ("w", "alliance", None))
    assert words(parse("(war " * 90 + "x" + ")" * 90)) == ("and", *[("w", "war", None)] * 90, ("w", "x", None))
    deep = "(war OR (cat " * 60 + "x" + "))" * 60
    with pytest.raises(QuerySyntaxError, match="more than 100 deep"):
        parse(deep)


def test_the_request_filters_are_merged_in():
    query = parse_request(SearchRequest(q="treaty", author="Xu", source="s1", year_from=2010))
    assert query.filters == (FieldWords("author", "Xu"), SourceIs("s1"), YearRange(2010, None))
    with pytest.raises(QuerySyntaxError, match="empty query"):
        parse_request(SearchRequest(q=""))
    with pytest.raises(QuerySyntaxError, match="runs backwards"):
        parse_request(SearchRequest(q="x", year_from=2014, year_to=2010))


def test_a_tree_built_by_code_is_used_as_given():
    tree = Or((Phrase("alliance", field="text"),))
    assert parse_request(SearchRequest(q="", query=tree)).root is tree


def test_positive_leaves_skip_what_is_negated():
    tree = parse('treaty NOT china "security treaty"')
    assert [leaf.text for leaf in positive_leaves(tree)] == ["treaty", "security treaty"]
