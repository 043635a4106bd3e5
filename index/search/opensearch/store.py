"""Index versions in the cluster: the counterpart of ``versions/`` and ``CURRENT``.

A version is two indexes, ``<prefix>-passages-<version>`` and
``<prefix>-sources-<version>``.  Two aliases, ``<prefix>-passages`` and
``<prefix>-sources``, name the served version; publishing moves both in one
``_aliases`` request, which OpenSearch applies atomically, so a reader never
sees passages of one version with sources of another.  The registry index
``<prefix>-versions`` records each published version with its build manifest
and holds the build lock.  Versions are never written after publishing (a
write block), which is what lets the next build start from a clone of the
current one (hard-linked segments) and rewrite only what changed.

Whatever kills a build, the aliases are untouched: the worst left behind is a
pair of unpublished indexes, which the next build (holding the lock) deletes.
"""

from __future__ import annotations

import json
import os
import socket
import time
from collections.abc import Iterator
from contextlib import contextmanager

from opensearchpy import OpenSearch
from opensearchpy import exceptions as os_errors

from pinpoint.index.errors import IndexBusy, IndexNotFound
from pinpoint.index.search.opensearch.client import ClusterSettings, ClusterUnavailable, unavailable
from pinpoint.index.search.opensearch.mapping import DEFAULT_RANKING, Ranking, passages_index_body, sources_index_body

KEEP_VERSIONS = 3
LOCK_ID = "_build_lock"
LOCK_LEASE_SECONDS = 600.0
GREEN_SECONDS = 60


