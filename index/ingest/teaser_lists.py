"""Lists of teasers for other stories, taken out of a page before its article is read.

A teaser is a card that points a reader to another story: a linked headline
(the card's heading, or the first thing it says), sometimes a kicker, a byline,
a date or a picture, and at most a short summary.  News pages set them out in
rows after or beside the article ("More stories", "Other opinion columns", a
stream of headlines), and trafilatura keeps their summaries where they read as
paragraphs (its readability fallback takes a stream in with the article).  They
are not the article: a quote found in one belongs to another story.

What is removed is a *list* of them, never a card alone: at least
``MIN_TEASERS`` sibling elements of one shape (same tag, headline link held the
same way), most of the siblings teasers, whose headlines lead to as many
different pages of the page's own site (relative links, or the site of the URL
the page gives itself).  So these stay:

- a link-only list (menu, table of contents, an mdBook chapter list): a card
  whose headline is not a heading must carry a summary, and ``#`` anchors lead
  nowhere else;
- a link blog's list of links out to other sites, which is its own writing;
- a list inside the article's prose block or holding it (a listicle whose
  items are linked headings, a blog's posts);
- cards holding most of the page's paragraph text, unless an article of
  several paragraphs stands beside them (an archive page is its cards; a story
  with a long stream of headlines after it is still the story);
- everything on a page whose largest prose block is too small to be an article
  (a section front): there is nothing to tell the cards from.

Where the article is follows Mozilla Readability's ``_grabArticle``, simplified:
paragraphs (and a div's loose text, which Readability wraps as one) are scored
by their characters outside links to the element holding them, and the element
with the most is the article's prose block.  What a card may hold follows the
block features of jusText and boilerpipe (a block's words and how much of it
is link text): a headline link of a few words, then at most one short block of
prose.  Unlike Readability's ``_cleanConditionally`` no element is judged by
itself: a listicle's item or a product box looks like a card, and only a row
of cards outside the article, pointing to the site's other pages, is a list of
teasers.  A container left with no more than a heading's words goes with its
cards.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from pinpoint.index.ingest.loose_text import BLOCKS as _BLOCKS
from pinpoint.index.ingest.page_markup import UNSEEN_TAGS, own_urls

MIN_TEASERS = 3
# A headline is a line, not a word ("More") nor a paragraph.
HEADLINE_CHARS = (12, 200)
HEADLINE_MIN_WORDS = 2
# Scripts written without spaces (Chinese, Japanese) hold a headline in fewer characters.
HEADLINE_MIN_CHARS_UNSPACED = 6
# A teaser's summary: one short paragraph (news sites cut theirs at two or three sentences).
SUMMARY_MAX_CHARS = 450
SUMMARY_MIN_CHARS = 40
SUMMARY_MIN_WORDS = 6
# Text before a lead headline that still leaves it the card's lead: a kicker, a date.
KICKER_MAX_WORDS = 6
# What a list's container may keep besides its teasers and still go with them: its heading.
LEFTOVER_MAX_WORDS = 12
# A page whose largest prose block holds less than this has no article to protect here.
MIN_ARTICLE_CHARS = 500
# An article that stands on its own beside cards holding more words than it (a story stream).
STANDALONE_ARTICLE_CHARS = 1500
STANDALONE_ARTICLE_PARAGRAPHS = 4
# Text shorter than this is a label, not a paragraph (Readability's 25 characters).
MIN_PARAGRAPH_CHARS = 25
# Teasers among the items of the dominant shape.
MIN_TEASER_SHARE = 0.6

_HEADINGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
_PROSE = ("p", "pre", "blockquote", "dd", "td", "li")
_PHRASING_HOLDERS = ("div", "section", "article", "main", "center")
_NO_TEXT = UNSEEN_TAGS | {"a"}
# A word: two letters in a row (a figure, a price or a time has none).
_WORD = re.compile(r"[^\W\d_]{2}")
_NOT_ELSEWHERE = ("#", "javascript:", "mailto:", "tel:", "data:")


@dataclass
class _Article:
    """Where the page's article prose is: Readability's top candidate, scored on the parent alone."""

    block: object  # the element holding the most paragraph text
    chars: int  # its paragraph characters
    paragraphs: int  # its paragraphs
    page_chars: int  # the paragraph characters of the whole page

    @property
    def stands_alone(self) -> bool:
        return self.chars >= STANDALONE_ARTICLE_CHARS and self.paragraphs >= STANDALONE_ARTICLE_PARAGRAPHS


def drop_teaser_lists(tree) -> int:
    """Remove the page's lists of teasers from ``tree`` (in place); how many lists went."""
    root = tree.getroot() if hasattr(tree, "getroot") else tree
    article = _article(root)
    if article is None or article.chars < MIN_ARTICLE_CHARS:
        return 0
    holding = {id(el) for el in article.block.iterancestors()} | {id(article.block)}
    own = own_urls(root)
    removed = 0
    for container in list(root.iter()):
        if not isinstance(container.tag, str) or id(container) in holding:
            continue
        if not _attached(container, root) or _inside(container, article.block):
            continue
        teasers = _teasers(container, own)
        if not teasers or _the_page(teasers, article):
            continue
        for teaser in teasers:
            _remove(teaser)
        _remove(_emptied(container, holding))
        removed += 1
    return removed


