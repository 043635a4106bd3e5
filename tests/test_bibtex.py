"""BibTeX both ways: reading reference-manager exports, writing biblatex."""

from __future__ import annotations

import logging
from pathlib import Path

import bibtexparser
import pytest

from pinpoint.index.bibliography.bibtex import BibtexError, file_names, read_bibtex_file, read_bibtex_string, to_bibtex
from pinpoint.index.bibliography.keys import ascii_fold, citation_keys

HOSTILE_TITLE = "Costs of R&D: 100% of $5, #1 a_b {unbalanced ~x^2 back\\slash -- dash }} \"q\""
HOSTILE = {
    "id": "hostile",
    "type": "report",
    "title": HOSTILE_TITLE,
    "author": [
        {"literal": "Smith & Sons {Ltd"},
        {"family": "Müller", "given": "Jörg"},
        {"family": "Žižek", "given": "Slavoj"},
        {"family": "Nguyễn", "given": "Văn An"},
        {"family": "Gogh", "given": "Vincent", "non-dropping-particle": "van"},
        {"family": "Smith, Jr", "given": "Ann and Bob"},
    ],
    "URL": "https://example.org/a_b%20c?q=1&x=2#frag",
    "issued": {"date-parts": [[2020, 2]]},
    "publisher": "Institute for 50% & More {Research",
    "note": "50% off \\ all $ # _ ^ ~",
}
WEBPAGE = {
    "id": "000_f5cc0b5bea89428d",
    "type": "webpage",
    "title": "The NATO Summit and Europe",
    "author": [{"literal": "Pacific Forum"}],
    "issued": {"date-parts": [[2023, 7, 4]]},
    "accessed": {"date-parts": [[2024, 1, 2]]},
    "URL": "https://pacforum.org/publications/pacnet_12#top",
}
ARTICLE = {
    "id": "a1",
    "type": "article-journal",
    "title": "Us and them in the iPhone era of NATO",
    "author": [{"family": "Xu", "given": "Li"}, {"family": "Berg", "given": "Jan", "non-dropping-particle": "van der"}],
    "container-title": "Journal of Things & Stuff",
    "volume": "3",
    "issue": "2",
    "page": "10-20",
    "DOI": "10.1000/a_b.c%d",
    "issued": {"date-parts": [[2014, 3]]},
}
UNDATED = {"id": "u1", "type": "book", "title": "Undated", "author": [{"family": "Ōe", "given": "Kenzaburō"}], "publisher": "P"}


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "refs.bib"
    path.write_text(text, encoding="utf-8")
    return path


def test_reads_jabref_export_with_names_dates_and_files(tmp_path):
    path = _write(
        tmp_path,
        r"""
@Online{pf2023,
  author    = {{Pacific Forum} and van der Berg, Jan and M{\"u}ller, Hans and Smith, Jr, John},
  title     = {The {NATO} Summit \& {E}urope},
  date      = {2023-07-04},
  urldate   = {2024-01-02},
  url       = {https://example.org/a_b%20c#x},
  file      = {:seeds/000_f5cc0b5bea89428d.txt:text/plain;Copy:C\:\\Users\\me\\001_x.txt:text/plain},
  organization = {Pacific Forum},
}
""",
    )
    [item] = read_bibtex_file(path)
    assert item["type"] == "webpage"
    assert item["author"] == [
        {"literal": "Pacific Forum"},
        {"family": "Berg", "given": "Jan", "non-dropping-particle": "van der"},
        {"family": "Müller", "given": "Hans"},
        {"family": "Smith", "given": "John", "suffix": "Jr"},
    ]
    assert item["title"] == "The NATO Summit & Europe"
    assert item["issued"] == {"date-parts": [[2023, 7, 4]]}
    assert item["accessed"] == {"date-parts": [[2024, 1, 2]]}
    assert item["URL"] == "https://example.org/a_b%20c#x"
    assert item["publisher"] == "Pacific Forum"
    assert item["_file"] == ["000_f5cc0b5bea89428d.txt", "001_x.txt"]


