"""Checking that a PDF is PDF/A-2b with every font embedded (the archive's and the records export's)."""

from __future__ import annotations

import io
from pathlib import Path

from pypdf import PdfReader


def assert_pdfa(pdf: bytes | Path) -> PdfReader:
    """Assert PDF/A-2b metadata, an output intent and embedded fonts on every page; return the reader."""
    reader = PdfReader(io.BytesIO(pdf) if isinstance(pdf, bytes) else str(pdf))
    xmp = reader.xmp_metadata.stream.get_data().decode()
    assert 'pdfaid:part="2"' in xmp and 'pdfaid:conformance="B"' in xmp
    assert "/OutputIntents" in reader.trailer["/Root"]
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            descriptor = (font.get("/FontDescriptor")
                          or font["/DescendantFonts"][0].get_object()["/FontDescriptor"]).get_object()
            assert any(key in descriptor for key in ("/FontFile", "/FontFile2", "/FontFile3")), font["/BaseFont"]
    return reader
