"""RIS and CSL-JSON exports: the formats reference managers import."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from pinpoint.index.bibliography.bibtex import read_bibtex_string
from pinpoint.index.bibliography.csljson import to_csl_json
from pinpoint.service.citations.errors import InvalidCitationData
from pinpoint.index.bibliography.ris import to_ris

SCHEMA = json.loads((Path(__file__).parent / "fixtures" / "csl-data.json").read_text(encoding="utf-8"))

WEBPAGE = {
    "id": "000_f5cc0b5bea89428d",
    "type": "webpage",
    "title": "The NATO Summit\nand Europe",
    "author": [{"literal": "Pacific Forum"}, {"family": "Berg", "given": "Jan", "non-dropping-particle": "van der"}],
    "issued": {"date-parts": [[2023, 7]]},
    "accessed": {"date-parts": [[2024, 1, 2]]},
    "URL": "https://pacforum.org/pacnet_12%20x#top",
    "publisher": "Pacific Forum",
    "_file": ["000_f5cc0b5bea89428d.txt"],
}
CHAPTER = {
    "id": "c1",
    "type": "chapter",
    "title": "On Žižek",
    "author": [{"family": "Nguyễn", "given": "Văn An", "suffix": "Jr"}],
    "editor": [{"family": "Müller", "given": "Jörg"}],
    "container-title": "Readings",
    "page": "10–20",
    "volume": 2,
    "DOI": "10.1000/xyz",
}


def _records(text: str) -> list[list[tuple[str, str]]]:
    assert text.endswith("\r\n")
    records, current = [], []
    for line in text.split("\r\n")[:-1]:
        tag, sep, value = line.partition("  - ")
        assert sep and len(tag) == 2 and tag.isupper() or tag == "ER", line
        current.append((tag, value))
        if tag == "ER":
            records.append(current)
            current = []
    assert not current, "every record ends with ER"
    return records


def test_ris_records_carry_the_metadata():
    web, chapter = _records(to_ris([WEBPAGE, CHAPTER]))
    assert web[0] == ("TY", "ELEC") and chapter[0] == ("TY", "CHAP")
    assert [v for t, v in web if t == "AU"] == ["Pacific Forum", "van der Berg, Jan"]
    assert ("TI", "The NATO Summit and Europe") in web, "a newline in a title must not start a tag"
    assert ("PY", "2023") in web and ("DA", "2023/07//") in web
    assert ("UR", WEBPAGE["URL"]) in web and ("PB", "Pacific Forum") in web
    assert ("AU", "Nguyễn, Văn An, Jr") in chapter and ("A2", "Müller, Jörg") in chapter
    assert ("T2", "Readings") in chapter and ("VL", "2") in chapter and ("DO", "10.1000/xyz") in chapter
    assert ("SP", "10") in chapter and ("EP", "20") in chapter
    assert not [t for t, _ in chapter if t in ("PY", "DA")], "no date stated, none written"


@pytest.mark.parametrize(
    ("csl_type", "code"),
    [("webpage", "ELEC"), ("report", "RPRT"), ("article-journal", "JOUR"), ("book", "BOOK"), ("chapter", "CHAP"), ("weird", "GEN")],
)
def test_ris_type_codes(csl_type, code):
    [record] = _records(to_ris([{"id": "x", "type": csl_type, "title": "T"}]))
    assert record[0] == ("TY", code)


def test_ris_rejects_non_items():
    with pytest.raises(InvalidCitationData):
        to_ris([["not", "a", "dict"]])  # type: ignore[list-item]


def test_csl_json_is_valid_and_private_keys_are_gone():
    items = json.loads(to_csl_json([WEBPAGE, CHAPTER]))
    jsonschema.validate(items, SCHEMA)
    with pytest.raises(jsonschema.ValidationError):  # the schema does bite on the raw item
        jsonschema.validate([WEBPAGE], SCHEMA)
    assert "_file" not in items[0]
    assert items[0]["author"] == WEBPAGE["author"] and items[1]["page"] == "10–20"


def test_csl_json_from_a_bibtex_sidecar_is_valid():
    bib = (
        "@online{k, author={{Pacific Forum} and van der Berg, Jan}, title={T \\& U},"
        " date={2023-07-04}, urldate={2024-01-02}, url={https://e.org/a_b}, file={:000_x.txt:text/plain}}\n"
        "@article{j, author={Xu, Li}, title={Us}, journal={J}, year=2014, pages={1--2}}\n"
    )
    items = json.loads(to_csl_json(read_bibtex_string(bib).items))
    jsonschema.validate(items, SCHEMA)
    assert items[0]["custom"] == {"citation-key": "k"}, "keys the schema lacks are kept under custom"


def test_csl_json_drops_malformed_values_instead_of_writing_invalid_json():
    messy = {
        "id": 7,
        "type": "not-a-type",
        "title": ["a", "list"],
        "author": [{"family": "Ok", "email": "x@y"}, "Plain string", {"nothing": "useful"}],
        "issued": {"date-parts": "2020"},
        "volume": {"n": 1},
        "note": 12,
    }
    [item] = json.loads(to_csl_json([messy]))
    jsonschema.validate([item], SCHEMA)
    assert item["type"] == "document"
    assert item["author"] == [{"family": "Ok"}]
    assert "issued" not in item and "title" not in item and "volume" not in item
    assert item["note"] == "12"


def test_csl_json_needs_an_id():
    with pytest.raises(InvalidCitationData, match="no id"):
        to_csl_json([{"type": "book", "title": "T"}])
