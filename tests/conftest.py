"""Fixtures shared across test files: a real index built from the seeds, once."""

from __future__ import annotations

import os
import socket
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "seeds"
# The CLI and servers under test run from the same interpreter as the tests.
PINPOINT = [sys.executable, "-m", "pinpoint.service.cli"]
# The engines the contract tests run against (comma-separated names); an
# engine that needs a server reads where it is from its own settings.
ENGINES_UNDER_TEST = [e for e in os.environ.get("PINPOINT_TEST_ENGINES", "whoosh").split(",") if e]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def seeds_index(tmp_path_factory) -> Path:
    """An index of seeds/ built by the real pipeline; read-only for tests."""
    from pinpoint.index.store.build import build_index

    index_dir = tmp_path_factory.mktemp("seeds-index")
    build_index([SEEDS], index_dir)
    return index_dir


@pytest.fixture(scope="session")
def app_config(seeds_index):
    from pinpoint.service.config import Config

    return Config(index_dir=seeds_index, reload_seconds=0)


@pytest.fixture(scope="session")
def client(app_config):
    from falcon import testing

    from pinpoint.service.app import create_app

    return testing.TestClient(create_app(app_config))


@pytest.fixture(scope="session")
def opensearch_cluster():
    """A real 3-node OpenSearch cluster on loopback (tests/opensearch_cluster.py says which)."""
    from tests.opensearch_cluster import cluster_session

    yield from cluster_session()


@pytest.fixture(scope="module", params=ENGINES_UNDER_TEST)
def engine_name(request) -> str:
    """Each engine under test in turn (PINPOINT_TEST_ENGINES, default whoosh)."""
    if request.param == "opensearch":
        # A server engine reads where its server is from its settings; the fixture sets them.
        request.getfixturevalue("opensearch_cluster")
    return request.param


@pytest.fixture(scope="module")
def corpus_searcher(engine_name, tmp_path_factory):
    """tests/engine_corpus.py written and opened by the engine under test."""
    from tests.engine_corpus import open_corpus

    searcher = open_corpus(tmp_path_factory.mktemp(f"corpus-{engine_name}"), engine_name)
    yield searcher
    searcher.close()
