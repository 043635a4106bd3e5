"""reStructuredText and LaTeX sources as Markdown-shaped text plus what they state.

Each is read with the parser made for it (docutils for reST, pylatexenc for
LaTeX), never with hand-written markup stripping, and rendered as the
Markdown the cleaner already understands: ``#`` headings, blank-line
paragraphs, fenced code, ``- `` list items.  Metadata is what the document
declares: the reST title and docinfo (``:Author:``, ``:Date:``), LaTeX's
``\\title``, ``\\author`` (split at ``\\and``) and ``\\date`` (not ``\\today``,
which states no date).
"""

from __future__ import annotations

import re
from typing import Any

# --- reStructuredText -------------------------------------------------------------------

_RST_SETTINGS = {
    # Sources are data: no directive may read other files or pass raw markup through.
    "file_insertion_enabled": False,
    "raw_enabled": False,
    "report_level": 5,
    "halt_level": 5,
    "warning_stream": False,
    "_disable_config": True,
    "doctitle_xform": True,
    "docinfo_xform": True,
}


def rst_document(text: str) -> tuple[str, dict[str, Any]]:
    """(Markdown-shaped body, stated fields) of a reStructuredText document."""
    from docutils import nodes
    from docutils.core import publish_doctree

    tree = publish_doctree(text, settings_overrides=_RST_SETTINGS)
    fields: dict[str, Any] = {}
    out: list[str] = []
    title = next((c for c in tree.children if isinstance(c, nodes.title)), None)
    if title is not None:
        fields["title"] = title.astext()
        out.append(f"# {title.astext()}")
    for info in tree.findall(nodes.docinfo):
        for item in info.children:
            if isinstance(item, nodes.author):
                fields.setdefault("author", []).append(item.astext())
            elif isinstance(item, nodes.authors):
                fields.setdefault("author", []).extend(a.astext() for a in item.children)
            elif isinstance(item, nodes.date):
                fields["issued"] = item.astext()

    def walk(node, depth: int) -> None:
        for child in node.children:
            if isinstance(child, (nodes.docinfo, nodes.comment, nodes.system_message,
                                  nodes.substitution_definition, nodes.target, nodes.title)):
                continue
            if isinstance(child, nodes.section):
                heading = next((c for c in child.children if isinstance(c, nodes.title)), None)
                if heading is not None:
                    out.append(f"{'#' * min(depth + 1, 6)} {heading.astext()}")
                walk(child, depth + 1)
            elif isinstance(child, (nodes.literal_block, nodes.doctest_block)):
                out.append(f"```\n{child.astext()}\n```")
            elif isinstance(child, (nodes.bullet_list, nodes.enumerated_list)):
                out.extend("- " + " ".join(item.astext().split()) for item in child.children)
            elif isinstance(child, nodes.table):
                out.append(_rst_table(child))
            elif isinstance(child, (nodes.paragraph, nodes.line_block, nodes.rubric)):
                out.append(" ".join(child.astext().split()))
            elif isinstance(child, nodes.Element) and child.children:
                walk(child, depth)  # block quotes, admonitions, topics: their paragraphs
    walk(tree, 1)
    return "\n\n".join(part for part in out if part.strip()) + "\n", fields


def _rst_table(table) -> str:
    from docutils import nodes

    rows = [[" ".join(entry.astext().split()).replace("|", "\\|") for entry in row.children]
            for row in table.findall(nodes.row)]
    if not rows:
        return ""
    width = max(len(r) for r in rows)
    lines = ["| " + " | ".join(r + [""] * (width - len(r))) + " |" for r in rows]
    lines.insert(1, "|" + "---|" * width)
    return "\n".join(lines)


# --- LaTeX ------------------------------------------------------------------------------

_VERBATIM = re.compile(r"\\begin\{(verbatim|lstlisting|minted)\}(?:\[[^\]]*\])?(?:\{[^}]*\})?\n?(.*?)\\end\{\1\}", re.S)
_BODY = re.compile(r"\\begin\{document\}(.*?)(?:\\end\{document\}|\Z)", re.S)
_SECTIONS = {"part": 1, "chapter": 1, "section": 1, "subsection": 2, "subsubsection": 3, "paragraph": 4}


