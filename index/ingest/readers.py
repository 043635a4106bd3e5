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

from pinpoint.index.ingest.bylines import page_publishers, trusted_byline
from pinpoint.index.ingest.encodings import BINARY_PROBE as _BINARY_PROBE
from pinpoint.index.ingest.encodings import NotText, decode
from pinpoint.index.ingest.front_matter import split_front_matter
from pinpoint.index.ingest.metadata import csl_from_fields
from pinpoint.index.ingest.page_dates import publication_date
from pinpoint.index.ingest.page_layout import article_tree
from pinpoint.index.ingest.page_markup import HIDDEN_XPATH, parse
from pinpoint.index.ingest.page_titles import page_title
from pinpoint.index.records import RawSource

SUPPORTED_SUFFIXES: tuple[str, ...] = (".txt", ".md", ".html", ".htm", ".jsonl", ".jsonl.gz",
                                       ".txt.gz", ".html.gz", ".htm.gz", ".rst", ".tex", ".pdf")
# A compressed source is read whole; past this it is more likely a bomb than a page.
MAX_GUNZIPPED_BYTES = 256_000_000

SAFE_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,127}")
_UNSAFE_RUN = re.compile(r"[^A-Za-z0-9._-]+")
_BOM = b"\xef\xbb\xbf"


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
            yield from _walk(given, root, set())
        elif given.exists() or given.is_symlink():
            root = given.parent.resolve()
            yield from _consider(given, root)
        else:
            yield given, SkipFile("no such file or folder", given)


def _walk(folder: Path, root: Path, seen: set[tuple[int, int]]) -> Iterator[tuple[Path, Path] | tuple[Path, SkipFile]]:
    """``seen`` holds the folders (device, inode) this walk has entered: a
    symlink back to one of them (two links to "." made the walk endless,
    issue 16) is skipped with a reason, and so is a second way into a folder."""
    try:
        identity = (folder.stat().st_dev, folder.stat().st_ino)
        entries = sorted(folder.iterdir(), key=lambda p: p.name)
    except OSError as exc:
        yield folder, SkipFile(f"cannot list folder ({exc.strerror})", folder)
        return
    if identity in seen:
        yield folder, SkipFile("symlink to a folder already read (a loop or a second path to it)", folder)
        return
    seen.add(identity)
    for entry in entries:
        if entry.name.startswith("."):
            continue
        if entry.is_symlink() and not _inside(entry, root):
            yield entry, SkipFile("symlink leads outside the sources folder", entry)
            continue
        if entry.is_dir():
            yield from _walk(entry, root, seen)
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


def bib_files(root: Path) -> list[Path]:
    """The ``*.bib`` sidecars under ``root`` in sorted order, walked as sources are.

    Hidden files and folders are passed over, and so is anything whose real
    path leaves ``root`` (a sidecar symlinked from elsewhere is reported
    skipped by discovery and must not be used either); folders are entered
    once, so symlink loops end.
    """
    root = Path(root)
    resolved = root.resolve()
    found: list[Path] = []
    seen: set[tuple[int, int]] = set()
    for folder, dirs, files in os.walk(root, followlinks=True):
        try:
            info = os.stat(folder)
        except OSError:
            dirs[:] = []
            continue
        if (info.st_dev, info.st_ino) in seen or not _inside(Path(folder), resolved):
            dirs[:] = []
            continue
        seen.add((info.st_dev, info.st_ino))
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in files:
            path = Path(folder) / name
            if name.lower().endswith(".bib") and not name.startswith(".") and _inside(path, resolved):
                found.append(path)
    return sorted(found)


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


def decode_text(data: bytes, where: Path | str, *, html: bool = False) -> str:
    """Text with "\\n" line ends (see ``pinpoint.index.ingest.encodings`` for how the encoding is found), or ``SkipFile``."""
    try:
        text = decode(data, html=html)
    except NotText as exc:
        raise SkipFile(str(exc), where) from None
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not text.strip():
        raise SkipFile("empty", where)
    return text