def _the_page(teasers, article) -> bool:
    """Whether the cards are what the page is about: they hold most of its
    paragraph text and no article of several paragraphs stands beside them."""
    return _prose_chars(teasers) * 2 > article.page_chars and not article.stands_alone


def _article(root) -> _Article | None:
    """The page's prose block (see the module's docstring), or None on a page without paragraphs."""
    scores: dict[int, list] = {}
    total = 0
    for el in root.iter(*_PROSE, *_PHRASING_HOLDERS):
        if el.tag in _PHRASING_HOLDERS:
            # Readability wraps a div's loose text and inline elements in a paragraph of its own.
            chars, parent = _phrasing_chars(el), el
        elif _is_prose_unit(el):
            chars, parent = _prose_chars([el]), el.getparent()
        else:
            continue
        if chars < MIN_PARAGRAPH_CHARS or parent is None:
            continue
        total += chars
        score = scores.setdefault(id(parent), [parent, 0, 0])
        score[1] += chars
        score[2] += 1
    if not scores:
        return None
    block, chars, paragraphs = max(scores.values(), key=lambda score: score[1])
    return _Article(block, chars, paragraphs, total)


def _phrasing_chars(el) -> int:
    """Characters of ``el``'s own running text: loose text and inline elements, not in links or blocks."""
    chars = len((el.text or "").strip())
    for child in el:
        if isinstance(child.tag, str) and child.tag not in _BLOCKS and child.tag not in _NO_TEXT:
            chars += len(_text(child)) - sum(len(_text(a)) for a in child.iter("a"))
        chars += len((child.tail or "").strip())
    return chars


def _is_prose_unit(el) -> bool:
    """A paragraph-like element: one of ``_PROSE``, and a list item only when it holds no blocks."""
    return el.tag != "li" or not any(isinstance(c.tag, str) and c.tag in _BLOCKS for c in el)


def _prose_chars(elements) -> int:
    """Characters of text outside links (Readability weighs paragraphs by this)."""
    chars = 0
    for el in elements:
        chars += len(_text(el)) - sum(len(_text(a)) for a in el.iter("a"))
    return max(chars, 0)


def _teasers(container, own: list[str]) -> list:
    """The container's teasers, if its children form a list of them (else []).

    The cards must point mostly into the page's own site (``own``: the URLs
    the page gives itself): a publication's teasers lead to its other stories,
    while a list of links out to other sites is what a link blog writes.
    """
    children = [c for c in container if isinstance(c.tag, str)]
    if len(children) < MIN_TEASERS:
        return []
    by_tag: dict[str, list] = {}
    for child in children:
        by_tag.setdefault(child.tag, []).append(child)
    items = max(by_tag.values(), key=len)
    if len(items) < MIN_TEASERS:
        return []
    shapes: dict[str, list] = {}
    targets: dict[str, set] = {}
    with_text = 0
    for item in items:
        if not _text(item):
            continue
        with_text += 1
        found = _teaser_shape(item)
        if found is not None:
            shape, href = found
            shapes.setdefault(shape, []).append(item)
            targets.setdefault(shape, set()).add(href)
    if not shapes:
        return []
    shape = max(shapes, key=lambda s: len(shapes[s]))
    teasers = shapes[shape]
    if len(teasers) < MIN_TEASERS or len(targets[shape]) < MIN_TEASERS:
        return []
    if len(teasers) < MIN_TEASER_SHARE * with_text:
        return []
    if 2 * sum(1 for href in targets[shape] if _same_site(href, own)) <= len(targets[shape]):
        return []
    return teasers


def _same_site(href: str, own: list[str]) -> bool:
    """Whether a link stays on the page's site: a relative link, or the site (registered domain) of a URL
    the page gives itself, as courlan (trafilatura's URL library) reads domains."""
    if not urlsplit(href).netloc:
        return True
    # Imported here, after trafilatura (the reader's), which imports it quietly; imported first, at
    # module load, it had urllib3 warn about SOCKS support in every test run.
    from courlan import is_external

    return any(not is_external(href, url) for url in own)


