"""A forwarded case as a KS Fiks Arkiv V1 ``arkivmelding`` (create): a case file with one incoming
journal entry, its sender, and the conversation as the main document.

Shape (Noark 5): ``mappe`` (``saksmappe``) and ``registrering`` (``journalpost``, type ``I``,
incoming) side by side, the journal entry pointing at the case file by ``systemID``; the citizen as
``korrespondansepart`` of type ``EA`` (sender); a ``dokumentbeskrivelse`` linked as ``H`` (main
document) with one ``dokumentobjekt`` in archive format (the PDF/A). When the case is screened, the
journal entry and the document carry ``skjerming`` with the legal basis, and the public titles
leave out everything personal.

Every id is derived from the case id (uuid5), so the same case always gives the same XML.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from pathlib import Path

from lxml import etree

from innboks.domain.calendar import OSLO
from schemas import CaseForward

NS = "https://ks-no.github.io/standarder/fiks-protokoll/fiks-arkiv/arkivmelding/opprett/v1"
MDK = "https://ks-no.github.io/standarder/fiks-protokoll/fiks-arkiv/metadatakatalog/v1"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
XSD_DIR = Path(__file__).parent / "xsd"
SCHEMA_FILE = XSD_DIR / "no.ks.fiks.arkiv.v1.arkivering.arkivmelding.opprett.xsd"

SYSTEM = "Innboks"
#: Noark 5 code for access restriction by the duty of confidentiality (tilgangsrestriksjon 13).
CONFIDENTIALITY_CODE = ("13", "Taushetsplikt")

_PLATFORM_NAMES = {"facebook": "Facebook", "instagram": "Instagram", "x": "X", "linkedin": "LinkedIn",
                   "youtube": "YouTube", "mastodon": "Mastodon", "bluesky": "Bluesky"}


class InvalidArkivmelding(ValueError):
    """The XML does not validate against the Fiks Arkiv schema (a bug: never archive it)."""


@dataclass(frozen=True)
class Document:
    """The file the package carries for the main document."""

    filename: str
    sha256: str
    size: int
    created_at: datetime


def _id(case_id: str, part: str) -> str:
    return str(uuid.uuid5(uuid.UUID(case_id), part))


def _el(parent: etree._Element, name: str, text: str | None = None, ns: str = NS) -> etree._Element:
    element = etree.SubElement(parent, f"{{{ns}}}{name}")
    if text is not None:
        element.text = text
    return element


def _code(parent: etree._Element, name: str, code: str, description: str) -> None:
    element = _el(parent, name)
    _el(element, "kode", code, MDK)
    _el(element, "beskrivelse", description, MDK)


def _external_key(parent: etree._Element, key: str) -> None:
    element = _el(parent, "referanseEksternNoekkel")
    _el(element, "fagsystem", SYSTEM, MDK)
    _el(element, "noekkel", key, MDK)


def titles(case: CaseForward) -> tuple[str, str]:
    """The title, and the public title that leaves out names and content (offentlig journal)."""
    platform = _PLATFORM_NAMES.get(case.inquiry.platform.value, case.inquiry.platform.value)
    public = f"Henvendelse via {platform}"
    name = case.inquiry.author_name
    title = f"{public} fra {name}" if name and not case.screening.screened else public
    return title, public


def _screening(parent: etree._Element, case: CaseForward) -> None:
    if not case.screening.screened:
        return
    element = _el(parent, "skjerming")
    _code(element, "tilgangsrestriksjon", *CONFIDENTIALITY_CODE)
    _el(element, "skjermingshjemmel", case.screening.legal_basis or "Offl. § 13")


def _folder(root: etree._Element, case: CaseForward, owning_unit: str | None) -> None:
    """The saksmappe of the case, the same in every message about it (found again by its external key)."""
    title, public_title = titles(case)
    folder = _el(root, "mappe")
    folder.set(f"{{{XSI}}}type", "saksmappe")
    _el(folder, "systemID", case.case_id)
    _el(folder, "tittel", title)
    _el(folder, "offentligTittel", public_title)
    if owning_unit:
        _el(folder, "beskrivelse", f"Eierenhet for kontoen: {owning_unit}")
    _external_key(folder, case.case_id)
    _el(folder, "saksdato", case.inquiry.created_at.astimezone(OSLO).date().isoformat())


def _document(entry: etree._Element, case: CaseForward, document: Document, title: str, part: str) -> None:
    description = _el(entry, "dokumentbeskrivelse")
    _el(description, "systemID", _id(case.case_id, f"dokumentbeskrivelse:{part}"))
    _el(description, "tittel", title)
    _el(description, "opprettetDato", document.created_at.isoformat())
    _el(description, "opprettetAv", SYSTEM)
    _code(description, "tilknyttetRegistreringSom", "H", "Hoveddokument")
    _el(description, "dokumentnummer", "1")
    _screening(description, case)
    obj = _el(description, "dokumentobjekt")
    _el(obj, "systemID", _id(case.case_id, f"dokumentobjekt:{part}"))
    _el(obj, "versjonsnummer", "1")
    _code(obj, "variantformat", "A", "Arkivformat")
    _code(obj, "format", "RA-PDF", "PDF/A - ISO 19005-2")
    _el(obj, "mimeType", "application/pdf")
    _el(obj, "filnavn", document.filename)
    _el(obj, "referanseDokumentfil", document.filename)
    _el(obj, "sjekksum", document.sha256)
    _el(obj, "sjekksumAlgoritme", "SHA-256")
    _el(obj, "filstoerrelse", str(document.size))


def _sender(entry: etree._Element, case: CaseForward) -> None:
    message = case.inquiry
    sender = _el(entry, "korrespondansepart")
    _code(sender, "korrespondanseparttype", "EA", "Avsender")
    _el(sender, "korrespondansepartNavn", message.author_name or f"Ukjent avsender ({message.author_id or 'ukjent'})")
    if case.screening.screened:
        _el(sender, "erSkjermet", "true")


def _root() -> etree._Element:
    root = etree.Element(f"{{{NS}}}arkivmelding", nsmap={None: NS, "n5mdk": MDK, "xsi": XSI})
    _el(root, "system", SYSTEM)
    _el(root, "antallFiler", "1")
    return root


def build(case: CaseForward, document: Document, owning_unit: str | None = None) -> bytes:
    """The ``arkivmelding.xml`` of one case (UTF-8, validated)."""
    message = case.inquiry
    title, public_title = titles(case)
    received_local = message.created_at.astimezone(OSLO)
    root = _root()
    _folder(root, case, owning_unit)

    entry = _el(root, "registrering")
    entry.set(f"{{{XSI}}}type", "journalpost")
    _el(entry, "systemID", _id(case.case_id, "journalpost"))
    parent = _el(entry, "referanseForelderMappe")
    _el(parent, "systemID", case.case_id, MDK)
    _screening(entry, case)
    _document(entry, case, document, f"{public_title}: samtalen", "1")
    _el(entry, "tittel", title)
    _el(entry, "offentligTittel", public_title)
    _sender(entry, case)
    _external_key(entry, message.id)
    _code(entry, "journalposttype", "I", "Inngående dokument")
    _code(entry, "journalstatus", "M", "Mottatt")
    _el(entry, "dokumentetsDato", received_local.date().isoformat())
    _el(entry, "mottattDato", message.created_at.isoformat())

    xml = etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)
    validate(xml)
    return xml


#: A later change of the inquiry: the journal entry's title suffix, type and status. An edit is the
#: citizen's new text (incoming); a hiding or deletion is what Innboks observed (an internal note).
CHANGE_ENTRIES = {
    "edited": ("endret av avsender", ("I", "Inngående dokument"), ("M", "Mottatt")),
    "hidden": ("skjult på plattformen", ("X", "Organinternt notat uten oppfølging"), ("F", "Ferdigstilt")),
    "deleted": ("slettet på plattformen", ("X", "Organinternt notat uten oppfølging"), ("F", "Ferdigstilt")),
}


def change_key(case: CaseForward) -> str:
    """The external key of a change's journal entry (revision 0's is the inquiry's id)."""
    return f"{case.inquiry.id}/revisjon/{case.revision}"


