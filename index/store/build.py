"""The pipeline driver: source folders in, a new published index version out.

Each file's content hash covers its bytes, the sidecar entry that describes
it and a fingerprint of the pipeline code itself, so an unchanged corpus costs
one read per file and no write, and a changed pipeline rebuilds everything.
When only some files changed, the new version starts as a copy of the
served one and only those files' sources are deleted and re-added.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import shutil
import sys
import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from tqdm import tqdm

from pinpoint.index.ingest import chunk as chunking
from pinpoint.index.ingest import clean as cleaning
from pinpoint.index.ingest import metadata, readers
from pinpoint.index.records import Passage, RawSource, Source
from pinpoint.index.search.engine import Engine, get_engine
from pinpoint.index.store.catalog import read_sources
from pinpoint.index.store.versions import (
    DEFAULT_LOCK_TIMEOUT,
    build_lock,
    current_version,
    new_staging_dir,
    next_version_name,
    prune_versions,
    publish,
    remove_stale_staging,
    version_dir,
)

# Bump when a pipeline change alters output in a way the code fingerprint misses.
PIPELINE_VERSION = "1"
MANIFEST_FILE = "manifest.json"
# Every module of these folders (below index/) shapes what gets indexed; a new
# reader dropped into ingest/ is covered without being listed.  The engine
# adds what shapes its own index (Engine.fingerprint).
_PIPELINE_PACKAGES = ("ingest", "bibliography")
# Below this much new text, starting worker processes costs more than it saves.
PARALLEL_MIN_BYTES = 4_000_000
LONG_RUN_BYTES = 20_000_000


@dataclass
class BuildReport:
    version: str
    sources: int
    passages: int
    skipped: list[tuple[str, str]] = field(default_factory=list)
    reused_sources: int = 0
    rebuilt_sources: int = 0
    unchanged: bool = False
    seconds: float = 0.0


def pipeline_fingerprint(engine: Engine) -> str:
    digest = hashlib.sha256(f"{PIPELINE_VERSION}|{engine.fingerprint}".encode())
    package = Path(__file__).resolve().parents[1]
    for module in (m for folder in _PIPELINE_PACKAGES for m in sorted((package / folder).rglob("*.py"))):
        digest.update(module.read_bytes())
    return digest.hexdigest()


def file_hash(path: Path, sidecar: dict | None, fingerprint: str) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    digest.update(fingerprint.encode())
    digest.update(json.dumps(sidecar, sort_keys=True, default=str).encode())
    return digest.hexdigest()


@dataclass
class _File:
    path: Path
    root: Path
    key: str  # absolute path: the manifest's identity for a file
    sidecar: dict | None
    hash: str = ""


def _sidecar_for(path: Path, root: Path, sidecars: dict[str, dict]) -> dict | None:
    try:
        relative = path.relative_to(root).as_posix() if root.is_dir() else path.name
    except ValueError:
        relative = path.name
    return sidecars.get(relative) or sidecars.get(path.name)


def _prepare(item: tuple[RawSource, dict | None, str]) -> tuple[Source, list[Passage]]:
    """One raw source through clean, metadata and chunking (runs in workers)."""
    raw, sidecar, content_hash = item
    doc = cleaning.clean(raw)
    csl, origin = metadata.resolve(raw, doc, sidecar)
    passages = chunking.chunk(raw.id, doc)
    source = Source(
        id=raw.id, path=raw.path, csl=csl, content_hash=content_hash,
        passage_count=len(passages), metadata_origin=origin,
    )
    return source, passages


def _check_gzip_stream(path: Path) -> None:
    try:
        with gzip.open(path, "rb") as stream:
            while stream.read(1 << 20):
                pass
    except (OSError, EOFError) as exc:
        # The same reason readers.iter_jsonl gives for a file it cannot read.
        raise readers.SkipFile(f"cannot read ({exc})", path) from None


def read_manifest(index_dir: Path, version: str | None) -> dict:
    if version is None:
        return {}
    try:
        with open(version_dir(index_dir, version) / MANIFEST_FILE, encoding="utf-8") as f:
            return json.load(f)
    except (FileNotFoundError, json.JSONDecodeError):
        return {}


class _Build:
    def __init__(self, sources: Sequence[Path], index_dir: Path, progress: bool, engine: Engine, procs: int,
                 parallel_min_bytes: int = PARALLEL_MIN_BYTES):
        self.roots = [Path(p) for p in sources]
        self.index_dir = Path(index_dir)
        self.progress = progress
        self.engine = engine
        self.procs = procs
        self.parallel_min_bytes = parallel_min_bytes
        self.skipped: list[tuple[str, str]] = []

    def discover(self) -> list[_File]:
        sidecars = metadata.load_sidecars(self.roots)
        found = []
        for path, outcome in readers.discover(self.roots):
            if isinstance(outcome, readers.SkipFile):
                self.skipped.append((str(path), outcome.reason))
                continue
            root = Path(outcome)
            found.append(_File(path, root, str(Path(path).resolve()), _sidecar_for(Path(path), root, sidecars)))
        return found

    def raw_sources(self, files: Iterable[_File], file_sources: dict[str, list[str]],
                    claimed: dict[str, str], bar: tqdm) -> Iterator[tuple[RawSource, dict | None, str]]:
        for f in files:
            file_sources[f.key] = []
            try:
                for raw in self._read(f):
                    if raw.id in claimed:
                        self.skipped.append(
                            (f"{f.path} ({raw.id})", f"duplicate source id {raw.id!r}: already read from {claimed[raw.id]}")
                        )
                        continue
                    claimed[raw.id] = str(f.path)
                    file_sources[f.key].append(raw.id)
                    yield raw, f.sidecar, f.hash
            except readers.SkipFile as exc:
                self.skipped.append((str(f.path), exc.reason))
            bar.update(f.path.stat().st_size)

    def _read(self, f: _File) -> Iterator[RawSource]:
        """The sources of one file; JSONL streams, so a corpus of books never sits in memory.

        Reading a whole JSONL corpus before indexing held every book in the
        parent (~370 MB for 150 MB of text) while the workers waited.  A
        corrupt gzip still skips the whole file, as reading it whole did: the
        stream is checked end to end before its first source is handed out.
        """
        if readers.suffix_of(f.path) not in (".jsonl", ".jsonl.gz"):
            found = readers.read_file(f.path, f.root)
            for line in found.skipped:
                self.skipped.append((f"{line.path}, line {line.line}", line.reason))
            yield from found
            return
        if f.path.name.lower().endswith(".gz"):
            _check_gzip_stream(f.path)
        yielded = 0
        lines_skipped = []

        def skip_line(line: readers.SkippedLine) -> None:
            lines_skipped.append(line)
            self.skipped.append((f"{line.path}, line {line.line}", line.reason))

        for raw in readers.iter_jsonl(f.path, f.root, on_skip=skip_line):
            yielded += 1
            yield raw
        if not yielded and not lines_skipped:
            raise readers.SkipFile("empty", f.path)

    def run(self, lock_timeout: float) -> BuildReport:
        started = time.monotonic()
        with build_lock(self.index_dir, lock_timeout):
            remove_stale_staging(self.index_dir)
            fingerprint = pipeline_fingerprint(self.engine)
            previous = current_version(self.index_dir)
            manifest = read_manifest(self.index_dir, previous)
            reusable = manifest.get("pipeline") == fingerprint
            old_files: dict[str, dict] = manifest.get("files", {}) if reusable else {}

            files = self.discover()
            for f in files:
                f.hash = file_hash(f.path, f.sidecar, fingerprint)
            kept = [f for f in files if f.key in old_files and old_files[f.key]["hash"] == f.hash]
            changed = [f for f in files if f not in kept]
            kept_keys = {f.key for f in kept}
            dropped = [k for k in old_files if k not in kept_keys]
            for f in kept:
                self.skipped.extend(tuple(s) for s in old_files[f.key].get("skipped", []))

            if previous is not None and reusable and not changed and not dropped:
                # Idempotent: a server engine whose switch failed after CURRENT moved catches up here.
                self._announce(previous)
                old_sources = read_sources(version_dir(self.index_dir, previous))
                return BuildReport(
                    version=previous, sources=len(old_sources),
                    passages=sum(s.passage_count for s in old_sources.values()),
                    skipped=self.skipped, reused_sources=len(old_sources), unchanged=True,
                    seconds=time.monotonic() - started,
                )
            report = self._write(previous if reusable else None, old_files, kept, changed, dropped)
            report.seconds = time.monotonic() - started
            return report

    def _write(self, previous, old_files, kept, changed, dropped) -> BuildReport:
        staging = new_staging_dir(self.index_dir)
        writer = None
        try:
            new_bytes = sum(f.path.stat().st_size for f in changed)
            procs = self.procs if new_bytes >= self.parallel_min_bytes else 1
            base = version_dir(self.index_dir, previous) if previous is not None else None
            writer = self.engine.writer(staging, previous=base, procs=procs)
            for key in dropped:
                for source_id in old_files[key]["sources"]:
                    writer.remove_source(source_id)

            claimed = {sid: str(f.path) for f in kept for sid in old_files[f.key]["sources"]}
            file_sources = {f.key: list(old_files[f.key]["sources"]) for f in kept}
            rebuilt = self._index_changed(writer, changed, file_sources, claimed, new_bytes)
            writer.commit()
            writer = None

            version = next_version_name(self.index_dir)
            skipped_by_file = self._skips_by_file(kept + changed, old_files, kept)
            files_entry = {
                f.key: {"hash": f.hash, "sources": file_sources.get(f.key, []), "skipped": skipped_by_file.get(f.key, [])}
                for f in kept + changed
            }
            manifest = {"pipeline": pipeline_fingerprint(self.engine), "engine": self.engine.name,
                        "version": version, "files": files_entry}
            with open(staging / MANIFEST_FILE, "w", encoding="utf-8") as out:
                json.dump(manifest, out, indent=1)
            publish(self.index_dir, staging, version)
            self._announce(version)
            prune_versions(self.index_dir)
            sources = read_sources(version_dir(self.index_dir, version))
            return BuildReport(
                version=version, sources=len(sources),
                passages=sum(s.passage_count for s in sources.values()), skipped=self.skipped,
                reused_sources=len(sources) - rebuilt, rebuilt_sources=rebuilt,
            )
        except BaseException:
            if writer is not None:
                writer.cancel()
            shutil.rmtree(staging, ignore_errors=True)
            raise

    def _announce(self, version: str) -> None:
        """Tell an engine that serves from elsewhere (OpenSearch: its aliases) that CURRENT names ``version``."""
        published = getattr(self.engine, "published", None)
        if published is not None:
            published(version_dir(self.index_dir, version), version)

    def _index_changed(self, writer, changed, file_sources, claimed, new_bytes) -> int:
        """Index the changed files; returns the number of sources written."""
        show = self.progress and (sys.stderr.isatty() or new_bytes >= LONG_RUN_BYTES)

        def left_empty(source: Source) -> None:
            self.skipped.append((source.path, "no text left to index after cleaning"))
            for ids in file_sources.values():
                if source.id in ids:
                    ids.remove(source.id)

        with tqdm(total=new_bytes, unit="B", unit_scale=True, disable=not show, file=sys.stderr,
                  desc="indexing", mininterval=0.5 if sys.stderr.isatty() else 10) as bar:
            return writer.index(self.raw_sources(changed, file_sources, claimed, bar), _prepare, left_empty)

    def _skips_by_file(self, files, old_files, kept) -> dict[str, list]:
        # Skips are remembered per file so an unchanged corpus reports them again
        # without re-reading the files that caused them.
        by_path = {str(f.path): f.key for f in files}
        result: dict[str, list] = {f.key: list(old_files[f.key].get("skipped", [])) for f in kept}
        kept_keys = {f.key for f in kept}
        for where, reason in self.skipped:
            for path, key in by_path.items():
                if key not in kept_keys and (where == path or where.startswith(path + " ") or where.startswith(path + ",")):
                    result.setdefault(key, []).append([where, reason])
                    break
        return result


def build_index(
    sources: Sequence[Path],
    index_dir: Path,
    *,
    progress: bool = False,
    engine: str | Engine | None = None,
    procs: int | None = None,
    lock_timeout: float = DEFAULT_LOCK_TIMEOUT,
    parallel_min_bytes: int = PARALLEL_MIN_BYTES,
) -> BuildReport:
    """Index ``sources`` (files or folders) into a new version under ``index_dir``.

    ``engine``: a name (default whoosh) or an Engine (e.g. Whoosh with another
    ranking).  Raises IndexBusy when another build holds the lock past
    ``lock_timeout``, UnknownEngine for a name no engine has.  With ``procs`` > 1
    and at least ``parallel_min_bytes`` of changed files, the engine may index
    in ``procs`` processes.
    """
    procs = procs if procs is not None else min(2, os.cpu_count() or 1)
    return _Build(sources, index_dir, progress, get_engine(engine), procs, parallel_min_bytes).run(lock_timeout)
