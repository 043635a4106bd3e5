"""Citation keys in Google Scholar's style: ``xu2014us``.

Keys must be stable (the same source gets the same key in every export, so a
paper's ``\\cite`` survives a re-export) and safe anywhere a key goes, hence
plain ASCII letters and digits only.
"""

from __future__ import annotations

import json
import re
import string
import unicodedata
from collections.abc import Mapping, Sequence
from typing import Any

# Letters NFKD does not split into base letter + accent.
_FOLDS = str.maketrans(
    {"ß": "ss", "æ": "ae", "œ": "oe", "ø": "o", "đ": "d", "ð": "d", "ł": "l", "þ": "th", "ı": "i"}
)

_STOPWORDS = frozenset(
    "a an the on of in and for to from with by at as is are was were be or its it this that "
    "these those how why what when where who which do does not no into over under about "
    "le la les de des du un une el los las der die das ein eine".split()
)


def ascii_fold(text: str) -> str:
    """Lowercase ASCII letters and digits only: "Nguyễn" -> "nguyen", "Žižek" -> "zizek"."""
    text = text.lower().translate(_FOLDS)
    text = unicodedata.normalize("NFKD", text)
    return "".join(char for char in text if char in string.ascii_lowercase + string.digits)


def _first_name_word(item: Mapping[str, Any]) -> str:
    for role in ("author", "editor", "translator"):
        for name in item.get(role) or []:
            if not isinstance(name, Mapping):
                continue
            if name.get("family"):
                return ascii_fold(str(name["family"]))
            if name.get("literal"):
                words = str(name["literal"]).split()
                significant = [w for w in words if ascii_fold(w) not in _STOPWORDS]
                return ascii_fold((significant or words or [""])[0])
    return ""


def _year(item: Mapping[str, Any]) -> str:
    try:
        year = int(item["issued"]["date-parts"][0][0])
    except (KeyError, IndexError, TypeError, ValueError):
        return "nd"
    return str(year) if 0 < year < 10000 else "nd"


def _first_title_word(item: Mapping[str, Any]) -> str:
    for word in re.split(r"[\s\-–—/:]+", str(item.get("title") or "")):
        folded = ascii_fold(word)
        if folded and folded not in _STOPWORDS:
            return folded
    return ""


def base_key(item: Mapping[str, Any]) -> str:
    """Family name + year (or ``nd``) + first significant title word."""
    return (_first_name_word(item) or "anon") + _year(item) + _first_title_word(item)


def _tie_break(item: Mapping[str, Any]) -> str:
    # Order colliding items by what they are, not by where they came in the
    # input, so an export's keys do not depend on search ranking.
    return str(item.get("id") or "") + "\0" + json.dumps(item, sort_keys=True, default=str)


def citation_keys(items: Sequence[Mapping[str, Any]]) -> list[str]:
    """One unique key per item, in the items' order.

    Colliding items keep the bare key for the first (by id) and get ``a``,
    ``b``, ... after it; a suffix never lands on another item's key.
    """
    bases = [base_key(item) for item in items]
    taken = set(bases)
    keys: list[str | None] = [None] * len(items)
    by_base: dict[str, list[int]] = {}
    for index, base in enumerate(bases):
        by_base.setdefault(base, []).append(index)
    for base in sorted(by_base):
        indexes = sorted(by_base[base], key=lambda i: _tie_break(items[i]))
        keys[indexes[0]] = base
        suffix_number = 0
        for index in indexes[1:]:
            while True:
                candidate = base + _suffix(suffix_number)
                suffix_number += 1
                if candidate not in taken:
                    break
            taken.add(candidate)
            keys[index] = candidate
    return [key for key in keys if key is not None]


def _suffix(number: int) -> str:
    """0 -> "a", 25 -> "z", 26 -> "aa": spreadsheet-column letters."""
    letters = ""
    number += 1
    while number:
        number, remainder = divmod(number - 1, 26)
        letters = chr(ord("a") + remainder) + letters
    return letters
