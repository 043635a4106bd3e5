"""Structured logs: JSON lines carrying the request id the response header shows,
with no secrets and no tracebacks outside the error log."""

from __future__ import annotations

import io
import json
import logging
import shutil
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

import pytest
from falcon import testing

from pinpoint.index.store.versions import CURRENT_FILE, current_version, version_dir
from pinpoint.service.app import create_app
from pinpoint.service.config import Config, ConfigError, config_from_env
from pinpoint.service.logging_setup import JsonFormatter, RequestIdFilter, make_formatter
from tests.servers import get, pinpoint_server

SECRET = "s3cret-token-9d2f"


@contextmanager
def json_log_capture(logger_name: str):
    """JSON lines written through ``logger_name`` while the block runs, into a StringIO."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    handler.addFilter(RequestIdFilter())
    logger = logging.getLogger(logger_name)
    logger.addHandler(handler)
    try:
        yield stream, logger
    finally:
        logger.removeHandler(handler)


@pytest.fixture()
def captured_pinpoint_logs():
    """JSON lines written by Pinpoint's loggers while the test runs."""
    with json_log_capture("pinpoint") as (stream, _):
        yield stream


def json_lines(text: str) -> list[dict]:
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def corrupt_copy(index_dir: Path, target: Path) -> Path:
    """A copy of a built index whose served version cannot be read: a real 500."""
    shutil.copytree(index_dir, target)
    (version_dir(target, current_version(target)) / "sources.json").write_text("{not json")
    return target


def test_json_formatter_writes_one_object_per_line_with_the_traceback_as_a_field():
    with json_log_capture("pinpoint.test-json") as (stream, logger):
        logger.propagate = False
        logger.warning("two\nlines and a quote \" here")
        try:
            {}["missing"]
        except KeyError:
            logger.exception("lookup failed")
    lines = stream.getvalue().splitlines()
    assert len(lines) == 2
    first, second = (json.loads(line) for line in lines)
    assert first["message"] == 'two\nlines and a quote " here'
    assert first["level"] == "WARNING" and first["logger"] == "pinpoint.test-json"
    assert first["time"].endswith("+00:00") and first["request_id"] is None
    assert "exception" not in first
    assert second["message"] == "lookup failed"
    assert "Traceback" in second["exception"] and "KeyError: 'missing'" in second["exception"]


def test_log_format_setting_is_validated():
    assert config_from_env({}).log_format == "json"
    assert config_from_env({"PINPOINT_LOG_FORMAT": "text"}).log_format == "text"
    with pytest.raises(ConfigError, match="PINPOINT_LOG_FORMAT"):
        config_from_env({"PINPOINT_LOG_FORMAT": "xml"})
    with pytest.raises(ValueError, match="json, text"):
        make_formatter("xml")


def test_error_log_carries_the_request_id_and_the_response_no_traceback(seeds_index, tmp_path, captured_pinpoint_logs):
    broken = corrupt_copy(seeds_index, tmp_path / "broken")
    client = testing.TestClient(create_app(Config(index_dir=broken, reload_seconds=0)))
    response = client.simulate_get("/search", params={"q": "alliance"}, headers={"X-Request-ID": "req-500-test"})
    assert response.status_code == 500
    assert response.headers["X-Request-ID"] == "req-500-test"
    assert "Traceback" not in response.text and "sources.json" not in response.text

    errors = [e for e in json_lines(captured_pinpoint_logs.getvalue()) if e["level"] == "ERROR"]
    assert len(errors) == 1
    assert errors[0]["request_id"] == "req-500-test"
    assert errors[0]["logger"] == "pinpoint.errors"
    assert "Traceback" in errors[0]["exception"]


def test_minted_request_id_reaches_the_log_line(seeds_index, tmp_path, captured_pinpoint_logs):
    broken = corrupt_copy(seeds_index, tmp_path / "broken")
    client = testing.TestClient(create_app(Config(index_dir=broken, reload_seconds=0)))
    response = client.simulate_get("/search", params={"q": "alliance"})
    minted = response.headers["X-Request-ID"]
    (error,) = [e for e in json_lines(captured_pinpoint_logs.getvalue()) if e["level"] == "ERROR"]
    assert error["request_id"] == minted
    # Once the request is answered, later log lines belong to no request.
    logging.getLogger("pinpoint.after").warning("after the request")
    assert json_lines(captured_pinpoint_logs.getvalue())[-1]["request_id"] is None


