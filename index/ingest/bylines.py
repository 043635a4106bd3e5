"""Bylines a web page states, checked before any name becomes an author.

A page's author metadata is often page furniture: the publisher ("Condé
Nast"), a role ("AP Auto Writer", "Staff", "admin"), a link label ("View all
posts by ..."), or, on fact-check pages, the people whose claims the article
is about.  A wrong author is worse than none (none is never wrong), so a name
is kept only when it looks like a person's and nothing on the page says
otherwise.  (A page's title is chosen in ``pinpoint.index.ingest.page_titles``.)

Metadata extractors hand over bylines already normalised: a label left in
("Par Attac France", "Interview Julia Lauter"), a date label run into the name
("Sara Zinnecker Stand" from "Stand: 05. Februar 2020"), a domain or e-mail
address turned into words ("Facebook Com" from "facebook.com"), a lower-case
login title-cased ("Sarah-Indra" from "sarah-indra"), a commenter's header
taken for a byline ("Stephangoeldi Said; On August 3").  So when the page is
at hand, each name is looked up in it as the page writes it (see ``_Page``).
"""

from __future__ import annotations

import bisect
import html as html_lib
import re
import unicodedata
from collections.abc import Iterable
from html.entities import name2codepoint

from pinpoint.index.ingest.page_markup import (
    UNSEEN_TAGS,
    is_hidden,
    json_ld_items,
    meta_site_names,
    parse,
    publisher_names,
)

# Words that make a "name" a job, a desk or a placeholder rather than a person.
ROLE_WORDS = frozenset("""
writer writers staff admin administrator editor editors editorial reporter reporters contributor
contributors correspondent columnist author authors team desk newsroom bureau producer guest
moderator webmaster user member members anonymous unknown none null wire wires service
redaktion redaktionen redaction rédaction redaccion redacción redação redacao redazione redactie
redakcja redakce toimitus
""".split())
# Compounds ending in a desk or an organisation ("Webteam", "Onlineredaktion",
# "Wirtschaftsnachrichten", "Weininstitut", "Olympia-Verlag").
_ROLE_COMPOUNDS = ("team", "redaktion", "desk", "nachrichten", "zeitung", "verlag", "institut", "verband",
                   "verein", "partei", "agentur")
# Words that mark an organisation (publisher, agency, company) rather than a person.
ORGANISATION_WORDS = frozenset("""
press news media group international global inc llc ltd limited corp corporation company co
publishing publications publishers communications network networks agency associated reuters
institute institution foundation university college council association society centre center
department ministry office commission committee board bureau trust fund partners magazine journal
times post daily weekly tribune herald gazette digital online studio studios labs
noticias notícias nachrichten nouvelles notizie nieuws wiadomości wiadomosci diario diário zeitung quotidien
themes theme templates
gmbh mbh ag kg ohg ug gbr ev sarl sas plc pty llp nv bv spa srl
""".split())
# The same for scripts without case: a byline label left without its name
# ("作者：" = "author:") or a desk ("记者", reporter; "编辑", editor).
CJK_ROLE_WORDS = ("作者", "记者", "記者", "编辑", "編輯", "編集", "责任", "責任", "来源", "來源", "出典",
                  "通讯员", "通訊員", "本报", "本報", "供稿", "기자", "편집", "작성자")
