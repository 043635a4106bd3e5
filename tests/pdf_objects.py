"""Hand-written PDFs for tests: objects in, a valid file with its cross-reference table out.

Tests that need a PDF with one particular trait (no pages, an XMP packet, a
heavy page, two columns) write its objects by hand; the file structure around
them (header, offsets, xref, trailer) is the same every time.
"""

from __future__ import annotations

from pathlib import Path


def write_pdf(path: Path, objects: list[bytes]) -> Path:
    """Write ``objects`` (numbered from 1; object 1 is the catalog) as a PDF 1.4 file."""
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    size = len(objects) + 1
    out += b"xref\n0 %d\n0000000000 65535 f \n" % size + b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer << /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (size, xref)
    path.write_bytes(bytes(out))
    return path
