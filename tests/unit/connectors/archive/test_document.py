"""connectors/archive/document.py: the conversation as a PDF/A-2b with embedded fonts."""

import io

from pypdf import PdfReader

from connectors.archive.document import render_pdf
from tests.unit.connectors.archive.helpers import SCREENED_TEXT, case_for


def test_conversation_pdf_is_pdfa_with_embedded_fonts_and_the_whole_thread() -> None:
    pdf = render_pdf(case_for(SCREENED_TEXT), "Alta kommune", "Alta kommune (Facebook)")
    reader = PdfReader(io.BytesIO(pdf))
    xmp = reader.xmp_metadata.stream.get_data().decode()
    assert 'pdfaid:part="2"' in xmp and 'pdfaid:conformance="B"' in xmp
    assert "/OutputIntents" in reader.trailer["/Root"]
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            descriptor = (font.get("/FontDescriptor")
                          or font["/DescendantFonts"][0].get_object()["/FontDescriptor"]).get_object()
            assert any(key in descriptor for key in ("/FontFile", "/FontFile2", "/FontFile3")), font["/BaseFont"]
    text = " ".join(page.extract_text() for page in reader.pages)
    assert "Brøyteplan for uka" in text and "byggetillatelse" in text and "Skjermet" in text
