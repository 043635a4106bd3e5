"""Quote lookup: normalisation on plain strings, then attribution against the seeds index."""

from __future__ import annotations

import itertools
import re

import pytest

from pinpoint.index.search.quotes import (
    DEFAULT_THRESHOLD,
    EDIT_COST_CAP,
    EmptyQuote,
    QuoteError,
    QuoteTooShort,
    find_quote,
    quote_fragments,
    similarity,
    tokenize,
)

# Written for these tests (the benchmark has its own set): on the seeds' topic,
# in their vocabulary, and in none of them.
ABSENT = (
    "Tokyo and Washington signed a new agreement on the stationing of marines in Okinawa last winter.",
    "The Japanese public has grown tired of the endless debate over the relocation of the airbase.",
    "Security cooperation between the two allies deepened after the nuclear crisis on the Korean peninsula.",
    "The alliance faces its greatest test since the end of the Cold War as China expands its navy.",
    "American officials privately admitted that the base realignment had been poorly explained to residents.",
    "Japan's defense ministry announced plans to buy more destroyers capable of intercepting ballistic missiles.",
    "The treaty obliges the United States to defend Japan but does not require Japan to defend America.",
    "Residents of Nago voted against the new base in a referendum that Tokyo chose to ignore.",
    "The Tomodachi operation cost far less than the annual budget for host-nation support.",
    "Several scholars argue that the alliance drifted most when leaders in both countries ignored it.",
    "The Democratic Party of Japan promised to move the base off the island but could not deliver.",
    "Joint exercises in the East China Sea have grown larger every year since the islands dispute began.",
    "Kato warned that the alliance needs new leaders who understand both the military and the public.",
    "The Korean peninsula remains the most likely place for the alliance to be tested by a real war.",
    "During the tsunami relief effort American helicopters delivered water to villages cut off by floods.",
    "The collective self-defense debate divided the ruling coalition for more than two years.",
    "Funabashi later wrote that the alliance had recovered from its drift far faster than anyone expected.",
    "Okinawa hosts most of the American troops in Japan although it covers a tiny share of its land.",
    "A growing number of Japanese lawmakers favour an independent defense policy less tied to Washington.",
    "The Security Treaty was renewed in 1960 amid the largest street protests in postwar Japanese history.",
    "Burden sharing talks collapsed when the two sides could not agree on the cost of utilities for the bases.",
    "The marines stationed at Futenma were praised for their role in the disaster relief operation.",
    "China's rise has given Tokyo and Washington a common reason to keep the alliance strong.",
    "Diplomats from both countries meet regularly to discuss the future of the American presence in Asia.",
    "The Abe government pushed through security legislation despite large demonstrations outside the Diet.",
    "Most Okinawans support the alliance in principle but object to the concentration of bases on their island.",
    "The earthquake exposed weaknesses in the coordination between Japanese and American commanders.",
    "Many observers believe the alliance will endure because neither country has a better alternative.",
    "Historical disputes with South Korea complicate trilateral cooperation on missile defense.",
    "The governor's decision to revoke the landfill permit delayed construction of the runway by another year.",
)


# -- normalisation, on plain strings -------------------------------------------------------

def words(text: str) -> list[str]:
    return [t.text for t in tokenize(text)]


def test_tokens_keep_offsets_into_the_original_text():
    text = "It’s the “drift” in U.S.-Japan\nsecurity ties—again."
    for token in tokenize(text):
        original = text[token.start:token.end]
        assert original.replace("’", "'").replace(".", "").casefold() == token.text
    assert words(text) == ["it's", "the", "drift", "in", "us", "japan", "security", "ties", "again"]


@pytest.mark.parametrize("variant", [
    "U.S.-Japan alliance", "US – Japan alliance", "u.s. — japan ALLIANCE", "U.S.--Japan alliance",
    "U.S.\u2011Japan alliance", "\u201cU.S.\u2212Japan alliance\u201d", "'US―Japan   alliance'",
])
def test_dashes_quotes_case_and_initialisms_normalise_alike(variant):
    assert words(variant) == ["us", "japan", "alliance"]


