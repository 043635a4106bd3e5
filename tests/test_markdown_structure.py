"""Markdown structure: a code block or a table is one paragraph, searchable and laid out."""

from __future__ import annotations

import shutil

import pytest

from pinpoint.index.ingest.clean import clean
from pinpoint.index.records import RawSource
from tests.conftest import ROOT

RFC = ROOT / "tests" / "fixtures" / "rfc-style" / "0020-code-and-table.md"


def _paragraphs(text: str) -> list[str]:
    doc = clean(RawSource(id="x", path="x.md", fmt="md", text=text))
    return [b.text for b in doc.blocks if b.kind == "paragraph"]


def test_a_fenced_code_block_is_one_paragraph_with_its_lines():
    code = "\n".join(f"    step_{n}();" for n in range(40))
    paragraphs = _paragraphs(f"# Title\n\nBefore the code.\n\n```rust\nfn main() {{\n{code}\n}}\n```\n\nAfter the code.\n")
    assert paragraphs[0] == "Before the code." and paragraphs[-1] == "After the code."
    assert len(paragraphs) == 3
    assert paragraphs[1].startswith("fn main() {\n    step_0();\n")


def test_an_unclosed_fence_still_makes_one_paragraph():
    assert _paragraphs("# T\n\nText here.\n\n~~~\nline one\n\nline two\n") == ["Text here.", "line one\n\nline two"]


def test_an_indented_code_block_is_one_paragraph_keeping_relative_indentation():
    text = "# T\n\nRun this:\n\n    def f():\n        return 1\n\n    print(f())\n\nDone.\n"
    assert _paragraphs(text) == ["Run this:", "def f():\n    return 1\n\nprint(f())", "Done."]


def test_indented_list_continuations_are_not_code():
    text = "# T\n\n- The first item of the list says something,\n    and continues here.\n\nText.\n"
    assert "The first item of the list says something, and continues here." in _paragraphs(text)


def test_a_table_is_one_paragraph_with_a_readable_line_per_row():
    text = ("# T\n\nIntro.\n\n| Form | Meaning |\n|:---|---:|\n| `{name}` | the **variable** |\n"
            "| {0} | first \\| argument |\n\nAfter.\n")
    paragraphs = _paragraphs(text)
    assert len(paragraphs) == 3
    rows = paragraphs[1].split("\n")
    assert len(rows) == 3 and "---" not in paragraphs[1] and "**" not in paragraphs[1]
    assert [[c.strip() for c in row.split(" | ")] for row in rows[:2]] == [["Form", "Meaning"], ["{name}", "the variable"]]
    assert rows[2].startswith("{0}") and rows[2].endswith("first | argument")  # an escaped pipe is text


def test_a_pipe_in_prose_is_not_a_table():
    assert _paragraphs("# T\n\nUse a | b for either.\n\nMore.\n") == ["Use a | b for either.", "More."]


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    from falcon import testing

    from pinpoint.index.store.build import build_index
    from pinpoint.service.app import create_app
    from pinpoint.service.config import Config

    folder = tmp_path_factory.mktemp("md") / "sources"
    folder.mkdir()
    shutil.copy(RFC, folder / RFC.name)
    build_index([folder], folder.parent / "index")
    return testing.TestClient(create_app(Config(index_dir=folder.parent / "index", reload_seconds=0)))


def test_code_and_tables_are_searchable_and_shown_with_their_lines(served):
    for query, expected in (("Ferris", 'let name = "Ferris";\nlet age = 7;'), ("argument", "{0}")):
        hits = served.simulate_get("/search", params={"q": query}).json["hits"]
        assert hits, query
        source, number = hits[0]["passage_id"].rsplit(":", 1)
        page = served.simulate_get(f"/passages/{source}/{number}").text
        assert expected.replace('"', "&#34;") in page or expected in page, query
        assert 'class="passage-text"' in page


def test_paragraph_numbers_count_visible_blocks(served):
    # Summary sentence, code block, table, closing sentence: four paragraphs in all.
    source = served.simulate_get("/sources/0020-code-and-table").json
    last = served.simulate_get(f"/sources/0020-code-and-table/passages/{source['passage_count']}").json
    assert last["paragraph_end"] == 4, last
