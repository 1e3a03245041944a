"""The Fiks IO payload crypto against an independent implementation: OpenSSL's ``cms`` command.

What Innboks encrypts, OpenSSL decrypts (and the reverse); what Innboks signs, OpenSSL verifies. The
algorithms are those of KS's ``kryptering`` library: AES-256-CBC content, RSAES-OAEP (SHA-256) key
transport.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from asn1crypto import cms as asn1_cms

from connectors.fiks_io.asice import AsiceError, AsiceFile, read_asice, write_asice
from connectors.fiks_io.cms import CmsError, decrypt, encrypt, issued_by, sign_detached, verify_detached
from innboks.demo.fiks.certificates import TestCa, orgnr_of

CA = TestCa()
OURS = CA.issue("Alta kommune Innboks", "Alta kommune", "999000001")
ARCHIVE = CA.issue("Arkiv", "Arkivleverandør AS", "999000002")


def openssl(*args: str, data: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(["openssl", *args], input=data, capture_output=True, timeout=30)


def test_enveloped_data_uses_kss_algorithms_and_decrypts_with_openssl(tmp_path: Path) -> None:
    content = "Arkivmelding med æøå".encode() * 100
    enveloped = encrypt(content, ARCHIVE.certificate)
    info = asn1_cms.ContentInfo.load(enveloped)["content"]
    recipient = info["recipient_infos"][0].chosen
    assert info["encrypted_content_info"]["content_encryption_algorithm"]["algorithm"].native == "aes256_cbc"
    assert recipient["key_encryption_algorithm"]["algorithm"].native == "rsaes_oaep"
    assert recipient["key_encryption_algorithm"]["parameters"]["hash_algorithm"]["algorithm"].native == "sha256"
    key_path, chain_path = ARCHIVE.write(tmp_path, "archive")
    (tmp_path / "msg.der").write_bytes(enveloped)
    result = openssl("cms", "-decrypt", "-inform", "DER", "-in", str(tmp_path / "msg.der"), "-inkey", str(key_path),
                     "-recip", str(chain_path), "-binary")
    assert result.returncode == 0, result.stderr.decode()
    assert result.stdout == content


def test_what_openssl_encrypts_with_oaep_decrypts_here(tmp_path: Path) -> None:
    key_path, chain_path = OURS.write(tmp_path, "ours")
    result = openssl("cms", "-encrypt", "-binary", "-outform", "DER", "-aes-256-cbc", "-recip", str(chain_path),
                     "-keyopt", "rsa_padding_mode:oaep", "-keyopt", "rsa_oaep_md:sha256", "-keyopt",
                     "rsa_mgf1_md:sha256", data=b"kvittering")
    assert result.returncode == 0, result.stderr.decode()
    assert decrypt(result.stdout, [ARCHIVE.key, OURS.key]) == b"kvittering"


def test_the_wrong_key_does_not_open_a_message() -> None:
    with pytest.raises(CmsError):
        decrypt(encrypt(b"x", ARCHIVE.certificate), [OURS.key])
    with pytest.raises(CmsError):
        decrypt(b"not cms", [OURS.key])


def test_detached_signature_verifies_with_openssl_and_here(tmp_path: Path) -> None:
    manifest = b"<ASiCManifest/>"
    signature = sign_detached(manifest, OURS.signer)
    (tmp_path / "sig.p7s").write_bytes(signature)
    (tmp_path / "manifest.xml").write_bytes(manifest)
    (tmp_path / "ca.pem").write_bytes(CA.pem())
    result = openssl("cms", "-verify", "-inform", "DER", "-in", str(tmp_path / "sig.p7s"), "-binary", "-content",
                     str(tmp_path / "manifest.xml"), "-CAfile", str(tmp_path / "ca.pem"), "-purpose", "any")
    assert result.returncode == 0, result.stderr.decode()
    signer = verify_detached(signature, manifest)
    assert signer == OURS.certificate and issued_by(signer, [CA.certificate]) and orgnr_of(signer) == "999000001"
    with pytest.raises(CmsError):
        verify_detached(signature, manifest + b" ")
    assert not issued_by(signer, [TestCa().certificate])


def test_an_openssl_signature_verifies_here(tmp_path: Path) -> None:
    key_path, chain_path = ARCHIVE.write(tmp_path, "archive")
    (tmp_path / "data").write_bytes(b"manifest bytes")
    result = openssl("cms", "-sign", "-binary", "-outform", "DER", "-in", str(tmp_path / "data"), "-signer",
                     str(chain_path), "-inkey", str(key_path), "-md", "sha256")
    assert result.returncode == 0, result.stderr.decode()
    assert verify_detached(result.stdout, b"manifest bytes") == ARCHIVE.certificate


def test_asice_round_trip_and_tampering() -> None:
    files = [AsiceFile("arkivmelding.xml", b"<arkivmelding/>"), AsiceFile("samtale.pdf", b"%PDF-1.7 ...")]
    container = write_asice(files, OURS.signer)
    opened = read_asice(container)
    assert opened.files == {"arkivmelding.xml": b"<arkivmelding/>", "samtale.pdf": b"%PDF-1.7 ..."}
    assert opened.root == "arkivmelding.xml" and opened.signer == OURS.certificate
    import io
    import zipfile
    with zipfile.ZipFile(io.BytesIO(container)) as archive:
        infos = archive.infolist()
        assert infos[0].filename == "mimetype" and infos[0].compress_type == zipfile.ZIP_STORED
        assert archive.read("mimetype") == b"application/vnd.etsi.asic-e+zip"
        names = archive.namelist()
        manifest = archive.read("META-INF/ASiCManifest.xml")
    assert "META-INF/manifest.xml" in names and any(n.startswith("META-INF/signature-") for n in names)
    assert b"http://uri.etsi.org/02918/v1.2.1#" in manifest and b"xmlenc#sha256" in manifest
    # A file changed after signing is caught.
    tampered = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(container)) as source, zipfile.ZipFile(tampered, "w") as target:
        for info in source.infolist():
            data = source.read(info)
            changed = b"<arkivmelding>endret</arkivmelding>"
            target.writestr(info, changed if info.filename == "arkivmelding.xml" else data)
    with pytest.raises(AsiceError, match="digest"):
        read_asice(tampered.getvalue())
