"""A web page's publication date, read from what its markup states as one.

A citation gives a web page's publication date (CSL ``issued``; APA, MLA and
Chicago alike), the day as the publisher states it.  Pages state it in
several vocabularies, and state other dates beside it (last modified,
comments, related articles, today's date in the navigation, an embedded
video's); the order of trust follows what each vocabulary defines a date to be:

1. Statements that name the publication date of the page's own work:
   schema.org ``datePublished`` in JSON-LD (of the object naming the page's
   URL, else the first that is not an embedded media object) and in
   microdata (of a page-level item, not of a comment or a listed teaser),
   Open Graph ``article:published_time``, Dublin Core ``issued``, Highwire
   Press ``citation_publication_date``.  When they name different days, the
   one the page also shows (a ``<time>`` element, its permalink's date) is
   taken; if it shows both or neither, none is clearly the publication date
   and none is stated.
2. Otherwise htmldate (which trafilatura uses) reads the page, shown neither
   modification dates ("modified", "updated": never a publication date), nor
   the bare ``date``/``dc.date`` meta (Dublin Core: any date in the page's
   life, often when the CMS last built it; taken only when the page shows
   no date of its own), nor ``<nav>`` and comment sections, whose dates are
   of other things.

The day is the one written in the statement's own offset
("2020-01-19T23:30:00-05:00" is the 19th): the publisher's local day;
converting to UTC would move evening articles to the next day.  A UTC stamp
("...Z") does not say the publisher's zone: when the page writes the same
instant in local time too, or its permalink carries a day that instant can
fall on, that local day is taken; otherwise the UTC day is all it states.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from copy import deepcopy
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from email.utils import parsedate_to_datetime

from pinpoint.index.ingest.page_markup import json_ld_items, own_urls, parse

# Microdata items whose datePublished is the page's own: top-level ones and the page's main entity.
_PAGE_ITEMPROPS = {"", "mainentity", "mainentityofpage"}
_PUBLISHED_META = {
    "article:published_time", "og:article:published_time", "article:published",
    "citation_publication_date", "dc.date.issued", "dcterms.issued", "dc.issued",
    "prism.publicationdate",
}
# Vocabulary words for modification dates: never a publication date.
_MODIFIED_META = re.compile(r"modif|updated|revis|last-?mod|lastdate|utime|datemodified|dateupdate", re.I)
# Dublin Core's and HTML's bare "date": "a date associated with an event in the life cycle"
# of the page, often when it was last generated; the page's own dateline says more.
# Labels of a modification date in the text, in the languages sites most often use.
_MODIFIED_LINE = re.compile(
    r"\s*(?:(?:this page was )?(?:zuletzt |last |dernière )?(?:modified|updated|changed|edited|geändert|aktualisiert"
    r"|bearbeitet)\b|letzte (?:änderung|aktualisierung)|stand\s*:|mis à jour|modifié|actualizado|aggiornato"
    r"|última (?:actualización|modificación))", re.I)
_GENERIC_META = re.compile(r"^(?:date|dc\.date|dcterms\.date|dc:date)$", re.I)
_ISO = re.compile(
    r"^\s*(\d{4})-(\d{1,2})-(\d{1,2})"
    r"(?:[T\s](\d{1,2}):(\d{2})(?::(\d{2})(?:[.,]\d+)?)?\s*(Z|UTC|GMT|[+-]\d{2}:?\d{2})?)?\s*$",
    re.I,
)
_DOTTED = re.compile(r"(?<!\d)(\d{1,2})\.\s?(\d{1,2})\.\s?(\d{4})(?!\d)")


@dataclass(frozen=True)
class Stamp:
    """One statement of a day; ``instant`` and ``utc`` when it gave a time with an offset."""

    day: date
    instant: datetime | None = None
    utc: bool = False


def parse_stamp(value: str | None) -> Stamp | None:
    """A machine-readable date as pages write it; None when unreadable or ambiguous."""
    if not value or not value.strip():
        return None
    text = value.strip()
    iso = _ISO.match(text)
    if iso:
        year, month, day, hour, minute, second, zone = iso.groups()
        try:
            stated = date(int(year), int(month), int(day))
        except ValueError:
            return None
        # Years far from ours are typos, and would overflow the zone arithmetic below.
        if hour is None or zone is None or not 1000 <= stated.year <= 9000:
            return Stamp(stated)
        try:
            offset = _offset(zone)
            instant = datetime(stated.year, stated.month, stated.day, int(hour), int(minute),
                               int(second or 0), tzinfo=offset)
        except ValueError:
            return Stamp(stated)
        return Stamp(stated, instant, offset.utcoffset(None) == timedelta(0))
    if re.match(r"^[A-Za-z]{3},?\s+\d{1,2}\s+[A-Za-z]{3}\s+\d{4}", text):
        try:
            moment = parsedate_to_datetime(text)
        except (TypeError, ValueError):
            return None
        utc = moment.tzinfo is not None and moment.utcoffset() == timedelta(0)
        if not 1000 <= moment.year <= 9000:
            return Stamp(moment.date())
        return Stamp(moment.date(), moment if moment.tzinfo else None, utc)
    dotted = _DOTTED.search(text)
    if dotted and not re.search(r"\d{4}-\d", text):
        # Day-first with dots is the only reading of "25.01.2022" in the languages that write it.
        try:
            return Stamp(date(int(dotted[3]), int(dotted[2]), int(dotted[1])))
        except ValueError:
            return None
    return None


def _offset(zone: str) -> timezone:
    if zone.upper() in ("Z", "UTC", "GMT"):
        return timezone.utc
    sign = -1 if zone[0] == "-" else 1
    digits = zone[1:].replace(":", "")
    return timezone(sign * timedelta(hours=int(digits[:2]), minutes=int(digits[2:])))


def _urls(item: dict) -> set[str]:
    urls = set()
    for key in ("url", "@id", "mainEntityOfPage"):
        value = item.get(key)
        if isinstance(value, dict):
            value = value.get("@id") or value.get("url")
        if isinstance(value, str):
            urls.add(value.split("#")[0].rstrip("/"))
    return urls


def _is_media(item: dict) -> bool:
    """An embedded video, image or audio (schema.org MediaObject types): not the page's own work."""
    kinds = item.get("@type")
    kinds = kinds if isinstance(kinds, list) else [kinds]
    return any(isinstance(kind, str) and kind.endswith("Object") for kind in kinds)


