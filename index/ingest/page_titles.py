"""The title a citation gives a saved web page: the work's own headline, as the page states it.

A page states its title several times over: the ``<title>`` element,
``og:title`` and ``twitter:title``, the schema.org ``headline`` of its
article's JSON-LD, and the heading its reader sees.  Each may be wrong in its
own way: ``<title>`` and ``og:title`` carry the site's name ("... | Teufel
Blog") or a kicker ("Sierra Leone: ..."), and flatten typography („…“ to
"..."); a heading may be the site's logo ("seelenradio"), a section or menu
label ("Aktuelles"), or have a byline run into it.  APA, MLA and Chicago cite
a web page by its own title and give the site's name as a separate element,
so the site's name never belongs in the title.

So a statement is taken as the title when another, independent one agrees
with it word for word (as a whole or as one of its separated segments): a
heading that the metadata repeats is the headline, and is kept as the page
writes it.  Failing that, the article's own headline where the metadata tells
the same story in other words, then metadata titles without the segments
that name the site (see ``page_title`` for the order).  A site's name or a
navigation label alone is never a title; where nothing else is stated the
caller falls back to a bracketed description
(``pinpoint.index.ingest.metadata.title_origin``).

trafilatura's pieces are reused where they fit: its tolerant HTML loader, its
list of schema.org article types, its XPath for headings marked as the
headline, and its block-aware heading text.
"""

from __future__ import annotations

import html as html_lib
import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from urllib.parse import urlsplit

from pinpoint.index.ingest.page_markup import (
    UNSEEN_TAGS,
    is_hidden,
    json_ld_items,
    meta_site_names,
    own_urls,
    parse,
    publisher_names,
)

# Separators pages put between a title and the site's name or section.  Spaced
# on both sides ("Title - Site"), since a hyphen or slash inside a word is
# none; bars and guillemet-like arrows also unspaced ("Site» Title"); in
# scripts without spaces a dash or underscore between two CJK characters
# ("...城！-新华网").
_SPACED = r"\s+(?:[|–—·•~/⁄*›‹»«:>@-]|-{2}|::)\s+"
_UNSPACED = r"\s*[|›‹]\s*"
_CJK = r"(?<=[\u3000-\u30ff\u3400-\u9fff\uff00-\uffef])\s*[-_－—]\s*(?=[\u3000-\u30ff\u3400-\u9fff\uff00-\uffef])"
SITE_SEPARATOR = re.compile(f"{_SPACED}|{_UNSPACED}|{_CJK}")
# A kicker before a headline ("Sierra Leone: Die Sonne geht auch wieder auf"):
# only for finding where two statements agree, never to cut a title on its own
# ("Star Wars: The Last Jedi" is one title).
_KICKER = re.compile(r"(?<=\w)[:.!?]\s+|\s+[:]\s+")
# Left over at a title's ends once a segment is cut; quotes and asterisks may be the title's own.
_EDGE = " \t|–—·•~/⁄:>-_"
_INVISIBLE = dict.fromkeys(map(ord, "\u00ad\u200b\u200c\u200d\u2060\ufeff"))
_WORD = re.compile(r"[^\W_]+")
# What may follow a headline in the same heading element without being part of
# it: a byline or a date ("»Haltet unsere Gewässer sauber!« Veröffentlicht von
# SeglerBlog am 23. Februar 2020").
_BYLINE_OR_DATE = re.compile(
    r"^\W*(?:\d|by\b|von\b|par\b|por\b|di\b|door\b|posted\b|published\b|updated\b|written\b|veröffentlicht\b"
    r"|geschrieben\b|aktualisiert\b|erstellt\b|publié\b|publicado\b|pubblicato\b|am\b|on\b|le\b|el\b|il\b"
    r"|(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec|mär|mai|okt|dez)[a-zä]*\b)", re.I)

# Elements whose headings and links are the site's furniture, not the article's.
_BANNER_TOKENS = frozenset("""site-header masthead branding site-branding logo site-logo site-title
sitename site-name brand navbar-brand""".split())
_NAV_TOKEN = re.compile(r"^(?:nav|navi|navigation|menu|menue|breadcrumbs?|submenu|cat-links|tag-links)(?:$|[-_])", re.I)
_ASIDE_TOKEN = re.compile(r"^(?:sidebar|widget|widget-title|widgettitle|footer|site-footer|related|comments?|respond)"
                          r"(?:$|[-_])", re.I)


