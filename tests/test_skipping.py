"""The bisecting ``skip_to`` (index/search/whoosh/skipping.py) lands on the same
posting as Whoosh's own, over posting lists of many blocks."""

from __future__ import annotations

import random

from pinpoint.index.search.whoosh.skipping import bisecting_skip_to, whoosh_skip_to
from pinpoint.index.store.build import build_index
from pinpoint.index.store.versions import open_searcher


def _walk(searcher, term: str, skip, targets: list[int]) -> list[tuple[bool, int | None]]:
    matcher = searcher.postings("text", term)
    seen = []
    for target in targets:
        if not matcher.is_active():
            break
        skip(matcher, target)
        seen.append((matcher.is_active(), matcher.id() if matcher.is_active() else None))
    return seen


def test_bisecting_skip_lands_where_whoosh_does(tmp_path):
    folder = tmp_path / "sources"
    folder.mkdir()
    rng = random.Random(7)
    words = "harbour treaty alliance river".split()
    paragraphs = [" ".join([rng.choice(words) for _ in range(rng.randint(1, 3))] + ["filler"] * 60) + "."
                  for _ in range(3000)]
    (folder / "book.txt").write_text("A book\n\n" + "\n\n".join(paragraphs), encoding="utf-8")
    build_index([folder], tmp_path / "index")
    with open_searcher(tmp_path / "index") as searcher:
        whoosh_searcher = searcher._searcher
        passages = whoosh_searcher.doc_count_all()
        assert passages > 1000  # posting lists of several blocks
        for term in ("harbour", "river"):  # unchanged by stemming
            for step in (1, 3, 50, 400):
                targets, at = [], 0
                while at < passages + 10:
                    at += rng.randint(0, step)
                    targets.append(at)
                ours = _walk(whoosh_searcher, term, bisecting_skip_to, targets)
                theirs = _walk(whoosh_searcher, term, whoosh_skip_to(), targets)
                assert ours == theirs and len(ours) > 10