def _jsonld_published(tree, canonical: str | None) -> Stamp | None:
    """``datePublished`` of the object that is the page: the one naming its URL, else the first."""
    dated = [(item, stamp) for item in json_ld_items(tree)
             if isinstance(item.get("datePublished"), str) and not _is_media(item)
             and (stamp := parse_stamp(item["datePublished"]))]
    if canonical:
        own = [stamp for item, stamp in dated if canonical.rstrip("/") in _urls(item)]
        if own:
            return own[0]
    return dated[0][1] if dated else None


def _itemprops(element) -> set[str]:
    return set((element.get("itemprop") or "").lower().split())


def _microdata_published(tree) -> Stamp | None:
    """The first ``itemprop=datePublished`` of a page-level item, not of a comment or a related item."""
    for element in tree.xpath("//*[@itemprop]"):
        if "datepublished" not in _itemprops(element):
            continue
        if any(not _itemprops(scope) <= _PAGE_ITEMPROPS for scope in element.xpath("ancestor::*[@itemscope]")):
            continue
        value = element.get("datetime") or element.get("content")
        stamp = parse_stamp(value) if value else None
        if stamp is None and element.tag == "time" and value is None:
            stamp = parse_stamp(element.text_content())
        if stamp:
            return stamp
    return None


def _meta_published(tree) -> Stamp | None:
    for meta in tree.xpath("//meta[@content]"):
        key = (meta.get("property") or meta.get("name") or "").strip().lower()
        if key in _PUBLISHED_META and (stamp := parse_stamp(meta.get("content"))):
            return stamp
    return None


def _canonical(tree) -> str | None:
    return next(iter(own_urls(tree)), None)


def published_statements(tree) -> dict[str, Stamp]:
    """Each vocabulary's statement of the page's own publication date."""
    found = {"json-ld": _jsonld_published(tree, _canonical(tree)), "microdata": _microdata_published(tree),
             "meta": _meta_published(tree)}
    return {source: stamp for source, stamp in found.items() if stamp}


