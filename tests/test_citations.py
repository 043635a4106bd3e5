"""Citation styles: golden references checked by hand against each manual, plus rules and errors."""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path

import pytest

from pinpoint.service.citations import (
    STYLES, Citation, InvalidCitationData, InvalidExcerpt, InvalidLocator, Locator, UnknownStyle,
    cite, quotation,
)
from pinpoint.service.citations.casing import sentence_case, title_case

GOLDEN = Path(__file__).parent / "golden" / "citations"
CASES = json.loads((GOLDEN / "cases.json").read_text(encoding="utf-8"))
XU = CASES["seed-004-xu"]


def _locator_for(case: str) -> Locator:
    return Locator(5, 6) if case.startswith("journal") else Locator(18)


@pytest.mark.parametrize("style", sorted(STYLES))
@pytest.mark.parametrize("case", sorted(CASES))
def test_golden(style: str, case: str) -> None:
    expected = json.loads((GOLDEN / f"{style}.json").read_text(encoding="utf-8"))[case]
    got = cite(CASES[case], style, _locator_for(case))
    assert got.style == style
    assert got.reference == expected["reference"]
    assert got.reference_html == expected["reference_html"]
    assert got.in_text == expected["in_text"]
    assert got.note == expected.get("note")
    assert got.note_html == expected.get("note_html")
    assert got.complete


def test_unknown_style_names_the_known_ones() -> None:
    with pytest.raises(UnknownStyle) as info:
        cite(XU, "no-such-style")
    assert isinstance(info.value, ValueError)
    for style in STYLES:
        assert style in str(info.value)


@pytest.mark.parametrize("style", ["../apa", "APA ", ""])
def test_odd_style_names(style: str) -> None:
    if style.strip().lower() in STYLES:
        assert cite(XU, style).style == "apa"
    else:
        with pytest.raises(UnknownStyle):
            cite(XU, style)


@pytest.mark.parametrize("style,pinpoint", [("nature", "1 (para. 18)"), ("american-sociological-association", "(Xu 2014:18)"),
                                            ("harvard-anglia-ruskin-university", "18)")])
def test_other_csl_styles_go_through_citeproc_and_say_so(style: str, pinpoint: str) -> None:
    """Styles the conformance suite covers are complete; others are marked incomplete with a warning.
    The locator is written by the style when it has a place for one, else appended."""
    from pinpoint.service.citations.csl_styles import CONFORMANCE_STYLES

    got = cite(XU, style, Locator(18))
    covered = style in CONFORMANCE_STYLES
    assert got.complete is covered and bool(got.warnings) is not covered
    assert "Xu" in got.reference and "2014" in got.reference
    assert pinpoint in got.in_text


@pytest.mark.parametrize("bad", [0, -1, True, "3"])
def test_bad_paragraph(bad) -> None:
    with pytest.raises(InvalidLocator):
        Locator(bad)


def test_reversed_range() -> None:
    with pytest.raises(InvalidLocator):
        Locator(6, 5)
    assert "para. 6" in cite(XU, "apa", Locator(6, 6)).in_text


@pytest.mark.parametrize("csl", [None, [], "title", {"author": "Xu"}, {"author": [{}]},
                                 {"issued": {"date-parts": [["x"]]}}, {"issued": {"date-parts": [[2014, 13]]}},
                                 {"title": 5.5j}])
def test_malformed_items_raise_named_errors(csl) -> None:
    with pytest.raises(InvalidCitationData):
        cite(csl, "apa")


def test_missing_date_is_never_invented() -> None:
    undated = {k: v for k, v in XU.items() if k != "issued"}
    assert cite(undated, "apa").in_text == "(Xu, n.d.)"
    assert cite(undated, "chicago-author-date").in_text == "(Xu, n.d.)"  # CMOS 15.50
    assert cite(undated, "harvard").in_text == "(Xu, no date)"
    for style in STYLES:
        got = cite(undated, style)
        assert "2014" not in got.reference and "Accessed" not in got.reference
        assert "Retrieved" not in got.reference and "cited" not in got.reference


def test_access_date_only_when_stated() -> None:
    accessed = {**XU, "accessed": {"date-parts": [[2024, 2, 3]]}}
    assert "(Accessed: 3 February 2024)." in cite(accessed, "harvard").reference
    assert "Accessed: Feb. 3, 2024." in cite(accessed, "ieee").reference
    assert "[cited 2024 Feb 3]" in cite(accessed, "vancouver").reference