@dataclass(frozen=True)
class _Statement:
    """One statement of the title, where it comes from, and its text."""
    kind: str  # "headline" (a heading marked so), "h1", "h2", "h3", "json-ld", "og", "twitter", "meta", "title"
    text: str
    in_article: bool = False  # a heading inside the page's <article> or <main>
    part: bool = False  # one element of a heading made of several


def words(text: str) -> tuple[str, ...]:
    """The words of ``text``, blind to case, accents, punctuation and typography
    („…“ and "...", – and -, ’ and ')."""
    text = unicodedata.normalize("NFKD", text.translate(_INVISIBLE))
    text = "".join(c for c in text if not unicodedata.combining(c))
    return tuple(_WORD.findall(text.casefold()))


def _clean(text: str | None) -> str:
    return " ".join((text or "").translate(_INVISIBLE).replace("\u00a0", " ").split())


def _segments(title: str, separator: re.Pattern) -> list[tuple[int, int]]:
    """Spans of the pieces of ``title`` between separators."""
    spans, start = [], 0
    for found in separator.finditer(title):
        if found.start() > start:
            spans.append((start, found.start()))
        start = found.end()
    if start < len(title):
        spans.append((start, len(title)))
    return spans


_ANY_SEPARATOR = re.compile(f"{SITE_SEPARATOR.pattern}|{_KICKER.pattern}")


def _runs(title: str, separator: re.Pattern = _ANY_SEPARATOR) -> Iterator[str]:
    """Every run of adjacent segments of ``title`` (split at site separators and
    kickers), the whole title first."""
    spans = _segments(title, separator)
    yield title
    for length in range(len(spans) - 1, 0, -1):
        for first in range(len(spans) - length + 1):
            yield title[spans[first][0]:spans[first + length - 1][1]]


class SiteNames:
    """What names the page's site: its stated site and publisher names, the
    name its banner shows, and its domain's name."""

    def __init__(self, names: Iterable[str], url: str | None = None):
        names = [n for n in names if n]
        self.names = {w for w in map(words, names) if w}
        # The parts of a name with a tagline ("Viertausendhertz | Das Podcastlabel").
        self.parts = {words(n[a:b]) for n in names for a, b in _segments(n, SITE_SEPARATOR)} - {()}
        host = (urlsplit(url).hostname or "") if url and "//" in url else ""
        labels = [label for label in host.lower().split(".") if label and label != "www"]
        # "blog.teufel.de": the words "teufel" and "blog"; "lastampa.it": "lastampa";
        # "liquimoly-hbl.de": "liquimoly" and "hbl".
        self.domain = [w for label in (labels[:-1] if len(labels) > 1 else labels) for w in label.split("-") if w]
        # The name registered ("pixnet" of stevenhgm.pixnet.net), as one word.
        self.registered = labels[-2].replace("-", "") if len(labels) > 1 and len(labels[-2]) > 3 else None

    def named(self, text: str, segment: bool = False) -> bool:
        """Whether ``text`` is the site's name, or part of one with a tagline
        ("Viertausendhertz" of "Viertausendhertz | Das Podcastlabel").  With
        ``segment`` (``text`` is a segment of a title), also a short one
        holding the registered domain's name ("Teufel Blog" on blog.teufel.de)."""
        said = words(text)
        if not said:
            return False
        if said in self.names or said in self.parts:
            return True
        said = tuple(w for w in said if w != "www")
        while len(said) > 1 and said[-1] in _LEGAL_FORMS | _TOP_LEVEL_DOMAINS:
            said = said[:-1]  # "ProNATs e.V.", "taz.de"
        compact = "".join(said)
        domain = self.domain
        if not domain or not said:
            return False
        if compact == "".join(domain) or compact == domain[-1] or set(said) == set(domain):
            return True
        if segment and self.registered and len(said) <= 3 and self.registered in said:
            return True  # "痞客邦 PIXNET" on pixnet.net, "Teufel Blog" on blog.teufel.de
        # The domain's name and a word saying what kind of site it is ("Street One Blog").
        return said[:len(domain)] == tuple(domain) and set(said[len(domain):]) <= _SITE_KINDS


