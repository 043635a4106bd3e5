from __future__ import annotations

import time

import falcon

from service.config import Config
from service.params import search_request, style_param
from service.representations import hit_json


class SearchResource:
    def __init__(self, index, config: Config):
        self._index = index
        self._config = config

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        started = time.perf_counter()
        request = search_request(req, self._config)
        style = style_param(req, self._config)
        result = self._index.searcher().search(request)
        hits = [hit_json(hit, style) for hit in result.hits]
        resp.media = {
            "query": result.query,
            "corrected_query": result.corrected_query,
            "matched_all_terms": result.matched_all_terms,
            "total": result.total,
            "limit": request.limit,
            "offset": request.offset,
            "style": style,
            "took_ms": round((time.perf_counter() - started) * 1000, 2),
            "facets": result.facets,
            "hits": hits,
        }