def _people(n: int) -> list[dict[str, str]]:
    return [{"family": f"Family{chr(65 + i)}", "given": "Given"} for i in range(n)]


@pytest.mark.parametrize(("count", "style", "expected"), [
    (2, "apa", "(FamilyA & FamilyB, 2014)"), (3, "apa", "(FamilyA et al., 2014)"),
    (3, "chicago-author-date", "(FamilyA, FamilyB, and FamilyC 2014)"),
    (4, "chicago-author-date", "(FamilyA et al. 2014)"),
    (2, "mla", "(FamilyA and FamilyB)"), (3, "mla", "(FamilyA et al.)"),
    (3, "harvard", "(FamilyA, FamilyB and FamilyC, 2014)"), (4, "harvard", "(FamilyA et al., 2014)"),
])
def test_et_al_in_text(count: int, style: str, expected: str) -> None:
    assert cite({**XU, "author": _people(count)}, style).in_text == expected


def test_apa_lists_twenty_and_elides_from_twenty_one() -> None:
    twenty = cite({**XU, "author": _people(20)}, "apa").reference
    assert "FamilyT, G." in twenty and ". . ." not in twenty and "& FamilyT" in twenty
    many = cite({**XU, "author": _people(22)}, "apa").reference
    assert "FamilyS, G., . . . FamilyV, G." in many and "FamilyT" not in many


def test_numeric_et_al() -> None:
    six = cite({**XU, "author": _people(6)}, "ieee").reference
    assert "and G. FamilyF" in six and "et al." not in six
    assert "G. FamilyA et al.," in cite({**XU, "author": _people(7)}, "ieee").reference
    seven = cite({**XU, "author": _people(7)}, "vancouver").reference
    assert "FamilyF G, et al." in seven and "FamilyG" not in seven


def test_dropping_particle_follows_given_name_when_inverted() -> None:
    item = {**XU, "author": [{"family": "Beethoven", "given": "Ludwig", "dropping-particle": "van"}]}
    assert cite(item, "apa").reference.startswith("Beethoven, L. van.")
    assert cite(item, "apa").in_text == "(Beethoven, 2014)"
    assert cite(item, "chicago-notes").note.startswith("Ludwig van Beethoven,")


def test_html_is_escaped_once() -> None:
    item = {**XU, "title": "Guns & Butter <Today>", "container-title": "War & Peace"}
    got = cite(item, "apa")
    assert "Guns &amp; Butter &lt;Today&gt;" in got.reference_html
    assert "&amp;amp;" not in got.reference_html and "<i>" not in got.reference


def test_sentence_case_never_lowers_a_capitalised_word() -> None:
    """Title case cannot be told from proper nouns ("Democracy in America"): kept as given, flagged."""
    text, warnings = sentence_case("Democracy in America")
    assert text == "Democracy in America"
    assert warnings and "title case" in warnings[0]
    already, none = sentence_case("Alliance politics in Japan")
    assert already == "Alliance politics in Japan" and none == ()
    mixed, _ = sentence_case("water rights in the Andes: evidence from Peru")
    assert mixed == "Water rights in the Andes: Evidence from Peru"


def test_title_case_minor_words() -> None:
    assert title_case("the end of an alliance: in search of a new rationale") == \
        "The End of an Alliance: In Search of a New Rationale"


def test_quotation_marks_per_style() -> None:
    apa = cite(XU, "apa", Locator(18))
    assert quotation(' the Futenma Air Station. ', apa) == "\u201cthe Futenma Air Station\u201d (Xu, 2014, para. 18)"
    assert quotation('a \u201cdrift\u201d in relations', apa).startswith("\u201ca \u2018drift\u2019 in relations\u201d")
    assert quotation("drift", cite(XU, "harvard")) == "\u2018drift\u2019 (Xu, 2014)"
    notes = quotation("drift", cite(XU, "chicago-notes", Locator(2)))
    assert notes.startswith("\u201cdrift\u201d\u00b9") and notes.endswith("par. 2.")
    with pytest.raises(InvalidExcerpt):
        quotation(' "" ', apa)


def test_citation_is_a_frozen_record() -> None:
    got = cite(XU)
    assert isinstance(got, Citation) and got.style == "apa"
    with pytest.raises(AttributeError):
        got.style = "mla"  # type: ignore[misc]


def test_package_does_not_import_falcon() -> None:
    for path in (Path(__file__).parent.parent / "service" / "citations").glob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                names = [a.name for a in node.names] if isinstance(node, ast.Import) else [node.module or ""]
                assert not any(n.split(".")[0] == "falcon" for n in names), path


