"""The accounts in the store: sealing and key rotation, ``store:`` references, one refresh for every process
(X rotates refresh tokens), the registry merged with what was connected, and seeing changes while running."""

from __future__ import annotations

import threading
from datetime import UTC, datetime

import pytest
import requests
import sqlalchemy as sa

from connectors.auth import open_session
from connectors.errors import AuthError
from innboks.config.accounts import Account, Registry
from innboks.config.credentials import (
    BearerCredentials,
    CredentialError,
    OAuth2Credentials,
    StoredCredentials,
    install_secret_backend,
    resolve,
)
from innboks.config.settings import Settings
from innboks.db.accounts import (
    LiveRegistry,
    NewConnection,
    StoreVault,
    effective_registry,
    list_connected,
    reseal_all,
    save_connection,
    set_paused,
)
from innboks.db.engine import open_store
from innboks.db.schema import connected_accounts
from innboks.db.sealed import Keyring, SealError
from innboks.demo.authorization import Grant
from innboks.demo.standins import XStandIn
from schemas import Platform

KEY = "k" * 40
ASSESSMENT = {"purpose": "a", "audience": "b", "privacy": "c", "resources": "d"}


@pytest.fixture(autouse=True)
def no_backend():
    yield
    install_secret_backend(None)


def test_sealed_values_open_with_any_configured_key_and_rotate_to_the_first(tmp_path) -> None:
    old = Keyring(["gammel-" + KEY])
    sealed = old.seal({"access_token": "hemmelig"})
    assert "hemmelig" not in sealed and old.open(sealed) == {"access_token": "hemmelig"}
    rotated = Keyring(["ny-" + KEY, "gammel-" + KEY])
    assert rotated.open(sealed) == {"access_token": "hemmelig"}
    resealed = rotated.reseal(sealed)
    assert Keyring(["ny-" + KEY]).open(resealed) == {"access_token": "hemmelig"}
    with pytest.raises(SealError, match="does not open"):
        Keyring(["ny-" + KEY]).open(sealed)
    with pytest.raises(SealError, match="32 characters"):
        Keyring(["kort"])
    secret = tmp_path / "key"
    secret.write_text(f"ny-{KEY}\ngammel-{KEY}\n")
    assert Keyring.from_reference(f"file:{secret}").open(resealed)["access_token"] == "hemmelig"
    with pytest.raises(SealError, match="INNBOKS_SECRET_KEY"):
        Keyring.from_reference("env:INNBOKS_TEST_NO_SUCH_KEY")


def connection(platform: Platform, account_id: str, secrets: dict, kind: str = "bearer", **extra) -> NewConnection:
    return NewConnection(platform=platform, account_id=account_id, name=f"Konto {account_id}",
                         owning_unit="Kommunikasjon", credential_kind=kind, secrets=secrets, assessment=ASSESSMENT,
                         **extra)


def test_rekey_seals_every_stored_secret_with_the_new_key(tmp_path) -> None:
    engine = open_store(f"sqlite:///{tmp_path / 'store.db'}")
    old = Keyring(["gammel-" + KEY])
    save_connection(engine, old, connection(Platform.MASTODON, "1", {"access_token": "t1"}), "anne")
    both = Keyring(["ny-" + KEY, "gammel-" + KEY])
    assert reseal_all(engine, both) == 1
    install_secret_backend(StoreVault(engine, Keyring(["ny-" + KEY])))
    assert resolve("store:mastodon/1#access_token").get_secret_value() == "t1"


def test_store_references_resolve_only_with_the_store_and_name_what_is_missing(tmp_path) -> None:
    engine = open_store(f"sqlite:///{tmp_path / 'store.db'}")
    keyring = Keyring([KEY])
    with pytest.raises(CredentialError, match="INNBOKS_SECRET_KEY"):
        resolve("store:x/1#access_token")
    install_secret_backend(StoreVault(engine, keyring))
    with pytest.raises(CredentialError, match="connect it in Kontoer"):
        resolve("store:x/1#access_token")
    save_connection(engine, keyring, connection(Platform.X, "1", {"access_token": "a1"}), "anne")
    assert resolve("store:x/1#access_token").get_secret_value() == "a1"


