"""Metadata: the seeds' sidecar, what files and texts state, and what is never invented."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from pinpoint.index.ingest.clean import clean
from pinpoint.index.ingest.metadata import load_sidecars, parse_date_text, parse_names, resolve
from pinpoint.index.ingest.readers import read_file
from pinpoint.index.records import RawSource

SEEDS = Path(__file__).resolve().parents[1] / "seeds"
FIXTURES = Path(__file__).parent / "fixtures" / "sources"


def _seed(prefix: str) -> RawSource:
    (path,) = SEEDS.glob(f"{prefix}_*.txt")
    (raw,) = read_file(path, SEEDS)
    return raw


def _from_text(prefix: str) -> dict:
    raw = _seed(prefix)
    csl, origin = resolve(raw, clean(raw), None)
    assert origin == "text" and csl["id"] == raw.id
    return csl


def test_sidecar_covers_every_seed():
    sidecars = load_sidecars([SEEDS])
    for path in SEEDS.glob("*.txt"):
        assert path.name in sidecars, path.name
        assert sidecars[path.name]["type"] == "webpage"
        assert "_file" not in sidecars[path.name]


def test_sidecar_wins_and_keeps_only_what_pages_state():
    sidecars = load_sidecars([SEEDS])
    results = {}
    for prefix in ("000", "001", "002", "003", "004"):
        raw = _seed(prefix)
        csl, origin = resolve(raw, clean(raw), sidecars[Path(raw.path).name])
        assert origin == "sidecar" and csl["id"] == raw.id
        results[prefix] = csl
    assert results["000"]["author"] == [{"family": "Clausen", "given": "Daniel"}]
    assert results["000"]["container-title"] == "The Diplomat"
    assert results["003"]["author"] == [{"literal": "Pacific Forum"}]
    assert results["003"]["title"].startswith("Introduction: An Alliance Renewed?")
    assert results["004"]["issued"] == {"date-parts": [[2014, 7, 1]]}
    assert results["004"]["publisher"] == "Council on Foreign Relations"
    assert results["002"]["publisher"] == "Stimson Center"
    for prefix in ("000", "001", "002", "003"):
        assert "issued" not in results[prefix], prefix  # no page states a date
    assert all("accessed" not in csl for csl in results.values())


def test_sidecar_in_a_subfolder_matches_relative_and_bare_names(tmp_path):
    (tmp_path / "web").mkdir()
    shutil.copy(SEEDS / "sources.bib", tmp_path / "web" / "refs.bib")
    sidecars = load_sidecars([tmp_path])
    assert "web/004_9574ace01beba1aa.txt" in sidecars and "004_9574ace01beba1aa.txt" in sidecars


def test_broken_bib_does_not_stop_loading(tmp_path):
    (tmp_path / "a.bib").write_bytes(b"@online{x, title = {caf\xe9}}")
    shutil.copy(SEEDS / "sources.bib", tmp_path / "b.bib")
    assert "000_f5cc0b5bea89428d.txt" in load_sidecars([tmp_path])


def test_text_metadata_of_seeds():
    assert _from_text("000")["author"] == [{"family": "Clausen", "given": "Daniel"}]
    assert _from_text("001")["author"] == [{"family": "Kato", "given": "Akira"}]
    assert _from_text("002")["author"] == [{"family": "Tatsumi", "given": "Yuki"}]
    cfr = _from_text("004")
    assert cfr["author"] == [{"family": "Xu", "given": "Beina"}]
    assert cfr["issued"] == {"date-parts": [[2014, 7, 1]]}
    assert cfr["title"] == "The U.S.-Japan Security Alliance"
    assert _from_text("000")["title"] == "The US-Japan Security Relationship: Drift or Longevity?"


def test_nothing_invented_when_text_states_nothing():
    pacific = _from_text("003")
    assert "author" not in pacific  # an unsigned introduction has no personal author
    for prefix in ("000", "001", "002", "003"):
        assert "issued" not in _from_text(prefix), prefix


@pytest.mark.parametrize("closing", [
    "The alliance is a cornerstone of regional security and has been for decades.",
    "United States is a senior partner in the alliance, as everyone agrees.",
    "This report is a research product of the institute.",
])
def test_bio_rule_takes_no_non_person(closing):
    text = ("A Title\n\n" + "A body paragraph about the alliance with enough words in it to count. " * 3
            + "\n\n" + closing + "\n")
    raw = RawSource(id="t", path="t.txt", fmt="txt", text=text)
    csl, _ = resolve(raw, clean(raw), None)
    assert "author" not in csl


def test_file_metadata_completed_from_text_and_file_wins():
    raw = RawSource(id="j", path="c.jsonl", fmt="jsonl", meta={"title": "Stated Title"},
                    text="Shown Title\n\nBy Ann Smith\n\nUpdated: 3 May 2019\n\nA paragraph of text that is a sentence.")
    csl, origin = resolve(raw, clean(raw), None)
    assert origin == "embedded"
    assert csl["title"] == "Stated Title"
    assert csl["author"] == [{"family": "Smith", "given": "Ann"}]
    assert csl["issued"] == {"date-parts": [[2019, 5, 3]]}


def test_a_whole_jsonl_file_sidecar_does_not_describe_each_line():
    raw = RawSource(id="book1", path="books.jsonl", fmt="jsonl", text="Some text of the book.")
    csl, origin = resolve(raw, clean(raw), {"id": "k", "citation-key": "k", "title": "The Collection"})
    assert origin == "text" and csl.get("title") != "The Collection"


def test_html_and_markdown_metadata_are_embedded():
    for name in ("page.html", "notes.md"):
        (raw,) = read_file(FIXTURES / name, FIXTURES)
        csl, origin = resolve(raw, clean(raw), None)
        assert origin == "embedded" and csl["issued"]["date-parts"][0][0] in (2019, 2021)


@pytest.mark.parametrize("text, names", [
    ("Beina Xu", [{"family": "Xu", "given": "Beina"}]),
    ("Xu, Beina", [{"family": "Xu", "given": "Beina"}]),
    ("Ann Smith and Bo Li", [{"family": "Smith", "given": "Ann"}, {"family": "Li", "given": "Bo"}]),
    ("Ludwig van Beethoven", [{"family": "van Beethoven", "given": "Ludwig"}]),
    ("Martin Luther King Jr.", [{"family": "King", "given": "Martin Luther", "suffix": "Jr."}]),
    ("Pacific Forum", [{"literal": "Pacific Forum"}]),
    ("Council on Foreign Relations", [{"literal": "Council on Foreign Relations"}]),
    ("Various", [{"literal": "Various"}]),
    ("", []),
])
def test_parse_names(text, names):
    assert parse_names(text) == names


@pytest.mark.parametrize("text, parts", [
    ("July 1, 2014", [2014, 7, 1]), ("1 July 2014", [2014, 7, 1]), ("Sept. 2013", [2013, 9]),
    ("2014-07-01T10:00:00Z", [2014, 7, 1]), ("2014", [2014]), ("2014-13-40", [2014]),
])
def test_parse_date_text(text, parts):
    assert parse_date_text(text) == {"date-parts": [parts]}


def test_unreadable_date_is_none():
    assert parse_date_text("last Tuesday") is None
