"""A posting list's ``skip_to`` that bisects within a block.

All-words queries intersect posting lists by leapfrogging: each list skips
to the next candidate of the others.  Whoosh's ``W3LeafMatcher.skip_to``
finds the block by its largest id and then steps through the block one
posting at a time, two Python calls per posting passed over: on the full
Gutenberg corpus that walk was most of an all-words search.  The block's ids
are already a sorted sequence in memory, so the position is found by
bisection instead; blocks are chosen exactly as before.

``install()`` replaces the method on Whoosh's class once (the codec creates
the matchers itself, so there is no subclass to hand it);
tests/test_skipping.py checks the replacement lands where Whoosh's does.
"""

from __future__ import annotations

from bisect import bisect_left

from whoosh.codec.whoosh3 import W3LeafMatcher
from whoosh.matching import ReadTooFar

_WHOOSH_SKIP_TO = W3LeafMatcher.skip_to


def bisecting_skip_to(self, targetid):
    if not self.is_active():
        raise ReadTooFar
    if targetid <= self.id():
        return
    while targetid > self._maxid:
        self._next_block()
        if not self.is_active():
            return
    if self._ids is None:
        self._read_ids()
    # The block's last id is its largest, and at least ``targetid``: the position is inside it.
    self._i = bisect_left(self._ids, targetid, self._i)


def install() -> None:
    W3LeafMatcher.skip_to = bisecting_skip_to


def whoosh_skip_to():
    """Whoosh's own method, for the test that compares the two."""
    return _WHOOSH_SKIP_TO
