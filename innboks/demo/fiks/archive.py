"""A stand-in municipal archive system on Fiks IO, answering Fiks Arkiv as the specification says.

It reads its account's queue with the same Fiks IO client Innboks uses (its own certificate,
integration and account key), and for each ``no.ks.fiks.arkiv.v1.arkivering.arkivmelding.opprett``:

1. decrypts the payload and checks the ASiC-E signature (a certificate of the trusted CA);
2. validates ``arkivmelding.xml`` against the Fiks Arkiv XSD, and that ``antallFiler``, every
   ``referanseDokumentfil`` and every SHA-256 ``sjekksum`` match the files sent; if not, it answers
   ``no.ks.fiks.arkiv.v1.feilmelding.ugyldigforespoersel`` only (as KS's sample archive does);
3. answers ``...opprett.mottatt``, registers the saksmappe and the journalpost, and answers
   ``...opprett.kvittering`` with the numbers it assigned: ``saksaar``/``sakssekvensnummer`` per
   case file, ``journalpostnummer`` per journal entry within its case, ``journalsekvensnummer``
   across the year. A saksmappe or journalpost whose ``referanseEksternNoekkel`` it has seen is not
   registered again: the receipt says ``Eksisterende`` with the first numbers (how a repeat is
   recognised); a journal entry for a case file it cannot find is ``ikkefunnet``.

Like a real archive, it accepts only the sending systems it is set up for (``system``;
``accepted_systems``), and answers ``ugyldigforespoersel`` to others. ``serverfeil_first`` makes it
answer ``no.ks.fiks.arkiv.v1.feilmelding.serverfeil`` the first time it sees a message's
``klientMeldingId`` (for retry tests); ``kvittering_delay`` waits between ``mottatt`` and ``kvittering``.
Everything it did is recorded for the tests.
"""

from __future__ import annotations

import asyncio
import hashlib
import threading
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime

import httpx
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import rsa
from lxml import etree

from connectors.archive import fiks_arkiv
from connectors.fiks_io import FiksIOClient, FiksIOConfig, FiksIOError, MaskinportenClient, MottattMelding
from connectors.fiks_io.asice import AsiceFile
from connectors.fiks_io.cms import Signer

NS = "https://ks-no.github.io/standarder/fiks-protokoll/fiks-arkiv/arkivmelding/opprett/v1"
MDK = fiks_arkiv.NS_MDK
XSI_TYPE = "{http://www.w3.org/2001/XMLSchema-instance}type"


@dataclass
class Saksmappe:
    system_id: str
    key: str | None
    saksaar: int
    sakssekvensnummer: int
    next_journalpostnummer: int = 1


@dataclass
class Journalpost:
    system_id: str
    key: str | None
    saksmappe: Saksmappe
    journalaar: int
    journalsekvensnummer: int
    journalpostnummer: int
    title: str
    screened: bool


@dataclass(frozen=True)
class Delivery:
    melding_id: uuid.UUID
    klient_melding_id: str | None
    melding_type: str
    resendt: bool
    outcome: str
    at: float


@dataclass
class ArchiveRecord:
    saksmapper: dict[str, Saksmappe] = field(default_factory=dict)
    journalposter: dict[str, Journalpost] = field(default_factory=dict)
    deliveries: list[Delivery] = field(default_factory=list)
    replies: list[tuple[uuid.UUID, str, float]] = field(default_factory=list)  # (svar-til, type, at)


def _find(element: etree._Element | None, path: str) -> str | None:
    if element is None:
        return None
    found = element.find(path, {"a": NS, "m": MDK})
    return found.text.strip() if found is not None and found.text else None


def _key(element: etree._Element | None, path: str = "a:referanseEksternNoekkel") -> str | None:
    system = _find(element, f"{path}/m:fagsystem")
    key = _find(element, f"{path}/m:noekkel")
    return f"{system}:{key}" if key else None


