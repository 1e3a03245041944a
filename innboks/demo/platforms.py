"""The demo's platforms for Kontoer: a stand-in of every platform's authorization server, an app registered
at each, and the settings that make the inbox connect through them (also used by the tests).

Facebook and Instagram are the Graph simulator (Meta's OAuth, the Pages a person manages, a second Page to
connect: Alta bibliotek); LinkedIn, YouTube, X, a Mastodon instance and Bluesky are ``innboks.demo.standins``.
The demo's own Page is connected the same way Kontoer connects one (sealed in the store, with an
assessment), with a Page token Meta's stand-in issued, so revoking it at the stand-in pauses that Page.
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from pydantic import SecretStr
from sqlalchemy.engine import Engine

from innboks.config.settings import Settings
from innboks.db.accounts import NewConnection, save_connection
from innboks.db.sealed import Keyring
from innboks.demo.graph_api import DATA_ACCESS_SECONDS, GraphSimulator
from innboks.demo.standins import BlueskyStandIn, GoogleStandIn, LinkedInStandIn, MastodonStandIn, StandIn, XStandIn
from innboks.domain.account_checks import Profile, check_profile
from schemas import Platform

META_APP = "innboks-demo-meta"
CLIENTS = {"linkedin": "innboks-demo-linkedin", "youtube": "innboks-demo-google", "x": "innboks-demo-x"}
DEMO_ASSESSMENT = {
    "purpose": "Dialog med innbyggerne og rask informasjon; kommunens hovedkanal i kriser sammen med nettsiden.",
    "audience": "Innbyggere i Alta, særlig de som ikke følger nettsiden.",
    "privacy": "Ingen saksbehandling på siden; saker videresendes og arkiveres, personopplysninger skjermes.",
    "resources": "Kommunikasjonsenheten følger opp hverdager 08–15.30, med vakt i kriser.",
}


@dataclass
class DemoPlatforms:
    graph: GraphSimulator
    linkedin: LinkedInStandIn
    google: GoogleStandIn
    x: XStandIn
    mastodon: MastodonStandIn
    bluesky: BlueskyStandIn
    meta_secret: str
    secret_files: dict[str, Path]

    @property
    def standins(self) -> list[StandIn]:
        return [self.linkedin, self.google, self.x, self.mastodon, self.bluesky]

    def base_urls(self) -> dict[str, str]:
        return {"facebook": self.graph.base_url, "instagram": self.graph.base_url,
                "linkedin": self.linkedin.base_url, "youtube": self.google.base_url, "x": self.x.base_url,
                "bluesky": self.bluesky.base_url}

    def settings(self, base: Settings) -> Settings:
        """``base`` with the stand-ins' apps and addresses (INNBOKS_PLATFORM_BASE_URLS)."""
        return base.model_copy(update={
            "meta_app_id": META_APP, "meta_app_secret": SecretStr(self.meta_secret), "meta_app_secret_file": None,
            "linkedin_client_id": CLIENTS["linkedin"],
            "linkedin_client_secret": f"file:{self.secret_files['linkedin']}",
            "google_client_id": CLIENTS["youtube"], "google_client_secret": f"file:{self.secret_files['youtube']}",
            "x_client_id": CLIENTS["x"], "x_client_secret": f"file:{self.secret_files['x']}",
            "platform_base_urls": self.base_urls()})

    def environment(self) -> dict[str, str]:
        """The same as environment variables, for a command run in another process."""
        import json

        return {"INNBOKS_META_APP_ID": META_APP, "INNBOKS_META_APP_SECRET": self.meta_secret,
                "INNBOKS_LINKEDIN_CLIENT_ID": CLIENTS["linkedin"],
                "INNBOKS_LINKEDIN_CLIENT_SECRET": f"file:{self.secret_files['linkedin']}",
                "INNBOKS_GOOGLE_CLIENT_ID": CLIENTS["youtube"],
                "INNBOKS_GOOGLE_CLIENT_SECRET": f"file:{self.secret_files['youtube']}",
                "INNBOKS_X_CLIENT_ID": CLIENTS["x"], "INNBOKS_X_CLIENT_SECRET": f"file:{self.secret_files['x']}",
                "INNBOKS_PLATFORM_BASE_URLS": json.dumps(self.base_urls())}

    def stop(self) -> None:
        for standin in self.standins:
            standin.stop()


def start_platforms(graph: GraphSimulator, directory: Path) -> DemoPlatforms:
    """The stand-ins on loopback ports, each with Innboks's app registered (client secrets in ``directory``)."""
    directory.mkdir(parents=True, exist_ok=True)
    meta_secret = secrets.token_urlsafe(24)
    graph.register_app(META_APP, meta_secret)
    linkedin, google, x = LinkedInStandIn().start(), GoogleStandIn().start(), XStandIn().start()
    standins: dict[str, StandIn] = {"linkedin": linkedin, "youtube": google, "x": x}
    files = {}
    for name, standin in standins.items():
        secret = secrets.token_urlsafe(24)
        standin.auth.register_client(CLIENTS[name], secret)
        path = directory / f"{name}-client-secret"
        path.write_text(secret, encoding="utf-8")
        os.chmod(path, 0o600)
        files[name] = path
    return DemoPlatforms(graph, linkedin, google, x, MastodonStandIn().start(), BlueskyStandIn().start(), meta_secret,
                         files)


def connect_demo_page(engine: Engine, keyring: Keyring, graph: GraphSimulator, owning_unit: str,
                      municipality: str, official_site: str) -> str:
    """The demo's own Page, connected as Kontoer would (a Page token from Meta's stand-in); the token."""
    page = graph.dataset
    token = graph.auth.issue(graph.auth.subject, META_APP, "access", page_id=page.page_id)
    now = datetime.now(UTC)
    graph.subscriptions[page.page_id] = ["feed", "messages"]
    profile = check_profile(Profile(page.page_name, page.profile.get("about"), page.profile.get("website")),
                            municipality, official_site)
    save_connection(engine, keyring, NewConnection(
        platform=Platform.FACEBOOK, account_id=page.page_id, name=page.page_name, owning_unit=owning_unit,
        credential_kind="bearer", secrets={"access_token": token}, options={"base_url": graph.base_url},
        token_expires_at=now + timedelta(seconds=DATA_ACCESS_SECONDS), assessment={
            **DEMO_ASSESSMENT, "by": "system:demo", "at": now.isoformat()},
        admin_check="ok", admin_detail="Kommunikasjonsenheten er administrator", profile_check=profile.as_json(),
        webhook={"subscribed": True, "fields": ["feed", "messages"], "detail": None, "checked_at": now.isoformat()}),
        "system:demo", now)
    return token
