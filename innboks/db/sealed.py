"""Secrets at rest: what Kontoer stores (tokens, app passwords, PKCE verifiers) is sealed with Fernet
(AES-128-CBC with HMAC-SHA256, from ``cryptography``) before it reaches the store.

The key comes from ``INNBOKS_SECRET_KEY``, a secret reference (``env:NAME`` or ``file:/path``) like the
account registry's. The referenced secret holds one key per line (at least 32 characters each, e.g.
``openssl rand -base64 48``); each is stretched with HKDF-SHA256 into a Fernet key. The first line
seals; every line opens (``MultiFernet``). Rotation: put a new key on the first line, keep the old one
below it, run ``innboks accounts rekey`` (every sealed value is sealed again with the new key), then
remove the old line. docs/accounts.md says it step by step.
"""

from __future__ import annotations

import base64
import json
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from innboks.config.credentials import CredentialError, resolve

MIN_KEY_CHARS = 32
_SALT = b"innboks-accounts-v1"


class SealError(ValueError):
    """The key is missing or too short, or a sealed value does not open with any configured key."""


def _fernet_key(secret: str) -> bytes:
    derived = HKDF(algorithm=hashes.SHA256(), length=32, salt=_SALT, info=b"fernet").derive(secret.encode())
    return base64.urlsafe_b64encode(derived)


class Keyring:
    """Seals and opens JSON objects with the configured keys (the first seals)."""

    def __init__(self, secrets: list[str]) -> None:
        keys = [line.strip() for line in secrets if line.strip()]
        if not keys:
            raise SealError("INNBOKS_SECRET_KEY holds no key")
        if any(len(key) < MIN_KEY_CHARS for key in keys):
            raise SealError(f"every key in INNBOKS_SECRET_KEY must have at least {MIN_KEY_CHARS} characters")
        self._fernet = MultiFernet([Fernet(_fernet_key(key)) for key in keys])

    @classmethod
    def from_reference(cls, reference: str) -> Keyring:
        try:
            text = resolve(reference).get_secret_value()
        except CredentialError as exc:
            raise SealError(f"INNBOKS_SECRET_KEY: {exc}") from None
        return cls(text.splitlines())

    def seal(self, value: dict[str, Any]) -> str:
        return self._fernet.encrypt(json.dumps(value, separators=(",", ":")).encode()).decode("ascii")

    def open(self, sealed: str) -> dict[str, Any]:
        try:
            opened = json.loads(self._fernet.decrypt(sealed.encode("ascii")))
        except (InvalidToken, ValueError):
            raise SealError("a stored credential does not open with INNBOKS_SECRET_KEY (a key was removed "
                            "before innboks accounts rekey?)") from None
        if not isinstance(opened, dict):
            raise SealError("a stored credential is not an object")
        return opened

    def reseal(self, sealed: str) -> str:
        """The same value sealed with the first key (rotation)."""
        try:
            return self._fernet.rotate(sealed.encode("ascii")).decode("ascii")
        except InvalidToken:
            raise SealError("a stored credential does not open with INNBOKS_SECRET_KEY") from None
