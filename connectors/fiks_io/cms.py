"""CMS (RFC 5652) as Fiks IO uses it: ``EnvelopedData`` to encrypt, detached ``SignedData`` to sign.

Encryption follows ``ks-no/kryptering`` (``CMSKrypteringImpl``, used by the Java and .NET clients'
ASiC-E handlers): content encrypted with AES-256-CBC under a fresh key, the key transported to the
recipient's certificate with RSAES-OAEP (SHA-256, MGF1 with SHA-256, empty label), the recipient
named by issuer and serial number. ``cryptography``'s own ``PKCS7EnvelopeBuilder`` only transports
keys with PKCS #1 v1.5, so the structures are built with ``asn1crypto`` and the primitives are
``cryptography``'s. Decryption also accepts PKCS #1 v1.5 key transport and AES-128/192-CBC.

Signatures follow the ASiC-E writers (``ks-no/asic`` ``SignatureHelper``, ``ks-no/fiks-asice-dotnet``
``SignatureCreator``): a detached ``SignedData`` over the manifest with SHA-256 with RSA (the .NET
writer's algorithm), the signer's certificates included, and the signed attributes content type,
signing time, message digest, plus ESS ``signing-certificate-v2`` (which makes it CAdES-BES).
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from asn1crypto import algos, cms
from asn1crypto import tsp as _tsp  # noqa: F401 - registers the ESS signing-certificate-v2 attribute
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, padding, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.asymmetric.padding import MGF1, OAEP, PKCS1v15
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

_HASHES: dict[str, type[hashes.HashAlgorithm]] = {
    "sha1": hashes.SHA1, "sha256": hashes.SHA256, "sha384": hashes.SHA384, "sha512": hashes.SHA512,
}
_AES_KEY_BYTES = {"aes128_cbc": 16, "aes192_cbc": 24, "aes256_cbc": 32}


class CmsError(ValueError):
    """A CMS structure that cannot be decrypted or whose signature does not hold."""


@dataclass(frozen=True)
class Signer:
    """A private key and its certificate chain (the signer's certificate first)."""

    key: rsa.RSAPrivateKey
    chain: tuple[x509.Certificate, ...]

    @property
    def certificate(self) -> x509.Certificate:
        return self.chain[0]

    @classmethod
    def from_pem(cls, key_pem: bytes, chain_pem: bytes, password: bytes | None = None) -> Signer:
        key = serialization.load_pem_private_key(key_pem, password=password)
        if not isinstance(key, rsa.RSAPrivateKey):
            raise CmsError("only RSA keys are supported (Fiks IO and Maskinporten use RSA)")
        chain = tuple(x509.load_pem_x509_certificates(chain_pem))
        if not chain:
            raise CmsError("no certificate in the chain file")
        public = chain[0].public_key()
        if not isinstance(public, rsa.RSAPublicKey) or public.public_numbers() != key.public_key().public_numbers():
            raise CmsError("the first certificate does not belong to the private key")
        return cls(key, chain)


def _asn1_certificate(certificate: x509.Certificate) -> asn1_x509.Certificate:
    return asn1_x509.Certificate.load(certificate.public_bytes(serialization.Encoding.DER))


def _issuer_and_serial(certificate: asn1_x509.Certificate) -> cms.IssuerAndSerialNumber:
    return cms.IssuerAndSerialNumber({"issuer": certificate.issuer, "serial_number": certificate.serial_number})


# --- EnvelopedData -----------------------------------------------------------------------------


def encrypt(data: bytes, recipient: x509.Certificate) -> bytes:
    """``data`` as a DER ``ContentInfo`` of type ``EnvelopedData`` for ``recipient`` (ks-no/kryptering)."""
    public_key = recipient.public_key()
    if not isinstance(public_key, rsa.RSAPublicKey):
        raise CmsError("the recipient's certificate has no RSA key")
    content_key, iv = os.urandom(32), os.urandom(16)
    padder = padding.PKCS7(128).padder()
    padded = padder.update(data) + padder.finalize()
    encryptor = Cipher(algorithms.AES(content_key), modes.CBC(iv)).encryptor()
    encrypted_content = encryptor.update(padded) + encryptor.finalize()
    encrypted_key = public_key.encrypt(content_key, OAEP(mgf=MGF1(hashes.SHA256()), algorithm=hashes.SHA256(),
                                                         label=None))
    oaep = algos.RSAESOAEPParams({
        "hash_algorithm": {"algorithm": "sha256"},
        "mask_gen_algorithm": {"algorithm": "mgf1", "parameters": {"algorithm": "sha256"}},
        "p_source_algorithm": {"algorithm": "p_specified", "parameters": b""},
    })
    recipient_info = cms.KeyTransRecipientInfo({
        "version": "v0",
        "rid": cms.RecipientIdentifier({"issuer_and_serial_number": _issuer_and_serial(_asn1_certificate(recipient))}),
        "key_encryption_algorithm": cms.KeyEncryptionAlgorithm({"algorithm": "rsaes_oaep", "parameters": oaep}),
        "encrypted_key": encrypted_key,
    })
    enveloped = cms.EnvelopedData({
        "version": "v0",
        "recipient_infos": [cms.RecipientInfo({"ktri": recipient_info})],
        "encrypted_content_info": cms.EncryptedContentInfo({
            "content_type": "data",
            "content_encryption_algorithm": cms.EncryptionAlgorithm({"algorithm": "aes256_cbc", "parameters": iv}),
            "encrypted_content": encrypted_content,
        }),
    })
    return cms.ContentInfo({"content_type": "enveloped_data", "content": enveloped}).dump()


def _unwrap_key(recipient_info: cms.KeyTransRecipientInfo, key: rsa.RSAPrivateKey) -> bytes:
    algorithm = recipient_info["key_encryption_algorithm"]
    name = algorithm["algorithm"].native
    encrypted_key = recipient_info["encrypted_key"].native
    if name == "rsaes_oaep":
        params = algorithm["parameters"]
        digest = _HASHES[params["hash_algorithm"]["algorithm"].native]()
        mgf_digest = _HASHES[params["mask_gen_algorithm"]["parameters"]["algorithm"].native]()
        label = params["p_source_algorithm"]["parameters"].native or None
        return key.decrypt(encrypted_key, OAEP(mgf=MGF1(mgf_digest), algorithm=digest, label=label))
    if name == "rsaes_pkcs1v15":
        return key.decrypt(encrypted_key, PKCS1v15())
    raise CmsError(f"unsupported key transport {name}")


def decrypt(enveloped: bytes, keys: Sequence[rsa.RSAPrivateKey]) -> bytes:
    """The content of a DER ``EnvelopedData``, decrypted with the first of ``keys`` that opens it."""
    try:
        info = cms.ContentInfo.load(enveloped)
        if info["content_type"].native != "enveloped_data":
            raise CmsError(f"not EnvelopedData but {info['content_type'].native}")
        data = info["content"]
        content_info = data["encrypted_content_info"]
        algorithm = content_info["content_encryption_algorithm"]
        cipher_name = algorithm["algorithm"].native
        if cipher_name not in _AES_KEY_BYTES:
            raise CmsError(f"unsupported content encryption {cipher_name}")
        iv = algorithm["parameters"].native
        encrypted_content = content_info["encrypted_content"].native
        recipient_infos = [ri.chosen for ri in data["recipient_infos"] if ri.name == "ktri"]
    except (ValueError, TypeError, KeyError) as exc:
        if isinstance(exc, CmsError):
            raise
        raise CmsError(f"not a CMS EnvelopedData structure ({type(exc).__name__})") from None
    if not recipient_infos or encrypted_content is None:
        raise CmsError("no key-transport recipient or no content")
    for key in keys:
        for recipient_info in recipient_infos:
            try:
                content_key = _unwrap_key(recipient_info, key)
            except ValueError:
                continue
            if len(content_key) != _AES_KEY_BYTES[cipher_name]:
                continue
            decryptor = Cipher(algorithms.AES(content_key), modes.CBC(iv)).decryptor()
            padded = decryptor.update(encrypted_content) + decryptor.finalize()
            unpadder = padding.PKCS7(128).unpadder()
            try:
                return unpadder.update(padded) + unpadder.finalize()
            except ValueError:
                continue
    raise CmsError("none of the private keys opens this message (is the account's public key current?)")


# --- SignedData (CAdES-BES, detached) ------------------------------------------------------------


def sign_detached(data: bytes, signer: Signer, signing_time: datetime | None = None) -> bytes:
    """A DER ``ContentInfo`` of a detached ``SignedData`` over ``data``."""
    certificate = _asn1_certificate(signer.certificate)
    signing_time = (signing_time or datetime.now(UTC)).replace(microsecond=0)
    ess = {
        "certs": [{
            "cert_hash": hashlib.sha256(certificate.dump()).digest(),
            "issuer_serial": {
                "issuer": [asn1_x509.GeneralName({"directory_name": certificate.issuer})],
                "serial_number": certificate.serial_number,
            },
        }],
    }
    attributes = cms.CMSAttributes([
        cms.CMSAttribute({"type": "content_type", "values": ["data"]}),
        cms.CMSAttribute({"type": "signing_time", "values": [cms.Time({"utc_time": signing_time})]}),
        cms.CMSAttribute({"type": "message_digest", "values": [hashlib.sha256(data).digest()]}),
        cms.CMSAttribute({"type": "signing_certificate_v2", "values": [ess]}),
    ])
    signature = signer.key.sign(attributes.dump(), PKCS1v15(), hashes.SHA256())
    signer_info = cms.SignerInfo({
        "version": "v1",
        "sid": cms.SignerIdentifier({"issuer_and_serial_number": _issuer_and_serial(certificate)}),
        "digest_algorithm": {"algorithm": "sha256"},
        "signed_attrs": attributes,
        "signature_algorithm": {"algorithm": "sha256_rsa"},
        "signature": signature,
    })
    signed = cms.SignedData({
        "version": "v1",
        "digest_algorithms": [{"algorithm": "sha256"}],
        "encap_content_info": {"content_type": "data"},
        "certificates": [_asn1_certificate(c) for c in signer.chain],
        "signer_infos": [signer_info],
    })
    return cms.ContentInfo({"content_type": "signed_data", "content": signed}).dump()


def _signer_certificate(signed: cms.SignedData, sid: cms.SignerIdentifier) -> asn1_x509.Certificate:
    for choice in signed["certificates"] or []:
        if choice.name != "certificate":
            continue
        candidate = choice.chosen
        if sid.name == "issuer_and_serial_number":
            wanted = sid.chosen
            if candidate.issuer == wanted["issuer"] and candidate.serial_number == wanted["serial_number"].native:
                return candidate
        elif candidate.key_identifier == sid.chosen.native:
            return candidate
    raise CmsError("the signer's certificate is not in the signature")


def verify_detached(signature: bytes, data: bytes) -> x509.Certificate:
    """Check a detached ``SignedData`` over ``data``; the signer's certificate if the signature holds.

    Who the signer is (the certificate's chain and organisation) is the caller's decision.
    """
    try:
        info = cms.ContentInfo.load(signature)
        if info["content_type"].native != "signed_data":
            raise CmsError(f"not SignedData but {info['content_type'].native}")
        signed = info["content"]
        signer_infos = list(signed["signer_infos"])
    except (ValueError, TypeError, KeyError) as exc:
        if isinstance(exc, CmsError):
            raise
        raise CmsError(f"not a CMS SignedData structure ({type(exc).__name__})") from None
    if len(signer_infos) != 1:
        raise CmsError(f"expected one signer, found {len(signer_infos)}")
    signer_info = signer_infos[0]
    certificate = x509.load_der_x509_certificate(_signer_certificate(signed, signer_info["sid"]).dump())
    digest_name = signer_info["digest_algorithm"]["algorithm"].native
    if digest_name not in _HASHES:
        raise CmsError(f"unsupported digest {digest_name}")
    digest = _HASHES[digest_name]
    signed_attrs = signer_info["signed_attrs"]
    if signed_attrs:
        values = {attribute["type"].native: attribute["values"][0].native for attribute in signed_attrs}
        content_digest = hashes.Hash(digest())
        content_digest.update(data)
        if values.get("message_digest") != content_digest.finalize():
            raise CmsError("the signed message digest does not match the data")
        to_verify = b"\x31" + signed_attrs.dump()[1:]  # the attributes as signed: a SET, not [0]
    else:
        to_verify = data
    public_key = certificate.public_key()
    if not isinstance(public_key, rsa.RSAPublicKey):
        raise CmsError("the signer's certificate has no RSA key")
    try:
        public_key.verify(signer_info["signature"].native, to_verify, PKCS1v15(), digest())
    except InvalidSignature:
        raise CmsError("the signature does not verify") from None
    return certificate


def issued_by(certificate: x509.Certificate, issuers: Sequence[x509.Certificate],
              at: datetime | None = None) -> bool:
    """Whether ``certificate`` is valid at ``at`` and signed directly by one of ``issuers`` (trusted CAs)."""
    at = at or datetime.now(UTC)
    if not certificate.not_valid_before_utc <= at <= certificate.not_valid_after_utc:
        return False
    for issuer in issuers:
        try:
            certificate.verify_directly_issued_by(issuer)
        except (ValueError, TypeError, InvalidSignature):
            continue
        return True
    return False


__all__ = ["CmsError", "Signer", "decrypt", "encrypt", "issued_by", "sign_detached", "verify_detached"]
