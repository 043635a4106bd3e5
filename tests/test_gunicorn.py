"""A real gunicorn process answering over a socket."""

from __future__ import annotations

import urllib.parse

import pytest

from tests.servers import get, get_json, pinpoint_server

pytestmark = pytest.mark.slow


def test_gunicorn_serves_search_over_a_socket(seeds_index):
    with pinpoint_server(seeds_index) as (base, proc):
        status, body = get_json(f"{base}/search?q=Futenma")
        assert status == 200
        assert body["hits"][0]["source_id"] == "004_9574ace01beba1aa"
        assert "Xu" in body["hits"][0]["citation"]["in_text"]

        status, headers, raw = get(f"{base}/search?q=" + urllib.parse.quote("((("))
        assert status in (200, 400)
        status, headers, raw = get(f"{base}/sources/nope")
        assert status == 404
        assert headers["Content-Type"] == "application/problem+json"
        assert b"Traceback" not in raw

        # Both workers answer the same thing: no per-process state differs.
        answers = {get(f"{base}/ready")[2] for _ in range(20)}
        assert len(answers) == 1
    log = proc.log_path.read_text()
    assert "Traceback" not in log, log
