"""After the platform said yes: which accounts the person may connect, with what they need to be read.

One function per platform turns the token answer into ``Candidate`` accounts, each with its
credentials, its profile (name, bio, website, where the API shows them) and who administers it (where
the platform tells):

- Facebook Login for Business: the long-lived user token (``fb_exchange_token``), the Pages the person
  manages with their Page tokens (``/me/accounts``), each token's end (``/debug_token``), the Page's
  people (``/{page}/roles``), and the Instagram professional account linked to each Page;
- LinkedIn: the organization pages the person administers (``/rest/organizationAcls?q=roleAssignee``),
  each page's details and administrators;
- YouTube: the channels of the Google account (``channels?mine=true``), with offline access;
- X: the user (``/2/users/me``); Mastodon: ``verify_credentials`` on the instance; Bluesky: the session
  the app password opens (``createSession``) and the profile (``getProfile``).

``subscribe_webhooks`` subscribes the app to a connected Page's webhooks (Facebook and Instagram).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import quote

import requests

from innboks.accounts.oauth import TIMEOUT, ConnectError
from innboks.domain.account_checks import Profile, facebook_page_admins, linkedin_organization_admins
from innboks.domain.platform_auth import META_VERSION, rebase_url, reconnect_by, seconds
from schemas import Platform

GRAPH = f"https://graph.facebook.com/{META_VERSION}"
LINKEDIN_API = "https://api.linkedin.com"
LINKEDIN_VERSION = "202607"
YOUTUBE_API = "https://www.googleapis.com/youtube/v3"
X_API = "https://api.x.com"
BSKY_ENTRYWAY = "https://bsky.social"
META_WEBHOOK_FIELDS = ("feed", "messages")
MAX_PAGES = 10


@dataclass
class Candidate:
    """An account the person may connect, as the platform showed it."""

    platform: Platform
    account_id: str
    name: str
    credential_kind: str
    secrets: dict[str, str]
    options: dict[str, Any] = field(default_factory=dict)
    token_expires_at: datetime | None = None
    access_expires_at: datetime | None = None
    scopes: list[str] = field(default_factory=list)
    profile: Profile | None = None
    #: Ids with admin rights, where the platform tells (None: it does not, or they could not be read).
    admins: list[str] | None = None
    #: What the platform says of the person's own role (Facebook tasks), for the page to show.
    note: str | None = None

    @property
    def key(self) -> str:
        return f"{self.platform.value}:{self.account_id}"

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["platform"] = self.platform.value
        for name in ("token_expires_at", "access_expires_at"):
            value = getattr(self, name)
            data[name] = value.isoformat() if value else None
        return data

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Candidate:
        values = dict(data)
        values["platform"] = Platform(values["platform"])
        values["profile"] = Profile(**{**values["profile"], "links": tuple(values["profile"].get("links", ()))}) \
            if values.get("profile") else None
        for name in ("token_expires_at", "access_expires_at"):
            values[name] = datetime.fromisoformat(values[name]) if values.get(name) else None
        return cls(**values)


class Api:
    """JSON over HTTP with the platform's host swapped for ``base_url`` (stand-ins, proxies)."""

    def __init__(self, base_url: str | None, session: requests.Session | None = None) -> None:
        self.base_url = base_url
        self.session = session or requests.Session()

    def url(self, url: str) -> str:
        return rebase_url(url, self.base_url)

    def call(self, method: str, url: str, what: str, **kwargs: Any) -> Any:
        try:
            response = self.session.request(method, self.url(url), timeout=TIMEOUT, **kwargs)
        except requests.RequestException as exc:
            raise ConnectError(f"fikk ikke kontakt med plattformen ({what}: {type(exc).__name__})") from None
        if response.status_code >= 400:
            raise ConnectError(f"plattformen svarte {response.status_code} på {what}")
        try:
            return response.json() if response.content else {}
        except ValueError:
            raise ConnectError(f"plattformen svarte ikke med JSON på {what}") from None

    def get(self, url: str, what: str, **kwargs: Any) -> Any:
        return self.call("GET", url, what, **kwargs)

    def close(self) -> None:
        self.session.close()


