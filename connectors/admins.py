"""Who has admin rights on an official account, where the platform exposes it.

The guideline makes the communication unit co-admin of every official account. Facebook exposes
the people with tasks on a Page (``/{page}/roles``, and ``/{page}/assigned_users`` for business
users); MANAGE is full control. LinkedIn exposes an organization's role holders
(``/rest/organizationAcls``, scope ``rw_organization_admin``); ADMINISTRATOR is full control. The
other platforms do not expose roles. The answers are read by the rules the connect flow uses too
(``innboks.domain.account_checks``).
"""

from __future__ import annotations

from collections.abc import Callable

from connectors.http import ApiClient
from connectors.meta.client import GRAPH_HOST, graph_version
from innboks.config.accounts import Account
from innboks.domain.account_checks import facebook_page_admins, linkedin_organization_admins
from schemas import Platform


def facebook_admins(client: ApiClient, account: Account) -> set[str]:
    base = f"{GRAPH_HOST}/{graph_version(account.options)}/{account.account_id}"
    listings = [(f"{base}/roles", {"fields": "id,name,tasks"})]
    if business := account.options.get("business_id"):
        listings.append((f"{base}/assigned_users", {"business": str(business), "fields": "id,name,tasks"}))
    return facebook_page_admins(client.get_json(url, params)[0] for url, params in listings)


def linkedin_admins(client: ApiClient, account: Account) -> set[str]:
    from connectors.linkedin.client import API_HOST, rest_headers
    from connectors.linkedin.mapping import organization_urn

    params = {"q": "organization", "organization": organization_urn(account.account_id),
              "role": "ADMINISTRATOR", "state": "APPROVED", "count": 100}
    body, _ = client.get_json(f"{API_HOST}/rest/organizationAcls", params, rest_headers(account.options))
    return linkedin_organization_admins(body)


#: Platform → function returning the ids with admin rights on the account.
ADMIN_CHECKS: dict[Platform, Callable[[ApiClient, Account], set[str]]] = {
    Platform.FACEBOOK: facebook_admins,
    Platform.LINKEDIN: linkedin_admins,
}
