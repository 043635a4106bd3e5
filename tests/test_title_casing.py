"""Sentence case keeps the names a source itself capitalises ("Russia and Syria", not "Russia and syria")."""

from __future__ import annotations

import json

import pytest

from pinpoint.index.store.build import build_index
from pinpoint.index.store.versions import open_searcher
from pinpoint.service.citations import cite

PAGE = """<!DOCTYPE html><html><head><meta charset="utf-8">
<title>Russia and Syria: What Comes Next for the Ceasefire Talks</title>
<meta property="og:title" content="Russia and Syria: What Comes Next for the Ceasefire Talks">
<meta property="article:published_time" content="2023-04-12T09:00:00Z"></head>
<body><article><h1>Russia and Syria: What Comes Next for the Ceasefire Talks</h1>
<p>Talks between envoys from Russia and the government in Syria resumed on Tuesday after a pause of three weeks.</p>
<p>Officials said the next round would decide what comes next for the towns along the northern border.</p>
<p>Observers expect a ceasefire to hold only if both sides accept monitors, which Russia has so far refused.</p>
<p>Aid groups in Syria warned that the talks had already stalled twice this year without result.</p>
</article></body></html>
"""


@pytest.fixture(scope="module")
def source(tmp_path_factory):
    folder = tmp_path_factory.mktemp("casing") / "pages"
    folder.mkdir()
    (folder / "talks.html").write_text(PAGE, encoding="utf-8")
    build_index([folder], folder.parent / "index")
    with open_searcher(folder.parent / "index") as searcher:
        return searcher.sources()[0]


def test_names_the_page_capitalises_keep_their_capitals_in_sentence_case(source):
    assert source.csl["_proper_nouns"] == ["Russia", "Syria"]
    reference = cite(source.csl, "apa").reference
    assert "Russia and Syria: What comes next for the ceasefire talks" in reference, reference
    assert "syria" not in reference


def test_words_the_page_writes_in_lower_case_are_still_lowered(source):
    # "Ceasefire", "Talks", "Comes" and "Next" appear lower-case in the paragraphs.
    assert not {"Ceasefire", "Talks", "Comes", "Next"} & set(source.csl["_proper_nouns"])


def test_the_list_stays_private_to_sentence_case(source):
    from pinpoint.service.exports import FORMATS, render

    for fmt in FORMATS.values():
        assert "_proper_nouns" not in render(fmt, [source]) and "proper" not in render(fmt, [source])
    assert "_proper_nouns" not in json.dumps(json.loads(render(FORMATS["csl-json"], [source])))
