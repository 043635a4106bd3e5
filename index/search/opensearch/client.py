"""Connecting to the cluster: settings from the environment, bounded time-outs and retries.

Reads are idempotent, so the client retries them a bounded number of times on
another node when one fails or times out; that is what lets searches carry on
while a node dies and replicas take over.  Writes go through the bulk helper,
whose own errors are checked item by item.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from opensearchpy import OpenSearch
from opensearchpy import exceptions as os_errors

from pinpoint.index.errors import IndexUnavailable

DEFAULT_URL = "http://127.0.0.1:9200"


class ClusterUnavailable(IndexUnavailable):
    """The cluster cannot be reached or cannot serve (red, no alias yet, time-out)."""


@dataclass(frozen=True)
class ClusterSettings:
    """Where the cluster is and how to talk to it (``PINPOINT_OPENSEARCH_*``)."""

    urls: tuple[str, ...] = (DEFAULT_URL,)
    prefix: str = "pinpoint"  # index and alias names start with it: one cluster can hold several libraries
    username: str | None = None
    password: str | None = None
    ca_certs: str | None = None
    verify_certs: bool = True
    timeout: float = 10.0
    retries: int = 2
    shards: int = 1
    replicas: int = 1

    @classmethod
    def from_env(cls, environ=os.environ) -> ClusterSettings:
        urls = tuple(u.strip() for u in environ.get("PINPOINT_OPENSEARCH_URL", DEFAULT_URL).split(",") if u.strip())
        return cls(
            urls=urls or (DEFAULT_URL,),
            prefix=environ.get("PINPOINT_OPENSEARCH_INDEX", "pinpoint"),
            username=environ.get("PINPOINT_OPENSEARCH_USER") or None,
            password=environ.get("PINPOINT_OPENSEARCH_PASSWORD") or None,
            ca_certs=environ.get("PINPOINT_OPENSEARCH_CA_CERTS") or None,
            verify_certs=environ.get("PINPOINT_OPENSEARCH_VERIFY_CERTS", "true").lower() not in ("0", "false", "no"),
            timeout=float(environ.get("PINPOINT_OPENSEARCH_TIMEOUT", "10")),
            retries=int(environ.get("PINPOINT_OPENSEARCH_RETRIES", "2")),
            shards=int(environ.get("PINPOINT_OPENSEARCH_SHARDS", "1")),
            replicas=int(environ.get("PINPOINT_OPENSEARCH_REPLICAS", "1")),
        )

    def connect(self) -> OpenSearch:
        auth = (self.username, self.password or "") if self.username else None
        return OpenSearch(
            hosts=list(self.urls),
            http_auth=auth,
            ca_certs=self.ca_certs,
            verify_certs=self.verify_certs,
            timeout=self.timeout,
            max_retries=self.retries,
            retry_on_timeout=True,
            # Retry another node on the gateway errors a dying or starting node gives.
            retry_on_status=(502, 503, 504),
            # A node that failed is left alone for a while rather than tried on every request.
            dead_timeout=5,
            # gunicorn threads and test load share one client per process.
            pool_maxsize=16,
        )


def unavailable(exc: Exception, what: str) -> ClusterUnavailable:
    """A ClusterUnavailable whose message says what failed without the client's internals."""
    if isinstance(exc, os_errors.ConnectionTimeout):
        reason = "timed out"
    elif isinstance(exc, os_errors.ConnectionError):
        reason = "cannot connect"
    elif isinstance(exc, os_errors.TransportError):
        reason = f"answered {exc.status_code} ({exc.error})"
    else:
        reason = type(exc).__name__
    return ClusterUnavailable(f"OpenSearch cluster: {what}: {reason}")
