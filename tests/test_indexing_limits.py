"""Indexing hostile inputs ends, with reasons (issue 16 row 4 and the sidecar items of row 14).

How long each takes is measured in ``python -m tests.benchmarks.attacks``;
here: loops end, over-long lines are skipped and said so, a sidecar is parsed
once per content, a sidecar outside the folder is never used, and an admin
re-index past its time limit reports "failed".
"""

from __future__ import annotations

import gzip
import json
import subprocess
import sys
from pathlib import Path

from pinpoint.index.store.build import SIDECAR_CACHE, build_index
from pinpoint.index.store.versions import open_searcher
from tests.conftest import ROOT

TEXT = "Notes on the alliance\n\nThe alliance paragraph is long enough to be a passage of its own here.\n"


def _titles(index_dir: Path) -> dict[str, str]:
    with open_searcher(index_dir) as searcher:
        return {s.id: s.csl.get("title") for s in searcher.sources()}


def test_symlink_loops_end_the_walk_with_a_reason(tmp_path):
    folder = tmp_path / "sources"
    (folder / "sub").mkdir(parents=True)
    (folder / "sub" / "note.txt").write_text(TEXT, encoding="utf-8")
    (folder / "here").symlink_to(".", target_is_directory=True)
    (folder / "again").symlink_to(".", target_is_directory=True)
    (folder / "sub" / "up").symlink_to("..", target_is_directory=True)
    report = build_index([folder], tmp_path / "index")
    assert report.sources == 1
    looped = [where for where, reason in report.skipped if "already read" in reason]
    assert len(looped) == 3, report.skipped


def test_a_jsonl_line_over_the_limit_is_skipped_with_a_reason(tmp_path):
    folder = tmp_path / "sources"
    folder.mkdir()
    small = {"id": "small", "title": "Small", "text": TEXT}
    huge = {"id": "huge", "title": "Huge", "text": "word " * 2000}
    lines = "\n".join(json.dumps(r) for r in (small, huge, {**small, "id": "after"})) + "\n"
    (folder / "corpus.jsonl").write_text(lines, encoding="utf-8")
    with gzip.open(folder / "packed.jsonl.gz", "wt", encoding="utf-8") as f:
        f.write(json.dumps({**huge, "id": "packed-huge"}) + "\n" + json.dumps({**small, "id": "packed"}) + "\n")
    report = build_index([folder], tmp_path / "index", max_source_bytes=5000)
    assert set(_titles(tmp_path / "index")) == {"small", "after", "packed"}
    reasons = {where: reason for where, reason in report.skipped}
    assert "longer than 5000 bytes" in reasons["corpus.jsonl, line 2"], reasons
    assert "PINPOINT_MAX_SOURCE_BYTES" in reasons["packed.jsonl.gz, line 1"], reasons


def _bib(title: str) -> str:
    return f"@article{{note2020,\n  author = {{Mallory, Eve}},\n  title = {{{title}}},\n  year = {{2020}},\n  file = {{:note.txt:text/plain}},\n}}\n"


def test_a_sidecar_is_parsed_once_per_content(tmp_path):
    folder = tmp_path / "sources"
    folder.mkdir()
    (folder / "note.txt").write_text(TEXT, encoding="utf-8")
    (folder / "refs.bib").write_text(_bib("The Real Title"), encoding="utf-8")
    index_dir = tmp_path / "index"
    build_index([folder], index_dir)
    assert _titles(index_dir)["note"] == "The Real Title"
    (cached,) = (index_dir / SIDECAR_CACHE).glob("*.json")
    # Proof that the next build reads the cache, not the .bib: a planted title shows up.
    items = json.loads(cached.read_text(encoding="utf-8"))
    items[0]["title"] = "From The Cache"
    cached.write_text(json.dumps(items), encoding="utf-8")
    (folder / "other.txt").write_text(TEXT.replace("alliance", "treaty"), encoding="utf-8")
    build_index([folder], index_dir)
    # The sidecar entry is part of note.txt's hash, so the planted title re-indexed it.
    assert _titles(index_dir)["note"] == "From The Cache"
    # A changed .bib is parsed again, and the stale cache entry goes.
    (folder / "refs.bib").write_text(_bib("A Changed Title"), encoding="utf-8")
    build_index([folder], index_dir)
    assert _titles(index_dir)["note"] == "A Changed Title"
    assert len(list((index_dir / SIDECAR_CACHE).glob("*.json"))) == 1


def test_a_sidecar_symlinked_from_outside_is_not_used(tmp_path):
    folder = tmp_path / "sources"
    folder.mkdir()
    (folder / "note.txt").write_text(TEXT, encoding="utf-8")
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (outside / "refs.bib").write_text(_bib("Planted From Outside"), encoding="utf-8")
    (folder / "refs.bib").symlink_to(outside / "refs.bib")
    (folder / "linked").symlink_to(outside, target_is_directory=True)
    report = build_index([folder], tmp_path / "index")
    assert _titles(tmp_path / "index")["note"] != "Planted From Outside"
    assert any("refs.bib" in where and "outside" in reason for where, reason in report.skipped), report.skipped


def test_an_admin_reindex_past_its_time_limit_reports_failed(tmp_path):
    from pinpoint.service.admin import read_status

    index_dir = tmp_path / "index"
    index_dir.mkdir()
    done = subprocess.run(
        [sys.executable, "-m", "pinpoint.service.admin", "--index", str(index_dir), "--time-limit", "0.001",
         str(ROOT / "seeds")],
        cwd=ROOT, capture_output=True, text=True, timeout=60,
    )
    assert done.returncode == 1, done.stderr
    status = read_status(index_dir)
    assert status["state"] == "failed" and "time limit" in status["message"], status


def test_a_blank_admin_token_leaves_the_admin_route_off(seeds_index):
    from falcon import testing

    from pinpoint.service.app import create_app
    from pinpoint.service.config import config_from_env

    config = config_from_env({"PINPOINT_ADMIN_TOKEN": "  ", "PINPOINT_INDEX": str(seeds_index)})
    assert config.admin_token is None
    client = testing.TestClient(create_app(config))
    for method in (client.simulate_get, client.simulate_post):
        assert method("/admin/reindex", headers={"Authorization": "Bearer "}).status_code == 404
