"""A saved page as its article reads, before trafilatura looks for the article.

trafilatura reads a page's tree as the markup nests it.  Some markup says more
about the page's layout than its nesting shows, and is rewritten here, on a
copy of the tree, so the article reads as a reader sees it.  The tree that
metadata is read from (``page_markup.parse``) is left as the page wrote it.
"""

from __future__ import annotations

from copy import deepcopy

from pinpoint.index.ingest.teaser_lists import drop_teaser_lists


def article_tree(tree):
    """A copy of the page's tree, rewritten where its layout says how the article reads."""
    article = deepcopy(tree)
    drop_teaser_lists(article)  # other stories' teasers are not this article
    return article
