"""Ground-truth PDFs: papers whose every paragraph, page and footnote we wrote.

    .venv/bin/python -m tests.pdf_truth            # rebuild tests/fixtures/pdf/
    .venv/bin/python -m tests.pdf_truth --check    # say whether pdflatex/soffice are present

Two producers, because layout repair must not fit one:

* LaTeX ``article`` in ``twocolumn`` with ``fancyhdr`` running heads and feet,
  footnotes, hyphenation, ligatures, a references section and
  ``\\setcounter{page}{153}``.  Each paragraph carries ``\\label``s at its
  first and last word, so the printed page it starts and ends on comes from
  TeX's own ``.aux`` file, not from any PDF reader.
* LibreOffice Writer (``soffice --convert-to pdf``) from a flat ODT written
  here, with a running header, a page-number footer, footnotes and a forced
  page break before each page's paragraphs, so every paragraph's page is known
  by construction.

The text is generated from a fixed seed: sentences of ordinary and long words
(so TeX hyphenates), compounds with real hyphens (which must survive), and
"fi"/"fl" words (ligatures).  ``truth.json`` beside each PDF lists the body
paragraphs in reading order with their pages, the footnotes, the running
furniture and the references.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from xml.sax.saxutils import escape

FIXTURES = Path(__file__).parent / "fixtures" / "pdf"

_COMMON = ("the of and to in that is was for on with as by at from this which be are an or were "
           "not but had have their it its more than these those between after before over under "
           "while during across within").split()
_NOUNS = ("measurement sample river archive ledger harvest council survey method record pattern "
          "settlement boundary estimate tradition community instrument variation committee "
          "temperature correspondence interpretation administration documentation classification "
          "representation infrastructure investigation characteristics responsibilities "
          "neighbourhood archaeology manuscript chronology").split()
_VERBS = ("shows suggests reveals confirms records describes challenges supports reflects "
          "complicates undermines illuminates reconstructs").split()
_ADJECTIVES = ("regional careful uneven durable partial seasonal municipal comparative "
               "systematic unprecedented extraordinary circumstantial institutional "
               "environmental").split()
# Real hyphens: these must come out with their hyphen wherever TeX breaks the line.
_COMPOUNDS = ("well-known long-term cross-border self-evident mid-century small-scale "
              "eighteenth-century state-funded").split()
# Words set with fi/fl/ff ligatures by TeX's default fonts.
_LIGATURES = "field efficient office flow reflection figures affluent difficult".split()


def _sentence(rng: random.Random) -> str:
    words = [rng.choice(_ADJECTIVES).capitalize(), rng.choice(_NOUNS), rng.choice(_VERBS)]
    for _ in range(rng.randint(7, 16)):
        pick = rng.random()
        if pick < 0.45:
            words.append(rng.choice(_COMMON))
        elif pick < 0.7:
            words.append(rng.choice(_NOUNS))
        elif pick < 0.82:
            words.append(rng.choice(_ADJECTIVES))
        elif pick < 0.91:
            words.append(rng.choice(_COMPOUNDS))
        else:
            words.append(rng.choice(_LIGATURES))
    return " ".join(words) + rng.choice([".", ".", ".", ";"] if False else ["."])


def paragraph_text(rng: random.Random, sentences: tuple[int, int] = (3, 7)) -> str:
    return " ".join(_sentence(rng) for _ in range(rng.randint(*sentences)))


# --- LaTeX ------------------------------------------------------------------------------

LATEX_HEAD = "Journal of Synthetic Studies"
LATEX_AUTHORS = (("Ada", "Quill"), ("Benedict", "Rowe"))
LATEX_YEAR = 2021
LATEX_TITLE = "Measured Boundaries in Regional Archives"
LATEX_FIRST_PAGE = 153
LATEX_DOI = "10.5555/synthetic.2021.153"


def latex_document(seed: int = 7, sections: int = 6, paragraphs: tuple[int, int] = (3, 5),
                   footnote_every: int = 4, first_page: int = LATEX_FIRST_PAGE,
                   title: str = LATEX_TITLE, twocolumn: bool = True) -> tuple[str, dict]:
    """LaTeX source and its truth (pages are filled in from the .aux after compiling)."""
    rng = random.Random(seed)
    body: list[str] = []
    truth: dict = {"producer": "pdflatex", "title": title, "first_page": first_page,
                   "head": LATEX_HEAD, "paragraphs": [], "footnotes": [], "headings": [],
                   "references": [], "doi": LATEX_DOI}
    number = 0
    for s in range(1, sections + 1):
        heading = f"{rng.choice(_ADJECTIVES).capitalize()} {rng.choice(_NOUNS)}"
        truth["headings"].append(heading)
        body.append(f"\\section{{{heading}}}\n")
        for _ in range(rng.randint(*paragraphs)):
            number += 1
            text = paragraph_text(rng)
            words = text.split(" ")
            footnote = None
            if number % footnote_every == 0:
                footnote = paragraph_text(rng, (1, 2))
                truth["footnotes"].append(footnote)
                at = len(words) // 2
                # After a word, mid-sentence: where a marker most often lands.
                words[at] = words[at] + f"\\footnote{{{footnote}}}"
            # \leavevmode: a \label before the paragraph starts could land on the previous page.
            words[0] = f"\\leavevmode\\label{{p{number}s}}" + words[0]
            words[-1] = words[-1] + f"\\label{{p{number}e}}"
            body.append(" ".join(words) + "\n")
            truth["paragraphs"].append({"n": number, "text": text, "footnote": footnote})
    references = []
    for r in range(1, 9):
        family = rng.choice(["Abbott", "Baines", "Carver", "Dunmore", "Ellery", "Fairlie", "Garrow"])
        ref = (f"{family}, {rng.choice('ABCDEFGHJK')}. ({2000 + r}). {paragraph_text(rng, (1, 1))[:70].rstrip('.')}. "
               f"Journal of {rng.choice(_NOUNS).capitalize()} Studies, {r + 10}({r}), {100 + 7 * r}--{112 + 7 * r}.")
        references.append(ref)
        truth["references"].append(ref.replace("--", "\u2013"))
    body_tex = "".join(b + "\n" for b in body)
    bib_tex = "".join(f"\\bibitem{{r{i}}} {ref}\n" for i, ref in enumerate(references))
    authors = " \\and ".join(f"{g} {f}" for g, f in LATEX_AUTHORS)
    # One column keeps LaTeX's own wide margins: the folio then sits well above the page foot.
    layout = "\\documentclass[twocolumn,10pt]{article}\n\\usepackage[margin=2cm]{geometry}" if twocolumn \
        else "\\documentclass[11pt]{article}"
    source = rf"""{layout}
