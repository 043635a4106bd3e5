"""Pinpoint's built-in styles agree with citeproc-js running the official CSL styles.

Every case (item x style x form) must agree exactly, or be a deviation listed
in tests/conformance/deviations.json with the guide's rule (its replacements
must then make the two equal), or be listed as open.  An unlisted difference
fails, and so does an open listing that has started to agree, so the open list
only shrinks.  Needs node and `npm ci --prefix tests/conformance`; skipped
without them, except under CI=true where their absence fails.
"""

from __future__ import annotations

import os

import pytest

from pinpoint.service.citations import Locator, cite
from tests.conformance.suite import REFERENCE_STYLES, fixtures, judge, listings, reference_unavailable, run

WHY = reference_unavailable()
if WHY and os.environ.get("CI") == "true":
    raise RuntimeError(f"conformance suite cannot run under CI: {WHY}")
pytestmark = pytest.mark.skipif(WHY is not None, reason=f"conformance suite: {WHY}")


@pytest.fixture(scope="module")
def verdicts():
    return run()


@pytest.mark.parametrize("style", list(REFERENCE_STYLES))
def test_no_unlisted_difference(verdicts, style: str) -> None:
    unlisted = [v.case for v in verdicts if v.case.style == style and v.status == "unlisted"]
    assert not unlisted, "\n".join(
        f"{c.item} {c.form}\n  pinpoint: {c.pinpoint}\n  citeproc: {c.reference}" for c in unlisted[:10])


def test_open_listings_still_differ(verdicts) -> None:
    """An open listing whose cases all agree or are justified must be removed from the list."""
    stale = []
    for listing in (d for d in listings() if d.open):
        covered = [v for v in verdicts if listing.covers(v.case)]
        if covered and all(v.status != "open" for v in covered):
            stale.append(f"{listing.style} {listing.items} {listing.forms}")
    assert not stale, "open listings that now agree; remove them:\n" + "\n".join(stale)


def test_every_deviation_is_used_and_justified(verdicts) -> None:
    deviating = [v.case for v in verdicts if v.status == "deviation"]
    unused = [d for d in listings() if not d.open and not any(d.covers(c) for c in deviating)]
    assert not unused, [f"{d.style} {d.forms}: {d.reason[:60]}" for d in unused]
    assert all(d.reason and d.replace for d in listings() if not d.open)


