"""Readers: files on disk into ``RawSource`` records, one function per format.

A reader never aborts a build: a file it cannot use raises ``SkipFile`` with a
reason a person can act on, and the caller reports it and moves on.  JSONL
files hold many sources; a bad line costs only that line, and the reasons are
collected on the returned ``SourceList.skipped`` (see ``read_file``).
"""

from __future__ import annotations

import gzip
import json
import os
import re
import unicodedata
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pinpoint.index.ingest.metadata import csl_from_fields
from pinpoint.index.records import RawSource

SUPPORTED_SUFFIXES: tuple[str, ...] = (".txt", ".md", ".html", ".htm", ".jsonl", ".jsonl.gz")

SAFE_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,127}")
_UNSAFE_RUN = re.compile(r"[^A-Za-z0-9._-]+")
_BOM = b"\xef\xbb\xbf"
# Only the head is checked for NUL bytes: binary formats show them at once,
# and scanning a whole large file twice would double the read cost.
_BINARY_PROBE = 8192


class SkipFile(Exception):
    """A file (or one JSONL line) that cannot become a source, and why."""

    def __init__(self, reason: str, path: Path | str | None = None):
        super().__init__(f"{path}: {reason}" if path is not None else reason)
        self.reason = reason
        self.path = str(path) if path is not None else None


@dataclass(frozen=True)
class SkippedLine:
    """One unusable line of a JSONL file: reported, never fatal."""

    path: str
    line: int
    reason: str

    def __str__(self) -> str:
        return f"{self.path}, line {self.line}: {self.reason}"


class SourceList(list):
    """The sources read from one file, plus the lines that had to be skipped."""

    def __init__(self, sources: Sequence[RawSource] = (), skipped: Sequence[SkippedLine] = ()):
        super().__init__(sources)
        self.skipped: list[SkippedLine] = list(skipped)


def make_safe_id(candidate: str) -> str:
    """Turn a file name or JSONL id into an id URLs and locators can carry.

    Accents fold to ASCII and other runs of unusable characters become "-";
    what has nothing usable left raises ``SkipFile`` rather than getting an
    id nobody would recognise.
    """
    folded = unicodedata.normalize("NFKD", candidate).encode("ascii", "ignore").decode("ascii")
    safe = _UNSAFE_RUN.sub("-", folded.strip()).strip("-._")[:128].rstrip("-._")
    if not SAFE_ID.fullmatch(safe):
        raise SkipFile(f"cannot make a safe id from {candidate!r}")
    return safe


def suffix_of(path: Path) -> str | None:
    name = path.name.lower()
    # Longest first so ".jsonl.gz" wins over a plain ".gz" check.
    for suffix in sorted(SUPPORTED_SUFFIXES, key=len, reverse=True):
        if name.endswith(suffix):
            return suffix
    return None


def _stem(path: Path) -> str:
    suffix = suffix_of(path)
    return path.name[: -len(suffix)] if suffix else path.stem


def discover(paths: Sequence[Path]) -> Iterator[tuple[Path, Path] | tuple[Path, SkipFile]]:
    """Walk the given folders and files in a stable, sorted order.

    Yields ``(file, root)`` for each candidate source and ``(path, SkipFile)``
    for what is refused at discovery.  Hidden files and folders are ignored
    silently, as are ``*.bib`` files (sidecars, not sources).
    """
    for given in paths:
        given = Path(given)
        if given.is_dir():
            root = given.resolve()
            yield from _walk(given, root)
        elif given.exists() or given.is_symlink():
            root = given.parent.resolve()
            yield from _consider(given, root)
        else:
            yield given, SkipFile("no such file or folder", given)