class StandInArchive:
    def __init__(self, config: FiksIOConfig, signer: Signer, account_key: rsa.RSAPrivateKey,
                 token_endpoint: str, audience: str, client_id: str, trusted_ca: x509.Certificate,
                 serverfeil_first: bool = False, kvittering_delay: float = 0.0,
                 accepted_systems: frozenset[str] = frozenset({"Innboks"})) -> None:
        self.config = config
        self.signer = signer
        self.account_key = account_key
        self.token_endpoint = token_endpoint
        self.audience = audience
        self.client_id = client_id
        self.trusted_ca = trusted_ca
        self.serverfeil_first = serverfeil_first
        self.kvittering_delay = kvittering_delay
        self.accepted_systems = accepted_systems
        self.record = ArchiveRecord()
        self._seen: set[str] = set()
        self._sequence = 0
        self._journal_sequence = 0
        self._stop: asyncio.Event | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._connected = threading.Event()
        self._lock = threading.Lock()

    # --- the archive's rules ---------------------------------------------------------------------

    def _register(self, document: etree._Element, files: dict[str, bytes]) -> fiks_arkiv.Kvittering | str:
        """The receipt, or the reason it is not found (``ikkefunnet``)."""
        year = datetime.now(UTC).year
        mappe = document.find("a:mappe", {"a": NS})
        registrering = document.find("a:registrering", {"a": NS})
        saksmappe: Saksmappe | None = None
        mappe_existing = False
        with self._lock:
            if mappe is not None:
                key = _key(mappe)
                saksmappe = self.record.saksmapper.get(key) if key else None
                mappe_existing = saksmappe is not None
                if saksmappe is None:
                    self._sequence += 1
                    saksmappe = Saksmappe(str(uuid.uuid4()), key, year, self._sequence)
                    self.record.saksmapper[key or saksmappe.system_id] = saksmappe
            if registrering is None:
                assert saksmappe is not None
                return fiks_arkiv.Kvittering(mappe_system_id=saksmappe.system_id, saksaar=saksmappe.saksaar,
                                             sakssekvensnummer=saksmappe.sakssekvensnummer,
                                             mappe_key=_find(mappe, "a:referanseEksternNoekkel/m:noekkel"),
                                             mappe_existing=mappe_existing)
            parent_key = _key(registrering, "a:referanseForelderMappe/m:referanseEksternNoekkel")
            parent_system_id = _find(registrering, "a:referanseForelderMappe/m:systemID")
            parent: Saksmappe | None = None
            if saksmappe is not None and parent_system_id and parent_system_id == _find(mappe, "a:systemID"):
                parent = saksmappe
            elif parent_key:
                parent = self.record.saksmapper.get(parent_key)
            if parent is None:
                return "fant ingen saksmappe for journalposten"
            entry_key = _key(registrering)
            journalpost = self.record.journalposter.get(entry_key) if entry_key else None
            existing = journalpost is not None
            if journalpost is None:
                self._journal_sequence += 1
                journalpost = Journalpost(str(uuid.uuid4()), entry_key, parent, year, self._journal_sequence,
                                          parent.next_journalpostnummer, _find(registrering, "a:tittel") or "",
                                          registrering.find("a:skjerming", {"a": NS}) is not None)
                parent.next_journalpostnummer += 1
                self.record.journalposter[entry_key or journalpost.system_id] = journalpost
        return fiks_arkiv.Kvittering(
            mappe_system_id=parent.system_id, saksaar=parent.saksaar, sakssekvensnummer=parent.sakssekvensnummer,
            mappe_key=parent.key.split(":", 1)[1] if parent.key else None,
            mappe_existing=mappe_existing or mappe is None,
            registrering_system_id=journalpost.system_id, journalaar=journalpost.journalaar,
            journalsekvensnummer=journalpost.journalsekvensnummer, journalpostnummer=journalpost.journalpostnummer,
            registrering_key=_find(registrering, "a:referanseEksternNoekkel/m:noekkel"),
            registrering_existing=existing)

    def _invalid(self, xml: bytes, files: dict[str, bytes]) -> tuple[etree._Element | None, str | None]:
        """The parsed arkivmelding, or why it is an invalid request."""
        try:
            document = fiks_arkiv.validate(fiks_arkiv.OPPRETT, xml)
        except fiks_arkiv.InvalidFiksArkivMessage as exc:
            return None, f"arkivmelding.xml validerer ikke mot skjemaet: {exc}"
        system = _find(document, "a:system")
        if system not in self.accepted_systems:
            return None, f"avsendersystemet {system!r} er ikke satt opp i arkivet"
        attachments = {name: data for name, data in files.items() if name != fiks_arkiv.PAYLOAD_NAME}
        declared = int(_find(document, "a:antallFiler") or -1)
        if declared != len(attachments):
            return None, f"antallFiler er {declared}, men meldingen har {len(attachments)} filer"
        for obj in document.iterfind(".//a:dokumentobjekt", {"a": NS}):
            name = _find(obj, "a:referanseDokumentfil")
            if name not in attachments:
                return None, f"referanseDokumentfil {name!r} finnes ikke i meldingen"
            checksum = _find(obj, "a:sjekksum")
            if checksum and checksum.lower() != hashlib.sha256(attachments[name]).hexdigest():
                return None, f"sjekksummen til {name!r} stemmer ikke"
        return document, None

    # --- Fiks IO ---------------------------------------------------------------------------------

    async def _handle(self, client: FiksIOClient, melding: MottattMelding) -> None:
        if melding.melding_type != fiks_arkiv.OPPRETT:
            await self._reply(client, melding, fiks_arkiv.UGYLDIG,
                              f"meldingstypen {melding.melding_type} støttes ikke", "unsupported")
            return
        try:
            container = client.open(melding)
        except FiksIOError as exc:
            await self._reply(client, melding, fiks_arkiv.UGYLDIG, f"meldingen kan ikke åpnes: {exc}", "unreadable")
            return
        xml = container.files.get(fiks_arkiv.PAYLOAD_NAME)
        if xml is None:
            await self._reply(client, melding, fiks_arkiv.UGYLDIG, "arkivmelding.xml mangler", "invalid")
            return
        document, problem = self._invalid(xml, container.files)
        if document is None:
            await self._reply(client, melding, fiks_arkiv.UGYLDIG, problem or "ugyldig", "invalid")
            return
        await client.reply(melding, fiks_arkiv.OPPRETT_MOTTATT)
        self.record.replies.append((melding.melding_id, fiks_arkiv.OPPRETT_MOTTATT, time.time()))
        first_time = (melding.klient_melding_id or str(melding.melding_id)) not in self._seen
        self._seen.add(melding.klient_melding_id or str(melding.melding_id))
        if self.serverfeil_first and first_time:
            await self._reply(client, melding, fiks_arkiv.SERVERFEIL, "arkivet er midlertidig utilgjengelig",
                              "serverfeil")
            return
        if self.kvittering_delay:
            await asyncio.sleep(self.kvittering_delay)
        result = self._register(document, container.files)
        if isinstance(result, str):
            await self._reply(client, melding, fiks_arkiv.IKKEFUNNET, result, "ikkefunnet")
            return
        kvittering = fiks_arkiv.build_kvittering(result, datetime.now(UTC).year)
        await client.reply(melding, fiks_arkiv.OPPRETT_KVITTERING, [AsiceFile(fiks_arkiv.KVITTERING_NAME, kvittering)])
        self.record.replies.append((melding.melding_id, fiks_arkiv.OPPRETT_KVITTERING, time.time()))
        self._delivered(melding, "existing" if result.registrering_existing else "registered")

    async def _reply(self, client: FiksIOClient, melding: MottattMelding, melding_type: str, text: str,
                     outcome: str) -> None:
        feilmelding = fiks_arkiv.build_feilmelding(melding_type, str(uuid.uuid4()), text[:1000])
        await client.reply(melding, melding_type, [AsiceFile(fiks_arkiv.FEILMELDING_NAME, feilmelding)])
        self.record.replies.append((melding.melding_id, melding_type, time.time()))
        self._delivered(melding, outcome)

    def _delivered(self, melding: MottattMelding, outcome: str) -> None:
        self.record.deliveries.append(Delivery(melding.melding_id, melding.klient_melding_id, melding.melding_type,
                                               melding.resendt, outcome, time.time()))

    async def _main(self) -> None:
        self._stop = asyncio.Event()
        async with httpx.AsyncClient(timeout=30) as http:
            maskinporten = MaskinportenClient(self.token_endpoint, self.audience, self.client_id, self.signer,
                                              http=http)
            client = FiksIOClient(self.config, maskinporten, self.signer, [self.account_key], http=http,
                                  trusted_issuers=[self.trusted_ca])

            async def handle(melding: MottattMelding) -> None:
                await self._handle(client, melding)

            await client.consume(handle, self._stop, prefetch=5, on_connected=self._connected.set)

    def start(self, timeout: float = 30.0) -> StandInArchive:
        def run() -> None:
            self._loop = asyncio.new_event_loop()
            self._loop.run_until_complete(self._main())
            self._loop.close()

        self._thread = threading.Thread(target=run, name="stand-in-archive", daemon=True)
        self._thread.start()
        if not self._connected.wait(timeout):
            raise RuntimeError("the stand-in archive did not connect to its Fiks IO queue")
        return self

    def stop(self) -> None:
        if self._loop is not None and self._stop is not None:
            self._loop.call_soon_threadsafe(self._stop.set)
        if self._thread is not None:
            self._thread.join(timeout=15)

    # --- what the tests and the demo read ------------------------------------------------------

    def saksnummer(self, case_key: str) -> str | None:
        saksmappe = self.record.saksmapper.get(f"Innboks:{case_key}")
        return f"{saksmappe.saksaar}/{saksmappe.sakssekvensnummer}" if saksmappe else None
