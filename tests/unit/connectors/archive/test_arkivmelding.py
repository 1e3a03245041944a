"""connectors/archive/arkivmelding.py: arkivmelding.xml, valid against the vendored Fiks Arkiv XSD."""

import hashlib

import pytest
from lxml import etree

from connectors.archive.arkivmelding import MDK, NS, Document, InvalidArkivmelding, build, validate
from schemas import CaseForward
from tests.unit.connectors.archive.helpers import NOW, OPEN_TEXT, SCREENED_TEXT, case_for


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
