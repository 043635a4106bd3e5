"""Text a page leaves loose in a container, put into paragraphs as a browser shows it.

A ``div`` (or ``section``, ``td``...) that holds blocks can also hold text
outside any of them: "...</figure>The Federal Flag Code has guidelines...".
A reader sees a paragraph; trafilatura's default read drops text that sits
loose beside blocks.  Mozilla Readability's ``_grabArticle`` puts such
phrasing content into paragraphs before it scores the page, and so does
Pinpoint, on the copy of the page trafilatura reads (``page_layout``).
Elements HTML does not list as blocks count as inline, as CSS displays them.
"""

from __future__ import annotations

# HTML's block-level elements (with the obsolete ``center``); the rest display inline.
BLOCKS = frozenset("""address article aside blockquote center details dialog dd div dl dt fieldset figcaption
figure footer form h1 h2 h3 h4 h5 h6 header hgroup hr li main menu nav ol p pre section table ul""".split())
# A container that sets its text out in paragraphs (``<p>``, at least this many) and leaves
# some loose between them: that text is a paragraph its author did not mark.  A container
# of other blocks (a forum post quoting another, a widget) is left as it is: wrapping its
# text changed which container trafilatura took, and lost a forum thread's first post.
MIN_PARAGRAPHS = 2
# Containers whose loose text may be such a paragraph.
_CONTAINERS = ("div", "section", "article", "main", "td", "span")


def paragraphs_of_loose_text(tree) -> None:
    """Wrap the loose text of every container of paragraphs (in place) in paragraphs of its own."""
    for container in list(tree.iter(*_CONTAINERS)):
        if _holds_loose_text(container) and sum(1 for child in container if child.tag == "p") >= MIN_PARAGRAPHS:
            paragraphs_of_inline_runs(container)


def _holds_loose_text(container) -> bool:
    return bool((container.text or "").strip()) or any((child.tail or "").strip() for child in container)


def paragraphs_of_inline_runs(cell) -> None:
    """Wrap each run of the cell's inline children (and loose text) in a ``p``.

    New paragraphs are made by ``makeelement``, so they are of the page's own
    element class (lxml.html's), which trafilatura expects.
    """
    paragraph = None
    if (cell.text or "").strip():
        paragraph = cell.makeelement("p", {})
        paragraph.text, cell.text = cell.text, None
        cell.insert(0, paragraph)
    for child in list(cell)[1 if paragraph is not None else 0:]:
        if _is_block(child):
            paragraph = None
            if (child.tail or "").strip():
                paragraph = cell.makeelement("p", {})
                paragraph.text, child.tail = child.tail, None
                child.addnext(paragraph)
        elif paragraph is not None:
            paragraph.append(child)  # its tail, inline text, comes with it
        elif (isinstance(child.tag, str) and child.tag != "br") or (child.tail or "").strip():
            # A <br> or comment alone starts no paragraph, as Readability leaves whitespace out.
            paragraph = cell.makeelement("p", {})
            child.addprevious(paragraph)
            paragraph.append(child)



def _is_block(element) -> bool:
    return any(isinstance(inner.tag, str) and inner.tag in BLOCKS for inner in element.iter())
