"""``GET /openapi.json``: the OpenAPI 3.1 document of the routes this app serves."""

from __future__ import annotations

import json

import falcon

from pinpoint.service.config import Config
from pinpoint.service.openapi import openapi_document, routed_paths


class OpenApiResource:
    """Describes ``app``'s routes as they are at the first request.

    Routes are read then, not at construction, because the app is still
    being wired when this resource is created; the document is built once.
    """

    def __init__(self, app: falcon.App, config: Config):
        self._app = app
        self._config = config
        self._body: str | None = None

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        if self._body is None:
            self._body = json.dumps(openapi_document(routed_paths(self._app), self._config))
        resp.content_type = falcon.MEDIA_JSON
        resp.text = self._body
