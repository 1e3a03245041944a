"""Send to and receive from Fiks IO.

**Send** (``ks-no/fiks-io-send-klient`` ``FiksIOUtsendingKlient``, ``ks-no/fiks-io-send-client-dotnet``
``FiksIOSender``): ``POST {api}/fiks-io/api/v1/send``, ``multipart/form-data`` with a part
``metadata`` (JSON: ``avsenderKontoId``, ``mottakerKontoId``, ``meldingType``, ``svarPaMelding``,
``ttl`` in milliseconds, ``headere``) and, when there is a payload, a part ``data``
(``application/octet-stream``, a random UUID as file name) holding the ASiC-E container encrypted
to the recipient's public key from the catalogue. Headers ``Authorization: Bearer`` (Maskinporten,
scope ``ks:fiks``), ``IntegrasjonId``, ``IntegrasjonPassord``. Fiks IO answers ``202 Accepted`` with
the message as sent and its new ``meldingId``. ``klientMeldingId`` and ``klientKorrelasjonsId`` go in
``headere`` (``MeldingRequest`` of both clients); the time to live defaults to two days (.NET).

**Receive** (``ks-no/fiks-io-klient-java`` ``AmqpHandler``, ``ks-no/fiks-io-commons``
``FiksIOHeaders``/``FiksIOMeldingParser``, ``ks-no/fiks-io-client-dotnet`` ``AmqpHandler``,
``ReceivedMessageParser``, ``MaskinportenCredentialsProvider``): AMQP to the account's queue
``fiksio.konto.<kontoId>``, user name the integration id, password ``"<integrasjonPassord> <token>"``
(a fresh token at every connect), manual acknowledgement with a prefetch limit. Headers
``melding-id``, ``type``, ``avsender-id`` (required), ``svar-til``, ``dokumentlager-id``,
``egendefinert-header.*`` (the sender's ``headere``); the expiration property is the time to live.
A message is acknowledged only after the handler returned; a handler raising ``RejectMessage``
rejects it for good (after recording why), any other error puts it back on the queue.

Not implemented: payloads above Fiks IO's 5 MB limit travel through Fiks Dokumentlager
(``dokumentlager-id``); such a message raises ``FiksIOError`` when opened.
"""

from __future__ import annotations

import asyncio
import json
import logging
import uuid
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import aio_pika
import aio_pika.abc
import aiormq.exceptions
import httpx
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import rsa

from connectors.fiks_io.asice import AsiceError, AsiceFile, Container, read_asice, write_asice
from connectors.fiks_io.catalog import Catalog, CatalogError
from connectors.fiks_io.cms import CmsError, Signer, decrypt, encrypt, issued_by
from connectors.fiks_io.maskinporten import MaskinportenClient, MaskinportenError

log = logging.getLogger(__name__)

SEND_PATH = "/fiks-io/api/v1/send"
QUEUE_PREFIX = "fiksio.konto."
EGENDEFINERT_PREFIX = "egendefinert-header."
HEADER_KLIENT_MELDING_ID = "klientMeldingId"
HEADER_KLIENT_KORRELASJONS_ID = "klientKorrelasjonsId"
DEFAULT_TTL_SECONDS = 2 * 24 * 3600
DEFAULT_SCOPE = "ks:fiks"


class FiksIOError(RuntimeError):
    """A call to Fiks IO failed. ``status`` is the HTTP status when there was one; ``retriable`` says
    whether the same call may succeed later (server errors, timeouts, a refused token)."""

    def __init__(self, message: str, status: int | None = None, retriable: bool = False) -> None:
        super().__init__(message)
        self.status = status
        self.retriable = retriable


class RejectMessage(Exception):  # noqa: N818 - an instruction to the consumer, not an error
    """Raised by a handler for a message that can never be handled: it is rejected, not put back."""


@dataclass(frozen=True)
class FiksIOConfig:
    account_id: uuid.UUID
    integration_id: uuid.UUID
    integration_password: str = field(repr=False)
    api_url: str = "https://api.fiks.ks.no"
    amqp_url: str = "amqps://io.fiks.ks.no:5671"
    scope: str = DEFAULT_SCOPE
    application_name: str = "fiks-io-python"

    @property
    def queue_name(self) -> str:
        return f"{QUEUE_PREFIX}{self.account_id}"


