"""A PDF file into one ``RawSource`` with its paragraphs and printed pages.

Pages are read one at a time and closed before the next, so only one page's
geometry is ever held; what is kept per page is its rows of text.  Files that
cannot be read are refused with a reason a person can act on (encrypted,
no text layer, corrupt, no pages); ``read_pdf_file`` also runs the reading in
a child process under a time and memory limit, so a file that makes PDFium
hang or balloon costs that file only.
"""

from __future__ import annotations

import faulthandler
import multiprocessing
import os
import resource
import signal
import time
from pathlib import Path

from pinpoint.index.ingest.pdf.document import PageRows, assemble
from pinpoint.index.ingest.pdf.extract import page_lines
from pinpoint.index.ingest.pdf.layout import page_rows
from pinpoint.index.ingest.pdf.limits import DEFAULT_LIMITS, PdfLimits
from pinpoint.index.ingest.pdf.meta import pdf_csl
from pinpoint.index.ingest.readers import SkipFile, _relative, _stem, make_safe_id
from pinpoint.index.records import RawSource

# Pages searched for a printed DOI.
DOI_PAGES = 2


def extract_pdf(path: Path, root: Path) -> RawSource:
    """Read ``path`` in this process (no limits): the work ``read_pdf_file`` bounds."""
    import pypdfium2 as pdfium

    try:
        pdf = pdfium.PdfDocument(str(path))
    except pdfium.PdfiumError as exc:
        message = str(exc).lower()
        if "password" in message:
            raise SkipFile("encrypted: needs a password to open", path) from None
        if "security" in message:
            raise SkipFile("encrypted with an unsupported security handler", path) from None
        reason = _pdfium_reason(exc)
        if reason == "Success":  # PDFium refuses a document without pages but reports no error
            raise SkipFile("PDF has no pages (or a page tree that cannot be read)", path) from None
        raise SkipFile(f"corrupt or truncated PDF ({reason})", path) from None
    try:
        count = len(pdf)
        if count == 0:
            raise SkipFile("PDF has no pages", path)
        pages: list[PageRows] = []
        first_text: list[str] = []
        chars = 0
        for index in range(count):
            try:
                page = pdf[index]
            except pdfium.PdfiumError as exc:
                raise SkipFile(f"corrupt PDF: page {index + 1} cannot be read ({_pdfium_reason(exc)})", path) from None
            try:
                textpage = page.get_textpage()
                try:
                    width, height = page.get_size()
                    rows = page_rows(page_lines(textpage, width), width, height)
                finally:
                    textpage.close()
            finally:
                page.close()
            chars += sum(len(r.text) for r in rows)
            if index < DOI_PAGES:
                # Running heads and feet often carry the DOI; the body is taken from the blocks below.
                first_text.extend(r.text for r in rows if r.margin)
            pages.append(PageRows(index, pdf.get_page_label(index) or None, rows))
        if chars == 0:
            raise SkipFile("no text layer (image-only or scanned PDF; OCR is not supported)", path)
        info = pdf.get_metadata_dict(skip_empty=True)
    finally:
        pdf.close()
    doc = assemble(pages)
    if not any(b.kind == "paragraph" for b in doc.blocks):
        raise SkipFile("no body text found in the PDF's text layer", path)
    # The references cite other works' DOIs: only the text before them on the first pages counts.
    cutoff = _start_of_page(doc.pages, DOI_PAGES + 1) or len(doc.text)
    first_text += [b.text for b in doc.blocks if b.start < cutoff and b.kind != "references"]
    meta = pdf_csl(path, info, "\n".join(first_text), doc.title)
    return RawSource(id=make_safe_id(_stem(path)), path=_relative(path, root), fmt="pdf", text=doc.text,
                     meta=meta, blocks=doc.blocks, pages=doc.pages)


