"""A library that cannot be wiped: the library file, refused builds, versions and rollback.

Every command runs as a real `pinpoint` subprocess, and rollback is checked
against a real gunicorn server.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import time
from pathlib import Path

import pytest

from tests.conftest import PINPOINT, ROOT, SEEDS
from tests.servers import get_json, pinpoint_server

QUOKKA = "The quokka accord was signed in the long hall after many talks between the delegations.\n"


def run(*args):
    return subprocess.run([*PINPOINT, *map(str, args)], cwd=ROOT, capture_output=True, text=True, timeout=120)


def ok(*args) -> str:
    result = run(*args)
    assert result.returncode == 0, result.stderr
    return result.stdout


def refused(*args) -> str:
    """The one line a refused command prints; it must exit 1 with no traceback."""
    result = run(*args)
    assert result.returncode == 1, (result.stdout, result.stderr)
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and "Traceback" not in result.stderr, result.stderr
    return lines[0]


@pytest.fixture
def folders(tmp_path) -> dict[str, Path]:
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    for path in SEEDS.glob("*.txt"):
        shutil.copy(path, seeds / path.name)
    extra = tmp_path / "extra"
    extra.mkdir()
    (extra / "quokka.txt").write_text(QUOKKA, encoding="utf-8")
    skipped = tmp_path / "all-skipped"
    skipped.mkdir()
    (skipped / "picture.png").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(64))
    (skipped / "blank.txt").write_text("   \n", encoding="utf-8")
    return {"seeds": seeds, "extra": extra, "skipped": skipped, "index": tmp_path / "index"}


def served(index: Path) -> tuple[str, int, int]:
    from pinpoint.index.store.versions import current_version, open_searcher

    with open_searcher(index) as searcher:
        return current_version(index), len(searcher.sources()), searcher.passage_count


def library(index: Path) -> list[str]:
    return json.loads((index / "library.json").read_text(encoding="utf-8"))["sources"]


def test_naming_a_new_folder_adds_it_and_a_plain_index_rebuilds_the_library(folders):
    index = folders["index"]
    ok("index", folders["seeds"], "--index", index, "--quiet")
    ok("index", folders["extra"], "--index", index, "--quiet")
    assert served(index)[1] == 6, "the second folder replaced the first"
    assert library(index) == [str(folders["seeds"]), str(folders["extra"])]

    again = ok("index", "--index", index, "--quiet")
    assert "up to date: 6 sources" in again

    (folders["extra"] / "more.txt").write_text("A second accord followed in spring.\n", encoding="utf-8")
    ok("index", "--index", index, "--quiet")
    assert served(index)[1] == 7


def test_a_folder_inside_a_library_folder_adds_nothing_twice(folders):
    index = folders["index"]
    ok("index", folders["seeds"].parent, "--index", index, "--quiet")
    before = served(index)[1]
    out = ok("index", folders["seeds"], "--index", index, "--quiet")
    assert "duplicate" not in out and served(index)[1] == before
    assert library(index) == [str(folders["seeds"].parent)]


def test_replacing_the_library_takes_replace(folders):
    index = folders["index"]
    ok("index", folders["seeds"], folders["extra"], "--index", index, "--quiet")
    ok("index", folders["seeds"], "--index", index, "--quiet", "--replace")
    assert served(index)[1] == 5
    assert library(index) == [str(folders["seeds"])]


def test_an_index_without_a_library_file_is_not_replaced_by_other_folders(folders):
    index = folders["index"]
    ok("index", folders["seeds"], "--index", index, "--quiet")
    (index / "library.json").unlink()  # as an index built before library files existed
    line = refused("index", folders["extra"], "--index", index, "--quiet")
    assert "--replace" in line
    assert served(index)[1] == 5
    # Replacing 60 passages by 1 is still a wipe, so it takes --force as well.
    assert "--force" in refused("index", folders["extra"], "--index", index, "--quiet", "--replace")
    ok("index", folders["extra"], "--index", index, "--quiet", "--replace", "--force")
    assert served(index)[1] == 1


def test_a_build_of_zero_sources_is_refused_and_the_served_version_stays(folders):
    index = folders["index"]
    ok("index", folders["seeds"], "--index", index, "--quiet")
    before = served(index)
    line = refused("index", folders["skipped"], "--index", index, "--quiet", "--replace")
    assert "0 sources" in line and "--force" in line
    assert served(index) == before
    assert library(index) == [str(folders["seeds"])], "a refused build changed the library"

    first = folders["index"].parent / "fresh"
    assert "0 sources" in refused("index", folders["skipped"], "--index", first, "--quiet")
    assert not (first / "CURRENT").exists()


def test_a_build_that_drops_over_half_the_passages_is_refused(folders):
    index = folders["index"]
    ok("index", folders["seeds"], folders["extra"], "--index", index, "--quiet")
    version, sources, passages = served(index)
    line = refused("remove", folders["seeds"], "--index", index, "--quiet")
    assert "drop" in line and str(passages) in line and "--force" in line
    assert served(index) == (version, sources, passages)

    ok("remove", folders["extra"], "--index", index, "--quiet")  # a small removal goes through
    assert served(index)[1] == 5 and library(index) == [str(folders["seeds"])]

    ok("index", folders["extra"], "--index", index, "--quiet", "--replace", "--force")
    assert served(index)[1] == 1


def test_removing_a_path_not_in_the_library_is_one_line(folders):
    index = folders["index"]
    ok("index", folders["seeds"], "--index", index, "--quiet")
    line = refused("remove", folders["extra"], "--index", index)
    assert "not in the library" in line and str(folders["seeds"]) in line


def test_a_missing_library_folder_is_named_not_dropped(folders):
    index = folders["index"]
    ok("index", folders["seeds"], folders["extra"], "--index", index, "--quiet")
    shutil.rmtree(folders["extra"])
    line = refused("index", "--index", index, "--quiet")
    assert str(folders["extra"]) in line and "pinpoint remove" in line
    assert served(index)[1] == 6


def test_the_admin_reindex_reports_a_refused_build_as_failed(folders):
    from pinpoint.index.store.build import build_index
    from pinpoint.service.admin import read_status, run_reindex

    index = folders["index"]
    build_index([folders["seeds"]], index)
    before = served(index)
    assert run_reindex(index, [folders["skipped"]]) == 1
    status = read_status(index)
    assert status["state"] == "failed" and "0 sources" in status["message"], status
    assert served(index) == before


def test_versions_lists_every_kept_version_and_marks_the_served_one(folders):
    index = folders["index"]
    ok("index", folders["seeds"], "--index", index, "--quiet")
    ok("index", folders["extra"], "--index", index, "--quiet")
    lines = ok("versions", "--index", index).splitlines()
    assert len(lines) == 2
    assert lines[0].startswith("  000001") and "5 sources" in lines[0]
    assert lines[1].startswith("* 000002") and "6 sources" in lines[1]
    assert "no index versions" in refused("versions", "--index", folders["index"].parent / "none")


@pytest.mark.slow
def test_rollback_repoints_current_and_a_running_server_follows(folders):
    index = folders["index"]
    ok("index", folders["seeds"], "--index", index, "--quiet")
    ok("index", folders["extra"], "--index", index, "--quiet")
    with pinpoint_server(index, workers=2, env={"PINPOINT_RELOAD_SECONDS": "0.2"}) as (base, _):
        assert get_json(f"{base}/search?q=quokka")[1]["total"] == 1

        assert "000001" in ok("rollback", "--index", index)
        assert library(index) == [str(folders["seeds"])], "the library did not go back with the version"
        deadline = time.monotonic() + 10
        # Every worker must follow, so ask more times than there are workers.
        while any(get_json(f"{base}/ready")[1]["index_version"] != "000001" for _ in range(6)):
            assert time.monotonic() < deadline, "the server kept serving the rolled-back version"
            time.sleep(0.2)
        assert all(get_json(f"{base}/search?q=quokka")[1]["total"] == 0 for _ in range(6))

        assert "000002" in ok("rollback", "000002", "--index", index)
        deadline = time.monotonic() + 10
        while any(get_json(f"{base}/search?q=quokka")[1]["total"] != 1 for _ in range(6)):
            assert time.monotonic() < deadline, "the server did not follow a roll forward"
            time.sleep(0.2)

        line = refused("rollback", "000009", "--index", index)
        assert "000009" in line and "000001" in line
