"""``GET``/``POST /admin/reindex``: re-index the configured sources without a restart.

Off unless a token is configured (``PINPOINT_ADMIN_TOKEN``); then every
request must carry ``Authorization: Bearer <token>``.  Without a token the
route answers exactly like a route that does not exist, so it is invisible.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import falcon

from pinpoint.index.store.library import LibraryError, read_library
from pinpoint.service.admin import ReindexRunning, read_status, start_reindex, token_matches
from pinpoint.service.errors import ProblemError


class ReindexResource:
    def __init__(self, index_dir: Path, sources: Sequence[Path], token: str | None):
        self._index_dir = Path(index_dir)
        self._sources = tuple(Path(s) for s in sources)
        self._token = token or None

    def _authorize(self, req: falcon.Request) -> None:
        if self._token is None:
            raise falcon.HTTPRouteNotFound()
        if not token_matches(self._token, req.get_header("Authorization")):
            error = ProblemError(falcon.HTTP_401, "send Authorization: Bearer <the PINPOINT_ADMIN_TOKEN value>")
            error.headers = {"WWW-Authenticate": 'Bearer realm="pinpoint-admin"'}
            raise error

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        self._authorize(req)
        resp.media = read_status(self._index_dir)
        resp.cache_control = ["no-store"]

    def on_post(self, req: falcon.Request, resp: falcon.Response) -> None:
        self._authorize(req)
        try:
            # The library file names what the index is built from; the
            # configured sources only seed an index that has none yet.
            status = start_reindex(self._index_dir, read_library(self._index_dir) or self._sources)
        except LibraryError:
            raise ProblemError(falcon.HTTP_500, "the library file beside the index cannot be read; fix or delete it") from None
        except ReindexRunning as running:
            raise ProblemError(falcon.HTTP_409, str(running)) from None
        resp.status = falcon.HTTP_202
        resp.media = status
        resp.cache_control = ["no-store"]
        resp.location = "/admin/reindex"
