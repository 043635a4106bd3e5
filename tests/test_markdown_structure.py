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
    assert _paragraphs("# T\n\nText here.\n\n~~~\nline one\n\nline two\n") == ["Text here.", "line one\n \nline two"]


def test_an_indented_code_block_is_one_paragraph_keeping_relative_indentation():
    text = "# T\n\nRun this:\n\n    def f():\n        return 1\n\n    print(f())\n\nDone.\n"
    # The blank line inside keeps a space: a bare "\n\n" would read as a paragraph break.
    assert _paragraphs(text) == ["Run this:", "def f():\n    return 1\n \nprint(f())", "Done."]


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


def test_a_saved_pages_table_without_a_header_row_is_a_table(tmp_path):
    from pinpoint.index.ingest.readers import read_file

    prose = "".join(f"<p>Paragraph {n} of the report explains at some length how the releases came out, "
                    "month by month, over the last year.</p>" for n in range(3))
    rows = "".join(f"<tr><td>4.{n}</td><td>Month {n} 2014</td><td>{n * 7} fixes</td></tr>" for n in range(5))
    (tmp_path / "page.html").write_text(f"<html><body><article><h1>Releases</h1>{prose}<table>{rows}</table>"
                                        f"{prose}</article></body></html>", encoding="utf-8")
    (raw,) = read_file(tmp_path / "page.html", tmp_path)
    tables = [b.text for b in clean(raw).blocks if "Month 0 2014" in b.text]
    assert len(tables) == 1 and tables[0].split("\n")[0].split(" | ") == ["4.0", "Month 0 2014", "0 fixes"]
    assert len(tables[0].split("\n")) == 5
    # In a Markdown file GitHub's table needs its delimiter row: without it the lines are prose.
    assert _paragraphs("# T\n\n| a | b |\n| c | d |\n\nMore.\n") == ["| a | b | | c | d |", "More."]


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


@pytest.mark.parametrize("text,expected", [
    ("A `Vec<T>` holds values of type T.", "A Vec<T> holds values of type T."),
    ("Box<T> has a few special features.", "Box<T> has a few special features."),
    ("The CARGO_BIN_EXE_<name> variable is set.", "The CARGO_BIN_EXE_<name> variable is set."),
    ("Call `a_b_c()` then *stop*.", "Call a_b_c() then stop."),
    ("Some <b>bold</b> and <span class='x'>spanned</span> words<br/>.", "Some bold and spanned words."),
    ("Kept <!-- a comment --> text.", "Kept text."),
])
def test_angle_brackets_are_markup_only_when_they_are_html(text, expected):
    # Text in angle brackets (generics, placeholders) is part of what the page
    # says; stripping it as if it were a tag lost whole phrases of real pages.
    from pinpoint.index.ingest.clean import strip_inline_markdown

    assert strip_inline_markdown(text) == expected


def test_headings_inside_list_items_lose_their_markers():
    doc = clean(RawSource(id="x", path="x.md", fmt="md", text=(
        "# Title\n\nThe article says what it has to say in a full sentence.\n\n"
        "- ### A related story about something else entirely ####\n- ## Another one, also linked\n")))
    assert not any("#" in b.text for b in doc.blocks), [b.text for b in doc.blocks]


def test_a_widget_line_glued_to_a_paragraph_is_dropped_and_the_paragraph_kept():
    raw = RawSource(id="p", path="p.html", fmt="html", text=(
        "# Council expands bus network\n\nThe council voted on Tuesday to expand the network, ending a long debate.\n\n"
        "Sign up for our newsletter\nOpponents argued that the money would be better spent on the old fleet.\n\n"
        "Get the best of City Times delivered to your inbox every morning.\n\n### Join the conversation\n\n24 comments\n"))
    doc = clean(raw)
    paragraphs = [b.text for b in doc.blocks if b.kind == "paragraph"]
    assert paragraphs == ["The council voted on Tuesday to expand the network, ending a long debate.",
                          "Opponents argued that the money would be better spent on the old fleet."]
    assert {"Sign up for our newsletter", "24 comments", "Join the conversation"} <= set(doc.dropped)


def test_a_sentence_opening_with_by_default_is_not_a_byline():
    paragraphs = _paragraphs("# Options\n\nBy default, the packages selected are the workspace members.\n\nMore text follows.\n")
    assert paragraphs[0] == "By default, the packages selected are the workspace members."
