"""A saved page as its article reads, before trafilatura looks for the article.

trafilatura reads a page's tree as the markup nests it.  Some markup says more
about the page's layout than its nesting shows, and is rewritten here, on a
copy of the tree, so the article reads as a reader sees it.  The tree that
metadata is read from (``page_markup.parse``) is left as the page wrote it.
"""

from __future__ import annotations

from copy import deepcopy

from pinpoint.index.ingest.layout_tables import flow_layout_tables
from pinpoint.index.ingest.loose_text import paragraphs_of_loose_text
from pinpoint.index.ingest.teaser_lists import drop_teaser_lists


def _class(name: str) -> str:
    return f"contains(concat(' ', normalize-space(@class), ' '), ' {name} ')"


# Controls that publishing software writes into a heading: MediaWiki's "[edit]" links and the
# permalink anchors of Sphinx ("¶") and of Markdown renderers.  Left in, "Examples[edit]" and
# "Setting up¶" are headings no reader saw, and the words run into the heading's last word.
HEADING_CONTROLS_XPATH = (f"//span[{_class('mw-editsection')}]|//a[{_class('headerlink')}]"
                          f"|//a[{_class('anchor')} and not(normalize-space())]")


def article_tree(tree):
    """A copy of the page's tree, rewritten where its layout says how the article reads."""
    article = deepcopy(tree)
    for control in article.xpath(HEADING_CONTROLS_XPATH):
        control.drop_tree()  # keeps the text that follows it
    flow_layout_tables(article)  # a table that lays out the page reads as its blocks, not as rows
    paragraphs_of_loose_text(article)  # text beside blocks is a paragraph, as a reader sees it
    drop_teaser_lists(article)  # other stories' teasers are not this article
    return article