_LEGAL_FORMS = frozenset("e v ev gmbh mbh ag kg inc ltd llc co corp sa sarl srl spa bv nv plc".split())
_TOP_LEVEL_DOMAINS = frozenset("com de net org at ch fr it eu info co uk es nl be io".split())
_SITE_KINDS = frozenset("""blog magazin magazine mag online news shop store forum wiki media verlag zeitung
journal tv radio""".split())


def strip_site_affixes(title: str | None, site: SiteNames | Iterable[str]) -> str | None:
    """``title`` without the segments that name the site: a trailing one and
    whatever follows it (the site's tagline), or a leading one.

    Only segments after a separator are weighed, and only the site's name is
    taken off: "Ceasefire talks resume - Analysis" keeps its last segment, and
    a colon is no separator here ("Star Wars: The Last Jedi").
    """
    if not title:
        return title
    if not isinstance(site, SiteNames):
        site = SiteNames(site)
    bracketed = re.fullmatch(r"(.+?)\s*\[([^\]]+)\]", title)  # "Weekly Edition [LWN.net]"
    if bracketed and site.named(bracketed[2]):
        title = bracketed[1]
    spans = _segments(title, SITE_SEPARATOR)
    if len(spans) < 2:
        return title
    pieces = [title[a:b] for a, b in spans]
    for index in range(1, len(pieces)):
        if site.named(pieces[index], segment=True) or site.named(title[spans[index][0]:]):
            return title[:spans[index - 1][1]].strip(_EDGE) or title
    for index in range(len(pieces) - 2, -1, -1):
        if site.named(pieces[index], segment=True) or site.named(title[:spans[index][1]]):
            return title[spans[index + 1][0]:].strip(_EDGE) or title
    return title


def strip_site_suffix(title: str | None, publishers: Iterable[str]) -> str | None:
    """``title`` without a leading or trailing segment that names the site."""
    return strip_site_affixes(title, SiteNames(publishers))


