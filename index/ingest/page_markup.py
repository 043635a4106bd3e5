"""What a saved web page's markup states, read one way wherever Pinpoint reads it.

A page's title (``page_titles``), publication date (``page_dates``) and
bylines (``bylines``) are each read from its markup.  What they share lives
here: the page parsed once, which elements a reader does not see, the URLs
the page gives itself, the names its meta tags give its site, and its
schema.org statements in JSON-LD.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator

# Classes (and ids) that sites and CSS frameworks use to hide an element, or to
# show it to screen readers only; text in them is not what a reader sees.
HIDDEN_CLASSES = frozenset("""hidden is-hidden u-hidden d-none hide invisible is-invisible element-invisible
screen-reader-text sr-only visually-hidden visuallyhidden""".split())
# Elements whose content a reader never sees as the page's text: its head, scripts and
# styles, templates, drawings and form controls.
UNSEEN_TAGS = frozenset("head title script style noscript template svg button select option textarea".split())
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.I)
# JSON-LD nests statements; past this depth it is not describing a page.
_MAX_DEPTH = 12


# The same for trafilatura, which takes XPath to prune before it reads the article: elements
# marked hidden, hidden from assistive technology, or styled out of sight (a video player's
# dialog text, a collapsed gallery, a "you may also like" template).  The hiding classes above
# are not pruned here: the extraction benchmark was measured without them.
HIDDEN_XPATH = [
    "//*[@hidden]",
    "//*[@aria-hidden='true']",
    "//*[contains(translate(@style, ' ', ''), 'display:none')]",
    "//*[contains(translate(@style, ' ', ''), 'visibility:hidden')]",
    # What HTML itself shows only on a reader's action: a popover and a closed dialog (the
    # browser's own style hides both), and a tooltip or hover card (ARIA's role="tooltip").
    "//*[@popover]",
    "//dialog[not(@open)]",
    "//*[@role='tooltip']",
]


def parse(html):
    """The page's tree (trafilatura's tolerant loader), or None when it is no HTML.
    A tree passed in is returned as it is, so readers of the page may share one."""
    from trafilatura.utils import load_html

    return load_html(html)


def own_urls(tree) -> list[str]:
    """The URLs the page gives itself: its canonical links, then its ``og:url``."""
    urls = []
    for xpath in ('//link[@rel="canonical"]/@href', '//meta[@property="og:url"]/@content'):
        urls.extend(url.strip() for url in tree.xpath(xpath) if url.strip())
    return urls


# Meta tags that name the site or its publisher, not the page.
SITE_NAME_META = frozenset({"og:site_name", "application-name", "apple-mobile-web-app-title", "publisher",
                            "dc.publisher", "twitter:site"})


def meta_site_names(tree) -> list[str]:
    """What the page's meta tags name its site ("@handle" as the handle)."""
    names = []
    for meta in tree.iter("meta"):
        key = (meta.get("property") or meta.get("name") or meta.get("itemprop") or "").strip().lower()
        if key in SITE_NAME_META and (content := " ".join((meta.get("content") or "").split())):
            names.append(content.lstrip("@"))
    return names


def is_hidden(element) -> bool:
    """Whether the page hides ``element`` (an lxml element) from its reader."""
    if element.get("hidden") is not None or element.get("aria-hidden") == "true":
        return True
    if element.get("popover") is not None or element.get("role") == "tooltip":
        return True
    if element.tag == "dialog" and element.get("open") is None:
        return True
    if _HIDDEN_STYLE.search(element.get("style") or ""):
        return True
    if element.tag in ("html", "body"):  # a class on these styles the page, it hides nothing
        return False
    tokens = ((element.get("class") or "") + " " + (element.get("id") or "")).lower().split()
    return any(token in HIDDEN_CLASSES for token in tokens)


def json_ld_items(tree) -> Iterator[dict]:
    """Every JSON-LD object the page states: each top-level one, then its
    ``@graph`` members and the main entity it names (``mainEntity``,
    ``mainEntityOfPage``), in the order the page gives them."""
    for script in tree.xpath('//script[@type="application/ld+json"]'):
        try:
            data = json.loads(script.text or "", strict=False)
        except (ValueError, RecursionError):
            continue
        yield from _items(data, 0)


def _items(data, depth: int) -> Iterator[dict]:
    if depth > _MAX_DEPTH:
        return
    if isinstance(data, list):
        for item in data:
            yield from _items(item, depth + 1)
    elif isinstance(data, dict):
        yield data
        if "@graph" in data:
            yield from _items(data["@graph"], depth + 1)
        for key in ("mainEntity", "mainEntityOfPage"):
            if isinstance(data.get(key), dict):
                yield from _items(data[key], depth + 1)


def publisher_names(item: dict) -> list[str]:
    """The names a JSON-LD object gives its publisher (``publisher``, ``sourceOrganization``)."""
    names = []
    for key in ("publisher", "sourceOrganization"):
        value = item.get(key)
        for part in value if isinstance(value, list) else [value]:
            if isinstance(part, dict) and isinstance(part.get("name"), str):
                names.append(part["name"])
            elif isinstance(part, str):
                names.append(part)
    return names
