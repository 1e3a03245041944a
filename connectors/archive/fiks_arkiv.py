"""The Fiks Arkiv V1 protocol's messages around ``arkivmelding.opprett`` (``ks-no/fiks-arkiv-specification``).

Message types and the flow, from the specification's sequence diagrams
(``Dokumentasjon/V1/Meldinger/no.ks.fiks.arkiv.v1.arkivering.arkivmelding.opprett/*.puml``): the
archive first answers ``...opprett.mottatt`` (no payload), then ``...opprett.kvittering`` with
``arkivmelding-kvittering.xml``, or an error message with ``feilmelding.xml``:
``no.ks.fiks.arkiv.v1.feilmelding.ugyldigforespoersel`` (the request is invalid, "much like a HTTP
400"), ``.ikkefunnet`` (an object referred to is not there), ``.serverfeil`` (the archive failed).
Payload file names are those of ``FiksArkivPayloadHelper`` (KS.Fiks.Arkiv.Models). Fiks IO itself
adds ``no.ks.fiks.kvittering.tidsavbrudd`` (the time to live ran out before the archive read the
message) and ``no.ks.fiks.kvittering.serverfeil.v1`` (delivered three times without acknowledgement).

The receipt, from ``no.ks.fiks.arkiv.v1.arkivering.arkivmelding.opprett.kvittering.xsd``:
``mappeKvittering`` (a ``saksmappeKvittering`` with ``saksaar``, ``sakssekvensnummer``) and
``registreringKvittering`` (a ``journalpostKvittering`` with ``journalaar``, ``journalsekvensnummer``,
``journalpostnummer``), each with ``referanseEksternNoekkel`` and ``opprettetEllerEksisterende``:
``Opprettet`` or ``Eksisterende``, which is how an archive says it recognised a repeat.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from lxml import etree

XSD_DIR = Path(__file__).parent / "xsd"

PROTOCOL = "no.ks.fiks.arkiv.v1"
OPPRETT = "no.ks.fiks.arkiv.v1.arkivering.arkivmelding.opprett"
OPPRETT_MOTTATT = OPPRETT + ".mottatt"
OPPRETT_KVITTERING = OPPRETT + ".kvittering"
UGYLDIG = "no.ks.fiks.arkiv.v1.feilmelding.ugyldigforespoersel"
IKKEFUNNET = "no.ks.fiks.arkiv.v1.feilmelding.ikkefunnet"
SERVERFEIL = "no.ks.fiks.arkiv.v1.feilmelding.serverfeil"
FIKS_TIDSAVBRUDD = "no.ks.fiks.kvittering.tidsavbrudd"
FIKS_SERVERFEIL = "no.ks.fiks.kvittering.serverfeil.v1"
ERRORS = {UGYLDIG: "ugyldigforespoersel", IKKEFUNNET: "ikkefunnet", SERVERFEIL: "serverfeil"}

PAYLOAD_NAME = "arkivmelding.xml"
KVITTERING_NAME = "arkivmelding-kvittering.xml"
FEILMELDING_NAME = "feilmelding.xml"

NS_KVITTERING = "https://ks-no.github.io/standarder/fiks-protokoll/fiks-arkiv/arkivmelding/opprett/kvittering/v1"
NS_MDK = "https://ks-no.github.io/standarder/fiks-protokoll/fiks-arkiv/metadatakatalog/v1"
NS_ERRORS = {
    UGYLDIG: "https://ks-no.github.io/standarder/fiks-protokoll/fiks-arkiv/feil/ugyldigforespoersel/v1",
    IKKEFUNNET: "https://ks-no.github.io/standarder/fiks-protokoll/fiks-arkiv/feil/ikkefunnet/v1",
    SERVERFEIL: "https://ks-no.github.io/standarder/fiks-protokoll/fiks-arkiv/feil/serverfeil/v1",
}
NS_FEILMELDING = "https://ks-no.github.io/standarder/fiks-protokoll/fiks-arkiv/feil/feilmelding/v1"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
SCHEMAS = {
    OPPRETT: "no.ks.fiks.arkiv.v1.arkivering.arkivmelding.opprett.xsd",
    OPPRETT_KVITTERING: "no.ks.fiks.arkiv.v1.arkivering.arkivmelding.opprett.kvittering.xsd",
    UGYLDIG: "no.ks.fiks.arkiv.v1.feilmelding.ugyldigforespoersel.xsd",
    IKKEFUNNET: "no.ks.fiks.arkiv.v1.feilmelding.ikkefunnet.xsd",
    SERVERFEIL: "no.ks.fiks.arkiv.v1.feilmelding.serverfeil.xsd",
}
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True)


class InvalidFiksArkivMessage(ValueError):
    """A payload that does not validate against its message type's schema."""


