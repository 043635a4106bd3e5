from __future__ import annotations

import falcon

from pinpoint.index.errors import IndexNotFound


class HealthResource:
    """Liveness: the process answers. Says nothing about the index on purpose."""

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        resp.media = {"status": "ok"}


class ReadyResource:
    """Readiness: the index is open and answering."""

    def __init__(self, index):
        self._index = index

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        try:
            searcher = self._index.searcher()
        except IndexNotFound as missing:
            resp.status = falcon.HTTP_503
            resp.media = {"status": "not ready", "detail": str(missing)}
            return
        resp.media = {
            "status": "ready",
            "index_version": searcher.version,
            "passages": searcher.passage_count,
            "sources": len(searcher.sources()),
        }