def _teaser_shape(item):
    """(shape, headline target) when ``item`` is a teaser, else None.

    The headline is the first link to another page with headline-like text; it
    must be the card's heading (inside or holding an h1-h6) or its lead (only
    a kicker's words before it).  Besides links, the card holds at most one
    short summary; a lead headline needs that summary, or it is one more link
    in a list of links.
    """
    for link in item.iter("a"):
        href = (link.get("href") or "").strip()
        text = _text(link)
        if not text or not _elsewhere(href):
            continue
        if not _headline_like(text):
            return None
        heading = _heading_of(link, item)
        if heading is None and _words(_text_before(item, link)) > KICKER_MAX_WORDS:
            return None
        summary = _summary(item)
        if summary is None or len(summary) > SUMMARY_MAX_CHARS:
            return None
        if heading is None and not (len(summary) >= SUMMARY_MIN_CHARS and _wordy(summary, SUMMARY_MIN_WORDS)):
            return None
        return f"{item.tag}/{heading or 'lead'}", href
    return None


def _summary(item):
    """The card's text outside links, or None when it holds more than one
    paragraph-long block (a card says what it points to in one)."""
    blocks = 0
    for el in item.iter(*_PROSE):
        if el is not item and _is_prose_unit(el) and _prose_chars([el]) >= SUMMARY_MIN_CHARS:
            blocks += 1
    if blocks > 1:
        return None
    return " ".join(" ".join(_visible_text(item, skip=("a",))).split())


def _heading_of(link, item):
    for el in link.iterancestors():
        if el is item:
            break
        if el.tag in _HEADINGS:
            return el.tag
    for el in link.iter(*_HEADINGS):
        return el.tag
    if item.tag in _HEADINGS:
        return item.tag
    return None


def _text_before(item, link) -> str:
    """The card's text that comes before ``link``, in reading order."""
    parts = []
    for el in item.iter():
        if el is link:
            break
        if el is not item and el.tail and not _inside(link, el):
            parts.append(el.tail)
        if isinstance(el.tag, str) and el.text:
            parts.append(el.text)
    return " ".join(parts)


def _headline_like(text: str) -> bool:
    """A line of words: not one word ("More"), a date or a price, an address or a paragraph."""
    if text.lower().startswith(("http://", "https://", "www.")):
        return False  # a bare address is a reference, not a headline
    if len(text) > HEADLINE_CHARS[1]:
        return False
    if " " not in text:
        return len(text) >= HEADLINE_MIN_CHARS_UNSPACED and not text.isascii()
    return len(text) >= HEADLINE_CHARS[0] and _wordy(text, HEADLINE_MIN_WORDS)


def _wordy(text: str, least: int) -> bool:
    """Whether ``text`` is made mostly of words (not figures, dates, prices), at least ``least`` of them."""
    tokens = text.split()
    words = sum(1 for token in tokens if _WORD.search(token))
    return words >= least and words * 2 > len(tokens)


def _elsewhere(href: str) -> bool:
    """Whether a link leads to another page (not an anchor here, a script or an address)."""
    if not href or href.lower().startswith(_NOT_ELSEWHERE):
        return False
    try:
        parts = urlsplit(href)
    except ValueError:  # "http://[name]": no address a reader could follow
        return False
    return bool(parts.path.strip("/") or parts.netloc or parts.query)


def _emptied(container, holding):
    """The element to remove once the teasers are gone: the container, and its
    ancestors while all they hold besides it is a heading's worth of words."""
    target = container
    if _words(_text(container)) > LEFTOVER_MAX_WORDS:
        return None
    while True:
        parent = target.getparent()
        if parent is None or id(parent) in holding or parent.tag in ("body", "html"):
            return target
        if _words(_text(parent)) > LEFTOVER_MAX_WORDS:
            return target
        target = parent


def _remove(el) -> None:
    """Drop ``el`` and what it holds, keeping the text that follows it."""
    if el is None or el.getparent() is None:
        return
    parent = el.getparent()
    if el.tail and el.tail.strip():
        previous = el.getprevious()
        if previous is not None:
            previous.tail = (previous.tail or "") + el.tail
        else:
            parent.text = (parent.text or "") + el.tail
    parent.remove(el)


def _attached(el, root) -> bool:
    return el is root or any(a is root for a in el.iterancestors())


def _inside(el, ancestor) -> bool:
    return el is ancestor or any(a is ancestor for a in el.iterancestors())


def _text(el) -> str:
    """The text a reader sees in ``el``, spaces folded (no script, style or comment)."""
    if not isinstance(el.tag, str) or el.tag in UNSEEN_TAGS:
        return ""
    return " ".join(" ".join(_visible_text(el)).split())


def _visible_text(el, skip=()):
    if el.text:
        yield el.text
    for child in el:
        if isinstance(child.tag, str) and child.tag not in UNSEEN_TAGS and child.tag not in skip:
            yield from _visible_text(child, skip)
        if child.tail:
            yield child.tail


def _words(text: str) -> int:
    return len(text.split())
