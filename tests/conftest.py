"""Fixtures shared across test files: a real index built from the seeds, once."""

from __future__ import annotations

import socket
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "seeds"
# The CLI and servers under test run from the same interpreter as the tests.
PINPOINT = [sys.executable, "-m", "pinpoint.service.cli"]


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
