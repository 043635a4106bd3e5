"""Did you mean: unknown words of a query replaced by the closest indexed words.

The index holds stems, so a suggestion is a stem; it is shown as a word some
passage actually contains with that stem, found with the index's analysis.
"""

from __future__ import annotations

import re

from whoosh import query as wq

from pinpoint.index.search.syntax import TEXT_FIELDS
from pinpoint.index.search.highlight import Highlighter

_WORD = re.compile(r"\w+(\.?\w+)*")


def _surface_form(searcher, highlighter: Highlighter, stem: str) -> str | None:
    """A word as written in some passage whose stem is ``stem``."""
    found = searcher.search(wq.Term("text", stem), limit=1)
    if not found:
        return None
    text = found[0]["text"]
    for term, start, end in highlighter.tokens(text):
        if term == stem:
            return text[start:end].lower()
    return None


def suggest_spelling(searcher, highlighter: Highlighter, text: str, q: wq.Query) -> str | None:
    """The query with unknown words replaced by the closest indexed word, or None."""
    reader = searcher.reader()
    corrector = reader.corrector("text")
    replacements = {}  # by start: each word is a Term in every default field
    for leaf in q.leaves():
        if not isinstance(leaf, wq.Term) or leaf.fieldname not in TEXT_FIELDS:
            continue
        if any(reader.doc_frequency(f, leaf.text) for f in TEXT_FIELDS):
            continue
        start = getattr(leaf, "startchar", None)
        # The parser's endchar counts the stemmed form, so find the typed word's end.
        typed = _WORD.match(text, start) if start is not None else None
        if typed is None:
            continue
        word, end = typed.group(), typed.end()
        # Stems are what the field holds, so compare the typed word's stem first.
        suggestions = (corrector.suggest(leaf.text, limit=1, maxdist=2, prefix=1)
                       or corrector.suggest(word.lower(), limit=1, maxdist=2, prefix=1))
        surface = _surface_form(searcher, highlighter, suggestions[0]) if suggestions else None
        if surface and surface != word.lower():
            replacements[start] = (start, end, surface)
    if not replacements:
        return None
    corrected = text
    for start, end, word in sorted(replacements.values(), reverse=True):
        corrected = corrected[:start] + word + corrected[end:]
    return corrected