\usepackage{{fancyhdr}}
\pagestyle{{fancy}}
\fancyhf{{}}
\fancyhead[L]{{{LATEX_HEAD}}}
\fancyhead[R]{{Quill and Rowe}}
\fancyfoot[C]{{\thepage}}
\title{{{title}}}
\author{{{authors}}}
\date{{{LATEX_YEAR}}}
\begin{{document}}
\setcounter{{page}}{{{first_page}}}
\maketitle
\thispagestyle{{fancy}}
\noindent DOI: {LATEX_DOI}

{body_tex}
\begin{{thebibliography}}{{9}}
{bib_tex}
\end{{thebibliography}}
\end{{document}}
"""
    return source, truth


_LABEL = re.compile(r"\\newlabel\{p(\d+)([se])\}\{\{[^}]*\}\{(\d+)\}")


def compile_latex(source: str, out_pdf: Path, truth: dict) -> dict:
    """Run pdflatex twice (labels need the second run) and fill pages from the .aux."""
    with tempfile.TemporaryDirectory() as tmp:
        tex = Path(tmp) / "paper.tex"
        tex.write_text(source, encoding="utf-8")
        for _ in range(2):
            subprocess.run(["pdflatex", "-interaction=nonstopmode", "-halt-on-error", "paper.tex"],
                           cwd=tmp, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        pages: dict[tuple[int, str], int] = {}
        for n, which, page in _LABEL.findall((Path(tmp) / "paper.aux").read_text()):
            pages[(int(n), which)] = int(page)
        shutil.copy(Path(tmp) / "paper.pdf", out_pdf)
    for para in truth["paragraphs"]:
        para["page"] = pages[(para["n"], "s")]
        para["page_end"] = pages[(para["n"], "e")]
    return truth


# --- LibreOffice -------------------------------------------------------------------------

ODT_HEADER = "Pinpoint Field Report"
ODT_TITLE = "Seasonal Records of the River Council"


def odt_document(seed: int = 11, pages: int = 4, per_page: int = 3, columns: int = 1) -> tuple[str, dict]:
    """A flat ODT with a header, page-number footer, footnotes and one page break per page."""
    rng = random.Random(seed)
    truth: dict = {"producer": "libreoffice", "title": ODT_TITLE, "first_page": 1, "head": ODT_HEADER,
                   "paragraphs": [], "footnotes": [], "headings": [], "references": []}
    parts = [f'<text:h text:style-name="Title" text:outline-level="1">{escape(ODT_TITLE)}</text:h>']
    number = 0
    for page in range(1, pages + 1):
        heading = f"Part {page}: {rng.choice(_ADJECTIVES)} {rng.choice(_NOUNS)}"
        truth["headings"].append(heading)
        style = "HeadingBreak" if page > 1 else "Heading"
        parts.append(f'<text:h text:style-name="{style}" text:outline-level="2">{escape(heading)}</text:h>')
        for _ in range(per_page):
            number += 1
            text = paragraph_text(rng, (2, 4))
            footnote = None
            xml = escape(text)
            if number % 4 == 0:
                footnote = paragraph_text(rng, (1, 1))
                truth["footnotes"].append(footnote)
                cut = text.index(" ", len(text) // 2)
                xml = (escape(text[:cut]) + f'<text:note text:id="n{number}" text:note-class="footnote">'
                       f'<text:note-citation>{len(truth["footnotes"])}</text:note-citation><text:note-body>'
                       f'<text:p text:style-name="Footnote">{escape(footnote)}</text:p></text:note-body></text:note>'
                       + escape(text[cut:]))
            parts.append(f'<text:p text:style-name="Body">{xml}</text:p>')
            truth["paragraphs"].append({"n": number, "text": text, "footnote": footnote,
                                        "page": page, "page_end": page})
    body = "\n".join(parts)
    column_xml = f'<style:columns fo:column-count="{columns}" fo:column-gap="0.8cm"/>' if columns > 1 else ""
    fodt = f"""<?xml version="1.0" encoding="UTF-8"?>
