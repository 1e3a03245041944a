"""The write side of a platform: replying, hiding, unhiding and deleting, and finding our reply again.

A platform's writer (``connectors/<platform>/writer.py``) is a ``PlatformWriter`` subclass using the
same ``ApiClient`` (``--base-url`` swaps scheme and host; retries, rate limits and error classes as
for reading) and the platform's ``ResponsePolicy``. The executor (``connectors/actions/``) calls it
and turns what it raises into a classified failure with ``failure_of``:

- ``AuthError`` (401, an expired or revoked token): ``token_expired``;
- ``PermissionMissing`` (403, a scope or page role missing): ``permission_missing``;
- ``RateLimited``: ``rate_limited``;
- ``TargetGone`` (404/410, the comment was deleted meanwhile): ``target_gone``;
- ``NotSupported`` (the platform cannot do it, or no longer allows it, e.g. outside Messenger's
  24-hour window): ``not_supported``;
- anything else: ``platform_error``.

``find_reply`` makes the executor exactly-once: after a crash between the platform's answer and the
``done`` event, the executor looks for our reply (same text, after the attempt started) before it
tries again.
"""

from __future__ import annotations

from abc import ABC
from collections.abc import Callable
from datetime import datetime
from typing import Any, ClassVar

from connectors.base import utcnow
from connectors.errors import AuthError, ConnectorError, FatalRequestError, RateLimited
from connectors.http import ApiClient, ResponsePolicy
from innboks.config.credentials import AnyCredentials
from schemas import ActionFailure, ActionKind, InboxMessage, Platform


class PermissionMissing(FatalRequestError):
    """The token works but may not do this (missing scope, page role or app review)."""

    error_class = "permission"


class TargetGone(FatalRequestError):
    """The message acted on no longer exists on the platform."""

    error_class = "target_gone"


class NotSupported(ConnectorError):
    """The platform's API cannot carry out this action (or not any more, e.g. a closed messaging window)."""

    error_class = "not_supported"


def failure_of(error: Exception) -> ActionFailure:
    """The classified failure of an action from what the writer raised."""
    if isinstance(error, NotSupported):
        return ActionFailure.NOT_SUPPORTED
    if isinstance(error, PermissionMissing):
        return ActionFailure.PERMISSION_MISSING
    if isinstance(error, AuthError):
        return ActionFailure.TOKEN_EXPIRED
    if isinstance(error, RateLimited):
        return ActionFailure.RATE_LIMITED
    if isinstance(error, TargetGone):
        return ActionFailure.TARGET_GONE
    return ActionFailure.PLATFORM_ERROR


class PlatformWriter(ABC):
    """Carries out actions on one account of one platform. Subclasses implement what the API allows."""

    platform: ClassVar[Platform]
    #: Scheme and host of the real API; ``--base-url`` (or the account's ``options.base_url``) replaces them.
    api_base: ClassVar[str]
    policy: ClassVar[type[ResponsePolicy]] = ResponsePolicy
    #: What this platform's API can do; the inbox offers only these, the docs say why not the others.
    supports: ClassVar[frozenset[ActionKind]] = frozenset()
    #: Why an action is not supported, shown in the inbox and written into the failure's detail.
    unsupported_because: ClassVar[dict[ActionKind, str]] = {}

    def __init__(self, account_id: str, client: ApiClient, options: dict[str, Any] | None = None,
                 credentials: AnyCredentials | None = None, clock: Callable[[], datetime] = utcnow) -> None:
        self.account_id = account_id
        self.client = client
        self.options = dict(options or {})
        self.credentials = credentials
        self.clock = clock

    def url(self, path: str) -> str:
        return f"{self.api_base}{path}"

    @staticmethod
    def native_id(message: InboxMessage) -> str:
        """The platform's own id of a message (``InboxMessage.id`` is ``"{platform}:{native id}"``)."""
        return message.id.split(":", 1)[1]

    def reply(self, target: InboxMessage, text: str) -> str:
        """Post our reply to ``target`` (a comment answer, or a direct message in its thread); the new native id."""
        raise self._unsupported(ActionKind.REPLY)

    def hide(self, target: InboxMessage) -> None:
        raise self._unsupported(ActionKind.HIDE)

    def unhide(self, target: InboxMessage) -> None:
        raise self._unsupported(ActionKind.UNHIDE)

    def delete(self, target: InboxMessage) -> None:
        raise self._unsupported(ActionKind.DELETE)

    def find_reply(self, target: InboxMessage, text: str, since: datetime) -> str | None:
        """The native id of our reply to ``target`` with exactly ``text``, posted at or after ``since``; or None."""
        return None

    def close(self) -> None:
        self.client.close()

    def _unsupported(self, kind: ActionKind) -> NotSupported:
        why = self.unsupported_because.get(kind, "the platform's API offers no way to do this")
        return NotSupported(f"{self.platform.value} cannot {kind.value}: {why}")