# A byline's date often runs into the name in page metadata ("Joshua Sokol May",
# "Joe Wee Monday", "Sara Zinnecker Stand" from "Stand: 05.02.2020"): a trailing
# month, weekday or date label ("Stand", German "as of"; "Updated") is the date,
# not the surname, when the page also states the name without it.
_DATE_WORDS = frozenset("""
january february march april may june july august september october november december
jan feb mar apr jun jul aug sep sept oct nov dec
monday tuesday wednesday thursday friday saturday sunday
stand aktualisiert veroffentlicht updated update published posted publie actualizado publicado
aggiornato pubblicato bijgewerkt gepubliceerd
""".split())
# Lead-ins and labels before a byline's names, in the major languages: "By",
# German "Von"/"Vom", French "Par", Spanish and Portuguese "Por", Italian
# "Di"/"Da", Dutch "Door", Scandinavian "Av"/"Af", Polish "Przez", and labels
# ("Autor:", "Text:", "Interview:").  Extractors drop the colon, so a label
# is a leading word.
_LEAD_IN = re.compile(
    r"^(?:(?:view\s+all|more|alle|weitere)\s+(?:posts|articles|stories|beiträge|artikel)\s+(?:by|from|von)"
    r"|(?:posted|written|published|story|words|text|reporting|interview|compiled)\s+by"
    r"|(?:verfasst|geschrieben|erstellt|ein\s+beitrag|beitrag|beiträge|artikel)\s+von"
    r"|(?:écrit|publié|propos\s+recueillis)\s+par|(?:escrito|publicado|reportaje)\s+por|(?:scritto|a\s+cura)\s+d[ai]"
    r"|geschreven\s+door|skrevet\s+a[vf]|skriven\s+av|napisane\s+przez"
    r"|text\s+(?:und|and|et|y|e)\s+interview|by|przez"
    r"|authors?|aut(?:or|ora|ores|orin|oren|orka|ore|ori|rice|eur|eure|eurs)|författare|forfatter"
    r"|автор|text|texte|texto|testo|tekst|words|interview|entrevista|intervista|interviú)\s*:?\s+", re.I)
# Lead-ins that are also particles of surnames ("Von Trapp", "Di Stefano", "Da
# Silva"): taken off only when a name of two words or more follows.
_PARTICLE_LEAD_IN = re.compile(r"^(?:von|vom|par|por|di|da|door|av|af)\s+(?=\S+\s+\S)(?!.*,)", re.I)
_WORDY = re.compile(r"\w")
# Academic and professional titles and honorifics before a name: citations omit them.
# "Mag."/"Ing." only with their dot: "Ing" is also a given name.
_TITLES = re.compile(r"^(?:(?:(?:dr|prof|professor|rechtsanw[aä]lt(?:in)?|fachanw[aä]lt(?:in)?"
                     r"|mr|mrs|ms|mme|mlle|sir|dame)\b\.?|(?:univ|mag|dipl|ing)\.)(?:-\w+\.?)?\s+)+", re.I)
# Credits that name someone other than the author: photos, illustrations, translation.
_OTHER_CREDIT = re.compile(
    r"^(?:fotos?|photos?|photography|photographs|bild|bilder|illustrations?|grafik|grafiken|video|kamera"
    r"|camera|übersetzung|translation|translated|traduction|traducción|traduzione|tradução)\b", re.I)
# A commenter's header ("stephangoeldi said, on August 3"): the extractor read a comment.
_COMMENT_HEADER = re.compile(
    r"\s(?:said|says|wrote|writes|replied|replies|commented|schrieb|schreibt|sagt|sagte|meint|antwortete"
    r"|dit|écrit|dice|dijo|escribió|disse|scrive|schreef|zegt)$", re.I)
# A byline opening the article's text; its names end where a date or role begins
# ("Erstellt von Fabian am Dienstag 6. Mai 2014", "Von Daniel Weinmann | 12.01.2023").
_BODY_BYLINE = re.compile(
    r"^(?:by|von|vom|par|por|di|door|av|af|przez|(?:written|posted|story|words|text)\s+by"
    r"|(?:verfasst|geschrieben|erstellt|ein\s+beitrag)\s+von|écrit\s+par|escrito\s+por|scritto\s+da"
    r"|autor|autorin|auteur|author|text)\s*:?\s+"
    r"(?P<names>[^\W\d_][^\d|•·–—()]*?)(?:\s+(?:am|on|le|el|il|op|den|um|at|[-–—|•·])\s.*|\s*[\d|•·(–—].*)?$", re.I)