def _walk(folder: Path, root: Path) -> Iterator[tuple[Path, Path] | tuple[Path, SkipFile]]:
    try:
        entries = sorted(folder.iterdir(), key=lambda p: p.name)
    except OSError as exc:
        yield folder, SkipFile(f"cannot list folder ({exc.strerror})", folder)
        return
    for entry in entries:
        if entry.name.startswith("."):
            continue
        if entry.is_symlink() and not _inside(entry, root):
            yield entry, SkipFile("symlink leads outside the sources folder", entry)
            continue
        if entry.is_dir():
            yield from _walk(entry, root)
        else:
            yield from _consider(entry, root)


def _consider(path: Path, root: Path) -> Iterator[tuple[Path, Path] | tuple[Path, SkipFile]]:
    if path.name.startswith(".") or path.name.lower().endswith(".bib"):
        return
    if path.is_symlink() and not _inside(path, root):
        yield path, SkipFile("symlink leads outside the sources folder", path)
    elif not path.is_file():
        yield path, SkipFile("not a regular file", path)
    elif suffix_of(path) is None:
        yield path, SkipFile(f"unsupported type {path.suffix.lower() or '(no extension)'}", path)
    else:
        yield path, root


def _inside(path: Path, root: Path) -> bool:
    try:
        return Path(os.path.realpath(path)).is_relative_to(root)
    except OSError:
        return False


def _relative(path: Path, root: Path) -> str:
    try:
        return Path(path).resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return Path(path).name


def decode_text(data: bytes, where: Path | str) -> str:
    """UTF-8 (with or without BOM) to text with "\\n" line ends, or ``SkipFile``."""
    if b"\x00" in data[:_BINARY_PROBE]:
        raise SkipFile("binary", where)
    if data.startswith(_BOM):
        data = data[len(_BOM):]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise SkipFile("not UTF-8 text", where) from None
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not text.strip():
        raise SkipFile("empty", where)
    return text