def _read_bytes(path: Path) -> bytes:
    """The file's bytes; a ``.gz`` file's decompressed, up to MAX_GUNZIPPED_BYTES."""
    try:
        if not path.name.lower().endswith(".gz"):
            return path.read_bytes()
        with gzip.open(path, "rb") as stream:
            data = stream.read(MAX_GUNZIPPED_BYTES + 1)
    except (OSError, EOFError) as exc:
        # gzip reports corruption as OSError (BadGzipFile) or EOFError (truncated).
        raise SkipFile(f"cannot read ({getattr(exc, 'strerror', None) or exc})", path) from None
    if len(data) > MAX_GUNZIPPED_BYTES:
        raise SkipFile(f"decompresses to more than {MAX_GUNZIPPED_BYTES // 1_000_000} MB", path)
    return data


def read_text_file(path: Path, root: Path) -> list[RawSource]:
    text = decode_text(_read_bytes(path), path)
    return [RawSource(id=make_safe_id(_stem(path)), path=_relative(path, root), fmt="txt", text=text)]


def read_markdown_file(path: Path, root: Path) -> list[RawSource]:
    """Markdown; its front matter (YAML, TOML or a leading ``- Key: value`` list) is metadata."""
    text = decode_text(_read_bytes(path), path)
    meta: dict[str, Any] = {}
    front = split_front_matter(text)
    if front.form is not None:
        meta = csl_from_fields(front.fields)
        text = front.body
        if not text.strip():
            raise SkipFile("empty", path)
    return [RawSource(id=make_safe_id(_stem(path)), path=_relative(path, root), fmt="md",
                      text=text, meta=meta)]


def _read_structured(path: Path, root: Path, fmt: str, parse: Callable, language: str) -> list[RawSource]:
    text = decode_text(_read_bytes(path), path)
    try:
        body, fields = parse(text)
    except Exception as exc:  # noqa: BLE001 - a parser's failure on one file must not stop a build
        raise SkipFile(f"cannot parse {language} ({type(exc).__name__}: {exc})", path) from None
    if not body.strip():
        raise SkipFile("empty", path)
    return [RawSource(id=make_safe_id(_stem(path)), path=_relative(path, root), fmt=fmt,
                      text=body, meta=csl_from_fields(fields))]


def read_rst_file(path: Path, root: Path) -> list[RawSource]:
    """reStructuredText, parsed by docutils (see ``pinpoint.index.ingest.structured_text``)."""
    from pinpoint.index.ingest.structured_text import rst_document

    return _read_structured(path, root, "rst", rst_document, "reStructuredText")


def read_latex_file(path: Path, root: Path) -> list[RawSource]:
    """LaTeX, parsed by pylatexenc (see ``pinpoint.index.ingest.structured_text``)."""
    from pinpoint.index.ingest.structured_text import latex_document

    return _read_structured(path, root, "tex", latex_document, "LaTeX")


def _article_markdown(trafilatura, tree) -> str | None:
    """The page's article as Markdown: the longer of trafilatura's default and recall-favouring reads.

    The default read prunes sections whose link or text density looks like
    furniture, and sometimes prunes the article's own lists, tables of quoted
    replies or subsections with them; the recall-favouring read keeps those
    but on other pages stops early.  Whichever holds more text holds more of
    the article, and the cleaner (``pinpoint.index.ingest.clean``) then drops the furniture
    either may let through.  Markdown output keeps headings and paragraph
    breaks, which the cleaner reads.  Both reads start from the page as its
    layout reads (``page_layout.article_tree``), and trafilatura copies it.
    """
    article = article_tree(tree)
    options = dict(output_format="markdown", include_comments=False, include_images=False,
                   include_tables=True, prune_xpath=HIDDEN_XPATH)
    default = trafilatura.extract(article, **options) or ""
    recall = trafilatura.extract(article, favor_recall=True, **options) or ""
    return recall if len(recall) > len(default) else default


