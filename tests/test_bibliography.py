"""Reading CSL names and dates (index/bibliography), shared by ingest, search and citations."""

from __future__ import annotations

import pytest

from pinpoint.index.bibliography.dates import issued_iso, issued_year, month_number, parse_date
from pinpoint.index.bibliography.names import author_names, display_name
from pinpoint.index.errors import InvalidCitationData


@pytest.mark.parametrize("text, number", [
    ("July", 7), ("jul", 7), ("Sept.", 9), ("sep", 9), ("SEPTEMBER", 9), (" 12 ", 12), ("03", 3),
    ("13", None), ("0", None), ("Juli", None), ("", None),
])
def test_month_names_and_numbers(text, number):
    assert month_number(text) == number


def test_the_issued_date_read_leniently_and_strictly():
    item = {"issued": {"date-parts": [[2014, 7, 1]]}}
    assert issued_year(item) == 2014 and issued_iso(item) == "2014-07-01"
    assert issued_year({}) is None and issued_iso({}) is None
    assert issued_year({"issued": {"date-parts": [["soon"]]}}) is None
    assert parse_date(item["issued"], "issued").month == 7
    with pytest.raises(InvalidCitationData, match="month 13"):
        parse_date({"date-parts": [[2014, 13]]}, "issued")


def test_names_for_reading_and_for_sorting():
    item = {"author": [{"family": "Xu", "given": "Beina"}, {"literal": "Pacific Forum"},
                       {"family": "Beethoven", "given": "Ludwig", "dropping-particle": "van"}]}
    assert [display_name(a) for a in item["author"]] == ["Beina Xu", "Pacific Forum", "Ludwig van Beethoven"]
    assert author_names(item) == ["Xu, Beina", "Pacific Forum", "Beethoven, Ludwig"]