def _start_of_page(pages: tuple[tuple[int, str], ...], nth: int) -> int | None:
    """Where the ``nth`` page (1-based) with text begins."""
    seen: list[str] = []
    for offset, label in pages:
        if label not in seen:
            seen.append(label)
            if len(seen) == nth:
                return offset
    return None


def _pdfium_reason(exc: Exception) -> str:
    text = str(exc)
    return text.split("(PDFium: ", 1)[-1].rstrip(").") if "PDFium: " in text else text


class LimitedRead:
    """``extract_pdf`` of one file in a forked child, bounded in time and memory.

    ``connection`` becomes readable when the child has an answer (or died);
    ``finish`` collects it, and anything the child could not do is the file's
    ``SkipFile``.  Several may run at once (``pinpoint.index.ingest.pdf.pool``).
    """

    def __init__(self, path: Path, root: Path, limits: PdfLimits = DEFAULT_LIMITS):
        self.path = Path(path)
        self.limits = limits
        context = multiprocessing.get_context("fork")
        self.connection, send = context.Pipe(duplex=False)
        self.child = context.Process(target=_child, args=(send, self.path, Path(root), limits.memory_mb),
                                     name="pinpoint-pdf", daemon=True)
        self.child.start()
        send.close()
        self.deadline = time.monotonic() + limits.seconds

    def finish(self, timed_out: bool = False) -> list[RawSource]:
        try:
            if timed_out:
                raise SkipFile(f"reading took longer than {self.limits.seconds:g} s (limit per PDF file)", self.path)
            try:
                kind, value = self.connection.recv()
            except EOFError:
                self.child.join(5)
                raise SkipFile(_death_reason(self.child.exitcode, self.limits), self.path) from None
        finally:
            self.stop()
        if kind == "skip":
            raise SkipFile(value, self.path)
        if kind == "error":
            raise SkipFile(f"cannot read PDF ({value})", self.path)
        return [value]

    def stop(self) -> None:
        if self.child.is_alive():
            self.child.kill()
        self.child.join()
        self.connection.close()


def read_pdf_file(path: Path, root: Path, limits: PdfLimits = DEFAULT_LIMITS) -> list[RawSource]:
    """The reader registered for ``.pdf``: ``extract_pdf`` in a child bounded in time and memory."""
    read = LimitedRead(path, root, limits)
    ready = read.connection.poll(max(0.0, read.deadline - time.monotonic()))
    return read.finish(timed_out=not ready)


def _death_reason(exitcode: int | None, limits: PdfLimits) -> str:
    if exitcode is not None and exitcode < 0:
        name = signal.Signals(-exitcode).name if -exitcode in signal.valid_signals() else str(-exitcode)
        return f"the PDF reader was stopped by {name} (limit {limits.memory_mb} MB per PDF file)"
    return f"the PDF reader exited with code {exitcode}"


def _child(send, path: Path, root: Path, memory_mb: int) -> None:
    # PDFium aborts when an allocation fails under the limit; the parent reports
    # that as this file's skip reason, so no crash dump from an inherited handler.
    faulthandler.disable()
    try:
        _limit_memory(memory_mb)
        try:
            result = ("ok", extract_pdf(path, root))
        except SkipFile as exc:
            result = ("skip", exc.reason)
        except MemoryError:
            result = ("skip", f"reading needs more than {memory_mb} MB (limit per PDF file)")
        except Exception as exc:  # noqa: BLE001 - any library failure becomes this file's skip reason
            result = ("error", f"{type(exc).__name__}: {str(exc)[:200]}")
        send.send(result)
    finally:
        send.close()
        os._exit(0)


def _limit_memory(memory_mb: int) -> None:
    # Address space, on top of what the forked parent already maps: PDFium's
    # allocations fail past it, and Python raises MemoryError.
    try:
        with open("/proc/self/statm") as f:
            mapped = int(f.read().split()[0]) * resource.getpagesize()
    except OSError:
        mapped = 0
    limit = mapped + memory_mb * 1024 * 1024
    try:
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    except (ValueError, OSError):
        pass
