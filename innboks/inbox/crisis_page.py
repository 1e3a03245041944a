"""``/krise``: the administrators' crisis switch, with a reason, a confirmation, and what it does to deadlines.

Switching is ``POST /api/crisis`` (an event on ``innboks.control``); this page explains it in words
and asks twice, because a crisis changes the deadline of every inquiry that comes in meanwhile.
"""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from innboks.db.control import crisis
from innboks.db.schema import OPEN_STATES, inquiries
from innboks.web.access import requires
from innboks.web.context import staff
from innboks.web.pages import render, templates

TEMPLATES = templates(Path(__file__).with_name("templates"))


def crisis_counts(engine: Engine, crisis_policy: str) -> dict[str, int]:
    """Open inquiries on the crisis deadline, and on their normal one."""
    with engine.connect() as connection:
        rows = connection.execute(sa.select(inquiries.c.policy, sa.func.count())
                                  .where(inquiries.c.state.in_(OPEN_STATES)).group_by(inquiries.c.policy)).all()
    on_crisis = sum(int(count) for policy, count in rows if policy == crisis_policy)
    return {"crisis": on_crisis, "normal": sum(int(count) for _policy, count in rows) - on_crisis}


@requires("admin", "the crisis switch is for administrators")
async def crisis_page(request: Request) -> Response:
    app = staff(request)
    state = await app.run(crisis, app.engine)
    counts = await app.run(crisis_counts, app.engine, app.registry.sla.crisis_policy)
    return await render(request, TEMPLATES, "crisis.html", crisis=state, counts=counts)


routes = [Route("/krise", crisis_page)]
