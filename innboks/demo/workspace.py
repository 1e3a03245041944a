"""The demo's conversation store and web inbox: the projection and (optionally) the inbox in threads.

The inbox has the operator ``demo`` and the administrator ``admin`` (same password), and connects
accounts in Kontoer through the demo's stand-in platforms (``innboks.demo.platforms``).
"""

from __future__ import annotations

import os
import secrets
import threading
from dataclasses import dataclass

import sqlalchemy as sa
import uvicorn

from innboks.config.accounts import Registry
from innboks.config.facts import facts_path
from innboks.config.settings import Settings, get_settings
from innboks.db.facts import FactsSource
from innboks.db.schema import inquiries
from innboks.db.sealed import Keyring
from innboks.domain.policies import built_policies, crisis_policy_of
from innboks.inbox.publisher import KafkaPublisher
from innboks.inbox.saved_replies import seed_defaults
from innboks.store.consumer import Projection
from innboks.web.auth import AuthConfig
from innboks.web.users import add_user, generated_password
from innboks.webapp import create_app

DEMO_USER = "demo"
#: The demo's administrator (same password): Innsyn, the crisis switch, saved replies, Kontoer.
DEMO_ADMIN = "admin"


@dataclass
class Workspace:
    store_url: str
    projection: Projection
    stop: threading.Event
    thread: threading.Thread
    server: uvicorn.Server | None = None
    publisher: KafkaPublisher | None = None
    server_thread: threading.Thread | None = None
    password: str | None = None

    def open_inquiries(self) -> int:
        with self.projection.engine.connect() as connection:
            return connection.execute(sa.select(sa.func.count()).select_from(inquiries)
                                      .where(inquiries.c.state.in_(("opened", "warning", "breached")))).scalar() or 0

    def finish(self, timeout: float = 15.0) -> bool:
        """Stop the projection thread, then read the topics to their end here; whether it caught up."""
        self.stop.set()
        self.thread.join(timeout=10)
        try:
            self.projection.catch_up(timeout=timeout)
        except TimeoutError:
            return False
        return True

    def close(self) -> None:
        if self.server is not None:
            self.server.should_exit = True
            if self.server_thread is not None:
                self.server_thread.join(timeout=10)
        self.stop.set()
        self.thread.join(timeout=10)
        self.projection.close()
        if self.publisher is not None:
            self.publisher.close()


def start_workspace(engine: sa.Engine, store_url: str, bootstrap: str, registry: Registry, inbox_port: int | None,
                    settings: Settings | None = None, keyring: Keyring | None = None) -> Workspace:
    seed_defaults(engine, actor="system:demo")
    password = None
    if inbox_port is not None:
        password = os.environ.get("INNBOKS_DEMO_PASSWORD") or generated_password()
        add_user(engine, DEMO_USER, "operator", password, actor="system:demo")
        add_user(engine, DEMO_ADMIN, "admin", password, actor="system:demo")
    projection = Projection(engine, bootstrap, crisis_policy=crisis_policy_of(registry.sla),
                            policies=built_policies(registry.sla))
    stop = threading.Event()
    thread = threading.Thread(target=projection.run, args=(stop,), name="store-projection", daemon=True)
    thread.start()
    workspace = Workspace(store_url, projection, stop, thread, password=password)
    if inbox_port is not None:
        workspace.publisher = KafkaPublisher(bootstrap)
        auth = AuthConfig(secret_key=secrets.token_urlsafe(32), base_url=f"http://127.0.0.1:{inbox_port}")
        facts = FactsSource.from_path(facts_path(get_settings().facts))
        config = uvicorn.Config(create_app(engine, registry, auth, workspace.publisher, facts=facts, settings=settings,
                                           keyring=keyring), host="127.0.0.1",
                                port=inbox_port,
                                log_level="warning", access_log=False, timeout_graceful_shutdown=3)
        workspace.server = uvicorn.Server(config)
        workspace.server_thread = threading.Thread(target=workspace.server.run, name="inbox", daemon=True)
        workspace.server_thread.start()
    return workspace