# ---------------------------------------------------------------- real gunicorn


def _request(url: str, headers: dict[str, str]) -> tuple[int, str]:
    req = urllib.request.Request(url, headers=headers)
    try:
        with urllib.request.urlopen(req, timeout=5) as resp:
            return resp.status, resp.headers["X-Request-ID"]
    except urllib.error.HTTPError as err:
        return err.code, err.headers["X-Request-ID"]


def _wait_for_line(log_path: Path, predicate, seconds: float = 10.0) -> list[dict]:
    # Access lines are written after the response is sent, so they may lag it a little.
    deadline = time.monotonic() + seconds
    while True:
        entries = json_lines(log_path.read_text())
        if any(predicate(e) for e in entries) or time.monotonic() > deadline:
            return entries
        time.sleep(0.1)


@pytest.mark.slow
def test_gunicorn_logs_are_json_lines_tied_to_the_response_header(seeds_index, tmp_path):
    index_dir = tmp_path / "index"
    shutil.copytree(seeds_index, index_dir)
    env = {"PINPOINT_LOG_FORMAT": "json", "PINPOINT_RELOAD_SECONDS": "0.2"}
    with pinpoint_server(index_dir, workers=2, env=env) as (base, proc):
        status, given = _request(f"{base}/search?q=alliance&api_key={SECRET}", {"X-Request-ID": "given-id-1"})
        assert (status, given) == (200, "given-id-1")
        status, minted = _request(f"{base}/sources/nope", {"Authorization": f"Bearer {SECRET}"})
        assert status == 404 and minted
        status, _ = _request(f"{base}/admin/reindex?token={SECRET}", {"Authorization": f"Bearer {SECRET}"})
        assert status == 404  # no admin token configured: the route does not exist

        # A new version that cannot be read: the next search is a 500 whose
        # traceback belongs in the error log, as a field of one JSON line.
        broken = corrupt_copy(seeds_index, tmp_path / "broken")
        shutil.copytree(version_dir(broken, current_version(broken)), version_dir(index_dir, "999999"))
        (index_dir / CURRENT_FILE).write_text("999999\n")
        time.sleep(0.5)
        failed = None
        for _ in range(20):
            status, rid = _request(f"{base}/search?q=alliance", {})
            if status == 500:
                failed = rid
                break
            time.sleep(0.2)
        assert failed, "the broken version never produced a 500"
        entries = _wait_for_line(proc.log_path, lambda e: e.get("request_id") == failed and "status" in e)

    raw = proc.log_path.read_text()
    assert SECRET not in raw and "api_key" not in raw and "Authorization" not in raw
    for entry in entries:
        assert {"time", "level", "logger", "message", "request_id"} <= entry.keys()

    access = {e["request_id"]: e for e in entries if e["logger"] == "gunicorn.access"}
    assert access["given-id-1"]["path"] == "/search" and access["given-id-1"]["status"] == 200
    assert access["given-id-1"]["method"] == "GET" and access["given-id-1"]["duration_ms"] > 0
    assert access[minted]["path"] == "/sources/nope" and access[minted]["status"] == 404
    assert access[failed]["status"] == 500

    (error,) = [e for e in entries if e["level"] == "ERROR" and e["request_id"] == failed]
    assert error["logger"] == "pinpoint.errors" and "Traceback" in error["exception"]
    # Outside the error entry, no traceback leaks into the log as plain text.
    assert sum("Traceback" in line for line in raw.splitlines()) == 1


@pytest.mark.slow
def test_gunicorn_text_logs_keep_the_request_id(seeds_index):
    with pinpoint_server(seeds_index, workers=1, env={"PINPOINT_LOG_FORMAT": "text"}) as (base, proc):
        status, headers, _ = get(f"{base}/sources?note={SECRET}")
        assert status == 200
        rid = headers["X-Request-ID"]
        deadline = time.monotonic() + 10
        while f"rid={rid}" not in proc.log_path.read_text() and time.monotonic() < deadline:
            time.sleep(0.1)
    raw = proc.log_path.read_text()
    assert f"rid={rid}" in raw and '"GET /sources HTTP/1.1" 200' in raw
    assert SECRET not in raw
    assert not raw.lstrip().startswith("{"), "text format still wrote JSON"