def read_html_file(path: Path, root: Path) -> list[RawSource]:
    """Visible article text of a saved page (via trafilatura) and what its markup states."""
    import trafilatura  # imported here: loading it costs ~0.5 s, and most folders hold no HTML

    html = decode_text(_read_bytes(path), path, html=True)
    # The page parsed once: the article, the metadata, title, publishers, bylines and date all read
    # this tree, and none changes it (trafilatura and htmldate copy a tree they are given).
    tree = parse(html)
    body = _article_markdown(trafilatura, tree) if tree is not None else None
    if not body or not body.strip():
        raise SkipFile("no article text found in the page", path)
    try:
        found = trafilatura.extract_metadata(tree, extensive=False)
    except (ValueError, OverflowError):
        # htmldate (inside) raises on impossible stamps ("+99:99"); the page keeps its text, unattributed.
        found = None
    fields: dict[str, Any] = {"title": page_title(tree, [found.sitename] if found else [], found and found.url)}
    if found is not None:
        publishers = page_publishers(html, found.sitename, tree=tree)
        # The publication date as the page states it (page_dates), not htmldate's first date-like stamp.
        fields |= {"author": trusted_byline(found.author, publishers=publishers, body=body, html=html, tree=tree),
                  "issued": publication_date(tree, found.url), "container-title": found.sitename,
                  "url": found.url}
    meta = csl_from_fields(fields)
    if meta.get("issued") or meta.get("URL"):
        meta.setdefault("type", "webpage")
    return [RawSource(id=make_safe_id(_stem(path)), path=_relative(path, root), fmt="html",
                      text=body, meta=meta)]


# The longest JSONL line (one source) read; PINPOINT_MAX_SOURCE_BYTES in pinpoint.service.config.
DEFAULT_MAX_SOURCE_BYTES = 64 * 1024 * 1024


def _lines(stream, limit: int) -> Iterator[bytes | None]:
    """The stream's lines, each read whole only up to ``limit`` bytes; None stands for a longer one.

    A 300 MB line in a 306 KB .jsonl.gz took 1 GB to read whole (issue 16);
    the rest of an over-long line is read in blocks and dropped.
    """
    while True:
        line = stream.readline(limit + 1)
        if not line:
            return
        if len(line) <= limit or line.endswith(b"\n"):
            yield line
            continue
        while not line.endswith(b"\n"):
            line = stream.readline(1 << 20)
            if not line:
                break
        yield None


def iter_jsonl(path: Path, root: Path,
               on_skip: Callable[[SkippedLine], None] | None = None,
               max_source_bytes: int = DEFAULT_MAX_SOURCE_BYTES) -> Iterator[RawSource]:
    """Stream one source per JSONL line, so a corpus of books never sits in memory at once.

    Bad lines (not JSON, not an object, no usable id or text, a repeated id,
    longer than ``max_source_bytes``) go to ``on_skip`` and reading continues.
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
            for number, line in enumerate(_lines(stream, max_source_bytes), start=1):
                if line is None:
                    skip(number, f"line longer than {max_source_bytes} bytes (PINPOINT_MAX_SOURCE_BYTES)")
                    continue
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


def read_pdf_file(path: Path, root: Path) -> list[RawSource]:
    from pinpoint.index.ingest.pdf.reader import read_pdf_file as read  # PDFium loads only where there are PDFs

    return read(path, root)


_READERS: dict[str, Callable[[Path, Path], list[RawSource]]] = {
    ".pdf": read_pdf_file,
    ".txt": read_text_file,
    ".md": read_markdown_file,
    ".html": read_html_file,
    ".htm": read_html_file,
    ".jsonl": read_jsonl_file,
    ".jsonl.gz": read_jsonl_file,
    ".rst": read_rst_file,
    ".tex": read_latex_file,
    ".txt.gz": read_text_file,
    ".html.gz": read_html_file,
    ".htm.gz": read_html_file,
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