def latex_document(text: str) -> tuple[str, dict[str, Any]]:
    """(Markdown-shaped body, stated fields) of a LaTeX document."""
    from pylatexenc.latex2text import LatexNodes2Text
    from pylatexenc.latexwalker import LatexWalker

    walker_context, text_context = _latex_contexts()
    to_text = LatexNodes2Text(latex_context=text_context, math_mode="verbatim")
    nodes = LatexWalker(text, latex_context=walker_context, tolerant_parsing=True).get_latex_nodes()[0]
    fields: dict[str, Any] = {}
    for name, key in (("title", "title"), ("author", "author"), ("date", "issued")):
        node = _find_macro(nodes, name)
        if node is None or not node.nodeargd or not node.nodeargd.argnlist or node.nodeargd.argnlist[-1] is None:
            continue
        argument = node.nodeargd.argnlist[-1]
        if name == "author":
            names = [" ".join(to_text.nodelist_to_text(part).split()) for part in _split_at_and(argument)]
            if any(names):
                fields["author"] = [n for n in names if n]
        elif not _find_macro(argument.nodelist or [], "today"):
            value = " ".join(to_text.nodelist_to_text([argument]).split())
            if value:
                fields[key] = value

    found = _BODY.search(text)
    body = found.group(1) if found else text
    blocks: list[str] = []

    def keep_verbatim(match: re.Match) -> str:
        blocks.append(match.group(2).rstrip("\n"))
        return f"\n\nPINPOINTVERBATIM{len(blocks) - 1}X\n\n"

    body = _VERBATIM.sub(keep_verbatim, body)
    rendered = to_text.latex_to_text(body)
    rendered = re.sub(r"[ \t]+([.,;:])", r"\1", rendered)  # where a dropped \cite or \ref stood
    rendered = re.sub(r"PINPOINTVERBATIM(\d+)X", lambda m: f"```\n{blocks[int(m.group(1))]}\n```", rendered)
    return rendered, fields


def _latex_contexts():
    from pylatexenc import macrospec
    from pylatexenc.latex2text import EnvironmentTextSpec, MacroTextSpec, get_default_latex_context_db
    from pylatexenc.latexwalker import get_default_latex_context_db as walker_db

    walker = walker_db()
    walker.add_context_category("pinpoint", prepend=True, macros=[
        macrospec.std_macro("thanks", False, 1),
        macrospec.std_macro("footnote", False, 1),
    ])
    text = get_default_latex_context_db()

    def heading(level: int):
        def render(node, l2tobj) -> str:
            title = " ".join(l2tobj.nodelist_to_text([node.nodeargd.argnlist[-1]]).split())
            return f"\n\n{'#' * level} {title}\n\n"
        return render

    text.add_context_category("pinpoint", prepend=True, macros=[
        *(MacroTextSpec(name, simplify_repl=heading(level)) for name, level in _SECTIONS.items()),
        MacroTextSpec("maketitle", simplify_repl=""),
        MacroTextSpec("thanks", discard=True),
        MacroTextSpec("label", discard=True),
        MacroTextSpec("cite", simplify_repl=""),
        MacroTextSpec("ref", simplify_repl=""),
    ], environments=[
        EnvironmentTextSpec("abstract", simplify_repl="\n\n## Abstract\n\n%(body)s\n\n"),
    ])
    return walker, text


def _find_macro(nodes, name: str):
    from pylatexenc.latexwalker import LatexMacroNode

    for node in nodes or []:
        if node is None:
            continue
        if isinstance(node, LatexMacroNode) and node.macroname == name:
            return node
        found = _find_macro(getattr(node, "nodelist", None), name)
        if found is not None:
            return found
    return None


def _split_at_and(group) -> list[list]:
    from pylatexenc.latexwalker import LatexMacroNode

    parts: list[list] = [[]]
    for node in group.nodelist or []:
        if isinstance(node, LatexMacroNode) and node.macroname == "and":
            parts.append([])
        elif isinstance(node, LatexMacroNode) and node.macroname in ("thanks", "footnote", "\\"):
            continue
        else:
            parts[-1].append(node)
    return parts
