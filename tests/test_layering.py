"""Who may import what: each engine's library only in its own package, falcon only in the
service, and the index never reaching up into the service."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

# A library -> the only folder (relative to the repository) whose modules may import it.
OWNERS = {
    "whoosh": "index/search/whoosh",
    "opensearchpy": "index/search/opensearch",
    "falcon": "service",
}


def imported_modules(path: Path) -> list[tuple[int, str]]:
    """Every module ``path`` imports (absolute names; relative imports resolved)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    package = ["pinpoint", *path.relative_to(ROOT).with_suffix("").parts[:-1]]
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.extend((node.lineno, alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join(package[: len(package) - node.level + 1] + ([base] if base else []))
            found.append((node.lineno, base))
    return found


def modules(top: str) -> list[Path]:
    return sorted((ROOT / top).rglob("*.py"))


def _all_imports():
    for top in ("index", "service"):
        for path in modules(top):
            for line, name in imported_modules(path):
                yield path.relative_to(ROOT), line, name


def test_each_library_is_imported_only_by_its_owner():
    wrong = [
        f"{path}:{line} imports {name}"
        for path, line, name in _all_imports()
        for library, owner in OWNERS.items()
        if (name == library or name.startswith(library + ".")) and not str(path).startswith(owner + "/")
    ]
    assert wrong == []


def test_the_index_never_imports_the_service():
    wrong = [f"{path}:{line} imports {name}" for path, line, name in _all_imports()
             if str(path).startswith("index/") and (name + ".").startswith(("pinpoint.service.", "service."))]
    assert wrong == []


def test_everything_imports_through_the_pinpoint_namespace():
    # `index.x` or `service.x` would load a second copy of a module from the repository root.
    wrong = [f"{path}:{line} imports {name}" for path, line, name in _all_imports()
             if (name + ".").startswith(("index.", "service."))]
    assert wrong == []


@pytest.mark.parametrize("path", modules("index") + modules("service"), ids=lambda p: str(p.relative_to(ROOT)))
def test_no_module_is_a_thousand_lines(path):
    assert len(path.read_text(encoding="utf-8").splitlines()) < 1000
