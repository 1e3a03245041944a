"""Errors the command line reports as one line and a non-zero exit, and what pydantic found wrong
said the same way everywhere (files, records, request bodies)."""

from __future__ import annotations

from collections.abc import Sequence

from pydantic import ValidationError


class CliError(Exception):
    """A problem with the user's input or environment; the message is shown as is."""

    def __init__(self, message: str, exit_code: int = 1) -> None:
        super().__init__(message)
        self.exit_code = exit_code


def dotted(location: Sequence[str | int], empty: str = "(root)") -> str:
    """A pydantic location as ``a.b.0.c``."""
    return ".".join(str(part) for part in location) or empty


def first_problem(exc: ValidationError) -> tuple[tuple[str | int, ...], str]:
    """Where the first problem is and what it is, without the input (which may be personal data)."""
    first = exc.errors(include_input=False, include_url=False, include_context=False)[0]
    return tuple(first["loc"]), first["msg"]


def first_validation_error(exc: ValidationError, empty: str = "(root)") -> str:
    """The first problem as ``location: message``."""
    location, message = first_problem(exc)
    return f"{dotted(location, empty)}: {message}"


def describe_validation_error(exc: ValidationError, limit: int = 600) -> str:
    """Every problem as ``location: message``, joined with ``; `` and cut at ``limit`` characters (a
    dead letter's reason is at most 600)."""
    text = "; ".join(f"{dotted(error['loc'])}: {error['msg']}"
                     for error in exc.errors(include_input=False, include_url=False, include_context=False))
    return text if len(text) <= limit else text[: limit - 1] + "…"
