"""Everything ``innboks archive --fiks`` talks to, on this machine: the broker, KS's service, an archive.

``FiksWorld`` makes a test PKI, starts rabbitmq-server (asking the stand-in service who may connect),
registers two organisations as Fiks Forvaltning and Samarbeidsportalen would (the municipality with
its Maskinporten client, integration and account; the archive vendor with its own), starts the
stand-in service and the stand-in archive, and writes what the municipality's operator would
configure: certificate, keys and integration password as files, and ``INNBOKS_FIKS_*`` settings.
"""

from __future__ import annotations

import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from connectors.archive import fiks_arkiv
from connectors.fiks_io import FiksIOConfig
from innboks.demo.fiks.archive import StandInArchive
from innboks.demo.fiks.certificates import Issued, TestCa
from innboks.demo.fiks.platform import Account, FiksPlatform, Integration
from innboks.demo.fiks.rabbitmq import RabbitMQServer

MUNICIPALITY_ORGNR = "999000001"
ARCHIVE_ORGNR = "999000002"


@dataclass
class Party:
    name: str
    orgnr: str
    client_id: str
    certificate: Issued
    account_key: Issued
    integration: Integration
    account: Account


class FiksWorld:
    def __init__(self, directory: Path | None = None, *, serverfeil_first: bool = False,
                 kvittering_delay: float = 0.0, accepted_systems: frozenset[str] = frozenset({"Innboks"}),
                 start_archive: bool = True, send_delay: float = 0.0) -> None:
        self.directory = directory or Path(tempfile.mkdtemp(prefix="innboks-fiks-"))
        self._own_directory = directory is None
        self.ca = TestCa()
        self.platform = FiksPlatform(self.ca.certificate, send_delay=send_delay)
        self.rabbitmq = RabbitMQServer(auth_url=self.platform.auth_url, root=self.directory / "rabbitmq")
        self.innboks = self._party("Alta kommune", MUNICIPALITY_ORGNR, "innboks-alta")
        self.archive_party = self._party("Arkivleverandør AS", ARCHIVE_ORGNR, "arkiv-alta",
                                         addresses=[(f"ORG_NO.{MUNICIPALITY_ORGNR}", fiks_arkiv.PROTOCOL, 3)])
        self.archive = StandInArchive(
            FiksIOConfig(account_id=self.archive_party.account.konto_id,
                         integration_id=self.archive_party.integration.integration_id,
                         integration_password=self.archive_party.integration.password, api_url=self.platform.base_url,
                         amqp_url=self.rabbitmq.url, application_name="stand-in-archive"),
            self.archive_party.certificate.signer, self.archive_party.account_key.key, self.platform.token_endpoint,
            self.platform.audience, self.archive_party.client_id, self.ca.certificate,
            serverfeil_first=serverfeil_first, kvittering_delay=kvittering_delay, accepted_systems=accepted_systems)
        self.start_archive = start_archive

    def _party(self, name: str, orgnr: str, client_id: str,
               addresses: list[tuple[str, str, int]] | None = None) -> Party:
        certificate = self.ca.issue(f"{name} (test)", name, orgnr)
        account_key = self.ca.issue(f"{name} Fiks IO-konto", name, orgnr)
        self.platform.register_client(client_id, orgnr)
        integration = self.platform.register_integration(orgnr)
        account = self.platform.register_account(name, orgnr, account_key.certificate, integration, addresses)
        return Party(name, orgnr, client_id, certificate, account_key, integration, account)

    def start(self) -> FiksWorld:
        self.directory.mkdir(parents=True, exist_ok=True)
        self.rabbitmq.start()
        try:
            self.platform.start(self.rabbitmq.admin_url)
            if self.start_archive:
                self.archive.start()
        except BaseException:
            self.stop()
            raise
        return self

    def stop(self) -> None:
        self.archive.stop()
        self.platform.stop()
        self.rabbitmq.stop()
        if self._own_directory:
            shutil.rmtree(self.directory, ignore_errors=True)

    def __enter__(self) -> FiksWorld:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def innboks_env(self, lookup: bool = False) -> dict[str, str]:
        """The municipality's ``INNBOKS_FIKS_*`` settings, its secrets written as files beside them
        (``lookup``: find the archive's account in the catalogue instead of naming it)."""
        secrets = self.directory / "secrets"
        key, chain = self.innboks.certificate.write(secrets, "virksomhetssertifikat")
        account_key, _ = self.innboks.account_key.write(secrets, "fiks-io-konto")
        password = secrets / "integrasjonspassord"
        password.write_text(self.innboks.integration.password)
        password.chmod(0o600)
        ca = secrets / "ca.pem"
        ca.write_bytes(self.ca.pem())
        env = {
            "INNBOKS_FIKS_API_URL": self.platform.base_url, "INNBOKS_FIKS_AMQP_URL": self.rabbitmq.url,
            "INNBOKS_FIKS_MASKINPORTEN_TOKEN_URL": self.platform.token_endpoint,
            "INNBOKS_FIKS_MASKINPORTEN_AUDIENCE": self.platform.audience,
            "INNBOKS_FIKS_MASKINPORTEN_CLIENT_ID": self.innboks.client_id,
            "INNBOKS_FIKS_ACCOUNT_ID": str(self.innboks.account.konto_id),
            "INNBOKS_FIKS_INTEGRATION_ID": str(self.innboks.integration.integration_id),
            "INNBOKS_FIKS_INTEGRATION_PASSWORD": f"file:{password}",
            "INNBOKS_FIKS_CERTIFICATE": str(chain), "INNBOKS_FIKS_PRIVATE_KEY": f"file:{key}",
            "INNBOKS_FIKS_ACCOUNT_PRIVATE_KEY": f"file:{account_key}", "INNBOKS_FIKS_TRUSTED_CA": str(ca),
        }
        if lookup:
            env["INNBOKS_FIKS_ARCHIVE_ORGNR"] = MUNICIPALITY_ORGNR
        else:
            env["INNBOKS_FIKS_ARCHIVE_ACCOUNT_ID"] = str(self.archive_party.account.konto_id)
        return env
