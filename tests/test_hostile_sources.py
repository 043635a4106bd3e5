"""Hostile sources: markup, BibTeX specials, binary and odd files never hurt a build or a reader.

A temp folder holds sources a careless download or a malicious page could
produce: script tags in the text and in BibTeX metadata, braces and TeX
specials in titles, NUL-filled and non-UTF-8 files, an empty file and
symlinks leading out of the folder.  The build must finish, skip the
unusable files with a reason, and nothing from a source may reach a page or
an ``excerpt_html`` unescaped.
"""

from __future__ import annotations

import json
import os
import random
import subprocess
import time
from pathlib import Path

import bibtexparser
import pytest
from falcon import testing

from pinpoint.service.config import Config
from tests.conftest import PINPOINT, ROOT
from tests.hardening import full_app

SCRIPT = "<script>alert('pinpoint')</script>"
IMG = '<img src=x onerror="alert(1)">'
BODY = (
    "Zanzibarian alliance studies\n\n"
    f"The zanzibarian alliance {SCRIPT} has lasted for decades and shows no sign of ending soon.\n\n"
    f"Critics of the zanzibarian treaty {IMG} argue that it binds both parties too closely together.\n\n"
    "A closing paragraph about the zanzibarian alliance & its <b>bold</b> future, \"quoted\" and 'quoted'.\n"
)
BIB = r"""
@article{evil2020,
  author  = {<script>alert(1)</script>, Mallory and O'Brien, Eve},
  title   = {<script>alert("title")</script> The {Zanzibarian} Alliance \& 100\% of \$ and \#tags},
  journal = {<img src=x onerror=alert(2)>},
  year    = {2020},
  file    = {:evil.txt:text/plain},
}
"""
JSONL = [
    {"id": "braces", "title": "Unbalanced { braces }} and \\ backslash ~ ^ % & # _ $ zanzibarian",
     "author": "Brace {Open", "issued": "2019", "text": "The zanzibarian braces paragraph is here for searching.\n"},
    {"id": "atsign", "title": "@comment{ x } @article{inner, title={nested}} zanzibarian",
     "author": ["}Closing, Early", "Plain, Person"], "text": "An at-sign zanzibarian source about entries inside titles.\n"},
]


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    from pinpoint.index.store.build import build_index

    base = tmp_path_factory.mktemp("hostile")
    folder = base / "sources"
    folder.mkdir()
    (folder / "evil.txt").write_text(BODY, encoding="utf-8")
    (folder / "sources.bib").write_text(BIB, encoding="utf-8")
    (folder / "specials.jsonl").write_text("\n".join(json.dumps(r) for r in JSONL) + "\n", encoding="utf-8")
    (folder / "binary.txt").write_bytes(b"\x7fELF\x00\x00\x00" + bytes(range(256)) * 8)
    (folder / "latin1.txt").write_bytes("Caf\u00e9 zanzibarian na\u00efve".encode("latin-1") * 20)
    (folder / "empty.txt").write_bytes(b"")
    (folder / "blank.md").write_text("   \n\n\t\n", encoding="utf-8")
    outside = base / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_text("zanzibarian secret that must never be indexed\n", encoding="utf-8")
    (folder / "escape.txt").symlink_to(outside / "secret.txt")
    (folder / "escape-dir").symlink_to(outside, target_is_directory=True)
    (folder / "dangling.txt").symlink_to(base / "missing.txt")
    index_dir = base / "index"
    report = build_index([folder], index_dir)
    return {"folder": folder, "index": index_dir, "report": report}


@pytest.fixture(scope="module")
def client(hostile):
    return testing.TestClient(full_app(Config(index_dir=hostile["index"], reload_seconds=0)))


def test_build_finishes_and_skips_each_unusable_file_with_a_reason(hostile):
    report = hostile["report"]
    skipped = {Path(where.split(" (")[0].split(",")[0]).name: reason for where, reason in report.skipped}
    assert "binary" in skipped["binary.txt"]
    assert "latin1.txt" not in skipped  # not UTF-8, but its encoding is detected (pinpoint.index.ingest.encodings)
    assert "empty" in skipped["empty.txt"]
    assert "empty" in skipped["blank.md"]
    assert "outside" in skipped["escape.txt"]
    assert "outside" in skipped["escape-dir"]
    assert "dangling.txt" in skipped, report.skipped
    assert report.sources == 4, report


def test_nothing_outside_the_sources_folder_is_indexed(client):
    resp = client.simulate_get("/search", params={"q": "secret"})
    assert resp.status_code == 200
    assert resp.json["total"] == 0


