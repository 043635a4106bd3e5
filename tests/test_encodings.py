"""Encodings: stated charsets and byte order marks are honoured; others are detected; .gz is read."""

from __future__ import annotations

import gzip

import pytest

from pinpoint.index.ingest.readers import SkipFile, read_file
from tests.conftest import ROOT

PAGE = (ROOT / "tests" / "fixtures" / "sources" / "page.html").read_text(encoding="utf-8")
WESTERN = "Café owners said the naïve “plan” – announced on Monday – would fail."


def _page(head: str, body: str) -> str:
    return f"<!DOCTYPE html><html><head>{head}<title>Prices</title></head><body><article><h1>Prices</h1>" \
           + "".join(f"<p>{body} Paragraph {n} of the article goes on for a while.</p>" for n in range(6)) \
           + "</article></body></html>"


@pytest.mark.parametrize("head", [
    '<meta charset="windows-1252">',
    '<meta http-equiv="Content-Type" content="text/html; charset=windows-1252">',
    "<meta charset='ISO-8859-1'>",  # browsers read latin-1 labels as windows-1252
])
def test_html_declaring_windows_1252_is_read_in_it(tmp_path, head):
    (tmp_path / "p.html").write_bytes(_page(head, WESTERN).encode("cp1252"))
    (raw,) = read_file(tmp_path / "p.html", tmp_path)
    assert WESTERN in raw.text


def test_a_declared_charset_beats_detection(tmp_path):
    text = "Zażółć gęślą jaźń, powiedział Paweł w środę."
    (tmp_path / "p.html").write_bytes(_page('<meta charset="windows-1250">', text).encode("cp1250"))
    (raw,) = read_file(tmp_path / "p.html", tmp_path)
    assert text in raw.text


def test_a_wrong_declaration_falls_back_to_utf8(tmp_path):
    (tmp_path / "p.html").write_bytes(_page('<meta charset="shift_jis">', WESTERN).encode("utf-8"))
    (raw,) = read_file(tmp_path / "p.html", tmp_path)
    assert WESTERN in raw.text


@pytest.mark.parametrize("encoding,bom", [("utf-16-le", b"\xff\xfe"), ("utf-16-be", b"\xfe\xff"),
                                          ("utf-8", b"\xef\xbb\xbf"), ("utf-32-le", b"\xff\xfe\x00\x00")])
def test_byte_order_marks_decide_the_encoding(tmp_path, encoding, bom):
    (tmp_path / "t.txt").write_bytes(bom + f"{WESTERN}\n\nSecond paragraph.\n".encode(encoding))
    (raw,) = read_file(tmp_path / "t.txt", tmp_path)
    assert raw.text.startswith(WESTERN) and "\ufeff" not in raw.text


@pytest.mark.parametrize("text,encoding", [
    (WESTERN, "cp1252"),
    ("Das Mädchen ging über die Straße und aß einen Apfel.", "latin-1"),
    ("Привет, как дела? Это русский текст в старой кодировке.", "cp1251"),
    ("これは日本語の文章です。古い符号化で保存されました。", "shift_jis"),
])
def test_undeclared_encodings_are_detected(tmp_path, text, encoding):
    (tmp_path / "t.txt").write_bytes(f"{text}\n\n{text}\n".encode(encoding))
    (raw,) = read_file(tmp_path / "t.txt", tmp_path)
    assert raw.text.startswith(text)


def test_undecodable_bytes_are_skipped_with_a_reason(tmp_path):
    import random

    (tmp_path / "noise.txt").write_bytes(random.Random(3).randbytes(50_000).replace(b"\x00", b"\x80"))
    with pytest.raises(SkipFile, match="UTF-8"):
        read_file(tmp_path / "noise.txt", tmp_path)


@pytest.mark.parametrize("name", ["page.html.gz", "page.htm.gz", "notes.txt.gz"])
def test_gzipped_pages_and_text_are_read(tmp_path, name):
    content = PAGE if ".htm" in name else f"{WESTERN}\n\nMore text here.\n"
    (tmp_path / name).write_bytes(gzip.compress(content.encode("utf-8")))
    (raw,) = read_file(tmp_path / name, tmp_path)
    assert raw.id == name.split(".")[0]
    assert raw.fmt == ("html" if ".htm" in name else "txt")
    if raw.fmt == "txt":
        assert raw.text.startswith(WESTERN)
    else:
        assert len(raw.text) > 100


def test_a_corrupt_gzip_is_skipped_with_a_reason(tmp_path):
    (tmp_path / "bad.txt.gz").write_bytes(gzip.compress(b"fine text\n" * 100)[:20])
    with pytest.raises(SkipFile, match="cannot read"):
        read_file(tmp_path / "bad.txt.gz", tmp_path)
