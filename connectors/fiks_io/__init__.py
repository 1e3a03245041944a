"""A Fiks IO client in Python: KS ships clients for Java and .NET only.

Usable apart from Innboks (it imports nothing of ``innboks``, ``schemas`` or ``streams``; an
import-linter contract keeps it so). The parts, each following its source (docs/archive.md says which):

- ``maskinporten``: the JWT-grant access token, signed with the virksomhetssertifikat (RS256, ``x5c``);
- ``cms``: CMS ``EnvelopedData`` (AES-256-CBC, RSAES-OAEP with SHA-256) and ``SignedData`` (CAdES-BES);
- ``asice``: the ASiC-E container every Fiks IO payload is (CAdES signature over an ``ASiCManifest``);
- ``catalog``: the account catalogue (lookup by organisation number and protocol, public keys);
- ``client``: send (REST, multipart ``metadata`` + ``data``), reply, and receive from the account's
  AMQP queue with acknowledgement only after the handler succeeded.
"""

from connectors.fiks_io.asice import AsiceError, AsiceFile, read_asice, write_asice
from connectors.fiks_io.catalog import Catalog, Konto
from connectors.fiks_io.client import (
    FiksIOClient,
    FiksIOConfig,
    FiksIOError,
    MeldingRequest,
    MottattMelding,
    RejectMessage,
    SendtMelding,
)
from connectors.fiks_io.cms import CmsError, Signer, decrypt, encrypt, sign_detached, verify_detached
from connectors.fiks_io.maskinporten import MaskinportenClient, MaskinportenError

__all__ = [
    "AsiceError",
    "AsiceFile",
    "Catalog",
    "CmsError",
    "FiksIOClient",
    "FiksIOConfig",
    "FiksIOError",
    "Konto",
    "MaskinportenClient",
    "MaskinportenError",
    "MeldingRequest",
    "MottattMelding",
    "RejectMessage",
    "SendtMelding",
    "Signer",
    "decrypt",
    "encrypt",
    "read_asice",
    "sign_detached",
    "verify_detached",
    "write_asice",
]
