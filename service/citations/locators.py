"""Paragraph locators for unpaginated sources.

Every built-in style names a paragraph with an abbreviation ("para.", "par.")
and a plural ("paras.", "pars."); ranges use an en dash.  Section headings are
not shown: Pinpoint counts paragraphs over the whole source, while APA 7 (8.28)
counts from the heading when one is named, so "Heading section, para. N" would
point at the wrong paragraph.
"""

from __future__ import annotations

from dataclasses import dataclass

from pinpoint.service.citations.errors import InvalidLocator


@dataclass(frozen=True)
class Locator:
    """A pinpoint in an unpaginated source: paragraph ``paragraph`` (to ``paragraph_end``)."""

    paragraph: int
    paragraph_end: int | None = None
    heading: str | None = None

    def __post_init__(self) -> None:
        if isinstance(self.paragraph, bool) or not isinstance(self.paragraph, int) or self.paragraph < 1:
            raise InvalidLocator(f"paragraph must be a positive integer, got {self.paragraph!r}")
        end = self.paragraph_end
        if end is not None and (isinstance(end, bool) or not isinstance(end, int) or end < self.paragraph):
            raise InvalidLocator(
                f"paragraph_end must be an integer >= paragraph ({self.paragraph}), got {end!r}"
            )

    @property
    def is_range(self) -> bool:
        return self.paragraph_end is not None and self.paragraph_end != self.paragraph


@dataclass(frozen=True)
class LocatorLabel:
    singular: str
    plural: str

    def format(self, locator: Locator) -> str:
        if locator.is_range:
            return f"{self.plural} {locator.paragraph}\u2013{locator.paragraph_end}"
        return f"{self.singular} {locator.paragraph}"


PARA = LocatorLabel("para.", "paras.")  # APA 7, Harvard (Cite Them Right), IEEE, Vancouver
PAR = LocatorLabel("par.", "pars.")  # Chicago 17 and MLA 9


def condensed_pages(pages: str, *, minimal: bool = False) -> str:
    """Abbreviates an inclusive page range.

    CMOS 9.61 / MLA 9: keep at least two digits of the second number
    ("345–67", "101–8", "1496–1504"); NLM (``minimal``): only the digits
    that change ("345–67", "123–9").  Anything but a plain numeric range is
    returned as given.
    """
    first, sep, second = pages.partition("\u2013")
    if not sep or not (first.isdigit() and second.isdigit()) or len(first) != len(second):
        return pages
    start, end = int(first), int(second)
    if start < 100 or start % 100 == 0 or end <= start:
        return pages
    common = 0
    while common < len(first) - 1 and first[common] == second[common]:
        common += 1
    if common == 0:
        return pages
    keep = second[common:]
    if not minimal and start % 100 >= 10:
        keep = second[min(common, len(second) - 2):]
    return f"{first}\u2013{keep}"