@lru_cache(maxsize=8)
def _schema(message_type: str) -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(XSD_DIR / SCHEMAS[message_type])))


def validate(message_type: str, xml: bytes) -> etree._Element:
    """The parsed document if ``xml`` is valid for ``message_type``; else ``InvalidFiksArkivMessage``."""
    try:
        document = etree.fromstring(xml, parser=_PARSER)
    except etree.XMLSyntaxError as exc:
        raise InvalidFiksArkivMessage(f"not XML: {exc}") from None
    schema = _schema(message_type)
    if not schema.validate(document):
        error = schema.error_log[0]
        raise InvalidFiksArkivMessage(f"line {error.line}: {error.message}")
    return document


@dataclass(frozen=True)
class Kvittering:
    """What the archive registered: the case file's and the journal entry's numbers and keys."""

    mappe_system_id: str | None = None
    saksaar: int | None = None
    sakssekvensnummer: int | None = None
    mappe_key: str | None = None
    mappe_existing: bool = False
    registrering_system_id: str | None = None
    journalaar: int | None = None
    journalsekvensnummer: int | None = None
    journalpostnummer: int | None = None
    registrering_key: str | None = None
    registrering_existing: bool = False
    mappe_error: str | None = None
    registrering_error: str | None = None

    @property
    def saksnummer(self) -> str | None:
        if self.saksaar is None or self.sakssekvensnummer is None:
            return None
        return f"{self.saksaar}/{self.sakssekvensnummer}"


def _text(parent: etree._Element | None, path: str) -> str | None:
    if parent is None:
        return None
    found = parent.find(path, {"k": NS_KVITTERING, "m": NS_MDK})
    return found.text.strip() if found is not None and found.text else None


def _int(parent: etree._Element | None, path: str) -> int | None:
    value = _text(parent, path)
    return int(value) if value is not None and value.lstrip("-").isdigit() else None


def parse_kvittering(xml: bytes) -> Kvittering:
    """An ``arkivmelding-kvittering.xml``, validated against its schema."""
    document = validate(OPPRETT_KVITTERING, xml)
    ns = {"k": NS_KVITTERING}
    mappe = document.find("k:mappeKvittering", ns)
    registrering = document.find("k:registreringKvittering", ns)
    mappe_failed = document.find("k:mappeFeilet", ns)
    registrering_failed = document.find("k:registreringFeilet", ns)
    return Kvittering(
        mappe_system_id=_text(mappe, "k:systemID"), saksaar=_int(mappe, "k:saksaar"),
        sakssekvensnummer=_int(mappe, "k:sakssekvensnummer"),
        mappe_key=_text(mappe, "k:referanseEksternNoekkel/m:noekkel"),
        mappe_existing=_text(mappe, "k:opprettetEllerEksisterende") == "Eksisterende",
        registrering_system_id=_text(registrering, "k:systemID"), journalaar=_int(registrering, "k:journalaar"),
        journalsekvensnummer=_int(registrering, "k:journalsekvensnummer"),
        journalpostnummer=_int(registrering, "k:journalpostnummer"),
        registrering_key=_text(registrering, "k:referanseEksternNoekkel/m:noekkel"),
        registrering_existing=_text(registrering, "k:opprettetEllerEksisterende") == "Eksisterende",
        mappe_error=_feil_text(mappe_failed), registrering_error=_feil_text(registrering_failed),
    )


