"""Running ``innboks archive --fiks``: the Fiks IO client from ``INNBOKS_FIKS_*``, the archive's account, the loop."""

from __future__ import annotations

import asyncio
import logging
import signal
import uuid
from collections import Counter
from pathlib import Path

import httpx
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from prometheus_client import CollectorRegistry, start_http_server
from pydantic import ValidationError

from connectors.archive import fiks_arkiv
from connectors.archive.fiks_metrics import FiksMetrics
from connectors.archive.fiks_sender import FiksSender
from connectors.fiks_io import FiksIOClient, FiksIOConfig, FiksIOError, MaskinportenClient
from connectors.fiks_io.catalog import CatalogError
from connectors.fiks_io.cms import CmsError, Signer
from innboks.config.credentials import CredentialError, resolve
from innboks.config.fiks import FiksSettings
from innboks.config.settings import Settings
from innboks.errors import CliError
from innboks.kafka.clients import KafkaClientError, UnknownTopicError

log = logging.getLogger(__name__)


def _private_key(reference: str, what: str, password: bytes | None = None) -> rsa.RSAPrivateKey:
    try:
        pem = resolve(reference).get_secret_value().encode()
        key = serialization.load_pem_private_key(pem, password=password)
    except CredentialError as exc:
        raise CliError(f"{what}: {exc}") from None
    except (ValueError, TypeError):
        raise CliError(f"{what}: not a PEM private key (or the password is wrong)") from None
    if not isinstance(key, rsa.RSAPrivateKey):
        raise CliError(f"{what}: an RSA key is needed")
    return key


def load_client(fiks: FiksSettings, http: httpx.AsyncClient) -> FiksIOClient:
    """The Fiks IO client of the settings; every problem is one ``CliError`` line naming the setting."""
    missing = fiks.missing()
    if missing:
        raise CliError(f"--fiks needs {', '.join(missing)} (docs/archive.md, 'Setting up Fiks')")
    assert fiks.certificate and fiks.private_key and fiks.account_private_key and fiks.integration_password
    assert fiks.account_id and fiks.integration_id and fiks.maskinporten_client_id
    password = resolve(fiks.private_key_password).get_secret_value().encode() if fiks.private_key_password else None
    key = _private_key(fiks.private_key, "INNBOKS_FIKS_PRIVATE_KEY", password)
    try:
        chain = tuple(x509.load_pem_x509_certificates(fiks.certificate.read_bytes()))
        signer = Signer.from_pem(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                                   serialization.NoEncryption()),
                                 b"".join(c.public_bytes(serialization.Encoding.PEM) for c in chain))
    except OSError as exc:
        raise CliError(f"INNBOKS_FIKS_CERTIFICATE {fiks.certificate}: {exc.strerror}") from None
    except (ValueError, CmsError) as exc:
        raise CliError(f"INNBOKS_FIKS_CERTIFICATE {fiks.certificate}: {exc}") from None
    account_keys = [_private_key(fiks.account_private_key, "INNBOKS_FIKS_ACCOUNT_PRIVATE_KEY")]
    if fiks.account_previous_private_key:
        account_keys.append(_private_key(fiks.account_previous_private_key,
                                         "INNBOKS_FIKS_ACCOUNT_PREVIOUS_PRIVATE_KEY"))
    trusted: list[x509.Certificate] = []
    if fiks.trusted_ca:
        try:
            trusted = x509.load_pem_x509_certificates(fiks.trusted_ca.read_bytes())
        except (OSError, ValueError) as exc:
            raise CliError(f"INNBOKS_FIKS_TRUSTED_CA {fiks.trusted_ca}: {exc}") from None
    try:
        integration_password = resolve(fiks.integration_password).get_secret_value()
    except CredentialError as exc:
        raise CliError(f"INNBOKS_FIKS_INTEGRATION_PASSWORD: {exc}") from None
    config = FiksIOConfig(account_id=fiks.account_id, integration_id=fiks.integration_id,
                          integration_password=integration_password, api_url=fiks.api_url, amqp_url=fiks.amqp_url,
                          scope=fiks.scope, application_name="innboks-archive-fiks")
    maskinporten = MaskinportenClient(fiks.maskinporten_token_url, fiks.maskinporten_audience,
                                      fiks.maskinporten_client_id, signer, http=http)
    return FiksIOClient(config, maskinporten, signer, account_keys, http=http, trusted_issuers=trusted)


async def archive_account(client: FiksIOClient, fiks: FiksSettings) -> uuid.UUID:
    """The archive's account: configured, or looked up in the catalogue by organisation number."""
    if fiks.archive_account_id is not None:
        return fiks.archive_account_id
    assert fiks.archive_orgnr is not None
    try:
        konto = await client.catalog.lookup(f"ORG_NO.{fiks.archive_orgnr}", fiks_arkiv.PROTOCOL, fiks.security_level)
    except (CatalogError, FiksIOError) as exc:
        raise CliError(f"no Fiks Arkiv account for organisation {fiks.archive_orgnr} in the catalogue: {exc}") from None
    return konto.konto_id


def run_fiks_archive(settings: Settings, bootstrap: str, out: Path | None, once: bool, group: str,
                     retry_failed: bool) -> Counter[str]:
    try:
        fiks = FiksSettings()
    except ValidationError as exc:
        first = exc.errors(include_url=False)[0]
        name = "INNBOKS_FIKS_" + "_".join(str(part) for part in first["loc"]).upper()
        raise CliError(f"{name}: {first['msg']}") from None
    metrics = FiksMetrics(CollectorRegistry())
    if fiks.metrics_port:
        try:
            start_http_server(fiks.metrics_port, registry=metrics.registry)
        except OSError as exc:
            raise CliError(f"metrics port {fiks.metrics_port}: {exc.strerror} (INNBOKS_FIKS_METRICS_PORT)") from None

    async def main() -> Counter[str]:
        async with httpx.AsyncClient(timeout=httpx.Timeout(60, connect=10)) as http:
            client = load_client(fiks, http)
            recipient = await archive_account(client, fiks)
            sender = FiksSender(client=client, fiks=fiks, recipient=recipient, municipality=settings.municipality,
                                bootstrap=bootstrap, group=group, metrics=metrics,
                                group_timeouts=settings.group_timeouts(), out=out, retry_failed=retry_failed)
            loop = asyncio.get_running_loop()
            for signum in (signal.SIGTERM, signal.SIGINT):
                loop.add_signal_handler(signum, sender.stopping.set)
            return await sender.run(once)

    try:
        return asyncio.run(main())
    except UnknownTopicError as exc:
        raise CliError(f"{exc}: run innboks topics create") from None
    except (TimeoutError, KafkaClientError) as exc:
        raise CliError(str(exc)) from None
