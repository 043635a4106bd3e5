"""LaTeX field text <-> plain Unicode, for BibTeX in both directions."""

from __future__ import annotations

import re

from pylatexenc.latex2text import (  # a dependency of bibtexparser 2, used by its decoder
    LatexNodes2Text,
    MacroTextSpec,
    get_default_latex_context_db,
)


def _build_decoder() -> LatexNodes2Text:
    context = get_default_latex_context_db()
    # pylatexenc drops \textbraceleft and turns \textasciicircum into a modifier
    # letter; the writer emits these for literal characters, so map them back.
    context.add_context_category(
        "pinpoint-bibtex",
        prepend=True,
        macros=[
            MacroTextSpec("url", simplify_repl="%s"),
            MacroTextSpec("textbraceleft", simplify_repl="{"),
            MacroTextSpec("textbraceright", simplify_repl="}"),
            MacroTextSpec("textasciicircum", simplify_repl="^"),
            MacroTextSpec("textasciitilde", simplify_repl="~"),
            MacroTextSpec("textbackslash", simplify_repl="\\"),
        ],
    )
    return LatexNodes2Text(latex_context=context, math_mode="verbatim", keep_braced_groups=False)


_DECODER = _build_decoder()


def decode_latex(value: str) -> str:
    """LaTeX field text -> plain Unicode: accents decoded, protective braces gone."""
    try:
        text = _DECODER.latex_to_text(value)
    except Exception:  # pylatexenc raises assorted errors on broken markup
        text = value.replace("{", "").replace("}", "")
    return re.sub(r"\s+", " ", text).strip()


# Written as text commands rather than "\{" because BibTeX counts every brace,
# escaped or not: a lone "\{" would unbalance the field.
_LATEX_ESCAPES = {
    "\\": r"\textbackslash{}",
    "{": r"\textbraceleft{}",
    "}": r"\textbraceright{}",
    "&": r"\&",
    "%": r"\%",
    "$": r"\$",
    "#": r"\#",
    "_": r"\_",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
}


def escape_latex(text: str) -> str:
    """Plain text -> BibTeX field text that prints the same characters."""
    text = re.sub(r"\s+", " ", str(text)).strip()
    escaped = "".join(_LATEX_ESCAPES.get(char, char) for char in text)
    return escaped.replace("--", "-{}-")  # keep "--" from becoming an en dash ligature


def _is_title_case(words: list[str]) -> bool:
    """Most longer words after the first capitalised: the title says nothing about proper nouns."""
    longer = [w for w in words[1:] if len(w) > 3 and w[0].isalpha()]
    return bool(longer) and sum(w[0].isupper() for w in longer) * 2 > len(longer)


def protect_title(title: str) -> str:
    """Escape a title and brace what a sentence-casing style must not lowercase.

    A sentence-case title shows its proper nouns and acronyms: those words get
    braces.  A Title Case title cannot tell "Russia" from "Report", so the whole
    title is braced: printing it as given beats lowercasing a proper noun.
    """
    words = str(title).split()
    if not words:
        return ""
    if _is_title_case(words):
        return "{" + escape_latex(" ".join(words)) + "}"
    protected = []
    for position, word in enumerate(words):
        capitals_from = 0 if position else 1
        needs_braces = any(char.isupper() for char in word[capitals_from:])
        escaped = escape_latex(word)
        protected.append("{" + escaped + "}" if needs_braces else escaped)
    return " ".join(protected)
