"""The OpenAPI 3.1 description of Pinpoint's HTTP API, served at ``/openapi.json``.

The document lists only the routes an app really serves: ``openapi_document``
takes the app's route templates and describes each from ``PATH_ITEMS``.  A
route with no description is an error (``UndocumentedRoute``) rather than a
silent gap, so the document cannot drift from the router in either direction.
Limits (``limit``, ``offset``, query length) come from the running Config, so
the schema states what this installation accepts.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from falcon import inspect

from pinpoint.index.records import MATCH_MODES
from pinpoint.service.config import Config

OPENAPI_VERSION = "3.1.0"
PROBLEM_JSON = "application/problem+json"
EXPORT_MEDIA_TYPES = (
    "application/x-bibtex",
    "application/vnd.citationstyles.csl+json",
    "application/x-research-info-systems",
    "text/x-bibliography",
)


class UndocumentedRoute(LookupError):
    """The app serves a route the OpenAPI document has no description for."""

    def __init__(self, template: str):
        super().__init__(f"route {template!r} has no description in pinpoint.service.openapi; add one to _path_items")
        self.template = template


def routed_paths(app) -> list[str]:
    """The URI templates an app routes, sorted (from the router itself, so they cannot disagree)."""
    return sorted({route.path for route in inspect.inspect_routes(app)})


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _nullable(kind: str) -> dict[str, Any]:
    return {"type": [kind, "null"]}


def _problem(description: str) -> dict[str, Any]:
    return {"description": description, "content": {PROBLEM_JSON: {"schema": _ref("Problem")}}}


def _json(description: str, schema: dict[str, Any]) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _html(description: str) -> dict[str, Any]:
    return {"description": description, "content": {"text/html": {"schema": {"type": "string"}}}}


def _query(name: str, description: str, schema: dict[str, Any], required: bool = False) -> dict[str, Any]:
    return {"name": name, "in": "query", "required": required, "description": description, "schema": schema}


def _path_param(name: str, description: str, schema: dict[str, Any]) -> dict[str, Any]:
    return {"name": name, "in": "path", "required": True, "description": description, "schema": schema}


def _schemas() -> dict[str, Any]:
    string, integer = {"type": "string"}, {"type": "integer"}
    citation = {
        "type": "object",
        "required": ["style", "reference", "reference_html", "in_text", "complete"],
        "properties": {
            "style": string, "reference": string, "reference_html": string, "in_text": string,
            "note": _nullable("string"), "complete": {"type": "boolean"},
            "warnings": {"type": "array", "items": string},
            "quotation": {"type": "object"},
        },
    }
    source = {
        "type": "object",
        "required": ["id", "title", "authors", "issued", "passage_count", "links"],
        "properties": {
            "id": string, "title": _nullable("string"), "title_origin": string,
            "authors": {"type": "array", "items": string}, "author_note": _nullable("string"),
            "issued": _nullable("string"), "container": _nullable("string"),
            "publisher": _nullable("string"), "url": _nullable("string"), "type": string,
            "passage_count": integer, "metadata_origin": string,
            "collections": {"type": "array", "items": string},
            "links": {"type": "object", "additionalProperties": string},
        },
    }
    passage = {
        "type": "object",
        "required": ["passage_id", "source_id", "number", "paragraph", "paragraph_end", "text"],
        "properties": {
            "passage_id": string, "source_id": string, "number": integer, "paragraph": integer,
            "paragraph_end": integer, "heading": _nullable("string"), "text": string,
            # Printed page labels ("157", "xii") for paginated sources (PDF), null otherwise.
            "page": _nullable("string"), "page_end": _nullable("string"),
        },
    }
    hit = {
        "allOf": [_ref("Passage")],
        "type": "object",
        "required": ["rank", "score", "excerpt", "excerpt_html", "matches", "missing", "source", "citation"],
        "properties": {
            "rank": integer, "score": {"type": "number"}, "excerpt": string,
            "excerpt_html": {"type": "string", "description": "source text escaped once, matched terms in <mark>"},
            "matches": {"type": "array", "items": {
                "type": "object", "required": ["start", "end", "term"],
                "properties": {"start": integer, "end": integer, "term": string}}},
            "missing": {"type": "array", "items": string,
                        "description": "words of a plain query (match=preferred or any) that this passage does "
                                       "not hold, as typed"},
            "source": _ref("Source"), "citation": _ref("Citation"),
        },
    }
    counts = {"type": "object", "additionalProperties": integer}
    return {
        "Problem": {
            "type": "object",
            "description": "RFC 9457 problem details; `detail` says what was wrong and how to fix it",
            "required": ["type", "title", "status", "detail"],
            "properties": {"type": string, "title": string, "status": integer, "detail": string},
        },
        "Citation": citation,
        "Source": source,
        "Passage": passage,
        "Hit": hit,
        "SearchResult": {
            "type": "object",
            "required": ["query", "corrected_query", "total", "limit", "offset", "hits"],
            "properties": {
                "query": string, "corrected_query": _nullable("string"),
                "matched_all_terms": {"type": "boolean"}, "total": integer, "limit": integer,
                "total_relation": {"enum": ["eq", "gte"], "description": "`eq`: `total` counts every match; `gte`: at least `total` match (only a search the posting columns cannot answer, such as a phrase, stops counting past 1,000 matches, unless `exact_total=true`, `facets=true` or `group=source`)"},
                "partial": {"type": "boolean", "description": "true when the search ran out of PINPOINT_SEARCH_SECONDS; hits and total cover the matches found by then"},
                "offset": integer, "style": string, "took_ms": {"type": "number"},
                "facets": {"type": "object", "additionalProperties": counts},
                "hits": {"type": "array", "items": _ref("Hit")},
            },
        },
        "QuoteResult": {
            "type": "object",
            "required": ["quote", "found", "matches"],
            "properties": {
                "quote": string, "normalized_quote": string, "found": {"type": "boolean"},
                "threshold": {"type": "number"}, "style": string, "limit": integer,
                "took_ms": {"type": "number"}, "matches": {"type": "array", "items": {"type": "object"}},
                # Set only when nothing was found: the nearest candidate, never a match.
                "closest": {"type": ["object", "null"]},
            },
        },
        "ReindexStatus": {
            "type": "object",
            "required": ["state"],
            "properties": {
                "state": {"enum": ["idle", "running", "succeeded", "failed"]},
                "started": _nullable("string"), "finished": _nullable("string"),
                "version": _nullable("string"), "message": _nullable("string"),
            },
        },
    }


def _search_parameters(config: Config) -> list[dict[str, Any]]:
    text = {"type": "string", "maxLength": config.max_query_chars}
    return [
        _query("q", "query text: words, \"phrases\", AND/OR/NOT, field:value", {**text, "minLength": 1}, required=True),
        _query("limit", "hits per page", {"type": "integer", "minimum": 1, "maximum": config.max_limit, "default": 10}),
        _query("offset", "hits to skip", {"type": "integer", "minimum": 0, "maximum": config.max_offset, "default": 0}),
        _query("author", "only sources by this author", text),
        _query("title", "only sources whose title has these words", text),
        _query("source", "only this source id", text),
        _query("collection", "only sources in this collection of the reference manager (Zotero)", text),
        _query("year", "a year (2014) or a range (2010..2014, ..2014, 2010..)", {"type": "string"}),
        _query("group", "`source`: at most one hit per source", {"enum": ["source"]}),
        _query("match", "How the words of a plain query combine: `preferred` (default: passages with every word "
               "rank first, passages with some follow), `all` (every word; falls back to any when no passage has "
               "them all) or `any`. A query with operators, fields or groups means what it says.",
               {"enum": list(MATCH_MODES), "default": MATCH_MODES[0]}),
        _query("facets", "counts by source, author and year; counting them visits every match (default false)", {"type": "boolean", "default": False}),
        _query("exact_total", "count every match, so `total_relation` is `eq` (default false: exact up to 1,000)", {"type": "boolean", "default": False}),
        _style(config),
    ]


def _style(config: Config) -> dict[str, Any]:
    return _query("style", f"citation style (default {config.default_style})", {"type": "string"})


_SOURCE_ID = {"type": "string", "description": "a source id as /sources lists it"}
_NOT_READY = "no index has been built yet"


def _path_items(config: Config) -> dict[str, dict[str, Any]]:
    source_id = _path_param("source_id", "source id", _SOURCE_ID)
    number = _path_param("number", "passage number, from 1", {"type": "string", "pattern": "^[0-9]+$"})
    quote_limit = {"type": "integer", "minimum": 1, "maximum": config.max_limit, "default": 5}
    exports = {media: {"schema": {"type": "string"}} for media in EXPORT_MEDIA_TYPES}
    return {
        "/search": {"get": {
            "summary": "ranked passages with highlighted excerpts and citations",
            "parameters": _search_parameters(config),
            "responses": {"200": _json("a page of hits", _ref("SearchResult")),
                          "400": _problem("a parameter or the query is unusable"), "503": _problem(_NOT_READY)}}},
        "/cite": {
            "get": {
                "summary": "where does this quotation come from?",
                "parameters": [
                    _query("quote", "the quotation", {"type": "string", "minLength": 1,
                                                      "maxLength": config.max_quote_chars}, required=True),
                    _query("limit", "sources to return", quote_limit), _style(config)],
                "responses": {"200": _json("matching passages", _ref("QuoteResult")),
                              "400": _problem("the quote or a parameter is unusable"), "503": _problem(_NOT_READY)}},
            "post": {
                "summary": "quote lookup for quotations too long for a URL",
                "requestBody": {"required": True, "content": {"application/json": {"schema": {
                    "type": "object", "required": ["quote"], "additionalProperties": False,
                    "properties": {"quote": {"type": "string", "minLength": 1, "maxLength": config.max_quote_chars},
                                   "style": {"type": "string", "minLength": 1}, "limit": quote_limit}}}}},
                "responses": {"200": _json("matching passages", _ref("QuoteResult")),
                              "400": _problem("the body is not a usable quote request"),
                              "413": _problem("the body is larger than Pinpoint accepts"),
                              "503": _problem(_NOT_READY)}}},
        "/sources": {"get": {
            "summary": "every source with its metadata and passage count",
            "responses": {"200": _json("the library", {"type": "object", "required": ["total", "sources"],
                          "properties": {"total": {"type": "integer"}, "sources": {"type": "array", "items": _ref("Source")}}}),
                          "503": _problem(_NOT_READY)}}},
        "/sources/{source_id}": {"get": {
            "summary": "one source; negotiates BibTeX, CSL-JSON, RIS and formatted references; "
                       "`{id}.bib`, `.ris` and `.json` name a download",
            "parameters": [source_id, _query("format", "bibtex, csl-json, ris, bibliography or json",
                                             {"type": "string"}), _style(config)],
            "responses": {"200": {"description": "the source", "content": {
                "application/json": {"schema": _ref("Source")}, **exports}},
                "400": _problem("unknown format or style"), "404": _problem("no such source"),
                "503": _problem(_NOT_READY)}}},
        "/sources/{source_id}/cite": {"get": {
            "summary": "a citation of the source in a style, optionally pinned to a paragraph",
            "parameters": [source_id, _style(config), _query("paragraph", "paragraph number",
                                                             {"type": "integer", "minimum": 1, "maximum": 10**6})],
            "responses": {"200": _json("the citation", {"type": "object", "required": ["source_id", "citation"],
                          "properties": {"source_id": {"type": "string"}, "paragraph": _nullable("integer"),
                                         "citation": _ref("Citation")}}),
                          "400": _problem("unknown style or bad paragraph"),
                          "404": _problem("no such source or paragraph"), "503": _problem(_NOT_READY)}}},
        "/sources/{source_id}/passages/{number}": {"get": {
            "summary": "one passage with its previous and next neighbours",
            "parameters": [source_id, number, _style(config)],
            "responses": {"200": _json("the passage", {"allOf": [_ref("Passage")], "type": "object",
                          "required": ["source", "citation", "previous", "next"],
                          "properties": {"source": _ref("Source"), "citation": _ref("Citation"),
                                         "previous": {"oneOf": [_ref("Passage"), {"type": "null"}]},
                                         "next": {"oneOf": [_ref("Passage"), {"type": "null"}]}}}),
                          "400": _problem("the passage number is not a positive whole number"),
                          "404": _problem("no such source or passage"), "503": _problem(_NOT_READY)}}},
        "/bibtex": {"get": {
            "summary": "the whole library, or with `q` the sources behind a search, as BibTeX",
            "parameters": [{**p, "required": False} for p in _search_parameters(config)]
                          + [_query("format", "bibtex (default), csl-json or ris", {"type": "string"})],
            "responses": {"200": {"description": "the export", "content": exports},
                          "400": _problem("a parameter or the query is unusable"), "503": _problem(_NOT_READY)}}},
        "/": {"get": {
            "summary": "the search page for people (HTML)",
            "parameters": [_query(name, "as for /search", {"type": "string"})
                           for name in ("q", "author", "source", "year", "collection", "style", "mode", "quote", "page")],
            "responses": {"200": _html("the page"), "400": _html("the page, saying what was wrong"),
                          "503": _html("the page, saying no index is built yet")}}},
        "/passages/{source_id}/{number}": {"get": {
            "summary": "one passage between its neighbours, with its citation (HTML)",
            "parameters": [source_id, number, _style(config), _query("q", "words to keep", {"type": "string"})],
            "responses": {"200": _html("the passage page"), "400": _html("bad passage number or style"),
                          "404": _html("no such source or passage"), "503": _html(_NOT_READY)}}},
        "/health": {"get": {
            "summary": "liveness: the process answers",
            "responses": {"200": _json("alive", {"type": "object", "required": ["status"],
                                                  "properties": {"status": {"const": "ok"}}})}}},
        "/ready": {"get": {
            "summary": "readiness: the index is open",
            "responses": {
                "200": _json("ready", {"type": "object", "required": ["status", "index_version", "passages", "sources"],
                                       "properties": {"status": {"const": "ready"}, "index_version": {"type": "string"},
                                                      "passages": {"type": "integer"}, "sources": {"type": "integer"}}}),
                "503": _json("not ready", {"type": "object", "required": ["status", "detail"],
                                           "properties": {"status": {"const": "not ready"}, "detail": {"type": "string"}}})}}},
        "/metrics": {"get": {
            "summary": "Prometheus metrics: requests and latency by route and status, the served index",
            "responses": {"200": {"description": "Prometheus text exposition format",
                                  "content": {"text/plain": {"schema": {"type": "string"}}}}}}},
        "/openapi.json": {"get": {
            "summary": "this document",
            "responses": {"200": _json("OpenAPI 3.1", {"type": "object", "required": ["openapi", "paths"]})}}},
        "/admin/reindex": {
            "get": {
                "summary": "state of the last re-index started over HTTP",
                "security": [{"adminToken": []}],
                "responses": {"200": _json("the state", _ref("ReindexStatus")),
                              "401": _problem("missing or wrong token"), "404": _problem("re-indexing is not enabled")}},
            "post": {
                "summary": "re-index the configured sources in the background",
                "security": [{"adminToken": []}],
                "responses": {"202": _json("started", _ref("ReindexStatus")),
                              "401": _problem("missing or wrong token"), "404": _problem("re-indexing is not enabled"),
                              "409": _problem("a re-index is already running")}}},
    }


# Every route Pinpoint knows how to describe, as Falcon URI templates.
DESCRIBED_PATHS: frozenset[str] = frozenset(_path_items(Config()))


def openapi_document(paths: Iterable[str], config: Config, *, version: str = "1") -> dict[str, Any]:
    """The OpenAPI 3.1 document for exactly ``paths`` (Falcon URI templates)."""
    items = _path_items(config)
    described: dict[str, Any] = {}
    for template in sorted(paths):
        if template not in items:
            raise UndocumentedRoute(template)
        described[template] = items[template]
    components: dict[str, Any] = {"schemas": _schemas()}
    if "/admin/reindex" in described:
        components["securitySchemes"] = {"adminToken": {
            "type": "http", "scheme": "bearer", "description": "the value of PINPOINT_ADMIN_TOKEN"}}
    return {
        "openapi": OPENAPI_VERSION,
        "info": {
            "title": "Pinpoint",
            "version": version,
            "description": "Full-text search over research sources, answering with cited passages. "
                           "Every error is application/problem+json (RFC 9457) with a human-readable detail.",
        },
        "paths": described,
        "components": components,
    }
