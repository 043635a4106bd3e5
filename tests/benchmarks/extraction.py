"""How much of a page's article does Pinpoint keep, beside trafilatura alone?

    .venv/bin/python -m tests.benchmarks.extraction [--set readability|mdbook|both]
        [--with-placeholder] [--pages-per-book N] [--root DIR] [--worst N]

Two sets of real pages, scored in the same run:

- **Readability's test pages** (``tests.benchmarks.readability_pages``): news
  sites, blogs, Wikipedia, Medium and others, in several languages, with the
  article text Mozilla Readability's maintainers check in.  Fetched once from
  the Go module proxy (go-readability's module zip) into
  ``~/.cache/pinpoint-bench/``; nothing of it enters the repository.  The
  truth is the visible text of ``expected.html``.  Hand-written rule cases
  (placeholder "lorem ipsum" text) are left out unless ``--with-placeholder``.
- **mdBook pages** of the Rust toolchain's offline documentation (``rustup``'s
  ``share/doc/rust/html``: The Rust Programming Language, the Reference, the
  Nomicon, the Cargo, rustc, Edition, Embedded and Rust by Example books),
  whose article is exactly mdBook's ``<main>``.  One template: a narrow test
  of precision, a fair one of recall (lists, tables, code).

Metric: the article-extraction benchmark's (Scrapinghub, 2020): 4-word
shingles of ``\\w+`` tokens; per page, true/false positives and false
negatives normalised to sum to 1; precision and recall are means over pages;
F1 is their harmonic mean.  Scripts written without spaces (Chinese,
Japanese) make one token of a whole run of characters, so on those pages
the metric mostly measures where the extractors put spaces.

Compared: Pinpoint's reader and cleaner (what gets indexed: titles, headings
and paragraphs), trafilatura's ``extract`` with defaults, and with
``favor_precision``.

Where Readability's expected text differs from what Pinpoint means to keep
(not tuned to, reported instead):

- it keeps figure captions and photo credits ("Credit: Kirsten Luce for The
  New York Times"); Pinpoint drops credits as furniture.  The "without
  captions" rows score against the same text with ``<figure>`` and
  ``<figcaption>`` removed;
- it leaves out the headline (returned apart as the title); Pinpoint indexes
  the title as a passage, a few shingles of "extra" per page;
- on some pages it keeps reader comments (firefox-nightly-blog) or a page of
  teasers (nytimes-5); Pinpoint drops comments by design.

Measured (2 shared cores, load average 6-10 from other runs; go-readability
v0.0.0-20251205110129-5db1dc9836f0, 87 published pages; Rust 1.95.0 docs,
``--pages-per-book 25``: 162 pages)::

    Readability pages             truth              precision  recall  F1
    Pinpoint (main before)        as expected        0.939      0.946   0.943
    Pinpoint                      as expected        0.956      0.946   0.951
    Pinpoint                      without captions   0.957      0.957   0.957
    trafilatura (default)         as expected        0.928      0.948   0.938
    trafilatura (default)         without captions   0.929      0.959   0.944
    trafilatura favor_precision   as expected        0.946      0.925   0.935
    trafilatura favor_precision   without captions   0.947      0.937   0.942

    with the 28 placeholder cases (115 pages): Pinpoint 0.963 / 0.917 / 0.939,
    trafilatura 0.931 / 0.932 / 0.932, favor_precision 0.951 / 0.911 / 0.930

    mdBook pages                  truth              precision  recall  F1
    Pinpoint                      <main>             0.977      0.953   0.965
    trafilatura (default)         <main>             0.977      0.955   0.966
    trafilatura favor_precision   <main>             0.965      0.911   0.937

What changed Pinpoint's figures on the news pages: the reader leaves out
what the page hides (``hidden``, ``aria-hidden``, ``display:none``: a video
player's dialog text, a collapsed "more stories"), and the cleaner drops
slideshow captions (a run counted "45/50", "46/50"), player and slideshow
controls, widget messages, "you might also like" labels and wire captions
ending in their credit ("... photo via AP)"), while a credit rule no longer
mistakes "with images: things ..." for a credit.  Recall is unchanged.  The 0.97
asked for is not reached: what is still lost is mostly trafilatura's choice
of content (tables and link lists of lwn-1 and daringfireball-1, teaser
streams after yahoo-3's article) and the captions above.  "Before code
spans" on the mdBook set: the cleaner once stripped anything in angle
brackets as an HTML tag, so "Vec<T>" lost "<T>" (F1 0.961 then).
"""

