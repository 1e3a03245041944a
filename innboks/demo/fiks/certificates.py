"""A test PKI for the Fiks stand-ins: a CA, virksomhetssertifikater and Fiks IO account keys.

A Norwegian virksomhetssertifikat (Buypass, Commfides) names the organisation number in the
subject's ``serialNumber`` (and, in newer ones, ``organizationIdentifier`` ``NTRNO-<orgnr>``); the
stand-in token endpoint reads it from there. Account keys are self-contained key pairs whose
certificate is published in the catalogue (Fiks IO's "offentlig nøkkel"), issued here by the same CA.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

from connectors.fiks_io.cms import Signer

ORGANIZATION_IDENTIFIER = x509.ObjectIdentifier("2.5.4.97")


@dataclass(frozen=True)
class Issued:
    key: rsa.RSAPrivateKey
    certificate: x509.Certificate
    ca: x509.Certificate

    @property
    def signer(self) -> Signer:
        return Signer(self.key, (self.certificate, self.ca))

    def key_pem(self) -> bytes:
        return self.key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                      serialization.NoEncryption())

    def chain_pem(self) -> bytes:
        return b"".join(c.public_bytes(serialization.Encoding.PEM) for c in (self.certificate, self.ca))

    def write(self, directory: Path, stem: str) -> tuple[Path, Path]:
        """``stem.key.pem`` (mode 0600) and ``stem.crt.pem`` (certificate and CA)."""
        directory.mkdir(parents=True, exist_ok=True)
        key_path, chain_path = directory / f"{stem}.key.pem", directory / f"{stem}.crt.pem"
        key_path.write_bytes(self.key_pem())
        key_path.chmod(0o600)
        chain_path.write_bytes(self.chain_pem())
        return key_path, chain_path


def _key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


class TestCa:
    __test__ = False  # not a pytest class

    """A CA that issues virksomhetssertifikater and account certificates for the stand-ins."""

    def __init__(self, name: str = "Innboks Test CA") -> None:
        self.key = _key()
        now = datetime.now(UTC)
        subject = x509.Name([x509.NameAttribute(NameOID.COUNTRY_NAME, "NO"),
                             x509.NameAttribute(NameOID.ORGANIZATION_NAME, name),
                             x509.NameAttribute(NameOID.COMMON_NAME, name)])
        self.certificate = (
            x509.CertificateBuilder().subject_name(subject).issuer_name(subject).public_key(self.key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - timedelta(days=1))
            .not_valid_after(now + timedelta(days=3650))
            .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
            .add_extension(x509.KeyUsage(digital_signature=False, content_commitment=False, key_encipherment=False,
                                         data_encipherment=False, key_agreement=False, key_cert_sign=True,
                                         crl_sign=True, encipher_only=False, decipher_only=False), critical=True)
            .sign(self.key, hashes.SHA256())
        )

    def pem(self) -> bytes:
        return self.certificate.public_bytes(serialization.Encoding.PEM)

    def issue(self, common_name: str, organisation: str, orgnr: str, days: int = 365) -> Issued:
        key = _key()
        now = datetime.now(UTC)
        subject = x509.Name([
            x509.NameAttribute(NameOID.COUNTRY_NAME, "NO"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, organisation),
            x509.NameAttribute(ORGANIZATION_IDENTIFIER, f"NTRNO-{orgnr}"),
            x509.NameAttribute(NameOID.SERIAL_NUMBER, orgnr),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        ])
        certificate = (
            x509.CertificateBuilder().subject_name(subject).issuer_name(self.certificate.subject)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - timedelta(days=1)).not_valid_after(now + timedelta(days=days))
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.KeyUsage(digital_signature=True, content_commitment=True, key_encipherment=True,
                                         data_encipherment=False, key_agreement=False, key_cert_sign=False,
                                         crl_sign=False, encipher_only=False, decipher_only=False), critical=True)
            .sign(self.key, hashes.SHA256())
        )
        return Issued(key, certificate, self.certificate)


def orgnr_of(certificate: x509.Certificate) -> str | None:
    """The organisation number a virksomhetssertifikat names (serialNumber or organizationIdentifier)."""
    for attribute in certificate.subject:
        value = str(attribute.value)
        if attribute.oid == NameOID.SERIAL_NUMBER and value.isdigit() and len(value) == 9:
            return value
        if attribute.oid == ORGANIZATION_IDENTIFIER and value.startswith("NTRNO-"):
            return value.removeprefix("NTRNO-")
    return None
