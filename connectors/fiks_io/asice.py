"""ASiC-E containers (ETSI TS 102 918) with a CAdES signature, as the Fiks IO clients write and read them.

Layout, from ``ks-no/asic`` (``AsicOutputStream``, ``CadesAsicWriter``, ``CadesAsicManifest``,
``OasisManifest``), the library ``ks-no/fiks-io-asice-handler`` builds on:

- ``mimetype`` first, stored (not compressed), holding ``application/vnd.etsi.asic-e+zip``;
- the payload files, the first one marked ``Rootfile`` in the manifest;
- ``META-INF/ASiCManifest.xml``: a ``SigReference`` to the signature and a ``DataObjectReference``
  (URI, MIME type, SHA-256 digest) per payload file, namespace ``http://uri.etsi.org/02918/v1.2.1#``,
  digest algorithm ``http://www.w3.org/2001/04/xmlenc#sha256`` (the Java writer's names; both KS
  readers accept the .NET writer's ``2918`` namespace and ``xmldsig#sha256`` too, and so does this one);
- ``META-INF/signature-<uuid>.p7s``: a detached CMS signature over the manifest's bytes (``cms``);
- ``META-INF/manifest.xml``: the OASIS OpenDocument manifest listing every file.

Reading checks the signature over the manifest and every file's digest, and that every payload file
is in the manifest; it returns the files and the signer's certificate (whether to trust the signer
is the caller's decision).
"""

from __future__ import annotations

import base64
import hashlib
import io
import re
import uuid
import zipfile
from dataclasses import dataclass

from cryptography import x509
from lxml import etree

from connectors.fiks_io.cms import CmsError, Signer, sign_detached, verify_detached

MIMETYPE = "application/vnd.etsi.asic-e+zip"
ASIC_NS = "http://uri.etsi.org/02918/v1.2.1#"
_ASIC_NAMESPACES = (ASIC_NS, "http://uri.etsi.org/2918/v1.2.1#", "http://uri.etsi.org/02918/v1.1.1#")
DSIG_NS = "http://www.w3.org/2000/09/xmldsig#"
OASIS_NS = "urn:oasis:names:tc:opendocument:xmlns:manifest:1.0"
SHA256_URI = "http://www.w3.org/2001/04/xmlenc#sha256"
_SHA256_URIS = {SHA256_URI, "http://www.w3.org/2000/09/xmldsig#sha256"}
SIGNATURE_MIME = "application/x-pkcs7-signature"
MANIFEST_NAME = "META-INF/ASiCManifest.xml"
_MANIFEST = re.compile(r"META-INF/asicmanifest.*\.xml", re.IGNORECASE)
_MIME_BY_SUFFIX = {".xml": "application/xml", ".pdf": "application/pdf", ".json": "application/json",
                   ".txt": "text/plain"}
#: Containers are small here (an XML and a PDF); a bigger one is refused rather than unpacked.
MAX_UNPACKED_BYTES = 200 * 1024 * 1024


class AsiceError(ValueError):
    """Not a valid ASiC-E container, or its signature or a digest does not hold."""


@dataclass(frozen=True)
class AsiceFile:
    name: str
    data: bytes
    mime_type: str | None = None

    @property
    def media_type(self) -> str:
        if self.mime_type:
            return self.mime_type
        suffix = self.name[self.name.rfind("."):].lower() if "." in self.name else ""
        return _MIME_BY_SUFFIX.get(suffix, "application/octet-stream")


@dataclass(frozen=True)
class Container:
    files: dict[str, bytes]
    root: str | None
    signer: x509.Certificate


def _manifest(files: list[AsiceFile], signature_name: str) -> bytes:
    root = etree.Element(f"{{{ASIC_NS}}}ASiCManifest", nsmap={None: ASIC_NS, "ns2": DSIG_NS})
    etree.SubElement(root, f"{{{ASIC_NS}}}SigReference", URI=signature_name, MimeType=SIGNATURE_MIME)
    for number, item in enumerate(files):
        reference = etree.SubElement(root, f"{{{ASIC_NS}}}DataObjectReference", URI=item.name,
                                     MimeType=item.media_type)
        if number == 0:
            reference.set("Rootfile", "true")
        etree.SubElement(reference, f"{{{DSIG_NS}}}DigestMethod", Algorithm=SHA256_URI)
        digest = etree.SubElement(reference, f"{{{DSIG_NS}}}DigestValue")
        digest.text = base64.b64encode(hashlib.sha256(item.data).digest()).decode()
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True, pretty_print=True)


