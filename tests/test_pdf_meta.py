"""What a PDF states about itself, in order: XMP, Info, a printed DOI, the largest type on page 1."""

from __future__ import annotations

from pathlib import Path

import pytest

from pinpoint.index.ingest.pdf.meta import doi_in, pdf_csl, read_xmp, usable_title
from tests.pdf_objects import write_pdf

XMP = """<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>
<x:xmpmeta xmlns:x="adobe:ns:meta/">
 <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
  <rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/"
      xmlns:prism="http://prismstandard.org/namespaces/basic/2.0/">
   <dc:title><rdf:Alt><rdf:li xml:lang="x-default">Harvest Records and Their Keepers</rdf:li></rdf:Alt></dc:title>
   <dc:creator><rdf:Seq><rdf:li>Quill, Ada</rdf:li><rdf:li>Benedict Rowe</rdf:li></rdf:Seq></dc:creator>
   <prism:doi>10.5555/harvest.2020.7</prism:doi>
   <prism:publicationDate>2020-06</prism:publicationDate>
  </rdf:Description>
 </rdf:RDF>
</x:xmpmeta>
<?xpacket end="w"?>"""


def pdf_with_xmp(path: Path, xmp: str | None) -> Path:
    """A one-page PDF whose catalog points at an uncompressed XMP stream, as the XMP spec advises."""
    content = b"BT /F1 12 Tf 72 720 Td (Harvest records) Tj ET"
    packet = xmp.encode("utf-8") if xmp else b""
    objects = [b"<< /Type /Catalog /Pages 2 0 R" + (b" /Metadata 6 0 R" if xmp else b"") + b" >>",
               b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
               b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R"
               b" /Resources << /Font << /F1 5 0 R >> >> >>",
               b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
               b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
               b"<< /Type /Metadata /Subtype /XML /Length %d >>\nstream\n" % len(packet) + packet + b"\nendstream"]
    return write_pdf(path, objects)


@pytest.mark.parametrize("title", [
    "Microsoft Word - draft3.docx", "Microsoft PowerPoint - talk", "draft3.docx", "paper.pdf", "Untitled",
    "main.tex", "my-paper",
])
def test_file_titles_count_as_absent(title):
    assert usable_title(title, Path("/library/my-paper.pdf")) is None


def test_a_real_title_is_kept():
    assert usable_title("  Harvest Records\n and Their Keepers ", Path("x.pdf")) == "Harvest Records and Their Keepers"


def test_doi_printed_is_found_without_trailing_punctuation():
    assert doi_in("See https://doi.org/10.1000/xyz123.") == "10.1000/xyz123"
    assert doi_in("DOI: 10.5555/synthetic.2021.153, p. 3") == "10.5555/synthetic.2021.153"
    assert doi_in("no identifier here") is None


def test_xmp_comes_before_info_and_the_page(tmp_path):
    path = pdf_with_xmp(tmp_path / "harvest.pdf", XMP)
    assert read_xmp(path)["title"] == "Harvest Records and Their Keepers"
    csl = pdf_csl(path, {"Title": "Another Title", "Author": "Someone Else"},
                  "DOI 10.9999/printed.1", "Largest Type On Page One")
    assert csl == {
        "title": "Harvest Records and Their Keepers",
        "author": [{"family": "Quill", "given": "Ada"}, {"family": "Rowe", "given": "Benedict"}],
        "issued": {"date-parts": [[2020, 6]]},
        "DOI": "10.5555/harvest.2020.7",
    }


def test_without_xmp_info_then_printed_doi_then_largest_type(tmp_path):
    path = pdf_with_xmp(tmp_path / "plain.pdf", None)
    assert read_xmp(path) == {}
    csl = pdf_csl(path, {"Title": "Microsoft Word - draft3.docx", "Author": "jsmith",
                         "CreationDate": "D:20190101000000"},
                  "Journal of X\nhttps://doi.org/10.9999/printed.1", "Largest Type On Page One")
    # A login is no author, and a file's creation date is no publication year.
    assert csl == {"title": "Largest Type On Page One", "DOI": "10.9999/printed.1"}
    named = pdf_csl(path, {"Title": "Harvest Records", "Author": "Ada Quill"}, "", None)
    assert named == {"title": "Harvest Records", "author": [{"family": "Quill", "given": "Ada"}]}


def test_reader_uses_the_files_own_xmp(tmp_path):
    from pinpoint.index.ingest.readers import read_file

    [raw] = read_file(pdf_with_xmp(tmp_path / "harvest.pdf", XMP), tmp_path)
    assert raw.meta["title"] == "Harvest Records and Their Keepers"
    assert raw.meta["DOI"] == "10.5555/harvest.2020.7"


def test_a_doi_cited_in_the_references_is_not_the_papers_own(tmp_path):
    import shutil

    from pinpoint.index.ingest.readers import read_file
    from tests.pdf_truth import compile_latex, latex_document, tools_present

    if not tools_present()["pdflatex"]:
        pytest.skip("pdflatex not installed: this test builds a short paper whose references cite a DOI")
    source, truth = latex_document(seed=3, sections=1, paragraphs=(1, 1))
    source = source.replace("DOI: 10.5555/synthetic.2021.153", "Received 3 March 2021")
    source = source.replace(r"\end{thebibliography}", r"\bibitem{x} Other, A. (2019). https://doi.org/10.1234/cited.1" "\n"
                            r"\end{thebibliography}")
    compile_latex(source, tmp_path / "short.pdf", truth)
    [raw] = read_file(tmp_path / "short.pdf", tmp_path)
    assert "doi.org/10.1234/cited.1" in raw.text.replace(" ", "")
    assert "DOI" not in raw.meta
    shutil.rmtree(tmp_path)
