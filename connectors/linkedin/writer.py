"""Acting on a LinkedIn organization page through the Community Management API (versioned REST).

Endpoints (``--base-url`` swaps only scheme and host; every request carries ``LinkedIn-Version`` and
``X-Restli-Protocol-Version: 2.0.0``, URNs in paths are URL-encoded):

- ``POST /rest/socialActions/{encoded URN}/comments`` with ``{"actor": "urn:li:organization:{id}",
  "object": <the post or activity URN>, "message": {"text"}}``: a comment as the organization. A
  reply to a citizen's comment is a nested comment: the path names the comment and the body adds
  ``parentComment``. LinkedIn threads are two levels deep, so a reply to a reply names its top-level
  comment. Answer ``201`` with the comment (``commentUrn``, ``id``) and its id in ``x-restli-id``.
- ``DELETE /rest/socialActions/{encoded URN}/comments/{comment id}?actor={encoded organization URN}``:
  delete a comment on one of the organization's posts (``204 No Content``).

Permission: ``w_organization_social`` (or ``w_organization_social_feed``) with the ADMINISTRATOR (or
DIRECT_SPONSORED_CONTENT_POSTER) role on the page; ``r_organization_social`` to find our reply again.
Hiding a comment is not possible through the API.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any, ClassVar

from connectors.errors import ConnectorError, FatalRequestError
from connectors.fields import items, nonempty, obj
from connectors.headers import header
from connectors.http import ResponsePolicy
from connectors.linkedin.client import API_HOST, LinkedInPolicy, encode_urn, rest_headers
from connectors.linkedin.mapping import comment_urn, epoch_millis, organization_urn
from connectors.pagination import OffsetPaginator
from connectors.writer import PermissionMissing, PlatformWriter, posted_since, same_text, write_error
from schemas import ActionKind, InboxMessage, Kind, Platform

#: ``urn:li:comment:(<thread URN>,<comment id>)``.
_COMMENT_URN = re.compile(r"^urn:li:comment:\((?P<thread>urn:li:[A-Za-z]+:[^,]+),(?P<id>[^,)]+)\)$")
_POST_URN = re.compile(r"^urn:li:(share|ugcPost|activity):")
COMMENT_KINDS = (Kind.COMMENT, Kind.REPLY)


def split_comment_urn(urn: str) -> tuple[str, str]:
    """The thread URN (activity, share or ugcPost) and the comment id of a comment URN."""
    match = _COMMENT_URN.match(urn)
    if match is None:
        raise FatalRequestError("not a LinkedIn comment URN: urn:li:comment:(<thread>,<id>) expected")
    return match["thread"], match["id"]


class LinkedInWritePolicy(LinkedInPolicy):
    """``LinkedInPolicy`` for writes: 403 (``ACCESS_DENIED``) is ``PermissionMissing``, 404/410 ``TargetGone``."""

    def classify(self, status: int, body: Any, headers: Any, path: str, now: float) -> ConnectorError:
        error = super().classify(status, body, headers, path, now)
        if status == 403 and isinstance(error, FatalRequestError):
            label = str(error).split(": not allowed", 1)[0]
            return PermissionMissing(f"{label}: not allowed (scope w_organization_social or the page's "
                                     "ADMINISTRATOR role missing?)")
        return write_error(error, status)


class LinkedInWriter(PlatformWriter):
    """Acts for one organization page (``account_id`` = the numeric organization id)."""

    platform: ClassVar[Platform] = Platform.LINKEDIN
    api_base: ClassVar[str] = API_HOST
    policy: ClassVar[type[ResponsePolicy]] = LinkedInWritePolicy

    @property
    def organization(self) -> str:
        return organization_urn(self.account_id)

    def reply(self, target: InboxMessage, text: str) -> str:
        text = self.require_text(text)
        body: dict[str, Any] = {"actor": self.organization, "message": {"text": text}}
        if target.kind in COMMENT_KINDS:
            parent = self._top_level(target)
            thread, _ = split_comment_urn(parent)
            post = target.parent_id if target.kind is Kind.COMMENT and target.parent_id else thread
            body.update(object=post if _POST_URN.match(post) else thread, parentComment=parent)
            on = parent
        elif target.kind is Kind.POST:
            on = thread = self.native_id(target)
            body["object"] = on
        else:
            raise self.refuse(ActionKind.REPLY, f"a LinkedIn {target.kind.value} has no comment thread")
        # Sent once (no retry after a timeout or 5xx); the answer's headers carry the new id.
        answer, headers = self.client.request_json(
            "POST", self.url(f"/rest/socialActions/{encode_urn(on)}/comments"), json_body=body,
            headers=rest_headers(self.options), retry=False, allow_empty=True)
        created = obj(answer)
        if nonempty(created.get("commentUrn")) or nonempty(created.get("$URN")):
            return str(comment_urn(created))
        restli_id = header(headers, "x-restli-id")
        if restli_id and restli_id.startswith("urn:li:comment:"):
            return restli_id
        if restli_id:
            return f"urn:li:comment:({thread},{restli_id})"
        raise FatalRequestError("malformed answer of the Comments API: neither commentUrn nor x-restli-id")

    def delete(self, target: InboxMessage) -> None:
        if target.kind not in COMMENT_KINDS:
            raise self.refuse(ActionKind.DELETE, f"only comments can be deleted here, not a {target.kind.value}")
        urn = self.native_id(target)
        thread, comment_id = split_comment_urn(urn)
        on = target.parent_id if target.parent_id else thread
        self.send("DELETE", self.url(f"/rest/socialActions/{encode_urn(on)}/comments/{comment_id}"),
                  params={"actor": self.organization}, headers=rest_headers(self.options))

    def find_reply(self, target: InboxMessage, text: str, since: datetime) -> str | None:
        if target.kind in COMMENT_KINDS:
            on = self._top_level(target)
        elif target.kind is Kind.POST:
            on = self.native_id(target)
        else:
            return None
        listing = self.pages(self.url(f"/rest/socialActions/{encode_urn(on)}/comments"), {"start": 0, "count": 50},
                             OffsetPaginator(), rest_headers(self.options))
        for body in listing:
            for comment in items(body, "elements"):
                if (comment.get("actor") == self.organization
                        and same_text(text, obj(comment.get("message")).get("text"))
                        and posted_since(epoch_millis(obj(comment.get("created")).get("time")), since)):
                    return comment_urn(comment)
        return None

    def _top_level(self, target: InboxMessage) -> str:
        """The first-level comment a reply goes under (LinkedIn stores replies to replies there)."""
        if target.kind is Kind.REPLY:
            return target.parent_id or target.conversation_id
        return self.native_id(target)
