"""Which PDF text library: accuracy on ground-truth papers, coverage of the samples, pages/s.

    .venv/bin/python -m tests.benchmarks.pdf_libraries [--repeats 3]

Candidates are the permissively licensed, maintained text-layer extractors:
pypdfium2 (PDFium, Apache-2.0/BSD), pdfminer.six (MIT) and pypdf (BSD).  Each
extracts every page's text in its own default reading order.

* accuracy: on the ground-truth papers in tests/fixtures/pdf (LaTeX two-column
  and LibreOffice), the share of the truth's body words found in order in the
  extracted text (difflib matching blocks over words), after the one repair
  every reader needs (line-end hyphens joined, NFKC).  Running heads and
  footnotes are not in the truth, so they cost nothing here; order mistakes do.
* coverage: of the sample PDFs in ../shared/datasets/pdf-samples, how many
  open and yield text, how many raise, and the seconds spent.
* speed: pages per second over every readable page (one core).

pdfminer.six and pypdf are optional here: install them to compare
(``pip install pdfminer.six pypdf``).
"""

from __future__ import annotations

import argparse
import difflib
import json
import logging
import re
import sys
import time
import unicodedata
from pathlib import Path

from tests.pdf_truth import FIXTURES

SAMPLES = Path(__file__).resolve().parents[3] / "shared" / "datasets" / "pdf-samples"
_WORD = re.compile(r"\w+(?:[-'’]\w+)*")


def _pdfium(path: Path) -> list[str]:
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(str(path))
    try:
        pages = []
        for i in range(len(pdf)):
            page = pdf[i]
            text = page.get_textpage().get_text_range()
            # PDFium marks a line-end hyphen it took for a soft one with U+FFFE.
            pages.append(text.replace("\ufffe", "-\n").replace("\r\n", "\n"))
        return pages
    finally:
        pdf.close()


def _pdfminer(path: Path) -> list[str]:
    from pdfminer.high_level import extract_pages
    from pdfminer.layout import LTTextContainer

    return ["".join(el.get_text() for el in page if isinstance(el, LTTextContainer))
            for page in extract_pages(str(path))]


def _pypdf(path: Path) -> list[str]:
    from pypdf import PdfReader

    reader = PdfReader(str(path))
    if reader.is_encrypted and not reader.decrypt(""):
        raise ValueError("encrypted")
    return [page.extract_text() or "" for page in reader.pages]


LIBRARIES = {"pypdfium2": _pdfium, "pdfminer.six": _pdfminer, "pypdf": _pypdf}


def words(text: str) -> list[str]:
    text = unicodedata.normalize("NFKC", text)
    text = re.sub(r"(\w)-\s*\n\s*(\w)", r"\1\2", text)
    return [w.lower() for w in _WORD.findall(text)]


def truth_words(truth: dict) -> list[str]:
    result: list[str] = []
    for para in truth["paragraphs"]:
        result.extend(w.lower() for w in _WORD.findall(para["text"]))
    return result


def in_order_share(expected: list[str], found: list[str]) -> float:
    """Share of ``expected`` words matched, in order, within ``found`` (compounds count as one word)."""
    if not expected:
        return 1.0
    # Compounds may come out joined when TeX broke them at their own hyphen; compare without hyphens.
    a = [w.replace("-", "") for w in expected]
    b = [w.replace("-", "") for w in found]
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    return sum(block.size for block in matcher.get_matching_blocks()) / len(a)


def ground_truth_files() -> list[tuple[Path, dict]]:
    result = []
    for truth_path in sorted(FIXTURES.glob("*.truth.json")):
        pdf = truth_path.with_name(truth_path.name.replace(".truth.json", ".pdf"))
        if pdf.exists():
            result.append((pdf, json.loads(truth_path.read_text(encoding="utf-8"))))
    return result


def measure(name: str, extract, repeats: int) -> dict:
    row: dict = {"library": name, "accuracy": {}, "samples_ok": 0, "samples_empty": 0, "samples_failed": {}}
    pages = 0
    seconds = 0.0
    for pdf, truth in ground_truth_files():
        texts = extract(pdf)
        row["accuracy"][pdf.name] = round(in_order_share(truth_words(truth), words("\n".join(texts))), 4)
    sample_files = sorted(SAMPLES.rglob("*.pdf")) if SAMPLES.is_dir() else []
    for pdf in sample_files + [p for p, _ in ground_truth_files()]:
        best = None
        for _ in range(repeats):
            started = time.perf_counter()
            try:
                texts = extract(pdf)
            except Exception as exc:  # noqa: BLE001 - a library's failure is what is measured
                row["samples_failed"][pdf.name] = f"{type(exc).__name__}: {str(exc)[:80]}"
                break
            elapsed = time.perf_counter() - started
            best = elapsed if best is None else min(best, elapsed)
        if best is None:
            continue
        seconds += best
        pages += len(texts)
        if pdf.parent != FIXTURES:
            if any(t.strip() for t in texts):
                row["samples_ok"] += 1
            else:
                row["samples_empty"] += 1
    row["pages"] = pages
    row["seconds"] = round(seconds, 3)
    row["pages_per_s"] = round(pages / seconds, 1) if seconds else None
    return row


def run(repeats: int = 3) -> dict:
    # Their warnings about each sample's quirks would bury the figures.
    for noisy in ("pypdf", "pdfminer"):
        logging.getLogger(noisy).setLevel(logging.ERROR)
    rows = []
    for name, extract in LIBRARIES.items():
        try:
            rows.append(measure(name, extract, repeats))
        except ImportError as missing:
            rows.append({"library": name, "skipped": f"not installed ({missing.name})"})
    return {"samples": str(SAMPLES) if SAMPLES.is_dir() else None, "rows": rows}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args(argv)
    print(json.dumps(run(args.repeats), indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
