"""The library: which source folders an index is built from, kept beside it.

``INDEX_DIR/library.json`` lists the folders (or files) as absolute paths.
It is written by every successful build, so ``pinpoint index`` with no
arguments rebuilds exactly what is configured, and naming a new folder adds
it instead of silently replacing everything that was there.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Sequence
from pathlib import Path

from pinpoint.index.errors import IndexError_

LIBRARY_FILE = "library.json"


class LibraryError(IndexError_):
    """A library change that cannot be made as asked; the message says what to do."""


def library_path(index_dir: Path) -> Path:
    return Path(index_dir) / LIBRARY_FILE


def read_library(index_dir: Path) -> list[Path] | None:
    """The configured sources, or None when this index has no library file yet."""
    path = library_path(index_dir)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, json.JSONDecodeError) as exc:
        raise LibraryError(f"cannot read the library file {path} ({exc}); fix or delete it") from None
    sources = data.get("sources") if isinstance(data, dict) else None
    if not isinstance(sources, list) or not all(isinstance(s, str) for s in sources):
        raise LibraryError(f"the library file {path} has no list of source paths; fix or delete it")
    return [Path(s) for s in sources]


def write_library(index_dir: Path, sources: Iterable[Path]) -> None:
    """Replace the library file atomically (a reader never sees half of it)."""
    path = library_path(index_dir)
    path.parent.mkdir(parents=True, exist_ok=True)
    temp = path.with_name(f"{LIBRARY_FILE}.{os.getpid()}.tmp")
    with open(temp, "w", encoding="utf-8") as f:
        json.dump({"sources": [str(p) for p in sources]}, f, indent=1)
        f.write("\n")
        f.flush()
        os.fsync(f.fileno())
    os.replace(temp, path)


def _absolute(path: Path) -> Path:
    return Path(os.path.abspath(Path(path).expanduser()))


def with_added(configured: Sequence[Path], new: Iterable[Path]) -> list[Path]:
    """``configured`` plus ``new``, without listing any file under two entries.

    A folder already inside a configured one adds nothing; a folder that
    contains configured ones takes their place.  Either way every file is
    read once, so no source turns up as its own duplicate.
    """
    result = [_absolute(p) for p in configured]
    for path in (_absolute(p) for p in new):
        if any(path == have or path.is_relative_to(have) for have in result):
            continue
        result = [have for have in result if not have.is_relative_to(path)] + [path]
    return result


def without(configured: Sequence[Path], path: Path) -> list[Path]:
    """``configured`` less ``path``; LibraryError when it is not one of them."""
    target = _absolute(path)
    kept = [p for p in configured if _absolute(p) != target]
    if len(kept) == len(configured):
        listed = ", ".join(str(p) for p in configured) or "none"
        raise LibraryError(f"{target} is not in the library (its sources: {listed})")
    return kept


def plan_sources(index_dir: Path, given: Sequence[Path], *, replace: bool, default: Sequence[Path]) -> list[Path]:
    """The sources a ``pinpoint index`` run should build.

    With a library file: the configured sources plus ``given`` (only
    ``given`` with ``replace``).  Without one (a new index): ``given``, or
    ``default`` when nothing is given.
    """
    configured = read_library(index_dir)
    if replace:
        if not given:
            raise LibraryError("--replace needs the folders that make up the new library")
        return with_added([], given)
    if configured is None:
        return with_added([], given or default)
    return with_added(configured, given)
