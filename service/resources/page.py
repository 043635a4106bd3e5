"""The search page for people: server-rendered HTML over the records the API returns.

Everything a reader needs works without JavaScript (GET forms, links, ``<details>``);
``/static/pinpoint.js`` only adds copy buttons and submit-on-change.  The page builds
its data with the same ``pinpoint.service.representations`` helpers as the JSON routes, so a
hit looks the same in both.  Templates autoescape; the only pre-built HTML that
reaches them (``excerpt_html``, ``reference_html``) is checked to carry nothing but
the one tag it is meant to carry before it is marked safe.
"""

from __future__ import annotations

import dataclasses
import logging
import math
import re
from pathlib import Path
from typing import Any
from urllib.parse import quote as url_quote
from urllib.parse import urlencode

import falcon
from jinja2 import Environment, FileSystemLoader
from markupsafe import Markup, escape

from pinpoint.index.errors import BadQuery, IndexNotFound, UnknownPassage, UnknownSource
from pinpoint.index.extras import MissingExtra
from pinpoint.index.search.quotes import QuoteError, find_quote
from pinpoint.service.citations import STYLES, UnknownStyle
from pinpoint.service.cache import VersionedMemo
from pinpoint.service.config import Config
from pinpoint.service.metrics import cache_lookups
from pinpoint.service.params import check_window, passage_number, search_request, style_param, text_param
from pinpoint.service.representations import (
    hit_json,
    neighbours,
    passage_citation,
    passage_json,
    quote_citation,
    source_json,
)
from pinpoint.service.result_cache import ResultCache

SERVICE_DIR = Path(__file__).resolve().parents[1]
TEMPLATES_DIR = SERVICE_DIR / "templates"
STATIC_DIR = SERVICE_DIR / "static"

RESULTS_PER_PAGE = 10
PAGE_LINKS = 7  # page numbers shown around the current one
FACET_VALUES = 8

_STATE_KEYS = ("mode", "q", "quote", "source", "author", "year", "collection", "group", "style", "page")
_FILTERS = (("source", "Source"), ("author", "Author"), ("year", "Year"), ("collection", "Collection"))


log = logging.getLogger("pinpoint.page")

_ENVIRONMENT = Environment(
    loader=FileSystemLoader(TEMPLATES_DIR),
    autoescape=True,  # every template, whatever its name: source text is untrusted
    trim_blocks=True,
    lstrip_blocks=True,
)


def trusted_markup(html_text: str | None, allowed_tag: str, plain: str) -> Markup:
    """``html_text`` as markup if its only tags are ``<allowed_tag>``, else ``plain`` escaped.

    The engine and the citation styles escape what they build; this guard means
    a slip there shows up as visible tags rather than as markup from a source.
    """
    if html_text and "<" not in re.sub(rf"</?{allowed_tag}>", "", html_text):
        return Markup(html_text)
    return escape(plain or "")


def locator_label(paragraph: int, paragraph_end: int | None = None,
                  page: str | None = None, page_end: str | None = None) -> str:
    if page:
        return f"pp. {page}–{page_end}" if page_end and page_end != page else f"p. {page}"
    if paragraph_end and paragraph_end != paragraph:
        return f"paras. {paragraph}–{paragraph_end}"
    return f"para. {paragraph}"


def passage_page_url(source_id: str, number: int, **params: str | None) -> str:
    query = urlencode([(k, v) for k, v in params.items() if v])
    return f"/passages/{url_quote(source_id, safe='')}/{number}" + (f"?{query}" if query else "")


def page_url(state: dict[str, Any], **changes: Any) -> str:
    """A bookmarkable URL of the page: ``state`` with ``changes`` (None removes a key)."""
    merged = {**state, **changes}
    pairs = [(key, str(merged[key])) for key in _STATE_KEYS if merged.get(key) not in (None, "")]
    return "/?" + urlencode(pairs) if pairs else "/"


def source_view(source: dict[str, Any]) -> dict[str, Any]:
    """``source_json`` plus the links the page shows."""
    base = f"/sources/{url_quote(source['id'], safe='')}"
    url = source.get("url") or ""
    return {
        **source,
        # Only web links: a javascript: URL in metadata must not become a link.
        "link": url if re.match(r"^https?://", url, re.IGNORECASE) else None,
        "zotero_link": (source.get("links") or {}).get("zotero"),
        "downloads": {
            "bibtex": f"{base}?format=bibtex",
            "ris": f"{base}?format=ris",
            "csl_json": f"{base}?format=csl-json",
        },
    }


