"""A large export is written a block of entries at a time, and reads back as one export would."""

from __future__ import annotations

import json

import bibtexparser
import pytest
from falcon import testing

from pinpoint.index.store.build import build_index
from pinpoint.service.app import create_app
from pinpoint.service.config import Config
from pinpoint.service.exports import FORMATS, STREAM_BLOCK, render


@pytest.fixture(scope="module")
def big_library(tmp_path_factory):
    folder = tmp_path_factory.mktemp("many")
    count = STREAM_BLOCK * 2 + 37  # three blocks, the last one short
    with open(folder / "corpus.jsonl", "w", encoding="utf-8") as out:
        for n in range(count):
            # Several works share an author and year, so keys need the whole library to stay unique.
            out.write(json.dumps({"id": f"w{n:05d}", "title": f"Tidal survey number {n}",
                                  "author": "Ana Costa" if n % 3 else "Li Wei", "issued": "2020",
                                  "text": f"The tide gauge {n} recorded the surge near the harbour wall."}) + "\n")
    index_dir = tmp_path_factory.mktemp("many-index")
    build_index([folder], index_dir)
    app = create_app(Config(index_dir=index_dir, reload_seconds=0))
    return testing.TestClient(app), count, index_dir


def test_streamed_bibtex_holds_every_source_once_with_library_keys(big_library):
    client, count, _ = big_library
    resp = client.simulate_get("/bibtex")
    assert resp.status_code == 200 and resp.headers["content-type"].startswith("application/x-bibtex")
    parsed = bibtexparser.parse_string(resp.text)
    assert not parsed.failed_blocks
    keys = [entry.key for entry in parsed.entries]
    assert len(keys) == count and len(set(keys)) == count
    # Each entry keeps the key it has when exported alone.
    alone = bibtexparser.parse_string(client.simulate_get("/sources/w00001.bib").text).entries[0]
    assert alone.key in keys and alone["title"] == next(e for e in parsed.entries if e.key == alone.key)["title"]


def test_streamed_export_equals_the_whole_export_entry_for_entry(big_library):
    from pinpoint.index.store.versions import open_searcher

    client, count, index_dir = big_library
    searcher = open_searcher(index_dir)
    try:
        whole = render(FORMATS["bibtex"], searcher.sources(), searcher)
    finally:
        searcher.close()
    entries = lambda text: {e.key: {f.key: f.value for f in e.fields} for e in bibtexparser.parse_string(text).entries}
    assert entries(client.simulate_get("/bibtex").text) == entries(whole)
    assert len(entries(client.simulate_get("/bibtex", params={"q": "tide"}).text)) == count
    assert client.simulate_get("/bibtex", params={"format": "ris"}).text.count("ER  -") == count
