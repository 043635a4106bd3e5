"""Index versions on disk, the CURRENT pointer, the build lock, live reopening.

Layout::

    INDEX_DIR/CURRENT              name of the served version (one line)
    INDEX_DIR/.build.lock          locked (lockf) by the one build allowed at a time
    INDEX_DIR/versions/<version>/  the engine's files (whoosh/), sources.json, manifest.json
    INDEX_DIR/versions/.tmp-*      a build in progress (or one that died)

A build writes a staging directory, renames it into ``versions/`` only when it
is complete, then replaces CURRENT atomically.  Whatever kills a build, the
served version is never touched: the worst left behind is a staging directory,
which the next build (holding the lock, so nobody else can be writing it)
removes.
"""

from __future__ import annotations

import fcntl
import json
import os
import secrets
import shutil
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from pinpoint.index.errors import IndexBusy, IndexNotFound
from pinpoint.index.search.engine import Engine, Searcher, get_engine
from pinpoint.index.search.live import VersionFollower
from pinpoint.index.store.library import write_library
from pinpoint.index.store.catalog import read_sources

VERSIONS_DIR = "versions"
CURRENT_FILE = "CURRENT"
LOCK_FILE = ".build.lock"
STAGING_PREFIX = ".tmp-"
MANIFEST_FILE = "manifest.json"
# Readers in other processes may still hold an older version open; keeping a
# few lets them finish their requests before the files disappear.
KEEP_VERSIONS = 3
DEFAULT_LOCK_TIMEOUT = 30.0


def versions_root(index_dir: Path) -> Path:
    return Path(index_dir) / VERSIONS_DIR


def version_dir(index_dir: Path, version: str) -> Path:
    return versions_root(index_dir) / version


def current_version(index_dir: Path) -> str | None:
    """The served version's name, or None when no build has completed."""
    try:
        name = (Path(index_dir) / CURRENT_FILE).read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        return None
    if not name or not version_dir(index_dir, name).is_dir():
        return None
    return name


def published_versions(index_dir: Path) -> list[str]:
    """Completed versions, oldest first (names sort in build order)."""
    root = versions_root(index_dir)
    if not root.is_dir():
        return []
    return sorted(p.name for p in root.iterdir() if p.is_dir() and not p.name.startswith("."))


def next_version_name(index_dir: Path) -> str:
    numbers = [int(v) for v in published_versions(index_dir) if v.isdigit()]
    return f"{max(numbers, default=0) + 1:06d}"


# Build locks this process holds, by lock file path (see build_lock).
_HELD: set[str] = set()
_HELD_GUARD = threading.Lock()


@contextmanager
def build_lock(index_dir: Path, timeout: float = DEFAULT_LOCK_TIMEOUT) -> Iterator[None]:
    """Hold the index's build lock; wait up to ``timeout`` seconds, then raise IndexBusy.

    A POSIX record lock (``lockf``), not ``flock``: forked children do not
    inherit it, so worker processes a build starts (its pool, Whoosh's
    sub-writers) cannot keep holding it after the build is killed.  Such locks
    do not exclude other threads of the same process, hence ``_HELD``.
    """
    Path(index_dir).mkdir(parents=True, exist_ok=True)
    path = Path(index_dir) / LOCK_FILE
    key = str(path.resolve())
    deadline = time.monotonic() + timeout
    handle = None
    try:
        while True:
            with _HELD_GUARD:
                if key not in _HELD:
                    # Opened only when this process holds no lock on it: closing
                    # any descriptor of the file would drop a POSIX lock already held.
                    handle = open(path, "a+")
                    try:
                        fcntl.lockf(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
                        _HELD.add(key)
                        break
                    except OSError:
                        handle.close()
                        handle = None
            if time.monotonic() >= deadline:
                raise IndexBusy(
                    f"another build of {index_dir} is running (it holds {path}); "
                    f"waited {timeout:.0f}s — try again when it finishes"
                )
            time.sleep(0.1)
        yield
    finally:
        if handle is not None:
            with _HELD_GUARD:
                fcntl.lockf(handle.fileno(), fcntl.LOCK_UN)
                handle.close()
                _HELD.discard(key)


def remove_stale_staging(index_dir: Path) -> int:
    """Delete staging dirs of builds that died; call only while holding the lock."""
    root = versions_root(index_dir)
    if not root.is_dir():
        return 0
    stale = [p for p in root.iterdir() if p.name.startswith(STAGING_PREFIX)]
    for path in stale:
        shutil.rmtree(path, ignore_errors=True)
    return len(stale)


def new_staging_dir(index_dir: Path) -> Path:
    root = versions_root(index_dir)
    root.mkdir(parents=True, exist_ok=True)
    path = root / f"{STAGING_PREFIX}{os.getpid()}-{secrets.token_hex(4)}"
    path.mkdir()
    return path


def _fsync_tree(path: Path) -> None:
    for folder, _, files in os.walk(path):
        for name in files:
            fd = os.open(os.path.join(folder, name), os.O_RDONLY)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)
        _fsync_dir(Path(folder))


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def publish(index_dir: Path, staging: Path, version: str) -> Path:
    """Move a complete staging dir into place and point CURRENT at it."""
    _fsync_tree(staging)
    final = version_dir(index_dir, version)
    os.rename(staging, final)
    _fsync_dir(versions_root(index_dir))
    point_current(index_dir, version)
    return final


