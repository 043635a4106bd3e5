"""The OpenSearch engine: Pinpoint's passages and sources served from a cluster.

Everything OpenSearch-specific lives here, and only here is ``opensearchpy``
imported.  ``mapping`` is the analyzer and ranking, ``store`` the versions and
their aliases, ``writer`` the bulk writer, ``compile`` the query tree into the
query DSL, ``searcher`` the searches, ``marks`` the highlights, ``engine``
the class the engine seam names, ``sync`` publishing another index's records.
"""

from pinpoint.index.search.opensearch.engine import OpenSearchEngine

__all__ = ["OpenSearchEngine"]
