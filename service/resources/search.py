from __future__ import annotations

import time
import falcon

from pinpoint.service.cache import VersionedMemo
from pinpoint.service.config import Config
from pinpoint.service.metrics import cache_lookups
from pinpoint.service.params import search_request, style_param
from pinpoint.service.representations import search_json
from pinpoint.service.result_cache import ResultCache


class SearchResource:
    def __init__(self, index, config: Config):
        self._index = index
        self._config = config
        self._memo = VersionedMemo(on_lookup=cache_lookups("render"))
        self._results = ResultCache(config.result_cache, on_lookup=cache_lookups("results"))

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        started = time.perf_counter()
        request = search_request(req, self._config)
        style = style_param(req, self._config)
        searcher = self._index.searcher()
        result = self._results.search(searcher, request)
        took_ms = (time.perf_counter() - started) * 1000
        resp.media = search_json(result, request, style, took_ms, self._memo, searcher.version)