def build_change(case: CaseForward, document: Document, owning_unit: str | None = None) -> bytes:
    """A later revision as an ``arkivmelding.xml``: a new journal entry in the case's saksmappe.

    The message carries the same saksmappe as revision 0 (same ``systemID`` and external key), so
    the archive finds the existing one by ``referanseEksternNoekkel`` (and creates it only if it has
    never seen it), and the journal entry points at it both by ``systemID`` and by the external key.
    """
    assert case.change is not None and case.revision > 0, "a change is a revision after 0"
    suffix, entry_type, status = CHANGE_ENTRIES[case.change.event.value]
    title, public_title = titles(case)
    observed_local = case.change.observed_at.astimezone(OSLO)
    root = _root()
    _folder(root, case, owning_unit)
    entry = _el(root, "registrering")
    entry.set(f"{{{XSI}}}type", "journalpost")
    _el(entry, "systemID", _id(case.case_id, f"journalpost:{case.revision}"))
    parent = _el(entry, "referanseForelderMappe")
    _el(parent, "systemID", case.case_id, MDK)
    external = _el(parent, "referanseEksternNoekkel", ns=MDK)
    _el(external, "fagsystem", SYSTEM, MDK)
    _el(external, "noekkel", case.case_id, MDK)
    _screening(entry, case)
    _document(entry, case, document, f"{public_title}: {suffix}", f"{case.revision}:1")
    _el(entry, "tittel", f"{title}: {suffix}")
    _el(entry, "offentligTittel", f"{public_title}: {suffix}")
    if case.change.event.value == "edited":
        _sender(entry, case)
    _external_key(entry, change_key(case))
    _code(entry, "journalposttype", *entry_type)
    _code(entry, "journalstatus", *status)
    _el(entry, "dokumentetsDato", observed_local.date().isoformat())
    _el(entry, "mottattDato", case.change.observed_at.isoformat())

    xml = etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)
    validate(xml)
    return xml


@lru_cache(maxsize=1)
def _schema() -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(SCHEMA_FILE)))


def validate(xml: bytes) -> None:
    """Raise ``InvalidArkivmelding`` with the first error (line and message) unless the XML is valid."""
    schema = _schema()
    document = etree.fromstring(xml)
    if not schema.validate(document):
        error = schema.error_log[0]
        raise InvalidArkivmelding(f"arkivmelding.xml:{error.line}: {error.message}")
