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
tries again. For the same reason a request that creates something is sent once (``send(...,
once=True)``): the client does not repeat it after a timeout or a 5xx, which may have come after the
platform carried it out. Hiding, unhiding and deleting are idempotent and retried as reads are.

Helpers for subclasses: ``send`` (one request; a 204 is ``{}``; an expired renewable session is renewed
once through ``refresh_auth``), ``pages`` (a bounded listing for ``find_reply``), ``refuse`` (a
``NotSupported`` for one kind of message), ``write_error`` (a policy's error refined for writes:
403 → ``PermissionMissing``, 404/410 → ``TargetGone``), ``same_text`` and ``posted_since``.
"""

from __future__ import annotations

import unicodedata
from abc import ABC
from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Any, ClassVar

from connectors.base import utcnow
from connectors.errors import AuthError, ConnectorError, FatalRequestError, RateLimited
from connectors.fields import nonempty, parse_time
from connectors.http import ApiClient, ResponsePolicy, with_renewal
from connectors.pagination import Paginator, page_bodies
from innboks.config.credentials import AnyCredentials
from innboks.domain.capabilities import CAPABILITIES, Capabilities
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


def write_error(error: ConnectorError, status: int) -> ConnectorError:
    """A reading policy's error refined for a write: a plain 403 is a missing permission (a scope, a
    page role), a 404 or 410 a target that is gone. Auth errors, rate limits and what the platform's
    policy already classified stay as they are."""
    if isinstance(error, FatalRequestError) and not isinstance(error, (PermissionMissing, TargetGone)):
        if status == 403:
            return PermissionMissing(str(error))
        if status in (404, 410):
            return TargetGone(str(error))
    return error


def same_text(ours: str | None, found: str | None) -> bool:
    """Whether a text found on the platform is the text we sent: equal after Unicode normalisation
    (NFC) and with runs of whitespace as one space (platforms trim and fold line breaks)."""
    if ours is None or found is None:
        return False

    def norm(text: str) -> str:
        return " ".join(unicodedata.normalize("NFC", text).split())

    return norm(ours) == norm(found)


def posted_since(value: Any, since: datetime) -> bool:
    """Whether a platform timestamp (text or datetime) is at or after ``since``; unknown times are not.

    Platforms store whole seconds (or milliseconds), so ``since`` is compared without its fraction.
    """
    moment = value if isinstance(value, datetime) else parse_time(value)
    return moment is not None and moment >= since.replace(microsecond=0)


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
    def __init__(self, account_id: str, client: ApiClient, options: dict[str, Any] | None = None,
                 credentials: AnyCredentials | None = None, clock: Callable[[], datetime] = utcnow) -> None:
        self.account_id = account_id
        self.client = client
        self.options = dict(options or {})
        self.credentials = credentials
        self.clock = clock

    def url(self, path: str) -> str:
        return f"{self.api_base}{path}"

    @classmethod
    def capabilities(cls) -> Capabilities:
        """What the platform lets us do and how long a reply may be (``innboks.domain.capabilities``)."""
        return CAPABILITIES[cls.platform]

    @staticmethod
    def created(new_id: Any, call: str) -> str:
        """The id the platform gave what a write created; a malformed answer names the call."""
        value = nonempty(new_id)
        if value is None:
            raise FatalRequestError(f"malformed answer of {call}: no id")
        return value

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
        why = self.capabilities().why_not(kind)
        return NotSupported(f"{self.platform.value} cannot {kind.value}: {why}")

    # -- helpers for subclasses ----------------------------------------------------------------
    def refuse(self, kind: ActionKind, why: str) -> NotSupported:
        """A ``NotSupported`` for this kind of message (the platform can do ``kind``, but not to it)."""
        return NotSupported(f"{self.platform.value} cannot {kind.value} this message: {why}")

    @staticmethod
    def require_text(text: str | None) -> str:
        if text is None or not text.strip():
            raise FatalRequestError("a reply needs a text")
        return text

    def refresh_auth(self) -> bool:
        """Renew an expired session (``SessionExpired``); True if renewed. Bearer tokens cannot be."""
        return False

    def send(self, method: str, url: str, *, params: dict[str, Any] | None = None, body: Any = None,
             headers: dict[str, str] | None = None, once: bool = False) -> Any:
        """One request to the platform; the JSON body of the answer (``{}`` for a ``204``).

        ``once``: not repeated after a timeout or a 5xx (a write that creates something). A request
        refused because the session expired did nothing, so it is sent again after ``refresh_auth``.
        """
        answer, _ = with_renewal(lambda: self.client.request_json(
            method, url, params=params, json_body=body, headers=headers, retry=not once, allow_empty=True),
            self.refresh_auth)
        return answer

    def pages(self, url: str, params: dict[str, Any], paginator: Paginator, headers: dict[str, str] | None = None,
              max_pages: int = 5) -> Iterator[Any]:
        """The first ``max_pages`` pages of a listing (``find_reply`` looks at recent items only)."""
        return page_bodies(lambda page_url, page_params: with_renewal(
            lambda: self.client.get_json(page_url, page_params, headers), self.refresh_auth),
            url, params, paginator, max_pages)