# The issue 14 fixes, which must agree with the reference processor exactly.
FIXED = [
    ("apa", "book-edited-no-author", "bibliography"),
    ("apa", "book-edited-no-author", "citation[para 18]"),
    ("apa", "book-edition-two-authors", "bibliography"),
    ("apa", "journal-1-author", "bibliography"),
    ("apa", "thesis", "bibliography"),
    ("apa", "paper-conference", "bibliography"),
    ("apa", "book-translator-dropping-particle", "bibliography"),
    ("apa", "kato_japanus_nodate", "bibliography"),
    ("harvard", "book-edited-no-author", "bibliography"),
    ("harvard", "book-edited-no-author", "citation[para 18]"),
    ("harvard", "journal-1-author", "citation[pp 157-158]"),
    ("harvard", "paper-conference", "citation[p 157]"),
    ("chicago-author-date", "clausen_usjapan_nodate", "citation[p 157]"),
    ("chicago-author-date", "book-edited-no-author", "bibliography"),
    ("chicago-author-date", "book-edition-two-authors", "bibliography"),
    ("chicago-author-date", "book-translator-dropping-particle", "bibliography"),
    ("chicago-author-date", "thesis", "bibliography"),
    ("chicago-notes", "kato_japanus_nodate", "note[p 157]"),
    ("chicago-notes", "book-edited-no-author", "note[pp 157-158]"),
    ("chicago-notes", "book-translator-dropping-particle", "note[p 157]"),
    ("mla", "book-edited-no-author", "bibliography"),
    ("mla", "book-edition-volume", "bibliography"),
    ("mla", "kato_japanus_nodate", "bibliography"),
    ("mla", "report-numbered", "bibliography"),
    ("mla", "thesis", "bibliography"),
    ("mla", "clausen_usjapan_nodate", "citation[pp 157-158]"),
    ("ieee", "book-edited-no-author", "bibliography"),
    ("ieee", "clausen_usjapan_nodate", "citation[pp 157-158]"),
    ("vancouver", "book-edition-two-authors", "bibliography"),
    ("vancouver", "journal-1-author", "bibliography"),
    ("chicago-notes", "book-question-title", "bibliography"),
    ("chicago-author-date", "book-question-title", "bibliography"),
    ("chicago-notes", "journal-title-over", "bibliography"),
    ("mla", "journal-title-over", "bibliography"),
    ("apa", "journal-article-number", "bibliography"),
    ("apa", "newspaper-no-author", "citation[p 157]"),
    ("mla", "name-suffix-iii-hyphen", "bibliography"),
    ("ieee", "journal-1-author", "bibliography"),
    # A web page's genre ("Backgrounder"), a court decision in Bluebook form, a report series at the end.
    ("apa", "xu_usjapan_2014", "bibliography"),
    ("chicago-notes", "xu_usjapan_2014", "note[para 18]"),
    ("mla", "xu_usjapan_2014", "bibliography"),
    ("apa", "legal-case", "bibliography"),
    ("apa", "legal-case", "citation[para 18]"),
    ("chicago-author-date", "legal-case", "citation[para 18]"),
    ("chicago-notes", "legal-case", "note[p 157]"),
    ("chicago-notes", "legal-case", "short-note[para 18]"),
    ("chicago-author-date", "magazine-issue-only", "bibliography"),
    ("mla", "report-series", "bibliography"),
    ("ieee", "software", "bibliography"),
    ("chicago-notes", "journal-article-number", "note[p 157]"),
]


@pytest.mark.parametrize("style,item,form", FIXED)
def test_fixed_cases_agree(verdicts, style: str, item: str, form: str) -> None:
    found = [v for v in verdicts if (v.case.style, v.case.item, v.case.form) == (style, item, form)]
    assert len(found) == 1
    assert found[0].status in {"exact", "deviation"}, f"{found[0].case.pinpoint}\n{found[0].case.reference}"


def test_a_changed_rendering_is_caught() -> None:
    """The judge is able to fail: a one-character change is an unlisted difference."""
    case = next(v.case for v in run(["apa"]) if v.status == "exact")
    broken = type(case)(case.style, case.item, case.form, case.pinpoint + "x", case.reference)
    assert judge(broken, listings()).status == "unlisted"


SAME_AUTHOR = [
    {"id": "s1", "type": "book", "title": "Zebra Alliances", "author": [{"family": "Smith", "given": "Ann"}],
     "issued": {"date-parts": [[2020]]}, "publisher": "Verso"},
    {"id": "s2", "type": "book", "title": "The Alliance Game", "author": [{"family": "Smith", "given": "Ann"}],
     "issued": {"date-parts": [[2020]]}, "publisher": "Verso"},
    {"id": "j1", "type": "book", "title": "Other Matters", "author": [{"family": "Jones", "given": "Carl"}],
     "publisher": "Verso"},
    {"id": "j2", "type": "book", "title": "Another Matter", "author": [{"family": "Jones", "given": "Carl"}],
     "publisher": "Verso"},
]