def citation_view(citation: dict[str, Any]) -> dict[str, Any]:
    markup = trusted_markup(citation.get("reference_html"), "i", citation.get("reference", ""))
    return {**citation, "reference_markup": markup}


def style_choices(current: str) -> dict[str, str]:
    # A CSL style named in the URL (say "nature") stays selectable and selected.
    return STYLES if current in STYLES else {**STYLES, current: current}


def problem_view(exc: Exception) -> tuple[str, dict[str, str]]:
    """HTTP status and what the page says for an error it can explain."""
    if isinstance(exc, IndexNotFound):
        return falcon.HTTP_503, {
            "title": "No index to search yet",
            "detail": str(exc),
            "next_step": "Build one with `pinpoint index` (or `make index`), then reload this page.",
        }
    if isinstance(exc, (UnknownSource, UnknownPassage)):
        return falcon.HTTP_404, {
            "title": "Not in the index",
            "detail": str(exc),
            "next_step": "The index may have been rebuilt since this link was made: search for the passage again.",
        }
    if isinstance(exc, MissingExtra):
        return falcon.HTTP_501, {
            "title": "This server cannot render that style",
            "detail": str(exc),
            "next_step": "Pick one of the built-in styles from the list, or ask the operator to install the extra.",
        }
    if isinstance(exc, UnknownStyle):
        detail, step = str(exc), "Pick a style from the list and search again."
    elif isinstance(exc, QuoteError):
        detail, step = str(exc), "Paste a longer stretch of the quotation and try again."
    elif isinstance(exc, BadQuery):
        detail = str(exc)
        step = "Fix the query and search again; “How to write a query” below shows what Pinpoint understands."
    else:  # falcon.HTTPError from parameter validation
        detail = exc.description or exc.title
        step = "Correct the value in the form and try again."
    status = exc.status if isinstance(exc, falcon.HTTPError) else falcon.HTTP_400
    return status, {"title": "That request could not run", "detail": detail, "next_step": step}


def unexpected_problem(req: falcon.Request) -> tuple[str, dict[str, str]]:
    log.exception("unhandled error on page %s %s", req.method, req.path)
    return falcon.HTTP_500, {
        "title": "Something went wrong on our side",
        "detail": "Pinpoint hit an internal error answering this request; it has been logged.",
        "next_step": "Try again, or with another citation style; tell the operator if it persists.",
    }


_EXPLAINED = (falcon.HTTPError, BadQuery, MissingExtra, UnknownStyle, QuoteError, IndexNotFound, UnknownSource, UnknownPassage)


def render(resp: falcon.Response, template: str, status: str = falcon.HTTP_200, **context: Any) -> None:
    resp.status = status
    resp.content_type = falcon.MEDIA_HTML
    resp.text = _ENVIRONMENT.get_template(template).render(**context)


