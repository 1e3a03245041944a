"""The archive package's pieces: arkivmelding.xml valid against the vendored Fiks Arkiv XSD, and the
conversation as a PDF/A-2b with embedded fonts."""

import hashlib
import io
from datetime import UTC, datetime

import pytest
from lxml import etree
from pypdf import PdfReader

from connectors.archive.arkivmelding import MDK, NS, Document, InvalidArkivmelding, build, validate
from connectors.archive.document import render_pdf
from schemas import CaseForward
from streams.routing.process import ConversationHistory, build_case
from streams.triage.classifier import build_classifier
from streams.triage.process import triage_message
from tests.helpers import message

NOW = datetime(2026, 11, 16, 12, tzinfo=UTC)
CLASSIFIER = build_classifier()
SCREENED_TEXT = "Jeg har søkt om byggetillatelse, saksnr 24/1234, fnr 01010012356. Når får jeg svar på søknaden?"
OPEN_TEXT = "Hei! Jeg har søkt om byggetillatelse for garasje i Markveien. Når får jeg svar på søknaden?"


def case_for(text: str) -> CaseForward:
    history = ConversationHistory().with_message(message("post", from_account=True, text="Brøyteplan for uka",
                                                         created="2026-11-16T07:00:00+00:00"))
    triaged = triage_message(message("q1", text=text), CLASSIFIER, NOW)
    return build_case(triaged, history, "Offl. § 13 jf. fvl. § 13", NOW)


def xml_of(case: CaseForward) -> etree._Element:
    pdf = b"%PDF-1.7 test"
    document = Document("samtale.pdf", hashlib.sha256(pdf).hexdigest(), len(pdf), NOW)
    return etree.fromstring(build(case, document, "Kommunikasjonsenheten"))


def find(root: etree._Element, path: str) -> list[etree._Element]:
    return root.xpath(path, namespaces={"a": NS, "m": MDK})


def test_screened_case_has_skjerming_on_entry_and_document_and_a_public_title_without_the_name() -> None:
    case = case_for(SCREENED_TEXT)
    assert case.screening.screened
    root = xml_of(case)
    assert len(find(root, "/a:arkivmelding/a:registrering/a:skjerming")) == 1
    assert len(find(root, "//a:dokumentbeskrivelse/a:skjerming")) == 1
    assert find(root, "//a:registrering/a:skjerming/a:skjermingshjemmel")[0].text == "Offl. § 13 jf. fvl. § 13"
    titles = [e.text for e in find(root, "//a:tittel | //a:offentligTittel")]
    assert not any("Kari" in t for t in titles)


def test_open_case_is_an_incoming_entry_with_the_sender_and_the_main_document() -> None:
    case = case_for(OPEN_TEXT)
    assert not case.screening.screened
    root = xml_of(case)
    assert find(root, "//a:registrering/a:journalposttype/m:kode")[0].text == "I"
    assert find(root, "//a:korrespondansepart/a:korrespondanseparttype/m:kode")[0].text == "EA"
    assert find(root, "//a:korrespondansepart/a:korrespondansepartNavn")[0].text == "Kari Nordmann"
    assert find(root, "//a:dokumentbeskrivelse/a:tilknyttetRegistreringSom/m:kode")[0].text == "H"
    assert find(root, "//a:registrering/a:referanseForelderMappe/m:systemID")[0].text == case.case_id
    assert find(root, "//a:registrering/a:skjerming") == []


def test_same_case_gives_the_same_xml() -> None:
    case = case_for(OPEN_TEXT)
    assert etree.tostring(xml_of(case)) == etree.tostring(xml_of(case))


def test_invalid_xml_is_refused_with_the_line() -> None:
    root = xml_of(case_for(OPEN_TEXT))
    for element in find(root, "//a:registrering/a:journalposttype"):
        element.getparent().remove(element)
    with pytest.raises(InvalidArkivmelding, match=r"arkivmelding.xml:\d+: .*journalposttype"):
        validate(etree.tostring(root))


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


def test_writer_is_idempotent_cleans_leftovers_and_appends_changes(tmp_path) -> None:
    from connectors.archive.package import ArchiveWriter, Outcome
    from schemas import CaseChange, Event

    out = tmp_path / "arkiv"
    writer = ArchiveWriter(out, "Alta kommune")
    out.mkdir()
    (out / ".tmp-half-written").mkdir()
    assert writer.prepare() == 1 and not (out / ".tmp-half-written").exists()
    case = case_for(OPEN_TEXT)
    assert writer.write(case) is Outcome.WRITTEN
    original = (out / case.case_id / "arkivmelding.xml").read_bytes()
    assert writer.write(case) is Outcome.EXISTS
    assert sorted(p.name for p in (out / case.case_id).iterdir()) == ["arkivmelding.xml", "case.json", "samtale.pdf"]
    change = case.model_copy(update={"revision": 1, "change": CaseChange(
        event=Event.DELETED, message=message("q1", text=None, event=Event.DELETED), observed_at=NOW)})
    assert writer.write(change) is Outcome.CHANGE_WRITTEN
    assert writer.write(change) is Outcome.CHANGE_EXISTS
    assert (out / case.case_id / "arkivmelding.xml").read_bytes() == original
    other = case_for(SCREENED_TEXT).model_copy(update={"case_id": "00000000-0000-4000-8000-000000000000"})
    orphan = other.model_copy(update={"revision": 1, "change": change.change})
    assert writer.write(orphan) is Outcome.ORPHAN_CHANGE
    assert (out / ".orphans" / other.case_id / "endringer" / "0001-deleted.json").exists()
