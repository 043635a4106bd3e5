"""Text with italics, rendered once as plain text and once as HTML.

Renderers build a reference from segments so that the plain and HTML forms
can never disagree; HTML escaping happens exactly once, here.
"""

from __future__ import annotations

import html

TERMINAL = (".", "?", "!")


_COLLAPSE = ((",\u201d,", ",\u201d"), (",\u201d.", ".\u201d"), (".\u201d.", ".\u201d"), (",,", ","), (", ,", ","))


def _collapse(text: str) -> str:
    """Drops doubled punctuation left where an optional element was absent (“Title,”, par.)."""
    for before, after in _COLLAPSE:
        text = text.replace(before, after)
    return text


class Styled:
    def __init__(self) -> None:
        self._parts: list[tuple[str, bool]] = []

    def add(self, text: str, italic: bool = False) -> "Styled":
        if text:
            self._parts.append((text, italic))
        return self

    def extend(self, other: "Styled") -> "Styled":
        self._parts.extend(other._parts)
        return self

    def italic(self, text: str) -> "Styled":
        return self.add(text, True)

    def end(self, mark: str = ".") -> "Styled":
        """Closes a unit with ``mark`` unless it already ends in terminal punctuation.

        "Drift or Longevity?" must not become "Drift or Longevity?." and
        initials ("Xu, B.") already carry their period.  A closing quotation
        mark is looked through: “… Longevity?” is already closed.
        """
        last = self.plain().rstrip("\u201d\u2019")
        if last and not last.endswith(TERMINAL):
            self.add(mark)
        return self

    def plain(self) -> str:
        return _collapse("".join(text for text, _ in self._parts)).strip()

    def html(self) -> str:
        out = []
        for text, italic in self._parts:
            escaped = html.escape(text, quote=False)
            out.append(f"<i>{escaped}</i>" if italic else escaped)
        merged = "".join(out).replace("</i><i>", "")
        return _collapse(merged).strip()


def quoted(title: str, then: str = "", *, single: bool = False) -> str:
    """A title in quotation marks followed by punctuation.

    US styles put commas and periods inside the closing mark (“Title,”);
    British single-quote style keeps them outside ('Title',).  A title ending
    in ? or ! takes no further comma or period.
    """
    if single:
        closing = "" if then in (".", ",") and title.endswith(("?", "!")) else then
        return f"\u2018{title}\u2019{closing}"
    if title.endswith(("?", "!")) and then in (".", ","):
        return f"\u201c{title}\u201d"
    return f"\u201c{title}{then}\u201d"
