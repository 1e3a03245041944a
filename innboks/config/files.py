"""Reading the files a user gives Innboks (account registry, corpora, secrets, rules): UTF-8 or one clear line."""

from __future__ import annotations

from pathlib import Path


class UnreadableFile(ValueError):
    """A file that cannot be read or is not UTF-8 text; the message is one line naming the file."""


def read_text(path: Path, what: str) -> str:
    """The text of ``path`` (``what`` it is, for the message), or ``UnreadableFile``."""
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise UnreadableFile(f"{path}: {what} is not UTF-8 text (byte 0x{exc.object[exc.start]:02x} at offset "
                             f"{exc.start}); save it as UTF-8") from None
    except OSError as exc:
        raise UnreadableFile(f"{path}: cannot read {what}: {exc.strerror}") from None
