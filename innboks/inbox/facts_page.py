"""The admins' *Fakta* page: the facts registry that suggested replies point to, edited and audited.

Saving validates the YAML (an error names the line and the key, as for the file), builds every
suggested reply the registry can produce and runs each through the reply check (a suggestion with
personal data refuses the save; other warnings are shown), then publishes the registry on
``innboks.control`` (key ``facts``) and writes the audit log. The worker's suggestions, the
executor's guard and every inbox replica (through the store) take it from there; until one is
saved, the ``INNBOKS_FACTS`` file is in force.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy.engine import Engine
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from innboks.config import topics
from innboks.config.facts import MAX_FACTS_BYTES, Facts, FactsError, parse_facts
from innboks.db.audit import audit
from innboks.db.facts import FactsSource, saved_versions
from innboks.domain.reply_check import Code, check_reply, context_for
from innboks.domain.suggestions import every_suggestion
from innboks.inbox.api import json_body
from innboks.web.access import requires
from innboks.web.context import Publisher, staff
from innboks.web.errors import HttpError
from innboks.web.pages import render, templates
from innboks.web.users import User
from schemas import FACTS_KEY, FactsEvent

TEMPLATES = templates(Path(__file__).with_name("templates"))


def suggestion_warnings(facts: Facts) -> list[dict[str, Any]]:
    """Every warning the reply check gives any suggestion the registry can produce."""
    found = []
    for suggestion in every_suggestion(facts):
        result = check_reply(suggestion.text, context_for(facts, language=suggestion.language))
        for warning in result.warnings:
            found.append({"topic": suggestion.topic, "situation": suggestion.situation,
                          "language": suggestion.language.value, **warning.to_json(), "text": suggestion.text})
    return found


def save_facts(engine: Engine, publisher: Publisher, document: str, user: User) -> dict[str, Any]:
    """Validate, check the suggestions, publish and audit; what was saved and the warnings."""
    try:
        facts = parse_facts(document, "Fakta")
    except FactsError as exc:
        raise HttpError(422, str(exc)) from None
    warnings = suggestion_warnings(facts)
    blocking = [w for w in warnings if w["code"] == Code.PERSONAL_DATA.value]
    if blocking:
        first = blocking[0]
        raise HttpError(422, f"Fakta: forslaget til svar for {first['topic'] or 'nødsituasjoner'} "
                        f"({first['situation']}, {first['language']}) inneholder personopplysninger: "
                        f"{first['message']}", body={"warnings": warnings})
    event = FactsEvent(document=document, digest=hashlib.sha256(document.encode("utf-8")).hexdigest(),
                       set_by=user.username, at=datetime.now(UTC))
    publisher.send(topics.CONTROL, event.to_json_bytes(), key=FACTS_KEY.encode())
    with engine.begin() as connection:
        audit(connection, user.username, "facts_save", event.digest,
              {"topics": len(facts.topics), "warnings": len(warnings)})
    return {"digest": event.digest, "set_by": event.set_by, "at": event.at.isoformat(), "topics": len(facts.topics),
            "warnings": warnings}


def _current(engine: Engine, source: FactsSource) -> dict[str, Any]:
    facts, where = source.current(engine)
    return {**where, "topics": [topic.id for topic in facts.topics], "versions": saved_versions(engine)}


@requires("admin", "the facts registry is kept by administrators")
async def facts_page(request: Request) -> Response:
    app = staff(request)
    current = await app.run(_current, app.engine, app.facts)
    return await render(request, TEMPLATES, "facts.html", current=current, max_bytes=MAX_FACTS_BYTES)


@requires("admin", "the facts registry is kept by administrators")
async def get_facts(request: Request) -> Response:
    app = staff(request)
    return JSONResponse(await app.run(_current, app.engine, app.facts))


@requires("admin", "the facts registry is kept by administrators")
async def put_facts(request: Request) -> Response:
    app = staff(request)
    body = await json_body(request)
    document = body.get("document")
    if not isinstance(document, str) or not document.strip():
        raise HttpError(422, "document: the registry as YAML text")
    saved = await app.run(save_facts, app.engine, app.publisher, document, request.user)
    return JSONResponse(saved, status_code=202)


routes = [
    Route("/fakta", facts_page),
    Route("/api/facts", get_facts, methods=["GET"]),
    Route("/api/facts", put_facts, methods=["PUT"]),
]
