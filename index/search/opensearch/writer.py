"""Writing one version's indexes with the bulk API (an ``EngineWriter``).

Pinpoint's own pipeline (readers, cleaning, metadata, chunking) produces the
records; this only ships them.  A version starts empty or as a clone of the
previous one, so an incremental build sends only the sources whose content
hash changed: a changed source's old passages are deleted by id (``SOURCE:N``
for N up to its old passage count) before its new ones are written.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import asdict

from opensearchpy import helpers

from pinpoint.index.bibliography.names import author_names
from pinpoint.index.records import Passage, Source
from pinpoint.index.search.opensearch.client import ClusterUnavailable
from pinpoint.index.search.opensearch.store import ClusterStore

BULK_DOCS = 1000
BULK_BYTES = 8 << 20


def passage_documents(source: Source, passages: Iterable[Passage]) -> Iterator[dict]:
    csl = source.csl
    title = csl.get("title") or ""
    authors = author_names(csl)
    for passage in passages:
        doc = {**passage.stored_fields(), "title": title, "author": authors}
        if source.year is not None:
            doc["year"] = source.year
        if source.collections:
            doc["collection"] = [name.lower() for name in source.collections]
        yield doc


class OpenSearchWriter:
    """Writes version ``version``; nothing is served until the store publishes it."""

    def __init__(self, store: ClusterStore, version: str, *, base: str | None = None,
                 sources: dict[str, Source] | None = None):
        self.store = store
        self.version = version
        self.sources: dict[str, Source] = dict(sources or {})
        self._passages = store.passages_index(version)
        self._sources_index = store.sources_index(version)
        self._actions: list[dict] = []
        store.create_version(version, base)

    def add_source(self, source: Source, passages: Iterable[Passage]) -> None:
        if source.id in self.sources:
            self._delete_passages(self.sources[source.id])
        count = 0
        for number, doc in enumerate(passage_documents(source, passages), start=1):
            self._actions.append({"_index": self._passages, "_id": f"{doc['source_id']}:{doc['number']}", "_source": doc})
            count = number
        if count != source.passage_count:
            source = Source(**{**asdict(source), "passage_count": count})
        self.sources[source.id] = source
        self._actions.append({"_index": self._sources_index, "_id": source.id, "_source": asdict(source)})
        if len(self._actions) >= BULK_DOCS:
            self.flush()

    def remove_source(self, source_id: str) -> None:
        old = self.sources.pop(source_id, None)
        if old is None:
            return
        self._delete_passages(old)
        self._actions.append({"_op_type": "delete", "_index": self._sources_index, "_id": source_id})

    def _delete_passages(self, old: Source) -> None:
        for number in range(1, old.passage_count + 1):
            self._actions.append({"_op_type": "delete", "_index": self._passages, "_id": f"{old.id}:{number}"})

    def flush(self) -> None:
        if not self._actions:
            return
        actions, self._actions = self._actions, []
        # Deleting what a clone does not hold is fine (a source re-added twice);
        # every other failure is raised and the build is cancelled.
        _, errors = helpers.bulk(
            self.store.client, actions, chunk_size=BULK_DOCS, max_chunk_bytes=BULK_BYTES,
            raise_on_error=False, max_retries=3, initial_backoff=1,
        )
        real = [e for e in errors if not ("delete" in e and e["delete"].get("status") == 404)]
        if real:
            raise ClusterUnavailable(f"OpenSearch refused {len(real)} bulk operations, e.g. {real[0]}")

    def commit(self) -> None:
        self.flush()
        self.store.seal(self.version)
        expected = sum(s.passage_count for s in self.sources.values())
        written = self.store.client.count(index=self._passages)["count"]
        if written != expected:
            raise ClusterUnavailable(
                f"version {self.version} holds {written} passages, but its sources count {expected}: not publishing it"
            )
        self.store.record_complete(self.version)

    def cancel(self) -> None:
        self._actions = []
        self.store.drop_version(self.version)
