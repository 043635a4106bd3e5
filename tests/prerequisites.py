"""What a test needs from the machine, and what happens when it is missing.

Locally a missing system tool or dataset skips the test with one line naming
what to install.  Under CI (``CI=true``) it fails instead: CI installs
everything in ``.ci/run``, so a skip there would hide a test that never ran.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

ON_CI = os.environ.get("CI", "").strip().lower() in {"1", "true", "yes"}
DATASETS = Path(__file__).resolve().parents[2] / "shared" / "datasets"
# Debian installs some tools (nginx) in /usr/sbin, which a non-root PATH may lack.
_SEARCH_PATH = os.pathsep.join([os.environ.get("PATH", ""), "/usr/sbin", "/sbin"])
LATEX_PACKAGES = "biber texlive-latex-base texlive-latex-recommended texlive-bibtex-extra"


def missing(reason: str):
    """Skip, or under CI fail, because ``reason``; never returns."""
    if ON_CI:
        pytest.fail(f"CI must provide this (see .ci/run): {reason}", pytrace=False)
    pytest.skip(reason)


def tool(name: str, debian_packages: str) -> str:
    """The path of system tool ``name``, or a skip naming the Debian packages that provide it."""
    found = shutil.which(name, path=_SEARCH_PATH)
    if found is None:
        missing(f"{name} is not installed (apt-get install --no-install-recommends {debian_packages})")
    return found


def latex_with_biblatex() -> dict[str, str]:
    """pdflatex, biber and the biblatex package itself; binaries alone are not enough."""
    found = {name: tool(name, LATEX_PACKAGES) for name in ("pdflatex", "biber", "kpsewhich")}
    for package in ("biblatex.sty", "etoolbox.sty"):
        located = subprocess.run([found["kpsewhich"], package], capture_output=True, text=True)
        if located.returncode != 0 or not located.stdout.strip():
            missing(f"LaTeX package {package} is not installed (apt-get install --no-install-recommends {LATEX_PACKAGES})")
    return found


def dataset(name: str) -> Path:
    """A third-party dataset under ../shared/datasets, or a skip saying where it belongs."""
    path = DATASETS / name
    if not path.exists():
        missing(f"dataset {name!r} not found at {path}: place ../shared/datasets beside the repository")
    return path
