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
from pinpoint.index.ingest.pdf.limits import DEFAULT_LIMITS, PdfLimits
from pinpoint.index.ingest.pdf.pool import ReadAhead
from pinpoint.index.ingest.zotero import library as zotero
from pinpoint.index.records import Passage, RawSource, Source
from pinpoint.index.search.engine import Engine, get_engine
from pinpoint.index.store.catalog import read_sources
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

# Bump when a pipeline change alters output in a way the code fingerprint misses.
PIPELINE_VERSION = "1"
# Parsed .bib sidecars by content hash (pinpoint.index.ingest.metadata.load_sidecars).
SIDECAR_CACHE = ".sidecar-cache"
# Every module of these folders (below index/) shapes what gets indexed; a new
# reader dropped into ingest/ is covered without being listed.  The engine
# adds what shapes its own index (Engine.fingerprint).
_PIPELINE_PACKAGES = ("ingest", "bibliography")
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


@dataclass(eq=False)
class _File:
    path: Path
    root: Path
    key: str  # absolute path: the manifest's identity for a file
    sidecar: dict | None
    hash: str = ""
    source_id: str | None = None  # set by the library (Zotero item keys), not from the file name
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
    csl, title_origin = metadata.title_origin(raw, doc, csl, origin)
    if title_origin in ("embedded", "text") and (names := metadata.title_proper_nouns(csl["title"], doc)):
        csl["_proper_nouns"] = names  # private: read by sentence case, never exported
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
    def __init__(self, sources: Sequence[Path], index_dir: Path, progress: bool, engine: Engine, procs: int,
                 parallel_min_bytes: int = PARALLEL_MIN_BYTES, force: bool = False, replace: bool = False,
                 pdf_limits: PdfLimits = DEFAULT_LIMITS,
                 max_source_bytes: int = readers.DEFAULT_MAX_SOURCE_BYTES):
        self.pdf_limits = pdf_limits
        self.max_source_bytes = max_source_bytes
        self.roots = [Path(p) for p in sources]
        self.force = force
        self.replace = replace
        self.index_dir = Path(index_dir)
        self.progress = progress
        self.engine = engine
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
        sidecars = metadata.load_sidecars(self.roots, self.index_dir / SIDECAR_CACHE, pipeline_fingerprint(self.engine))
        found = []
        libraries = [root for root in self.roots if zotero.is_library(root)]
        for root in libraries:
            found.extend(self._zotero_files(root, sidecars))
        # A file's real path is its folder's real path (resolved once per folder)
        # plus its name, unless it is a symlink itself: resolving every path
        # walked each of its components and was most of a no-op re-index.
        real_folders: dict[str, str] = {}
        for path, outcome in readers.discover([r for r in self.roots if r not in libraries]):
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

    def _zotero_files(self, folder: Path, sidecars: dict[str, dict]) -> list[_File]:
        """A Zotero library's attachments, described by Zotero unless a .bib sidecar names them."""
        try:
            library = zotero.read_library(folder)
        except zotero.ZoteroError as exc:
            self._skip(None, str(folder), str(exc))
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
                    claimed: dict[str, _File], writer, bar: tqdm) -> Iterator[tuple[RawSource, dict | None, str]]:
        """The changed files' sources, in discovery order; ``claimed`` holds the kept files' ids.

        A source id belongs to the first file in discovery order that has it,
        as in a fresh build: a later file gets a "duplicate" skip, and a kept
        file later in the order loses the id to a changed file before it.
        """
        files = list(files)
        # PDFs are read ahead on every core, each in a child under a time and memory limit.
        self._pdf_reads = ReadAhead([(f.path, f.root) for f in files if readers.suffix_of(f.path) == ".pdf"],
                                    self.procs, self.pdf_limits)
        try:
            yield from self._raw_sources(files, file_sources, claimed, writer, bar)
        finally:
            self._pdf_reads.close()

    def _raw_sources(self, files, file_sources, claimed, writer, bar) -> Iterator[tuple[RawSource, dict | None, str]]:
        for f in files:
            file_sources[f.key] = []
            try:
                for raw in self._read(f):
                    if f.source_id:
                        raw = dataclasses.replace(raw, id=f.source_id)
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
        if readers.suffix_of(f.path) == ".pdf":
            yield from self._pdf_reads.result(f.path)
            return
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
            fingerprint = pipeline_fingerprint(self.engine)
            previous = current_version(self.index_dir)
            manifest = read_manifest(self.index_dir, previous)
            reusable = manifest.get("pipeline") == fingerprint
            old_files: dict[str, dict] = manifest.get("files", {}) if reusable else {}

            files = self.discover()
            self._refuse_unlisted_replacement(previous, files)
            files = self._hashed(files, fingerprint)
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
                # Idempotent: a server engine whose switch failed after CURRENT moved catches up here.
                self._announce(previous)
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
            new_bytes = sum(f.size for f in changed)
            procs = self.procs if new_bytes >= self.parallel_min_bytes else 1
            base = version_dir(self.index_dir, previous) if previous is not None else None
            writer = self.engine.writer(staging, previous=base, procs=procs)
            for key in dropped:
                for source_id in old_files[key]["sources"]:
                    writer.remove_source(source_id)

            claimed = {sid: f for f in kept for sid in old_files[f.key]["sources"]}
            file_sources = {f.key: list(old_files[f.key]["sources"]) for f in kept}
            rebuilt = self._index_changed(writer, changed, file_sources, claimed, new_bytes)
            writer.commit()
            writer = None
            new_sources = read_sources(staging)
            self._refuse_wipe(served, new_sources)

            version = next_version_name(self.index_dir)
            files_entry = {
                f.key: {"hash": f.hash, "sources": file_sources.get(f.key, []),
                        "skipped": self.file_skips.get(f.key, []), "shadowed": self.shadowed.get(f.key, [])}
                for f in kept + changed
            }
            manifest = {"pipeline": pipeline_fingerprint(self.engine), "engine": self.engine.name,
                        "version": version, "files": files_entry,
                        # What `pinpoint versions` lists without opening each version's index.
                        "built": datetime.now(timezone.utc).isoformat(timespec="seconds"),
                        "roots": [os.path.abspath(p) for p in self.roots], "source_count": len(new_sources),
                        "passage_count": sum(s.passage_count for s in new_sources.values())}
            with open(staging / MANIFEST_FILE, "w", encoding="utf-8") as out:
                json.dump(manifest, out, indent=1)
            publish(self.index_dir, staging, version)
            write_library(self.index_dir, self.roots)
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

        owner: dict[str, str] = {}

        def left_empty(source: Source) -> None:
            # The id stays claimed by its file, as in a fresh build: an empty
            # source still shadows a later duplicate of its id.
            key = owner.get(source.id)
            # Named by its absolute path, as every other skipped file is.
            self._skip(key, key or source.path, "no text left to index after cleaning")

        with tqdm(total=new_bytes, unit="B", unit_scale=True, disable=not show, file=sys.stderr,
                  desc="indexing", mininterval=0.5 if sys.stderr.isatty() else 10) as bar:
            items = self._owned(self.raw_sources(changed, file_sources, claimed, writer, bar), claimed, owner)
            return writer.index(items, _prepare, left_empty)

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
    engine: str | Engine | None = None,
    procs: int | None = None,
    lock_timeout: float = DEFAULT_LOCK_TIMEOUT,
    parallel_min_bytes: int = PARALLEL_MIN_BYTES,
    force: bool = False,
    replace: bool = False,
    pdf_limits: PdfLimits = DEFAULT_LIMITS,
    max_source_bytes: int = readers.DEFAULT_MAX_SOURCE_BYTES,
) -> BuildReport:
    """Index ``sources`` (files or folders) into a new version under ``index_dir``.

    ``engine``: a name (default whoosh) or an Engine (e.g. Whoosh with another
    ranking).  Raises IndexBusy when another build holds the lock past
    ``lock_timeout``, UnknownEngine for a name no engine has.  With ``procs`` > 1
    and at least ``parallel_min_bytes`` of changed files, the engine may index
    in ``procs`` processes.

    ``sources`` become the library (``pinpoint.index.store.library``) once published.  A
    build that would publish 0 sources, or under half the served passages,
    raises BuildRefused unless ``force``; so does building other folders
    into an index that predates library files, unless ``replace``.  A JSONL
    line over ``max_source_bytes`` is skipped with a reason.
    """
    procs = procs if procs is not None else min(2, os.cpu_count() or 1)
    return _Build(sources, index_dir, progress, get_engine(engine), procs, parallel_min_bytes, force, replace,
                  pdf_limits, max_source_bytes).run(lock_timeout)
