"""Who has admin rights on an official account, where the platform exposes it.

The guideline makes the communication unit co-admin of every official account. Facebook exposes
the people with tasks on a Page (``/{page}/roles``, and ``/{page}/assigned_users`` for business
users); MANAGE is full control. Other platforms that expose roles add a function here.
"""

from __future__ import annotations

from collections.abc import Callable

from connectors.base import items, obj
from connectors.http import ApiClient
from connectors.meta import GRAPH_HOST, GRAPH_VERSION
from innboks.accounts import Account
from schemas import Platform


def facebook_admins(client: ApiClient, account: Account) -> set[str]:
    version = str(account.options.get("graph_version", GRAPH_VERSION))
    base = f"{GRAPH_HOST}/{version}/{account.account_id}"
    admins: set[str] = set()
    listings = [(f"{base}/roles", {"fields": "id,name,tasks"})]
    if business := account.options.get("business_id"):
        listings.append((f"{base}/assigned_users", {"business": str(business), "fields": "id,name,tasks"}))
    for url, params in listings:
        body, _ = client.get_json(url, params)
        for person in items(obj(body), "data"):
            tasks = person.get("tasks")
            if isinstance(tasks, list) and "MANAGE" in tasks or person.get("role") in ("ADMINISTRATOR", "MANAGER"):
                admins.add(str(person.get("id")))
    return admins


#: Platform → function returning the ids with admin rights on the account.
ADMIN_CHECKS: dict[Platform, Callable[[ApiClient, Account], set[str]]] = {
    Platform.FACEBOOK: facebook_admins,
}
