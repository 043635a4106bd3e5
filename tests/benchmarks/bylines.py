"""Authors Pinpoint states for real web pages, against the bylines Readability's maintainers checked.

    .venv/bin/python -m tests.benchmarks.bylines [--list]

Pages: Readability's test pages (see ``tests.benchmarks.readability_pages``).
For each page with an expected byline, the authors Pinpoint's HTML reader
keeps are compared with it by name words (case and accents folded):

- agrees: every author Pinpoint names is made of the expected byline's words;
- disagrees: Pinpoint names someone or something else, a name with a date
  word in it ("Nathan Willis March"), or one person twice;
- none stated: Pinpoint names nobody (acceptable: no author is never wrong).

Readability's expected byline is raw text ("By GILLIAN MOHNEY March 11, 2015
3:46 PM", "Dublin Core property author") and sometimes wrong or missing; it is
used only as the words a right name must come from.  Every disagreement is
read by hand in the page.

Measured (go-readability test pages, 89 published pages, placeholder cases left out):

=====================================  ======  =========  ===========
                                       agrees  disagrees  none stated
=====================================  ======  =========  ===========
before (byline expected / none)        35 / 0  8 / 3      21 / 22
after  (byline expected / none)        40 / 0  2 / 2      22 / 23
names shown on the page (session 20)   39 / 0  1 / 2      24 / 23
=====================================  ======  =========  ===========

Wrong before, by hand: "Joshua Sokol May", "Nathan Willis March", "GILLIAN
MOHNEY March", "Joe Wee Monday" (the date run into the name), "作者" (the
label "author:" with its name missing), "Jeffrey Gettleman; JEFFREY
GETTLEMAN" and "Steven Davidoff Solomon; STEVEN DAVIDOFF SOLOMON" (one person
twice).  Now the date word goes when the page states the name without it,
caseless role words are refused, and a repeated name is one author.

Since a name must also be shown on the page as a name (not only in metadata),
salon-1 (Richard (R.J.) Eskow, in its rel=author link and data layer) states
no author: no author is never wrong.  The same rules, measured on about 980
more pages, are in ``tests.benchmarks.snippet_pages --only authors``.

The three disagreements left are right by hand: seattletimes-1 by Benjamin Romano (rel=author; Readability
took the dateline), buzzfeed-1 by Mark Di Stefano and wordpress by Sarah
Gooding (both rel=author bylines Readability does not report).  Wrong
authors: 0.
"""

from __future__ import annotations

import argparse
import re
import sys

from pinpoint.index.ingest.bylines import fold


def pinpoint_authors(path) -> list[str]:
    from pinpoint.index.ingest.readers import SkipFile, read_file

    try:
        (raw,) = read_file(path, path.parent)
    except SkipFile:
        return []
    names = []
    for name in raw.meta.get("author", []):
        names.append(name.get("literal") or f"{name.get('given', '')} {name.get('family', '')}".strip())
    return names


_DATE_WORDS = frozenset("""january february march april may june july august september october november
december monday tuesday wednesday thursday friday saturday sunday""".split())


def judge(authors: list[str], expected: str | None) -> str:
    """"agrees", "disagrees" or "none stated".  A name with a date word in it
    ("Nathan Willis March") or a name given twice disagrees even when the
    expected byline holds those words."""
    if not authors:
        return "none stated"
    # "Lucas Nolan22 Dec 2016651": Readability's text runs a name into the date.
    allowed = set(re.sub(r"(?<=[^\W\d])(?=\d)", " ", fold(expected or "")).split())
    folded = [fold(a) for a in authors]
    if len(set(folded)) < len(folded) or any(set(f.split()) & _DATE_WORDS for f in folded):
        return "disagrees"
    return "agrees" if all(set(f.split()) <= allowed for f in folded) else "disagrees"


def main(argv: list[str] | None = None) -> int:
    from tests.benchmarks.readability_pages import load_pages

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--list", action="store_true", help="print every page's verdict")
    args = parser.parse_args(argv)
    counts: dict[tuple[bool, str], int] = {}
    wrong = []
    for page in load_pages():
        if page.placeholder:
            continue
        authors = pinpoint_authors(page.source_path)
        verdict = judge(authors, page.byline)
        key = (page.byline is not None, verdict)
        counts[key] = counts.get(key, 0) + 1
        if verdict == "disagrees":
            wrong.append((page.name, authors, page.byline))
        if args.list:
            print(f"{verdict:<12} {page.name:<32} pinpoint={'; '.join(authors) or '-'}  expected={page.byline!r}")
    total = sum(counts.values())
    print(f"{total} published pages (placeholder cases left out)")
    for stated in (True, False):
        row = {v: counts.get((stated, v), 0) for v in ("agrees", "disagrees", "none stated")}
        label = "byline expected" if stated else "no byline expected"
        print(f"  {label:<20} agrees {row['agrees']:>3}   disagrees {row['disagrees']:>3}   none stated {row['none stated']:>3}")
    for name, authors, expected in wrong:
        print(f"  DISAGREES {name}: Pinpoint {'; '.join(authors)!r}, expected {expected!r}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
