"""The exported BibTeX compiles: biblatex + biber + pdflatex accept every entry.

Needs TeX Live with biblatex, and biber (Debian: ``apt-get install
--no-install-recommends biber texlive-latex-base texlive-latex-recommended
texlive-bibtex-extra``); skips with that hint when any is absent, fails under CI.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

from pinpoint.index.bibliography.bibtex import to_bibtex
from pinpoint.index.bibliography.keys import citation_keys

from tests.prerequisites import latex_with_biblatex

pytestmark = pytest.mark.slow

ITEMS = [
    {
        "id": "web",
        "type": "webpage",
        "title": "The NATO Summit and Europe's Plan",
        "author": [{"literal": "Pacific Forum"}, {"family": "Berg", "given": "Jan", "non-dropping-particle": "van der"}],
        "issued": {"date-parts": [[2023, 7, 4]]},
        "accessed": {"date-parts": [[2024, 1, 2]]},
        "URL": "https://pacforum.org/pub/pacnet_12%20x?a=1&b=2#top",
        "publisher": "Pacific Forum",
    },
    {
        "id": "hostile",
        "type": "report",
        "title": "Costs of R&D: 100% of $5, #1 a_b {unbalanced ~x^2 back\\slash -- dash }} \"q\"",
        "author": [
            {"literal": "Smith & Sons {Ltd"},
            {"family": "Müller", "given": "Jörg"},
            {"family": "Žižek", "given": "Slavoj"},
            {"family": "Nguyễn", "given": "Văn An"},
        ],
        "issued": {"date-parts": [[2020, 2]]},
        "publisher": "Institute for 50% & More",
        "URL": "https://example.org/a_b%20c#frag{x} y",
        "note": "50% off \\ all $ # _ ^ ~",
    },
    {
        "id": "article",
        "type": "article-journal",
        "title": "Us and them in the iPhone era",
        "author": [{"family": "Xu", "given": "Li"}],
        "container-title": "Journal of Things & Stuff",
        "volume": "3",
        "issue": "2",
        "page": "10-20",
        "DOI": "10.1000/a_b.c%d",
        "issued": {"date-parts": [[2014, 3]]},
    },
    {"id": "twin", "type": "article-journal", "title": "Us", "author": [{"family": "Xu", "given": "Li"}], "issued": {"date-parts": [[2014]]}},
    {"id": "book", "type": "book", "title": "Undated", "author": [{"family": "Ōe", "given": "Kenzaburō"}], "publisher": "P"},
    {"id": "chapter", "type": "chapter", "title": "A chapter", "editor": [{"family": "Doe", "given": "J."}], "container-title": "A Book", "publisher": "Q"},
    {"id": "bare", "type": "webpage", "URL": "https://e.org/only_a_url"},
]

# texencoding=ascii: biber reads the UTF-8 .bib and writes LaTeX accent macros,
# so plain pdflatex (no T5 fonts) can typeset Vietnamese names.
DOCUMENT = r"""\documentclass{article}
\usepackage[backend=biber,bibencoding=utf8,texencoding=ascii]{biblatex}
\addbibresource{refs.bib}
\begin{document}
%s
\printbibliography
\end{document}
"""


def _run(command: list[str], cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(command, cwd=cwd, capture_output=True, text=True, errors="replace", timeout=120)


def test_export_compiles_with_biblatex_and_biber(tmp_path):
    latex_with_biblatex()
    keys = citation_keys(ITEMS)
    (tmp_path / "refs.bib").write_text(to_bibtex(ITEMS), encoding="utf-8")
    (tmp_path / "doc.tex").write_text(DOCUMENT % "\n".join(rf"\cite{{{key}}}" for key in keys), encoding="utf-8")
    pdflatex = ["pdflatex", "-interaction=nonstopmode", "-halt-on-error", "doc.tex"]

    first = _run(pdflatex, tmp_path)
    assert first.returncode == 0, first.stdout[-3000:]
    biber = _run(["biber", "doc"], tmp_path)
    assert biber.returncode == 0, biber.stdout[-3000:]
    problems = [line for line in biber.stdout.splitlines() if re.match(r"(WARN|ERROR)\b", line)]
    assert not problems, problems
    for _ in range(2):  # biblatex needs a second pass to settle labels
        final = _run(pdflatex, tmp_path)
        assert final.returncode == 0, final.stdout[-3000:]

    bbl = (tmp_path / "doc.bbl").read_text(encoding="utf-8", errors="replace")
    assert sorted(re.findall(r"\\entry\{([^}]*)\}", bbl)) == sorted(keys)
    log = (tmp_path / "doc.log").read_text(encoding="utf-8", errors="replace")
    assert "undefined" not in log.lower(), re.findall(r".*undefined.*", log, re.I)
    assert (tmp_path / "doc.pdf").stat().st_size > 0
    # URLs reach biblatex verbatim: %, _ and # untouched.
    assert "https://pacforum.org/pub/pacnet_12%20x?a=1&b=2#top" in bbl
