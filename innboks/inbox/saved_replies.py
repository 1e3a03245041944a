"""Saved replies: a library of reply templates in bokmål, nynorsk and English, kept by admins.

A template may use ``{account_name}``, ``{municipality}``, ``{case_email}``, ``{case_web_form}`` and
``{case_postal_address}``; the conversation view offers them filled in for its account.
"""

from __future__ import annotations

import string
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from innboks.db.audit import audit
from innboks.db.schema import saved_replies
from innboks.domain.reply_variables import VARIABLES
from innboks.web.errors import HttpError, NotFound
from innboks.web.users import User

LANGUAGES = ("nb", "nn", "en")


def validated(body: dict[str, Any]) -> dict[str, str]:
    """A template from a request body; a 422 that names what is wrong otherwise."""
    title, language, text = body.get("title"), body.get("language"), body.get("body")
    if not isinstance(title, str) or not 1 <= len(title.strip()) <= 200:
        raise HttpError(422, "title: 1 to 200 characters")
    if language not in LANGUAGES:
        raise HttpError(422, f"language must be one of {', '.join(LANGUAGES)}")
    if not isinstance(text, str) or not 1 <= len(text.strip()) <= 8000:
        raise HttpError(422, "body: 1 to 8000 characters")
    try:
        names = {field for _, field, _, _ in string.Formatter().parse(text) if field is not None}
    except ValueError:
        raise HttpError(422, "body: unbalanced { or } (write {{ and }} for braces)") from None
    unknown = names - set(VARIABLES)
    if unknown:
        raise HttpError(422, f"body: unknown variable {{{sorted(unknown)[0]}}}; use {', '.join(VARIABLES)}")
    return {"title": title.strip(), "language": str(language), "body": text.strip()}


def list_replies(engine: Engine) -> list[dict[str, Any]]:
    with engine.connect() as connection:
        rows = connection.execute(sa.select(saved_replies).order_by(saved_replies.c.language,
                                                                     saved_replies.c.title)).all()
    return [{"id": r.id, "title": r.title, "language": r.language, "body": r.body, "updated_by": r.updated_by,
             "updated_at": r.updated_at.isoformat()} for r in rows]


def save_reply(engine: Engine, fields: dict[str, str], user: User, reply_id: int | None = None) -> int:
    now = datetime.now(UTC)
    with engine.begin() as connection:
        if reply_id is None:
            inserted = connection.execute(saved_replies.insert().values(updated_by=user.username, updated_at=now,
                                                                        **fields)).inserted_primary_key
            assert inserted is not None
            reply_id = int(inserted[0])
            action = "saved_reply_create"
        else:
            changed = connection.execute(saved_replies.update().where(saved_replies.c.id == reply_id)
                                         .values(updated_by=user.username, updated_at=now, **fields)).rowcount
            if not changed:
                raise NotFound("no such saved reply")
            action = "saved_reply_update"
        audit(connection, user.username, action, str(reply_id), {"language": fields["language"]})
    return int(reply_id)


def delete_reply(engine: Engine, reply_id: int, user: User) -> None:
    with engine.begin() as connection:
        if not connection.execute(saved_replies.delete().where(saved_replies.c.id == reply_id)).rowcount:
            raise NotFound("no such saved reply")
        audit(connection, user.username, "saved_reply_delete", str(reply_id), {})


DEFAULTS = [
    ("Vi ser på saken", "nb", "Hei, og takk for at du tar kontakt! Vi sjekker dette og kommer tilbake til deg så "
     "snart vi kan. Vennlig hilsen {account_name}"),
    ("Vi ser på saka", "nn", "Hei, og takk for at du tek kontakt! Vi sjekkar dette og kjem tilbake til deg så snart "
     "vi kan. Venleg helsing {account_name}"),
    ("Send saken til postmottak", "nb", "Hei! Dette gjelder en enkeltsak som vi ikke kan behandle i sosiale medier. "
     "Send den til {case_email} eller bruk skjemaet på {case_web_form}. Vennlig hilsen {municipality}"),
    ("Send saka til postmottak", "nn", "Hei! Dette gjeld ei enkeltsak som vi ikkje kan behandle i sosiale medium. "
     "Send ho til {case_email} eller bruk skjemaet på {case_web_form}. Venleg helsing {municipality}"),
    ("We are looking into it", "en", "Hello, and thank you for contacting us! We are looking into this and will get "
     "back to you as soon as we can. Kind regards, {account_name}"),
]


def seed_defaults(engine: Engine, actor: str = "system:seed") -> int:
    """Put the packaged templates in an empty library; how many were added."""
    with engine.begin() as connection:
        if connection.execute(sa.select(sa.func.count()).select_from(saved_replies)).scalar():
            return 0
        now = datetime.now(UTC)
        for title, language, body in DEFAULTS:
            connection.execute(saved_replies.insert().values(title=title, language=language, body=body,
                                                             updated_by=actor, updated_at=now))
        audit(connection, actor, "saved_reply_seed", None, {"count": len(DEFAULTS)})
    return len(DEFAULTS)
