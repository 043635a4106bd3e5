"""Chunking: passages, their locators and offsets, on the seeds and on built documents."""

from __future__ import annotations

from pathlib import Path

import pytest

from pinpoint.index.ingest.chunk import MAX_CHARS, MIN_CHARS, chunk, split_sentences
from pinpoint.index.ingest.clean import clean
from pinpoint.index.ingest.readers import read_file
from pinpoint.index.records import RawSource

SEEDS = Path(__file__).resolve().parents[1] / "seeds"
SEED_FILES = sorted(SEEDS.glob("*.txt"))


def _doc(text: str, fmt: str = "txt"):
    return clean(RawSource(id="t", path="t.txt", fmt=fmt, text=text))


def _seed_passages(prefix: str):
    (path,) = [p for p in SEED_FILES if p.name.startswith(prefix)]
    (raw,) = read_file(path, SEEDS)
    doc = clean(raw)
    return doc, chunk(raw.id, doc)


@pytest.mark.parametrize("path", SEED_FILES, ids=lambda p: p.name[:3])
def test_offsets_numbers_and_coverage_on_seeds(path):
    (raw,) = read_file(path, SEEDS)
    doc = clean(raw)
    passages = chunk(raw.id, doc)
    assert [p.number for p in passages] == list(range(1, len(passages) + 1))
    body = [b for b in doc.blocks if b.kind == "paragraph"]
    covered = []
    for passage in passages:
        assert doc.text[passage.start:passage.end] == passage.text
        assert passage.source_id == raw.id and passage.id == f"{raw.id}:{passage.number}"
        assert len(passage.text) <= MAX_CHARS
        covered.extend(range(passage.paragraph, passage.paragraph_end + 1))
    # Every body paragraph is in exactly one passage (none is longer than the limit here).
    assert covered == list(range(1, len(body) + 1))
    assert chunk(raw.id, doc) == passages


def test_futenma_paragraph_number_is_what_a_reader_counts():
    doc, passages = _seed_passages("004")
    # Counting the page's body paragraphs by hand (title, byline, credit,
    # headings and the repeated pull quote excluded), this one is the 17th.
    (passage,) = [p for p in passages if "In a more recent bid to reconcile tensions" in p.text]
    assert passage.paragraph == 17 and "Futenma" in passage.text
    assert passage.heading == "The Okinawa Issue"


def test_heading_is_nearest_preceding_or_none():
    _, passages = _seed_passages("001")
    assert passages[0].heading is None
    (values,) = [p for p in passages if p.text.startswith("The first reason for the drift")]
    assert values.heading == "Incompatibility of Values"


def test_short_paragraphs_join_the_next_in_the_same_section():
    short = "A short paragraph."
    long = "This paragraph is long enough to stand on its own as a passage of text. " * 5
    text = f"Title Line\n\n{short}\n{long}\nNext Section\n{long}\n"
    doc = _doc(text)
    passages = chunk("t", doc)
    assert passages[0].paragraph == 1 and passages[0].paragraph_end == 2
    assert passages[0].text.startswith(short) and passages[0].text.endswith(long.strip())
    assert passages[1].heading == "Next Section" and passages[1].paragraph == 3


def test_short_paragraph_never_joins_across_a_heading():
    long = "This paragraph is long enough to stand on its own as a passage of text. " * 5
    text = f"Title Line\n\n{long}\nFirst Part\nA short closing remark.\nSecond Part\n{long}\n"
    passages = chunk("t", _doc(text))
    headings = [(p.heading, p.paragraph, p.paragraph_end) for p in passages]
    assert headings == [(None, 1, 1), ("First Part", 2, 2), ("Second Part", 3, 3)]


def test_long_paragraph_splits_at_sentence_ends():
    sentences = [f"Sentence number {i} of the very long paragraph says something about the U.S. alliance."
                 for i in range(60)]
    paragraph = " ".join(sentences)
    doc = _doc("Title Line\n\n" + paragraph + "\n")
    passages = chunk("t", doc)
    assert len(passages) >= 4
    for passage in passages:
        assert passage.paragraph == passage.paragraph_end == 1
        assert MIN_CHARS < len(passage.text) <= MAX_CHARS
        assert passage.text.startswith("Sentence number") and passage.text.endswith("alliance.")
        assert doc.text[passage.start:passage.end] == passage.text


def test_split_does_not_cut_after_abbreviations_or_initials():
    text = ("Dr. Smith met Mr. J. Doe in the U.S. capital. " * 60).strip()
    for start, end in split_sentences(text, 0, len(text)):
        assert text[start:end].startswith("Dr. Smith")


def test_sentence_longer_than_the_limit_is_cut_at_a_space():
    text = " ".join(["word"] * 1000)
    spans = split_sentences(text, 0, len(text))
    assert all(end - start <= MAX_CHARS for start, end in spans)
    assert all(text[start:end].startswith("word") and text[start:end].endswith("word") for start, end in spans)


def test_a_lone_line_stays_searchable_but_a_lone_heading_gives_nothing():
    (passage,) = chunk("t", _doc("Just One Line\n"))
    assert passage.text == "Just One Line" and passage.paragraph == 1
    assert chunk("t", clean(RawSource(id="t", path="t.md", fmt="md", text="# Only\n"))) == []
