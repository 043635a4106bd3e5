"""Kinds of page furniture that scraped articles carry, recognised by shape.

Every rule names a kind that recurs across sites (share buttons, newsletter
forms, job adverts, photo credits, download links, "more on this topic"
links, navigation labels, pull quotes).  Rules on wording only fire on short
lines, so an article sentence that happens to mention a newsletter survives.
``pinpoint.index.ingest.clean`` applies them; ``CleanDocument.dropped`` keeps what went.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pinpoint.index.ingest.clean import Unit

# Widgets and labels are short; a rule on wording alone never touches a longer line.
SHORT_WORDS = 12
CAPTION_MAX_CHARS = 400


@dataclass(frozen=True)
class Furniture:
    name: str
    ends_article: bool  # what follows it at the end of a page is more furniture


SHARE = Furniture("share or subscription widget", ends_article=True)
JOB_ADVERT = Furniture("job advert", ends_article=True)
MORE_LINKS = Furniture("link to more content", ends_article=True)
CREDIT = Furniture("photo credit or caption", ends_article=False)
# Comment sections follow the article, but a page may print the prompt above
# it too, so a prompt never ends the article by itself.
COMMENTS = Furniture("comment prompt", ends_article=False)
DOWNLOAD = Furniture("download or view link", ends_article=False)
NAVIGATION = Furniture("navigation label", ends_article=False)
BYLINE = Furniture("byline", ends_article=False)
# A site's footer; an article quoting a copyright line runs longer than a rule on wording fires.
COPYRIGHT = Furniture("copyright notice", ends_article=True)

_NAME_WORD = r"(?:[A-Z][a-z'’]+(?:-[A-Za-z][a-z'’]+)*|[A-Z]\.|[A-Z][a-z]*[A-Z][a-z]+)"
PERSONAL_NAME = rf"{_NAME_WORD}(?:\s+{_NAME_WORD}){{1,3}}"
_I = re.IGNORECASE
# A link's call to action run onto the end of a paragraph ("... any page. Learn more about Style
# Editor"), or standing alone ("Learn more"), in the languages of the labels below.
_CALL_TO_ACTION = (r"(?:Learn more|Read more|Find out more|See more|Continue reading|Keep reading|Mehr erfahren"
                   r"|Weiterlesen|Mehr lesen|En savoir plus|Lire la suite|Leer más|Seguir leyendo|Saiba mais"
                   r"|Leia mais|Scopri di più|Continua a leggere|Lees meer|Czytaj dalej)")
_SHORT_RULES: tuple[tuple[re.Pattern, Furniture], ...] = (
    (re.compile(r"^share (?:on|this|via|to)\b", _I), SHARE),
    (re.compile(r"^(?:tweet|e-?mail|print|share)(?: this)?(?: (?:article|page|story))?$", _I), SHARE),
    (re.compile(r"^follow us\b", _I), SHARE),
    (re.compile(r"\bsubscri(?:be|ption|bing)\b", _I), SHARE),
    (re.compile(r"\bnewsletters?\b", _I), SHARE),
    (re.compile(r"^sign ?up\b", _I), SHARE),
    (re.compile(r"\b(?:to|in|into) your inbox\b", _I), SHARE),
    (re.compile(r"^(?:join the (?:conversation|discussion)|leave a (?:comment|reply)|add a comment"
                r"|post a comment|be the first to comment|(?:show|view|read|hide) (?:all )?comments"
                r"|comments? (?:are|is) (?:closed|moderated))\b", _I), COMMENTS),
    (re.compile(r"^(?:\d[\d,]*|no) (?:comments?|replies|responses)$", _I), COMMENTS),
    # Not "Comments" alone: that is also the heading of a page about comments.
    (re.compile(r"^loading comments\W*$", _I), COMMENTS),
    (re.compile(r"^\*\s*indicates required", _I), SHARE),
    (re.compile(r"^(?:i'?m|i am) interested in\b", _I), SHARE),
    (re.compile(r"^(?:enter )?(?:your )?e-?mail(?: address)?\s*\*?$", _I), SHARE),
    (re.compile(r"\bjobs? (?:board|listings?|openings|site)\b", _I), JOB_ADVERT),
    (re.compile(r"^(?:dreaming of|looking for|thinking (?:of|about)|interested in) "
                r"an? (?:new )?(?:career|job)\b", _I), JOB_ADVERT),
    (re.compile(r"^find (?:your|a) (?:new |next )?.{0,40}\b(?:job|career)s?$", _I), JOB_ADVERT),
    (re.compile(r"^(?:we'?re hiring|careers at)\b", _I), JOB_ADVERT),
    (re.compile(r"^(?:read |see |view |explore )?more (?:on|from|about|stories|articles|news|content)\b"
                r"[^.!?]*$", _I), MORE_LINKS),
    (re.compile(r"^(?:related|recommended|popular|trending)(?: (?:articles|content|posts|stories|reading"
                r"|videos|links|coverage))?\s*:?$", _I), MORE_LINKS),
    (re.compile(r"^(?:read more|see also|further reading)\s*:$", _I), MORE_LINKS),
    (re.compile(r"^(?:you (?:may|might) also (?:like|enjoy)|(?:recent|featured|more|latest) "
                r"(?:slide ?shows|galleries|videos))\s*:?$", _I), MORE_LINKS),
    # A slideshow's or player's controls, and a widget's loading and error messages.
    (re.compile(r"^(?:previous|next|fullscreen|full screen|thumbnails|\d+ of \d+|loading(?: comments)?\W*"
                r"|please wait\W*)$", _I), NAVIGATION),
    # A link's call to action standing alone ("Learn more", "Read more about the study").
    (re.compile(rf"^{_CALL_TO_ACTION}(?:\s+(?:about|on|über|sur|sobre|su|over|o)\s+[^.!?]{{1,80}})?\s*[…»›→>]*$",
                _I), NAVIGATION),
    # A gallery's counter in other languages too ("Bild 1 von 10", "Photo 3 sur 12").
    (re.compile(r"^(?:(?:image|photo|picture|slide|bild|foto|imagen|immagine)\s+)?\d+\s*"
                r"(?:of|von|sur|de|di|van|z|av|/)\s*\d+$", _I), NAVIGATION),
    (re.compile(r"^(?:(?:sorry|unfortunately),?\s+)?this (?:video|feature|content) is (?:temporarily )?(?:not available|unavailable)\b", _I),
     NAVIGATION),
    (re.compile(r"^(?:tags|topics|filed under|categories)\s*:", _I), MORE_LINKS),
    (re.compile(r"\bclick here\b", _I), DOWNLOAD),
    (re.compile(r"^you (?:may|can) (?:also )?(?:view|read|download|find|access|see)\b.*\bhere\b\W*$", _I),
     DOWNLOAD),
    (re.compile(r"^(?:download|view|read) (?:the )?(?:full |complete )?(?:pdf|report|volume|paper)\b"
                r"[^.]*$", _I), DOWNLOAD),
    (re.compile(r"^(?:search|menu|home|close|main menu|toggle navigation|skip to (?:main )?content"
                r"|back to top|log ?in|sign ?in|log ?out)$", _I), NAVIGATION),
    # A credit label run into the name when the page's spans lost their spacing ("CreditJane Doe",
    # "PhotoCreditJane Doe"); in prose "Credit" is followed by a space.
    (re.compile(r"^(?:Photo|Image)?(?:Credit)+[A-Z]"), CREDIT),
    # A post's signature line: "Posted on Tuesday 15 October 2019 at 09:11 by Jane Doe."
    (re.compile(r"^(?:Posted|Published|Written)\s+(?:on|at|in)\s+[^.!?]{1,60}?\bby\s+[A-Z][^!?]{0,60}$"), BYLINE),
    (re.compile(r"^(?:submit|send|post|e-?mail) (?:your |any )?comments? (?:on|about|to)\b[^!?]{0,80}$", _I),
     COMMENTS),
    # A byline standing alone mid-page (a teaser's "By Jane Doe"): names only, nothing else.
    (re.compile(rf"^By\s+{PERSONAL_NAME}(?:(?:,\s*|,?\s+and\s+){PERSONAL_NAME})*$"), BYLINE),
    # A breadcrumb trail: three or more short labels joined by ">", "›" or "»".
    (re.compile(r"^[^.!?>›»]{1,40}(?:\s[>›»]\s[^.!?>›»]{1,40}){2,}$"), NAVIGATION),
    # A notice, not a sentence about copyright: the symbol, or the word followed by a year or "by".
    (re.compile(r"^©|^(?:copyright|\(c\))\s*(?:©|\(c\))?\s*(?:(?:19|20)\d\d|by\b)|\ball rights reserved\W*$", _I),
     COPYRIGHT),
    (re.compile(r"\bcourtesy(?: of)?\b", _I), CREDIT),
    (re.compile(r"\b(?:getty images|shutterstock|ap photo|afp photo|reuters/)", _I), CREDIT),
    *(
        # The same widgets' labels in the other languages sites are most often written in
        # (German, French, Spanish, Portuguese, Italian, Dutch, Polish).  Only whole labels or a
        # label followed by a topic without a sentence's end: "Mehr zu Klima und Konsum".
        (re.compile(pattern + r"[^.!?]*$", _I), kind) for pattern, kind in (
            (r"^related (?:subjects|topics|news|posts)\b", MORE_LINKS),
            (r"^(?:ähnliche|verwandte|weitere|passende) (?:beiträge|artikel|themen|nachrichten|links?|inhalte"
             r"|meldungen)\b", MORE_LINKS),
            (r"^(?:mehr (?:zum thema|zu|aus|von|über)|siehe auch|zum weiterlesen|weiterlesen"
             r"|weiterführende[rn]? (?:links?|informationen|artikel)|lesen sie (?:auch|mehr)|lies auch"
             r"|das könnte (?:sie|dich) auch interessieren|auch interessant)\b", MORE_LINKS),
            (r"^(?:articles? (?:similaires|liés|connexes)|(?:à |a )?lire (?:aussi|également)|voir aussi"
             r"|sur le même sujet|dans la même rubrique|vous aimerez aussi)\b", MORE_LINKS),
            (r"^(?:artículos relacionados|noticias relacionadas|te puede interesar|lee también|ver también"
             r"|leia também|veja também|artigos relacionados|notícias relacionadas|articoli correlati"
             r"|leggi anche|potrebbe interessarti|vedi anche)\b", MORE_LINKS),
            (r"^(?:gerelateerde artikelen|lees ook|zie ook|zobacz (?:też|także|również)"
             r"|czytaj (?:też|także|również)|powiązane artykuły)\b", MORE_LINKS),
            # Not "Kommentare" or "Commentaires" alone: a page about comments has that heading.
            (r"^(?:schreibe(?:n sie)? einen kommentar|hinterlasse(?:n sie)? einen kommentar|kommentieren"
             r"|(?:\d+|keine) kommentare?|laisse[rz] un commentaire|ajouter un commentaire"
             r"|(?:\d+|aucun) commentaires?|deja(?:r)? un comentario|(?:\d+|sin) comentarios?"
             r"|lascia un commento|(?:\d+|nessun) comment[io]|laat een reactie achter)$", COMMENTS),
            (r"^(?:teilen|jetzt teilen|diese[nr]? (?:artikel|beitrag|seite) teilen|gefällt mir|folgen? sie uns"
             r"|partager|partagez|suivez-nous|compartir|comparte|síguenos|condividi|seguici|delen"
             r"|udostępnij)(?: (?:auf|sur|en|su|op|na) \S+)?$", SHARE),
        )
    ),
    # The same on Chinese and Japanese pages, where a line has no spaces to count words by, so
    # every rule is anchored: share ("分享到", "转播到腾讯微博"), related ("相关阅读",
    # "精彩视频推荐", "関連記事"), the editor's and producer's lines ("[责任编辑:X]"), a caption's
    # label ("图注：", "图片来源：") and the reprint notice ("未经授权，不得转载").
    (re.compile(r"^[\[【(（]?(?:分享到|转播到|分享给|シェアする|この記事をシェア)"), SHARE),
    (re.compile(r"^(?:相关|相關|延伸|推荐|推薦|热门|熱門|精彩)\S{0,4}(?:阅读|閱讀|新闻|新聞|文章|推荐|推薦|链接)\s*[:：]?$"
                r"|^\S{0,6}推荐$|^猜你喜欢$|^関連(?:記事|ニュース|リンク)\s*[:：]?$|^おすすめ(?:記事)?\s*[:：]?$"),
     MORE_LINKS),
    (re.compile(r"^[\[【(（]?(?:责任编辑|責任編輯|编辑|編輯|出品|原标题|原標題)\s*[:：︱|丨]"), BYLINE),
    (re.compile(r"^(?:图注|圖註|图片来源|圖片來源|图片|圖片|图|圖)\s*[:：]|^(?:图为|圖為)"), CREDIT),
    (re.compile(r"未经(?:授权|许可)[，,]?\s*不得(?:转载|轉載)|转载请注明|版权所有|版權所有|無断転載"), COPYRIGHT),
)
# "Related: <headline>" runs longer than a label, but a headline never ends in a full stop.
_LABELLED_LINK = re.compile(r"^[\[(]?(?:related|see also|also read|read also|read more|read|more|recommended|"
                            r"further reading|watch|listen)\s*:\s*\S[^.!]*$", _I)
LABELLED_LINK_WORDS = 25

# Credits can trail a caption sentence, so they are recognised in longer lines too.
_CAPTION_RULES: tuple[re.Pattern, ...] = (
    # A credit label starts the line or a new sentence, capitalised ("... Obama. Image: Flickr
    # user ..."); "beautiful things the web could do with images: things not possible" is prose.
    re.compile(r"(?:^|(?<=[.!?)\]\"”’] ))(?:[IPC](?i:mage|hoto|hotograph|icture|redit|hoto credit))s?\s*:\s*\S"),
    re.compile(r"\bphoto(?:graph)? by\b", _I),
    re.compile(r"/\s*(?:courtesy\b|public domain\b|wikimedia commons\b|creative commons\b)", _I),
    re.compile(r"\bflickr user\b", _I),
)

# Every caption rule needs one of these words; checking them first keeps the
# rules cheap on the hundreds of thousands of paragraphs of a book corpus.
_CAPTION_WORDS = ("image", "photo", "picture", "credit", "courtesy", "public domain", "commons", "flickr")
_ANY_CAPTION = re.compile("|".join(f"(?:{p.pattern})" if p.flags & _I else f"(?-i:{p.pattern})"
                                   for p in _CAPTION_RULES), _I)


# A wire photo's caption closes with its credit in parentheses ("(AP Photo/Evan
# Vucci)", "(Oleg Urusov/ Roscosmos Press Service photo via AP)"); such captions
# run longer than other credit lines, and prose never ends that way.
_TRAILING_CREDIT = re.compile(r"\([^()]{0,100}\b(?:photo|photograph|image|picture)s?\b[^()]{0,60}\)\W*$", _I)
TRAILING_CREDIT_MAX_CHARS = 800


# A site's licence notice: "This website and all documents on it are licensed under a Creative
# Commons Attribution-Share Alike 3.0 United States License."
_LICENCE_NOTICE = re.compile(r"^(?:this|the|all|unless otherwise noted|except where otherwise noted)\b[^.!?]{0,80}"
                             r"\b(?:is|are) (?:licensed|available) under (?:a |the )?(?:creative commons|cc[ -])"
                             r"[^!?]{0,120}\blicen[cs]e\W*$", _I)
LICENCE_NOTICE_WORDS = 40


def furniture_kind(text: str) -> Furniture | None:
    """The kind of furniture a whole line is, or None for article text."""
    words = len(text.split())
    if words <= LICENCE_NOTICE_WORDS and _LICENCE_NOTICE.search(text):
        return COPYRIGHT
    if words <= SHORT_WORDS:
        for pattern, kind in _SHORT_RULES:
            if pattern.search(text):
                return kind
    if words <= LABELLED_LINK_WORDS and _LABELLED_LINK.match(text):
        return MORE_LINKS
    if len(text) <= TRAILING_CREDIT_MAX_CHARS and "\n" not in text:
        lower = text.lower()
        if any(word in lower for word in _CAPTION_WORDS):
            if len(text) <= CAPTION_MAX_CHARS and _ANY_CAPTION.search(text):
                return CREDIT
            if _TRAILING_CREDIT.search(text):
                return CREDIT
    return None


_CONTACT_FRAGMENT = re.compile(
    r"(?:^|(?<=[.!?]))\s*(?:He|She|They|The author|The authors|[A-Z][a-z]+) (?:can|may) be "
    r"(?:contacted|reached)\b[^.!?@]{0,60}\b(?:at|via|by|on)\s*:?\s*$")
_TRAILING_CALL_TO_ACTION = re.compile(
    rf"(?<=[.!?\"”’)])\s+{_CALL_TO_ACTION}(?:\s+(?:about|on|über|sur|sobre|su|over|o)\s+[^.!?]{{1,80}})?\s*[…»›→>]*$")


def trim_trailing_furniture(text: str, dropped: list[str]) -> str:
    """Remove what a page ran onto a paragraph's end: a link's call to action ("Learn more about
    X"), or a contact sentence whose address the scraper lost ("... via email at")."""
    for pattern, cue in ((_TRAILING_CALL_TO_ACTION, None), (_CONTACT_FRAGMENT, ("contacted", "reached"))):
        if cue and not any(word in text for word in cue):
            continue
        found = pattern.search(text)
        if found:
            dropped.append(found.group(0).strip())
            text = text[: found.start()].rstrip()
    return text


_BYLINE_PREFIX = re.compile(
    rf"^By\s+({PERSONAL_NAME}(?:(?:,\s*|\s+and\s+){PERSONAL_NAME})*)\s*[–—-]\s+(?=\S)")


def split_byline_prefix(text: str) -> tuple[str | None, str]:
    """"By X – First sentence..." into ("By X –", "First sentence...")."""
    found = _BYLINE_PREFIX.match(text)
    if not found:
        return None, text
    return found.group(0).strip(), text[found.end():]


def _normal(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).lower()
    text = re.sub(r"[\"“”'‘’]", "", text)
    text = re.sub(r"[—–-]", "-", text)
    return " ".join(text.split())


_ATTRIBUTION = re.compile(r"[\"”’]\s*[—–-]+\s*[A-Z][^\"“”]{0,200}$")
_WHOLLY_QUOTED = re.compile(r"^[\"“‘][^\"“”]+[\"”’]$")
PULL_QUOTE_MIN_CHARS = 40


def drop_pull_quotes(units: list[Unit], dropped: list[str]) -> list[Unit]:
    """Drop quotations that only repeat words found in a longer paragraph (pull quotes).

    Candidates are quotations standing alone, with or without an attribution
    ("... —Jennifer Lind"), which is cut before comparing.  The longer
    paragraph holding the words is the original and stays, whichever comes
    first.  Dialogue in a book is shaped the same, but books have no pull
    quotes, so there only attributed quotations are checked.
    """
    book_like = any(u.verse_group is not None for u in units) or len(units) > 400
    candidates: dict[int, str] = {}
    for index, unit in enumerate(units):
        if _ATTRIBUTION.search(unit.text) or (not book_like and _WHOLLY_QUOTED.match(unit.text)):
            quote = _normal(_ATTRIBUTION.sub("", unit.text))
            if len(quote) >= PULL_QUOTE_MIN_CHARS:
                candidates[index] = quote
    if not candidates:
        return units
    normals = [_normal(u.text) for u in units]
    kept: list[Unit] = []
    for index, unit in enumerate(units):
        quote = candidates.get(index)
        if quote is not None and any(
                other != index and len(normal) > len(quote) and quote in normal
                for other, normal in enumerate(normals)):
            dropped.append(unit.text)
        else:
            kept.append(unit)
    return kept


_SLIDE_COUNTER = re.compile(r"^(\d{1,3})\s*/\s*(\d{1,3})\s+\S")
# A thread of posts can be counted the same way ("1/4 Today I ..."): only long
# runs out of a large total are taken for a gallery, so a short thread stays.
SLIDESHOW_MIN_RUN = 5
SLIDESHOW_MIN_TOTAL = 10


def drop_slideshows(units: list[Unit], dropped: list[str]) -> list[Unit]:
    """Captions of a slideshow: a run of paragraphs counted "45/50 ...", "46/50 ...".

    Numbers counting up by one over one total mark a gallery's slides (an
    extractor finds them as paragraphs beside the article); a recipe's
    "1/2 cup", "3/4 teaspoon" never count up over one total, and a short
    thread ("1/4", "2/4", ...) is too short to be taken for one.
    """
    counters = [_SLIDE_COUNTER.match(u.text) for u in units]
    drop = set()
    start = 0
    while start < len(units):
        end = start
        while (end + 1 < len(units) and counters[end] and counters[end + 1]
               and counters[end + 1].group(2) == counters[end].group(2)
               and int(counters[end + 1].group(1)) == int(counters[end].group(1)) + 1):
            end += 1
        if (counters[start] and end - start + 1 >= SLIDESHOW_MIN_RUN
                and int(counters[start].group(2)) >= SLIDESHOW_MIN_TOTAL):
            drop.update(range(start, end + 1))
        start = end + 1
    if not drop:
        return units
    dropped.extend(units[i].text for i in sorted(drop))
    return [u for i, u in enumerate(units) if i not in drop]


TOP_WINDOW = 12
LABEL_MAX_WORDS = 8


def drop_top_navigation(units: list[Unit], dropped: list[str]) -> list[Unit]:
    """Navigation and section labels above the title.

    A page often prints a section label and the title twice (breadcrumbs,
    then the article header); when a line repeats within the first few, the
    labels before its last appearance are navigation.  Lower-case labels
    before the first paragraph ("in Program", "pacific forum ...") are
    breadcrumb fragments a title never looks like.
    """
    window = [u.text for u in units[:TOP_WINDOW]]
    last_repeat = -1
    for index, text in enumerate(window):
        if window.count(text) > 1 and len(text.split()) <= 20:
            last_repeat = max(last_repeat, index)
    kept: list[Unit] = []
    seen_body = False
    for index, unit in enumerate(units):
        text = unit.text
        words = len(text.split())
        is_label = not _ends_sentence(text) and words <= 20
        if index < last_repeat and (is_label or text in window[index + 1:]):
            dropped.append(text)
            continue
        if (not seen_body and not unit.heading_level and words <= LABEL_MAX_WORDS
                and text[0].islower() and not _ends_sentence(text)):
            dropped.append(text)
            continue
        if not is_label:
            seen_body = True
        kept.append(unit)
    return kept


def _ends_sentence(text: str) -> bool:
    # A question mark does not count: titles ask questions ("Adrift Again?").
    return bool(re.search(r"[.!…;:,]['\"”’)\]]*$", text))


# The line a story ends on, in the conventions of the languages above and of Japanese and
# Chinese tales ("The End", "Ende", "Fin", "おしまい", "（完）").  It is the story's own line, so
# it stays; what follows it on the page is no longer the story.
_CLOSING_LINE = re.compile(r"^[\W_]*(?:the end|ende|fin|fine|einde|koniec|おしまい|おわり|終わり|完|全文完)[\W_]*$", _I)


def is_closing_line(text: str) -> bool:
    return len(text) <= 20 and bool(_CLOSING_LINE.match(text))


def drop_tail_links(units: list[Unit], ended_at: int, dropped: list[str],
                    is_sentence: Callable[[str], bool]) -> list[Unit]:
    """Short link lines after the article's end (the first widget that ends it).

    Only labels go; a real paragraph after the widgets means the page had
    more article after all, and then nothing after ``ended_at`` is touched.
    """
    tail = units[ended_at:]
    if any(is_sentence(u.text) for u in tail):
        return units
    dropped.extend(u.text for u in tail)
    return units[:ended_at]