@pytest.mark.parametrize("style", ["nature", "american-medical-association", "american-chemical-society",
                                   "american-sociological-association", "elsevier-harvard"])
def test_other_csl_styles_repair_citeproc_py_gaps(style: str) -> None:
    """Numbers are not glued to entries, marks are not doubled, substitutes are not repeated."""
    items = json.loads((Path(__file__).parent / "conformance" / "fixtures.json").read_text(encoding="utf-8"))["items"]
    for item in items:
        got = cite(item, style)
        assert not re.match(r"^[\[(]?\d+[.\])]?[^\s\d.\])]", got.reference), got.reference
        assert not re.search(r"[?!][.,](\s|$)|\.\.(\s|$)", got.reference), got.reference
        assert not re.search(r"\u201d[.,]", got.reference), got.reference
        assert "(Katzenstein PJ, ed.)" not in got.reference


PAGES_ITEM = {"type": "article-journal", "title": "Molecular Structure of Nucleic Acids",
              "author": [{"family": "Watson", "given": "J. D."}, {"family": "Crick", "given": "F. H. C."}],
              "container-title": "Nature", "volume": "171", "page": "737-738", "issued": {"date-parts": [[1953]]}}


@pytest.mark.parametrize("style,one,range_", [
    ("apa", "(Watson & Crick, 1953, p. 737)", "(Watson & Crick, 1953, pp. 737–738)"),
    ("mla", "(Watson and Crick 737)", "(Watson and Crick 737–38)"),
    ("chicago-author-date", "(Watson and Crick 1953, 737)", "(Watson and Crick 1953, 737–38)"),
    ("harvard", "(Watson and Crick, 1953, p. 737)", "(Watson and Crick, 1953, pp. 737–738)"),
    ("ieee", "[1, p. 737]", "[1, pp. 737–738]"),
    ("vancouver", "[1, p. 737]", "[1, pp. 737–738]"),
])
def test_page_locators_in_each_style(style: str, one: str, range_: str) -> None:
    assert cite(PAGES_ITEM, style, Locator.page(737)).in_text == one
    assert cite(PAGES_ITEM, style, Locator.page(737, 738)).in_text == range_
    assert cite(PAGES_ITEM, style, Locator.page(737, 737)).in_text == one


def test_chicago_notes_cite_pages_bare_and_mla_keeps_two_digits() -> None:
    notes = cite(PAGES_ITEM, "chicago-notes", Locator.page(101, 108))
    assert notes.in_text.endswith(",\u201d 101–8.") and notes.note.endswith(": 101–8.")
    assert cite(PAGES_ITEM, "mla", Locator.page(101, 108)).in_text == "(Watson and Crick 101–08)"


@pytest.mark.parametrize("bad", [lambda: Locator.page(0), lambda: Locator.page(5, 3),
                                 lambda: Locator(3, kind="line"), lambda: Locator.page(True)])
def test_bad_page_locators(bad) -> None:
    with pytest.raises(InvalidLocator):
        bad()


def test_year_suffixes_only_for_the_same_authors_in_author_date_styles() -> None:
    from pinpoint.service.citations import year_suffixes

    smith = {"type": "book", "author": [{"family": "Smith", "given": "Ann"}], "issued": {"date-parts": [[2020]]}}
    items = [dict(smith, title="Zebra"), dict(smith, title="The Alliance"),
             dict(smith, title="Other", author=[{"family": "Smith", "given": "Bob"}])]
    assert year_suffixes(items, "apa") == ["b", "a", ""]  # "The" is ignored when ordering (APA 9.47)
    assert year_suffixes(items, "ieee") == ["", "", ""]
    assert cite(items[0], "apa", year_suffix="b").in_text == "(Smith, 2020b)"
    undated = {k: v for k, v in items[0].items() if k != "issued"}
    assert cite(undated, "apa", year_suffix="a").in_text == "(Smith, n.d.-a)"
    with pytest.raises(InvalidCitationData):
        cite(items[0], "apa", year_suffix="1")


def test_numbered_bibliography_is_numbered_in_order() -> None:
    from pinpoint.service.exports import bibliography_format

    items = [dict(PAGES_ITEM, id="a"), dict(PAGES_ITEM, id="b", title="Second")]
    lines = bibliography_format("ieee").render(items).splitlines()
    assert [line[:4] for line in lines] == ["[1] ", "[2] "]
    assert [line[:3] for line in bibliography_format("vancouver").render(items).splitlines()] == ["1. ", "2. "]


