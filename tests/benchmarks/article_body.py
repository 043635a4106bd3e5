"""The article body of Readability's test pages, as Pinpoint defines an article.

Readability's expected text keeps what a reader view shows: figure captions
and photo credits, author bios, "sign up for our newsletter" prompts,
"other people are reading" lists, print-edition notes.  Pinpoint means to
index the article itself and to drop exactly those (issue 13), so scoring it
against Readability's text alone measures a different definition.

This module narrows each page's expected text to its article body, line by
line, by a written policy (``POLICY``) applied by a reader who saw only the
expected text, never an extractor's output.  What the reader left out is
recorded in ``article_body.json`` as hashes of the lines with the reason:
no text of the pages enters the repository.

    .venv/bin/python -m tests.benchmarks.article_body show NAME [NAME ...]
        numbered lines of each page's expected text (without figure captions)
    .venv/bin/python -m tests.benchmarks.article_body record MARKS.json
        MARKS.json: {"page": {"reason": [line numbers]}}; merged into article_body.json
    .venv/bin/python -m tests.benchmarks.article_body summary
        how many lines each reason left out
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import sys
from pathlib import Path

from tests.benchmarks.readability_pages import Page, load_pages

MARKS = Path(__file__).with_name("article_body.json")

POLICY = """\
The article body is the text the author wrote as the article: its paragraphs,
subheadings, lists, tables, block quotes, code and the standfirst (the summary
paragraph under the headline) when it is written as prose.  Left out, each with
its reason:
  caption    image or video captions and photo credits ("(Getty Images)")
  byline     bylines, datelines, "last updated" lines, reading times
  bio        author biographies and "X is a reporter for ..." lines
  promo      newsletter and subscription prompts, "sign up", paywall offers,
             advertisements and sponsor lines ("Powered by ...")
  related    related or recommended links and their labels ("Read more",
             "Other people are reading", "More about ..."), tag and topic lists
  furniture  share and comment prompts, navigation, print-edition notes,
             corrections-contact boilerplate, video-player and widget text
  comments   reader comments and replies below the article
Kept as the expected text has it: a headline at the top.  Kept even when
unusual: tables of data, quoted messages the article discusses,
lists of links that are the article's own content (a link blog, a list of
references the author wrote)."""

REASONS = ("caption", "byline", "bio", "promo", "related", "furniture", "comments")
_WORD = re.compile(r"\w")


def lines(page: Page) -> list[str]:
    """The page's expected text without figure captions, one block per line."""
    found = (" ".join(line.split()) for line in page.truth_without_captions.split("\n"))
    return [line for line in found if _WORD.search(line)]


def line_key(line: str) -> str:
    return hashlib.sha1(line.encode("utf-8")).hexdigest()[:16]


def load_marks(path: Path = MARKS) -> dict[str, dict[str, str]]:
    """{page: {line hash: reason}} for every page a reader went through."""
    if not path.is_file():
        return {}
    return json.loads(path.read_text(encoding="utf-8"))["pages"]


# Furniture inside a line the policy keeps, which marking whole lines cannot leave out:
# MediaWiki's section-edit link closing a heading ("Examples[edit]").
_CONTROL_IN_LINE = re.compile(r"\s*\[edit\]$")


def article_body(page: Page, marks: dict[str, dict[str, str]]) -> str | None:
    """The page's article body, or None when no reader went through the page."""
    left_out = marks.get(page.name)
    if left_out is None:
        return None
    return "\n".join(_CONTROL_IN_LINE.sub("", line) for line in lines(page) if line_key(line) not in left_out)


def record(marks_file: Path, path: Path = MARKS) -> int:
    pages = {page.name: page for page in load_pages()}
    given = json.loads(marks_file.read_text(encoding="utf-8"))
    stored = load_marks(path)
    for name, by_reason in given.items():
        if name not in pages:
            raise SystemExit(f"no page named {name!r}")
        page_lines = lines(pages[name])
        marked: dict[str, str] = {}
        for reason, numbers in by_reason.items():
            if reason not in REASONS:
                raise SystemExit(f"{name}: unknown reason {reason!r} (one of {', '.join(REASONS)})")
            for number in numbers:
                if not 1 <= number <= len(page_lines):
                    raise SystemExit(f"{name}: no line {number} (the page has {len(page_lines)})")
                marked[line_key(page_lines[number - 1])] = reason
        stored[name] = dict(sorted(marked.items()))
    path.write_text(json.dumps({"policy": POLICY.splitlines(), "pages": dict(sorted(stored.items()))},
                               indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"{len(given)} pages recorded; {len(stored)} in {path.name}")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    show = sub.add_parser("show")
    show.add_argument("names", nargs="*", help="pages to show (default: the list of names)")
    rec = sub.add_parser("record")
    rec.add_argument("marks", type=Path)
    sub.add_parser("summary")
    args = parser.parse_args(argv)
    if args.command == "record":
        return record(args.marks)
    pages = load_pages()
    if args.command == "summary":
        marks = load_marks()
        counts: dict[str, int] = dict.fromkeys(REASONS, 0)
        for by_key in marks.values():
            for reason in by_key.values():
                counts[reason] += 1
        print(f"{len(marks)} pages read; lines left out: "
              + ", ".join(f"{reason} {count}" for reason, count in counts.items()))
        return 0
    if not args.names:
        print(POLICY)
        for page in pages:
            print(page.name, "(placeholder)" if page.placeholder else "")
        return 0
    for page in pages:
        if page.name in args.names:
            print(f"===== {page.name}")
            for number, line in enumerate(lines(page), 1):
                print(f"{number}: {line}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
