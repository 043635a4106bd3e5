"""Compile a .bib with biblatex + biber + pdflatex, as a reader of the export would.

Shared by the compile tests so that every export is held to the same standard:
pdflatex and biber succeed, biber prints no WARN or ERROR line, every cited key
reaches the .bbl and nothing is left undefined.  Needs TeX Live with biblatex
and biber; :func:`tests.prerequisites.latex_with_biblatex` skips (fails under CI)
when they are absent.
"""

from __future__ import annotations

import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

from tests.prerequisites import latex_with_biblatex

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


@dataclass(frozen=True)
class Compiled:
    bbl: str
    log: str
    biber_output: str


def _run(command: list[str], cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(command, cwd=cwd, capture_output=True, text=True, errors="replace", timeout=300)


def compile_bibliography(directory: Path, bib_text: str, keys: list[str]) -> Compiled:
    """Cite every key of ``bib_text`` and typeset the bibliography; assert a clean build."""
    latex_with_biblatex()
    (directory / "refs.bib").write_text(bib_text, encoding="utf-8")
    (directory / "doc.tex").write_text(DOCUMENT % "\n".join(rf"\cite{{{key}}}" for key in keys), encoding="utf-8")
    pdflatex = ["pdflatex", "-interaction=nonstopmode", "-halt-on-error", "doc.tex"]

    first = _run(pdflatex, directory)
    assert first.returncode == 0, first.stdout[-3000:]
    biber = _run(["biber", "doc"], directory)
    assert biber.returncode == 0, biber.stdout[-3000:]
    problems = [line for line in biber.stdout.splitlines() if re.match(r"(WARN|ERROR)\b", line)]
    assert not problems, problems
    for _ in range(2):  # biblatex needs a second pass to settle labels
        final = _run(pdflatex, directory)
        assert final.returncode == 0, final.stdout[-3000:]

    bbl = (directory / "doc.bbl").read_text(encoding="utf-8", errors="replace")
    assert sorted(re.findall(r"\\entry\{([^}]*)\}", bbl)) == sorted(keys)
    log = (directory / "doc.log").read_text(encoding="utf-8", errors="replace")
    assert "undefined" not in log.lower(), re.findall(r".*undefined.*", log, re.I)
    assert (directory / "doc.pdf").stat().st_size > 0
    return Compiled(bbl=bbl, log=log, biber_output=biber.stdout)
