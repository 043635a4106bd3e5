"""No build loses a source (issue 16, rows 8 and 9).

An incremental build must give the library a fresh build of the same folder
gives, whatever happened to the folder since the last build: the property
test drives random sequences of add, edit, delete and rename, with file names
that collide across sub-folders so duplicate source ids shadow each other.
"""

from __future__ import annotations

import shutil
import subprocess
import threading
import time
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pinpoint.index.store.build import build_index
from pinpoint.index.store.versions import current_version, open_searcher
from tests.conftest import PINPOINT, ROOT

WORDS = ("alliance", "treaty", "harbour", "garrison", "island", "accord", "basing", "ferry")
NAMES = ("note.txt", "note.md", "memo.txt")
FOLDERS = ("", "a", "b")


def library(index_dir: Path) -> dict:
    """Everything a reader of the index sees: each source and its passages."""
    with open_searcher(index_dir) as searcher:
        return {
            source.id: (source, [(p.number, p.paragraph, p.text) for p in searcher.passages(source.id)])
            for source in searcher.sources()
        }


def _text(seed: int, paragraphs: int) -> str:
    if paragraphs == 0:
        return "   \n"
    words = [WORDS[(seed * 7 + i * 3) % len(WORDS)] for i in range(12)]
    return "".join(f"Paragraph {n} {seed}: {' '.join(words[n:] + words[:n])}.\n\n" for n in range(paragraphs))


paths = st.tuples(st.sampled_from(FOLDERS), st.sampled_from(NAMES)).map(lambda p: "/".join(x for x in p if x))
steps = st.one_of(
    st.tuples(st.just("write"), paths, st.integers(0, 50), st.integers(0, 3)),
    st.tuples(st.just("delete"), paths),
    st.tuples(st.just("rename"), paths, paths),
)


def _apply(folder: Path, step: tuple) -> None:
    kind, path = step[0], folder / step[1]
    if kind == "write":
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(_text(step[2], step[3]), encoding="utf-8")
    elif kind == "delete":
        path.unlink(missing_ok=True)
    elif path.exists():
        target = folder / step[2]
        target.parent.mkdir(parents=True, exist_ok=True)
        path.rename(target)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.lists(steps, min_size=1, max_size=3), min_size=1, max_size=3))
def test_incremental_builds_give_the_library_a_fresh_build_gives(tmp_path_factory, rounds):
    base = tmp_path_factory.mktemp("consistency")
    folder = base / "sources"
    folder.mkdir()
    (folder / "anchor.txt").write_text(_text(99, 2), encoding="utf-8")  # never empty
    incremental = base / "incremental"
    build_index([folder], incremental, procs=1)
    for n, batch in enumerate(rounds):
        for step in batch:
            _apply(folder, step)
        build_index([folder], incremental, procs=1, force=True)  # the wipe guard is tested elsewhere
        fresh = base / f"fresh-{n}"
        build_index([folder], fresh, procs=1)
        assert library(incremental) == library(fresh), f"after {rounds[: n + 1]}"
    shutil.rmtree(base, ignore_errors=True)


def test_a_shadowed_duplicate_comes_back_when_its_shadow_goes(tmp_path):
    folder = tmp_path / "sources"
    for sub, words in (("A", "alliance treaty harbour"), ("B", "garrison island ferry")):
        (folder / sub).mkdir(parents=True)
        (folder / sub / "note.txt").write_text(f"Notes\n\nThe {words} paragraph.\n", encoding="utf-8")
    index_dir = tmp_path / "index"
    first = build_index([folder], index_dir)
    assert any("duplicate source id" in reason for _, reason in first.skipped)
    (folder / "A" / "note.txt").unlink()
    second = build_index([folder], index_dir)
    assert second.sources == 1 and second.rebuilt_sources == 1, second
    assert not any("A/note.txt" in where for where, _ in second.skipped), second.skipped
    (passages,) = [p for _, p in library(index_dir).values()]
    assert "garrison island ferry" in passages[-1][2]


def test_a_new_file_earlier_in_order_takes_a_duplicate_id_as_a_fresh_build_would(tmp_path):
    folder = tmp_path / "sources"
    (folder / "B").mkdir(parents=True)
    (folder / "B" / "note.txt").write_text("Notes\n\nThe later garrison paragraph.\n", encoding="utf-8")
    index_dir = tmp_path / "index"
    build_index([folder], index_dir)
    (folder / "A").mkdir()
    (folder / "A" / "note.txt").write_text("Notes\n\nThe earlier alliance paragraph.\n", encoding="utf-8")
    build_index([folder], index_dir)
    build_index([folder], tmp_path / "fresh")
    assert library(index_dir) == library(tmp_path / "fresh")
    # and nothing changed since: the next build reuses everything
    assert build_index([folder], index_dir).unchanged


def test_files_vanishing_and_changing_during_a_build_never_abort_it(tmp_path):
    folder = tmp_path / "sources"
    folder.mkdir()
    for n in range(300):
        (folder / f"doc-{n:03d}.txt").write_text(_text(n, 3) * 20, encoding="utf-8")
    index_dir = tmp_path / "index"
    stop = threading.Event()

    def churn():
        n = 0
        while not stop.is_set():
            victim = folder / f"doc-{(n * 37) % 300:03d}.txt"
            if n % 2:
                victim.unlink(missing_ok=True)
            else:
                victim.write_text(_text(n, 2), encoding="utf-8")
            n += 1
            time.sleep(0.002)

    thread = threading.Thread(target=churn)
    thread.start()
    try:
        done = subprocess.run([*PINPOINT, "index", str(folder), "--index", str(index_dir), "--quiet"],
                              cwd=ROOT, capture_output=True, text=True, timeout=120)
    finally:
        stop.set()
        thread.join()
    assert done.returncode == 0, done.stderr
    assert current_version(index_dir) is not None
    # Whatever was read mid-change, the next build settles on what a fresh build gives
    # (forced: the churn deleted files, and a build that drops most passages is refused).
    build_index([folder], index_dir, force=True)
    build_index([folder], tmp_path / "fresh")
    assert library(index_dir) == library(tmp_path / "fresh")