_URL_DAY = re.compile(r"/((?:19|20)\d{2})[/-](\d{1,2})[/-](\d{1,2})(?:/|$)")


def _shown_days(tree) -> set[date]:
    """Days the page shows for its items: ``<time datetime>`` values and a date in its URL."""
    days = {stamp.day for element in tree.xpath("//time[@datetime]")
            if (stamp := parse_stamp(element.get("datetime")))}
    if url_day := _url_day(tree):
        days.add(url_day)
    return days


def _local_stamps(tree) -> Iterator[Stamp]:
    """Every date-time the page writes in a local zone (an offset other than UTC, or none)."""
    values = [e.get("datetime") for e in tree.xpath("//time[@datetime]")]
    values += [m.get("content") for m in tree.xpath("//meta[@content]")]
    for script in tree.xpath('//script[@type="application/ld+json"]'):
        values += re.findall(r'"\d{4}-\d{1,2}-\d{1,2}[T ][^"]*"', script.text or "")
    for value in values:
        stamp = parse_stamp((value or "").strip('"'))
        if stamp and not stamp.utc and re.search(r"\d[T ]\d{1,2}:\d{2}", value or ""):
            yield stamp


def _local_day_of(utc: Stamp, tree) -> date:
    """The publisher's day for a UTC instant: from the same instant written in local time, if any.

    A UTC stamp fixes the instant, not the publisher's day; when the page
    also writes that instant with its own offset ("2022-05-03T23:37:37-04:00"
    beside "2022-05-04T03:37:37+00:00"), or as a local time without one
    (same minutes and seconds, a whole quarter-hour offset away), that is the
    day the publisher states.  Otherwise the UTC day is all the page gives.
    """
    naive_utc = utc.instant.replace(tzinfo=None)
    for stamp in _local_stamps(tree):
        if stamp.instant is not None and abs(stamp.instant - utc.instant) <= timedelta(seconds=60):
            return stamp.day
    for element in tree.xpath("//time[@datetime]"):
        naive = _NAIVE.match(element.get("datetime") or "")
        if not naive:
            continue
        try:
            local = datetime.fromisoformat(naive[0].replace(" ", "T"))
        except ValueError:
            continue
        shift = local - naive_utc
        if local.second == naive_utc.second and shift and _is_offset(shift):
            return local.date()
    if shown := _shown_local_day(utc, tree):
        return shown
    # A permalink's date (/2020/02/24/) is the publisher's local day, when the instant can fall on it.
    url_day = _url_day(tree)
    if url_day and url_day in _utc_window(utc):
        return url_day
    return utc.day


_SHOWN_DATE_TIME = re.compile(
    r"(?<![\d/.])(\d{1,2})([./])(\d{1,2})\2(\d{4})\b[^\d\n]{0,12}?(\d{1,2})[:.h](\d{2})(?!\d)")


def _is_offset(shift: timedelta) -> bool:
    """A shift a zone's offset can make: whole quarter-hours from UTC-12 to UTC+14."""
    return (not shift % timedelta(minutes=15)) and -timedelta(hours=12) <= shift <= timedelta(hours=14)


def _shown_local_day(utc: Stamp, tree) -> date | None:
    """The day of the instant as the page shows it to readers ("03/05/2022 21:44" for 00:44 UTC).

    A shown date with a time of day is the same instant when its minutes are
    the stamp's and it sits a zone's offset away; read that way, a numeric
    date's order (day or month first) is settled by the instant itself.
    """
    naive_utc = utc.instant.replace(tzinfo=None, second=0, microsecond=0)
    text = " ".join(" ".join(tree.xpath("//body//text()[not(ancestor::script or ancestor::style)]")).split())
    for found in _SHOWN_DATE_TIME.finditer(text):
        first, _, second, year, hour, minute = found.groups()
        for day, month in ((first, second), (second, first)):
            try:
                local = datetime(int(year), int(month), int(day), int(hour), int(minute))
            except ValueError:
                continue
            if local.minute == naive_utc.minute and _is_offset(local - naive_utc):
                return local.date()
    return None