@pytest.mark.parametrize("style", ["apa", "chicago-author-date", "harvard"])
def test_same_author_same_year_get_letters_like_citeproc(style: str) -> None:
    """APA 8.19 / CMOS 15.19 / CTR: 2020a, 2020b and n.d.-a, n.d.-b, lettered by title."""
    from pinpoint.service.exports import bibliography_format
    from tests.conformance.suite import normalise, render_reference_list

    ours = bibliography_format(style).render(SAME_AUTHOR).splitlines()
    theirs = render_reference_list(style, SAME_AUTHOR)
    # CMOS 15.17's 3-em dash for a repeated author is a list-level form Pinpoint does not
    # produce yet (its exports keep search order): the dash is read as the name it stands for.
    for n in range(1, len(theirs)):
        if theirs[n].startswith("\u2014\u2014\u2014."):
            theirs[n] = theirs[n - 1].split(".")[0] + "." + theirs[n][4:]
    html = [normalise(cite(item, style, year_suffix=s).reference_html, italics=True)
            for item, s in zip(SAME_AUTHOR, ["b", "a", "b", "a"])]
    assert sorted(html) == sorted(theirs)
    assert len(ours) == 4 and all(any(t in o for t in ("2020a", "2020b", "n.d.-a", "n.d.-b", "no date a", "no date b"))
                                  for o in ours)


def _person(family: str, given: str) -> dict[str, str]:
    return {"family": family, "given": given}


def _book(key: str, year: int, *authors: dict[str, str]) -> dict:
    return {"id": key, "type": "book", "title": f"Work {key.upper()}", "author": list(authors),
            "issued": {"date-parts": [[year]]}, "publisher": "Verso"}


# APA 8.20 / CMOS 15.21: two first authors named Taylor, years apart; a Jones for contrast.
TAYLORS_APART = [_book("t1", 2015, _person("Taylor", "Julia M."), _person("Neimeyer", "Robert")),
                 _book("t2", 2014, _person("Taylor", "Thomas")), _book("t3", 2014, _person("Jones", "Carl"))]
# The same year: every author-date style needs them told apart; MLA (no year in text) always does.
TAYLORS_SAME_YEAR = [_book("u1", 2015, _person("Taylor", "Julia M.")), _book("u2", 2015, _person("Taylor", "Thomas")),
                     _book("u3", 2015, _person("Taylor", "Thomas"))]


@pytest.mark.parametrize("items", [TAYLORS_APART, TAYLORS_SAME_YEAR, SAME_AUTHOR], ids=["apart", "same-year", "same-author"])
@pytest.mark.parametrize("style", ["apa", "chicago-author-date", "harvard", "mla"])
def test_names_and_years_are_disambiguated_like_citeproc(style: str, items: list) -> None:
    """Initials for shared surnames (APA 8.20, CMOS 15.21; MLA and CTR when citations collide) and
    letters after the year for the same author's works, against citeproc-js citing the whole list."""
    from pinpoint.service.citations import first_initials_needed, titles_needed, year_suffixes
    from tests.conformance.suite import render_list_citations

    initials = first_initials_needed(items, style)
    suffixes = year_suffixes(items, style)
    titles = titles_needed(items, style)
    ours = [cite(item, style, year_suffix=s, first_initials=f, title_in_text=t).in_text
            for item, s, f, t in zip(items, suffixes, initials, titles)]
    assert ours == render_list_citations(style, items)


@pytest.fixture(scope="module")
def other_verdicts():
    from tests.conformance.suite import run_other_judged
    return run_other_judged()


def test_other_csl_styles_have_no_unlisted_difference(other_verdicts) -> None:
    """The citeproc-py path (with Pinpoint's repair layer) against citeproc-js for the styles whose
    output is marked complete: every difference is listed under "other" in deviations.json."""
    unlisted = [v.case for v in other_verdicts if v.status == "unlisted"]
    assert not unlisted, "\n".join(
        f"{c.style} {c.item} {c.form}\n  pinpoint: {c.pinpoint}\n  citeproc: {c.reference}" for c in unlisted[:10])
    used = [d for d in listings("other") if any(d.covers(v.case) and v.status == "deviation" for v in other_verdicts)]
    assert len(used) == len(listings("other")), "an 'other' listing no case uses"


def test_only_styles_the_suite_covers_are_marked_complete() -> None:
    from pinpoint.service.citations.csl_styles import CONFORMANCE_STYLES
    item = fixtures()[5]
    assert all(cite(item, style).complete for style in CONFORMANCE_STYLES)
    assert not cite(item, "harvard-anglia-ruskin-university").complete
