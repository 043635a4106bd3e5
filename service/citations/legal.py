"""Court decisions (CSL ``legal_case``) in the styles that cite them by legal convention.

APA 7 (chapter 11) and CMOS 17 (legal and public documents) defer to The
Bluebook for legal references: the case name in roman type in a full
citation (Bluebook 2.1), then the court and the date in parentheses; a case
reported in no reporter is dated by day (Bluebook 10.8.1), so the full date
the item states is given.  A paragraph of a decision is cited with "¶"
(Bluebook 3.3), not the style's "para."/"par.".
"""

from __future__ import annotations

from pinpoint.service.citations.locators import LocatorForm
from pinpoint.service.citations.work import Work

STYLES = ("apa", "chicago-author-date", "chicago-notes")  # the built-in styles with this rule
# Pages keep the style's own form; paragraphs take the pilcrow (Bluebook 3.3).
APA_LOCATOR = LocatorForm(("\u00b6", "\u00b6\u00b6"), ("p.", "pp."))
CHICAGO_LOCATOR = LocatorForm(("\u00b6", "\u00b6\u00b6"), ("", ""), condense_pages=True)


def is_court_decision(work: Work) -> bool:
    return work.csl_type == "legal_case"


def reference(work: Work) -> str:
    """"Sakata v. Japan (Supreme Court of Japan December 16, 1959)." — each part only when stated."""
    court = " ".join(p for p in (work.authority, work.issued.month_day_year() if work.issued else "") if p)
    return " ".join(p for p in (work.title, f"({court})" if court else "") if p) + "."
