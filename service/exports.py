"""Source metadata in the formats reference managers read, by one name each.

The same table serves content negotiation on /sources/{id}, ?format= overrides,
/bibtex and `pinpoint export`, so a format is added in one place.
"""

from __future__ import annotations

import dataclasses
import re
import weakref
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Callable

from pinpoint.index.bibliography.bibtex import to_bibtex

from pinpoint.index.records import SearchRequest, Source
from pinpoint.service.citations import NUMBERED_STYLES, cite, year_suffixes
from pinpoint.index.bibliography.csljson import to_csl_json
from pinpoint.index.bibliography.keys import citation_keys
from pinpoint.index.bibliography.ris import to_ris


@dataclass(frozen=True)
class ExportFormat:
    name: str
    media_type: str
    extension: str
    render: Callable[[Sequence[dict[str, Any]]], str]
    # Entries stand alone once their keys are decided over the library, so
    # the export can be written a block of entries at a time.
    streams: bool = False


_FIRST_NUMBER = re.compile(r"^(\[?)1([.\]])")


def _bibliography(style: str) -> Callable[[Sequence[dict[str, Any]]], str]:
    def render(items: Sequence[dict[str, Any]]) -> str:
        # Works cited alike get 2020a/2020b; a numbered style's entries are numbered in order.
        suffixes = year_suffixes(list(items), style)
        lines = []
        for number, (item, suffix) in enumerate(zip(items, suffixes), start=1):
            reference = cite(item, style, year_suffix=suffix).reference
            lines.append(_FIRST_NUMBER.sub(lambda m: f"{m.group(1)}{number}{m.group(2)}", reference, count=1)
                         if style.strip().lower() in NUMBERED_STYLES else reference)
        return "\n".join(lines) + "\n"

    return render


FORMATS: dict[str, ExportFormat] = {
    "bibtex": ExportFormat("bibtex", "application/x-bibtex", "bib", to_bibtex, streams=True),
    "csl-json": ExportFormat("csl-json", "application/vnd.citationstyles.csl+json", "json", to_csl_json),
    "ris": ExportFormat("ris", "application/x-research-info-systems", "ris", to_ris, streams=True),
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


def csl_items(sources: Sequence[Source], keys: dict[str, str] | None = None) -> list[dict[str, Any]]:
    """CSL items as every export format starts from them: each naming its file
    (``_file``: BibTeX ``file``, RIS ``L1``) and, given ``keys``, carrying its
    citation key (``_key``); control characters removed."""
    items = []
    for source in sources:
        item = dict(source.csl, id=source.id, _file=source.path)
        if keys and source.id in keys:
            item["_key"] = keys[source.id]
        items.append(_without_controls(item))
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


# Entries per block of a streamed export: a whole library of 100k sources is
# never one string in a worker's memory.
STREAM_BLOCK = 500


def render_blocks(fmt: ExportFormat, sources: Sequence[Source], searcher) -> Iterator[bytes]:
    """A streaming format's export, ``STREAM_BLOCK`` entries at a time, keyed as ``render`` keys it."""
    keys = library_keys(searcher)
    for start in range(0, len(sources), STREAM_BLOCK):
        text = fmt.render(csl_items(sources[start:start + STREAM_BLOCK], keys))
        yield (text if text.endswith("\n") else text + "\n").encode("utf-8")


# Ranking more sources than this for an export gains a reader nothing and
# costs the engine a heap of that size; the rest follow by match count.
RANKED_WINDOW = 10_000


def sources_behind(searcher, request: SearchRequest, window: int = RANKED_WINDOW) -> list[Source]:
    """Every source with a passage matching ``request``, best first (not one page of hits).

    The first ``window`` sources are ranked; asking for all sources at once
    was refused past 10,000 (issue 16), and the per-source match counts cover
    every matching source, so those past the window follow the ranked ones,
    most matches first.

    An export is a set, not a ranking: with every word preferred (the default)
    it holds the sources with a passage holding every word (``match=all``, which
    falls back to any word when none does), not every source with one of them.
    """
    everything = dataclasses.replace(
        request,
        match="all" if request.match == "preferred" else request.match,
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
