"""Editions as the English CSL locales write them: "4" -> "4th ed." (ordinal, then the style's term).

An edition that is not a bare number ("Rev.", "2nd rev.") is printed as the
source gives it, without adding a term that may already be there.
"""

from __future__ import annotations


def ordinal(number: str) -> str:
    """"1" -> "1st", "2" -> "2nd", "11" -> "11th", "23" -> "23rd"; anything else unchanged."""
    if not number.isdigit():
        return number
    value = int(number)
    suffix = "th" if 10 <= value % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(value % 10, "th")
    return f"{value}{suffix}"


def edition(text: str, term: str) -> str:
    """"4", "ed." -> "4th ed."; "Rev. ed." -> "Rev. ed."; "Rev." -> "Rev. ed."."""
    if not text:
        return ""
    if text.isdigit():
        return f"{ordinal(text)} {term}"
    lowered = text.lower()
    if "ed" in lowered.split(".")[-2:-1] or lowered.endswith((" ed", " ed.", "edn", "edn.", "edition")):
        return text
    return f"{text} {term}"