# What surrounds a name in a byline but is no part of it ("'Luana Patriolino").
_EDGE_PUNCTUATION = " \t,.;:'\"‘’‚“”„«»‹›()[]{}<>|/\\-–—*•·"
# Top-level domains: a "name" ending in one is an address made into words.
_DOMAIN_ENDINGS = frozenset("com net org info biz io de at ch fr it es nl be eu uk ru pl cz".split())
_COPYRIGHT = re.compile(r"(?:©|&copy;|\(c\)|copyright)\s*(?:\d{4}(?:\s*[-–]\s*\d{4})?\s*,?\s*)?"
                        r"([A-Z][^.<>|\n]{1,60})", re.I)


def fold(text: str) -> str:
    """Case-, accent- and spacing-blind form for comparing names."""
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c))
    return " ".join(re.sub(r"[^\w\s]", " ", text.casefold()).split())


def _words(name: str) -> list[str]:
    return fold(name).split()


def page_publishers(html: str, *known: str | None, tree=None) -> list[str]:
    """Names the page gives its site or publisher: site name meta tags,
    JSON-LD ``publisher``, copyright holders, plus ``known`` ones.
    ``tree``: the page already parsed (``page_markup.parse``), else ``html`` is."""
    names = [k for k in known if k]
    tree = parse(html) if tree is None else tree
    if tree is not None:
        names.extend(meta_site_names(tree))
        for item in json_ld_items(tree):
            names.extend(publisher_names(item))
    names.extend(m.group(1).strip() for m in _COPYRIGHT.finditer(html))
    return [n for n in dict.fromkeys(" ".join(n.split()) for n in names) if n]


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
    if any(c.isdigit() for c in name):
        return False  # "On August 3": a date, a counter, a login
    words = _words(name.replace(",", " ").replace("_", " "))
    if not 2 <= len(words) <= 5:
        return False
    if words[-1] in _DOMAIN_ENDINGS:
        return False  # "Facebook Com", "Bueltge De": an address made into words
    if any(w in ROLE_WORDS or w in ORGANISATION_WORDS or w.endswith(_ROLE_COMPOUNDS) for w in words):
        return False
    if words[-1] in _DATE_WORDS:
        return False  # a date run into the name, or a surname we cannot tell from one: none is safer
    letters = [w for w in re.split(r"[\s._]+", name) if w[:1].isalpha()]
    # A person's name is capitalised, save particles inside it ("Anouk de Vries"),
    # and ends in a word longer than an initial.
    return (bool(letters) and letters[0][0].isupper() and letters[-1][0].isupper() and len(letters[-1]) > 1
            and all(w[0].isupper() or w.lower() in _NAME_PARTICLES for w in letters[1:-1]))


def _in_body(name: str, body: str, top_lines: int, bio_paragraphs: int) -> bool:
    """Whether ``name`` is mentioned in the article's running text (not its
    opening byline lines nor a closing bio): someone written about."""
    # A line without a word ("/", "* * *") is no paragraph: a closing credit set out as
    # "Text:", "Jane Doe", "/", "site.de" still ends the article.
    paragraphs = [p for p in body.split("\n") if _WORDY.search(p)]
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


def _opening_byline(body: str, lines: int = 4) -> list[str]:
    """The names an article's own opening byline gives ("Von Matthias Lauerer",
    "Erstellt von Fabian am 6. Mai 2014", "By Tom Krisher, AP Auto Writer")."""
    paragraphs = [p.strip(" *_>\t") for p in body.split("\n") if p.strip() and not p.lstrip().startswith("#")]
    for paragraph in paragraphs[:lines]:
        found = _BODY_BYLINE.match(paragraph) if len(paragraph) <= 100 else None
        if not found:
            continue
        names = []
        for name in re.split(r"\s*(?:[,;&|]|\s(?:and|und|et|y|e|og|och|en)\s)\s*", found["names"]):
            words = name.strip(_EDGE_PUNCTUATION).split()
            if (1 <= len(words) <= 5 and all(w[0].isupper() or w.lower() in _NAME_PARTICLES for w in words)
                    and not set(_words(name)) & (ROLE_WORDS | ORGANISATION_WORDS)):
                names.append(" ".join(words))
        if names:
            return names
    return []


