from __future__ import annotations

import time
from dataclasses import replace

import falcon

from pinpoint.service.cache import VersionedMemo
from pinpoint.service.config import Config
from pinpoint.service.params import search_request, style_param
from pinpoint.service.representations import hit_json


class SearchResource:
    def __init__(self, index, config: Config):
        self._index = index
        self._config = config
        self._memo = VersionedMemo()

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        started = time.perf_counter()
        request = search_request(req, self._config)
        # Counting every match per source, author and year is skipped unless asked for.
        request = replace(request, facets=req.get_param_as_bool("facets", default=True))
        style = style_param(req, self._config)
        searcher = self._index.searcher()
        result = searcher.search(request)
        hits = [hit_json(hit, style, self._memo, searcher.version) for hit in result.hits]
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