class PageResource:
    """``GET /``: search passages (``q`` and filters) or, with ``mode=quote``, find a quote's source."""

    def __init__(self, index, config: Config):
        self._index = index
        self._config = config
        # Citations formatted once per index version, as /search does.
        self._memo = VersionedMemo()
        self._results = ResultCache(config.result_cache, on_lookup=cache_lookups("results"))

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        style = style_param(req, self._config)
        mode = "quote" if req.get_param("mode") == "quote" else "search"
        state = {key: (req.get_param(key) or "").strip() or None for key in _STATE_KEYS}
        state["mode"] = "quote" if mode == "quote" else None
        context: dict[str, Any] = {
            "mode": mode,
            "q": state["q"],
            "quote": req.get_param("quote"),
            "filters": {key: state[key] for key, _ in _FILTERS},
            "one_per_source": state["group"] == "source",
            "style": style,
            "styles": style_choices(style),
            "style_name": STYLES.get(style, style),
            "max_query_chars": self._config.max_query_chars,
            "max_quote_chars": self._config.max_quote_chars,
            "search_mode_url": page_url(state, mode=None, quote=None, page=None),
            "quote_mode_url": page_url({"style": state["style"], "quote": state["quote"]}, mode="quote"),
            "source_options": [],
        }
        status = falcon.HTTP_200
        try:
            searcher = self._index.searcher()
            sources = {s.id: s for s in searcher.sources()}
            context["source_options"] = [
                {"id": s.id, "label": s.title or s.id} for s in sorted(sources.values(), key=lambda s: (s.title or s.id).lower())
            ]
            if mode == "quote" and req.get_param("quote") is not None:
                context["quote_result"] = self._quote(req, searcher, style, state)
            elif mode == "search" and state["q"]:
                context["result"] = self._search(req, searcher, sources, style, state)
        except _EXPLAINED as exc:
            status, context["error"] = problem_view(exc)
        except Exception:  # noqa: BLE001 - a page answers HTML whatever failed; the API answers problem+json
            status, context["error"] = unexpected_problem(req)
        render(resp, "search.html", status, **context)

    def _search(self, req, searcher, sources, style: str, state: dict[str, Any]) -> dict[str, Any]:
        request = search_request(req, self._config, default_limit=RESULTS_PER_PAGE, default_facets=True)
        last_page = self._config.max_offset // request.limit + 1
        page = req.get_param_as_int("page", min_value=1, max_value=last_page, default=1)
        request = dataclasses.replace(request, offset=(page - 1) * request.limit)
        check_window(request, self._config)
        result = self._results.search(searcher, request)
        # At most one page of cards even if an engine hands back more than asked.
        hits = [self._hit_view(hit_json(hit, style, self._memo, searcher.version), state)
                for hit in result.hits[: request.limit]]
        page_count = max(1, math.ceil(result.total / request.limit))
        first = request.offset + 1
        view: dict[str, Any] = {
            "total": result.total,
            "total_is_lower_bound": result.total_relation == "gte",
            "corrected_query": result.corrected_query,
            "corrected_url": page_url(state, q=result.corrected_query, page=None) if result.corrected_query else None,
            "matched_all_terms": result.matched_all_terms,
            "hits": hits,
            "first": first,
            "last": request.offset + len(hits),
            "page": page,
            "page_count": page_count,
            "last_page_url": page_url(state, page=page_count if page_count > 1 else None),
            "top_score": max((h["score"] for h in hits), default=1.0) or 1.0,
            "bibtex_url": "/bibtex?" + urlencode([(k, state[k]) for k in ("q", "source", "author", "year") if state[k]]),
            "active_filters": [
                {"label": label, "value": self._filter_value(key, state[key], sources),
                 "remove_url": page_url(state, **{key: None, "page": None})}
                for key, label in _FILTERS if state[key]
            ],
            "unfiltered_url": page_url(state, source=None, author=None, year=None, collection=None, page=None),
        }
        view.update(self._pages(state, page, page_count))
        view["facets"], view["facets_note"] = self._facets(result.facets, hits, sources, state)
        return view

    @staticmethod
    def _filter_value(key: str, value: str, sources) -> str:
        if key == "source" and value in sources:
            return sources[value].title or value
        return value

    @staticmethod
    def _hit_view(hit: dict[str, Any], state: dict[str, Any]) -> dict[str, Any]:
        return {
            **hit,
            "source": source_view(hit["source"]),
            "citation": citation_view(hit["citation"]),
            "excerpt_markup": trusted_markup(hit["excerpt_html"], "mark", hit["excerpt"]),
            "locator": locator_label(hit["paragraph"], hit["paragraph_end"], hit.get("page"), hit.get("page_end")),
            "passage_url": passage_page_url(hit["source_id"], hit["number"], q=state["q"], style=state["style"]),
        }

    @staticmethod
    def _pages(state, page: int, page_count: int) -> dict[str, Any]:
        low = max(1, min(page - PAGE_LINKS // 2, page_count - PAGE_LINKS + 1))
        numbers = range(low, min(page_count, low + PAGE_LINKS - 1) + 1)
        url = lambda n: page_url(state, page=n if n > 1 else None)  # noqa: E731
        return {
            "pages": [{"number": n, "url": url(n), "current": n == page} for n in numbers],
            "previous_url": url(page - 1) if 1 < page <= page_count else None,
            "next_url": url(page + 1) if page < page_count else None,
        }

    @staticmethod
    def _facets(facets, hits, sources, state) -> tuple[list[dict[str, Any]], str | None]:
        note = None
        if not facets:
            # An engine without facets: count what this page shows, and say so.
            facets = {"source": {}, "author": {}, "year": {}}
            for hit in hits:
                for key, value in (("source", hit["source_id"]), ("year", (hit["source"]["issued"] or "n.d.")[:4])):
                    facets[key][value] = facets[key].get(value, 0) + 1
                for name in hit["source"]["authors"]:
                    facets["author"][name] = facets["author"].get(name, 0) + 1
            note = "Counted over the passages on this page only."
        groups = []
        for key, label in _FILTERS:
            values = []
            for value, count in list((facets.get(key) or {}).items())[:FACET_VALUES]:
                active = (state[key] or "").lower() == value.lower()
                filterable = not (key == "year" and not value.isdigit())  # "n.d." is not a year to filter on
                values.append({
                    "label": sources[value].title or value if key == "source" and value in sources else value,
                    "count": count,
                    "active": active,
                    "url": page_url(state, **{key: None if active else value, "page": None}) if filterable else None,
                })
            if values:
                groups.append({"name": key, "label": label, "values": values})
        return groups, note

    def _quote(self, req, searcher, style: str, state: dict[str, Any]) -> dict[str, Any]:
        quote = text_param(req, "quote", self._config.max_quote_chars, required=True)
        result = find_quote(searcher, quote, time_limit=self._config.search_seconds)
        matches = []
        for match in result.matches:
            passage, source = match.passage, match.source
            text = passage.text
            marked = escape(text[: match.start]) + Markup("<mark>") + escape(text[match.start: match.end]) + Markup("</mark>") + escape(text[match.end:])
            matches.append({
                "exact": match.exact,
                "similarity_percent": math.floor(match.similarity * 100),
                "source": source_view(source_json(source)),
                "heading": passage.heading,
                "locator": locator_label(match.paragraph, match.paragraph_end, *match.pages),
                "passage_url": passage_page_url(source.id, passage.number, style=state["style"]),
                "text_markup": marked + (Markup(" <span class=\"continued\">(continues in the next passage)</span>") if match.continued else ""),
                "citation": citation_view(quote_citation(match, style)),
            })
        words = re.findall(r"\w+", quote)[:12]
        closest = None
        if result.closest is not None:
            near = result.closest
            closest = {
                "text": near.matched_text,
                "similarity_percent": math.floor(near.similarity * 100),
                "title": near.source.title,
                "locator": locator_label(near.paragraph, near.paragraph_end),
                "passage_url": passage_page_url(near.source.id, near.passage.number, style=state["style"]),
            }
        return {
            "found": result.found,
            "matches": matches,
            "closest": closest,
            "search_url": page_url({"style": state["style"]}, q=" ".join(words)),
        }


class PassagePageResource:
    """``GET /passages/{source_id}/{number}``: one passage between its neighbours, with its citation."""

    def __init__(self, index, config: Config):
        self._index = index
        self._config = config

    def on_get(self, req: falcon.Request, resp: falcon.Response, source_id: str, number: str) -> None:
        style = style_param(req, self._config)
        q = (req.get_param("q") or "").strip() or None
        base = {
            "mode": "search",
            "q": q,
            "style": style,
            "styles": style_choices(style),
            "style_name": STYLES.get(style, style),
            "search_mode_url": page_url({"q": q, "style": req.get_param("style")}),
            "quote_mode_url": page_url({"style": req.get_param("style")}, mode="quote"),
        }
        try:
            context = self._passage(source_id, passage_number(number), style, q)
        except _EXPLAINED as exc:
            status, error = problem_view(exc)
            render(resp, "problem.html", status, error=error, **base)
            return
        except Exception:  # noqa: BLE001 - as on the search page
            status, error = unexpected_problem(req)
            render(resp, "problem.html", status, error=error, **base)
            return
        render(resp, "passage.html", **base, **context, back_url=base["search_mode_url"])

    def _passage(self, source_id: str, number: int, style: str, q: str | None) -> dict[str, Any]:
        searcher = self._index.searcher()
        source = searcher.source(source_id)
        passage = searcher.passage(source_id, number)
        citation = citation_view(passage_citation(source, passage, style, passage.text))
        around = {}
        for name, near in zip(("previous", "next"), neighbours(searcher, passage)):
            if near is not None:
                view = passage_json(near)
                view["locator"] = locator_label(near.paragraph, near.paragraph_end, near.page, near.page_end)
                view["url"] = passage_page_url(source_id, near.number, q=q, style=style)
                around[name] = view
        return {
            "source": source_view(source_json(source)),
            "passage": passage_json(passage),
            "locator": locator_label(passage.paragraph, passage.paragraph_end, passage.page, passage.page_end),
            "citation": citation,
            "self_url": passage_page_url(source_id, number),
            "json_url": f"/sources/{url_quote(source_id, safe='')}/passages/{number}",
            "previous": around.get("previous"),
            "next": around.get("next"),
        }
