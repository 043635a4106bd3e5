"""A version's catalog: ``sources.json``, every source with its metadata.

Whatever engine holds the passages, the sources of a version are read from
here, once, when a searcher opens it, and by the build to report and reuse
what a version holds.  Engine writers write it when they commit.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict
from pathlib import Path

from pinpoint.index.records import Source

SOURCES_FILE = "sources.json"


def read_sources(version_dir: Path) -> dict[str, Source]:
    path = Path(version_dir) / SOURCES_FILE
    if not path.exists():
        return {}
    with open(path, encoding="utf-8") as f:
        return {item["id"]: Source(**item) for item in json.load(f)}


def write_sources(version_dir: Path, sources: dict[str, Source]) -> None:
    ordered = [asdict(sources[k]) for k in sorted(sources)]
    write_json_durably(Path(version_dir) / SOURCES_FILE, ordered)


def write_json_durably(path: Path, data) -> None:
    with open(path, "w", encoding="utf-8") as f:
        json.dump(data, f, ensure_ascii=False, indent=1)
        f.flush()
        os.fsync(f.fileno())
