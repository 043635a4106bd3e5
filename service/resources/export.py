from __future__ import annotations

import re

import falcon

from pinpoint.service.citations import Locator, cite
from pinpoint.service.config import Config
from pinpoint.service.errors import bad_request, not_found
from pinpoint.service.exports import (
    FORMATS, STREAM_BLOCK, UnknownFormat, bibliography_format, export_format, render, render_blocks, sources_behind,
)
from pinpoint.service.params import search_request, style_param
from pinpoint.service.representations import citation_json, locator_for, source_json

# Suffixes that name a download of one source: /sources/{id}.bib and friends.
SUFFIX_FORMATS = {".bib": "bibtex", ".ris": "ris", ".json": "csl-json"}
_ACCEPT_STYLE = re.compile(r"style\s*=\s*\"?([A-Za-z0-9._-]+)")


def send_export(resp: falcon.Response, fmt, sources, filename: str, searcher) -> None:
    resp.content_type = f"{fmt.media_type}; charset=utf-8"
    if fmt.streams and searcher is not None and len(sources) > STREAM_BLOCK:
        resp.stream = render_blocks(fmt, sources, searcher)
    else:
        resp.text = render(fmt, sources, searcher)
    resp.downloadable_as = f"{filename}.{fmt.extension}"


class BibtexResource:
    """The whole library, or with ``q`` the sources behind a search, as BibTeX."""

    def __init__(self, index, config: Config):
        self._index = index
        self._config = config

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        searcher = self._index.searcher()
        sources = searcher.sources()
        if req.get_param("q") is not None:
            request = search_request(req, self._config)
            sources = sources_behind(searcher, request)
        fmt = export_format(req.get_param("format") or "bibtex")
        send_export(resp, fmt, sources, "pinpoint", searcher)


class SourceResource:
    """One source: JSON by default, or what the client asks for, as DOI resolvers do."""

    def __init__(self, index, config: Config):
        self._index = index
        self._config = config

    def on_get(self, req: falcon.Request, resp: falcon.Response, source_id: str) -> None:
        searcher = self._index.searcher()
        fmt = None
        for suffix, name in SUFFIX_FORMATS.items():
            # An id may itself contain a dot, so the suffix counts only when the
            # remaining id names a source.
            if source_id.endswith(suffix) and source_id[: -len(suffix)] in self._ids(searcher):
                source_id, fmt = source_id[: -len(suffix)], FORMATS[name]
                break
        source = searcher.source(source_id)
        if fmt is None:
            fmt = self._negotiate(req)
        if fmt is None:
            resp.media = source_json(source)
            resp.vary = ("Accept",)
            return
        send_export(resp, fmt, [source], source.id, searcher)
        resp.vary = ("Accept",)

    @staticmethod
    def _ids(searcher) -> set[str]:
        return {s.id for s in searcher.sources()}

    def _negotiate(self, req: falcon.Request):
        override = req.get_param("format")
        if override:
            if override.lower() in ("json", "application/json"):
                return None
            if override.lower() in ("bibliography", "text"):
                return bibliography_format(style_param(req, self._config))
            try:
                return export_format(override)
            except UnknownFormat as unknown:
                raise bad_request(f"{unknown}, json, bibliography") from None
        offered = ["application/json"] + [f.media_type for f in FORMATS.values()] + ["text/x-bibliography"]
        preferred = req.client_prefers(offered) if req.accept and req.accept != "*/*" else None
        if preferred in (None, "application/json"):
            return None
        if preferred == "text/x-bibliography":
            match = _ACCEPT_STYLE.search(req.accept or "")
            return bibliography_format(match.group(1).lower() if match else style_param(req, self._config))
        return next(f for f in FORMATS.values() if f.media_type == preferred)


class SourceCiteResource:
    """A citation of a source in a style, optionally pinned to a paragraph."""

    def __init__(self, index, config: Config):
        self._index = index
        self._config = config

    def on_get(self, req: falcon.Request, resp: falcon.Response, source_id: str) -> None:
        searcher = self._index.searcher()
        source = searcher.source(source_id)
        style = style_param(req, self._config)
        paragraph = req.get_param_as_int("paragraph", min_value=1, max_value=10**6)
        locator = None
        if paragraph is not None:
            holder, last = passage_holding(searcher, source, paragraph)
            if holder is None:
                raise not_found(f"source {source_id!r} has {last} paragraphs; there is no paragraph {paragraph}")
            # A paginated source is cited by the page that holds the paragraph (every style's form).
            page = getattr(holder, "page", None)
            locator = (locator_for(holder) if page else Locator.paragraph(paragraph, heading=holder.heading))
        citation = cite(source.csl, style, locator)
        resp.media = {"source_id": source.id, "paragraph": paragraph, "citation": citation_json(citation)}


def passage_holding(searcher, source, paragraph: int):
    """(the passage holding ``paragraph`` or None, the source's last paragraph).

    Passages are numbered in paragraph order, so a binary search reads about
    log2(passages) of them; loading every passage to cite one paragraph took
    14.6 s and 1.2 GB on a 200 MB source (issue 16).
    """
    low, high = 1, source.passage_count
    if high < 1:
        return None, 0
    last = searcher.passage(source.id, high).paragraph_end
    while low <= high:
        middle = (low + high) // 2
        passage = searcher.passage(source.id, middle)
        if paragraph < passage.paragraph:
            high = middle - 1
        elif paragraph > passage.paragraph_end:
            low = middle + 1
        else:
            return passage, last
    return None, last