<office:document xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"
 xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0"
 xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"
 xmlns:fo="urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0"
 xmlns:dc="http://purl.org/dc/elements/1.1/"
 xmlns:meta="urn:oasis:names:tc:opendocument:xmlns:meta:1.0"
 office:version="1.3" office:mimetype="application/vnd.oasis.opendocument.text">
<office:meta><dc:title>{escape(ODT_TITLE)}</dc:title><meta:initial-creator>Cora Vance</meta:initial-creator>
<dc:creator>Cora Vance</dc:creator></office:meta>
<office:styles>
 <style:style style:name="Body" style:family="paragraph"><style:paragraph-properties fo:margin-bottom="0.25cm" fo:text-align="justify" fo:hyphenation-ladder-count="no-limit"/>
  <style:text-properties fo:font-size="11pt" fo:font-family="Liberation Serif" fo:hyphenate="false"/></style:style>
 <style:style style:name="Title" style:family="paragraph"><style:text-properties fo:font-size="20pt" fo:font-weight="bold" fo:font-family="Liberation Sans"/></style:style>
 <style:style style:name="Heading" style:family="paragraph"><style:paragraph-properties fo:margin-top="0.4cm" fo:margin-bottom="0.2cm"/><style:text-properties fo:font-size="14pt" fo:font-weight="bold" fo:font-family="Liberation Sans"/></style:style>
 <style:style style:name="HeadingBreak" style:family="paragraph" style:parent-style-name="Heading"><style:paragraph-properties fo:break-before="page"/></style:style>
 <style:style style:name="Footnote" style:family="paragraph"><style:text-properties fo:font-size="9pt" fo:font-family="Liberation Serif"/></style:style>
 <style:style style:name="Furniture" style:family="paragraph"><style:paragraph-properties fo:text-align="center"/><style:text-properties fo:font-size="9pt" fo:font-family="Liberation Sans"/></style:style>
</office:styles>
<office:automatic-styles>
 <style:page-layout style:name="PL"><style:page-layout-properties fo:page-width="21cm" fo:page-height="29.7cm" fo:margin-top="1.5cm" fo:margin-bottom="1.5cm" fo:margin-left="2.5cm" fo:margin-right="2.5cm">{column_xml}</style:page-layout-properties>
  <style:header-style><style:header-footer-properties fo:min-height="0.8cm" fo:margin-bottom="0.5cm"/></style:header-style>
  <style:footer-style><style:header-footer-properties fo:min-height="0.8cm" fo:margin-top="0.5cm"/></style:footer-style></style:page-layout>
</office:automatic-styles>
<office:master-styles><style:master-page style:name="Standard" style:page-layout-name="PL">
 <style:header><text:p text:style-name="Furniture">{escape(ODT_HEADER)}</text:p></style:header>
 <style:footer><text:p text:style-name="Furniture">Page <text:page-number text:select-page="current">1</text:page-number></text:p></style:footer>
