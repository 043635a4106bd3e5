"""The pipeline driver: source folders in, a new published index version out.

Each file's content hash covers its bytes, the sidecar entry that describes
it and a fingerprint of the pipeline code itself, so an unchanged corpus costs
one read per file and no write, and a changed pipeline rebuilds everything.
When only some files changed, the new version starts as a copy of the
served one and only those files' sources are deleted and re-added.
"""

from __future__ import annotations

import dataclasses
import gzip
import hashlib
import json
import os
import shutil
import sys
import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from tqdm import tqdm

from pinpoint.index.ingest import chunk as chunking
from pinpoint.index.ingest import clean as cleaning
from pinpoint.index.ingest import metadata, readers
from pinpoint.index.search.whoosh.parallel_build import ParallelIndexing
from pinpoint.index.ingest.pdf.limits import DEFAULT_LIMITS, PdfLimits
from pinpoint.index.ingest.pdf.pool import ReadAhead
from pinpoint.index.ingest.zotero import library as zotero
from pinpoint.index.records import Passage, RawSource, Source
from pinpoint.index.store.versions import (
    DEFAULT_LOCK_TIMEOUT,
    MANIFEST_FILE,
    build_lock,
    current_version,
    new_staging_dir,
    next_version_name,
    prune_versions,
    publish,
    remove_stale_staging,
    version_dir,
)
from pinpoint.index.errors import IndexError_
from pinpoint.index.store.library import read_library, write_library
from pinpoint.index.search.whoosh.engine import DEFAULT_RANKING, WHOOSH_SUBDIR, Ranking, WhooshWriter, read_sources

# Bump when a pipeline change alters output in a way the code fingerprint misses.
PIPELINE_VERSION = "1"
MANIFEST_FILE = "manifest.json"
# Every module of these folders (below index/) shapes what gets indexed; a new
# reader dropped into ingest/ is covered without being listed.
_PIPELINE_PACKAGES = ("ingest", "bibliography")
_PIPELINE_MODULES = ("search/whoosh/engine.py", "search/whoosh/segment_writer.py")
# Below this much new text, starting worker processes costs more than it saves.
PARALLEL_MIN_BYTES = 4_000_000
LONG_RUN_BYTES = 20_000_000


class BuildRefused(IndexError_):
    """A build that would wipe most of the library; published only with ``force``."""


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


