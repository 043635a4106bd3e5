"""Publishing a library's records into the cluster as a new version, incrementally.

The records come from any ``Searcher``: a Whoosh version that Pinpoint's own
pipeline just built (moving a library from Whoosh to OpenSearch is this one
call, with the same ids and citations), or another cluster version.  A source
whose content hash matches the served version's is kept as it is in the
clone; only new and changed sources are sent, and sources that disappeared
are deleted.  The alias moves only after the new version is complete, green
and counted: any failure before that leaves the served version as it was.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from opensearchpy import exceptions as os_errors

from pinpoint.index.search.engine import Searcher
from pinpoint.index.search.opensearch.client import unavailable
from pinpoint.index.search.opensearch.searcher import OpenSearchSearcher
from pinpoint.index.search.opensearch.store import KEEP_VERSIONS, ClusterStore
from pinpoint.index.search.opensearch.writer import OpenSearchWriter


@dataclass
class SyncReport:
    version: str
    sources: int
    passages: int
    reused_sources: int = 0
    rebuilt_sources: int = 0
    removed_sources: int = 0
    unchanged: bool = False
    seconds: float = 0.0


def publish_library(records: Searcher, store: ClusterStore, *, manifest: dict | None = None,
                    keep: int = KEEP_VERSIONS, lock_timeout: float = 30.0) -> SyncReport:
    """Make the cluster serve exactly the sources and passages ``records`` holds."""
    try:
        return _publish(records, store, manifest, keep, lock_timeout)
    except (os_errors.ConnectionError, os_errors.TransportError) as exc:
        raise unavailable(exc, "publishing") from exc


def _publish(records: Searcher, store: ClusterStore, manifest: dict | None, keep: int,
             lock_timeout: float) -> SyncReport:
    started = time.monotonic()
    wanted = {s.id: s for s in records.sources()}
    with store.build_lock(lock_timeout):
        store.remove_stale()
        previous = store.current_version()
        served = {s.id: s for s in OpenSearchSearcher(store, previous).sources()} if previous else {}
        same = {sid for sid, s in wanted.items() if sid in served and served[sid] == s}
        changed = [sid for sid in sorted(wanted) if sid not in same]
        removed = [sid for sid in sorted(served) if sid not in wanted]
        if previous is not None and not changed and not removed:
            return SyncReport(version=previous, sources=len(wanted), passages=sum(s.passage_count for s in wanted.values()),
                              reused_sources=len(wanted), unchanged=True, seconds=time.monotonic() - started)
        version = store.next_version_name()
        writer = OpenSearchWriter(store, version, base=previous, sources=served)
        try:
            for sid in removed:
                writer.remove_source(sid)
            for sid in changed:
                writer.add_source(wanted[sid], records.passages(sid))
            writer.commit()
        except BaseException:
            writer.cancel()
            raise
        store.publish(version, manifest or {})
        store.prune(keep)
        return SyncReport(
            version=version, sources=len(writer.sources), passages=sum(s.passage_count for s in writer.sources.values()),
            reused_sources=len(same), rebuilt_sources=len(changed), removed_sources=len(removed),
            seconds=time.monotonic() - started,
        )