def _clean_piece(piece: str) -> str | None:
    """One name of a byline without its lead-in, label or stray punctuation;
    None for a credit that is not authorship ("Fotos: ...")."""
    name = " ".join(piece.split()).strip(_EDGE_PUNCTUATION)
    if _OTHER_CREDIT.match(name):
        return None
    for _ in range(2):  # "Text und Interview: ..." leaves a label, "Von Autor: ..." too
        name = _LEAD_IN.sub("", name)
        name = _PARTICLE_LEAD_IN.sub("", name).strip(_EDGE_PUNCTUATION)
        name = _TITLES.sub("", name)
    return name or None


def trusted_byline(author: str | None, *, publishers: Iterable[str], body: str, html: str = "", tree=None,
                   top_lines: int = 3, bio_paragraphs: int = 2) -> str | None:
    """The names of ``author`` (as "A; B") that pass the check, or None.

    Lead-ins and labels ("By", "Von", "Par", "Autor:", "Interview:") and stray
    punctuation are removed; names that are roles, organisations, addresses
    or the page's publisher are dropped, and so is a name ending in a date
    word unless ``html`` (the page) states it without.  A name repeated in
    other case ("Jeffrey Gettleman; JEFFREY GETTLEMAN") is one author.  With
    the page at hand, a name is kept only as the page writes it (see
    ``_Page.credited``).  Where the article's text opens with its own byline,
    only names it gives are kept.  If any name is one the article writes
    about, or the byline is a commenter's header or broken markup, nothing
    is kept.  ``tree``: the page already parsed (``page_markup.parse``), else
    ``html`` is.
    """
    if not author:
        return None
    publishers = list(publishers)
    pieces = _pieces(author)
    if any(_COMMENT_HEADER.search(p.strip(_EDGE_PUNCTUATION)) for p in pieces):
        return None
    if any(p.strip() in name2codepoint for p in pieces):
        return None  # "Redacci; Oacute; N ...": an entity split the byline, whose names are lost
    page = _Page(html, tree) if html else None
    kept: dict[str, str] = {}
    for piece in pieces:
        name = _clean_piece(piece)
        if not name:
            continue
        if _in_body(name, body, top_lines, bio_paragraphs):
            return None
        name = _without_date(name, html)
        if page is not None:
            name = page.credited(name)
            if not name or not (name := _clean_piece(name)):
                continue
        if _looks_like_person(name) and not _is_publisher(name, publishers):
            kept.setdefault(fold(name), name)
    shown = _opening_byline(body)
    if shown:
        # The article's own byline names its authors; metadata naming others is
        # the posting account's or the site owner's.
        kept = {k: v for k, v in kept.items() if any(_same_name(k, fold(s)) for s in shown)}
    return "; ".join(kept.values()) or None


def _same_name(one: str, other: str) -> bool:
    """Whether two folded names are one person's, one maybe without a middle name."""
    a, b = one.replace("_", " ").split(), other.replace("_", " ").split()
    return len(a) >= 2 and len(b) >= 2 and (set(a) <= set(b) or set(b) <= set(a))


