"""Metadata from what Markdown files state: 20 RFC-style files through the real pipeline.

``tests/fixtures/rfc-style/expected.json`` was written by hand from the
files: every stated title, date and author must be found, nothing else, and
no reference or export entry may come out empty.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import bibtexparser
import pytest

from pinpoint.index.ingest.front_matter import split_front_matter
from tests.conftest import PINPOINT, ROOT

FIXTURES = ROOT / "tests" / "fixtures" / "rfc-style"
EXPECTED = {k: v for k, v in json.loads((FIXTURES / "expected.json").read_text()).items() if not k.startswith("_")}


@pytest.fixture(scope="module")
def rfc_index(tmp_path_factory) -> Path:
    from pinpoint.index.store.build import build_index

    folder = tmp_path_factory.mktemp("rfcs") / "rfcs"
    shutil.copytree(FIXTURES, folder, ignore=shutil.ignore_patterns("*.json"))
    index_dir = folder.parent / "index"
    build_index([folder], index_dir)
    return index_dir


@pytest.fixture(scope="module")
def sources(rfc_index):
    from pinpoint.index.store.versions import open_searcher

    with open_searcher(rfc_index) as searcher:
        return {s.id: s for s in searcher.sources()}


def test_the_fixture_set_is_twenty_files_with_and_without_authors():
    assert len(EXPECTED) == len(list(FIXTURES.glob("*.md"))) == 20
    with_authors = [k for k, v in EXPECTED.items() if v["authors"]]
    assert 5 <= len(with_authors) <= 15


@pytest.mark.parametrize("source_id", sorted(EXPECTED))
def test_every_stated_title_date_and_author_is_found_and_none_invented(sources, source_id):
    expected, csl = EXPECTED[source_id], sources[source_id].csl
    assert csl["title"] == expected["title"]
    assert sources[source_id].title_origin == expected["title_origin"]
    assert (csl.get("issued") or {}).get("date-parts", [None])[0] == expected["issued"]
    assert csl.get("author", []) == expected["authors"]


def test_no_reference_or_in_text_citation_is_empty(sources):
    from pinpoint.service.citations import cite

    for source in sources.values():
        for style in ("apa", "chicago-author-date", "mla", "ieee"):
            citation = cite(source.csl, style)
            assert not citation.reference.startswith(("(n.d.)", ". ", "(")), (style, citation.reference)
            assert len(re.sub(r"[\W_]", "", citation.reference)) > 8, citation.reference
            assert "Untitled" not in citation.in_text and "None" not in citation.reference


def _export(index: Path, fmt: str, *extra: str) -> str:
    result = subprocess.run([*PINPOINT, "export", "--format", fmt, "--index", str(index), *extra],
                            cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_bibtex_entries_have_a_title_name_their_file_and_keep_their_keys(rfc_index, sources):
    whole = bibtexparser.parse_string(_export(rfc_index, "bibtex"))
    assert len(whole.entries) == 20 and not whole.failed_blocks
    keys = {}
    for entry in whole.entries:
        fields = {f.key: f.value for f in entry.fields}
        assert fields.get("title"), entry.key
        source = next(s for s in sources.values() if s.path == fields["file"])
        keys[source.id] = entry.key
    assert len(set(keys.values())) == 20

    # The same sources exported with others, or alone, keep the same keys.
    subset = bibtexparser.parse_string(_export(rfc_index, "bibtex", "--query", "borrow checker"))
    assert subset.entries
    for entry in subset.entries:
        fields = {f.key: f.value for f in entry.fields}
        source = next(s for s in sources.values() if s.path == fields["file"])
        assert entry.key == keys[source.id], (entry.key, keys[source.id])


def test_ris_records_have_a_title_and_name_their_file(rfc_index, sources):
    records = [r for r in _export(rfc_index, "ris").split("ER  -") if r.strip()]
    assert len(records) == 20
    paths = set()
    for record in records:
        tags = dict(re.findall(r"^(\w\w)  - (.*?)\r?$", record, re.M))
        assert tags.get("TI") and tags.get("L1"), record
        paths.add(tags["L1"])
    assert paths == {s.path for s in sources.values()}


def test_cli_search_never_prints_none(rfc_index):
    result = subprocess.run([*PINPOINT, "search", "reference", "--index", str(rfc_index), "--limit", "20"],
                            cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert "None" not in result.stdout
    assert "[0006-no-front-matter.md]" in result.stdout or "[" in result.stdout


def test_source_json_says_where_the_title_came_from_and_when_no_author_is_stated(sources):
    from pinpoint.service.representations import source_json

    untitled = source_json(sources["0006-no-front-matter"])
    assert untitled["title"] == "[0006-no-front-matter.md]"
    assert untitled["title_origin"] == "file-name-description"
    assert untitled["authors"] == [] and untitled["author_note"] == "no author stated"
    assert source_json(sources["0002-trait-upcasting"])["author_note"] is None


@pytest.mark.parametrize("text", [
    "---\n\nA document that opens with a rule, not front matter.\n",
    "- apples: red\n- pears: green\n\nA shopping list is not metadata.\n",
    "- Title: Looks like metadata\nbut the list runs on into prose here.\n",
    "---\n: not yaml [\n---\nBody.\n",
])
def test_ordinary_text_is_not_taken_for_front_matter(text):
    front = split_front_matter(text)
    assert front.form is None and front.body == text


def test_yaml_dates_and_toml_lists_are_read_as_stated():
    yaml_front = split_front_matter("---\ntitle: A\ndate: 2020-02-03\nauthor: [Ann Lee, Bo Chan]\n---\nBody.\n")
    assert yaml_front.fields == {"title": "A", "issued": "2020-02-03", "author": ["Ann Lee", "Bo Chan"]}
    assert yaml_front.body == "Body.\n"
    toml_front = split_front_matter('+++\ntitle = "B"\ndate = 2021-05-06\n+++\nBody.\n')
    assert toml_front.fields == {"title": "B", "issued": "2021-05-06"} and toml_front.form == "toml"
