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
from pinpoint.index.search.whoosh.parallel_build import ParallelIndexing
from pinpoint.index.records import Passage, RawSource, Source
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
from pinpoint.index.search.whoosh.schema import DEFAULT_RANKING, WHOOSH_SUBDIR, Ranking, WhooshWriter, read_sources

# Bump when a pipeline change alters output in a way the code fingerprint misses.
PIPELINE_VERSION = "1"
MANIFEST_FILE = "manifest.json"
# Parsed .bib sidecars by content hash (pinpoint.index.ingest.metadata.load_sidecars).
SIDECAR_CACHE = ".sidecar-cache"
# Every module of these folders (below index/) shapes what gets indexed; a new
# reader dropped into ingest/ is covered without being listed.
_PIPELINE_PACKAGES = ("ingest", "bibliography")
_PIPELINE_MODULES = ("search/whoosh/schema.py", "search/whoosh/segment_writer.py")
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


def pipeline_fingerprint(ranking: Ranking = DEFAULT_RANKING) -> str:
    digest = hashlib.sha256(f"{PIPELINE_VERSION}|{ranking.stopwords}|{ranking.min_token}".encode())
    package = Path(__file__).resolve().parents[1]
    modules = [m for folder in _PIPELINE_PACKAGES for m in sorted((package / folder).rglob("*.py"))]
    for module in modules + [package / name for name in _PIPELINE_MODULES]:
        if module.exists():
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


@dataclass(eq=False)
class _File:
    path: Path
    root: Path
    key: str  # absolute path: the manifest's identity for a file
    sidecar: dict | None
    hash: str = ""
    size: int = 0
    position: int = 0  # in discovery order, which decides who keeps a duplicated source id