# Elements whose names are not the article's author's: comment threads
# (commenters, "Recent comments") and teasers of other articles.
# Matched on whole class or id tokens: "has-recommendations" or "f_comment_on"
# on a page's wrapper say nothing of what it holds.
_COMMENT_CLASS = re.compile(r"^(?:recent)?comments?(?:$|[-_]|list)|^respond$|^disqus", re.I)
_RELATED_CLASS = re.compile(r"^(?:[a-z]+[-_])?related(?:$|[-_]|posts|articles|stories)", re.I)
# Classes that hide an element.  Not any "-hidden": "tw-overflow-hidden",
# "field--label-hidden", "mobile-hidden" or <body>'s "footer-top-hidden" hide
# nothing, or something else.
_HEADINGS = frozenset("h1 h2 h3 h4 h5 h6".split())
_AUTHOR_HREF = re.compile(r"/(?:author|autor|auteur)[\w-]*(?:/|#|$)", re.I)
_INVISIBLE_CHARACTERS = dict.fromkeys(map(ord, "\u00ad\u200b\u200c\u200d\u2060\ufeff"))
_JSON_ESCAPE = re.compile(r"\\u([0-9a-fA-F]{4})")
_TAG = re.compile(r"<[^>]*>")
_CONNECTORS = frozenset("and und et y e i og och en for fur pour para per of at in with from via".split())
# Lower-case words that may stand in a personal name as written.
_NAME_PARTICLES = frozenset("""van von vom der den de del della degli di da das do dos du le la les ter ten
zu zum y e i bin ibn al el""".split())


def _document(html: str):
    """``html`` parsed as lxml does, fragments too (trafilatura's loader wants a whole page)."""
    import lxml.etree
    import lxml.html  # trafilatura's own parser, installed with it

    try:
        return lxml.html.document_fromstring(html.encode("utf-8", "replace"),
                                             parser=lxml.html.HTMLParser(encoding="utf-8"))
    except (lxml.etree.LxmlError, ValueError):
        return None


