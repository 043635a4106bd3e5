"""Real news and blog pages with hand-checked article text: Mozilla Readability's test pages.

Readability's maintainers check in, for each page of their test suite, the
saved page (``source.html``), the article they expect (``expected.html``)
and its title and byline (``expected-metadata.json``).  Most are real sites
(news, blogs, Wikipedia, Medium, in several languages); a few are small
hand-written cases of one parsing rule.  The copy used here is the one
go-readability (a Go port) ships, fetched once from the Go module proxy as
a module zip and cached outside the repository: third-party data never
enters it.

    from tests.benchmarks.readability_pages import load_pages
    for page in load_pages(): page.name, page.source_path, page.truth, page.byline
"""

from __future__ import annotations

import json
import os
import re
import sys
import time
import urllib.request
import zipfile
from dataclasses import dataclass
from pathlib import Path

MODULE = "github.com/go-shiori/go-readability"
VERSION = "v0.0.0-20251205110129-5db1dc9836f0"
CACHE = Path(os.environ.get("PINPOINT_BENCH_CACHE", Path.home() / ".cache" / "pinpoint-bench"))
_TOKEN = re.compile(r"\w+")
# Pages whose article is placeholder text are the hand-written cases of one
# parsing rule, not pages anyone published.
_PLACEHOLDER = re.compile(r"\b(?:lorem ipsum|dolor sit amet|id est laborum)\b", re.I)


@dataclass(frozen=True)
class Page:
    name: str
    source_path: Path  # the saved page, extracted into the cache (readers want a file)
    truth: str  # visible text of the expected article
    truth_without_captions: str  # the same without <figure> and <figcaption> text
    title: str | None
    byline: str | None
    placeholder: bool  # a hand-written rule case rather than a published page


def module_zip(module: str, version: str, cache: Path = CACHE) -> Path:
    """A Go module's zip from the Go module proxy, downloaded once into ``cache``."""
    target = cache / f"{module.rsplit('/', 1)[-1]}-{version}.zip"
    if not target.is_file():
        url = f"https://proxy.golang.org/{module}/@v/{version}.zip"
        cache.mkdir(parents=True, exist_ok=True)
        partial = target.with_suffix(".part")
        print(f"fetching {url} into {cache}", file=sys.stderr)
        for attempt in range(3):  # a registry's hiccup is not a missing dataset
            try:
                with urllib.request.urlopen(url, timeout=120) as response, open(partial, "wb") as out:
                    out.write(response.read())
                break
            except OSError:
                if attempt == 2:
                    raise
                time.sleep(5)
        os.replace(partial, target)
    return target


def fetch(cache: Path = CACHE) -> Path:
    """go-readability's module zip, which carries Readability's test pages."""
    return module_zip(MODULE, VERSION, cache)


def visible_text(html: bytes | str, captions: bool = True) -> str:
    """Text a reader sees in an HTML fragment: script, style and template contents left out,
    block elements on lines of their own (so words of two paragraphs never join).
    ``captions=False`` leaves out figures' captions and credits too."""
    import lxml.html

    if isinstance(html, bytes):
        html = html.decode("utf-8")  # lxml would read undeclared bytes as Latin-1
    doc = lxml.html.fromstring(html)
    for junk in doc.xpath("//script|//style|//noscript|//template"
                          + ("" if captions else "|//figcaption|//figure")):
        junk.drop_tree()
    for block in doc.xpath("//p|//div|//li|//h1|//h2|//h3|//h4|//h5|//h6|//br|//tr|//td|//th"
                           "|//figcaption|//blockquote|//pre|//dt|//dd"):
        block.tail = "\n" + (block.tail or "")
    return doc.text_content()


def load_pages(cache: Path = CACHE) -> list[Page]:
    archive = fetch(cache)
    pages_dir = cache / f"go-readability-{VERSION}-pages"
    prefix = f"{MODULE}@{VERSION}/test-pages/"
    found: dict[str, dict[str, bytes]] = {}
    with zipfile.ZipFile(archive) as zipped:
        for info in zipped.infolist():
            if not info.filename.startswith(prefix) or info.is_dir():
                continue
            name, _, file = info.filename[len(prefix):].partition("/")
            if file in ("source.html", "expected.html", "expected-metadata.json"):
                found.setdefault(name, {})[file] = zipped.read(info)
    pages = []
    for name in sorted(found):
        files = found[name]
        if "source.html" not in files or "expected.html" not in files:
            continue
        source_path = pages_dir / f"{name}.html"
        if not source_path.is_file() or source_path.read_bytes() != files["source.html"]:
            pages_dir.mkdir(parents=True, exist_ok=True)
            source_path.write_bytes(files["source.html"])
        meta = json.loads(files.get("expected-metadata.json", b"{}") or b"{}")
        truth = visible_text(files["expected.html"])
        pages.append(Page(name=name, source_path=source_path, truth=truth,
                          truth_without_captions=visible_text(files["expected.html"], captions=False),
                          title=meta.get("title") or None, byline=meta.get("byline") or None,
                          placeholder=bool(_PLACEHOLDER.search(truth))))
    return pages


def token_count(text: str) -> int:
    return len(_TOKEN.findall(text))