def test_reads_bibtex_article_year_month_and_zotero_files(tmp_path):
    path = _write(
        tmp_path,
        "@article{x, author={Xu, Li}, title={Us}, journal={J. Things}, year=2014, month=mar,"
        " volume={3}, number={2}, pages={10--20}, doi={https://doi.org/10.1/abc},"
        " file={/home/u/Zotero/002_y.txt;/home/u/003_z.txt}}\n"
        "@misc{y, title={No date stated}, year={n.d.}}\n",
    )
    article, undated = read_bibtex_file(path)
    assert article["type"] == "article-journal"
    assert article["container-title"] == "J. Things"
    assert article["issued"] == {"date-parts": [[2014, 3]]}
    assert (article["volume"], article["issue"], article["page"]) == ("3", "2", "10-20")
    assert article["DOI"] == "10.1/abc"
    assert article["_file"] == ["002_y.txt", "003_z.txt"]
    assert "issued" not in undated, "a year that is not a year must not become a date"
    assert undated["type"] == "document"


@pytest.mark.parametrize(
    ("field", "expected"),
    [
        ("000_x.txt", ["000_x.txt"]),
        (":000_x.txt:text/plain", ["000_x.txt"]),
        ("Full Text:sub/dir/000_x.txt:text/plain", ["000_x.txt"]),
        (r"C\:\\Users\\me\\000_x.txt", ["000_x.txt"]),
        ("/abs/a.txt;/abs/b.txt", ["a.txt", "b.txt"]),
        (r":C$\backslash$:Users$\backslash$000{\_}x.txt:text/plain", ["000_x.txt"]),
    ],
)
def test_file_field_forms(field, expected):
    assert file_names(field) == expected


def test_bad_entries_are_skipped_with_a_warning(tmp_path, caplog):
    path = _write(
        tmp_path,
        "@article{good, title={Kept}, year=2001}\n"
        "@article{broken, title={unbalanced {,\n  year = 2000}\n"
        "@book{dup, title={A}, title={B}}\n",
    )
    with caplog.at_level(logging.WARNING, logger="pinpoint.index.bibliography.bibtex"):
        items = read_bibtex_file(path)
    assert [item["id"] for item in items] == ["good"]
    messages = " ".join(record.getMessage() for record in caplog.records if record.name == "pinpoint.index.bibliography.bibtex")
    assert "refs.bib" in messages and "dup" in messages
    reading = read_bibtex_string(path.read_text())
    assert len(reading.skipped) == 2


def test_file_with_nothing_usable_raises_named_error(tmp_path):
    path = _write(tmp_path, "@article{broken, title={never closed,\n")
    with pytest.raises(BibtexError, match="refs.bib"):
        read_bibtex_file(path)


def test_unreadable_files_raise_named_error(tmp_path):
    latin1 = tmp_path / "latin1.bib"
    latin1.write_bytes("@book{k, title={Gr\xfc\xdfe}}".encode("latin-1"))
    with pytest.raises(BibtexError, match="latin1.bib.*UTF-8"):
        read_bibtex_file(latin1)
    with pytest.raises(BibtexError, match="missing.bib"):
        read_bibtex_file(tmp_path / "missing.bib")


def test_empty_file_reads_as_no_items(tmp_path):
    assert read_bibtex_file(_write(tmp_path, "% nothing here\n")) == []


def test_keys_follow_scholar_style():
    assert citation_keys([ARTICLE, WEBPAGE, UNDATED]) == ["xu2014us", "pacific2023nato", "oendundated"]
    assert ascii_fold("Nguyễn") == "nguyen" and ascii_fold("Žižek") == "zizek"
    assert ascii_fold("Straße") == "strasse"


def test_key_collisions_get_suffixes_independent_of_order():
    twins = [dict(ARTICLE, id=f"a{n}") for n in (3, 1, 2)]
    keys = dict(zip((t["id"] for t in twins), citation_keys(twins)))
    assert keys == {"a1": "xu2014us", "a2": "xu2014usa", "a3": "xu2014usb"}
    reversed_keys = dict(zip((t["id"] for t in twins[::-1]), citation_keys(twins[::-1])))
    assert reversed_keys == keys


def test_suffix_never_takes_another_items_key():
    clash = dict(ARTICLE, id="z", title="USA today")  # its own key is xu2014usa
    keys = citation_keys([ARTICLE, dict(ARTICLE, id="a2"), clash])
    assert len(set(keys)) == 3 and "xu2014usa" in keys


def _parse(text: str):
    library = bibtexparser.parse_string(text)
    assert not library.failed_blocks, [str(b.error) for b in library.failed_blocks]
    return library


