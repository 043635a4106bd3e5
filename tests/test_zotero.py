"""A Zotero library indexed as it is: attachments, CSL-JSON field by field, collections, links, read-only.

The library is built from Zotero's own schema (tests/zotero_fixture.py); the
PDFs are the ground-truth papers in tests/fixtures/pdf.
"""

from __future__ import annotations

import hashlib
import shutil
import sqlite3
import subprocess

import pytest

from tests.conftest import PINPOINT
from tests.pdf_truth import FIXTURES
from tests.zotero_fixture import Attachment, Item, ZoteroFixture

HTML = """<!doctype html><html><head><title>Council minutes online</title></head><body>
<article><h1>Council minutes online</h1>
<p>The river council published its minutes online for the first time in the spring, and the archive
kept every version of the page so that later readers could compare what was said with what was done.</p>
<p>Readers who followed the minutes over the season noticed that the records of the harvest were
revised twice, each time with a short note explaining which measurement had been corrected.</p>
</article></body></html>"""

EXPECTED = {
    "ARTICLE1": {
        "type": "article-journal", "title": "Measured Boundaries in Regional Archives",
        "author": [{"family": "Quill", "given": "Ada"}, {"family": "Rowe", "given": "Benedict"}],
        "container-title": "Journal of Synthetic Studies", "volume": "12", "issue": "3", "page": "153-155",
        "issued": {"date-parts": [[2021]]}, "DOI": "10.5555/synthetic.2021.153",
        "URL": "https://example.org/jss/153", "ISSN": "1234-5678",
    },
    "TWOFILES": {
        "type": "article-journal", "title": "Seasonal Records of the River Council",
        "author": [{"family": "Vance", "given": "Cora"}], "translator": [{"family": "Ibarra", "given": "Luz"}],
        "container-title": "River Studies", "issued": {"date-parts": [[2019, 5, 14]]},
    },
    "CHAPTER1": {
        "type": "chapter", "title": "Boundaries Drawn in Ledgers",
        "author": [{"family": "Dunmore", "given": "Hal"}],
        "editor": [{"family": "Fairlie", "given": "Ann"}, {"family": "Garrow", "given": "Tom"}],
        "container-title": "Handbook of River Councils", "publisher": "Example University Press",
        "publisher-place": "Leeds", "edition": "2", "page": "45-67", "ISBN": "978-0-00-000000-2",
        "issued": {"date-parts": [[2018, 3]]},
    },
    "THESIS01": {
        "type": "thesis", "title": "Councils and Their Records, 1850-1900",
        "author": [{"family": "Ellery", "given": "Jo"}], "genre": "PhD dissertation",
        "publisher": "University of Example", "publisher-place": "York", "issued": {"date-parts": [[2020]]},
    },
    "REPORT01": {
        "type": "report", "title": "Annual Survey of Regional Archives",
        "author": [{"literal": "Pinpoint Research Group"}], "genre": "Technical report", "number": "TR-7",
        "publisher": "Institute of Archives", "publisher-place": "Bristol", "issued": {"date-parts": [[2022, 11, 2]]},
    },
    "WEBPAGE1": {
        "type": "webpage", "title": "Council minutes online", "container-title": "River Council",
        "URL": "https://example.org/minutes", "accessed": {"date-parts": [[2023, 1, 9]]},
    },
}