class _Page:
    """The statements of a page's title, and what names its site or its navigation."""

    def __init__(self, html: str, publishers: Iterable[str], url: str | None):
        self.tree = parse(html)
        self.meta: list[_Statement] = []
        self.headings: list[_Statement] = []
        self.labels: set[tuple[str, ...]] = set()
        names = [n for n in publishers if isinstance(n, str) and n]
        shown: list[str] = []
        if self.tree is not None:
            names.extend(self._json_ld())
            names.extend(self._meta_tags())
            shown = self._body()
            url = url or self._url()
        # A "site name" holding the article's headline is the page's title put
        # in the wrong tag (application-name, og:site_name).
        headlines = [words(h.text) for h in self.headings
                     if h.kind in ("h1", "headline") and (h.in_article or len(words(h.text)) >= 3)]
        names = [n for n in names if not any(_contains(words(n), h) for h in headlines)]
        # What the banner shows names the site where the metadata sets it apart
        # from the title ("CECIL Magazin | Lieblingsfarbe Blau") and names the
        # site no other way; alone it may be the article's own header.
        stated = SiteNames(names, url)
        segments = {words(run) for statement in self.meta
                    if SITE_SEPARATOR.search(statement.text) and strip_site_affixes(statement.text, stated) == statement.text
                    for run in _runs(statement.text, SITE_SEPARATOR) if run != statement.text}
        names.extend(name for name in shown if words(name) in segments)
        self.site = SiteNames(names, url)

    def _url(self) -> str | None:
        return next((url for url in own_urls(self.tree) if url.startswith("http")), None)

    def _meta_tags(self) -> list[str]:
        """Titles the meta tags and <title> state (to ``self.meta``); the site names they give (returned)."""
        kinds = {"og:title": "og", "twitter:title": "twitter", "title": "meta", "dc.title": "meta",
                 "dcterms.title": "meta", "citation_title": "meta", "headline": "meta"}
        for meta in self.tree.iterfind(".//meta"):
            key = (meta.get("property") or meta.get("name") or meta.get("itemprop") or "").lower()
            content = _clean(meta.get("content"))
            if not content:
                continue
            if key in kinds:
                self.meta.append(_Statement(kinds[key], content))
        title = self.tree.find(".//head//title")
        if title is None:
            title = self.tree.find(".//title")
        if title is not None and (text := _clean(title.text_content())):
            self.meta.append(_Statement("title", text))
        return meta_site_names(self.tree)

    def _json_ld(self) -> list[str]:
        """Headlines of the page's schema.org articles (to ``self.meta``), and
        the names of its web site and publishers (returned)."""
        from trafilatura.json_metadata import JSON_ARTICLE_SCHEMA

        sites: list[str] = []
        for item in json_ld_items(self.tree):
            types = {t.lower() for t in (item.get("@type") if isinstance(item.get("@type"), list)
                                         else [item.get("@type")]) if isinstance(t, str)}
            name = item.get("name") if isinstance(item.get("name"), str) else None
            if types & JSON_ARTICLE_SCHEMA:
                # Its "name" where it states no "headline" (some put a summary there).
                key = "headline" if isinstance(item.get("headline"), str) else "name"
                if isinstance(item.get(key), str) and (text := _clean(html_lib.unescape(item[key]))):
                    self.meta.append(_Statement("json-ld", text))
            elif types & {"webpage"} and name:
                self.meta.append(_Statement("json-ld", _clean(name)))
            elif types & {"website", "organization", "newsmediaorganization"} and name:
                sites.append(name)
            sites.extend(publisher_names(item))
        return sites

    def _body(self) -> list[str]:
        """Collect the page's visible headings and navigation labels; return
        what its banner names (the site)."""
        from trafilatura.baseline import block_text  # spaces between blocks, none inside words
        from trafilatura.xpaths import TITLE_XPATHS

        # Headings marked as the headline ("entry-title", itemprop="headline"), as trafilatura finds them.
        marked = set(TITLE_XPATHS[0](self.tree))
        sites: list[str] = []
        stack = [(self.tree, "")]
        while stack:
            element, region = stack.pop()
            tag = element.tag.lower() if isinstance(element.tag, str) else ""
            if not tag or tag in UNSEEN_TAGS or is_hidden(element):
                continue
            region = _region(element, tag, region)
            if tag in ("h1", "h2", "h3") or (tag == "a" and (region in ("banner", "nav") or _home(element))):
                text = _clean(block_text(_without_kicker(element))).strip(_EDGE)
                if text and (region == "banner" or (tag == "a" and _home(element))):
                    sites.append(text)
                    if tag != "a":  # a hero header may hold the headline
                        self.headings.append(_Statement(tag, text))
                elif text and region == "nav":
                    self.labels.add(words(text))
                elif text and tag != "a" and region != "aside":
                    kind = "headline" if element in marked else tag
                    self.headings.append(_Statement(kind, text, region == "article"))
                    # A kicker set apart in its own element without saying so: each
                    # part may be what the metadata states as the headline.
                    parts = [_clean(block_text(child)) for child in _without_kicker(element)
                             if isinstance(child.tag, str)]
                    if len([p for p in parts if p]) > 1:
                        self.headings.extend(_Statement(kind, p, region == "article", part=True)
                                             for p in parts if len(words(p)) >= 3)
            stack.extend((child, region) for child in reversed(element))
        return sites

    def label(self, text: str, menus: bool = False) -> bool:
        """Whether ``text`` is the site's name (or, with ``menus``, a menu
        label): never a title on its own."""
        said = words(text)
        # A menu may also link whole headlines ("Latest posts"); a label is short.
        return not said or (menus and said in self.labels and len(said) <= 3) or self.site.named(text)


# Classes of the kicker (German "Dachzeile") set above a headline inside its
# heading element: a label of the topic, shown apart, not part of the title.
_KICKER_CLASS = re.compile(r"kicker|overline|dachzeile|roofline|topline|eyebrow|spitzmarke|supertitle|super-title"
                           r"|headline-intro|teaser-label", re.I)


# A heading's own permalink ("¶" after Sphinx headings, "#" on GitHub pages).
_PERMALINK = re.compile(r"[¶#§🔗]")


