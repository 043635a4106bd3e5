"""PDF ingest: pages per second per core with layout repair, peak RSS, and accuracy at scale.

    .venv/bin/python -m tests.benchmarks.pdf_ingest [--pages 1000] [--quick]

A corpus of generated two-column LaTeX papers (tests/pdf_truth.py, needs
pdflatex) of about ``--pages`` pages in all is read twice:

* ``read``: every file through ``pinpoint.index.ingest.pdf.reader.extract_pdf`` (PDFium text,
  layout repair, metadata) in one fresh process on one core: pages per CPU
  second is pages/s/core; its peak RSS shows what one file's reading holds.
* ``build``: ``pinpoint``'s real build of the folder (the per-file limited
  readers, cleaning, chunking, Whoosh), wall and CPU seconds and peak RSS.

Every paper's truth (paragraphs, printed pages from TeX's .aux) is scored as
in the tests: the share of body paragraphs whole and in order, and on the
right printed pages.  The library comparison (pdf_libraries) runs alongside.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from tests.benchmarks.corpus import ROOT
from tests.benchmarks.indexing import build_once
from tests.pdf_truth import compile_latex, latex_document, tools_present

PAGES_PER_PAPER = 100
# Sections of 3-5 paragraphs per printed page of the generated two-column paper, measured.
SECTIONS_PER_PAGE = 2.1


def make_corpus(folder: Path, pages: int) -> list[tuple[Path, dict]]:
    folder.mkdir(parents=True, exist_ok=True)
    papers = []
    made = 0
    seed = 1000
    while made < pages:
        want = min(PAGES_PER_PAPER, pages - made)
        sections = max(2, round(want * SECTIONS_PER_PAGE))
        source, truth = latex_document(seed=seed, sections=sections, first_page=1 + seed % 400,
                                       title=f"Generated Paper Number {seed}")
        pdf = folder / f"paper-{seed}.pdf"
        truth = compile_latex(source, pdf, truth)
        (folder / f"paper-{seed}.truth.json").write_text(json.dumps(truth), encoding="utf-8")
        papers.append((pdf, truth))
        made += _page_count(pdf)
        seed += 1
    return papers


def _page_count(pdf: Path) -> int:
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(str(pdf))
    try:
        return len(document)
    finally:
        document.close()


def _read_here(folder: Path) -> None:
    """In a fresh process: read every PDF of ``folder``, print figures and scores as JSON."""
    from pinpoint.index.ingest.pdf.reader import extract_pdf
    from tests.pdf_truth import score

    pages = 0
    scores = []
    wall = cpu = 0.0
    for pdf in sorted(folder.glob("*.pdf")):
        started, cpu_started = time.monotonic(), time.process_time()
        raw = extract_pdf(pdf, folder)
        cpu += time.process_time() - cpu_started
        wall += time.monotonic() - started
        pages += _page_count(pdf)
        truth = json.loads(pdf.with_name(pdf.name.replace(".pdf", ".truth.json")).read_text(encoding="utf-8"))
        scores.append(score(raw.blocks, raw.pages, truth))
    total = sum(s["paragraphs"] for s in scores)
    print(json.dumps({
        "files": len(scores), "pages": pages, "wall_s": round(wall, 2), "cpu_s": round(cpu, 2),
        "pages_per_s_per_core": round(pages / cpu, 1) if cpu else None,
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "paragraphs": total,
        "share_whole_in_order": round(sum(s["whole_in_order"] for s in scores) / total, 4),
        "share_right_pages": round(sum(s["right_pages"] for s in scores) / total, 4),
        "furniture_in_paragraphs": sum(len(s["furniture_in_paragraphs"]) for s in scores),
        "footnotes_in_paragraphs": sum(len(s["footnotes_in_paragraphs"]) for s in scores),
    }))


def run(work: Path, pages: int = 1000, quick: bool = False) -> dict:
    missing = [name for name, ok in tools_present().items() if name == "pdflatex" and not ok]
    if missing:
        return {"skipped": "pdflatex not installed: apt-get install texlive-latex-base texlive-latex-recommended"}
    from tests.benchmarks import pdf_libraries

    corpus = work / "pdf-corpus"
    started = time.monotonic()
    make_corpus(corpus, pages)
    result: dict = {"corpus_pages": sum(_page_count(p) for p in corpus.glob("*.pdf")),
                    "corpus_files": len(list(corpus.glob("*.pdf"))),
                    "generate_s": round(time.monotonic() - started, 1)}
    done = subprocess.run([sys.executable, "-m", "tests.benchmarks.pdf_ingest", "--read-here", str(corpus)],
                          cwd=ROOT, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"PDF read benchmark failed:\n{done.stderr[-4000:]}")
    result["read"] = json.loads(done.stdout.strip().splitlines()[-1])
    build = build_once(corpus, work / "pdf-index")
    build["pages_per_s"] = round(result["corpus_pages"] / build["wall_s"], 1)
    result["build"] = {k: (round(v, 2) if isinstance(v, float) else v) for k, v in build.items()}
    result["libraries"] = pdf_libraries.run(repeats=1 if quick else 3)
    return result


def print_result(result: dict) -> None:
    if "skipped" in result:
        print(f"\nPDF ingest skipped: {result['skipped']}")
        return
    read, build = result["read"], result["build"]
    print(f"\nPDF ingest ({result['corpus_pages']} generated two-column pages in {result['corpus_files']} files)")
    print(f"  read + layout repair, one core: {read['pages_per_s_per_core']} pages/s/core, "
          f"peak RSS {read['peak_rss_mb']} MB")
    print(f"  full build: {build['pages_per_s']} pages/s wall ({build['wall_s']} s, {build['cpu_s']} CPU s), "
          f"peak RSS {build['peak_rss_mb']} MB (largest child {build['peak_worker_rss_mb']} MB)")
    print(f"  ground truth: {read['paragraphs']} body paragraphs, {read['share_whole_in_order']:.2%} whole and in order, "
          f"{read['share_right_pages']:.2%} on the right printed pages; running heads inside: "
          f"{read['furniture_in_paragraphs']}, footnotes inside: {read['footnotes_in_paragraphs']}")
    for row in result["libraries"]["rows"]:
        if "skipped" in row:
            print(f"  {row['library']}: {row['skipped']}")
            continue
        print(f"  {row['library']:13} {row['pages_per_s']:>7} pages/s  accuracy {row['accuracy']}  "
              f"samples read {row['samples_ok']}, empty {row['samples_empty']}, failed {len(row['samples_failed'])}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=1000)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--read-here", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.read_here:
        _read_here(args.read_here)
        return 0
    with tempfile.TemporaryDirectory(prefix="pinpoint-pdf-bench-") as tmp:
        result = run(Path(tmp), args.pages, args.quick)
    print(json.dumps(result, indent=1))
    print_result(result)
    return 0


if __name__ == "__main__":
    sys.exit(main())