def test_writes_biblatex_types_and_fields():
    library = _parse(to_bibtex([WEBPAGE, ARTICLE, HOSTILE, UNDATED]))
    by_key = {entry.key: entry for entry in library.entries}
    online = by_key["pacific2023nato"]
    assert online.entry_type == "online"
    assert online["author"] == "{Pacific Forum}"
    assert online["url"] == WEBPAGE["URL"], "URLs go verbatim, never escaped"
    assert online["urldate"] == "2024-01-02" and online["date"] == "2023-07-04"
    article = by_key["xu2014us"]
    assert article.entry_type == "article"
    assert article["journaltitle"] == r"Journal of Things \& Stuff"
    assert article["pages"] == "10--20"
    assert article["doi"] == ARTICLE["DOI"]
    assert by_key["smith2020costs"].entry_type == "report"
    assert "date" not in by_key["oendundated"].fields_dict, "no date stated, none written"


def test_title_case_protection():
    sentence = dict(ARTICLE, title="Us and them in the iPhone era of NATO and Russia")
    title = _parse(to_bibtex([sentence])).entries[0]["title"]
    assert title == "Us and them in the {iPhone} era of {NATO} and {Russia}"
    titled = _parse(to_bibtex([dict(ARTICLE, title="The Summit of Major Powers")])).entries[0]
    assert titled["title"] == "{The Summit of Major Powers}"


@pytest.mark.parametrize("item", [WEBPAGE, ARTICLE, HOSTILE, UNDATED], ids=lambda i: i["id"])
def test_round_trip_keeps_fields(item):
    [back] = read_bibtex_string(to_bibtex([item])).items
    for key in ("title", "author", "issued", "accessed", "URL", "DOI", "volume", "issue", "page", "note"):
        assert back.get(key) == item.get(key), key
    if item["type"] != "webpage":  # @online has no container field (see csl_to_fields)
        assert back.get("publisher") == item.get("publisher")
        assert back.get("container-title") == item.get("container-title")
    assert back["type"] == item["type"]


def test_hostile_metadata_stays_valid_bibtex():
    text = to_bibtex([HOSTILE, dict(HOSTILE, id="h2", title="{" * 3 + "}" * 7 + "\\")])
    library = _parse(text)
    assert [entry.key for entry in library.entries] == ["smith2020costs", "smith2020"]
    for entry in library.entries:
        for field in entry.fields:
            depth = 0
            for char in field.value:
                depth += {"{": 1, "}": -1}.get(char, 0)
                assert depth >= 0, (field.key, field.value)
            assert depth == 0, (field.key, field.value)
    assert read_bibtex_string(text).items[1]["title"] == "{" * 3 + "}" * 7 + "\\"


def test_non_dict_item_is_a_named_error():
    with pytest.raises(BibtexError):
        to_bibtex([ARTICLE, "not an item"])  # type: ignore[list-item]


def test_export_of_seed_style_item_without_title_or_author():
    text = to_bibtex([{"id": "s", "type": "webpage", "URL": "https://e.org/x"}])
    entry = _parse(text).entries[0]
    assert entry.key == "anonnd"
    assert entry["url"] == "https://e.org/x"


@pytest.mark.parametrize(
    ("type_field", "genre"),
    [("phdthesis", "PhD thesis"), ("{mathesis}", "Master's thesis"), ("Working Paper", "Working Paper")],
)
def test_type_field_is_the_genre_with_biblatex_keys_spelled_out(type_field, genre):
    text = f"@thesis{{k, author = {{A, B}}, title = {{T}}, type = {{{type_field}}}, date = {{2001}}}}"
    [item] = read_bibtex_string(text).items
    assert item["genre"] == genre


def test_periodical_kind_and_article_number_survive_biblatex():
    text = (
        "@article{m, title = {T}, journaltitle = {The Atlantic}, entrysubtype = {magazine}, date = {2008}}\n"
        "@article{p, title = {T}, journaltitle = {PLOS ONE}, volume = {15}, number = {3}, eid = {e0229876}, date = {2020}}\n"
    )
    magazine, plos = read_bibtex_string(text).items
    assert magazine["type"] == "article-magazine"
    assert (plos["type"], plos["issue"], plos["number"]) == ("article-journal", "3", "e0229876")


def test_doi_is_written_without_its_resolver():
    # biblatex prints https://doi.org/ before the doi field itself.
    item = {"id": "x", "type": "article-journal", "title": "T", "DOI": "https://doi.org/10.1000/ABC"}
    [back] = read_bibtex_string(to_bibtex([item])).items
    assert "doi.org" not in to_bibtex([item]) and back["DOI"] == "10.1000/ABC"
