"""PDF sources: layout repair and printed pages checked against papers whose truth we wrote.

The ground-truth PDFs in tests/fixtures/pdf are made by ``python -m
tests.pdf_truth`` (pdflatex, LibreOffice) and committed, so these tests need
neither; ``*.truth.json`` beside each holds its paragraphs, pages (from TeX's
own .aux for the LaTeX paper), footnotes and references.
"""

from __future__ import annotations

import json
import os
import re
import shutil
from pathlib import Path

import pytest

from pinpoint.index.ingest.pdf import reader as pdf_reader
from pinpoint.index.ingest.pdf.layout import normalise
from pinpoint.index.ingest.pdf.limits import PdfLimits
from pinpoint.index.ingest.readers import SkipFile, read_file
from tests.pdf_objects import write_pdf
from tests.pdf_truth import FIXTURES, _COMPOUNDS, score

SAMPLES = Path(__file__).resolve().parents[2] / "shared" / "datasets" / "pdf-samples"


def truth(name: str) -> dict:
    return json.loads((FIXTURES / f"{name}.truth.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def article():
    [raw] = read_file(FIXTURES / "article.pdf", FIXTURES)
    return raw


@pytest.fixture(scope="module")
def onecolumn():
    [raw] = read_file(FIXTURES / "onecolumn.pdf", FIXTURES)
    return raw


@pytest.fixture(scope="module")
def report():
    [raw] = read_file(FIXTURES / "report.pdf", FIXTURES)
    return raw


@pytest.mark.parametrize("name", ["article", "onecolumn", "report", "report-columns"])
def test_body_paragraphs_come_out_whole_in_order_on_their_printed_pages(name):
    [raw] = read_file(FIXTURES / f"{name}.pdf", FIXTURES)
    result = score(raw.blocks, raw.pages, truth(name))
    assert result["share_whole_in_order"] >= 0.98, result
    assert result["right_pages"] == result["paragraphs"], result
    assert result["furniture_in_paragraphs"] == [] and result["footnotes_in_paragraphs"] == []


def test_pages_are_numbered_as_printed_from_153(article):
    # A footnote that waited for its paragraph to end on the next page keeps its own page.
    assert list(dict.fromkeys(label for _, label in article.pages)) == ["153", "154", "155"]
    assert [o for o, _ in article.pages] == sorted(o for o, _ in article.pages)


def test_a_folio_far_above_the_page_foot_is_still_a_page_number(onecolumn):
    # LaTeX's default margins: the number sits ~2 in. above the foot, apart from the text.
    assert list(dict.fromkeys(label for _, label in onecolumn.pages))[:3] == ["201", "202", "203"]
    assert not re.search(r"(?m)^\s*\d{1,3}\s*$", onecolumn.text)


def test_running_heads_and_page_numbers_appear_in_no_block(article, report):
    for raw, furniture in ((article, ["Journal of Synthetic Studies", "Quill and Rowe"]),
                           (report, ["Pinpoint Field Report", "Page 2"])):
        for block in raw.blocks:
            assert not any(f in block.text for f in furniture), block.text[:80]
        assert not re.search(r"(?m)^\s*\d{1,3}\s*$", raw.text)


def test_footnotes_follow_their_paragraph_whole(article, report):
    for raw, name in ((article, "article"), (report, "report")):
        paragraphs = [" ".join(b.text.split()) for b in raw.blocks if b.kind == "paragraph"]
        for para in truth(name)["paragraphs"]:
            if para["footnote"]:
                body = paragraphs.index(" ".join(para["text"].split()))
                # The footnote is its own block after its paragraph, its number dropped.
                assert " ".join(para["footnote"].split()) in paragraphs[body + 1:body + 4]


def test_line_end_hyphens_are_rejoined_and_real_hyphens_kept(article):
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(str(FIXTURES / "article.pdf"))
    raw_text = "".join(pdf[i].get_textpage().get_text_range() for i in range(len(pdf)))
    pdf.close()
    broken = re.findall(r"([^\W\d_]+)\ufffe\s*([^\W\d_]+)", raw_text)
    compounds = {f"{a}-{b}" for a, b in broken} & set(_COMPOUNDS)
    discretionary = {a + b for a, b in broken if f"{a}-{b}" not in _COMPOUNDS}
    # The fixture must exercise both kinds, or this test could not fail.
    assert compounds and discretionary
    words = set(re.findall(r"[^\W\d_]+(?:-[^\W\d_]+)*", article.text))
    assert compounds <= words
    assert discretionary <= words
    assert not any(f"{a}-{b}" in words for a, b in broken if a + b in discretionary)


def test_presentation_forms_are_normalised():
    assert normalise("e\ufb03cient \ufb01eld \ufb02ow") == "efficient field flow"
    assert normalise("soft\u00adhyphen") == "softhyphen"
    # Arabic presentation forms fold to the letters a search is typed in.
    assert normalise("\ufe8d\ufedf") == "\u0627\u0644"


def test_references_are_recognised_and_kept_out_of_passages(article):
    from pinpoint.index.ingest import chunk, clean

    references = [b for b in article.blocks if b.kind == "references"]
    assert len(references) == len(truth("article")["references"])
    first = truth("article")["references"][0]
    assert first.split(".")[0] in references[0].text
    passages = chunk.chunk(article.id, clean.clean(article))
    assert not any("Journal of" in p.text and "Studies," in p.text for p in passages)


def test_passages_carry_page_and_page_end(article):
    from pinpoint.index.ingest import chunk, clean

    passages = chunk.chunk(article.id, clean.clean(article))
    assert {p.page for p in passages} == {"153", "154", "155"}
    assert any(p.page_end for p in passages)
    assert all(p.page_end is None or int(p.page_end) == int(p.page) + 1 for p in passages)


def test_metadata_title_from_largest_type_doi_from_page_one_and_no_invented_authors(article, report):
    assert article.meta["title"] == truth("article")["title"]
    assert article.meta["DOI"] == truth("article")["doi"]
    assert "author" not in article.meta and "issued" not in article.meta
    # LibreOffice writes the document's title and author into Info and XMP.
    assert report.meta["title"] == truth("report")["title"]
    assert report.meta["author"] == [{"family": "Vance", "given": "Cora"}]


@pytest.mark.parametrize("content, reason", [
    (b"", "corrupt or truncated PDF"),
    (b"%PDF-1.4\n1 0 obj << /Type /Catalog", "corrupt or truncated PDF"),
    (b"this is not a PDF at all\n" * 20, "corrupt or truncated PDF"),
])
def test_unreadable_files_are_skipped_with_a_reason(tmp_path, content, reason):
    path = tmp_path / "bad.pdf"
    path.write_bytes(content)
    with pytest.raises(SkipFile) as skipped:
        read_file(path, tmp_path)
    assert reason in skipped.value.reason


def test_encrypted_with_an_empty_password_is_read_and_with_a_real_one_skipped():
    [raw] = read_file(FIXTURES / "empty-password.pdf", FIXTURES)
    assert raw.meta["title"] == truth("report")["title"] and len(raw.blocks) > 10
    with pytest.raises(SkipFile, match="encrypted: needs a password"):
        read_file(FIXTURES / "needs-password.pdf", FIXTURES)


def test_a_pdf_without_pages_is_skipped(tmp_path):
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [] /Count 0 >>"]
    write_pdf(tmp_path / "empty.pdf", objects)
    with pytest.raises(SkipFile) as skipped:
        read_file(tmp_path / "empty.pdf", tmp_path)
    assert skipped.value.reason.startswith("PDF has no pages")


def test_truncated_pdf_is_skipped_not_fatal(tmp_path):
    path = tmp_path / "cut.pdf"
    path.write_bytes((FIXTURES / "article.pdf").read_bytes()[:20_000])
    try:
        [raw] = read_file(path, tmp_path)  # PDFium may recover what it can
        assert raw.text
    except SkipFile as skipped:
        assert "corrupt" in skipped.reason or "no text" in skipped.reason or "no body" in skipped.reason


SLOW_GLYPHS = 3_000_000  # ~1.7 CPU seconds of PDFium and layout work


def test_time_limit_stops_a_slow_file(tmp_path):
    slow = heavy_pdf(tmp_path / "slow.pdf", glyphs=SLOW_GLYPHS // 20, pages=20)
    with pytest.raises(SkipFile, match="longer than"):
        pdf_reader.read_pdf_file(slow, tmp_path, PdfLimits(seconds=0.2))


def heavy_pdf(path: Path, glyphs: int = 300_000, pages: int = 1) -> Path:
    """A PDF whose every page's text layer holds ``glyphs`` characters: tens of MB each in PDFium."""
    kids = b" ".join(b"%d 0 R" % (4 + 2 * n) for n in range(pages))
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>",
               b"<< /Type /Pages /Kids [%s] /Count %d >>" % (kids, pages),
               b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"]
    for n in range(pages):
        # Each page's own word first: identical pages would be one long running head.
        word = "".join(chr(97 + int(d)) for d in str(n)).encode()
        content = b"BT /F1 1 Tf (%s ) Tj " % word + b"(abcdefghij) Tj " * (glyphs // 10) + b"ET"
        objects.append(b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents %d 0 R"
                       b" /Resources << /Font << /F1 3 0 R >> >> >>" % (5 + 2 * n))
        objects.append(b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream")
    return write_pdf(path, objects)


def test_memory_limit_stops_a_file_that_needs_more(tmp_path):
    path = heavy_pdf(tmp_path / "heavy.pdf")
    with pytest.raises(SkipFile, match="MB"):
        pdf_reader.read_pdf_file(path, tmp_path, PdfLimits(memory_mb=8))


def test_heavy_file_reads_within_the_default_limits(tmp_path):
    # The same file under the default limit: the limit above is what stopped it.
    [raw] = pdf_reader.read_pdf_file(heavy_pdf(tmp_path / "heavy.pdf", glyphs=20_000), tmp_path)
    assert "abcdefghij" in raw.text


def _samples() -> list[Path]:
    if not SAMPLES.is_dir():
        if os.environ.get("CI") == "true":
            pytest.fail(f"pdf-samples dataset missing at {SAMPLES}")
        pytest.skip(f"dataset 'pdf-samples' not found at {SAMPLES}: place ../shared/datasets beside the repository")
    return sorted(SAMPLES.rglob("*.pdf"))


def test_every_sample_is_indexed_or_skipped_with_a_reason():
    expected_skips = {
        "libreoffice-writer-password.pdf": "encrypted",
        "imagemagick-lzw.pdf": "no text layer",
        "grayscale-image.pdf": "no text layer",
        "unreadablemetadata.pdf": "corrupt",
    }
    outcomes = {}
    for path in _samples():
        try:
            [raw] = read_file(path, SAMPLES)
            outcomes[path.name] = ("ok", raw)
        except SkipFile as skipped:
            assert skipped.reason
            outcomes[path.name] = ("skip", skipped.reason)
    for name, reason in expected_skips.items():
        assert outcomes[name][0] == "skip" and reason in outcomes[name][1], (name, outcomes[name])
    multicolumn = outcomes["multicolumn.pdf"][1]
    assert not any(re.fullmatch(r"\d{1,3}", b.text) or re.match(r"\d \w", b.text) for b in multicolumn.blocks)
    assert outcomes["output_with_metadata_pymupdf.pdf"][1].meta["title"] == "Sample PDF with XMP Metadata"
    geotopo = outcomes["GeoTopo-komprimiert.pdf"][1]
    # Front matter numbered in roman numerals by its /PageLabels.
    assert geotopo.pages[0][1] == "i"


def test_build_reads_pdfs_ahead_in_order_under_the_time_limit(tmp_path):
    from pinpoint.index.store.build import build_index

    folder = tmp_path / "papers"
    folder.mkdir()
    for name in ("a", "b", "c"):
        shutil.copy(FIXTURES / "article.pdf", folder / f"{name}.pdf")
    shutil.copy(FIXTURES / "report.pdf", folder / "d.pdf")
    # ~4.5 CPU seconds against a 3 s limit; the others take ~0.1 s, with room for a loaded machine.
    # Many moderate pages: slow, yet each page's layout is small, so only the time limit applies.
    heavy_pdf(folder / "b2-slow.pdf", glyphs=200_000, pages=40)
    report = build_index([folder], tmp_path / "index", procs=2, pdf_limits=PdfLimits(seconds=3.0))
    assert report.sources == 4
    [(where, reason)] = report.skipped
    assert Path(where).name == "b2-slow.pdf" and "longer than 3 s" in reason


def test_build_indexes_pdfs_and_skips_bad_ones_with_reasons(tmp_path):
    from pinpoint.index.store.build import build_index

    folder = tmp_path / "papers"
    folder.mkdir()
    shutil.copy(FIXTURES / "article.pdf", folder / "article.pdf")
    (folder / "empty.pdf").write_bytes(b"")
    (folder / "notes.pdf").write_text("not a pdf\n")
    report = build_index([folder], tmp_path / "index")
    assert report.sources == 1
    reasons = dict(report.skipped)
    assert set(map(lambda p: Path(p).name, reasons)) == {"empty.pdf", "notes.pdf"}
    assert all("corrupt" in r for r in reasons.values())


def test_a_build_of_every_sample_finishes_with_each_pdf_indexed_or_skipped(tmp_path):
    from pinpoint.index.store.build import build_index

    samples = _samples()
    report = build_index([SAMPLES], tmp_path / "index")
    skipped = {Path(where.split(" (")[0]).name: reason for where, reason in report.skipped}
    from pinpoint.index.store.versions import open_searcher

    searcher = open_searcher(tmp_path / "index")
    indexed = {Path(s.path).name for s in searcher.sources()}
    searcher.close()
    for pdf in samples:
        assert (pdf.name in indexed) != (pdf.name in skipped), pdf.name
        if pdf.name in skipped:
            assert len(skipped[pdf.name]) > 10, skipped[pdf.name]


def test_bylines_under_the_title_are_front_matter_not_section_headings(article):
    from pinpoint.index.ingest import chunk, clean

    assert [b.kind for b in article.blocks[:2]] == ["title", "front"]
    assert "Quill" in article.blocks[1].text
    first = chunk.chunk(article.id, clean.clean(article))[0]
    assert first.heading is None or "Quill" not in first.heading


def _wrapped(text: str, width: int) -> list[str]:
    lines, line = [], ""
    for word in text.split():
        if line and len(line) + len(word) + 1 > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    return lines + [line]


def rowwise_pdf(path: Path, paragraphs: list[str], gutter: float = 36.0) -> Path:
    """Two columns written row by row (a left line, then the right line at the same baseline),
    as some producers do: PDFium then reads both as one line."""
    column: list[tuple[str, bool]] = []
    for paragraph in paragraphs:
        column += [(line, i == 0) for i, line in enumerate(_wrapped(paragraph, 42))] + [("", False)]
    half = (len(column) + 1) // 2
    left, right = column[:half], column[half:]
    ops = []
    for row in range(half):
        for x, lines in ((72.0, left), (72.0 + 220 + gutter, right)):
            if row < len(lines) and lines[row][0]:
                line, first = lines[row]
                ops.append(f"BT /F1 10 Tf {x + (12 if first else 0)} {720 - 13 * row} Td ({line}) Tj ET")
    content = "\n".join(ops).encode()
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
               b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R"
               b" /Resources << /Font << /F1 5 0 R >> >> >>",
               b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
               b"<< /Type /Font /Subtype /Type1 /BaseFont /Times-Roman >>"]
    return write_pdf(path, objects)


def test_two_columns_written_row_by_row_are_read_column_by_column(tmp_path):
    import random

    from tests.pdf_truth import paragraph_text

    rng = random.Random(4)
    paragraphs = [paragraph_text(rng, (2, 3)) for _ in range(6)]
    [raw] = read_file(rowwise_pdf(tmp_path / "rows.pdf", paragraphs), tmp_path)
    blocks = [" ".join(b.text.split()) for b in raw.blocks if b.kind == "paragraph"]
    assert blocks == [" ".join(p.split()) for p in paragraphs]