def _without_kicker(heading):
    """A copy of ``heading`` without its kicker and hidden parts."""
    from copy import deepcopy

    copy = deepcopy(heading)
    copy.tail = None
    for element in list(copy.iterdescendants()):
        if isinstance(element.tag, str) and (is_hidden(element) or _KICKER_CLASS.search(element.get("class") or "")
                                             or _PERMALINK.fullmatch(element.text_content().strip())):
            element.drop_tree()
    return copy


def _contains(sequence: tuple[str, ...], part: tuple[str, ...]) -> bool:
    return any(sequence[i:i + len(part)] == part for i in range(len(sequence) - len(part) + 1))


def _home(link) -> bool:
    """Whether ``link`` leads to the site's home page (whose label is the site's name)."""
    href = (link.get("href") or "").strip()
    return href in ("/", "./", "index.html", "/index.html") or bool(re.fullmatch(r"https?://[^/]+/?", href)) \
        or "home" in (link.get("rel") or "").lower()


def _tokens(element) -> list[str]:
    return ((element.get("class") or "") + " " + (element.get("id") or "")).lower().split()


def _region(element, tag: str, region: str) -> str:
    """The part of the page ``element`` lies in: "article", "banner" (the site's
    header), "nav" (menus, breadcrumbs), "aside" (sidebars, widgets, footers,
    comments), or "" (not known)."""
    if region in ("nav", "aside"):
        return region
    role = (element.get("role") or "").lower()
    # <body>'s classes describe the layout ("one-sidebar sidebar-second"), not a region.
    tokens = _tokens(element) if tag not in ("html", "body") else []
    if tag == "nav" or role == "navigation" or any(_NAV_TOKEN.match(t) for t in tokens):
        return "nav"
    if tag in ("aside", "footer") or role in ("contentinfo", "complementary") \
            or any(_ASIDE_TOKEN.match(t) for t in tokens):
        return "aside"
    if region == "article":
        return region
    if tag in ("article", "main") or role in ("main", "article"):
        return "article"
    if region == "banner":
        return region
    # Only what says it is the site's brand: a bare <header> holds the article's headline as often.
    if role == "banner" or any(t in _BANNER_TOKENS for t in tokens):
        return "banner"
    return region


def _as_written(heading: str, end: int) -> str:
    """``heading`` up to ``end`` (the end of a word), with the punctuation
    that closes it ("»...sauber!«")."""
    while end < len(heading) and not heading[end].isspace() and not heading[end].isalnum():
        end += 1
    return heading[:end]


def page_title(html, publishers: Iterable[str] = (), url: str | None = None) -> str | None:
    """The title of the work a saved page holds, or None when it states none to trust.

    In order:

    1. A heading the metadata agrees with (a whole title less the site's
       name, or one of its segments: the headline after a kicker) is the
       headline, kept as the page writes it.  A byline or date after those
       words in the same heading is left out; a subtitle is kept.
    1b. The article's one main heading, where the metadata shares most of
       its content words (``_retold_heading``).
    2. A metadata title another kind of metadata agrees with (og:title and
       the schema.org headline, say), without the segments naming the site.
    3. The article's one main heading (an <h1> in <article> or <main>, or
       one marked as the headline), which the reader sees as the title.
    4. Any metadata title, without the segments naming the site.
    5. The page's one <h1>.

    A site's name is never a title, and a menu label ("Aktuelles") only
    where the metadata states it whole.
    """
    page = _Page(html, publishers, url)
    if page.tree is None:
        return None
    written: dict[tuple[str, ...], str] = {}  # the metadata's spelling of each title and segment
    whole: set[tuple[str, ...]] = set()  # a statement less the site's name
    for statement in page.meta:
        stripped = strip_site_affixes(statement.text, page.site) or ""
        whole.add(words(stripped))
        for run in _runs(stripped):
            written.setdefault(words(run), run)
    if (found := _agreed_heading(page, whole, written)) is not None:
        return found
    if (found := _retold_heading(page)) is not None:
        return found
    # The article's schema.org headline first, then what sharing cards show, then <title>.
    ranked = sorted(page.meta, key=lambda s: _RANK[s.kind])
    stated = [(strip_site_affixes(s.text, page.site), s) for s in ranked if not _cut_short(s, page.meta)]
    for text, statement in stated:
        if text and not page.label(text) and any(
                other.kind != statement.kind and words(text) in {words(r) for r in _runs(other.text)}
                for other in page.meta):
            return text
    main = [h.text for h in page.headings if not h.part and ((h.in_article and h.kind == "h1") or h.kind == "headline")]
    main = list(dict.fromkeys(t for t in main if not page.label(t, menus=True)))
    if len(main) == 1:
        return main[0]
    for text, _ in stated:
        if text and not page.label(text, menus=True):
            return text
    main = [h.text for h in page.headings
            if not h.part and h.kind in ("h1", "headline") and not page.label(h.text, menus=True)]
    return main[0] if len(main) == 1 else None


