"""``GET /cite?quote=...`` and ``POST /cite``: where does this quotation come from?

POST exists for quotes too long for a URL: ``{"quote": "...", "style": "apa",
"limit": 5}`` as ``application/json``.  Both answer the same document.
"""

from __future__ import annotations

import dataclasses
import time
from typing import Any

import falcon

from pinpoint.index.search.quotes import (
    DEFAULT_THRESHOLD,
    QuoteError,
    QuoteMatch,
    QuoteSpan,
    find_quote,
)
from pinpoint.service.citations import STYLES
from pinpoint.service.citations.csl_styles import style_path
from pinpoint.service.config import Config
from pinpoint.service.errors import bad_request
from pinpoint.service.params import style_param, text_param
from pinpoint.service.representations import passage_citation, source_json

DEFAULT_LIMIT = 5
BODY_FIELDS = {"quote", "style", "limit"}


def span_json(span: QuoteSpan) -> dict[str, Any]:
    passage = span.passage
    return {
        "passage_id": passage.id,
        "paragraph": passage.paragraph,
        "paragraph_end": passage.paragraph_end,
        "page": passage.page,
        "page_end": passage.page_end,
        "span": {"start": span.start, "end": span.end},
        "matched_text": span.text,
    }


def quote_match_json(match: QuoteMatch, style: str) -> dict[str, Any]:
    passage = match.passage
    # A quote running on into the next passage is cited for every paragraph it covers.
    page, page_end = match.pages
    cited = dataclasses.replace(passage, paragraph_end=match.last_passage.paragraph_end,
                                page=page, page_end=page_end)
    return {
        "source_id": passage.source_id,
        "passage_id": passage.id,
        "number": passage.number,
        "paragraph": passage.paragraph,
        "paragraph_end": passage.paragraph_end,
        "page": cited.page,
        "page_end": cited.page_end,
        "heading": passage.heading,
        "exact": match.exact,
        "similarity": round(match.similarity, 3),
        "span": {"start": match.start, "end": match.end},
        "matched_text": passage.text[match.start:match.end],
        "continued": [span_json(span) for span in match.continued],
        "source": source_json(match.source),
        "citation": passage_citation(match.source, cited, style, match.matched_text),
        "links": {"passage": f"/sources/{passage.source_id}/passages/{passage.number}"},
    }


class CiteResource:
    def __init__(self, index, config: Config, threshold: float = DEFAULT_THRESHOLD):
        self._index = index
        self._config = config
        self._threshold = threshold

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        quote = text_param(req, "quote", self._config.max_quote_chars, required=True)
        limit = req.get_param_as_int("limit", min_value=1, max_value=self._config.max_limit, default=DEFAULT_LIMIT)
        self._answer(resp, quote, style_param(req, self._config), limit)

    def on_post(self, req: falcon.Request, resp: falcon.Response) -> None:
        body = self._json_body(req)
        quote = self._quote_field(body.get("quote"))
        style = body.get("style", self._config.default_style)
        if not isinstance(style, str) or not style.strip():
            raise bad_request("style must be a style name such as 'apa' (a non-empty string)")
        limit = body.get("limit", DEFAULT_LIMIT)
        # bool is an int in Python; {"limit": true} is a mistake, not 1.
        if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= self._config.max_limit:
            raise bad_request(f"limit must be a whole number from 1 to {self._config.max_limit}, not {limit!r:.40}")
        self._answer(resp, quote, style.strip().lower(), limit)

    def _json_body(self, req: falcon.Request) -> dict[str, Any]:
        media_type = (req.content_type or "").split(";", 1)[0].strip().lower()
        if media_type != "application/json":
            raise bad_request(
                f"POST /cite takes a JSON body (Content-Type: application/json), not {media_type or 'no content type'!r}"
            )
        try:
            body = req.get_media()
        except falcon.MediaNotFoundError:
            raise bad_request('the request body is empty; send {"quote": "..."}') from None
        except falcon.MediaMalformedError as exc:
            cause = exc.__cause__ or exc.description
            raise bad_request(f"the request body is not valid JSON: {cause}") from None
        if not isinstance(body, dict):
            raise bad_request(f'the request body must be a JSON object like {{"quote": "..."}}, not a {type(body).__name__}')
        unknown = sorted(set(body) - BODY_FIELDS)
        if unknown:
            raise bad_request(f"unknown field(s) {', '.join(map(repr, unknown))}; use {', '.join(sorted(BODY_FIELDS))}")
        return body

    def _quote_field(self, quote: Any) -> str:
        if quote is None:
            raise bad_request("the field 'quote' is required")
        if not isinstance(quote, str):
            raise bad_request(f"quote must be a string, not {type(quote).__name__}")
        if not quote.strip():
            raise bad_request("quote must not be empty")
        if len(quote) > self._config.max_quote_chars:
            raise bad_request(f"quote is {len(quote)} characters long; the limit is {self._config.max_quote_chars}")
        if "\x00" in quote:
            raise bad_request("quote must not contain NUL characters")
        return quote

    def _answer(self, resp: falcon.Response, quote: str, style: str, limit: int) -> None:
        started = time.perf_counter()
        if style not in STYLES:
            # Fails now, with UnknownStyle (a 400), even when nothing matches.
            style_path(style)
        try:
            result = find_quote(self._index.searcher(), quote, limit=limit, threshold=self._threshold)
        except QuoteError as unusable:
            raise bad_request(str(unusable)) from None
        resp.media = {
            "quote": quote,
            "normalized_quote": result.normalized_quote,
            "found": result.found,
            "threshold": self._threshold,
            "style": style,
            "limit": limit,
            "took_ms": round((time.perf_counter() - started) * 1000, 2),
            "matches": [quote_match_json(match, style) for match in result.matches],
        }
