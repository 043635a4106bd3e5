"""PDF files read several at a time, each in its own limited child, handed back in order.

The build reads sources in the parent and hands them to its indexing
workers; for PDFs the reading is the costly part, so it runs here in up to
``procs`` children at once (each under ``LimitedRead``'s time and memory
limits) while the parent collects answers in the order the build asks for
them.  At most ``procs`` answers wait in memory.
"""

from __future__ import annotations

import time
from collections import deque
from multiprocessing.connection import wait
from pathlib import Path

from pinpoint.index.ingest.pdf.limits import DEFAULT_LIMITS, PdfLimits
from pinpoint.index.ingest.readers import SkipFile
from pinpoint.index.records import RawSource


class ReadAhead:
    def __init__(self, files: list[tuple[Path, Path]], procs: int, limits: PdfLimits = DEFAULT_LIMITS):
        self.limits = limits
        self.queue: deque[tuple[Path, Path]] = deque(files)
        self.procs = max(1, procs)
        self.running: dict[Path, LimitedRead] = {}
        self.done: dict[Path, list[RawSource] | SkipFile] = {}

    def result(self, path: Path) -> list[RawSource]:
        """The sources of ``path`` (which must be the next file not yet asked for), or its ``SkipFile``."""
        path = Path(path)
        while path not in self.done:
            self._start()
            if path not in self.running and path not in self.done:
                raise KeyError(f"{path} was not queued for reading")
            self._collect()
        found = self.done.pop(path)
        if isinstance(found, SkipFile):
            raise found
        return found

    def _start(self) -> None:
        from pinpoint.index.ingest.pdf.reader import LimitedRead  # PDFium loads only for a build that has PDFs

        while self.queue and len(self.running) + len(self.done) < self.procs:
            path, root = self.queue.popleft()
            self.running[path] = LimitedRead(path, root, self.limits)

    def _collect(self) -> None:
        soonest = min(read.deadline for read in self.running.values())
        ready = wait([read.connection for read in self.running.values()], max(0.0, soonest - time.monotonic()))
        now = time.monotonic()
        for path, read in list(self.running.items()):
            if read.connection in ready or read.deadline <= now:
                del self.running[path]
                try:
                    self.done[path] = read.finish(timed_out=read.connection not in ready)
                except SkipFile as skipped:
                    self.done[path] = skipped

    def close(self) -> None:
        for read in self.running.values():
            read.stop()
        self.running.clear()
        self.queue.clear()
