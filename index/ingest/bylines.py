"""Bylines a web page states, checked before any name becomes an author.

A page's author metadata is often page furniture: the publisher ("Condé
Nast"), a role ("AP Auto Writer", "Staff", "admin"), a link label ("View all
posts by ..."), or, on fact-check pages, the people whose claims the article
is about.  A wrong author is worse than none (none is never wrong), so a name
is kept only when it looks like a person's and nothing on the page says
otherwise.  Titles lose the site-name suffix pages append ("| The Hill") when
the page names its site.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Iterable

# Words that make a "name" a job, a desk or a placeholder rather than a person.
ROLE_WORDS = frozenset("""
writer writers staff admin administrator editor editors editorial reporter reporters contributor
contributors correspondent columnist author authors team desk newsroom bureau producer guest
moderator webmaster user member members anonymous unknown none null wire wires service
""".split())
# Words that mark an organisation (publisher, agency, company) rather than a person.
ORGANISATION_WORDS = frozenset("""
press news media group international global inc llc ltd limited corp corporation company co
publishing publications publishers communications network networks agency associated reuters
institute institution foundation university college council association society centre center
department ministry office commission committee board bureau trust fund partners magazine journal
times post daily weekly tribune herald gazette digital online studio studios labs
""".split())
# The same for scripts without case: a byline label left without its name
# ("作者：" = "author:") or a desk ("记者", reporter; "编辑", editor).
CJK_ROLE_WORDS = ("作者", "记者", "記者", "编辑", "編輯", "編集", "责任", "責任", "来源", "來源", "出典",
                  "通讯员", "通訊員", "本报", "本報", "供稿", "기자", "편집", "작성자")
# A byline's date often runs into the name in page metadata ("Joshua Sokol May",
# "Joe Wee Monday"): a trailing month or weekday is the date, not the surname,
# when the page also states the name without it.
_DATE_WORDS = frozenset("""
january february march april may june july august september october november december
jan feb mar apr jun jul aug sep sept oct nov dec
monday tuesday wednesday thursday friday saturday sunday
""".split())
# Link labels and lead-ins that come before a name in bylines.
_LEAD_IN = re.compile(
    r"^(?:view\s+all\s+(?:posts|articles|stories)\s+by|more\s+(?:posts|articles|stories)\s+(?:from|by)"
    r"|posted\s+by|written\s+by|published\s+by|story\s+by|words\s+by|by)\s*:?\s+", re.I)
_COPYRIGHT = re.compile(r"(?:©|&copy;|\(c\)|copyright)\s*(?:\d{4}(?:\s*[-–]\s*\d{4})?\s*,?\s*)?"
                        r"([A-Z][^.<>|\n]{1,60})", re.I)
_JSON_LD = re.compile(r"<script[^>]+application/ld\+json[^>]*>(.*?)</script>", re.S | re.I)
_META = re.compile(r"<meta\s[^>]*>", re.I)
_ATTR = re.compile(r"""([a-z:_-]+)\s*=\s*("[^"]*"|'[^']*'|[^\s>]+)""", re.I)
_TITLE_SEPARATOR = re.compile(r"\s+[|–—·•:-]\s+|\s+-{2}\s+")


def fold(text: str) -> str:
    """Case-, accent- and spacing-blind form for comparing names."""
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c))
    return " ".join(re.sub(r"[^\w\s]", " ", text.casefold()).split())


def _words(name: str) -> list[str]:
    return fold(name).split()


def page_publishers(html: str, *known: str | None) -> list[str]:
    """Names the page gives its site or publisher: site name meta tags,
    JSON-LD ``publisher``, copyright holders, plus ``known`` ones."""
    names = [k for k in known if k]
    for tag in _META.findall(html):
        attrs = {k.lower(): v.strip("\"'") for k, v in _ATTR.findall(tag)}
        key = (attrs.get("property") or attrs.get("name") or "").lower()
        if key in ("og:site_name", "application-name", "publisher", "dc.publisher", "twitter:site"):
            names.append(attrs.get("content", "").lstrip("@"))
    for block in _JSON_LD.findall(html):
        try:
            data = json.loads(block)
        except ValueError:
            continue
        names.extend(_json_ld_publishers(data))
    names.extend(m.group(1).strip() for m in _COPYRIGHT.finditer(html))
    return [n for n in dict.fromkeys(" ".join(n.split()) for n in names) if n]


def _json_ld_publishers(data) -> Iterable[str]:
    if isinstance(data, list):
        for item in data:
            yield from _json_ld_publishers(item)
    elif isinstance(data, dict):
        for key in ("publisher", "sourceOrganization"):
            value = data.get(key)
            for item in value if isinstance(value, list) else [value]:
                if isinstance(item, dict) and isinstance(item.get("name"), str):
                    yield item["name"]
                elif isinstance(item, str):
                    yield item
        if "@graph" in data:
            yield from _json_ld_publishers(data["@graph"])