def _feil_text(element: etree._Element | None) -> str | None:
    if element is None:
        return None
    found = element.find(f"{{{NS_FEILMELDING}}}feilmelding")
    return found.text if found is not None else None


@dataclass(frozen=True)
class Feilmelding:
    kind: str
    feil_id: str | None
    message: str


def parse_feilmelding(message_type: str, xml: bytes | None) -> Feilmelding:
    """An error message's ``feilmelding.xml`` (or none: the type alone says what failed)."""
    kind = ERRORS.get(message_type, message_type.rsplit(".", 1)[-1])
    if not xml:
        return Feilmelding(kind, None, "")
    try:
        document = validate(message_type, xml)
    except InvalidFiksArkivMessage as exc:
        return Feilmelding(kind, None, f"(feilmeldingen følger ikke skjemaet: {exc})")
    feil_id = document.find(f"{{{NS_FEILMELDING}}}feilId")
    text = document.find(f"{{{NS_FEILMELDING}}}feilmelding")
    return Feilmelding(kind, feil_id.text if feil_id is not None else None,
                       (text.text or "") if text is not None else "")


# --- what an archive writes (the stand-in archive; kept here beside the parser) -----------------


def _sub(parent: etree._Element, name: str, text: object = None, ns: str = NS_KVITTERING) -> etree._Element:
    element = etree.SubElement(parent, f"{{{ns}}}{name}")
    if text is not None:
        element.text = str(text)
    return element


def _external(parent: etree._Element, key: str | None, system: str = "Innboks") -> None:
    if key:
        element = _sub(parent, "referanseEksternNoekkel")
        _sub(element, "fagsystem", system, NS_MDK)
        _sub(element, "noekkel", key, NS_MDK)


def build_kvittering(receipt: Kvittering, year: int) -> bytes:
    """An ``arkivmelding-kvittering.xml`` for ``receipt`` (validated)."""
    root = etree.Element(f"{{{NS_KVITTERING}}}arkivmeldingKvittering",
                         nsmap={None: NS_KVITTERING, "n5mdk": NS_MDK, "xsi": XSI})
    if receipt.mappe_system_id:
        mappe = _sub(root, "mappeKvittering")
        mappe.set(f"{{{XSI}}}type", "saksmappeKvittering")
        _sub(mappe, "systemID", receipt.mappe_system_id)
        _external(mappe, receipt.mappe_key)
        _sub(mappe, "opprettetEllerEksisterende", "Eksisterende" if receipt.mappe_existing else "Opprettet")
        _sub(mappe, "saksaar", receipt.saksaar)
        _sub(mappe, "sakssekvensnummer", receipt.sakssekvensnummer)
    if receipt.registrering_system_id:
        entry = _sub(root, "registreringKvittering")
        entry.set(f"{{{XSI}}}type", "journalpostKvittering")
        _sub(entry, "systemID", receipt.registrering_system_id)
        _external(entry, receipt.registrering_key)
        _sub(entry, "opprettetEllerEksisterende", "Eksisterende" if receipt.registrering_existing else "Opprettet")
        _sub(entry, "journalaar", receipt.journalaar or year)
        _sub(entry, "journalsekvensnummer", receipt.journalsekvensnummer)
        _sub(entry, "journalpostnummer", receipt.journalpostnummer)
    xml = etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)
    validate(OPPRETT_KVITTERING, xml)
    return xml


def build_feilmelding(message_type: str, feil_id: str, message: str) -> bytes:
    """A ``feilmelding.xml`` of ``message_type`` (validated)."""
    namespace = NS_ERRORS[message_type]
    root = etree.Element(f"{{{namespace}}}{ERRORS[message_type]}",
                         nsmap={None: namespace, "feilmelding": NS_FEILMELDING})
    _sub(root, "feilId", feil_id, NS_FEILMELDING)
    _sub(root, "feilmelding", message, NS_FEILMELDING)
    xml = etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)
    validate(message_type, xml)
    return xml
