"""Top-k collection that stops scoring what cannot reach the page.

Counting and scoring every match made a search's cost follow its match count
(86 ms for a word in 13,000 passages of the full Gutenberg corpus).  Whoosh
keeps, per block of a posting list, the largest term weight and the shortest
field length (``segment_writer`` writes both), from which a scorer bounds the
best score the block can give.  Once the page's heap is full, a block whose
bound cannot beat the lowest score on the page is skipped unread
(``skip_to_quality``), and a union whose parts cannot reach it is narrowed
(``replace``), as WAND and block-max WAND do.

Matches are counted exactly up to ``exact_up_to``; past it the count is of
the matches actually visited, a lower bound, as Elasticsearch's
``track_total_hits`` reports ("gte").
"""

from __future__ import annotations

from whoosh import collectors

# Elasticsearch counts exactly to 10,000; here each counted match costs a
# Python scoring call (~3.5 us), so the exact range is shorter.
EXACT_TOTAL_UP_TO = 1000


class PrunedTopCollector(collectors.TopCollector):
    """``TopCollector`` counting to ``exact_up_to``, then pruning by block quality.

    ``exact_up_to=None`` counts (and scores) every match.  ``total`` is the
    number of matches collected; ``pruned`` says whether any may have been
    passed over uncounted, making ``total`` a lower bound.
    """

    def __init__(self, limit: int, exact_up_to: int | None = EXACT_TOTAL_UP_TO):
        # replace=0: Whoosh's own loop only refreshes its bound when it replaces the matcher.
        super().__init__(limit, usequality=exact_up_to is not None, replace=0)
        self.exact_up_to = exact_up_to
        self.pruned = False

    def computes_count(self) -> bool:
        # ``total`` is what was collected either way; never re-run the query to count.
        return True

    def matches(self):
        matcher = self.matcher
        items = self.items
        limit = self.limit
        threshold = self.exact_up_to
        pruning = threshold is not None and self._use_block_quality()
        bound = None  # the page's lowest score when the bound was last applied
        check = True
        while matcher.is_active():
            if pruning and len(items) >= limit and self.total >= threshold:
                lowest = items[0][0]
                if lowest != bound:
                    bound, check = lowest, True
                    # A union whose parts cannot reach the bound alone becomes AND-MAYBE, etc.
                    narrowed = matcher.replace(lowest)
                    if narrowed is not matcher:
                        self.pruned = True
                        matcher = self.matcher = narrowed
                    if not matcher.is_active():
                        break
                    pruning = matcher.supports_block_quality()
                if check and pruning:
                    skipped = matcher.skip_to_quality(bound)
                    if skipped:
                        self.pruned = True
                        self.skipped_times += skipped
                    if not matcher.is_active():
                        break
            yield matcher.id()
            check = matcher.next()
