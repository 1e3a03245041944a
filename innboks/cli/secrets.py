"""Secrets from the environment: the value itself (``INNBOKS_X``) or a file holding it (``INNBOKS_X_FILE``)."""

from __future__ import annotations

from pathlib import Path

from pydantic import SecretStr

from innboks.config.files import UnreadableFile, read_text
from innboks.errors import CliError


def secret_value(value: SecretStr | None, path: Path | None, variable: str) -> str | None:
    """The secret, or None when neither the variable nor its file is set. Never printed."""
    if value is not None and value.get_secret_value():
        return value.get_secret_value()
    if path is not None:
        try:
            text = read_text(path, f"{variable}_FILE").strip()
        except UnreadableFile as exc:
            raise CliError(str(exc)) from None
        if text:
            return text
    return None


def required_secret(value: SecretStr | None, path: Path | None, variable: str) -> str:
    secret = secret_value(value, path, variable)
    if secret is None:
        raise CliError(f"{variable} (or {variable}_FILE) is not set")
    return secret
