"""Partial dates from CSL-JSON and the ways each style writes them.

Sources often state only a year, or nothing: a date keeps exactly the parts
the source gave, and renderers decide what to show for the parts it lacks.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pinpoint.service.citations.errors import InvalidCitationData

MONTHS = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)
# MLA 9 abbreviates months longer than four letters; IEEE and NLM use their own sets.
MLA_MONTHS = ("Jan.", "Feb.", "Mar.", "Apr.", "May", "June", "July", "Aug.", "Sept.", "Oct.", "Nov.", "Dec.")
IEEE_MONTHS = ("Jan.", "Feb.", "Mar.", "Apr.", "May", "Jun.", "Jul.", "Aug.", "Sep.", "Oct.", "Nov.", "Dec.")
NLM_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


@dataclass(frozen=True)
class PartialDate:
    year: int
    month: int | None = None
    day: int | None = None

    def month_day_year(self, months: tuple[str, ...] = MONTHS) -> str:
        """"July 1, 2014" / "July 2014" / "2014" (US order: Chicago, IEEE)."""
        if self.month is None:
            return str(self.year)
        if self.day is None:
            return f"{months[self.month - 1]} {self.year}"
        return f"{months[self.month - 1]} {self.day}, {self.year}"

    def day_month_year(self, months: tuple[str, ...] = MONTHS) -> str:
        """"1 July 2014" (MLA, Harvard)."""
        parts = [str(self.day)] if self.day is not None and self.month is not None else []
        if self.month is not None:
            parts.append(months[self.month - 1])
        parts.append(str(self.year))
        return " ".join(parts)

    def year_month_day(self, months: tuple[str, ...] = NLM_MONTHS) -> str:
        """"2014 Jul 1" (NLM/Vancouver)."""
        parts = [str(self.year)]
        if self.month is not None:
            parts.append(months[self.month - 1])
            if self.day is not None:
                parts.append(str(self.day))
        return " ".join(parts)


def parse_date(value: Any, field: str) -> PartialDate | None:
    """A CSL date variable (``{"date-parts": [[y, m, d]]}``) or None when absent.

    ``literal`` and ``raw`` dates are accepted only when they hold a bare year:
    anything else would mean guessing what the source meant.
    """
    if value is None or value == {}:
        return None
    if not isinstance(value, dict):
        raise InvalidCitationData(f"{field} must be a CSL date object, got {type(value).__name__}")
    parts = value.get("date-parts")
    if not parts:
        text = str(value.get("literal") or value.get("raw") or "").strip()
        if text.isdigit() and len(text) == 4:
            return PartialDate(int(text))
        if text:
            raise InvalidCitationData(f"{field}: cannot read the date {text!r}; give date-parts")
        return None
    try:
        first = [int(p) for p in parts[0] if p not in (None, "")]
    except (TypeError, ValueError, IndexError) as exc:
        raise InvalidCitationData(f"{field}: date-parts must hold integers: {parts!r}") from exc
    if not first:
        return None
    year, month, day = (first + [None, None])[:3]
    if month is not None and not 1 <= month <= 12:
        raise InvalidCitationData(f"{field}: month {month} is out of range")
    if day is not None and not 1 <= day <= 31:
        raise InvalidCitationData(f"{field}: day {day} is out of range")
    return PartialDate(year, month, day if month is not None else None)
