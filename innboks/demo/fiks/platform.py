"""A stand-in for KS's central Fiks IO service and Maskinporten, speaking their published protocol.

One HTTP server (Starlette on uvicorn, in a thread) with:

- ``POST /token``: Maskinporten's JWT-grant token endpoint. The grant must be RS256, carry the
  virksomhetssertifikat in ``x5c`` (issued by the test CA, valid, naming the organisation that
  registered the client), ``iss`` a registered client, ``aud`` this endpoint's audience, ``exp`` at
  most two minutes after ``iat``, an unused ``jti``, and only scopes the client has. The signature is
  checked with joserfc (Authlib's JOSE library), not the client's own code. Errors are RFC 6749
  ``{"error", "error_description"}`` with 400.
- ``/fiks-io/katalog/api/v1``: ``lookup``, ``kontoer/{id}`` (Maskinporten token and integration
  headers required) and ``kontoer/{id}/offentligNokkel`` (public).
- ``POST /fiks-io/api/v1/send``: multipart ``metadata`` + ``data``; checks the token (scope
  ``ks:fiks``), ``IntegrasjonId``/``IntegrasjonPassord``, that the integration may send as
  ``avsenderKontoId``; puts the message on the recipient's queue ``fiksio.konto.<id>`` with the AMQP
  headers ``avsender-id``, ``melding-id``, ``type``, ``svar-til``, ``egendefinert-header.*`` and the
  time to live as expiration; answers 202 with the message and its new ``meldingId``.
- ``/amqp/{user,vhost,resource,topic}``: RabbitMQ's HTTP authentication backend. An integration
  connects with its id and ``"<integrasjonPassord> <token>"`` and may only read its accounts' queues.

Queues are quorum queues with a delivery limit of three and dead-lettering: a message whose time to
live ran out comes back to its sender as ``no.ks.fiks.kvittering.tidsavbrudd``, one delivered three
times without acknowledgement as ``no.ks.fiks.kvittering.serverfeil.v1`` (Fiks IO's documented
behaviour). Payloads over 5 MB (Fiks Dokumentlager) are refused with 413.
"""

from __future__ import annotations

import asyncio
import base64
import json
import secrets
import threading
import time
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

import aio_pika
import aio_pika.abc
import uvicorn
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import RSAKey
from joserfc.jws import JWSRegistry
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

from connectors.fiks_io.cms import issued_by
from innboks.demo.fiks.certificates import orgnr_of
from innboks.kafka.broker import free_port

TOKEN_SECONDS = 120
MAX_PAYLOAD_BYTES = 5 * 1024 * 1024
DELIVERY_LIMIT = 3
DEAD_LETTERS = "fiks.dead"
TIDSAVBRUDD = "no.ks.fiks.kvittering.tidsavbrudd"
FIKS_SERVERFEIL = "no.ks.fiks.kvittering.serverfeil.v1"
KATALOG = "/fiks-io/katalog/api/v1"
#: A grant's header carries the certificate (x5c): more than joserfc's default 512 bytes.
GRANT_REGISTRY = JWSRegistry(algorithms=["RS256"])
GRANT_REGISTRY.max_header_length = 16 * 1024


@dataclass
class Account:
    konto_id: uuid.UUID
    name: str
    orgnr: str
    public_key: x509.Certificate
    integrations: set[uuid.UUID]
    addresses: list[tuple[str, str, int]] = field(default_factory=list)  # identifier, protocol, security level

    @property
    def queue(self) -> str:
        return f"fiksio.konto.{self.konto_id}"


@dataclass
class Integration:
    integration_id: uuid.UUID
    password: str = field(repr=False)
    orgnr: str


@dataclass(frozen=True)
class Sent:
    melding_id: uuid.UUID
    melding_type: str
    avsender: uuid.UUID
    mottaker: uuid.UUID
    svar_pa: uuid.UUID | None
    headere: dict[str, str]
    at: float


def _error(status: int, message: str) -> JSONResponse:
    return JSONResponse({"status": status, "error": message}, status_code=status)


