"""The bundled demo data: a week on Alta kommune's Facebook Page, as Graph API objects.

The file holds realistic Norwegian inquiries with labels (what triage should say) that are used
by tests and stripped before anything is served. Timestamps are moved forward by whole weeks so
that the latest item lies in the past week and weekdays and office hours keep their meaning.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from importlib import resources
from typing import Any

GRAPH_TIME = "%Y-%m-%dT%H:%M:%S+0000"
WEEK = timedelta(days=7)

POST_FIELDS = ("id", "message", "created_time", "from", "permalink_url")
COMMENT_FIELDS = ("id", "message", "created_time", "from", "permalink_url")
MESSAGE_FIELDS = ("id", "message", "created_time", "from")


#: The bundled Pages: the demo's own, and a second one an administrator can connect in Kontoer.
MAIN_PAGE = "alta_facebook.json"
SECOND_PAGE = "alta_bibliotek_facebook.json"


def load_raw_dataset(name: str = MAIN_PAGE) -> dict[str, Any]:
    text = resources.files("innboks.demo").joinpath(f"data/{name}").read_text(encoding="utf-8")
    return json.loads(text)


def _time(value: str) -> datetime:
    return datetime.fromisoformat(value).astimezone(UTC)


@dataclass
class Item:
    """One servable Graph object with when it was created and what our tests expect of it."""

    resource: str  # post | comment | conversation_message
    payload: dict[str, Any]
    created: datetime
    label: dict[str, Any]
    post_id: str | None = None
    conversation_id: str | None = None


@dataclass
class Dataset:
    page_id: str
    page_name: str
    items: list[Item] = field(default_factory=list)
    #: Messenger conversation id -> the citizen taking part ({"name", "id"}).
    participants: dict[str, dict[str, str]] = field(default_factory=dict)
    #: What the Page's profile says (``about``, ``website``), for the connect flow's profile check.
    profile: dict[str, str] = field(default_factory=dict)

    def from_page(self, item: Item) -> bool:
        return item.payload.get("from", {}).get("id") == self.page_id


def build_dataset(now: datetime | None = None, name: str = MAIN_PAGE) -> Dataset:
    """Flatten a bundled file into servable items, shifted so the newest lies in the past week."""
    data = load_raw_dataset(name)
    page = data["page"]
    dataset = Dataset(page_id=page["id"], page_name=page["name"], profile=dict(data.get("profile", {})))

    def add(resource: str, obj: dict[str, Any], fields: tuple[str, ...], **where: Any) -> None:
        payload = {k: obj[k] for k in fields if k in obj}
        dataset.items.append(Item(resource, payload, _time(obj["created_time"]), obj.get("label", {}), **where))

    for post in [*data["posts"], *data.get("visitor_posts", [])]:
        add("post", post, POST_FIELDS)
        for comment in post.get("comments", []):
            add("comment", comment, COMMENT_FIELDS, post_id=post["id"])
            for reply in comment.get("replies", []):
                add("comment", {**reply, "parent": {"id": comment["id"]}}, (*COMMENT_FIELDS, "parent"),
                    post_id=post["id"])
    for conversation in data.get("conversations", []):
        participant = conversation["participant"]
        dataset.participants[conversation["id"]] = participant
        for message in conversation["messages"]:
            sender = message["from"]
            recipient = participant if sender["id"] == page["id"] else {"name": page["name"], "id": page["id"]}
            obj = {**message, "to": {"data": [recipient]}}
            add("conversation_message", obj, (*MESSAGE_FIELDS, "to"), conversation_id=conversation["id"])

    now = now or datetime.now(UTC)
    newest = max(item.created for item in dataset.items)
    shift = WEEK * max(0, (now - newest) // WEEK)
    for item in dataset.items:
        item.created += shift
        item.payload["created_time"] = item.created.strftime(GRAPH_TIME)
    dataset.items.sort(key=lambda i: i.created)
    return dataset
