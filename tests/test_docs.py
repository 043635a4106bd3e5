"""The README documents every setting, route and CLI command; this fails when one is missing."""

from __future__ import annotations

import re

from tests.conftest import ROOT

README = (ROOT / "README.md").read_text()


def test_every_setting_is_documented():
    from pinpoint.service.config import SETTINGS

    for name in SETTINGS:
        assert f"`{name}`" in README, f"{name} is not in README.md's Settings table"


def test_every_setting_is_read_from_the_environment():
    source = (ROOT / "service" / "config.py").read_text()
    from pinpoint.service.config import SETTINGS

    for name in SETTINGS:
        assert source.count(f'"{name}"') >= 2, f"{name} is documented but never read"


def test_every_route_is_documented(client):
    from pinpoint.service.app import create_app
    from pinpoint.service.config import Config
    from pinpoint.service.openapi import routed_paths

    routes = set(routed_paths(create_app(Config())))
    assert routes, "no routes found"
    for route in routes:
        doc = re.sub(r"\{(\w+)\}", lambda m: "{id}" if m.group(1) == "source_id" else "{n}" if m.group(1) == "number" else m.group(0), route)
        assert f"`GET {doc}`" in README or f"GET {doc}" in README, f"route {route} is not documented"


def test_every_cli_command_is_documented():
    from pinpoint.service.cli import build_parser

    parser = build_parser()
    sub = next(a for a in parser._actions if a.dest == "command")
    for name in sub.choices:
        assert f"`pinpoint {name}" in README, f"`pinpoint {name}` is not documented"