def _read_bytes(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise SkipFile(f"cannot read ({exc.strerror})", path) from None


def read_text_file(path: Path, root: Path) -> list[RawSource]:
    text = decode_text(_read_bytes(path), path)
    return [RawSource(id=make_safe_id(_stem(path)), path=_relative(path, root), fmt="txt", text=text)]


_FRONT_MATTER = re.compile(r"\A---\n(.*?)\n---\n", re.S)


def read_markdown_file(path: Path, root: Path) -> list[RawSource]:
    """Markdown, with simple YAML-style front matter (title/author/date) as metadata."""
    text = decode_text(_read_bytes(path), path)
    meta: dict[str, Any] = {}
    front = _FRONT_MATTER.match(text)
    if front:
        fields = {}
        for line in front.group(1).splitlines():
            key, sep, value = line.partition(":")
            if sep and value.strip():
                fields[key.strip().lower()] = value.strip().strip("\"'")
        meta = csl_from_fields(fields)
        text = text[front.end():]
        if not text.strip():
            raise SkipFile("empty", path)
    return [RawSource(id=make_safe_id(_stem(path)), path=_relative(path, root), fmt="md",
                      text=text, meta=meta)]


def read_html_file(path: Path, root: Path) -> list[RawSource]:
    """Visible article text of a saved page (via trafilatura) and what its markup states."""
    import trafilatura  # imported here: loading it costs ~0.5 s, and most folders hold no HTML

    html = decode_text(_read_bytes(path), path)
    # Markdown output keeps headings and paragraph breaks, which the cleaner reads.
    body = trafilatura.extract(html, output_format="markdown", include_comments=False,
                               include_images=False, include_tables=True)
    if not body or not body.strip():
        raise SkipFile("no article text found in the page", path)
    # extensive=False: only dates the markup states, never guesses from copyright lines.
    found = trafilatura.extract_metadata(html, extensive=False)
    fields: dict[str, Any] = {}
    if found is not None:
        fields = {"title": found.title, "author": found.author, "issued": found.date,
                  "container-title": found.sitename, "url": found.url}
    meta = csl_from_fields(fields)
    if meta.get("issued") or meta.get("URL"):
        meta.setdefault("type", "webpage")
    return [RawSource(id=make_safe_id(_stem(path)), path=_relative(path, root), fmt="html",
                      text=body, meta=meta)]


def iter_jsonl(path: Path, root: Path,
               on_skip: Callable[[SkippedLine], None] | None = None) -> Iterator[RawSource]:
    """Stream one source per JSONL line, so a corpus of books never sits in memory at once.

    Bad lines (not JSON, not an object, no usable id or text, a repeated id)
    go to ``on_skip`` and reading continues.
    """
    rel = _relative(path, root)
    opener = gzip.open if path.name.lower().endswith(".gz") else open
    seen: set[str] = set()

    def skip(number: int, reason: str) -> None:
        if on_skip is not None:
            on_skip(SkippedLine(rel, number, reason))

    try:
        with opener(path, "rb") as stream:
            head = stream.read(_BINARY_PROBE)
            if not head.strip():
                raise SkipFile("empty", path)
            if b"\x00" in head:
                raise SkipFile("binary", path)
            stream.seek(0)
            for number, line in enumerate(stream, start=1):
                if number == 1 and line.startswith(_BOM):
                    line = line[len(_BOM):]
                if not line.strip():
                    continue
                try:
                    record = json.loads(line.decode("utf-8"))
                except UnicodeDecodeError:
                    skip(number, "not UTF-8 text")
                    continue
                except json.JSONDecodeError as exc:
                    skip(number, f"not valid JSON ({exc.msg})")
                    continue
                try:
                    source = _jsonl_source(record, rel)
                except SkipFile as exc:
                    skip(number, exc.reason)
                    continue
                if source.id in seen:
                    skip(number, f"id {source.id!r} already used earlier in this file")
                    continue
                seen.add(source.id)
                yield source
    except (OSError, EOFError) as exc:
        # gzip reports corruption as OSError (BadGzipFile) or EOFError (truncated).
        raise SkipFile(f"cannot read ({exc})", path) from None


def _jsonl_source(record: Any, rel: str) -> RawSource:
    if not isinstance(record, dict):
        raise SkipFile("not a JSON object")
    raw_id = record.get("id")
    if isinstance(raw_id, int) and not isinstance(raw_id, bool):
        raw_id = str(raw_id)
    if not isinstance(raw_id, str) or not raw_id.strip():
        raise SkipFile("no id")
    text = record.get("text")
    if not isinstance(text, str) or not text.strip():
        raise SkipFile("no text")
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return RawSource(id=make_safe_id(raw_id), path=rel, fmt="jsonl", text=text,
                     meta=csl_from_fields(record))


def read_jsonl_file(path: Path, root: Path) -> SourceList:
    result = SourceList()
    result.extend(iter_jsonl(path, root, on_skip=result.skipped.append))
    if not result and not result.skipped:
        raise SkipFile("empty", path)
    return result


_READERS: dict[str, Callable[[Path, Path], list[RawSource]]] = {
    ".txt": read_text_file,
    ".md": read_markdown_file,
    ".html": read_html_file,
    ".htm": read_html_file,
    ".jsonl": read_jsonl_file,
    ".jsonl.gz": read_jsonl_file,
}


def read_file(path: Path, root: Path) -> list[RawSource]:
    """Read one discovered file into its sources.

    Raises ``SkipFile`` for a file that yields nothing usable.  The result is
    a ``SourceList``: for JSONL, ``result.skipped`` lists the lines that were
    left out and why (empty for other formats).  For very large JSONL files,
    ``iter_jsonl`` streams instead of building the list.
    """
    path = Path(path)
    suffix = suffix_of(path)
    if suffix is None:
        raise SkipFile(f"unsupported type {path.suffix.lower() or '(no extension)'}", path)
    sources = _READERS[suffix](path, Path(root))
    return sources if isinstance(sources, SourceList) else SourceList(sources)