def _is_publisher(name: str, publishers: Iterable[str]) -> bool:
    folded = fold(name)
    for publisher in publishers:
        other = fold(publisher)
        if other and (folded == other or f" {folded} " in f" {other} "):
            return True
    return False


def _looks_like_person(name: str) -> bool:
    compact = name.replace(" ", "").replace("・", "").replace("·", "")
    if compact.isalpha() and not any(c.isupper() or c.islower() for c in compact):
        # Scripts without case (Chinese, Japanese, Korean) write a name as 2-6
        # characters, usually unspaced; there is no capital to check.
        return 2 <= len(compact) <= 6 and not any(role in compact for role in CJK_ROLE_WORDS)
    words = _words(name.replace(",", " "))
    if not 2 <= len(words) <= 5:
        return False
    if any(w in ROLE_WORDS or w in ORGANISATION_WORDS for w in words):
        return False
    if words[-1] in _DATE_WORDS:
        return False  # a date run into the name, or a surname we cannot tell from one: none is safer
    letters = [w for w in name.replace(".", " ").split() if w[:1].isalpha()]
    # A person's name is capitalised and has a word longer than an initial.
    return all(w[0].isupper() for w in letters) and any(len(w) > 1 for w in letters[-1:])


def _in_body(name: str, body: str, top_lines: int, bio_paragraphs: int) -> bool:
    """Whether ``name`` is mentioned in the article's running text (not its
    opening byline lines nor a closing bio): someone written about."""
    paragraphs = [p for p in body.split("\n") if p.strip()]
    middle = paragraphs[top_lines: max(top_lines, len(paragraphs) - bio_paragraphs)]
    return f" {fold(name)} " in f" {fold(' '.join(middle))} "


def _pieces(author: str) -> list[str]:
    """Names in a byline.  Commas separate names ("A B, C D") or a role
    ("A B, AP Auto Writer"), but also "Family, Given", which stays whole."""
    pieces = []
    for piece in re.split(r"\s*;\s*|\s+(?:and|&)\s+", author):
        parts = [p.strip() for p in piece.split(",") if p.strip()]
        if len(parts) > 1 and (all(len(p.split()) >= 2 for p in parts)
                               or any(set(_words(p)) & (ROLE_WORDS | ORGANISATION_WORDS) for p in parts)):
            pieces.extend(parts)
        else:
            pieces.append(piece)
    return pieces


def _without_date(name: str, html: str) -> str:
    """``name`` less a trailing month or weekday, if the page states the shorter
    name on its own (as an element's text or an attribute's value)."""
    words = name.split()
    if len(words) < 3 or fold(words[-1]) not in _DATE_WORDS:
        return name
    shorter = " ".join(words[:-1])
    alone = re.compile(r"""[>"']\s*""" + re.escape(shorter) + r"""\s*[<"']""", re.I)
    return shorter if alone.search(html) else name


def trusted_byline(author: str | None, *, publishers: Iterable[str], body: str, html: str = "",
                   top_lines: int = 3, bio_paragraphs: int = 2) -> str | None:
    """The names of ``author`` (as "A; B") that pass the check, or None.

    Lead-ins ("By", "View all posts by") are removed; names that are roles,
    organisations or the page's publisher are dropped, and so is a name
    ending in a date word unless ``html`` (the page) states it without.  A
    name repeated in other case ("Jeffrey Gettleman; JEFFREY GETTLEMAN") is
    one author.  If any name is one the article writes about, the whole
    byline is taken for page content and nothing is kept.
    """
    if not author:
        return None
    publishers = list(publishers)
    kept: dict[str, str] = {}
    for piece in _pieces(author):
        name = _LEAD_IN.sub("", " ".join(piece.split())).strip(" ,.")
        if not name:
            continue
        if _in_body(name, body, top_lines, bio_paragraphs):
            return None
        name = _without_date(name, html)
        if _looks_like_person(name) and not _is_publisher(name, publishers):
            kept.setdefault(fold(name), name)
    return "; ".join(kept.values()) or None


def strip_site_suffix(title: str | None, publishers: Iterable[str]) -> str | None:
    """``title`` without a leading or trailing segment that names the site."""
    if not title:
        return title
    names = {fold(p) for p in publishers if fold(p)}
    pieces = _TITLE_SEPARATOR.split(title)
    if len(pieces) < 2:
        return title
    if fold(pieces[-1]) in names:
        return title[: title.rfind(pieces[-1])].rstrip(" |–—·•:-")
    if fold(pieces[0]) in names:
        return title[len(pieces[0]):].lstrip(" |–—·•:-")
    return title
