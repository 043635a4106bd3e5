"""Source metadata in the formats reference managers read, by one name each.

The same table serves content negotiation on /sources/{id}, ?format= overrides,
/bibtex and `pinpoint export`, so a format is added in one place.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
import dataclasses
import weakref
from typing import Any, Callable

from pinpoint.index.bibliography.bibtex import to_bibtex
from pinpoint.index.bibliography.keys import citation_keys
from pinpoint.index.records import SearchRequest, Source
from pinpoint.service.citations import cite
from pinpoint.service.citations.csljson import to_csl_json
from pinpoint.service.citations.ris import to_ris


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


def csl_items(sources: Sequence[Source], keys: dict[str, str] | None = None) -> list[dict[str, Any]]:
    """CSL items, each naming its file (``_file``: BibTeX ``file``, RIS ``L1``)
    and, given ``keys``, carrying its citation key (``_key``)."""
    items = []
    for source in sources:
        item = dict(source.csl, id=source.id, _file=source.path)
        if keys and source.id in keys:
            item["_key"] = keys[source.id]
        items.append(item)
    return items


# Keys of the whole library, per searcher (one index version): computed once.
_LIBRARY_KEYS: "weakref.WeakKeyDictionary[Any, dict[str, str]]" = weakref.WeakKeyDictionary()


def library_keys(searcher) -> dict[str, str]:
    """Source id -> citation key, decided over the whole library.

    Keys are assigned across every source the index holds, whatever an
    export contains, so a source keeps its key whether it is exported alone,
    with a search's sources or with the whole library.
    """
    try:
        return _LIBRARY_KEYS[searcher]
    except (KeyError, TypeError):
        pass
    library = searcher.sources()
    keys = dict(zip((s.id for s in library), citation_keys(csl_items(library))))
    try:
        _LIBRARY_KEYS[searcher] = keys
    except TypeError:
        pass
    return keys


def render(fmt: ExportFormat, sources: Sequence[Source], searcher=None) -> str:
    return fmt.render(csl_items(sources, library_keys(searcher) if searcher is not None else None))


def sources_behind(searcher, request: SearchRequest) -> list[Source]:
    """Every source with a passage matching ``request``, best first (not one page of hits)."""
    everything = dataclasses.replace(
        request,
        limit=max(1, len(searcher.sources())),
        offset=0,
        group_by_source=True,
        highlight=False,
        facets=False,
    )
    return [hit.source for hit in searcher.search(everything).hits]