def test_build_reasons_are_printed_by_the_cli(hostile, tmp_path):
    done = subprocess.run([*PINPOINT, "index", str(hostile["folder"]), "--index", str(tmp_path / "i"), "--quiet"],
                          cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    for name in ("binary.txt", "empty.txt", "escape.txt"):
        assert any(line.startswith("skipped ") and name in line for line in done.stdout.splitlines()), done.stdout


def test_excerpt_html_escapes_source_markup(client):
    resp = client.simulate_get("/search", params={"q": "zanzibarian", "limit": "20"})
    assert resp.status_code == 200
    hits = resp.json["hits"]
    assert hits
    raw_markup_seen = False
    for hit in hits:
        html = hit["excerpt_html"]
        stripped = html.replace("<mark>", "").replace("</mark>", "")
        assert "<" not in stripped and ">" not in stripped, html
        raw_markup_seen |= "<script>" in hit["text"] or "<img" in hit["text"]
        assert "<script" not in hit["citation"]["reference_html"].lower(), hit["citation"]["reference_html"]
        assert "onerror=" not in hit["citation"]["reference_html"].replace("onerror=&", ""), hit["citation"]
    # The text itself keeps what the source says (it is JSON, not HTML); only HTML escapes.
    assert raw_markup_seen, "the hostile markup never reached the index, so this test proves nothing"


@pytest.mark.parametrize("path,params", [
    ("/", {"q": "zanzibarian"}),
    ("/", {"q": "zanzibarian", "style": "chicago-author-date"}),
    ("/", {"mode": "quote", "quote": "has lasted for decades and shows no sign of ending soon"}),
    ("/passages/evil/1", {}),
    ("/passages/evil/1", {"q": "<script>alert(9)</script>"}),
    ("/passages/evil/2", {}),
    ("/", {"q": "<script>alert(9)</script>"}),
])
def test_pages_never_carry_source_markup_unescaped(client, path, params):
    resp = client.simulate_get(path, params=params)
    assert resp.status_code in (200, 400, 404), resp.status_code
    elements = parsed_elements(resp.text)
    for tag, attrs in elements:
        handlers = [name for name, _ in attrs if name.startswith("on")]
        assert not handlers, (tag, attrs)
        assert tag != "img" or dict(attrs).get("src") != "x", attrs
        if tag == "script":
            # Pinpoint's own scripts are external files only (the CSP forbids inline ones).
            assert (dict(attrs).get("src") or "").startswith("/static/"), attrs
    assert any(tag == "html" for tag, _ in elements)
    # The hostile text is on the page, as text: escaped once, readable.
    if resp.status_code == 200 and (path.startswith("/passages/evil") or params.get("q") == "zanzibarian"):
        assert "&lt;script&gt;" in resp.text or "&lt;img" in resp.text, "the hostile text is not shown at all"


def parsed_elements(page: str) -> list[tuple[str, list[tuple[str, str | None]]]]:
    """Every start tag a browser would build from ``page``, with its attributes."""
    from html.parser import HTMLParser

    found: list[tuple[str, list[tuple[str, str | None]]]] = []

    class Collector(HTMLParser):
        def handle_starttag(self, tag, attrs):
            found.append((tag, attrs))

    Collector(convert_charrefs=True).feed(page)
    return found


def test_bibtex_export_reparses_without_failed_blocks(client):
    resp = client.simulate_get("/bibtex")
    assert resp.status_code == 200
    library = bibtexparser.parse_string(resp.text)
    assert not library.failed_blocks, [b.error for b in library.failed_blocks]
    assert len(library.entries) == 4  # latin1.txt is read now (pinpoint.index.ingest.encodings)
    titles = " ".join(e.fields_dict["title"].value for e in library.entries if "title" in e.fields_dict)
    assert "zanzibarian" in titles.lower()
    assert "@article{inner" not in resp.text.lower().replace(" ", ""), "a title smuggled in a second entry"


@pytest.mark.parametrize("source_id", ["braces", "atsign", "evil"])
def test_each_hostile_source_exports_alone(client, source_id):
    resp = client.simulate_get(f"/sources/{source_id}.bib")
    assert resp.status_code == 200, resp.text
    library = bibtexparser.parse_string(resp.text)
    assert not library.failed_blocks
    assert len(library.entries) == 1


@pytest.mark.slow
def test_huge_unusable_files_are_skipped_quickly(tmp_path):
    """50 MB files that are binary or in no encoding that can be told cost a skip, not a stalled build."""
    from pinpoint.index.store.build import build_index

    folder = tmp_path / "big"
    folder.mkdir()
    size = 50 * 1024 * 1024
    with open(folder / "huge-binary.txt", "wb") as f:
        f.truncate(size)  # sparse: NULs all the way
    with open(folder / "huge-undecodable.txt", "wb") as f:
        block = random.Random(7).randbytes(1 << 20).replace(b"\x00", b"\xff")
        for _ in range(size // len(block) + 1):
            f.write(block)
    (folder / "fine.txt").write_text("A zanzibarian paragraph that is perfectly fine to index.\n", encoding="utf-8")
    started = time.perf_counter()
    report = build_index([folder], tmp_path / "index")
    took = time.perf_counter() - started
    reasons = {Path(where).name: reason for where, reason in report.skipped}
    assert reasons["huge-binary.txt"] == "binary"
    assert "UTF-8" in reasons["huge-undecodable.txt"]
    assert report.sources == 1
    assert took < 30, f"skipping two 50 MB files took {took:.1f}s"
    print(f"\nbuild with two skipped 50 MB files: {took:.2f}s")


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads files whatever their mode; unreadable files cannot be simulated")
def test_unreadable_file_is_skipped(tmp_path):
    from pinpoint.index.store.build import build_index

    folder = tmp_path / "s"
    folder.mkdir()
    (folder / "ok.txt").write_text("A readable zanzibarian paragraph.\n", encoding="utf-8")
    locked = folder / "locked.txt"
    locked.write_text("never read\n", encoding="utf-8")
    locked.chmod(0)
    report = build_index([folder], tmp_path / "index")
    assert any("locked.txt" in where and "cannot read" in reason for where, reason in report.skipped)