def test_compatibility_forms_fold_to_plain_letters():
    assert words("the ﬁnancial ＡＬＬＩＡＮＣＥ") == ["the", "financial", "alliance"]


@pytest.mark.parametrize("mark", ["…", "...", ". . .", "[...]", "[…]", "...."])
def test_an_ellipsis_splits_the_quote_into_ordered_fragments(mark):
    assert quote_fragments(f"the alliance {mark} will endure") == (("the", "alliance"), ("will", "endure"))


def test_line_break_hyphenation_joins_when_the_passages_know_the_word():
    assert quote_fragments("bilateral secu-\nrity ties", frozenset({"security"})) == (("bilateral", "security", "ties"),)
    assert quote_fragments("bilateral secu- rity ties", frozenset({"security"})) == (("bilateral", "security", "ties"),)
    # A real compound split at a line end stays two words when no passage has the joined form.
    assert quote_fragments("a well-\nknown event", frozenset({"well", "known"})) == (("a", "well", "known", "event"),)


def test_similarity_charges_each_edit_against_at_most_the_cap():
    assert similarity(0, 5) == 1.0
    assert similarity(1, 10) == pytest.approx(0.9)
    assert similarity(3, 40) == pytest.approx(1 - 3 / EDIT_COST_CAP)
    assert similarity(3, 40) < DEFAULT_THRESHOLD <= similarity(1, 10)
    # Paragraph-length quotes may differ in proportion to their length.
    assert similarity(3, 200) == pytest.approx(1 - 3 / 50)
    assert similarity(3, 200) >= DEFAULT_THRESHOLD


# -- attribution against the seeds ----------------------------------------------------------

@pytest.fixture(scope="module")
def searcher(seeds_index):
    from pinpoint.index.store.versions import open_searcher

    opened = open_searcher(seeds_index)
    yield opened
    opened.close()


@pytest.fixture(scope="module")
def passages(searcher):
    return [p for s in searcher.sources() for p in searcher.passages(s.id)]


def sentences_with(passages, min_words: int, count: int):
    """(sentence, passage) pairs taken from the index itself, spread over the sources."""
    found, seen_sources = [], {}
    for passage in passages:
        for sentence in re.split(r"(?<=[.!?])\s+(?=[A-Z])", passage.text):
            if min_words <= len(sentence.split()) <= 40 and seen_sources.get(passage.source_id, 0) < 2:
                found.append((sentence, passage))
                seen_sources[passage.source_id] = seen_sources.get(passage.source_id, 0) + 1
    assert len(found) >= count
    return found[:count]


def test_verbatim_sentences_are_found_exactly_at_their_span(searcher, passages):
    for sentence, passage in sentences_with(passages, 10, 6):
        result = find_quote(searcher, sentence)
        assert result.found
        top = result.matches[0]
        assert top.exact and top.similarity == 1.0
        assert top.passage.id == passage.id
        assert passage.text[top.start:top.end].rstrip(".!?") == sentence.rstrip(".!?")


def test_typographic_variants_are_still_exact(searcher, passages):
    sentence, passage = next(
        (s, p) for s, p in sentences_with(passages, 12, 10) if re.search(r"\w-\w", s)
    )
    longest = max(re.findall(r"[a-z]{8,}", sentence), key=len)
    half = len(longest) // 2
    variants = [
        f"“{sentence.upper()}”",
        "'" + re.sub(r"(?<=\w)-(?=\w)", " — ", sentence).lower() + "'",
        sentence.replace(longest, longest[:half] + "-\n" + longest[half:], 1),
        re.sub(" ", "  \n ", sentence.replace("’", "'").replace("“", '"').replace("”", '"')),
    ]
    for variant in variants:
        top = find_quote(searcher, variant).matches[0]
        assert top.exact, variant
        assert top.passage.id == passage.id