@pytest.fixture(scope="module")
def library(tmp_path_factory):
    base = tmp_path_factory.mktemp("zotero-home")
    folder = base / "Zotero"
    outside = base / "Papers"
    outside.mkdir()
    shutil.copy(FIXTURES / "report.pdf", outside / "Dunmore 2018 Boundaries.pdf")
    html = base / "snapshot.html"
    html.write_text(HTML, encoding="utf-8")
    article, report = FIXTURES / "article.pdf", FIXTURES / "report.pdf"
    supplement = base / "supplement.pdf"
    shutil.copy(article, supplement)
    z = ZoteroFixture(folder)
    z.add(Item("ARTICLE1", "journalArticle", {
        "title": "Measured Boundaries in Regional Archives", "publicationTitle": "Journal of Synthetic Studies",
        "volume": "12", "issue": "3", "pages": "153-155", "date": "2021-00-00 2021",
        "DOI": "10.5555/synthetic.2021.153", "url": "https://example.org/jss/153", "ISSN": "1234-5678"},
        [("author", "Ada", "Quill"), ("author", "Benedict", "Rowe")],
        [Attachment("ATTART01", article)], collections=["Archives", "Methods"]))
    z.add(Item("TWOFILES", "journalArticle", {
        "title": "Seasonal Records of the River Council", "publicationTitle": "River Studies",
        "date": "2019-05-14 14 May 2019"},
        [("author", "Cora", "Vance"), ("translator", "Luz", "Ibarra")],
        [Attachment("ATTMAIN1", report), Attachment("ATTSUPP1", supplement)], collections=["Archives"]))
    z.add(Item("CHAPTER1", "bookSection", {
        "title": "Boundaries Drawn in Ledgers", "bookTitle": "Handbook of River Councils",
        "publisher": "Example University Press", "place": "Leeds", "edition": "2", "pages": "45-67",
        "ISBN": "978-0-00-000000-2", "date": "2018-03-00 March 2018"},
        [("author", "Hal", "Dunmore"), ("editor", "Ann", "Fairlie"), ("editor", "Tom", "Garrow")],
        [Attachment("ATTLINK1", None, link_mode=2, path=str(outside / "Dunmore 2018 Boundaries.pdf"))]))
    z.add(Item("THESIS01", "thesis", {
        "title": "Councils and Their Records, 1850-1900", "thesisType": "PhD dissertation",
        "university": "University of Example", "place": "York", "date": "2020-00-00 2020"},
        [("author", "Jo", "Ellery")], [Attachment("ATTTHES1", article)], collections=["Methods"]))
    z.add(Item("REPORT01", "report", {
        "title": "Annual Survey of Regional Archives", "reportType": "Technical report", "reportNumber": "TR-7",
        "institution": "Institute of Archives", "place": "Bristol", "date": "2022-11-02 2 November 2022"},
        [("author", None, "Pinpoint Research Group")], [Attachment("ATTREP01", report)]))
    z.add(Item("WEBPAGE1", "webpage", {
        "title": "Council minutes online", "websiteTitle": "River Council", "url": "https://example.org/minutes",
        "accessDate": "2023-01-09 10:00:00"},
        attachments=[Attachment("ATTSNAP1", html, content_type="text/html", link_mode=1)]))
    z.add(Item("TRASHED1", "journalArticle", {"title": "In the trash"}, [("author", "X", "Y")],
               [Attachment("ATTTRSH1", article)], deleted=True))
    z.add(Item("NOFILE01", "journalArticle", {"title": "Never downloaded"}, [],
               [Attachment("ATTGONE1", None, path="storage:gone.pdf")]))
    z.add(Item("BASEDIR1", "journalArticle", {"title": "Relative to the base directory"}, [],
               [Attachment("ATTBASE1", None, link_mode=2, path="attachments:Papers/x.pdf")]))
    z.attach(Attachment("ATTALONE", report), None)
    z.close()
    return folder


@pytest.fixture(scope="module")
def built(library, tmp_path_factory):
    from pinpoint.index.store.build import build_index

    index_dir = tmp_path_factory.mktemp("zotero-index")
    return build_index([library], index_dir), index_dir


@pytest.fixture(scope="module")
def sources(built):
    from pinpoint.index.store.versions import open_searcher

    searcher = open_searcher(built[1])
    found = {s.id: s for s in searcher.sources()}
    searcher.close()
    return found


