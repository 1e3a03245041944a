"""connectors/mastodon/mapping.py: Mastodon statuses to InboxMessage."""

from __future__ import annotations

import copy
from datetime import UTC, datetime
from typing import Any

import pytest

from connectors.errors import IgnoredItem, MappingError
from connectors.mastodon.mapping import html_to_text, map_mastodon
from schemas import Event, InboxMessage, Kind, Platform, RawEvent
from tests.unit.connectors.mastodon.helpers import (
    ACCOUNT,
    INGRID,
    INGRID_DM,
    KARI,
    KARI_MENTION,
    NOW,
    OLA,
    OLA_DM,
    OUR_POST,
    OUR_REPLY_KARI,
    OUR_REPLY_OLA,
    PER,
    PER_MENTION,
)


def raw(resource: str, status: dict[str, Any], **context: Any) -> RawEvent:
    return RawEvent(platform=Platform.MASTODON, account_id=ACCOUNT, resource=resource, payload=status,
                    context=context, fetched_at=NOW)


def shape(message: InboxMessage) -> tuple[Kind, str, str | None, bool, Event]:
    return message.kind, message.conversation_id, message.parent_id, message.from_account, message.event


# -- mapping ---------------------------------------------------------------------------------------

def test_a_citizens_mention_is_keyed_by_the_citizen() -> None:
    msg = map_mastodon(raw("notification", KARI_MENTION, notification_id="48213377"))
    assert shape(msg) == (Kind.MENTION, KARI, OUR_POST["id"], False, Event.CREATED)
    assert msg.id == f"mastodon:{KARI_MENTION['id']}"
    assert msg.platform is Platform.MASTODON and msg.account_id == ACCOUNT
    assert (msg.author_id, msg.author_name) == (KARI, "Kari Nordmann")
    assert msg.created_at == datetime(2026, 11, 16, 8, 14, 3, 220000, tzinfo=UTC)
    assert msg.permalink == f"https://snabelen.no/@kari_nordmann/{KARI_MENTION['id']}"
    # the leading @altakommune is dropped; the rest is the citizen's text
    assert msg.text == ("Hei! Markveien ved Bossekop er fortsatt ikke brøytet, og bussen kom seg ikke opp bakken "
                        "i morges. Når kommer brøytebilen?")


def test_a_direct_status_has_the_same_key_from_notifications_and_conversations() -> None:
    from_notification = map_mastodon(raw("notification", OLA_DM))
    from_conversation = map_mastodon(raw("conversation", OLA_DM, conversation_id="2187403"))
    assert from_notification == from_conversation
    assert shape(from_notification) == (Kind.DIRECT_MESSAGE, OLA, None, False, Event.CREATED)
    assert from_notification.author_name == "Ola Hansen"
    assert from_notification.permalink == "https://mastodon.social/@olahansen/115562987021947122"
    assert from_notification.text == ("Hei, jeg har fått faktura på eiendomsskatt for 2026 & mener at takseringen "
                                      "av boligen er feil.\n\nHvordan klager jeg?\nMvh Ola")


def test_our_replies_join_the_conversation_of_the_citizen_they_answer() -> None:
    public = map_mastodon(raw("status", OUR_REPLY_KARI))
    assert shape(public) == (Kind.REPLY, KARI, KARI_MENTION["id"], True, Event.CREATED)
    assert (public.text or "").startswith("@kari_nordmann Takk for beskjed!")  # only our own mention is dropped
    direct = map_mastodon(raw("status", OUR_REPLY_OLA))
    assert shape(direct) == (Kind.DIRECT_MESSAGE, OLA, OLA_DM["id"], True, Event.CREATED)
    assert (direct.text or "").endswith("Skjema finner du på https://www.alta.kommune.no/eiendomsskatt/klage")


def test_our_standalone_status_is_a_post() -> None:
    msg = map_mastodon(raw("status", OUR_POST))
    assert shape(msg) == (Kind.POST, OUR_POST["id"], None, True, Event.CREATED)
    assert msg.author_name == "Alta kommune"
    assert msg.text == ("Brøytemelding mandag 16. november: Det har kommet over 30 cm snø i natt. Vi brøyter "
                        "hovedveier og bussruter først, deretter boligfelt.\n\n"
                        "Følg med på https://www.alta.kommune.no/broyting #brøyting")


def test_a_reply_in_our_own_thread_is_a_post() -> None:
    thread = {**OUR_POST, "id": "117624512000000000", "in_reply_to_id": OUR_POST["id"],
              "in_reply_to_account_id": ACCOUNT}
    msg = map_mastodon(raw("status", thread))
    assert shape(msg) == (Kind.POST, "117624512000000000", OUR_POST["id"], True, Event.CREATED)