class _Page:
    """A page's visible text, to read the names of a byline as the page writes them.

    A name is credited when the page shows it to the reader, outside comment
    threads, teasers of other articles and hidden elements, written as a
    name: capitalised words ("Julia Lauter"), not a lower-case login
    ("sarah-indra"), a domain ("jungefreiheit.de") or a phrase ("deinen
    Hochzeitsbloggern").  A name only machine-readable metadata holds is the
    publishing system's (the account that posted, a theme's designer, the
    site); the article credits its author where readers see it.
    """

    def __init__(self, html: str, tree=None):
        self.html = html
        self.text = ""
        self._spans: list[tuple[int, bool]] = []  # (offset, in a comment or teaser)
        self._markup: str | None = None
        self._end = 0
        root = _document(html) if tree is None else tree
        if root is None:
            return  # an empty or unreadable page credits no one
        parts: list[str] = []
        self._walk(root, False, parts)
        self.text = "".join(parts)

    def _walk(self, element, aside: bool, parts: list[str]) -> None:
        stack = [(element, aside, False)]
        while stack:
            item, aside, is_tail = stack.pop()
            if is_tail:
                self._add(item, aside, parts)
                continue
            tag = item.tag if isinstance(item.tag, str) else ""
            if tag.lower() in UNSEEN_TAGS or not tag or is_hidden(item):
                continue
            aside = aside or self._aside(item, tag)
            self._add(item.text, aside, parts)
            for child in reversed(item):
                stack.append((child.tail, aside, True))
                stack.append((child, aside, False))

    def _add(self, text: str | None, aside: bool, parts: list[str]) -> None:
        if text and text.strip():
            self._spans.append((self._end, aside))
            parts.append(" " + text.translate(_INVISIBLE_CHARACTERS).replace("\u00a0", " "))
            self._end += len(parts[-1])

    @staticmethod
    def _aside(element, tag: str) -> bool:
        tokens = (element.get("class") or "").split() + (element.get("id") or "").split()
        if any(_COMMENT_CLASS.match(token) or _RELATED_CLASS.match(token) for token in tokens):
            return True
        # A link holding a headline is a teaser of another article, its "By ..." that
        # article's; unless it links the author ("<a class=author><h4>Name</h4></a>").
        return (tag == "a" and not _is_author_link(element)
                and any(isinstance(e.tag, str) and e.tag in _HEADINGS for e in element.iterdescendants()))

    @staticmethod
    def _pattern(name: str) -> re.Pattern | None:
        words = [w for w in re.split(r"[\s._]+", name) if w]
        if not words:
            return None
        separator = r"(?:[\s._·]|<[^>]*>)+"
        # Scripts without case run a name into the text ("记者王小明报道"): no word boundary there.
        before = r"(?<!\w)" if _cased(words[0][0]) else ""
        after = r"(?!\w)" if _cased(words[-1][-1]) else ""
        return re.compile(before + separator.join(map(re.escape, words)) + after, re.I)

    @property
    def markup(self) -> str:
        """The page's source with entities and JSON escapes resolved: meta tags and JSON-LD."""
        if self._markup is None:
            text = _JSON_ESCAPE.sub(lambda m: chr(int(m[1], 16)), html_lib.unescape(self.html))
            self._markup = text.translate(_INVISIBLE_CHARACTERS)
        return self._markup

    def credited(self, name: str) -> str | None:
        """``name`` as the page credits it, or None if it does not."""
        pattern = self._pattern(name)
        if pattern is None:
            return None
        shown = [" ".join(m.group().split()) for m in pattern.finditer(self.text)
                 if not self._in_aside(m.start()) and not self._runs_on(m.end())]
        shown = [form for form in shown if _written_as_name(form)]
        if not shown or name in shown:
            return name if shown else None
        # The shown form, or the same in the case the page's metadata gives ("JOHN SMITH": "John Smith").
        marked = [" ".join(_TAG.sub(" ", m.group()).split()) for m in pattern.finditer(self.markup)]
        form = next((f for f in shown + marked if _written_as_name(f) and not f.isupper()), shown[0])
        # A dot between whole words joins a login ("Isabella.DiBiase"); after an initial it is the name's.
        return re.sub(r"(?<=[^\W\d_]{2})\.(?=[^\W\d_])", " ", form)

    def _runs_on(self, end: int) -> bool:
        """Whether the text at ``end`` goes on with another capitalised word, as
        "Sarah-Indra" does in "Sarah-Indra Jungblut": a longer name."""
        index = bisect.bisect_right(self._spans, (end - 1, True)) - 1
        chunk_end = self._spans[index + 1][0] if index + 1 < len(self._spans) else len(self.text)
        # The capitalised words that follow; a role ("Political Editor"), a date label
        # ("Stand") or a connector ("And Brendan Carlin For The Mail") is no name.
        follower = re.match(r"(?:[ \u00a0][^\W\d_][\w'’-]*){1,4}", self.text[end:chunk_end])
        if not follower or not follower[0][1].isupper():
            return False
        words = _words(follower[0])
        return words[0] not in _CONNECTORS and not set(words) & (ROLE_WORDS | ORGANISATION_WORDS | _DATE_WORDS)

    def _in_aside(self, offset: int) -> bool:
        index = bisect.bisect_right(self._spans, (offset, True)) - 1
        return index >= 0 and self._spans[index][1]


def _is_author_link(element) -> bool:
    return ("author" in (element.get("rel") or "").lower() or bool(_AUTHOR_HREF.search(element.get("href") or ""))
            or any("author" in token for token in (element.get("class") or "").lower().split()))


def _written_as_name(form: str) -> bool:
    """Whether ``form`` is written as a personal name: every word capitalised
    (save particles such as "von", "de"), no address or login."""
    if re.search(r"\.[a-z]{2,6}$", form):
        return False  # "Fluessiggas.de"
    words = [w for w in re.split(r"[\s._]+", form) if w]
    return all(not w[0].islower() or w.lower() in _NAME_PARTICLES for w in words) \
        and not all(w.lower() in _NAME_PARTICLES for w in words)


def _cased(character: str) -> bool:
    return character.isupper() or character.islower()