from __future__ import annotations

import argparse
import re
import statistics
import sys
import time
from collections import Counter
from pathlib import Path

RUST_DOCS = Path.home() / ".rustup" / "toolchains"
BOOKS = ("book", "reference", "nomicon", "cargo", "rustc", "edition-guide", "embedded-book", "rust-by-example")
_TOKEN = re.compile(r"\w+")
SHINGLE = 4


def find_docs(root: Path | None) -> Path | None:
    if root is not None:
        return root
    for toolchain in sorted(RUST_DOCS.glob("*")) if RUST_DOCS.is_dir() else []:
        html = toolchain / "share" / "doc" / "rust" / "html"
        if html.is_dir():
            return html
    return None


def pages(docs: Path, per_book: int) -> list[Path]:
    """Every k-th chapter of each book (sorted, so the sample is the same each run)."""
    chosen = []
    for book in BOOKS:
        found = sorted(p for p in (docs / book).rglob("*.html")
                       if p.name not in ("print.html", "toc.html", "404.html", "index.html"))
        step = max(1, len(found) // per_book)
        chosen.extend(found[::step][:per_book])
    return chosen


def ground_truth(html: bytes) -> str | None:
    import lxml.html

    doc = lxml.html.fromstring(html)
    mains = doc.xpath("//main")
    if len(mains) != 1:
        return None
    for junk in mains[0].xpath(".//script|.//style"):
        junk.drop_tree()
    return mains[0].text_content()


def shingles(text: str) -> Counter:
    tokens = _TOKEN.findall(text or "")
    return Counter(tuple(tokens[i:i + SHINGLE]) for i in range(max(1, len(tokens) - SHINGLE + 1)) if tokens[i:i + SHINGLE])


def page_score(truth: str, predicted: str) -> tuple[float, float, float]:
    true, pred = shingles(truth), shingles(predicted)
    tp = sum(min(true[k], pred[k]) for k in true.keys() | pred.keys())
    fp = sum(max(0, pred[k] - true[k]) for k in true.keys() | pred.keys())
    fn = sum(max(0, true[k] - pred[k]) for k in true.keys() | pred.keys())
    total = tp + fp + fn
    return (tp / total, fp / total, fn / total) if total else (0.0, 0.0, 0.0)


def summary(scores: list[tuple[float, float, float]]) -> tuple[float, float, float]:
    def precision(tp, fp, fn):
        return 1.0 if fp == fn == 0 else (0.0 if tp == fp == 0 else tp / (tp + fp))

    def recall(tp, fp, fn):
        return 1.0 if fp == fn == 0 else (0.0 if tp == fn == 0 else tp / (tp + fn))

    p = statistics.mean(precision(*s) for s in scores if s[0] + s[1] > 0)
    r = statistics.mean(recall(*s) for s in scores if s[0] + s[2] > 0)
    return p, r, 2 * p * r / (p + r)


def pinpoint_text(path: Path) -> str:
    from pinpoint.index.ingest.clean import clean
    from pinpoint.index.ingest.readers import SkipFile, read_file

    try:
        (raw,) = read_file(path, path.parent)
    except SkipFile:
        return ""
    return clean(raw).text


def _measure(label: str, items: list[tuple[str, Path, dict[str, str]]], worst: int) -> dict:
    """Score every extractor on ``items`` (name, page file, {truth name: truth text})."""
    import trafilatura

    extractors = {
        "pinpoint": pinpoint_text,
        "trafilatura": lambda p: trafilatura.extract(p.read_bytes()) or "",
        "trafilatura favor_precision": lambda p: trafilatura.extract(p.read_bytes(), favor_precision=True) or "",
    }
    truths = list(items[0][2]) if items else []
    scores = {(name, truth): [] for name in extractors for truth in truths}
    seconds: dict[str, float] = dict.fromkeys(extractors, 0.0)
    for _, path, truth_texts in items:
        for name, extract in extractors.items():
            started = time.perf_counter()
            text = extract(path)
            seconds[name] += time.perf_counter() - started
            for truth, truth_text in truth_texts.items():
                scores[name, truth].append(page_score(truth_text, text))
    print(f"\n{label}: {len(items)} pages")
    print(f"{'extractor':<30} {'truth':<18} precision  recall   F1      ms/page")
    results = {}
    for (name, truth), page_scores in scores.items():
        p, r, f = summary(page_scores)
        results[f"{name} / {truth}"] = {"precision": p, "recall": r, "f1": f}
        print(f"{name:<30} {truth:<18} {p:.3f}      {r:.3f}    {f:.3f}   "
              f"{1000 * seconds[name] / max(1, len(items)):.0f}")
    first = truths[-1] if truths else None  # the narrowest truth: what Pinpoint means to keep
    by_loss = sorted(range(len(items)), key=lambda i: -sum(scores["pinpoint", first][i][1:]))
    for i in by_loss[:worst]:
        tp, fp, fn = scores["pinpoint", first][i]
        print(f"  Pinpoint: extra {fp:.2f}, lost {fn:.2f} of shingles: {items[i][0]}")
    return results


def mdbook_items(docs: Path, per_book: int) -> list[tuple[str, Path, dict[str, str]]]:
    items = []
    for path in pages(docs, per_book):
        truth = ground_truth(path.read_bytes())
        if truth and len(_TOKEN.findall(truth)) >= 50:
            items.append((str(path.relative_to(docs)), path, {"<main>": truth}))
    return items


def readability_items(include_placeholder: bool) -> list[tuple[str, Path, dict[str, str]]]:
    from tests.benchmarks.article_body import article_body, load_marks
    from tests.benchmarks.readability_pages import load_pages

    marks = load_marks()
    items = []
    for page in load_pages():
        if len(_TOKEN.findall(page.truth)) < 50 or (page.placeholder and not include_placeholder):
            continue
        truths = {"as expected": page.truth, "without captions": page.truth_without_captions}
        body = article_body(page, marks)
        if body is not None:
            truths["article body"] = body
        items.append((page.name, page.source_path, truths))
    # A truth is scored only where every page has it.
    common = set.intersection(*(set(truths) for _, _, truths in items)) if items else set()
    if "article body" not in common:
        print("article body: not every page has been read (tests/benchmarks/article_body.json); "
              "that truth is left out", file=sys.stderr)
    return [(name, path, {k: v for k, v in truths.items() if k in common}) for name, path, truths in items]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--set", choices=("readability", "mdbook", "both"), default="both")
    parser.add_argument("--pages-per-book", type=int, default=25)
    parser.add_argument("--root", type=Path, help="the html folder of the Rust documentation")
    parser.add_argument("--with-placeholder", action="store_true",
                        help="also score Readability's hand-written rule cases (lorem ipsum pages)")
    parser.add_argument("--worst", type=int, default=5, help="list the pages Pinpoint gets most wrong")
    args = parser.parse_args(argv)
    if args.set in ("readability", "both"):
        _measure("Readability test pages (news, blogs, reference; go-readability " + _readability_version() + ")",
                 readability_items(args.with_placeholder), args.worst)
    if args.set in ("mdbook", "both"):
        docs = find_docs(args.root)
        if docs is None:
            print("no Rust documentation found (rustup's share/doc/rust/html); pass --root", file=sys.stderr)
            return 1
        _measure(f"mdBook pages from {docs} ({', '.join(BOOKS)})", mdbook_items(docs, args.pages_per_book), args.worst)
    return 0


def _readability_version() -> str:
    from tests.benchmarks.readability_pages import VERSION

    return VERSION


if __name__ == "__main__":
    sys.exit(main())
