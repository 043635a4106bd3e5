"""Pinpoint locators: a paragraph of an unpaginated source or a page of a paginated one.

A ``Locator`` is a small typed value (kind, start, end); each style owns a
``LocatorForm`` that writes it: APA 7 (8.13, 8.28) "p. 157" / "pp. 157–158" /
"para. 18"; Chicago 17 (14.148, 14.156) and MLA 9 (6.18) a bare page number,
ranges abbreviated by CMOS 9.61 ("157–58"), "par." for paragraphs; Cite Them
Right "p." / "para."; IEEE "p." / "para."; NLM has no in-text locator rule.
Ranges use an en dash.  Section headings are not shown: Pinpoint counts
paragraphs over the whole source, while APA 7 (8.28) counts from the heading
when one is named, so "Heading section, para. N" would point at the wrong
paragraph.
"""

from __future__ import annotations

from dataclasses import dataclass

from pinpoint.service.citations.errors import InvalidLocator

PARAGRAPH = "paragraph"
PAGE = "page"
KINDS = (PARAGRAPH, PAGE)


def _positive(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 1


def _page_label(value: object) -> bool:
    """A page as printed: a positive number, or a short label without spaces ("xii", "A-3")."""
    if isinstance(value, str):
        return 0 < len(value) <= 20 and not any(c.isspace() for c in value)
    return _positive(value)


@dataclass(frozen=True)
class Locator:
    """Paragraph or page ``start`` (to ``end``) of the cited source."""

    # Paragraphs are counted, so always whole numbers.  Pages are cited as
    # printed (a PDF's page labels), which may be "xii" or "A-3" as well as 157.
    start: int | str
    end: int | str | None = None
    kind: str = PARAGRAPH
    heading: str | None = None

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise InvalidLocator(f"locator kind must be one of {', '.join(KINDS)}, got {self.kind!r}")
        if self.kind == PAGE and _page_label(self.start):
            if self.end is not None and not _page_label(self.end):
                raise InvalidLocator(f"page_end must be a page number or label, got {self.end!r}")
            if _positive(self.start) and _positive(self.end) and self.end < self.start:
                raise InvalidLocator(f"page_end must be >= page ({self.start}), got {self.end!r}")
            return
        if not _positive(self.start):
            raise InvalidLocator(f"{self.kind} must be a positive integer, got {self.start!r}")
        if self.end is not None and (not _positive(self.end) or self.end < self.start):
            raise InvalidLocator(f"{self.kind}_end must be an integer >= {self.kind} ({self.start}), got {self.end!r}")

    @classmethod
    def page(cls, start: int | str, end: int | str | None = None) -> "Locator":
        return cls(start, end, PAGE)

    @classmethod
    def paragraph(cls, start: int, end: int | None = None, heading: str | None = None) -> "Locator":
        return cls(start, end, PARAGRAPH, heading)

    @property
    def is_range(self) -> bool:
        return self.end is not None and self.end != self.start


@dataclass(frozen=True)
class LocatorForm:
    """How one style writes a locator: labels (singular, plural) per kind, "" for a bare number."""

    paragraph: tuple[str, str]
    page: tuple[str, str]
    condense_pages: bool = False

    def format(self, locator: Locator) -> str:
        singular, plural = self.paragraph if locator.kind == PARAGRAPH else self.page
        if locator.is_range:
            numbers = f"{locator.start}\u2013{locator.end}"
            if locator.kind == PAGE and self.condense_pages:
                numbers = condensed_pages(numbers)
            label = plural
        else:
            numbers, label = str(locator.start), singular
        return f"{label} {numbers}" if label else numbers


# APA 7, Harvard (Cite Them Right), IEEE, Vancouver (our choice: NLM has no in-text locator rule).
PARA = LocatorForm(("para.", "paras."), ("p.", "pp."))
# Chicago 17 (14.148 bare page numbers, 14.156 "par.") and MLA 9 (6.18, 6.22).
PAR = LocatorForm(("par.", "pars."), ("", ""), condense_pages=True)


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
