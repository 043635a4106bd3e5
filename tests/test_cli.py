"""The `pinpoint` command line, run as a real subprocess."""

from __future__ import annotations

import json
import subprocess

from tests.conftest import PINPOINT, ROOT, SEEDS


def run(*args, **kw):
    return subprocess.run([*PINPOINT, *args], cwd=ROOT, capture_output=True, text=True, timeout=120, **kw)


def test_index_then_search(tmp_path):
    index = tmp_path / "index"
    built = run("index", str(SEEDS), "--index", str(index), "--quiet")
    assert built.returncode == 0, built.stderr
    assert "5 sources" in built.stdout
    again = run("index", str(SEEDS), "--index", str(index), "--quiet")
    assert again.returncode == 0 and "up to date" in again.stdout

    found = run("search", "Futenma", "--json", "--index", str(index))
    assert found.returncode == 0, found.stderr
    body = json.loads(found.stdout)
    assert body["hits"][0]["source_id"] == "004_9574ace01beba1aa"

    text = run("search", "Futenma", "--index", str(index))
    assert "(Xu, 2014" in text.stdout and "missing:" not in text.stdout
    lacking = run("search", "Futenma xylophone", "--index", str(index))
    assert "   missing: xylophone" in lacking.stdout


def test_search_json_is_what_get_search_returns(seeds_index, client):
    for query, style in (("Futenma", "apa"), ("allaince drfit", "mla"), ("japan security", "chicago-notes")):
        printed = run("search", query, "--json", "--style", style, "--limit", "3", "--index", str(seeds_index))
        assert printed.returncode == 0, printed.stderr
        served = client.simulate_get("/search", params={"q": query, "style": style, "limit": "3"}).json
        cli = json.loads(printed.stdout)
        assert cli.pop("took_ms") >= 0 and served.pop("took_ms") >= 0
        assert cli == served


def test_every_command_takes_an_engine(tmp_path):
    unknown = run("search", "x", "--engine", "lucene", "--index", str(tmp_path))
    assert unknown.returncode != 0 and "invalid choice: 'lucene'" in unknown.stderr


def one_line_error(result):
    assert result.returncode != 0
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.stderr
    return lines[0]


def test_missing_sources_folder_is_one_line(tmp_path):
    line = one_line_error(run("index", str(tmp_path / "nowhere"), "--index", str(tmp_path / "i")))
    assert "nowhere" in line


def test_search_without_index_is_one_line(tmp_path):
    line = one_line_error(run("search", "alliance", "--index", str(tmp_path / "empty")))
    assert "index" in line.lower()


def test_serve_without_index_is_one_line(tmp_path):
    line = one_line_error(run("serve", "--index", str(tmp_path / "empty"), "--port", "1"))
    assert "index" in line.lower()


def test_bad_arguments_exit_non_zero():
    result = run("search")
    assert result.returncode == 2 and "Traceback" not in result.stderr
    result = run("frobnicate")
    assert result.returncode == 2


def test_bad_setting_in_environment_is_one_line(tmp_path):
    import os

    env = {**os.environ, "PINPOINT_PORT": "eighty"}
    line = one_line_error(run("search", "x", "--index", str(tmp_path), env=env))
    assert "PINPOINT_PORT" in line