def test_every_regular_items_attachment_is_a_source(sources):
    assert set(sources) == {"ARTICLE1", "TWOFILES-ATTMAIN1", "TWOFILES-ATTSUPP1", "CHAPTER1", "THESIS01",
                            "REPORT01", "WEBPAGE1"}


@pytest.mark.parametrize("key", sorted(EXPECTED))
def test_zotero_metadata_maps_to_csl_field_by_field(sources, key):
    matching = [s for s in sources.values() if s.zotero_key == key]
    assert matching
    for source in matching:
        csl = {k: v for k, v in source.csl.items() if k != "id"}
        assert csl == EXPECTED[key]
        assert source.metadata_origin == "zotero"
        assert source.zotero_link == f"zotero://select/library/items/{key}"


def test_collections_are_kept(sources):
    assert sources["ARTICLE1"].collections == ("Archives", "Methods")
    assert sources["TWOFILES-ATTMAIN1"].collections == ("Archives",)
    assert sources["REPORT01"].collections == ()


def test_unusable_attachments_are_reported_with_reasons(built):
    reasons = " | ".join(f"{where}: {why}" for where, why in built[0].skipped)
    assert "ATTALONE" in reasons and "standalone attachment" in reasons
    assert "storage/ATTGONE1/gone.pdf is not in storage" in reasons
    assert "base directory" in reasons and "attachments:Papers/x.pdf" in reasons
    assert "TRASHED1" not in reasons and "ATTTRSH1" not in reasons


def test_pdf_passages_from_zotero_carry_pages(built):
    from pinpoint.index.store.versions import open_searcher

    searcher = open_searcher(built[1])
    passages = searcher.passages("ARTICLE1")
    searcher.close()
    assert {p.page for p in passages} == {"153", "154", "155"}


def test_database_is_never_written_or_locked(library, tmp_path):
    from pinpoint.index.store.build import build_index

    database = library / "zotero.sqlite"
    before = hashlib.sha256(database.read_bytes()).hexdigest()
    files_before = sorted(p.name for p in library.iterdir())
    # Zotero running: it holds an exclusive lock on its database.
    holder = sqlite3.connect(database, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        report = build_index([library], tmp_path / "index")
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert report.sources == 7
    assert hashlib.sha256(database.read_bytes()).hexdigest() == before
    assert sorted(p.name for p in library.iterdir()) == files_before


def test_collection_filter_facet_and_zotero_link_through_the_service(built):
    from falcon import testing

    from pinpoint.service.app import create_app
    from pinpoint.service.config import Config

    client = testing.TestClient(create_app(Config(index_dir=built[1], reload_seconds=0)))
    everything = client.simulate_get("/search", params={"q": "archive", "limit": 50, "facets": "true"}).json
    assert everything["facets"]["collection"]["Archives"] > 0
    methods = client.simulate_get("/search", params={"q": "archive", "collection": "methods", "limit": 50}).json
    assert methods["hits"] and {h["source_id"] for h in methods["hits"]} <= {"ARTICLE1", "THESIS01"}
    assert {h["source_id"] for h in methods["hits"]} != {h["source_id"] for h in everything["hits"]}
    syntax = client.simulate_get("/search", params={"q": "archive collection:methods", "limit": 50}).json
    assert {h["source_id"] for h in syntax["hits"]} == {h["source_id"] for h in methods["hits"]}
    source = client.simulate_get("/sources/ARTICLE1").json
    assert source["links"]["zotero"] == "zotero://select/library/items/ARTICLE1"
    assert source["collections"] == ["Archives", "Methods"]
    page = client.simulate_get("/", params={"q": "archive", "collection": "Methods"}).text
    assert 'href="zotero://select/library/items/ARTICLE1"' in page


def test_cli_indexes_a_zotero_folder(library, tmp_path):
    run = subprocess.run([*PINPOINT, "index", str(library), "--index", str(tmp_path / "index")],
                         capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr
    assert "7" in run.stdout + run.stderr