def _agreed_heading(page: "_Page", whole: set, written: dict) -> str | None:
    """The heading the metadata agrees with, as the page writes it (see ``page_title``)."""
    best, best_rank = None, None
    for index, heading in enumerate(page.headings):
        text = heading.text
        said = words(text)
        if not said or page.site.named(text):
            continue
        found = None  # (the whole title?, exactly the heading?, words, text)
        # A menu label is a page's title only when the metadata states it whole ("Impressum").
        if said in whole or (said in written and not page.label(text, menus=True)):
            found = (said in whole, True, len(said), text)
        else:
            ends = [w.end() for w in _WORD.finditer(text)]
            for length in range(min(len(said), len(ends)) - 1, 0, -1):
                # The heading goes on after the title: with a subtitle if the metadata
                # states the title whole, else only with a byline or a date.
                title, rest = _as_written(text, ends[length - 1]), text[ends[length - 1]:]
                if said[:length] in whole and re.match(r"\W*?[:–—-]\s", rest) and not page.site.named(rest):
                    found = (True, False, len(said), text)  # the title with its subtitle ("Title: Subtitle")
                elif said[:length] in whole or (said[:length] in written and _BYLINE_OR_DATE.match(rest)):
                    found = (said[:length] in whole, False, length, title.strip(_EDGE))
                if found:
                    break
        if found:
            # The whole title stated before a segment of it; <h1> before <h2>; the heading
            # as stated before one going on; more words before fewer.
            rank = (found[0], -_LEVEL[heading.kind], found[1], found[2], -index)
            if best_rank is None or rank > best_rank:
                best, best_rank = found[3], rank
    if best is None:
        return None
    # Spacing is markup's ("Abrechnung : Musik-Stars" from two spans): the metadata's, if only that differs.
    other = written.get(words(best), best)
    return other if other.replace(" ", "") == best.replace(" ", "") else best


_LEVEL = {"headline": 1, "h1": 1, "h2": 2, "h3": 3}


def _retold_heading(page: "_Page") -> str | None:
    """The article's main heading where the metadata words the same story
    otherwise (a search-engine title: "Niederlage für Johnson: Parlament
    vertagt Votum über Brexit-Deal" for the headline "Unterhaus vertagt Votum
    über Brexit-Deal - es drohen Chaos-Tage").  The page's own headline is
    the title its readers see; the metadata vouches for it by sharing most of
    its content words, which a section label ("Pressemitteilungen") does not."""
    main = [h for h in page.headings if not h.part and (h.kind == "headline" or (h.kind == "h1" and h.in_article))]
    if len(main) != 1 or page.label(main[0].text, menus=True):
        return None
    heading = _content_words(main[0].text)
    for statement in page.meta:
        shared = heading & _content_words(strip_site_affixes(statement.text, page.site) or "")
        if len(shared) >= 2 and len(shared) * 2 >= len(heading):
            return main[0].text
    return None


def _content_words(text: str) -> set[str]:
    return {w for w in words(text) if len(w) > 3}
_RANK = {"json-ld": 0, "og": 1, "twitter": 2, "meta": 3, "title": 4}


def _cut_short(statement: _Statement, statements: list[_Statement]) -> bool:
    """Whether ``statement`` is another's title cut short ("... for Hong Kong leader...")."""
    if not statement.text.endswith(("...", "…")):
        return False
    said = words(statement.text)
    return any(len(words(o.text)) > len(said) and words(o.text)[:len(said)] == said for o in statements)