def test_court_decision_has_its_own_form_and_no_generic_warning() -> None:
    """APA 7 ch. 11 and CMOS 17 follow The Bluebook: roman case name, court and date, "¶" for paragraphs."""
    case = {"id": "c", "type": "legal_case", "title": "Sakata v. Japan", "authority": "Supreme Court of Japan",
            "issued": {"date-parts": [[1959, 12, 16]]}}
    apa = cite(case, "apa", Locator.paragraph(18))
    assert apa.reference == "Sakata v. Japan (Supreme Court of Japan December 16, 1959)."
    assert apa.in_text == "(Sakata v. Japan, 1959, \u00b6 18)"
    assert not apa.warnings
    assert cite(case, "chicago-notes", Locator.page(157)).note == \
        "Sakata v. Japan (Supreme Court of Japan December 16, 1959), 157."
    # Harvard has no rule of its own for cases: the generic form, with a warning saying so.
    assert cite(case, "harvard").warnings


def test_web_page_genre_is_printed_not_dropped() -> None:
    page = {"id": "w", "type": "webpage", "title": "The U.S.-Japan Security Alliance", "genre": "Backgrounder",
            "author": [{"family": "Xu", "given": "Beina"}], "container-title": "Council on Foreign Relations",
            "issued": {"date-parts": [[2014, 7, 1]]}}
    assert "[Backgrounder]" in cite(page, "apa").reference
    assert "Backgrounder." in cite(page, "mla").reference
    assert "\u201d Backgrounder. Council" in cite(page, "chicago-author-date").reference


def test_versions_series_and_standard_numbers_are_not_dropped() -> None:
    """Metadata the item states reaches the reference: a program's version, a book's series, a
    standard's number (CTR, IEEE Reference Guide, CMOS 17)."""
    program = {"id": "s", "type": "software", "title": "scikit-learn", "version": "1.3", "publisher": "GitHub",
               "author": [{"family": "Pedregosa", "given": "Fabian"}], "issued": {"date-parts": [[2023]]}}
    assert "*scikit-learn* (Version 1.3) [Computer program]" in _md(cite(program, "harvard").reference_html)
    assert "V. 1.3." in cite(program, "chicago-notes").reference
    standard = {"id": "i", "type": "standard", "title": "Information and Documentation", "number": "ISO 690:2021",
                "author": [{"literal": "International Organization for Standardization"}],
                "issued": {"date-parts": [[2021]]}}
    for style in ("harvard", "ieee", "chicago-notes", "mla"):
        assert "ISO 690:2021" in cite(standard, style).reference, style
    book = {"id": "b", "type": "book", "title": "The Origins of Alliances", "publisher": "Cornell University Press",
            "collection-title": "Cornell Studies in Security Affairs", "author": [{"family": "Walt", "given": "Stephen M."}],
            "issued": {"date-parts": [[1987]]}}
    assert "(Cornell Studies in Security Affairs)" in cite(book, "ieee").reference


def _md(html_text: str) -> str:
    return html_text.replace("<i>", "*").replace("</i>", "*")


def test_shared_surnames_get_initials_only_for_different_people() -> None:
    """APA 7 8.20: first authors who share a surname but not their initials are cited with initials,
    even years apart; the same person twice is told apart by letters after the year instead."""
    from pinpoint.service.citations import first_initials_needed, titles_needed

    def book(family: str, given: str, year: int) -> dict:
        return {"id": f"{given}{year}", "type": "book", "title": f"On {given}", "issued": {"date-parts": [[year]]},
                "author": [{"family": family, "given": given}]}
    items = [book("Taylor", "Julia M.", 2015), book("Taylor", "Thomas", 2014), book("Taylor", "Thomas", 2019),
             {"id": "o", "type": "report", "title": "Plan", "author": [{"literal": "Taylor"}]}]
    assert first_initials_needed(items, "apa") == [True, True, True, False]
    assert cite(items[0], "apa", first_initials=True).in_text == "(J. M. Taylor, 2015)"
    assert first_initials_needed(items, "harvard") == [False, False, False, False]  # years differ: no collision
    assert first_initials_needed(items, "ieee") == [False] * 4
    assert first_initials_needed(items[1:3], "apa") == [False, False]
    assert titles_needed(items[1:3], "mla") == [True, True]
    assert cite(items[1], "mla", title_in_text=True).in_text == "(Taylor, On Thomas)"