@dataclass
class _File:
    path: Path
    root: Path
    key: str  # absolute path: the manifest's identity for a file
    sidecar: dict | None
    hash: str = ""
    source_id: str | None = None  # set by the library (Zotero item keys), not from the file name


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
    csl, title_origin = metadata.title_origin(raw, doc, csl, origin)
    passages = chunking.chunk(raw.id, doc)
    extra = sidecar or {}
    source = Source(
        id=raw.id, path=raw.path, csl=csl, content_hash=content_hash,
        passage_count=len(passages), metadata_origin=origin, title_origin=title_origin,
        collections=tuple(extra.get("_collections") or ()), zotero_key=extra.get("_zotero_key"),
        zotero_link=extra.get("_zotero_link"),
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
                 parallel_min_bytes: int = PARALLEL_MIN_BYTES, force: bool = False, replace: bool = False,
                 pdf_limits: PdfLimits = DEFAULT_LIMITS):
        self.pdf_limits = pdf_limits
        self.roots = [Path(p) for p in sources]
        self.force = force
        self.replace = replace
        self.index_dir = Path(index_dir)
        self.progress = progress
        self.ranking = ranking
        self.procs = procs
        self.parallel_min_bytes = parallel_min_bytes
        self.skipped: list[tuple[str, str]] = []

    def discover(self) -> list[_File]:
        sidecars = metadata.load_sidecars(self.roots)
        found = []
        libraries = [root for root in self.roots if zotero.is_library(root)]
        for root in libraries:
            found.extend(self._zotero_files(root, sidecars))
        for path, outcome in readers.discover([r for r in self.roots if r not in libraries]):
            if isinstance(outcome, readers.SkipFile):
                self.skipped.append((str(path), outcome.reason))
                continue
            root = Path(outcome)
            found.append(_File(path, root, str(Path(path).resolve()), _sidecar_for(Path(path), root, sidecars)))
        return found

    def _zotero_files(self, folder: Path, sidecars: dict[str, dict]) -> list[_File]:
        """A Zotero library's attachments, described by Zotero unless a .bib sidecar names them."""
        try:
            library = zotero.read_library(folder)
        except zotero.ZoteroError as exc:
            self.skipped.append((str(folder), str(exc)))
            return []
        self.skipped.extend(library.skipped)
        per_item: dict[str, int] = {}
        for item in library.files:
            per_item[item.item_key] = per_item.get(item.item_key, 0) + 1
        root = folder.resolve()
        found = []
        for item in library.files:
            sidecar = _sidecar_for(item.path, root, sidecars) or {
                **item.csl, "_collections": list(item.collections), "_zotero_key": item.item_key,
                "_zotero_link": item.link}
            # The item key is the source's id; an item with several files numbers them by attachment.
            source_id = item.item_key if per_item[item.item_key] == 1 else f"{item.item_key}-{item.attachment_key}"
            found.append(_File(item.path, root, str(item.path.resolve()), sidecar, source_id=source_id))
        return found

    def raw_sources(self, files: Iterable[_File], file_sources: dict[str, list[str]],
                    claimed: dict[str, str], bar: tqdm) -> Iterator[tuple[RawSource, dict | None, str]]:
        files = list(files)
        # PDFs are read ahead on every core, each in a child under a time and memory limit.
        self._pdf_reads = ReadAhead([(f.path, f.root) for f in files if readers.suffix_of(f.path) == ".pdf"],
                                    self.procs, self.pdf_limits)
        try:
            yield from self._raw_sources(files, file_sources, claimed, bar)
        finally:
            self._pdf_reads.close()

    def _raw_sources(self, files, file_sources, claimed, bar) -> Iterator[tuple[RawSource, dict | None, str]]:
        for f in files:
            file_sources[f.key] = []
            try:
                for raw in self._read(f):
                    if f.source_id:
                        raw = dataclasses.replace(raw, id=f.source_id)
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
        if readers.suffix_of(f.path) == ".pdf":
            yield from self._pdf_reads.result(f.path)
            return
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
            fingerprint = pipeline_fingerprint(self.ranking)
            previous = current_version(self.index_dir)
            manifest = read_manifest(self.index_dir, previous)
            reusable = manifest.get("pipeline") == fingerprint
            old_files: dict[str, dict] = manifest.get("files", {}) if reusable else {}

            files = self.discover()
            self._refuse_unlisted_replacement(previous, files)
            for f in files:
                f.hash = file_hash(f.path, f.sidecar, fingerprint)
            kept = [f for f in files if f.key in old_files and old_files[f.key]["hash"] == f.hash]
            changed = [f for f in files if f not in kept]
            kept_keys = {f.key for f in kept}
            dropped = [k for k in old_files if k not in kept_keys]
            for f in kept:
                self.skipped.extend(tuple(s) for s in old_files[f.key].get("skipped", []))

            if previous is not None and reusable and not changed and not dropped:
                old_sources = read_sources(version_dir(self.index_dir, previous))
                write_library(self.index_dir, self.roots)
                return BuildReport(
                    version=previous, sources=len(old_sources),
                    passages=sum(s.passage_count for s in old_sources.values()),
                    skipped=self.skipped, reused_sources=len(old_sources), unchanged=True,
                    seconds=time.monotonic() - started,
                )
            report = self._write(previous, reusable, old_files, kept, changed, dropped)
            report.seconds = time.monotonic() - started
            return report

    def _refuse_unlisted_replacement(self, previous: str | None, files: list[_File]) -> None:
        """An index built before library files existed names no folders; building
        other folders into it would silently replace it, so that takes ``replace``."""
        if previous is None or self.replace or self.force or read_library(self.index_dir) is not None:
            return
        found = {f.key for f in files}
        served = set(read_manifest(self.index_dir, previous).get("files", {}))
        if served - found:
            raise BuildRefused(
                f"refused: {len(served - found)} of the {len(served)} files served from {self.index_dir} are not "
                f"under the folders given; name them too, or pass --replace to replace the library"
            )

    def _refuse_wipe(self, served: str | None, sources: dict[str, Source]) -> None:
        if self.force:
            return
        passages = sum(s.passage_count for s in sources.values())
        skipped = f" ({len(self.skipped)} skipped)" if self.skipped else ""
        if not sources:
            raise BuildRefused(
                f"refused: this build would publish 0 sources{skipped}; the served index is unchanged "
                f"(pass --force to publish it anyway)"
            )
        if served is None:
            return
        before = sum(s.passage_count for s in read_sources(version_dir(self.index_dir, served)).values())
        if passages * 2 < before:
            raise BuildRefused(
                f"refused: this build would drop {before - passages} of the {before} passages served by "
                f"version {served} ({len(sources)} sources left{skipped}); the served index is unchanged "
                f"(pass --force to publish it anyway)"
            )

    def _write(self, served, reusable, old_files, kept, changed, dropped) -> BuildReport:
        previous = served if reusable else None
        staging = new_staging_dir(self.index_dir)
        writer = None
        try:
            base_sources: dict[str, Source] = {}
            if previous is not None:
                shutil.copytree(version_dir(self.index_dir, previous) / WHOOSH_SUBDIR, staging / WHOOSH_SUBDIR)
                base_sources = read_sources(version_dir(self.index_dir, previous))
            new_bytes = sum(f.path.stat().st_size for f in changed)
            procs = self.procs if new_bytes >= self.parallel_min_bytes else 1
            writer = WhooshWriter(staging, sources=base_sources, ranking=self.ranking, procs=procs)
            for key in dropped:
                for source_id in old_files[key]["sources"]:
                    writer.remove_source(source_id)

            claimed = {sid: str(f.path) for f in kept for sid in old_files[f.key]["sources"]}
            file_sources = {f.key: list(old_files[f.key]["sources"]) for f in kept}
            rebuilt, worker_segments = self._index_changed(writer, changed, file_sources, claimed, new_bytes, procs)
            writer.commit(worker_segments)
            writer = None
            new_sources = read_sources(staging)
            self._refuse_wipe(served, new_sources)

            version = next_version_name(self.index_dir)
            skipped_by_file = self._skips_by_file(kept + changed, old_files, kept)
            files_entry = {
                f.key: {"hash": f.hash, "sources": file_sources.get(f.key, []), "skipped": skipped_by_file.get(f.key, [])}
                for f in kept + changed
            }
            manifest = {"pipeline": pipeline_fingerprint(self.ranking),
                        "version": version, "files": files_entry,
                        # What `pinpoint versions` lists without opening each version's index.
                        "built": datetime.now(timezone.utc).isoformat(timespec="seconds"),
                        "roots": [str(p) for p in self.roots], "source_count": len(new_sources),
                        "passage_count": sum(s.passage_count for s in new_sources.values())}
            with open(staging / MANIFEST_FILE, "w", encoding="utf-8") as out:
                json.dump(manifest, out, indent=1)
            publish(self.index_dir, staging, version)
            write_library(self.index_dir, self.roots)
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

        def left_empty(source: Source) -> None:
            self.skipped.append((source.path, "no text left to index after cleaning"))
            for ids in file_sources.values():
                if source.id in ids:
                    ids.remove(source.id)

        with tqdm(total=new_bytes, unit="B", unit_scale=True, disable=not show, file=sys.stderr,
                  desc="indexing", mininterval=0.5 if sys.stderr.isatty() else 10) as bar:
            items = self.raw_sources(changed, file_sources, claimed, bar)
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
    ranking: Ranking = DEFAULT_RANKING,
    procs: int | None = None,
    lock_timeout: float = DEFAULT_LOCK_TIMEOUT,
    parallel_min_bytes: int = PARALLEL_MIN_BYTES,
    force: bool = False,
    replace: bool = False,
    pdf_limits: PdfLimits = DEFAULT_LIMITS,
) -> BuildReport:
    """Index ``sources`` (files or folders) into a new version under ``index_dir``.

    Raises IndexBusy when another build holds the lock past ``lock_timeout``.
    With ``procs`` > 1 and at least ``parallel_min_bytes`` of changed files,
    each of ``procs`` worker processes writes a segment of its own.

    ``sources`` become the library (``pinpoint.index.store.library``) once published.  A
    build that would publish 0 sources, or under half the served passages,
    raises BuildRefused unless ``force``; so does building other folders
    into an index that predates library files, unless ``replace``.
    """
    procs = procs if procs is not None else min(2, os.cpu_count() or 1)
    return _Build(sources, index_dir, progress, ranking, procs, parallel_min_bytes, force, replace,
                  pdf_limits).run(lock_timeout)
