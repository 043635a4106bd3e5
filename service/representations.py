"""Records from ``index`` shaped into the JSON the API documents: one place per view.

The JSON routes, the search page and the command line all render a source, a
passage and its neighbours, a search result and a quote's citation through
these functions, so the three cannot disagree.
"""

from __future__ import annotations

import dataclasses
from typing import Any
from urllib.parse import quote

from pinpoint.index.bibliography.dates import issued_iso
from pinpoint.index.bibliography.names import display_name
from pinpoint.index.errors import UnknownPassage
from pinpoint.index.records import Hit, Match, Passage, SearchRequest, SearchResult, Source
from pinpoint.index.search.quotes import QuoteMatch
from pinpoint.service.cache import VersionedMemo
from pinpoint.service.citations import Citation, Locator, cite, quotation


NO_AUTHOR = "no author stated"


def source_json(source: Source) -> dict[str, Any]:
    csl = source.csl
    return {
        "id": source.id,
        "title": csl.get("title"),
        "title_origin": source.title_origin,
        "authors": [display_name(a) for a in csl.get("author", [])],
        # Said outright, so a reader never takes a missing name for a lost one.
        "author_note": None if csl.get("author") else NO_AUTHOR,
        "issued": issued_iso(csl),
        "container": csl.get("container-title"),
        "publisher": csl.get("publisher"),
        "url": csl.get("URL"),
        "type": csl.get("type", "webpage"),
        "passage_count": source.passage_count,
        "metadata_origin": source.metadata_origin,
        "collections": list(source.collections),
        "links": {
            "self": f"/sources/{source.id}",
            "passages": f"/sources/{source.id}/passages/1",
            "bibtex": f"/sources/{source.id}.bib",
            "cite": f"/sources/{source.id}/cite",
            # Opens the item in the researcher's own Zotero.
            **({"zotero": source.zotero_link} if source.zotero_link else {}),
        },
    }


def locator_for(passage: Passage) -> Locator:
    """A page locator when the passage comes from a paginated source (PDF), else its paragraphs.

    Every style cites a paginated source by page; ``page`` is absent on
    passages of unpaginated sources (and on indexes built before pages existed).
    """
    page = getattr(passage, "page", None)
    if page:
        page_end = getattr(passage, "page_end", None)
        return Locator.page(page, page_end if page_end != page else None)
    end = passage.paragraph_end if passage.paragraph_end != passage.paragraph else None
    return Locator.paragraph(passage.paragraph, end, heading=passage.heading)


def citation_json(citation: Citation, quoted: str | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {
        "style": citation.style,
        "reference": citation.reference,
        "reference_html": citation.reference_html,
        "in_text": citation.in_text,
        "note": citation.note,
        "complete": citation.complete,
    }
    if citation.warnings:
        body["warnings"] = list(citation.warnings)
    if quoted is not None:
        body["quotation"] = quotation(quoted, citation)
    return body


def passage_citation(source: Source, passage: Passage, style: str, quoted: str) -> dict[str, Any]:
    return citation_json(cite(source.csl, style, locator_for(passage)), quoted)


def quote_citation(match: QuoteMatch, style: str) -> dict[str, Any]:
    """A found quote's citation, the one rule wherever it is shown: pinned to the
    paragraphs (and, for a paginated source, the printed pages) the quote itself
    lies in, however many more its passage holds, and on into the following
    passages when the quote runs on."""
    page, page_end = match.pages
    cited = dataclasses.replace(match.passage, paragraph=match.paragraph, paragraph_end=match.paragraph_end,
                                page=page, page_end=page_end)
    return passage_citation(match.source, cited, style, match.matched_text)


def neighbours(searcher, passage: Passage) -> tuple[Passage | None, Passage | None]:
    """The passages before and after ``passage`` in its source (None at either end)."""
    around = []
    for number in (passage.number - 1, passage.number + 1):
        try:
            around.append(searcher.passage(passage.source_id, number) if number >= 1 else None)
        except UnknownPassage:
            around.append(None)
    return around[0], around[1]


def _fragment_part(words: list[str]) -> str:
    # Text fragments reserve '-', ',' and '&' as syntax, so they are always encoded.
    return quote(" ".join(words), safe="").replace("-", "%2D")


def deep_link(url: str | None, text: str, edge_words: int = 4) -> str | None:
    """A URL that opens the source at this passage (a text fragment, ``#:~:text=``)."""
    if not url or not url.lower().startswith(("http://", "https://")):
        return None
    words = text.split()
    if not words:
        return None
    base = url.split("#", 1)[0]
    if len(words) <= 2 * edge_words:
        return f"{base}#:~:text={_fragment_part(words)}"
    return f"{base}#:~:text={_fragment_part(words[:edge_words])},{_fragment_part(words[-edge_words:])}"


def passage_json(passage: Passage, source: Source | None = None) -> dict[str, Any]:
    return {
        "passage_id": passage.id,
        "source_id": passage.source_id,
        "number": passage.number,
        "paragraph": passage.paragraph,
        "paragraph_end": passage.paragraph_end,
        "page": passage.page,
        "page_end": passage.page_end,
        "heading": passage.heading,
        "text": passage.text,
        "links": {
            "self": f"/sources/{passage.source_id}/passages/{passage.number}",
            "page": f"/passages/{passage.source_id}/{passage.number}",
            "deep_link": deep_link(source.csl.get("URL"), passage.text) if source else None,
        },
    }


def match_json(match: Match) -> dict[str, Any]:
    return {"start": match.start, "end": match.end, "term": match.term}


def hit_json(hit: Hit, style: str, memo: VersionedMemo | None = None, version: str | None = None) -> dict[str, Any]:
    """A hit as the API shows it.  With a ``memo`` and the ``version`` the hit
    came from, its source's JSON and its citation are formatted once per version."""
    source, passage = hit.source, hit.passage
    if memo is None or version is None:
        source_body = source_json(source)
        citation = cite(source.csl, style, locator_for(passage))
    else:
        source_body = memo.get(version, ("source", source.id), lambda: source_json(source))
        locator = locator_for(passage)
        citation = memo.get(version, ("cite", source.id, style, locator),
                            lambda: cite(source.csl, style, locator))
    body = {"rank": hit.rank, "score": round(hit.score, 4)}
    body.update(passage_json(passage, source))
    body.update(
        excerpt=hit.excerpt,
        excerpt_html=hit.excerpt_html,
        matches=[match_json(m) for m in hit.matches],
        missing=list(hit.missing),
        source=source_body,
        citation=citation_json(citation, hit.excerpt),
    )
    return body


def search_json(result: SearchResult, request: SearchRequest, style: str, took_ms: float,
                memo: VersionedMemo | None = None, version: str | None = None) -> dict[str, Any]:
    """The body of ``GET /search``; ``pinpoint search --json`` prints the same."""
    return {
        "query": result.query,
        "corrected_query": result.corrected_query,
        "matched_all_terms": result.matched_all_terms,
        "total": result.total,
        # "gte": at least ``total`` match (counted exactly up to a threshold; exact_total=true counts all).
        "total_relation": result.total_relation,
        # The search ran out of PINPOINT_SEARCH_SECONDS: hits and total cover what it found by then.
        "partial": result.partial,
        "limit": request.limit,
        "offset": request.offset,
        "style": style,
        "took_ms": round(took_ms, 2),
        "facets": result.facets,
        "hits": [hit_json(hit, style, memo, version) for hit in result.hits],
    }
