"""innboks/domain/conversation_pdf.py: the conversation as a PDF/A-2b with embedded fonts."""

from innboks.domain.conversation_pdf import render_pdf
from tests.pdfa import assert_pdfa
from tests.unit.connectors.archive.helpers import SCREENED_TEXT, case_for


def test_conversation_pdf_is_pdfa_with_embedded_fonts_and_the_whole_thread() -> None:
    pdf = render_pdf(case_for(SCREENED_TEXT), "Alta kommune", "Alta kommune (Facebook)")
    reader = assert_pdfa(pdf)
    text = " ".join(page.extract_text() for page in reader.pages)
    assert "Brøyteplan for uka" in text and "byggetillatelse" in text and "Skjermet" in text