def _utc_window(stamp: Stamp) -> set[date]:
    """The days a UTC instant falls on in the zones publishers use (UTC-12 to UTC+14)."""
    return {(stamp.instant - timedelta(hours=12)).date(), (stamp.instant + timedelta(hours=14)).date()}


def _url_day(tree) -> date | None:
    url = _canonical(tree)
    if url and (found := _URL_DAY.search(url)):
        try:
            return date(int(found[1]), int(found[2]), int(found[3]))
        except ValueError:
            return None
    return None


_NAIVE = re.compile(r"^\s*\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(?=\s*$)")


def publication_date(html, url: str | None = None) -> str | None:
    """The page's publication day as 'YYYY-MM-DD', or None when it states none clearly.
    ``html``: the page's text, or its tree (``page_markup.parse``), which is left as it was."""
    html_tree = parse(html)
    if html_tree is None:
        return None
    statements = published_statements(html_tree)
    if not statements:
        generic = _generic_day(html_tree)
        shown = _htmldate_reading(deepcopy(html_tree), url)
        # The bare "date" meta names some day in the page's life: the publication
        # date only where the page shows no date of its own.
        return shown or (generic.isoformat() if generic else None)
    days = {(_local_day_of(stamp, html_tree) if stamp.utc else stamp.day) for stamp in statements.values()}
    if len(days) == 1:
        return days.pop().isoformat()
    # Two vocabularies name different days: the one the page also shows (a
    # <time> element, the date in its URL) is its publication date; if the
    # page shows both or neither, none is clearly it.
    shown = days & _shown_days(html_tree)
    if not shown:
        # Neither is in a <time> element or the URL: the date htmldate reads
        # from what the page shows (its metadata set aside) may name one.
        read = _htmldate_reading(_without_date_metadata(html_tree), url)
        shown = days & ({date.fromisoformat(read)} if read else set())
    return shown.pop().isoformat() if len(shown) == 1 else None


def _without_date_metadata(html_tree):
    tree = deepcopy(html_tree)
    for element in tree.xpath('//meta|//script[@type="application/ld+json"]'):
        element.getparent().remove(element)
    for element in tree.xpath("//*[@itemprop]"):
        del element.attrib["itemprop"]
    return tree


def _generic_day(tree) -> date | None:
    for meta in tree.xpath("//meta[@content]"):
        if _GENERIC_META.match((meta.get("name") or meta.get("property") or "").strip()):
            stamp = parse_stamp(meta.get("content"))
            return stamp.day if stamp else None
    return None


def _htmldate_reading(html_tree, url: str | None) -> str | None:
    """htmldate's reading of a page that names no publication date (``html_tree``, a copy, is pruned)."""
    from htmldate import find_date

    for meta in html_tree.xpath("//meta"):
        key = " ".join(meta.get(a, "") for a in ("name", "property", "itemprop", "http-equiv"))
        if _MODIFIED_META.search(key) or _GENERIC_META.match(key.strip()):
            meta.getparent().remove(meta)
    # Navigation (HTML's own element for it) and
    # comment sections (as trafilatura finds them) date other things.
    from trafilatura.xpaths import REMOVE_COMMENTS_XPATH

    others = html_tree.xpath("//nav") + [e for x in REMOVE_COMMENTS_XPATH for e in x(html_tree)]
    for element in others:
        if element.getparent() is not None:
            element.getparent().remove(element)
    # A line the page labels as its last change ("Letzte Änderung: 31.10.2023", "This page was
    # last modified on ...") dates an edit, never the publication: its text goes, and a
    # publication line beside it in the same element ("<br>Erschienen am: 01.11.2023") stays.
    for element in html_tree.iter():
        if _MODIFIED_LINE.match(element.text or ""):
            element.text = None
        if _MODIFIED_LINE.match(element.tail or ""):
            element.tail = None
    # extensive_search=False: dates the markup states, never guesses from copyright lines.
    try:
        return find_date(html_tree, extensive_search=False, original_date=True, url=url)
    except (ValueError, OverflowError):  # impossible stamps ("+99:99") make htmldate raise
        return None