@dataclass(frozen=True)
class MeldingRequest:
    mottaker_konto_id: uuid.UUID
    melding_type: str
    ttl_seconds: float = DEFAULT_TTL_SECONDS
    svar_pa_melding: uuid.UUID | None = None
    klient_melding_id: uuid.UUID | None = None
    klient_korrelasjons_id: str | None = None
    headere: Mapping[str, str] = field(default_factory=dict)

    def api_model(self, avsender: uuid.UUID) -> dict[str, Any]:
        headere = dict(self.headere)
        if self.klient_melding_id is not None:
            headere[HEADER_KLIENT_MELDING_ID] = str(self.klient_melding_id)
        if self.klient_korrelasjons_id:
            headere[HEADER_KLIENT_KORRELASJONS_ID] = self.klient_korrelasjons_id
        return {"avsenderKontoId": str(avsender), "mottakerKontoId": str(self.mottaker_konto_id),
                "meldingType": self.melding_type,
                "svarPaMelding": str(self.svar_pa_melding) if self.svar_pa_melding else None,
                "ttl": int(self.ttl_seconds * 1000), "headere": headere}


@dataclass(frozen=True)
class SendtMelding:
    melding_id: uuid.UUID
    melding_type: str
    avsender_konto_id: uuid.UUID
    mottaker_konto_id: uuid.UUID
    svar_pa_melding: uuid.UUID | None
    ttl_ms: int | None
    headere: dict[str, str]

    @classmethod
    def from_json(cls, body: dict[str, Any]) -> SendtMelding:
        reply_to = body.get("svarPaMelding")
        return cls(melding_id=uuid.UUID(str(body["meldingId"])), melding_type=str(body["meldingType"]),
                   avsender_konto_id=uuid.UUID(str(body["avsenderKontoId"])),
                   mottaker_konto_id=uuid.UUID(str(body["mottakerKontoId"])),
                   svar_pa_melding=uuid.UUID(str(reply_to)) if reply_to else None,
                   ttl_ms=body.get("ttl"), headere=dict(body.get("headere") or {}))


def _text(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, bytes | bytearray | memoryview):
        return bytes(value).decode("utf-8", "replace")
    return str(value)


def _uuid(value: object, name: str, required: bool) -> uuid.UUID | None:
    text = _text(value)
    if text is None:
        if required:
            raise RejectMessage(f"header {name} is missing")
        return None
    try:
        return uuid.UUID(text)
    except ValueError:
        if required:
            raise RejectMessage(f"header {name} is not a UUID") from None
        return None


@dataclass(frozen=True)
class MottattMelding:
    """A received message's metadata (``MottattMeldingMetadata``) and its still-encrypted payload."""

    melding_id: uuid.UUID
    melding_type: str
    avsender_konto_id: uuid.UUID
    mottaker_konto_id: uuid.UUID
    svar_pa_melding: uuid.UUID | None
    ttl_ms: int | None
    headere: dict[str, str]
    resendt: bool
    body: bytes = field(repr=False)
    dokumentlager_id: uuid.UUID | None = None
    svar_til_type: str | None = None

    @property
    def has_payload(self) -> bool:
        return bool(self.body) or self.dokumentlager_id is not None

    @property
    def klient_melding_id(self) -> str | None:
        return self.headere.get(HEADER_KLIENT_MELDING_ID)

    @property
    def klient_korrelasjons_id(self) -> str | None:
        return self.headere.get(HEADER_KLIENT_KORRELASJONS_ID) or self.headere.get("klientKorrelasjonId")

    @classmethod
    def parse(cls, headers: Mapping[str, object], body: bytes, mottaker: uuid.UUID, expiration: object = None,
              redelivered: bool = False) -> MottattMelding:
        """From AMQP headers and body; raises ``RejectMessage`` when a required header is missing."""
        melding_type = _text(headers.get("type"))
        if not melding_type:
            raise RejectMessage("header type is missing")
        ttl = _text(expiration)
        custom = {name[len(EGENDEFINERT_PREFIX):]: _text(value) or "" for name, value in headers.items()
                  if name.startswith(EGENDEFINERT_PREFIX)}
        melding_id = _uuid(headers.get("melding-id"), "melding-id", True)
        avsender = _uuid(headers.get("avsender-id"), "avsender-id", True)
        assert melding_id is not None and avsender is not None
        return cls(melding_id=melding_id, melding_type=melding_type, avsender_konto_id=avsender,
                   mottaker_konto_id=mottaker, svar_pa_melding=_uuid(headers.get("svar-til"), "svar-til", False),
                   ttl_ms=int(ttl) if ttl and ttl.isdigit() else None, headere=custom, resendt=redelivered,
                   body=body, dokumentlager_id=_uuid(headers.get("dokumentlager-id"), "dokumentlager-id", False),
                   svar_til_type=_text(headers.get("svar-til-type")))