class ClusterStore:
    """The versions of one library in one cluster."""

    def __init__(self, client: OpenSearch, settings: ClusterSettings, ranking: Ranking = DEFAULT_RANKING):
        self.client = client
        self.settings = settings
        self.ranking = ranking
        prefix = settings.prefix
        self.passages_alias = f"{prefix}-passages"
        self.sources_alias = f"{prefix}-sources"
        self.registry = f"{prefix}-versions"

    def passages_index(self, version: str) -> str:
        return f"{self.passages_alias}-{version}"

    def sources_index(self, version: str) -> str:
        return f"{self.sources_alias}-{version}"

    # -- reading the state -------------------------------------------------

    def current_version(self) -> str | None:
        """The served version, or None when nothing was ever published."""
        try:
            found = self.client.indices.get_alias(name=self.passages_alias)
        except os_errors.NotFoundError:
            return None
        except os_errors.OpenSearchException as exc:
            raise unavailable(exc, "reading the served version") from exc
        names = sorted(found)
        if not names:
            return None
        return names[-1][len(self.passages_alias) + 1 :]

    def require_current(self) -> str:
        version = self.current_version()
        if version is None:
            raise IndexNotFound(
                f"no published index under the alias {self.passages_alias!r}: "
                "build one with `pinpoint index SOURCES --engine opensearch`"
            )
        return version

    def published_versions(self) -> list[str]:
        """Versions that were served at some point, oldest first (names sort in build order)."""
        return self._registered({"term": {"published": True}})

    def complete_versions(self) -> list[str]:
        """Versions whose build finished (sealed and counted), published or not, oldest first."""
        return self._registered({"match_all": {}})

    def _registered(self, query: dict) -> list[str]:
        if not self.client.indices.exists(index=self.registry):
            return []
        self.client.indices.refresh(index=self.registry)
        found = self.client.search(
            index=self.registry,
            body={"query": {"bool": {"must": [query], "must_not": [{"ids": {"values": [LOCK_ID]}}]}},
                  "_source": ["version"], "size": 1000},
        )
        return sorted(hit["_source"]["version"] for hit in found["hits"]["hits"])

    def record_complete(self, version: str) -> None:
        """Register a finished version: from now on it is kept (until pruned) though not yet served."""
        self._ensure_registry()
        self.client.index(index=self.registry, id=version, refresh="true",
                          body={"version": version, "published": False, "created": time.time()})

    def read_manifest(self, version: str | None) -> dict:
        if version is None:
            return {}
        try:
            doc = self.client.get(index=self.registry, id=version)
        except os_errors.NotFoundError:
            return {}
        return json.loads(doc["_source"].get("manifest") or "{}")

    def next_version_name(self) -> str:
        numbers = [int(v) for v in self._all_versions() if v.isdigit()]
        return f"{max(numbers, default=0) + 1:06d}"

    def _all_versions(self) -> set[str]:
        """Every version with an index in the cluster, published or not."""
        try:
            found = self.client.indices.get(index=f"{self.passages_alias}-*,{self.sources_alias}-*")
        except os_errors.NotFoundError:
            return set()
        versions = set()
        for name in found:
            for alias in (self.passages_alias, self.sources_alias):
                if name.startswith(alias + "-"):
                    versions.add(name[len(alias) + 1 :])
        return versions

    # -- the build lock ----------------------------------------------------

    def _ensure_registry(self) -> None:
        if self.client.indices.exists(index=self.registry):
            return
        body = {
            "settings": {"index": {"number_of_shards": 1, "number_of_replicas": self.settings.replicas}},
            "mappings": {
                "dynamic": False,
                "properties": {"version": {"type": "keyword"}, "published": {"type": "boolean"}},
            },
        }
        try:
            self.client.indices.create(index=self.registry, body=body, params={"wait_for_active_shards": "1"})
        except os_errors.RequestError as exc:
            if exc.error != "resource_already_exists_exception":
                raise

    @contextmanager
    def build_lock(self, timeout: float = 30.0) -> Iterator[None]:
        """Hold the library's build lock for the ``with`` block (see ``acquire_lock``)."""
        owner = self.acquire_lock(timeout)
        try:
            yield
        finally:
            self.release_lock(owner)

    def acquire_lock(self, timeout: float = 30.0) -> str:
        """Take the library's build lock, a document only one build can create; returns its owner tag.

        It carries an expiry because a killed build cannot delete it; a lock
        past its lease is taken over (compare-and-set on its sequence number,
        so two builds cannot both take it over).
        """
        self._ensure_registry()
        owner = f"{socket.gethostname()}:{os.getpid()}:{time.time_ns()}"
        deadline = time.monotonic() + timeout
        while True:
            body = {"owner": owner, "expires": time.time() + LOCK_LEASE_SECONDS}
            try:
                self.client.index(index=self.registry, id=LOCK_ID, body=body, op_type="create", refresh="true")
                return owner
            except os_errors.ConflictError:
                pass
            try:
                held = self.client.get(index=self.registry, id=LOCK_ID)
                if held["_source"].get("expires", 0) < time.time():
                    self.client.index(
                        index=self.registry, id=LOCK_ID, body=body, refresh="true",
                        if_seq_no=held["_seq_no"], if_primary_term=held["_primary_term"],
                    )
                    return owner
            except (os_errors.NotFoundError, os_errors.ConflictError):
                continue
            if time.monotonic() >= deadline:
                raise IndexBusy(
                    f"another build of {self.settings.prefix!r} holds the cluster's build lock "
                    f"({held['_source'].get('owner')}); waited {timeout:.0f}s — try again when it finishes"
                )
            time.sleep(0.5)

    def release_lock(self, owner: str) -> None:
        try:
            held = self.client.get(index=self.registry, id=LOCK_ID)
            if held["_source"].get("owner") == owner:
                self.client.delete(
                    index=self.registry, id=LOCK_ID, refresh="true",
                    if_seq_no=held["_seq_no"], if_primary_term=held["_primary_term"],
                )
        except os_errors.OpenSearchException:
            pass  # the lease expires on its own

    # -- writing versions --------------------------------------------------

    def remove_stale(self) -> list[str]:
        """Delete the indexes of builds that died before finishing; call only while holding the lock."""
        stale = sorted(self._all_versions() - set(self.complete_versions()))
        for version in stale:
            self._delete_version_indexes(version)
        return stale

    def create_version(self, version: str, base: str | None) -> None:
        """Create the indexes of ``version``: empty, or a writable clone of ``base``."""
        passages, sources = self.passages_index(version), self.sources_index(version)
        if base is None:
            shards, replicas = self.settings.shards, self.settings.replicas
            self.client.indices.create(index=passages, body=passages_index_body(self.ranking, shards=shards, replicas=replicas))
            self.client.indices.create(index=sources, body=sources_index_body(shards=shards, replicas=replicas))
        else:
            unblock = {"settings": {"index.blocks.write": False, "index.refresh_interval": "-1"}}
            for old, new in ((self.passages_index(base), passages), (self.sources_index(base), sources)):
                self.client.indices.clone(index=old, target=new, body=unblock, params={"wait_for_active_shards": "1"})
        self._health(f"{passages},{sources}", "yellow")

    def seal(self, version: str) -> None:
        """Make ``version`` searchable, read-only and fully replicated before it is published."""
        names = f"{self.passages_index(version)},{self.sources_index(version)}"
        self.client.indices.put_settings(index=names, body={"index": {"refresh_interval": None}})
        self.client.indices.refresh(index=names)
        self.client.indices.put_settings(index=names, body={"index": {"blocks.write": True}})
        if self._health(names, "green").get("timed_out"):
            # Publishing with replicas missing would make one node's death an outage.
            raise ClusterUnavailable(f"version {version} did not reach green within {GREEN_SECONDS}s: not publishing it")

    def _health(self, names: str, status: str) -> dict:
        # The cluster's own wait, bounded; the client's time-out a little longer.
        return self.client.cluster.health(
            index=names, wait_for_status=status, params={"timeout": f"{GREEN_SECONDS}s"},
            request_timeout=GREEN_SECONDS + 10,
        )

    def publish(self, version: str, manifest: dict) -> None:
        """Point both aliases at ``version`` in one atomic request."""
        self.client.index(
            index=self.registry, id=version, refresh="true",
            body={"version": version, "published": True, "created": time.time(), "manifest": json.dumps(manifest)},
        )
        self.switch_to(version)

    def switch_to(self, version: str) -> None:
        actions = []
        for alias, index in ((self.passages_alias, self.passages_index(version)), (self.sources_alias, self.sources_index(version))):
            actions.append({"remove": {"index": f"{alias}-*", "alias": alias, "must_exist": False}})
            actions.append({"add": {"index": index, "alias": alias}})
        self.client.indices.update_aliases(body={"actions": actions})

    def rollback(self, version: str | None = None) -> str:
        """Serve ``version`` (by default the one published before the current) again."""
        published = self.published_versions()
        current = self.current_version()
        if version is None:
            older = [v for v in published if current is None or v < current]
            if not older:
                raise IndexNotFound("no older version is kept to roll back to")
            version = older[-1]
        if version not in published:
            raise IndexNotFound(f"version {version!r} is not a kept, published version")
        self.switch_to(version)
        return version

    def prune(self, keep: int = KEEP_VERSIONS) -> list[str]:
        """Delete all but the newest ``keep`` finished versions, never the served one."""
        current = self.current_version()
        versions = self.complete_versions()
        doomed = [v for v in versions[:-keep] if v != current] if keep > 0 else []
        for version in doomed:
            self._delete_version_indexes(version)
            try:
                self.client.delete(index=self.registry, id=version, refresh="true")
            except os_errors.NotFoundError:
                pass
        return doomed

    def drop_version(self, version: str) -> None:
        """Delete an unpublished version (a cancelled build)."""
        self._delete_version_indexes(version)

    def _delete_version_indexes(self, version: str) -> None:
        for name in (self.passages_index(version), self.sources_index(version)):
            try:
                self.client.indices.delete(index=name)
            except os_errors.NotFoundError:
                pass

    def delete_library(self) -> None:
        """Remove every index of this library (tests, and moving a library away)."""
        for pattern in (f"{self.passages_alias}-*", f"{self.sources_alias}-*", self.registry):
            self.client.indices.delete(index=pattern, params={"expand_wildcards": "all", "ignore_unavailable": "true"})