def _oasis_manifest(files: list[AsiceFile]) -> bytes:
    root = etree.Element(f"{{{OASIS_NS}}}manifest", nsmap={"manifest": OASIS_NS})
    for path, media_type in [("/", MIMETYPE), *((item.name, item.media_type) for item in files)]:
        etree.SubElement(root, f"{{{OASIS_NS}}}file-entry",
                         {f"{{{OASIS_NS}}}full-path": path, f"{{{OASIS_NS}}}media-type": media_type})
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True, pretty_print=True)


def write_asice(files: list[AsiceFile], signer: Signer) -> bytes:
    """A signed ASiC-E container of ``files`` (the first is the root file)."""
    if not files:
        raise AsiceError("a container needs at least one file")
    names = [item.name for item in files]
    if len(set(names)) != len(names) or any(name.startswith("META-INF/") or name == "mimetype" for name in names):
        raise AsiceError("file names must be unique and outside META-INF/")
    signature_name = f"META-INF/signature-{uuid.uuid4()}.p7s"
    manifest = _manifest(files, signature_name)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.comment = f"mimetype={MIMETYPE}".encode()
        archive.writestr(zipfile.ZipInfo("mimetype"), MIMETYPE.encode(), compress_type=zipfile.ZIP_STORED)
        for item in files:
            archive.writestr(item.name, item.data, compress_type=zipfile.ZIP_DEFLATED)
        archive.writestr(MANIFEST_NAME, manifest, compress_type=zipfile.ZIP_DEFLATED)
        archive.writestr(signature_name, sign_detached(manifest, signer), compress_type=zipfile.ZIP_DEFLATED)
        archive.writestr("META-INF/manifest.xml", _oasis_manifest(files), compress_type=zipfile.ZIP_DEFLATED)
    return buffer.getvalue()


def _read_all(archive: zipfile.ZipFile) -> dict[str, bytes]:
    total = sum(info.file_size for info in archive.infolist())
    if total > MAX_UNPACKED_BYTES:
        raise AsiceError(f"the container unpacks to {total} bytes, more than {MAX_UNPACKED_BYTES}")
    return {info.filename: archive.read(info) for info in archive.infolist() if not info.is_dir()}


def read_asice(container: bytes) -> Container:
    """The payload files of a signed ASiC-E container, after checking its signature and digests."""
    try:
        with zipfile.ZipFile(io.BytesIO(container)) as archive:
            first = archive.infolist()[0] if archive.infolist() else None
            entries = _read_all(archive)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError) as exc:
        raise AsiceError(f"not a ZIP container ({exc})") from None
    if first is None or first.filename != "mimetype" or entries["mimetype"].strip() != MIMETYPE.encode():
        raise AsiceError("the first entry is not the ASiC-E mimetype")
    manifests = [name for name in entries if _MANIFEST.fullmatch(name)]
    if len(manifests) != 1:
        raise AsiceError(f"expected one ASiCManifest, found {len(manifests)}")
    manifest_bytes = entries[manifests[0]]
    try:
        manifest = etree.fromstring(manifest_bytes, parser=etree.XMLParser(resolve_entities=False, no_network=True))
    except etree.XMLSyntaxError as exc:
        raise AsiceError(f"the manifest is not XML ({exc})") from None
    namespace = etree.QName(manifest).namespace
    if etree.QName(manifest).localname != "ASiCManifest" or namespace not in _ASIC_NAMESPACES:
        raise AsiceError("the manifest is not an ASiCManifest")
    signature_ref = manifest.find(f"{{{namespace}}}SigReference")
    signature_name = signature_ref.get("URI") if signature_ref is not None else "META-INF/signature.p7s"
    if signature_name not in entries:
        raise AsiceError(f"the signature {signature_name} is missing")
    try:
        signer = verify_detached(entries[signature_name], manifest_bytes)
    except CmsError as exc:
        raise AsiceError(f"the container's signature does not hold: {exc}") from None
    files: dict[str, bytes] = {}
    root: str | None = None
    for reference in manifest.findall(f"{{{namespace}}}DataObjectReference"):
        name = reference.get("URI") or ""
        method = reference.find(f"{{{DSIG_NS}}}DigestMethod")
        value = reference.find(f"{{{DSIG_NS}}}DigestValue")
        if name not in entries or method is None or value is None or not value.text:
            raise AsiceError(f"the manifest names {name!r}, which is not in the container")
        if method.get("Algorithm") not in _SHA256_URIS:
            raise AsiceError(f"unsupported digest {method.get('Algorithm')}")
        if base64.b64decode(value.text) != hashlib.sha256(entries[name]).digest():
            raise AsiceError(f"the digest of {name!r} does not match the manifest")
        files[name] = entries[name]
        if reference.get("Rootfile") == "true":
            root = name
    unsigned = [name for name in entries if name != "mimetype" and not name.startswith("META-INF/")
                and name not in files]
    if unsigned:
        raise AsiceError(f"files outside the signed manifest: {', '.join(sorted(unsigned))}")
    return Container(files, root, signer)
