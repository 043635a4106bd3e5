"""Helpers shared by the hardening tests."""

from __future__ import annotations

import dataclasses
from pathlib import Path


def full_app(config, *, admin_token: str | None = None, index=None):
    """create_app(config), with the admin route switched on when a token is given."""
    from pinpoint.service.app import create_app

    if admin_token:
        config = dataclasses.replace(config, admin_token=admin_token)
    return create_app(config, index=index)


def index_copy(source: Path, target: Path) -> Path:
    """A private copy of a built index, so a test may change or break it."""
    import shutil

    shutil.copytree(source, target, symlinks=True)
    return target
