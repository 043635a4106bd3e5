"""The conformance table: Pinpoint's built-in styles against citeproc-js and the official CSL styles.

    npm ci --prefix tests/conformance
    .venv/bin/python -m tests.conformance [--details] [--style apa,mla]

Per style: cases compared, exact matches, listed deviations (justified by
the guide), open (differences listed as not yet reconciled with the guide) and unlisted
differences.  --details prints every case that is not exact, both sides.
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter

from tests.conformance.suite import (
    OTHER_STYLES, REFERENCE_STYLES, ReferenceUnavailable, fixtures, run, run_other_judged,
)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.conformance", description=__doc__.splitlines()[0])
    parser.add_argument("--details", action="store_true", help="print every case that is not exact")
    parser.add_argument("--style", help=f"comma-separated subset of {','.join(REFERENCE_STYLES)}")
    parser.add_argument("--status", default="open,unlisted,deviation", help="statuses --details prints")
    parser.add_argument("--other", action="store_true",
                        help="the citeproc-py path for other CSL styles instead (same forms, without notes)")
    args = parser.parse_args(argv)
    if args.other:
        return _other(args.details)
    styles = [s.strip() for s in args.style.split(",")] if args.style else None
    try:
        verdicts = run(styles)
    except ReferenceUnavailable as exc:
        print(f"conformance: {exc}", file=sys.stderr)
        return 2
    print(f"{len(fixtures())} items; forms: bibliography + citation/notes with para 18, p 157, pp 157-158\n")
    print("| style | reference CSL style | compared | exact | listed deviations | open (not yet reconciled) "
          "| unlisted |")
    print("| --- | --- | --- | --- | --- | --- | --- |")
    for style in styles or REFERENCE_STYLES:
        counts = Counter(v.status for v in verdicts if v.case.style == style)
        total = sum(counts.values())
        print(f"| {style} | {REFERENCE_STYLES[style]} | {total} | {counts['exact']} | {counts['deviation']} "
              f"| {counts['open']} | {counts['unlisted']} |")
    if args.details:
        wanted = set(args.status.split(","))
        for v in verdicts:
            if v.status in wanted:
                print(f"\n[{v.status}] {v.case.style} {v.case.item} {v.case.form}"
                      + (f"  ({v.listing.reason[:90]})" if v.listing else ""))
                print(f"  pinpoint : {v.case.pinpoint}\n  citeproc : {v.case.reference}")
    return 0


def _other(details: bool) -> int:
    try:
        verdicts = run_other_judged()
    except ReferenceUnavailable as exc:
        print(f"conformance: {exc}", file=sys.stderr)
        return 2
    print(f"{len(fixtures())} items; forms: bibliography + citation without a locator and with para 18, "
          "p 157, pp 157-158\n")
    print("| style (citeproc-py path) | compared | exact | exact bibliography | listed deviations | unlisted |")
    print("| --- | --- | --- | --- | --- | --- |")
    for style in OTHER_STYLES:
        mine = [v for v in verdicts if v.case.style == style]
        counts = Counter(v.status for v in mine)
        bib = [v for v in mine if v.case.form == "bibliography"]
        print(f"| {style} | {len(mine)} | {counts['exact']} | {sum(v.status == 'exact' for v in bib)}/{len(bib)} "
              f"| {counts['deviation']} | {counts['unlisted']} |")
    if details:
        for v in verdicts:
            if v.status != "exact":
                print(f"\n[{v.status}] {v.case.style} {v.case.item} {v.case.form}"
                      f"\n  pinpoint : {v.case.pinpoint}\n  citeproc : {v.case.reference}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
