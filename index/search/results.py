"""What every engine does the same way around its own search: checking a request, counting facets.

An engine finds and scores; the rules a response follows are Pinpoint's,
kept here so a second engine cannot drift from the first.
"""

from __future__ import annotations

from collections import Counter

from pinpoint.index.bibliography.names import author_names
from pinpoint.index.errors import BadQuery
from pinpoint.index.records import MATCH_MODES, SearchRequest, Source

def check_request(request: SearchRequest) -> None:
    """BadQuery for paging or a match mode no engine can run.

    How deep a reader may page is a setting (PINPOINT_MAX_OFFSET), checked by
    the service; code that asks for every match (the sources behind a search)
    asks for as many as there are.
    """
    if request.limit < 1:
        raise BadQuery("limit must be at least 1")
    if request.offset < 0:
        raise BadQuery("offset cannot be negative")
    if request.match not in MATCH_MODES:
        raise BadQuery(f"match must be one of {', '.join(MATCH_MODES)}, not {request.match!r}")


def facets(per_source: dict[str, int], sources: dict[str, Source]) -> dict[str, dict[str, int]]:
    """Match counts by source, author and year, from the counts per source.

    Authors and years belong to sources, so counting them from the per-source
    counts costs nothing over the one count an engine makes.
    """
    authors: Counter[str] = Counter()
    years: Counter[str] = Counter()
    collections: Counter[str] = Counter()
    for source_id, count in per_source.items():
        source = sources.get(source_id)
        if source is None:
            continue
        for name in author_names(source.csl):
            authors[name] += count
        years[str(source.year) if source.year is not None else "n.d."] += count
        for name in source.collections:
            collections[name] += count
    counted = {
        "source": dict(sorted(per_source.items(), key=lambda kv: (-kv[1], kv[0]))),
        "author": dict(sorted(authors.items(), key=lambda kv: (-kv[1], kv[0]))),
        "year": dict(sorted(years.items(), key=lambda kv: kv[0], reverse=True)),
    }
    if collections:  # only libraries from a reference manager have collections
        counted["collection"] = dict(sorted(collections.items(), key=lambda kv: (-kv[1], kv[0])))
    return counted
