"""Reading CSL-JSON items: names and dates as every part of Pinpoint needs them.

A source's metadata is a CSL-JSON item (a plain dict, as reference managers
exchange it).  Whatever reads a name or a year from one reads it here, so the
search facets, the author field and the citations agree.
"""

from __future__ import annotations

from typing import Any


def author_names(csl: dict[str, Any]) -> list[str]:
    """Display names of the item's authors, family name first ("Xu, Beina"), or the literal name."""
    names = []
    for person in csl.get("author") or []:
        if person.get("literal"):
            names.append(person["literal"])
        elif person.get("family"):
            given = person.get("given")
            names.append(f"{person['family']}, {given}" if given else person["family"])
    return names


def issued_year(csl: dict[str, Any]) -> int | None:
    """The year the item was issued, or None when it states none."""
    parts = (csl.get("issued") or {}).get("date-parts") or [[]]
    try:
        return int(parts[0][0])
    except (IndexError, TypeError, ValueError):
        return None
