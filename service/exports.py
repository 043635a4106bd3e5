"""Source metadata in the formats reference managers read, by one name each.

The same table serves content negotiation on /sources/{id}, ?format= overrides,
/bibtex and `pinpoint export`, so a format is added in one place.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Callable

from pinpoint.index.bibliography.bibtex import to_bibtex
import dataclasses

from pinpoint.index.records import SearchRequest, Source
from pinpoint.service.citations import cite
from pinpoint.service.citations.csljson import to_csl_json
from pinpoint.service.citations.ris import to_ris
from pinpoint.index.search.whoosh.searcher import MAX_RESULT_WINDOW


@dataclass(frozen=True)
class ExportFormat:
    name: str
    media_type: str
    extension: str
    render: Callable[[Sequence[dict[str, Any]]], str]


def _bibliography(style: str) -> Callable[[Sequence[dict[str, Any]]], str]:
    def render(items: Sequence[dict[str, Any]]) -> str:
        return "\n".join(cite(item, style).reference for item in items) + "\n"

    return render


FORMATS: dict[str, ExportFormat] = {
    "bibtex": ExportFormat("bibtex", "application/x-bibtex", "bib", to_bibtex),
    "csl-json": ExportFormat("csl-json", "application/vnd.citationstyles.csl+json", "json", to_csl_json),
    "ris": ExportFormat("ris", "application/x-research-info-systems", "ris", to_ris),
}


class UnknownFormat(ValueError):
    def __init__(self, name: str):
        super().__init__(f"unknown export format {name!r}; known formats: {', '.join(FORMATS)}")


def export_format(name: str) -> ExportFormat:
    try:
        return FORMATS[name.strip().lower()]
    except KeyError:
        raise UnknownFormat(name) from None


def bibliography_format(style: str) -> ExportFormat:
    """Formatted references (text/x-bibliography, as DOI resolvers serve it)."""
    return ExportFormat(f"bibliography-{style}", "text/x-bibliography", "txt", _bibliography(style))


# C0 and C1 control characters other than tab and line breaks, and DEL: a NUL
# in one title made biber abort on the whole library's export (issue 16).
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def _without_controls(value: Any) -> Any:
    if isinstance(value, str):
        return _CONTROL.sub("", value)
    if isinstance(value, list):
        return [_without_controls(v) for v in value]
    if isinstance(value, dict):
        return {k: _without_controls(v) for k, v in value.items()}
    return value


def csl_items(sources: Sequence[Source]) -> list[dict[str, Any]]:
    """The sources' CSL items as every export format starts from them, control characters removed."""
    return [_without_controls(dict(source.csl, id=source.id)) for source in sources]


def render(fmt: ExportFormat, sources: Sequence[Source]) -> str:
    return fmt.render(csl_items(sources))


def sources_behind(searcher, request: SearchRequest, window: int = MAX_RESULT_WINDOW) -> list[Source]:
    """Every source with a passage matching ``request``, best first (not one page of hits).

    A search answers at most MAX_RESULT_WINDOW ranked hits, and asking for all
    sources at once was refused past 10,000 (issue 16); the per-source match
    counts cover every matching source, so those past the window follow the
    ranked ones, most matches first.
    """
    everything = dataclasses.replace(
        request,
        limit=max(1, min(len(searcher.sources()), window)),
        offset=0,
        group_by_source=True,
        highlight=False,
        facets=True,
    )
    result = searcher.search(everything)
    ranked = [hit.source for hit in result.hits]
    if result.total <= len(ranked):
        return ranked
    seen = {source.id for source in ranked}
    rest = [searcher.source(sid) for sid in result.facets.get("source", {}) if sid not in seen]
    return ranked + rest
