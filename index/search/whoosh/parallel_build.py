"""Indexing on every core: each worker process cleans, chunks and writes its own segment.

Whoosh's ``MpWriter`` keeps the parent busy pickling every document to its
sub-writers, and a pool that only cleans leaves the parent doing all of
Whoosh's work; both kept two cores about 0.75 busy.  Here the parent only
reads sources (cheap: gzip and JSON) and hands each whole ``RawSource`` to
whichever worker is free; the worker runs the pipeline and Whoosh's write
path for it into a segment of its own in the same staging directory.  At
the end the parent lists every worker's finished segment in one new TOC
(``PassageSegmentWriter.commit_with_segments``, Whoosh's own multisegment
mechanism), so nothing is copied or merged and the build stays atomic: until
``publish`` the staging directory is invisible to searchers.

Workers are forked and die with the parent (``PR_SET_PDEATHSIG``), so a
killed build leaves no process behind writing into a removed directory.
"""

from __future__ import annotations

import ctypes
import multiprocessing
import os
import queue
import signal
import traceback
from collections.abc import Callable, Iterable
from pathlib import Path

from whoosh import index as whoosh_index

from pinpoint.index.records import Passage, RawSource, Source
from pinpoint.index.search.whoosh.segment_writer import PassageSegmentWriter
from pinpoint.index.search.whoosh.engine import WhooshWriter, passage_documents

PR_SET_PDEATHSIG = 1
# Sources waiting per worker: enough that a worker never waits for the reader,
# few enough that a corpus of books never sits in memory.
QUEUED_PER_WORKER = 2
_POLL_SECONDS = 0.5
# Per worker: with ~45 bytes per posting in memory this holds ~80 MB of text,
# so a 150 MB corpus on two cores makes one segment per worker.
WORKER_MEMORY_MB = 512

Prepare = Callable[[tuple[RawSource, dict | None, str]], tuple[Source, list[Passage]]]


class ParallelBuildFailed(RuntimeError):
    """A worker process failed or died; the build is abandoned and nothing is published."""


def _die_with_parent(parent_pid: int) -> None:
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    except (OSError, AttributeError):
        pass  # not Linux: the parent-pid check below and the job timeout still apply
    if os.getppid() != parent_pid:  # the parent died before prctl took effect
        os._exit(1)


def _work(whoosh_dir: Path, memory_mb: float, prepare: Prepare, jobs, results, parent_pid: int) -> None:
    _die_with_parent(parent_pid)
    try:
        ix = whoosh_index.open_dir(str(whoosh_dir))
        # _lk=False: the parent holds Whoosh's write lock for the whole build.
        writer = PassageSegmentWriter(ix, _lk=False, limitmb=memory_mb, spill=False)
        while (item := jobs.get()) is not None:
            source, passages = prepare(item)
            if not passages:
                results.put(("empty", source))
                continue
            count = 0
            for doc in passage_documents(source, passages):
                writer.add_document(**doc)
                count += 1
            results.put(("source", source, count))
            if writer.memory_full:
                # A new segment rather than Whoosh's on-disk sort: memory stays
                # bounded and the postings keep the fast path.
                results.put(("segment", writer._finalize_segment()))
                writer = PassageSegmentWriter(ix, _lk=False, limitmb=memory_mb, spill=False)
        if writer._added:
            results.put(("done", writer._finalize_segment()))
        else:
            writer._close_segment()
            results.put(("done", None))
    except Exception:  # noqa: BLE001 - sent to the parent, which raises it
        # The parent raises it with the worker's traceback; exiting quietly
        # here would only show up as a missing segment.
        results.put(("failed", traceback.format_exc()))


class ParallelIndexing:
    """Runs ``procs`` worker writers for one ``WhooshWriter`` and collects their segments."""

    def __init__(self, writer: WhooshWriter, procs: int, prepare: Prepare, memory_mb: float = WORKER_MEMORY_MB):
        self.writer = writer
        self.memory_mb = memory_mb
        self.procs = procs
        self.prepare = prepare
        self.segments: list = []
        self.rebuilt = 0

    def run(self, items: Iterable[tuple[RawSource, dict | None, str]],
            on_empty: Callable[[Source], None]) -> list:
        """Index ``items``; returns the workers' segments for ``WhooshWriter.commit``."""
        context = multiprocessing.get_context("fork")
        jobs = context.Queue(maxsize=self.procs * QUEUED_PER_WORKER)
        results = context.Queue()
        workers = [
            context.Process(
                target=_work, name=f"pinpoint-index-{n}", daemon=True,
                args=(self.writer.whoosh_dir, self.memory_mb, self.prepare, jobs, results, os.getpid()),
            )
            for n in range(self.procs)
        ]
        for worker in workers:
            worker.start()
        self._finished = 0
        try:
            for item in items:
                self._put(jobs, item, results, workers, on_empty)
            for _ in workers:
                self._put(jobs, None, results, workers, on_empty)
            while self._finished < len(workers):
                self._collect(results, workers, on_empty, wait=True)
            for worker in workers:
                worker.join()
        finally:
            for worker in workers:
                if worker.is_alive():
                    worker.kill()
                    worker.join()
            jobs.cancel_join_thread()
            results.cancel_join_thread()
        return self.segments

    def _put(self, jobs, item, results, workers, on_empty) -> None:
        while True:
            try:
                jobs.put(item, timeout=_POLL_SECONDS)
                break
            except queue.Full:
                self._collect(results, workers, on_empty, wait=False)
        self._collect(results, workers, on_empty, wait=False)

    def _collect(self, results, workers, on_empty, wait: bool) -> None:
        while True:
            try:
                message = results.get(timeout=_POLL_SECONDS) if wait else results.get_nowait()
            except queue.Empty:
                dead = [w for w in workers if w.exitcode not in (None, 0)]
                if dead:
                    raise ParallelBuildFailed(
                        f"indexing worker {dead[0].name} died (exit code {dead[0].exitcode})"
                    ) from None
                return
            kind = message[0]
            if kind == "source":
                self.writer.record_source(message[1], message[2])
                self.rebuilt += 1
            elif kind == "empty":
                on_empty(message[1])
            elif kind == "segment":
                self.segments.append(message[1])
            elif kind == "done":
                if message[1] is not None:
                    self.segments.append(message[1])
                self._finished += 1
            else:
                raise ParallelBuildFailed(f"an indexing worker failed:\n{message[1]}")
            if wait:
                return