class FiksPlatform:
    def __init__(self, trusted_ca: x509.Certificate, host: str = "127.0.0.1", port: int | None = None,
                 send_delay: float = 0.0) -> None:
        """``send_delay``: seconds between putting a sent message on its queue and answering 202 (a slow
        network; the fault suite kills the sender in that gap)."""
        self.trusted_ca = trusted_ca
        self.send_delay = send_delay
        self.host = host
        self.port = port or free_port()
        self.accounts: dict[uuid.UUID, Account] = {}
        self.integrations: dict[uuid.UUID, Integration] = {}
        self.clients: dict[str, tuple[str, set[str]]] = {}  # Maskinporten client id -> (orgnr, scopes)
        self.tokens: dict[str, tuple[str, set[str], float]] = {}  # token -> (orgnr, scopes, expiry)
        self.sent: list[Sent] = []
        self.refused: list[str] = []
        self._jtis: set[str] = set()
        self._amqp_url: str | None = None
        self._connection: aio_pika.abc.AbstractRobustConnection | None = None
        self._channel: aio_pika.abc.AbstractChannel | None = None
        self._lock = threading.Lock()
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def audience(self) -> str:
        return f"{self.base_url}/"

    @property
    def token_endpoint(self) -> str:
        return f"{self.base_url}/token"

    @property
    def auth_url(self) -> str:
        return f"{self.base_url}/amqp"

    # --- registration (Fiks Forvaltning and Samarbeidsportalen, in one call each) --------------

    def register_client(self, client_id: str, orgnr: str, scopes: set[str] | None = None) -> None:
        self.clients[client_id] = (orgnr, scopes or {"ks:fiks"})

    def register_integration(self, orgnr: str) -> Integration:
        integration = Integration(uuid.uuid4(), secrets.token_urlsafe(24), orgnr)
        self.integrations[integration.integration_id] = integration
        return integration

    def register_account(self, name: str, orgnr: str, public_key: x509.Certificate, integration: Integration,
                         addresses: list[tuple[str, str, int]] | None = None) -> Account:
        account = Account(uuid.uuid4(), name, orgnr, public_key, {integration.integration_id}, addresses or [])
        self.accounts[account.konto_id] = account
        return account

    # --- Maskinporten ----------------------------------------------------------------------------

    async def token(self, request: Request) -> Response:
        form = await request.form()
        if form.get("grant_type") != "urn:ietf:params:oauth:grant-type:jwt-bearer":
            return JSONResponse({"error": "unsupported_grant_type"}, status_code=400)
        assertion = str(form.get("assertion") or "")
        try:
            orgnr, scopes = self._check_grant(assertion)
        except ValueError as exc:
            self.refused.append(f"token: {exc}")
            return JSONResponse({"error": "invalid_grant", "error_description": str(exc)}, status_code=400)
        token = secrets.token_urlsafe(32)
        with self._lock:
            self.tokens[token] = (orgnr, scopes, time.time() + TOKEN_SECONDS)
        return JSONResponse({"access_token": token, "token_type": "Bearer", "expires_in": TOKEN_SECONDS,
                             "scope": " ".join(sorted(scopes))})

    def _check_grant(self, assertion: str) -> tuple[str, set[str]]:
        try:
            header = json.loads(base64.urlsafe_b64decode(assertion.split(".")[0] + "=="))
            certificate = x509.load_der_x509_certificate(base64.b64decode(header["x5c"][0]))
        except (ValueError, KeyError, IndexError, TypeError):
            raise ValueError("the grant has no x5c certificate") from None
        if header.get("alg") != "RS256":
            raise ValueError("the grant must be signed RS256")
        if not issued_by(certificate, [self.trusted_ca]):
            raise ValueError("the certificate is not a valid virksomhetssertifikat of a trusted issuer")
        public_key = certificate.public_key()
        if not isinstance(public_key, rsa.RSAPublicKey):
            raise ValueError("the certificate has no RSA key")
        try:
            claims = jwt.decode(assertion, RSAKey.import_key(public_key), algorithms=["RS256"],
                                registry=GRANT_REGISTRY).claims
        except (JoseError, ValueError) as exc:
            raise ValueError(f"the grant's signature does not hold ({type(exc).__name__})") from None
        now = time.time()
        client = self.clients.get(str(claims.get("iss")))
        if client is None:
            raise ValueError("unknown client (iss)")
        orgnr, allowed = client
        if orgnr_of(certificate) != orgnr:
            raise ValueError("the certificate belongs to another organisation than the client")
        if claims.get("aud") != self.audience:
            raise ValueError("wrong audience")
        issued, expires = claims.get("iat"), claims.get("exp")
        if not isinstance(issued, int) or not isinstance(expires, int) or expires - issued > 120:
            raise ValueError("iat and exp must be set, at most 120 seconds apart")
        if expires < now or issued > now + 10:
            raise ValueError("the grant has expired or is not valid yet")
        jti = str(claims.get("jti") or "")
        if not jti or jti in self._jtis:
            raise ValueError("jti missing or used before")
        self._jtis.add(jti)
        scopes = set(str(claims.get("scope") or "").split())
        if not scopes or not scopes <= allowed:
            raise ValueError("scope not allowed for this client")
        return orgnr, scopes

    def _token_org(self, token: str, scope: str = "ks:fiks") -> str | None:
        with self._lock:
            entry = self.tokens.get(token)
        if entry is None or entry[2] < time.time() or scope not in entry[1]:
            return None
        return entry[0]

    def _integration(self, request: Request) -> Integration | None:
        """The calling integration, when its Maskinporten token and password hold (case-insensitive headers)."""
        authorization = request.headers.get("authorization", "")
        orgnr = self._token_org(authorization.removeprefix("Bearer ")) if authorization.startswith("Bearer ") else None
        try:
            integration = self.integrations.get(uuid.UUID(request.headers.get("integrasjonid", "")))
        except ValueError:
            return None
        if orgnr is None or integration is None or integration.orgnr != orgnr:
            return None
        if not secrets.compare_digest(request.headers.get("integrasjonpassord", ""), integration.password):
            return None
        return integration

    # --- catalogue -------------------------------------------------------------------------------

    @staticmethod
    def _konto_json(account: Account) -> dict[str, Any]:
        return {"fiksOrgId": str(uuid.uuid5(uuid.NAMESPACE_OID, account.orgnr)), "fiksOrgNavn": account.name,
                "organisasjonsnummer": account.orgnr, "kommunenummer": None, "kontoId": str(account.konto_id),
                "kontoNavn": account.name,
                "status": {"gyldigAvsender": True, "gyldigMottaker": True, "antallKonsumenter": 0,
                           "melding": None, "antallUavhentedeMeldinger": 0}}

    async def lookup(self, request: Request) -> Response:
        if self._integration(request) is None:
            return _error(401, "ugyldig token eller integrasjon")
        params = request.query_params
        wanted = (params.get("identifikator"), params.get("meldingProtokoll"), int(params.get("sikkerhetsniva") or 0))
        for account in self.accounts.values():
            if wanted in account.addresses:
                return JSONResponse(self._konto_json(account))
        return _error(404, "ingen konto for adressen")

    async def konto(self, request: Request) -> Response:
        if self._integration(request) is None:
            return _error(401, "ugyldig token eller integrasjon")
        account = self._account(request.path_params["konto_id"])
        return JSONResponse(self._konto_json(account)) if account else _error(404, "ukjent konto")

    async def public_key(self, request: Request) -> Response:
        account = self._account(request.path_params["konto_id"])
        if account is None:
            return _error(404, "ukjent konto")
        certificate = account.public_key
        return JSONResponse({"nokkel": certificate.public_bytes(serialization.Encoding.PEM).decode(),
                             "validFrom": certificate.not_valid_before_utc.isoformat(),
                             "validTo": certificate.not_valid_after_utc.isoformat(),
                             "serial": str(certificate.serial_number),
                             "subjectDN": certificate.subject.rfc4514_string(),
                             "issuerDN": certificate.issuer.rfc4514_string()})

    def _account(self, value: str) -> Account | None:
        try:
            return self.accounts.get(uuid.UUID(value))
        except ValueError:
            return None

    # --- send -------------------------------------------------------------------------------------

    async def send(self, request: Request) -> Response:
        integration = self._integration(request)
        if integration is None:
            return _error(401, "ugyldig token eller integrasjon")
        async with request.form(max_part_size=MAX_PAYLOAD_BYTES + 1) as form:
            metadata_part = form.get("metadata")
            data_part = form.get("data")
            try:
                raw_metadata = metadata_part if isinstance(metadata_part, str) else await metadata_part.read()  # type: ignore[union-attr]
                metadata = json.loads(raw_metadata)
                avsender, mottaker = uuid.UUID(metadata["avsenderKontoId"]), uuid.UUID(metadata["mottakerKontoId"])
                melding_type = str(metadata["meldingType"])
            except (ValueError, KeyError, TypeError):
                return _error(400, "metadata mangler eller er ugyldig")
            data = None if data_part is None or isinstance(data_part, str) else await data_part.read()
        if data is not None and len(data) > MAX_PAYLOAD_BYTES:
            return _error(413, "meldinger over 5 MB går via Fiks Dokumentlager, som denne stand-in ikke har")
        sender, recipient = self.accounts.get(avsender), self.accounts.get(mottaker)
        if sender is None or integration.integration_id not in sender.integrations:
            return _error(403, "integrasjonen har ikke tilgang til avsenderkontoen")
        if recipient is None:
            return _error(400, "ukjent mottakerkonto")
        reply_to = uuid.UUID(metadata["svarPaMelding"]) if metadata.get("svarPaMelding") else None
        headere = {str(k): str(v) for k, v in (metadata.get("headere") or {}).items()}
        ttl = int(metadata.get("ttl") or 7 * 24 * 3600 * 1000)
        melding_id = uuid.uuid4()
        headers: dict[str, Any] = {"avsender-id": str(avsender), "melding-id": str(melding_id), "type": melding_type}
        if reply_to:
            headers["svar-til"] = str(reply_to)
        headers.update({f"egendefinert-header.{k}": v for k, v in headere.items()})
        await self._publish(recipient.queue, headers, data or b"", max(ttl, 1000))
        self.sent.append(Sent(melding_id, melding_type, avsender, mottaker, reply_to, headere, time.time()))
        if self.send_delay:
            await asyncio.sleep(self.send_delay)
        return JSONResponse({"meldingId": str(melding_id), "meldingType": melding_type,
                             "avsenderKontoId": str(avsender),
                             "mottakerKontoId": str(mottaker), "ttl": ttl, "dokumentlagerId": None,
                             "svarPaMelding": str(reply_to) if reply_to else None, "headere": headere},
                            status_code=202)

    async def _publish(self, queue: str, headers: dict[str, Any], body: bytes, ttl_ms: int) -> None:
        assert self._channel is not None, "the platform is not connected to its broker"
        message = aio_pika.Message(body, headers=headers, expiration=ttl_ms / 1000,
                                   delivery_mode=aio_pika.DeliveryMode.PERSISTENT, message_id=headers["melding-id"])
        await self._channel.default_exchange.publish(message, routing_key=queue)

    # --- dead letters: time to live and delivery limit ------------------------------------------

    async def _dead_letter(self, message: aio_pika.abc.AbstractIncomingMessage) -> None:
        async with message.process():
            headers = dict(message.headers or {})
            reason = str(headers.get("x-first-death-reason") or "")
            queue = str(headers.get("x-first-death-queue") or "")
            try:
                original_sender = uuid.UUID(str(headers["avsender-id"]))
                original_id = str(headers["melding-id"])
                original_recipient = uuid.UUID(queue.removeprefix("fiksio.konto."))
            except (KeyError, ValueError):
                return
            account = self.accounts.get(original_sender)
            if account is None:
                return
            melding_type = TIDSAVBRUDD if reason == "expired" else FIKS_SERVERFEIL
            melding_id = uuid.uuid4()
            reply: dict[str, Any] = {"avsender-id": str(original_recipient), "melding-id": str(melding_id),
                                     "type": melding_type, "svar-til": original_id,
                                     "svar-til-type": str(headers.get("type") or "")}
            for name, value in headers.items():
                if name.startswith("egendefinert-header.klientKorrelasjon"):
                    reply[name] = value
            await self._publish(account.queue, reply, b"", 7 * 24 * 3600 * 1000)
            self.sent.append(Sent(melding_id, melding_type, original_recipient, original_sender,
                                  uuid.UUID(original_id), {}, time.time()))

    # --- RabbitMQ's HTTP authentication backend -------------------------------------------------

    async def amqp_user(self, request: Request) -> Response:
        form = await request.form()
        try:
            integration = self.integrations.get(uuid.UUID(str(form.get("username"))))
        except ValueError:
            return PlainTextResponse("deny")
        password, _, token = str(form.get("password") or "").partition(" ")
        if integration is None or not secrets.compare_digest(password, integration.password) \
                or self._token_org(token) != integration.orgnr:
            self.refused.append("amqp: refused a connection")
            return PlainTextResponse("deny")
        return PlainTextResponse("allow")

    async def amqp_vhost(self, request: Request) -> Response:
        form = await request.form()
        return PlainTextResponse("allow" if form.get("vhost") == "/" else "deny")

    async def amqp_resource(self, request: Request) -> Response:
        form = await request.form()
        try:
            integration_id = uuid.UUID(str(form.get("username")))
        except ValueError:
            return PlainTextResponse("deny")
        name = str(form.get("name") or "")
        account = self._account(name.removeprefix("fiksio.konto.")) if name.startswith("fiksio.konto.") else None
        allowed = (form.get("resource") == "queue" and form.get("permission") == "read" and account is not None
                   and integration_id in account.integrations)
        return PlainTextResponse("allow" if allowed else "deny")

    async def amqp_topic(self, request: Request) -> Response:
        return PlainTextResponse("deny")

    # --- running ----------------------------------------------------------------------------------

    def app(self) -> Starlette:
        @asynccontextmanager
        async def lifespan(app: Starlette) -> AsyncIterator[None]:
            assert self._amqp_url is not None
            self._connection = await aio_pika.connect_robust(self._amqp_url)
            self._channel = await self._connection.channel()
            dead = await self._channel.declare_exchange(DEAD_LETTERS, aio_pika.ExchangeType.FANOUT, durable=True)
            dead_queue = await self._channel.declare_queue(DEAD_LETTERS, durable=True)
            await dead_queue.bind(dead)
            for account in self.accounts.values():
                await self._channel.declare_queue(account.queue, durable=True, arguments={
                    "x-queue-type": "quorum", "x-delivery-limit": DELIVERY_LIMIT,
                    "x-dead-letter-exchange": DEAD_LETTERS})
            consumer_channel = await self._connection.channel()
            dead_consumer = await consumer_channel.get_queue(DEAD_LETTERS)
            await dead_consumer.consume(self._dead_letter)
            yield
            await self._connection.close()

        return Starlette(lifespan=lifespan, routes=[
            Route("/token", self.token, methods=["POST"]),
            Route(f"{KATALOG}/lookup", self.lookup),
            Route(f"{KATALOG}/kontoer/{{konto_id}}", self.konto),
            Route(f"{KATALOG}/kontoer/{{konto_id}}/offentligNokkel", self.public_key),
            Route("/fiks-io/api/v1/send", self.send, methods=["POST"]),
            Route("/amqp/user", self.amqp_user, methods=["POST"]),
            Route("/amqp/vhost", self.amqp_vhost, methods=["POST"]),
            Route("/amqp/resource", self.amqp_resource, methods=["POST"]),
            Route("/amqp/topic", self.amqp_topic, methods=["POST"]),
        ])

    def start(self, amqp_admin_url: str) -> FiksPlatform:
        self._amqp_url = amqp_admin_url
        config = uvicorn.Config(self.app(), host=self.host, port=self.port, log_level="warning", lifespan="on",
                                access_log=False)
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, name="fiks-platform", daemon=True)
        self._thread.start()
        deadline = time.monotonic() + 30
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("the Fiks IO stand-in did not start")
            time.sleep(0.05)
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout=10)