def test_our_direct_status_to_one_citizen_opens_that_citizens_conversation() -> None:
    opener = {**OUR_REPLY_OLA, "in_reply_to_id": None, "in_reply_to_account_id": None}
    assert shape(map_mastodon(raw("status", opener))) == (Kind.DIRECT_MESSAGE, OLA, None, True, Event.CREATED)
    to_two = {**opener, "mentions": [*opener["mentions"], {"id": KARI, "username": "kari_nordmann",
                                                           "url": "https://snabelen.no/@kari_nordmann",
                                                           "acct": "kari_nordmann"}]}
    assert shape(map_mastodon(raw("status", to_two))) == (Kind.POST, opener["id"], None, True, Event.CREATED)


def test_a_public_mention_from_another_citizen_keeps_mentions_that_are_not_leading() -> None:
    msg = map_mastodon(raw("notification", PER_MENTION))
    assert shape(msg) == (Kind.MENTION, PER, None, False, Event.CREATED)
    assert msg.text == ("Noen som vet om tømmekalenderen til @altakommune endres i jula? "
                        "https://www.alta.kommune.no/renovasjon/tommekalender #alta")


def test_a_changed_status_is_an_edit() -> None:
    edited = copy.deepcopy(INGRID_DM)
    edited["edited_at"] = "2026-11-16T11:02:15.000Z"
    msg = map_mastodon(raw("conversation", edited, change="changed"))
    assert shape(msg) == (Kind.DIRECT_MESSAGE, INGRID, None, False, Event.EDITED)


def test_content_warning_comes_before_the_text_and_media_only_statuses_have_no_text() -> None:
    warned = {**KARI_MENTION, "spoiler_text": "Klage", "sensitive": True}
    assert (map_mastodon(raw("notification", warned)).text or "").startswith("Klage\n\nHei! Markveien")
    assert map_mastodon(raw("notification", {**KARI_MENTION, "content": ""})).text is None


@pytest.mark.parametrize("html, text", [
    ("<p>Første linje<br>andre linje<br />tredje</p><p>Nytt avsnitt</p>",
     "Første linje\nandre linje\ntredje\n\nNytt avsnitt"),
    ("<p>&quot;Veg&quot; &amp; &lt;bru&gt; &#39;nå&#39; &aelig;&oslash;&aring; &#x1F44D;</p>",
     "\"Veg\" & <bru> 'nå' æøå 👍"),
    ('<p><a href="https://www.alta.kommune.no/a/b/c" rel="nofollow noopener" target="_blank">'
     '<span class="invisible">https://www.</span><span class="ellipsis">alta.kommune.no/a/</span>'
     '<span class="invisible">b/c</span></a></p>', "https://www.alta.kommune.no/a/b/c"),
    ("<p>a\nb</p><blockquote><p>sitat</p></blockquote><ul><li>en</li><li>to</li></ul>",
     "a b\n\nsitat\n\nen\nto"),
])
def test_html_to_text(html: str, text: str) -> None:
    assert html_to_text(html) == text


def test_only_leading_mentions_of_our_own_account_are_dropped() -> None:
    ours = [{"id": ACCOUNT, "username": "altakommune", "url": "https://snabelen.no/@altakommune",
             "acct": "altakommune"}]
    remote_form = ('<p><span class="h-card"><a href="https://snabelen.no/users/altakommune" class="u-url mention">'
                   '@<span>altakommune@snabelen.no</span></a></span> Hei</p>')
    assert html_to_text(remote_form, ours, ACCOUNT) == "Hei"
    other_first = ('<p><span class="h-card"><a href="https://snabelen.no/@kari_nordmann" class="u-url mention">'
                   '@<span>kari_nordmann</span></a></span> <span class="h-card"><a href="https://snabelen.no/'
                   '@altakommune" class="u-url mention">@<span>altakommune</span></a></span> Hei</p>')
    assert html_to_text(other_first, ours, ACCOUNT) == "@kari_nordmann @altakommune Hei"
    assert html_to_text(remote_form) == "@altakommune@snabelen.no Hei"  # no account given: nothing dropped


@pytest.mark.parametrize("resource, change, code", [
    ("notification", {"id": None}, "schema_violation"),
    ("notification", {"account": None}, "schema_violation"),
    ("status", {"created_at": "i går"}, "schema_violation"),
    ("status", {"created_at": "2026-11-16T09:30:18"}, "schema_violation"),
    ("favourite", {}, "unsupported_resource"),
])
def test_unmappable_items_raise_with_a_reason_code(resource: str, change: dict[str, Any], code: str) -> None:
    with pytest.raises(MappingError) as info:
        map_mastodon(raw(resource, {**KARI_MENTION, **change}))
    assert info.value.code == code


def test_a_boost_is_not_a_message() -> None:
    with pytest.raises(IgnoredItem):
        map_mastodon(raw("status", {**OUR_POST, "reblog": KARI_MENTION}))
