"""Query-parameter validation shared by the resources.

Falcon's ``get_param_as_*`` already answer 400 with the parameter's name; the
helpers here add Pinpoint's own rules (years, styles, limits from Config).
"""

from __future__ import annotations

import re

import falcon

from pinpoint.index.errors import BadQuery
from pinpoint.index.records import MATCH_MODES, SearchRequest
from pinpoint.service.config import Config
from pinpoint.service.errors import bad_request

_YEAR_RANGE = re.compile(r"^\s*(\d{1,4})?\s*(?:\.\.\s*(\d{1,4})?)?\s*$")


_PASSAGE_NUMBER = re.compile(r"^[0-9]{1,9}$")


def passage_number(raw: str) -> int:
    """The N of /sources/{id}/passages/{N}: ASCII digits only (str.isdigit() admits '²')."""
    if not _PASSAGE_NUMBER.match(raw) or int(raw) < 1:
        raise bad_request(f"a passage number is a positive whole number, not {raw[:40]!r}")
    return int(raw)


def year_range(raw: str | None) -> tuple[int | None, int | None]:
    """'2014' -> (2014, 2014); '2010..2014' -> (2010, 2014); '..2014' and '2010..' are open."""
    if raw is None or raw.strip() == "":
        return None, None
    m = _YEAR_RANGE.match(raw)
    if not m or (m.group(1) is None and m.group(2) is None):
        raise bad_request(f"year must be a year or a range like 2010..2014, not {raw[:40]!r}")
    low = int(m.group(1)) if m.group(1) else None
    high = int(m.group(2)) if m.group(2) else None
    if ".." not in raw:
        high = low
    if low is not None and high is not None and low > high:
        raise bad_request(f"year range {raw!r} ends before it starts")
    return low, high


def text_param(req: falcon.Request, name: str, max_chars: int, required: bool = False) -> str | None:
    value = req.get_param(name)
    if value is None or not value.strip():
        if required:
            raise bad_request(f"the query parameter {name!r} is required and must not be empty")
        return None
    if len(value) > max_chars:
        raise bad_request(f"{name} is {len(value)} characters long; the limit is {max_chars}")
    if "\x00" in value:
        raise bad_request(f"{name} must not contain NUL characters")
    return value


def style_param(req: falcon.Request, config: Config) -> str:
    return (req.get_param("style") or config.default_style).strip().lower()


def search_request(req: falcon.Request, config: Config, *, default_limit: int = 10,
                   default_facets: bool = False) -> SearchRequest:
    """The API leaves facets out unless asked (they mean counting every match);
    the page, which shows them, asks with ``default_facets``."""
    q = text_param(req, "q", config.max_query_chars, required=True)
    limit = req.get_param_as_int("limit", min_value=1, max_value=config.max_limit, default=default_limit)
    offset = req.get_param_as_int("offset", min_value=0, max_value=config.max_offset, default=0)
    group = req.get_param("group")
    if group not in (None, "", "source"):
        raise bad_request(f"group must be 'source' (or absent), not {group[:40]!r}")
    match = req.get_param("match") or MATCH_MODES[0]
    if match not in MATCH_MODES:
        raise bad_request(f"match must be 'preferred' (the default: passages with every word first), "
                          f"'all' (every word) or 'any', not {match[:40]!r}")
    year_from, year_to = year_range(req.get_param("year"))
    request = SearchRequest(
        q=q,
        limit=limit,
        offset=offset,
        author=text_param(req, "author", config.max_query_chars),
        title=text_param(req, "title", config.max_query_chars),
        source=text_param(req, "source", config.max_query_chars),
        collection=text_param(req, "collection", config.max_query_chars),
        year_from=year_from,
        year_to=year_to,
        group_by_source=group == "source",
        match=match,
        facets=req.get_param_as_bool("facets", default=default_facets),
        exact_total=req.get_param_as_bool("exact_total", default=False),
        time_limit=config.search_seconds,
    )
    check_window(request, config)
    return request


def check_window(request: SearchRequest, config: Config) -> None:
    """Deeper than PINPOINT_MAX_OFFSET is a scraper, not a reader."""
    if request.offset + request.limit > config.max_offset:
        raise BadQuery(f"offset + limit may not exceed {config.max_offset}")