def test_an_ellipsis_matches_the_fragments_in_order_and_spans_them(searcher, passages):
    sentence, passage = sentences_with(passages, 16, 1)[0]
    w = sentence.split()
    quote = " ".join(w[:5]) + " … " + " ".join(w[9:])
    top = find_quote(searcher, quote).matches[0]
    assert top.exact and top.passage.id == passage.id
    assert passage.text[top.start:top.end].rstrip(".!?") == sentence.rstrip(".!?")
    swapped = " ".join(w[9:]) + " … " + " ".join(w[:5])
    assert not any(m.exact for m in find_quote(searcher, swapped).matches)


@pytest.mark.parametrize("edit", ["changed", "dropped", "added"])
def test_a_near_miss_is_found_but_not_exact(searcher, passages, edit):
    sentence, passage = sentences_with(passages, 14, 3)[2]
    w = sentence.split()
    # One word: "Japan-US" would be two.
    i = max((k for k in range(1, len(w) - 1) if w[k].isalpha()), key=lambda k: len(w[k]))
    if edit == "changed":
        w[i] = "Lisbon"
    elif edit == "dropped":
        del w[i]
    else:
        w.insert(i, "Lisbon")
    top = find_quote(searcher, " ".join(w)).matches[0]
    assert not top.exact
    assert DEFAULT_THRESHOLD <= top.similarity < 1.0
    assert top.passage.id == passage.id


def test_a_quote_across_a_passage_boundary_continues_into_the_next(searcher, passages):
    first, following = next(
        (a, b) for a, b in itertools.pairwise(passages)
        if a.source_id == b.source_id and len(a.text.split()) > 20 and len(b.text.split()) > 20
    )
    quote = " ".join(first.text.split()[-8:]) + " " + " ".join(following.text.split()[:8])
    result = find_quote(searcher, quote)
    top = result.matches[0]
    assert top.exact and top.passage.id == first.id
    assert [span.passage.id for span in top.continued] == [following.id]
    # The span runs to the passage's last word (closing punctuation is not a word).
    assert first.text[top.end:].strip(" .!?\"”’\n") == "" and top.continued[0].start == 0
    assert top.last_passage.id == following.id


@pytest.mark.parametrize("sentence", ABSENT)
def test_absent_sentences_are_attributed_to_nobody(searcher, sentence):
    result = find_quote(searcher, sentence)
    assert not result.found and result.matches == ()


def test_a_splice_of_two_sources_is_no_quote_of_either(searcher, passages):
    (a, pa), (b, pb) = [
        next((s, p) for s, p in sentences_with(passages, 14, 10) if p.source_id == source)
        for source in (passages[0].source_id, passages[-1].source_id)
    ]
    assert pa.source_id != pb.source_id
    splice = " ".join(a.split()[: len(a.split()) // 2] + b.split()[len(b.split()) // 2:])
    assert not find_quote(searcher, splice).found


def test_short_phrases_must_be_verbatim(searcher, passages):
    sentence, passage = sentences_with(passages, 10, 1)[0]
    phrase = sentence.split()[:5]
    exact = [m for m in find_quote(searcher, " ".join(phrase)).matches if m.exact]
    assert passage.id in {m.passage.id for m in exact}
    phrase[2] = "Lisbon"
    assert not find_quote(searcher, " ".join(phrase)).found


@pytest.mark.parametrize("quote, error", [
    ("", EmptyQuote), ("  “ … ” -- ", EmptyQuote), ("Futenma", QuoteTooShort), ("the alliance", QuoteTooShort),
])
def test_unusable_quotes_raise_named_errors(searcher, quote, error):
    with pytest.raises(error) as raised:
        find_quote(searcher, quote)
    assert isinstance(raised.value, QuoteError) and str(raised.value)


def test_query_syntax_in_a_quote_is_just_text(searcher):
    result = find_quote(searcher, 'title:(alliance AND "drift OR year:1999.. NOT Futenma*')
    assert result.found is False