</style:master-page></office:master-styles>
<office:body><office:text>
{body}
</office:text></office:body></office:document>
"""
    return fodt, truth


def convert_odt(fodt: str, out_pdf: Path) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "report.fodt"
        src.write_text(fodt, encoding="utf-8")
        # A private profile: a user's running LibreOffice (or another test) holds the default one.
        subprocess.run(["soffice", f"-env:UserInstallation=file://{tmp}/profile", "--headless",
                        "--convert-to", "pdf", "--outdir", tmp, str(src)],
                       check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=180)
        shutil.copy(Path(tmp) / "report.pdf", out_pdf)


def tools_present() -> dict[str, bool]:
    return {"pdflatex": shutil.which("pdflatex") is not None, "soffice": shutil.which("soffice") is not None}


def build_fixtures(out: Path = FIXTURES) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    made = []
    source, truth = latex_document()
    (out / "article.tex").write_text(source, encoding="utf-8")
    truth = compile_latex(source, out / "article.pdf", truth)
    (out / "article.truth.json").write_text(json.dumps(truth, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    made.append(out / "article.pdf")
    source, truth = latex_document(seed=23, sections=4, first_page=201, twocolumn=False,
                                   title="Ledgers of a Municipal Survey")
    (out / "onecolumn.tex").write_text(source, encoding="utf-8")
    truth = compile_latex(source, out / "onecolumn.pdf", truth)
    (out / "onecolumn.truth.json").write_text(json.dumps(truth, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    made.append(out / "onecolumn.pdf")
    fodt, truth = odt_document()
    (out / "report.fodt").write_text(fodt, encoding="utf-8")
    convert_odt(fodt, out / "report.pdf")
    (out / "report.truth.json").write_text(json.dumps(truth, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    made.append(out / "report.pdf")
    fodt, truth = odt_document(seed=5, pages=2, per_page=5, columns=2)
    (out / "report-columns.fodt").write_text(fodt, encoding="utf-8")
    convert_odt(fodt, out / "report-columns.pdf")
    (out / "report-columns.truth.json").write_text(json.dumps(truth, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    made.append(out / "report-columns.pdf")
    return made


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true")
    args = parser.parse_args(argv)
    tools = tools_present()
    if args.check:
        print(json.dumps(tools))
        return 0 if all(tools.values()) else 1
    missing = [name for name, ok in tools.items() if not ok]
    if missing:
        print(f"cannot build the PDF fixtures: {', '.join(missing)} not installed", file=sys.stderr)
        return 1
    for path in build_fixtures():
        print(f"{path} ({path.stat().st_size // 1024} KB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())


# --- scoring a reading against the truth ------------------------------------------------

def _norm(text: str) -> str:
    return " ".join(text.split())


def score(blocks, pages, truth: dict) -> dict:
    """How a reading's blocks compare with the truth.

    A body paragraph counts as *whole and in order* when one paragraph block
    equals its text exactly (whitespace aside: so no running head, page number,
    footnote text or marker inside it, no hyphenation left, nothing cut off)
    and that block comes after the block of the previous such paragraph.
    Its page is right when the block's first and last characters lie on the
    truth's printed pages.
    """
    from bisect import bisect_right

    by_text: dict[str, list] = {}
    for i, block in enumerate(blocks):
        if block.kind == "paragraph":
            by_text.setdefault(_norm(block.text), []).append((i, block))
    offsets = [o for o, _ in pages]

    def label(at: int) -> str | None:
        return pages[bisect_right(offsets, at) - 1][1] if pages else None

    whole = in_order = right_pages = 0
    last = -1
    missing = []
    for para in truth["paragraphs"]:
        found = by_text.get(_norm(para["text"]))
        if not found:
            missing.append(para["n"])
            continue
        whole += 1
        index, block = next(((i, b) for i, b in found if i > last), found[0])
        if index > last:
            in_order += 1
            last = index
        if (label(block.start) == str(para["page"]) and label(block.end - 1) == str(para["page_end"])):
            right_pages += 1
    furniture = [truth["head"]]
    intruders = [b.text[:60] for b in blocks if b.kind == "paragraph"
                 and any(f in b.text for f in furniture)]
    # A footnote leaks when its text shares a block with body text; two footnotes run together do not.
    openings = [_norm(p["text"])[:60] for p in truth["paragraphs"]]
    footnotes = [_norm(f) for f in truth["footnotes"]]
    footnote_leaks = []
    for block in blocks:
        text = _norm(block.text)
        if block.kind == "paragraph" and any(f in text for f in footnotes) and any(o in text for o in openings):
            footnote_leaks.append(block.text[:60])
    total = len(truth["paragraphs"])
    return {"paragraphs": total, "whole": whole, "whole_in_order": in_order,
            "share_whole_in_order": round(in_order / total, 4) if total else 1.0,
            "right_pages": right_pages, "missing": missing,
            "furniture_in_paragraphs": intruders, "footnotes_in_paragraphs": footnote_leaks}