def _obj(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value.strip() else None


def _epoch(value: Any) -> datetime | None:
    number = seconds(value)
    return datetime.fromtimestamp(number, UTC) if number else None


# --- Meta: Facebook Pages and the Instagram accounts linked to them ------------------------------------

def meta_candidates(api: Api, token: Mapping[str, Any], app_id: str, app_secret: str,
                    now: datetime) -> list[Candidate]:
    long_lived = _obj(api.get(f"{GRAPH}/oauth/access_token", "bytte til langvarig token", params={
        "grant_type": "fb_exchange_token", "client_id": app_id, "client_secret": app_secret,
        "fb_exchange_token": str(token["access_token"])}))
    user_token = _text(long_lived.get("access_token")) or str(token["access_token"])
    fields = ("id,name,access_token,tasks,about,website,"
              "instagram_business_account{id,username,name,biography,website}")
    pages: list[dict[str, Any]] = []
    url: str | None = f"{GRAPH}/me/accounts"
    params: dict[str, Any] | None = {"fields": fields, "limit": 100, "access_token": user_token}
    for _ in range(MAX_PAGES):
        if url is None:
            break
        body = _obj(api.get(url, "sidene du administrerer", params=params))
        pages += [page for page in body.get("data", []) if isinstance(page, dict)]
        url, params = _text(_obj(body.get("paging")).get("next")), None
    candidates = []
    for page in pages:
        page_id, page_token = _text(page.get("id")), _text(page.get("access_token"))
        if page_id is None or page_token is None:
            continue
        debug = _obj(_obj(api.get(f"{GRAPH}/debug_token", "tokenets levetid", params={
            "input_token": page_token, "access_token": f"{app_id}|{app_secret}"})).get("data"))
        expires = _epoch(debug.get("expires_at")) or _epoch(debug.get("data_access_expires_at"))
        until = reconnect_by(Platform.FACEBOOK, now, data_access_expires_at=expires)
        tasks = [str(t) for t in page.get("tasks", []) if isinstance(t, str)]
        admins = _page_admins(api, page_id, page_token)
        secrets = {"access_token": page_token, "user_access_token": user_token}
        scopes = [str(s) for s in debug.get("scopes", []) if isinstance(s, str)]
        candidates.append(Candidate(
            Platform.FACEBOOK, page_id, _text(page.get("name")) or page_id, "bearer", secrets,
            token_expires_at=until, scopes=scopes, admins=admins,
            note=f"Dine oppgaver på siden: {', '.join(tasks)}" if tasks else None,
            profile=Profile(_text(page.get("name")), _text(page.get("about")), _text(page.get("website")))))
        instagram = _obj(page.get("instagram_business_account"))
        if ig_id := _text(instagram.get("id")):
            username = _text(instagram.get("username"))
            candidates.append(Candidate(
                Platform.INSTAGRAM, ig_id, f"@{username}" if username else (_text(instagram.get("name")) or ig_id),
                "bearer", dict(secrets), options={"page_id": page_id, **({"username": username} if username else {})},
                token_expires_at=until, scopes=scopes, admins=admins,
                note=f"koblet til Facebook-siden {_text(page.get('name')) or page_id}",
                profile=Profile(_text(instagram.get("name")) or username, _text(instagram.get("biography")),
                                _text(instagram.get("website")))))
    return candidates


def _page_admins(api: Api, page_id: str, page_token: str) -> list[str] | None:
    try:
        body = api.get(f"{GRAPH}/{page_id}/roles", "sidens administratorer",
                       params={"fields": "id,name,tasks", "access_token": page_token})
    except ConnectError:
        return None
    return sorted(facebook_page_admins([body]))


def subscribe_webhooks(api: Api, page_id: str, page_token: str, now: datetime) -> dict[str, Any]:
    """Subscribe the app to the Page's webhooks (``POST /{page}/subscribed_apps``)."""
    try:
        body = _obj(api.call("POST", f"{GRAPH}/{page_id}/subscribed_apps", "abonnement på webhooks", data={
            "subscribed_fields": ",".join(META_WEBHOOK_FIELDS), "access_token": page_token}))
    except ConnectError as exc:
        return {"subscribed": False, "fields": [], "detail": str(exc), "checked_at": now.isoformat()}
    ok = body.get("success") is True
    return {"subscribed": ok, "fields": list(META_WEBHOOK_FIELDS) if ok else [],
            "detail": None if ok else "plattformen bekreftet ikke abonnementet", "checked_at": now.isoformat()}


# --- LinkedIn organization pages --------------------------------------------------------------------------

def _linkedin_headers(access_token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {access_token}", "LinkedIn-Version": LINKEDIN_VERSION,
            "X-Restli-Protocol-Version": "2.0.0"}


def linkedin_candidates(api: Api, token: Mapping[str, Any], client_id: str, now: datetime) -> list[Candidate]:
    access = str(token["access_token"])
    headers = _linkedin_headers(access)
    body = _obj(api.get(f"{LINKEDIN_API}/rest/organizationAcls", "sidene du administrerer", headers=headers,
                        params={"q": "roleAssignee", "role": "ADMINISTRATOR", "state": "APPROVED", "count": 100}))
    refresh = _text(token.get("refresh_token"))
    until = reconnect_by(Platform.LINKEDIN, now, token.get("expires_in"), token.get("refresh_token_expires_in"),
                         has_refresh_token=refresh is not None)
    access_until = now + timedelta(seconds=seconds(token.get("expires_in")) or 0) if seconds(
        token.get("expires_in")) else None
    scopes = str(token.get("scope") or "").replace(",", " ").split()
    candidates = []
    for acl in body.get("elements", []):
        urn = _text(_obj(acl).get("organization")) or _text(_obj(acl).get("organizationTarget"))
        if urn is None:
            continue
        org_id = urn.rsplit(":", 1)[-1]
        org = _obj(api.get(f"{LINKEDIN_API}/rest/organizations/{org_id}", "sidens profil", headers=headers))
        try:
            admins_body = api.get(f"{LINKEDIN_API}/rest/organizationAcls", "sidens administratorer", headers=headers,
                                  params={"q": "organization", "organization": urn, "role": "ADMINISTRATOR",
                                          "state": "APPROVED", "count": 100})
            admins: list[str] | None = sorted(linkedin_organization_admins(admins_body))
        except ConnectError:
            admins = None
        secrets = {"access_token": access, "client_id": client_id, **({"refresh_token": refresh} if refresh else {})}
        name = _text(org.get("localizedName")) or org_id
        candidates.append(Candidate(
            Platform.LINKEDIN, org_id, name, "oauth2" if refresh else "bearer", secrets,
            token_expires_at=until, access_expires_at=access_until, scopes=scopes, admins=admins,
            profile=Profile(name, _text(org.get("localizedDescription")), _text(org.get("localizedWebsite")))))
    return candidates


# --- YouTube channels ---------------------------------------------------------------------------------------

def youtube_candidates(api: Api, token: Mapping[str, Any], client_id: str, now: datetime) -> list[Candidate]:
    refresh = _text(token.get("refresh_token"))
    if refresh is None:
        raise ConnectError("Google ga ingen refresh token (offline-tilgang): fjern Innboks under "
                           "myaccount.google.com/permissions og koble til på nytt")
    access = str(token["access_token"])
    body = _obj(api.get(f"{YOUTUBE_API}/channels", "kanalene dine", headers={"Authorization": f"Bearer {access}"},
                        params={"part": "snippet", "mine": "true", "maxResults": 50}))
    lifetime = seconds(token.get("expires_in"))
    scopes = str(token.get("scope") or "").split()
    candidates = []
    for channel in body.get("items", []):
        channel_id, snippet = _text(_obj(channel).get("id")), _obj(_obj(channel).get("snippet"))
        if channel_id is None:
            continue
        name = _text(snippet.get("title")) or channel_id
        candidates.append(Candidate(
            Platform.YOUTUBE, channel_id, name, "oauth2",
            {"access_token": access, "refresh_token": refresh, "client_id": client_id},
            token_expires_at=reconnect_by(Platform.YOUTUBE, now, token.get("expires_in"), None, has_refresh_token=True),
            access_expires_at=now + timedelta(seconds=lifetime) if lifetime else None, scopes=scopes,
            profile=Profile(name, _text(snippet.get("description")), None)))
    return candidates


# --- X -----------------------------------------------------------------------------------------------------

def x_candidates(api: Api, token: Mapping[str, Any], client_id: str, now: datetime) -> list[Candidate]:
    refresh = _text(token.get("refresh_token"))
    if refresh is None:
        raise ConnectError("X ga ingen refresh token: appen må be om offline.access")
    access = str(token["access_token"])
    body = _obj(api.get(f"{X_API}/2/users/me", "kontoen din", headers={"Authorization": f"Bearer {access}"},
                        params={"user.fields": "description,url,entities"}))
    user = _obj(body.get("data"))
    user_id = _text(user.get("id"))
    if user_id is None:
        raise ConnectError("X svarte uten bruker-id")
    expanded = [_text(_obj(u).get("expanded_url")) for u in
                _obj(_obj(_obj(user.get("entities")).get("url"))).get("urls", [])]
    website = next((u for u in expanded if u), None) or _text(user.get("url"))
    lifetime = seconds(token.get("expires_in"))
    username = _text(user.get("username"))
    return [Candidate(
        Platform.X, user_id, f"@{username}" if username else (_text(user.get("name")) or user_id), "oauth2",
        {"access_token": access, "refresh_token": refresh, "client_id": client_id},
        token_expires_at=reconnect_by(Platform.X, now, token.get("expires_in"), None, has_refresh_token=True),
        access_expires_at=now + timedelta(seconds=lifetime) if lifetime else None,
        scopes=str(token.get("scope") or "").split(),
        profile=Profile(_text(user.get("name")), _text(user.get("description")), website))]


# --- Mastodon ------------------------------------------------------------------------------------------------

def mastodon_candidates(api: Api, token: Mapping[str, Any], instance: str) -> list[Candidate]:
    access = str(token["access_token"])
    account = _obj(api.get(f"{instance}/api/v1/accounts/verify_credentials", "kontoen din",
                           headers={"Authorization": f"Bearer {access}"}))
    account_id = _text(account.get("id"))
    if account_id is None:
        raise ConnectError("instansen svarte uten konto-id")
    links = tuple(value for f in account.get("fields", []) if (value := _text(_obj(f).get("value"))))
    acct = _text(account.get("acct")) or _text(account.get("username")) or account_id
    return [Candidate(
        Platform.MASTODON, account_id, f"@{acct}", "bearer", {"access_token": access},
        options={"instance_url": instance}, scopes=str(token.get("scope") or "").split(),
        profile=Profile(_text(account.get("display_name")), _text(account.get("note")), None, links))]


# --- Bluesky --------------------------------------------------------------------------------------------------

def bluesky_candidates(api: Api, handle: str, app_password: str, entryway: str = BSKY_ENTRYWAY) -> list[Candidate]:
    session = _obj(api.call("POST", f"{entryway}/xrpc/com.atproto.server.createSession", "innlogging",
                            json={"identifier": handle, "password": app_password}))
    did, access = _text(session.get("did")), _text(session.get("accessJwt"))
    if did is None or access is None:
        raise ConnectError("Bluesky svarte uten DID eller token")
    pds = next((_text(_obj(s).get("serviceEndpoint")) for s in _obj(session.get("didDoc")).get("service", [])
                if _obj(s).get("id") in ("#atproto_pds", f"{did}#atproto_pds")), None)
    base = pds or entryway
    profile = _obj(api.get(f"{base}/xrpc/app.bsky.actor.getProfile", "profilen",
                           headers={"Authorization": f"Bearer {access}"}, params={"actor": did}))
    name = _text(session.get("handle")) or handle
    options = {"pds_url": pds} if pds and pds.rstrip("/") != entryway.rstrip("/") else {}
    return [Candidate(Platform.BLUESKY, did, f"@{name}", "app_password",
                      {"identifier": handle, "password": app_password}, options=options,
                      profile=Profile(_text(profile.get("displayName")), _text(profile.get("description")), None))]


def encode(value: str) -> str:
    return quote(value, safe="")
