from __future__ import annotations

import falcon

from pinpoint.service.config import Config
from pinpoint.service.params import passage_number, style_param
from pinpoint.service.representations import passage_citation, passage_json, source_json


class SourcesResource:
    def __init__(self, index):
        self._index = index

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        sources = self._index.searcher().sources()
        resp.media = {"total": len(sources), "sources": [source_json(s) for s in sources]}


class PassageResource:
    """One passage with its neighbours, so a reader sees the quote in context."""

    def __init__(self, index, config: Config):
        self._index = index
        self._config = config

    def on_get(self, req: falcon.Request, resp: falcon.Response, source_id: str, number: str) -> None:
        wanted = passage_number(number)
        searcher = self._index.searcher()
        source = searcher.source(source_id)
        passage = searcher.passage(source_id, wanted)
        style = style_param(req, self._config)
        body = passage_json(passage, source)
        body["source"] = source_json(source)
        body["citation"] = passage_citation(source, passage, style, passage.text)
        body["previous"] = self._neighbour(searcher, source_id, passage.number - 1)
        body["next"] = self._neighbour(searcher, source_id, passage.number + 1)
        resp.media = body

    @staticmethod
    def _neighbour(searcher, source_id: str, number: int):
        if number < 1 or number > searcher.source(source_id).passage_count:
            return None
        return passage_json(searcher.passage(source_id, number))
