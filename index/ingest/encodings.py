"""Bytes of a source file to text: the encoding it states, else UTF-8, else a detected one.

The order follows the WHATWG Encoding Standard, which is how browsers read
saved pages: a byte order mark wins, then a charset the page declares
(``<meta charset>`` or ``http-equiv="Content-Type"``), then UTF-8.  Only
then is the encoding detected, by charset-normalizer.  Detection is weak on
short single-byte text (it may read "naïve" as windows-1250 "naďve"), so
among single-byte readings that are about equally clean, windows-1252, the
web's legacy default, is preferred; a multi-byte reading (Shift_JIS, GB18030,
...) is taken as detected.
"""

from __future__ import annotations

import codecs
import re



class NotText(ValueError):
    """Bytes that cannot be read as text; the message is the reason."""

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"), (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be"),
)
# Only the head is checked for NUL bytes: binary formats show them at once,
# and scanning a whole large file twice would double the read cost.
BINARY_PROBE = 8192
# A page must declare its charset within its first 1024 bytes (HTML standard);
# a little more allows for long <head> openings seen in the wild.
_PRESCAN = 4096
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9._:-]+)""", re.I)
# WHATWG: these labels mean windows-1252 in every browser.
_LABEL_ALIASES = {"iso-8859-1": "cp1252", "iso8859-1": "cp1252", "latin1": "cp1252", "latin-1": "cp1252",
                  "us-ascii": "cp1252", "ascii": "cp1252", "l1": "cp1252", "x-sjis": "shift_jis"}
_MULTI_BYTE = frozenset("""
utf_8 utf_16 utf_16_le utf_16_be utf_32 utf_32_le utf_32_be cp932 shift_jis shift_jis_2004 shift_jisx0213
euc_jp euc_jis_2004 euc_jisx0213 iso2022_jp gb2312 gbk gb18030 hz big5 big5hkscs cp950 euc_kr cp949 johab
iso2022_kr
""".split())
_PREFER_MARGIN = 0.1
_MESS_SAMPLE = 100_000


def declared_charset(data: bytes) -> str | None:
    """The charset an HTML page declares in its head, if Python knows it."""
    found = _META_CHARSET.search(data[:_PRESCAN])
    if not found:
        return None
    label = found.group(1).decode("ascii", "ignore").strip().lower()
    label = _LABEL_ALIASES.get(label, label)
    try:
        return codecs.lookup(label).name
    except LookupError:
        return None


def decode(data: bytes, *, html: bool = False) -> str:
    """Text of ``data``; NotText ("binary", undecodable) when it has none."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return data[len(bom):].decode(encoding)
            except UnicodeDecodeError:
                raise NotText(f"not valid {encoding} text despite its byte order mark") from None
    if b"\x00" in data[:BINARY_PROBE]:
        raise NotText("binary")
    declared = declared_charset(data) if html else None
    if declared:
        try:
            return data.decode(declared)
        except UnicodeDecodeError:
            pass  # a wrong declaration is common; read it as if none were made
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    encoding = detect(data)
    if encoding is None:
        raise NotText("not UTF-8 text, and no other encoding could be told")
    return data.decode(encoding, errors="replace")


def detect(data: bytes) -> str | None:
    """charset-normalizer's reading, with windows-1252 preferred among equals (see above)."""
    import charset_normalizer  # imported here: only files that are not UTF-8 need it

    from charset_normalizer.md import mess_ratio

    results = list(charset_normalizer.from_bytes(data))
    if not results:
        return None
    best = min(results, key=lambda r: r.chaos)
    if codecs.lookup(best.encoding).name.replace("-", "_") in _MULTI_BYTE:
        return best.encoding
    try:
        western = data.decode("cp1252")
    except UnicodeDecodeError:  # bytes windows-1252 leaves undefined
        return best.encoding
    sample = western[:_MESS_SAMPLE]
    if mess_ratio(sample, maximum_threshold=1.0) <= best.chaos + _PREFER_MARGIN:
        return "cp1252"
    return best.encoding
