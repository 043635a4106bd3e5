"""A small hand-made corpus written straight through the Whoosh writer.

Engine and query-syntax tests use it so they exercise ranking, filters and
highlighting without depending on the reading and cleaning pipeline.
"""

from __future__ import annotations

from pathlib import Path

from pinpoint.index.records import Passage, Source
from pinpoint.index.search.whoosh.engine import WhooshSearcher, WhooshWriter


def _source(source_id, title, authors, year):
    csl = {"title": title, "author": [{"family": f, "given": g} for f, g in authors]}
    if year is not None:
        csl["issued"] = {"date-parts": [[year]]}
    return Source(id=source_id, path=f"{source_id}.txt", csl=csl, content_hash="test")


def _passages(source_id, texts, heading=None):
    passages, offset = [], 0
    for n, text in enumerate(texts, start=1):
        passages.append(Passage(source_id, n, n, n, heading, text, offset, offset + len(text)))
        offset += len(text) + 2
    return passages


CORPUS = [
    (
        _source("okinawa", "Okinawa and the Futenma base", [("Xu", "Beina")], 2014),
        _passages("okinawa", [
            "The Futenma air station relocation to Henoko has been disputed for decades.",
            "Residents of Okinawa protested the relocation plans in 2010 and again in 2013.",
            "The United States and Japan signed the security treaty in 1960.",
        ], heading="Bases"),
    ),
    (
        _source("treaty", "A history of the security treaty", [("Smith", "Anna"), ("Jones", "Bo")], 2010),
        _passages("treaty", [
            "The security treaty between the United States and Japan was revised in 1960.",
            "Critics said the treaty tied Japan to American wars; supporters said it kept the peace.",
            "Tokyo paid host-nation support for the bases under the treaty's terms.",
        ]),
    ),
    (
        _source("markup", "Escaping notes", [("Lee", "Kim")], None),
        _passages("markup", [
            "A source that quotes <script>alert('x')</script> & mentions AT&amp;T verbatim about treaty text and the security it offers.",
        ]),
    ),
    (
        _source("climate", "Glaciers in retreat", [("Nakamura", "Ken")], 2019),
        _passages("climate", [
            "Glaciers in the Alps are retreating faster than models predicted.",
            "Meltwater from retreating glaciers raises sea levels and threatens coastal bases.",
        ]),
    ),
]


def write_corpus(directory: Path) -> Path:
    writer = WhooshWriter(directory)
    for source, passages in CORPUS:
        writer.add_source(source, passages)
    writer.commit()
    return directory


def open_corpus(directory: Path) -> WhooshSearcher:
    return WhooshSearcher(write_corpus(directory), "test")