# A file whose hash is this is read again by the next build whatever its bytes:
# it vanished or changed while this build read it.
UNSETTLED = "unsettled"


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
    def __init__(self, sources: Sequence[Path], index_dir: Path, progress: bool, ranking: Ranking, procs: int,
                 parallel_min_bytes: int = PARALLEL_MIN_BYTES,
                 max_source_bytes: int = readers.DEFAULT_MAX_SOURCE_BYTES):
        self.max_source_bytes = max_source_bytes
        self.roots = [Path(p) for p in sources]
        self.index_dir = Path(index_dir)
        self.progress = progress
        self.ranking = ranking
        self.procs = procs
        self.parallel_min_bytes = parallel_min_bytes
        self.skipped: list[tuple[str, str]] = []
        # Per file key: the skips to remember in the manifest, and the source
        # ids it read but lost to a file earlier in discovery order.
        self.file_skips: dict[str, list[list[str]]] = {}
        self.shadowed: dict[str, list[str]] = {}

    def _skip(self, key: str | None, where: str, reason: str) -> None:
        self.skipped.append((where, reason))
        if key is not None:
            self.file_skips.setdefault(key, []).append([where, reason])

    def discover(self) -> list[_File]:
        sidecars = metadata.load_sidecars(self.roots, self.index_dir / SIDECAR_CACHE, pipeline_fingerprint(self.ranking))
        found = []
        # A file's real path is its folder's real path (resolved once per folder)
        # plus its name, unless it is a symlink itself: resolving every path
        # walked each of its components and was most of a no-op re-index.
        real_folders: dict[str, str] = {}
        for path, outcome in readers.discover(self.roots):
            if isinstance(outcome, readers.SkipFile):
                self.skipped.append((str(path), outcome.reason))
                continue
            root, path = Path(outcome), Path(path)
            folder = str(path.parent)
            if folder not in real_folders:
                real_folders[folder] = os.path.realpath(folder)
            key = os.path.realpath(path) if path.is_symlink() else os.path.join(real_folders[folder], path.name)
            found.append(_File(path, root, key, _sidecar_for(path, root, sidecars) if sidecars else None))
        return found

    def raw_sources(self, files: Iterable[_File], file_sources: dict[str, list[str]],
                    claimed: dict[str, _File], writer, bar: tqdm) -> Iterator[tuple[RawSource, dict | None, str]]:
        """The changed files' sources, in discovery order; ``claimed`` holds the kept files' ids.

        A source id belongs to the first file in discovery order that has it,
        as in a fresh build: a later file gets a "duplicate" skip, and a kept
        file later in the order loses the id to a changed file before it.
        """
        for f in files:
            file_sources[f.key] = []
            try:
                for raw in self._read(f):
                    holder = claimed.get(raw.id)
                    if holder is not None and holder.position <= f.position:
                        self._shadow(f, raw.id, holder)
                        continue
                    if holder is not None:  # a kept file after this one held it: it is shadowed now
                        writer.remove_source(raw.id)
                        file_sources[holder.key].remove(raw.id)
                        self._shadow(holder, raw.id, f)
                    claimed[raw.id] = f
                    file_sources[f.key].append(raw.id)
                    yield raw, f.sidecar, f.hash
            except readers.SkipFile as exc:
                self._skip(f.key, str(f.path), exc.reason)
                if not f.path.exists():
                    f.hash = UNSETTLED
            except OSError as exc:
                # Vanished, or became unreadable, between discovery and reading: the
                # sources read so far stay, and the next build reads it again.
                self._skip(f.key, str(f.path), f"could not be read to the end ({exc.strerror or exc})")
                f.hash = UNSETTLED
            bar.update(f.size)

    def _shadow(self, f: _File, source_id: str, holder: _File) -> None:
        self.shadowed.setdefault(f.key, []).append(source_id)
        self._skip(f.key, f"{f.path} ({source_id})",
                   f"duplicate source id {source_id!r}: already read from {holder.path}")

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
                self._skip(f.key, f"{line.path}, line {line.line}", line.reason)
            yield from found
            return
        if f.path.name.lower().endswith(".gz"):
            _check_gzip_stream(f.path)
        yielded = 0
        lines_skipped = []

        def skip_line(line: readers.SkippedLine) -> None:
            lines_skipped.append(line)
            self._skip(f.key, f"{line.path}, line {line.line}", line.reason)

        for raw in readers.iter_jsonl(f.path, f.root, on_skip=skip_line, max_source_bytes=self.max_source_bytes):
            yielded += 1
            yield raw
        if not yielded and not lines_skipped:
            raise readers.SkipFile("empty", f.path)

    def _hashed(self, files: list[_File], fingerprint: str) -> list[_File]:
        """The files hashed, in discovery order; one that vanished since discovery is skipped with why."""
        hashed = []
        for f in files:
            try:
                f.size = f.path.stat().st_size
                f.hash = file_hash(f.path, f.sidecar, fingerprint)
            except OSError as exc:
                self.skipped.append((str(f.path), f"could not be read ({exc.strerror or exc})"))
                continue
            f.position = len(hashed)
            hashed.append(f)
        return hashed

    @staticmethod
    def _unchanged(files: list[_File], old_files: dict[str, dict]) -> list[_File]:
        """Files the previous version already holds as they are now.

        A file that lost source ids to an earlier duplicate is only reusable
        while every file that held those ids is itself unchanged; otherwise
        it is read again and may get them back.
        """
        same = {f.key for f in files if f.key in old_files and old_files[f.key]["hash"] == f.hash}
        holder = {sid: key for key, entry in old_files.items() for sid in entry.get("sources", [])}
        return [
            f for f in files
            if f.key in same and all(holder.get(sid) in same for sid in old_files[f.key].get("shadowed", []))
        ]

    def run(self, lock_timeout: float) -> BuildReport:
        started = time.monotonic()
        with build_lock(self.index_dir, lock_timeout):
            remove_stale_staging(self.index_dir)
            fingerprint = pipeline_fingerprint(self.ranking)
            previous = current_version(self.index_dir)
            manifest = read_manifest(self.index_dir, previous)
            reusable = manifest.get("pipeline") == fingerprint
            old_files: dict[str, dict] = manifest.get("files", {}) if reusable else {}

            files = self._hashed(self.discover(), fingerprint)
            kept = self._unchanged(files, old_files)
            kept_keys = {f.key for f in kept}
            changed = [f for f in files if f.key not in kept_keys]
            dropped = [k for k in old_files if k not in kept_keys]
            for f in kept:
                remembered = old_files[f.key].get("skipped", [])
                self.skipped.extend(tuple(s) for s in remembered)
                self.file_skips[f.key] = [list(s) for s in remembered]
                if old_files[f.key].get("shadowed"):
                    self.shadowed[f.key] = list(old_files[f.key]["shadowed"])

            if previous is not None and reusable and not changed and not dropped:
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
            base_sources: dict[str, Source] = {}
            if previous is not None:
                shutil.copytree(version_dir(self.index_dir, previous) / WHOOSH_SUBDIR, staging / WHOOSH_SUBDIR)
                base_sources = read_sources(version_dir(self.index_dir, previous))
            new_bytes = sum(f.size for f in changed)
            procs = self.procs if new_bytes >= self.parallel_min_bytes else 1
            writer = WhooshWriter(staging, sources=base_sources, ranking=self.ranking, procs=procs)
            for key in dropped:
                for source_id in old_files[key]["sources"]:
                    writer.remove_source(source_id)

            claimed = {sid: f for f in kept for sid in old_files[f.key]["sources"]}
            file_sources = {f.key: list(old_files[f.key]["sources"]) for f in kept}
            rebuilt, worker_segments = self._index_changed(writer, changed, file_sources, claimed, new_bytes, procs)
            writer.commit(worker_segments)
            writer = None

            version = next_version_name(self.index_dir)
            files_entry = {
                f.key: {"hash": f.hash, "sources": file_sources.get(f.key, []),
                        "skipped": self.file_skips.get(f.key, []), "shadowed": self.shadowed.get(f.key, [])}
                for f in kept + changed
            }
            manifest = {"pipeline": pipeline_fingerprint(self.ranking),
                        "version": version, "files": files_entry}
            with open(staging / MANIFEST_FILE, "w", encoding="utf-8") as out:
                json.dump(manifest, out, indent=1)
            publish(self.index_dir, staging, version)
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

    def _index_changed(self, writer, changed, file_sources, claimed, new_bytes, procs) -> tuple[int, list]:
        """Index the changed files; returns the sources written and any worker segments."""
        show = self.progress and (sys.stderr.isatty() or new_bytes >= LONG_RUN_BYTES)

        owner = {}

        def left_empty(source: Source) -> None:
            # The id stays claimed by its file, as in a fresh build: an empty
            # source still shadows a later duplicate of its id.
            self._skip(owner.get(source.id), source.path, "no text left to index after cleaning")

        with tqdm(total=new_bytes, unit="B", unit_scale=True, disable=not show, file=sys.stderr,
                  desc="indexing", mininterval=0.5 if sys.stderr.isatty() else 10) as bar:
            items = self._owned(self.raw_sources(changed, file_sources, claimed, writer, bar), claimed, owner)
            if procs > 1:
                indexing = ParallelIndexing(writer, procs, _prepare)
                segments = indexing.run(items, left_empty)
                return indexing.rebuilt, segments
            rebuilt = 0
            for source, passages in map(_prepare, items):
                if not passages:
                    left_empty(source)
                    continue
                writer.add_source(source, passages)
                rebuilt += 1
        return rebuilt, []

    @staticmethod
    def _owned(items, claimed: dict[str, _File], owner: dict[str, str]):
        for item in items:
            owner[item[0].id] = claimed[item[0].id].key
            yield item


def build_index(
    sources: Sequence[Path],
    index_dir: Path,
    *,
    progress: bool = False,
    ranking: Ranking = DEFAULT_RANKING,
    procs: int | None = None,
    lock_timeout: float = DEFAULT_LOCK_TIMEOUT,
    parallel_min_bytes: int = PARALLEL_MIN_BYTES,
    max_source_bytes: int = readers.DEFAULT_MAX_SOURCE_BYTES,
) -> BuildReport:
    """Index ``sources`` (files or folders) into a new version under ``index_dir``.

    Raises IndexBusy when another build holds the lock past ``lock_timeout``.
    With ``procs`` > 1 and at least ``parallel_min_bytes`` of changed files,
    each of ``procs`` worker processes writes a segment of its own.  A JSONL
    line over ``max_source_bytes`` is skipped with a reason.
    """
    procs = procs if procs is not None else min(2, os.cpu_count() or 1)
    return _Build(sources, index_dir, progress, ranking, procs, parallel_min_bytes, max_source_bytes).run(lock_timeout)