def point_current(index_dir: Path, version: str) -> None:
    """Replace CURRENT atomically; servers pick the change up on their next check."""
    pointer = Path(index_dir) / CURRENT_FILE
    temp = pointer.with_name(f"{CURRENT_FILE}.{os.getpid()}.tmp")
    with open(temp, "w", encoding="utf-8") as f:
        f.write(version + "\n")
        f.flush()
        os.fsync(f.fileno())
    os.replace(temp, pointer)
    _fsync_dir(Path(index_dir))


def prune_versions(index_dir: Path, keep: int = KEEP_VERSIONS) -> list[str]:
    """Delete all but the newest ``keep`` versions, never the current one."""
    current = current_version(index_dir)
    versions = published_versions(index_dir)
    doomed = [v for v in versions[:-keep] if v != current] if keep > 0 else []
    for name in doomed:
        shutil.rmtree(version_dir(index_dir, name), ignore_errors=True)
    return doomed


@dataclass(frozen=True)
class VersionInfo:
    name: str
    current: bool
    built: str | None
    sources: int | None
    passages: int | None


def _manifest(folder: Path) -> dict:
    try:
        manifest = json.loads((folder / MANIFEST_FILE).read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError):
        return {}
    return manifest if isinstance(manifest, dict) else {}


def version_info(index_dir: Path) -> list[VersionInfo]:
    """Every published version, oldest first, with what its manifest records.

    Versions built before manifests recorded counts read them from their
    sources file instead.
    """
    current = current_version(index_dir)
    result = []
    for name in published_versions(index_dir):
        folder = version_dir(index_dir, name)
        manifest = _manifest(folder)
        sources, passages = manifest.get("source_count"), manifest.get("passage_count")
        if sources is None:
            found = read_sources(folder)
            sources, passages = len(found), sum(s.passage_count for s in found.values())
        result.append(VersionInfo(name, name == current, manifest.get("built"), sources, passages))
    return result


def rollback(index_dir: Path, version: str | None = None, lock_timeout: float = DEFAULT_LOCK_TIMEOUT) -> str:
    """Serve ``version`` (default: the one published before the served one) again.

    Holds the build lock, so a rollback never interleaves with a build's
    publish.  Returns the version now served.
    """
    index_dir = Path(index_dir)
    with build_lock(index_dir, lock_timeout):
        versions = published_versions(index_dir)
        current = current_version(index_dir)
        if version is None:
            older = [v for v in versions if current is None or v < current]
            if not older:
                raise IndexNotFound(
                    f"no version older than {current} is kept at {index_dir} "
                    f"(kept: {', '.join(versions) or 'none'})"
                )
            version = older[-1]
        elif version not in versions:
            raise IndexNotFound(f"no version {version!r} at {index_dir} (kept: {', '.join(versions) or 'none'})")
        point_current(index_dir, version)
        # The library goes back with the version, so the next plain
        # `pinpoint index` rebuilds what is served rather than what was undone.
        roots = _manifest(version_dir(index_dir, version)).get("roots")
        if isinstance(roots, list):
            write_library(index_dir, [Path(r) for r in roots])
        return version


def open_searcher(index_dir: Path, engine: str | Engine | None = None) -> Searcher:
    """A searcher over the served version; IndexNotFound if none was built."""
    index_dir = Path(index_dir)
    engine = get_engine(engine)
    for _ in range(3):  # a concurrent build may prune between reading CURRENT and opening
        version = current_version(index_dir)
        if version is None:
            raise IndexNotFound(
                f"no index at {index_dir}: build one with `pinpoint index SOURCES --index {index_dir}`"
            )
        try:
            return engine.open(version_dir(index_dir, version), version)
        except FileNotFoundError:
            continue
    raise IndexNotFound(f"the index at {index_dir} kept changing while it was being opened")


class LiveIndex(VersionFollower[Searcher]):
    """Follows the version the CURRENT file names (``index.search.live`` has the rule)."""

    def __init__(self, index_dir: Path, reload_seconds: float = 1.0, engine: str | Engine | None = None):
        super().__init__(reload_seconds)
        self.index_dir = Path(index_dir)
        self.engine = get_engine(engine)

    def current_version(self) -> str | None:
        return current_version(self.index_dir)

    def open_version(self, version: str | None) -> Searcher:
        # CURRENT may move again between reading it and opening: open what it names then.
        return open_searcher(self.index_dir, self.engine)
