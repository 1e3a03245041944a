"""The Fiks IO account catalogue (``/fiks-io/katalog/api/v1``), as ``ks-no/fiks-io-send-client-dotnet`` reads it.

``CatalogHandler``: ``GET lookup?identifikator=&meldingProtokoll=&sikkerhetsniva=`` finds the
account that receives a protocol for an organisation (an identifier such as ``ORG_NO.123456789``,
the Java client's ``IdentifikatorType``); ``GET kontoer/{id}`` an account and its status;
``GET kontoer/{id}/offentligNokkel`` (unauthenticated) the account's public key as a PEM X.509
certificate in ``nokkel``. Authenticated calls carry ``Authorization: Bearer`` (Maskinporten) and
``integrasjonId`` / ``integrasjonPassord``. Public keys are cached for ten minutes, as the Java
client's ``FiksIOHandler`` does.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import httpx
from cryptography import x509

KATALOG_PATH = "/fiks-io/katalog/api/v1"
PUBLIC_KEY_CACHE_SECONDS = 600


class CatalogError(RuntimeError):
    """The catalogue did not answer as expected (not found, refused, unreachable)."""

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class Konto:
    konto_id: uuid.UUID
    konto_navn: str | None
    fiks_org_id: uuid.UUID | None
    fiks_org_navn: str | None
    organisasjonsnummer: str | None
    gyldig_avsender: bool
    gyldig_mottaker: bool

    @classmethod
    def from_json(cls, body: dict[str, Any]) -> Konto:
        status = body.get("status") or {}
        org = body.get("fiksOrgId")
        return cls(konto_id=uuid.UUID(str(body["kontoId"])), konto_navn=body.get("kontoNavn"),
                   fiks_org_id=uuid.UUID(str(org)) if org else None, fiks_org_navn=body.get("fiksOrgNavn"),
                   organisasjonsnummer=body.get("organisasjonsnummer"),
                   gyldig_avsender=bool(status.get("gyldigAvsender")),
                   gyldig_mottaker=bool(status.get("gyldigMottaker")))


#: Headers of an authenticated call: a function, because the Maskinporten token changes.
AuthHeaders = Callable[[], Awaitable[dict[str, str]]]


class Catalog:
    def __init__(self, base_url: str, http: httpx.AsyncClient, auth_headers: AuthHeaders,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.base = base_url.rstrip("/") + KATALOG_PATH
        self._http = http
        self._auth = auth_headers
        self._clock = clock
        self._keys: dict[uuid.UUID, tuple[x509.Certificate, float]] = {}

    async def _get(self, path: str, params: dict[str, str] | None = None, authenticated: bool = True) -> Any:
        headers = await self._auth() if authenticated else {}
        try:
            response = await self._http.get(f"{self.base}/{path}", params=params, headers=headers)
        except httpx.HTTPError as exc:
            raise CatalogError(f"the catalogue is not reachable ({type(exc).__name__})") from None
        if response.status_code != 200:
            raise CatalogError(f"the catalogue answered {response.status_code} to {path.split('/')[0]}",
                               response.status_code)
        return response.json()

    async def lookup(self, identifier: str, protocol: str, security_level: int = 3) -> Konto:
        """The account that receives ``protocol`` for ``identifier`` (e.g. ``ORG_NO.123456789``)."""
        body = await self._get("lookup", {"identifikator": identifier, "meldingProtokoll": protocol,
                                          "sikkerhetsniva": str(security_level)})
        return Konto.from_json(body)

    async def account(self, konto_id: uuid.UUID) -> Konto:
        return Konto.from_json(await self._get(f"kontoer/{konto_id}"))

    async def public_key(self, konto_id: uuid.UUID) -> x509.Certificate:
        """The certificate messages to ``konto_id`` are encrypted to (cached ten minutes)."""
        cached = self._keys.get(konto_id)
        if cached and cached[1] > self._clock():
            return cached[0]
        body = await self._get(f"kontoer/{konto_id}/offentligNokkel", authenticated=False)
        pem = body.get("nokkel") or body.get("Nokkel")
        if not isinstance(pem, str):
            raise CatalogError("the catalogue answered without a public key")
        try:
            certificate = x509.load_pem_x509_certificate(pem.encode())
        except ValueError:
            raise CatalogError("the account's public key is not a PEM certificate") from None
        self._keys[konto_id] = (certificate, self._clock() + PUBLIC_KEY_CACHE_SECONDS)
        return certificate
