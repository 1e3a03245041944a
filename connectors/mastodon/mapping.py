"""Mastodon items to InboxMessage: pure, no HTTP (``RawEvent`` in, ``InboxMessage`` out)."""

from __future__ import annotations

import re
from collections.abc import Callable
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urlsplit

from connectors.errors import IgnoredItem, MappingError
from connectors.fields import checked_permalink, nonempty, obj, required, required_time, string
from schemas import Event, InboxMessage, Kind, Platform, RawEvent

#: Resources this connector emits; the payload of each is one Mastodon ``Status``.
RESOURCES = frozenset({"notification", "status", "conversation"})


_BLOCKS = frozenset({"p", "div", "blockquote", "pre", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6"})


class _PlainText(HTMLParser):
    """Mastodon's sanitised status HTML (``p``, ``br``, ``a``, ``span``, a few blocks) to plain text.

    Paragraphs become blank lines and ``<br>`` a line break; entities are unescaped. Links keep
    their full text: the ``invisible`` spans Mastodon uses to shorten URLs visually are part of it.
    Mentions of our own account before any other text (the ``@altakommune`` a reply starts with)
    are dropped, so the text starts with what the citizen wrote.
    """

    def __init__(self, is_own: Callable[[str | None, str], bool]) -> None:
        super().__init__(convert_charrefs=True)
        self.is_own = is_own
        self.out: list[str] = []
        self.mention: list[str] | None = None
        self.mention_href: str | None = None

    def _started(self) -> bool:
        return any(part.strip() for part in self.out)

    def _break(self, newlines: str) -> None:
        if self._started():
            self.out.append(newlines)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self.mention is not None:
            return
        if tag == "br":
            self.out.append("\n")
        elif tag in _BLOCKS:
            self._break("\n\n")
        elif tag == "li":
            self._break("\n")
        elif tag == "a" and not self._started():
            attributes = dict(attrs)
            classes = (attributes.get("class") or "").split()
            if "mention" in classes and "hashtag" not in classes:
                self.mention, self.mention_href = [], attributes.get("href")

    def handle_endtag(self, tag: str) -> None:
        if tag == "a" and self.mention is not None:
            text = "".join(self.mention)
            if not self.is_own(self.mention_href, text):
                self.out.append(text)
            self.mention = None
        elif tag in _BLOCKS:
            self._break("\n\n")

    def handle_data(self, data: str) -> None:
        text = re.sub(r"[\r\n\t]", " ", data)  # raw newlines in HTML are spaces; <br> is the break
        (self.mention if self.mention is not None else self.out).append(text)

    def text(self) -> str:
        joined = re.sub(r"[ \t]+\n", "\n", "".join(self.out))
        return re.sub(r"\n{3,}", "\n\n", joined).strip()


def _own_mention_matcher(mentions: Any, account_id: str) -> Callable[[str | None, str], bool]:
    """Whether a mention link (href, text) points at our account, by profile URL or handle."""
    own = [m for m in mentions if isinstance(m, dict) and m.get("id") == account_id] if isinstance(
        mentions, list) else []
    urls = {m["url"] for m in own if nonempty(m.get("url"))}
    handles: set[str] = set()
    for mention in own:
        username, acct = nonempty(mention.get("username")), nonempty(mention.get("acct"))
        host = urlsplit(mention["url"]).hostname if nonempty(mention.get("url")) else None
        handles.update(h.lower() for h in (username, acct) if h)
        if username and host:
            handles.add(f"{username}@{host}".lower())

    def is_own(href: str | None, text: str) -> bool:
        return bool(own) and ((href is not None and href in urls) or text.strip().lstrip("@").lower() in handles)

    return is_own


def html_to_text(content: str, mentions: Any = None, account_id: str | None = None) -> str:
    """Plain text of a status's HTML ``content``; leading mentions of ``account_id`` are dropped."""
    parser = _PlainText(_own_mention_matcher(mentions, account_id) if account_id else lambda _h, _t: False)
    parser.feed(content)
    parser.close()
    return parser.text()


def _status_text(status: dict[str, Any], account_id: str) -> str | None:
    """The content warning (``spoiler_text``), a blank line, then the content as plain text."""
    content = string(status.get("content"))
    body = html_to_text(content, status.get("mentions"), account_id) if content else ""
    spoiler = (string(status.get("spoiler_text")) or "").strip()
    text = f"{spoiler}\n\n{body}" if spoiler and body else spoiler or body
    return text or None


def _single_other_mention(status: dict[str, Any], account_id: str) -> str | None:
    """The one account (other than ours) a status mentions, or None if there are none or several."""
    mentions = status.get("mentions")
    others = {m.get("id") for m in mentions if isinstance(m, dict)} if isinstance(mentions, list) else set()
    others -= {account_id}
    if len(others) == 1 and isinstance(only := next(iter(others)), str) and only:
        return only
    return None


def map_mastodon(raw: RawEvent) -> InboxMessage:
    """Map one Mastodon ``Status`` (from any of the three listings) to an ``InboxMessage``.

    - a citizen's status: ``direct_message`` if its visibility is ``direct``, else ``mention``;
      the conversation is the citizen's account id, ``parent_id`` the status it replies to;
    - our status replying to a citizen: ``reply`` (``direct_message`` if direct), in the citizen's
      conversation, ``parent_id`` = ``in_reply_to_id``;
    - our direct status that starts a thread with exactly one citizen: ``direct_message`` in that
      citizen's conversation;
    - any other status of ours (a post, a reply in our own thread): ``post``, its own conversation.
    """
    if raw.resource not in RESOURCES:
        raise MappingError("unsupported_resource", f"mastodon resource {raw.resource!r} is not supported")
    status = raw.payload
    if status.get("reblog") is not None:
        raise IgnoredItem("a boost is not a message")
    status_id = required(status.get("id"), "payload.id")
    account = obj(status.get("account"))
    author_id = required(account.get("id"), "payload.account.id")
    created_at = required_time(status.get("created_at"), "payload.created_at", "an ISO 8601 timestamp")
    direct = status.get("visibility") == "direct"
    from_account = author_id == raw.account_id
    in_reply_to = nonempty(status.get("in_reply_to_id"))
    replied_account = nonempty(status.get("in_reply_to_account_id"))
    if not from_account:
        kind, conversation_id = (Kind.DIRECT_MESSAGE if direct else Kind.MENTION), author_id
    elif replied_account and replied_account != raw.account_id:
        kind, conversation_id = (Kind.DIRECT_MESSAGE if direct else Kind.REPLY), replied_account
    elif direct and not in_reply_to and (citizen := _single_other_mention(status, raw.account_id)):
        kind, conversation_id = Kind.DIRECT_MESSAGE, citizen
    else:
        kind, conversation_id = Kind.POST, status_id
    return InboxMessage(
        id=f"mastodon:{status_id}",
        platform=Platform.MASTODON,
        account_id=raw.account_id,
        kind=kind,
        event=Event.EDITED if raw.context.get("change") else Event.CREATED,
        conversation_id=conversation_id,
        parent_id=in_reply_to,
        author_id=author_id,
        author_name=nonempty(account.get("display_name")) or nonempty(account.get("acct")),
        from_account=from_account,
        text=_status_text(status, raw.account_id),
        created_at=created_at,
        permalink=checked_permalink(Platform.MASTODON, status.get("url")),
        fetched_at=raw.fetched_at,
    )
