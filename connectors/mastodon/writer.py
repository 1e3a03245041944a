"""Acting on Mastodon (REST API v1, the account's own instance): replies, public and direct.

Endpoints (the instance is ``options.instance_url``; ``--base-url`` swaps only scheme and host):

- ``GET /api/v1/statuses/{id}``: the status we answer, for its author's ``acct`` and its visibility.
- ``POST /api/v1/statuses`` with ``{"status", "in_reply_to_id", "visibility"}`` and an
  ``Idempotency-Key`` header: our reply. It starts with ``@{acct}`` of the citizen (Mastodon
  notifies and, for ``direct``, addresses only the accounts a status mentions) and keeps the
  visibility of the status it answers, so a direct message is answered with ``visibility:
  direct``. Answer: the new ``Status``.
- ``GET /api/v1/statuses/{id}/context``: the replies below a status (``descendants``), where
  ``find_reply`` looks for ours.

The ``Idempotency-Key`` is derived from the account, the status answered and the text; Mastodon
remembers it for an hour and answers a repeated request with the status it already created.

Scope: ``write:statuses`` (and ``read:statuses`` to look up the status and its replies). Mastodon
lets an account delete only its own statuses and offers no way to hide someone else's: moderation
belongs to the instance's moderators (a report).
"""

from __future__ import annotations

import hashlib
import re
from datetime import datetime
from typing import Any, ClassVar

from connectors.errors import AuthError, ConnectorError, FatalRequestError
from connectors.fields import items, nonempty, obj
from connectors.http import ResponsePolicy
from connectors.mastodon.client import MastodonPolicy, instance_base
from connectors.mastodon.mapping import html_to_text
from connectors.writer import PermissionMissing, PlatformWriter, TargetGone, posted_since, same_text, write_error
from schemas import InboxMessage, Platform

VISIBILITIES = ("public", "unlisted", "private", "direct")
_LEADING_MENTIONS = re.compile(r"^(?:@[\w.\-]+(?:@[\w.\-]+)?\s+)+")
_SCOPE_ERROR = "This action is outside the authorized scopes"


def without_leading_mentions(text: str | None) -> str | None:
    return _LEADING_MENTIONS.sub("", text.strip()) if text is not None else None


class MastodonWritePolicy(MastodonPolicy):
    """``MastodonPolicy`` for writes: a token without ``write:statuses`` (403, scope) is
    ``PermissionMissing``; a status that is gone (404, 410) is ``TargetGone``."""

    def classify(self, status: int, body: Any, headers: Any, path: str, now: float) -> ConnectorError:
        error = obj(body).get("error")
        if status == 403 and error == _SCOPE_ERROR:
            return PermissionMissing(f"HTTP 403 from {path}: the token lacks a required scope (write:statuses?)")
        if status in (404, 410):
            return TargetGone(f"HTTP {status} from {path}: the status no longer exists or is not visible to us")
        classified = super().classify(status, body, headers, path, now)
        return classified if isinstance(classified, AuthError) else write_error(classified, status)


class MastodonWriter(PlatformWriter):
    """Acts for one account on one instance (``account_id`` = its account id there).

    Options: ``instance_url`` (as for reading), ``reply_visibility`` (``unlisted`` or ``private`` to
    answer public statuses less loudly than ``public``; direct messages are always answered directly).
    """

    platform: ClassVar[Platform] = Platform.MASTODON
    api_base: ClassVar[str] = ""
    policy: ClassVar[type[ResponsePolicy]] = MastodonWritePolicy

    def url(self, path: str) -> str:
        return f"{instance_base(self.options, self.client.base_url)}{path}"

    def reply(self, target: InboxMessage, text: str) -> str:
        text = self.require_text(text)
        status_id = self.native_id(target)
        status = obj(self.send("GET", self.url(f"/api/v1/statuses/{status_id}")))
        acct = nonempty(obj(status.get("account")).get("acct"))
        if acct is None:
            raise FatalRequestError("malformed status from the instance: account.acct missing")
        visibility = self._visibility(status)
        mention = f"@{acct}"
        if not target.from_account and not text.lstrip().lower().startswith(mention.lower()):
            text = f"{mention} {text}"
        key = hashlib.sha256(f"{self.account_id}\n{target.id}\n{text}".encode()).hexdigest()[:40]
        answer = self.send("POST", self.url("/api/v1/statuses"), once=True, headers={"Idempotency-Key": key},
                           body={"status": text, "in_reply_to_id": status_id, "visibility": visibility})
        return self.created(obj(answer).get("id"), "POST /api/v1/statuses")

    def find_reply(self, target: InboxMessage, text: str, since: datetime) -> str | None:
        status_id = self.native_id(target)
        context = self.send("GET", self.url(f"/api/v1/statuses/{status_id}/context"))
        wanted = without_leading_mentions(text)
        for status in items(obj(context), "descendants"):
            if (obj(status.get("account")).get("id") == self.account_id
                    and status.get("in_reply_to_id") == status_id
                    and posted_since(status.get("created_at"), since)
                    and same_text(wanted, without_leading_mentions(html_to_text(str(status.get("content") or ""))))):
                return nonempty(status.get("id"))
        return None

    def _visibility(self, status: dict[str, Any]) -> str:
        """The answer's visibility: direct stays direct; otherwise never louder than the status answered."""
        theirs = status.get("visibility") if status.get("visibility") in VISIBILITIES else "public"
        preferred = self.options.get("reply_visibility", "public")
        if preferred not in VISIBILITIES[:3]:
            preferred = "public"
        return max(str(theirs), str(preferred), key=VISIBILITIES.index)