def test_one_refresh_for_every_process_even_where_refresh_tokens_rotate(store_url, monkeypatch) -> None:
    """The connector runner and the executor each have a session on the same X account. X replaces the
    refresh token at every refresh: uncoordinated, the second refresh is refused; through the store,
    the second finds the first's token and both go on."""
    engine = open_store(store_url)
    keyring = Keyring([KEY])
    with XStandIn() as x:
        x.auth.register_client("app", "secret")
        pair = x.auth._pair(Grant("person-1", "app", ("tweet.read", "offline.access"), 0.0))
        save_connection(engine, keyring, connection(Platform.X, "7", {
            "access_token": "stale", "refresh_token": pair["refresh_token"], "client_id": "app"}, "oauth2"), "anne")
        install_secret_backend(StoreVault(engine, keyring))
        credentials = OAuth2Credentials(client_id="store:x/7#client_id", client_secret=None,
                                        refresh_token="store:x/7#refresh_token",
                                        access_token="store:x/7#access_token",
                                        token_url=f"{x.base_url}/2/oauth2/token", client_auth="basic")
        credentials = credentials.model_copy(update={"client_secret": "env:INNBOKS_TEST_X_SECRET"})
        monkeypatch.setenv("INNBOKS_TEST_X_SECRET", "secret")
        monkeypatch.setenv("INNBOKS_TEST_X_OLD", pair["refresh_token"])
        if True:
            runner, executor = open_session(credentials, Platform.X), open_session(credentials, Platform.X)
            statuses = []

            def call(session: requests.Session) -> None:
                statuses.append(session.get(f"{x.base_url}/2/users/me").status_code)

            threads = [threading.Thread(target=call, args=(s,)) for s in (runner, executor)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            assert statuses == [200, 200]
            assert x.auth.requests.count("token:refresh_token") == 1  # one refresh, the other reused it
            # Uncoordinated (a refresh token of its own), a process holds one X has already replaced.
            lost = open_session(credentials.model_copy(update={"refresh_token": "env:INNBOKS_TEST_X_OLD",
                                                               "access_token": None}))
            with pytest.raises(AuthError, match="refused: invalid_grant"):
                lost.get(f"{x.base_url}/2/users/me")
    engine.dispose()


def test_the_registry_merges_what_was_connected_in_kontoer(tmp_path) -> None:
    engine = open_store(f"sqlite:///{tmp_path / 'store.db'}")
    keyring = Keyring([KEY])
    yaml = Registry(accounts=[
        Account(platform=Platform.FACEBOOK, account_id="1", name="Alta kommune", owning_unit="Kommunikasjon",
                credentials=StoredCredentials(), options={"graph_version": "v24.0"}),
        Account(platform=Platform.FACEBOOK, account_id="2", name="Med egen token", owning_unit="Kultur",
                credentials=BearerCredentials(token="env:TOKEN")),
        Account(platform=Platform.FACEBOOK, account_id="3", name="Ikke koblet", owning_unit="Kultur",
                credentials=StoredCredentials()),
    ])
    for account_id in ("1", "2"):
        save_connection(engine, keyring, connection(Platform.FACEBOOK, account_id, {"access_token": "p"},
                                                    options={"base_url": "http://127.0.0.1:1"}), "anne")
    save_connection(engine, keyring, connection(Platform.LINKEDIN, "10", {"access_token": "a", "refresh_token": "r",
                                                                          "client_id": "c"}, "oauth2"), "anne")
    settings = Settings(linkedin_client_secret="file:/run/secrets/li", platform_base_urls={
        "linkedin": "http://127.0.0.1:9"})
    merged = effective_registry(yaml, list_connected(engine), settings)
    one, two, three, linkedin = (merged.find(Platform.FACEBOOK, "1"), merged.find(Platform.FACEBOOK, "2"),
                                 merged.find(Platform.FACEBOOK, "3"), merged.find(Platform.LINKEDIN, "10"))
    assert one.credentials == BearerCredentials(token="store:facebook/1#access_token")
    assert one.options == {"base_url": "http://127.0.0.1:1", "graph_version": "v24.0"} and one.name == "Alta kommune"
    assert two.credentials == BearerCredentials(token="env:TOKEN")  # the YAML's own credentials win
    assert three.credentials is None  # type: stored, but not connected
    assert isinstance(linkedin.credentials, OAuth2Credentials) and linkedin.name == "Konto 10"
    assert linkedin.credentials.token_url == "http://127.0.0.1:9/oauth/v2/accessToken"
    assert linkedin.credentials.client_secret == "file:/run/secrets/li"
    set_paused(engine, Platform.LINKEDIN, "10", True, "ferie", "anne")
    assert not effective_registry(yaml, list_connected(engine), settings).find(Platform.LINKEDIN, "10").enabled


def test_a_live_registry_sees_a_connection_made_by_another_process(tmp_path) -> None:
    engine = open_store(f"sqlite:///{tmp_path / 'store.db'}")
    keyring = Keyring([KEY])
    clock = [0.0]
    live = LiveRegistry(Registry(), engine, Settings(), recheck=5.0, clock=lambda: clock[0])
    assert live.current().accounts == []
    save_connection(engine, keyring, connection(Platform.MASTODON, "5", {"access_token": "t"},
                                                token_expires_at=datetime(2027, 1, 1, tzinfo=UTC)), "anne")
    assert live.current().accounts == []  # looked less than 5 s ago
    clock[0] = 5.0
    assert [a.key for a in live.current().accounts] == ["mastodon:5"]
    assert live.credentials_version("mastodon:5") == 1
    assert live.token_expires_at(live.current().accounts[0]) == datetime(2027, 1, 1, tzinfo=UTC)
    save_connection(engine, keyring, connection(Platform.MASTODON, "5", {"access_token": "t2"}), "anne")
    clock[0] = 10.0
    assert live.credentials_version("mastodon:5") == 2
    with engine.connect() as c:
        assert "t2" not in str(c.execute(sa.select(connected_accounts.c.credentials)).scalar())