#: A received message's handler; it returns once the message is handled (then it is acknowledged).
Handler = Callable[[MottattMelding], Awaitable[None]]


async def _wait(stop: asyncio.Event, seconds: float) -> None:
    try:
        await asyncio.wait_for(stop.wait(), seconds)
    except TimeoutError:
        pass


class FiksIOClient:
    def __init__(self, config: FiksIOConfig, maskinporten: MaskinportenClient, signer: Signer,
                 account_keys: Sequence[rsa.RSAPrivateKey], *, http: httpx.AsyncClient,
                 trusted_issuers: Sequence[x509.Certificate] = ()) -> None:
        """``signer``: the virksomhetssertifikat that signs what is sent; ``account_keys``: the private
        keys of the account's published public keys (more than one while a key is being replaced);
        ``trusted_issuers``: the CAs whose certificates may sign what arrives (empty: any signer)."""
        self.config = config
        self.maskinporten = maskinporten
        self.signer = signer
        self.account_keys = list(account_keys)
        self.trusted_issuers = list(trusted_issuers)
        self._http = http
        self.catalog = Catalog(config.api_url, http, self.auth_headers)

    async def auth_headers(self) -> dict[str, str]:
        try:
            token = await self.maskinporten.token(self.config.scope)
        except MaskinportenError as exc:
            raise FiksIOError(str(exc), retriable=True) from None
        return {"Authorization": f"Bearer {token}", "IntegrasjonId": str(self.config.integration_id),
                "IntegrasjonPassord": self.config.integration_password}

    async def send(self, request: MeldingRequest, files: Sequence[AsiceFile] = ()) -> SendtMelding:
        """Sign, encrypt and send; the sent message with the id Fiks IO gave it."""
        data: bytes | None = None
        if files:
            try:
                recipient = await self.catalog.public_key(request.mottaker_konto_id)
            except CatalogError as exc:
                raise FiksIOError(str(exc), exc.status, retriable=exc.status is None or exc.status >= 500) from None
            data = encrypt(write_asice(list(files), self.signer), recipient)
        return await self.send_raw(request, data)

    async def send_raw(self, request: MeldingRequest, data: bytes | None) -> SendtMelding:
        """Send an already encrypted payload (or none)."""
        metadata = json.dumps(request.api_model(self.config.account_id)).encode()
        parts: dict[str, Any] = {"metadata": (None, metadata, "application/json")}
        if data is not None:
            parts["data"] = (str(uuid.uuid4()), data, "application/octet-stream")
        headers = await self.auth_headers()
        try:
            response = await self._http.post(self.config.api_url.rstrip("/") + SEND_PATH, files=parts, headers=headers)
        except httpx.TimeoutException:
            raise FiksIOError("Fiks IO did not answer in time", retriable=True) from None
        except httpx.HTTPError as exc:
            raise FiksIOError(f"Fiks IO not reachable ({type(exc).__name__})", retriable=True) from None
        if response.status_code == 401:
            self.maskinporten.forget(self.config.scope)
            raise FiksIOError("Fiks IO refused the credentials (401)", 401, retriable=True)
        if response.status_code != 202:
            status = response.status_code
            raise FiksIOError(f"Fiks IO answered {status}: {response.text[:300]}", status,
                              retriable=status >= 500 or status == 429)
        return SendtMelding.from_json(response.json())

    async def reply(self, received: MottattMelding, melding_type: str, files: Sequence[AsiceFile] = (),
                    klient_melding_id: uuid.UUID | None = None) -> SendtMelding:
        """Answer ``received`` (``SvarSender``): to its sender, ``svarPaMelding`` its id, its
        ``klientKorrelasjonsId`` carried back."""
        request = MeldingRequest(mottaker_konto_id=received.avsender_konto_id, melding_type=melding_type,
                                 svar_pa_melding=received.melding_id, klient_melding_id=klient_melding_id,
                                 klient_korrelasjons_id=received.klient_korrelasjons_id)
        return await self.send(request, files)

    def open(self, melding: MottattMelding) -> Container:
        """Decrypt and check a received payload: the files, and the signer (trusted when issuers are set)."""
        if melding.dokumentlager_id is not None:
            raise FiksIOError("payloads in Fiks Dokumentlager (over 5 MB) are not supported")
        if not melding.body:
            raise FiksIOError("the message has no payload")
        try:
            container = read_asice(decrypt(melding.body, self.account_keys))
        except (CmsError, AsiceError) as exc:
            raise FiksIOError(f"the payload cannot be opened: {exc}") from None
        if self.trusted_issuers and not issued_by(container.signer, self.trusted_issuers):
            raise FiksIOError("the payload is signed by a certificate no trusted issuer has issued")
        return container

    # --- receiving ----------------------------------------------------------------------------

    async def _connect(self) -> aio_pika.abc.AbstractConnection:
        url = urlsplit(self.config.amqp_url)
        token = await self.maskinporten.token(self.config.scope)
        return await aio_pika.connect(
            host=url.hostname or "localhost", port=url.port or (5671 if url.scheme == "amqps" else 5672),
            ssl=url.scheme == "amqps", login=str(self.config.integration_id),
            password=f"{self.config.integration_password} {token}", virtualhost=url.path.lstrip("/") or "/",
            client_properties={"connection_name": self.config.application_name}, timeout=30)

    async def consume(self, handler: Handler, stop: asyncio.Event, prefetch: int = 10,
                      on_connected: Callable[[], None] | None = None) -> None:
        """Handle the account's messages one by one until ``stop`` is set, reconnecting as needed."""
        backoff = 1.0
        while not stop.is_set():
            try:
                connection = await self._connect()
            except (MaskinportenError, aiormq.exceptions.AMQPError, OSError, TimeoutError) as exc:
                log.warning("fiks io: AMQP connection failed (%s); again in %.0f s", type(exc).__name__, backoff)
                await _wait(stop, backoff)
                backoff = min(backoff * 2, 60.0)
                continue
            backoff = 1.0
            try:
                async with connection:
                    channel = await connection.channel()
                    await channel.set_qos(prefetch_count=prefetch)
                    queue = await channel.get_queue(self.config.queue_name, ensure=False)
                    if on_connected is not None:
                        on_connected()
                    await self._deliveries(queue, handler, stop, connection)
            except (aiormq.exceptions.AMQPError, OSError, aio_pika.exceptions.AMQPException) as exc:
                log.warning("fiks io: AMQP connection lost (%s); reconnecting", type(exc).__name__)
                await _wait(stop, 1.0)

    async def _deliveries(self, queue: aio_pika.abc.AbstractQueue, handler: Handler, stop: asyncio.Event,
                          connection: aio_pika.abc.AbstractConnection) -> None:
        """Deliveries go through a local queue so that they are handled one at a time, in order, and
        the loop can look at ``stop`` between them (the broker's prefetch bounds the local queue)."""
        arrived: asyncio.Queue[aio_pika.abc.AbstractIncomingMessage] = asyncio.Queue()
        tag = await queue.consume(arrived.put, no_ack=False)
        try:
            while not stop.is_set() and not connection.is_closed:
                try:
                    raw = await asyncio.wait_for(arrived.get(), 0.5)
                except TimeoutError:
                    continue
                await self._handle(raw, handler, stop)
        finally:
            if not connection.is_closed:
                await queue.cancel(tag)

    async def _handle(self, raw: aio_pika.abc.AbstractIncomingMessage, handler: Handler,
                      stop: asyncio.Event) -> None:
        try:
            melding = MottattMelding.parse(raw.headers or {}, raw.body, self.config.account_id, raw.expiration,
                                           bool(raw.redelivered))
            await handler(melding)
        except RejectMessage as exc:
            log.warning("fiks io: message rejected (%s)", str(exc)[:200])
            await raw.reject(requeue=False)
        except Exception as exc:  # noqa: BLE001 - put back and try again: the handler failed, not the message
            log.error("fiks io: handler failed (%s); message put back", type(exc).__name__)
            await raw.nack(requeue=True)
            await _wait(stop, 1.0)
        else:
            await raw.ack()
