"""connectors/factory.py: connectors and writers built per account, with credentials and --base-url."""

from __future__ import annotations

import pytest

from connectors.factory import build_writer, effective_base_url
from connectors.platforms import CONNECTORS, WRITERS
from connectors.writer import PlatformWriter
from innboks.config.accounts import Account
from innboks.config.credentials import BearerCredentials, CredentialError
from schemas import ActionKind, Kind, Platform
from tests.fakeapi import FakeApi
from tests.helpers import PAGE_ID
from tests.unit.connectors.writing import TEXT, target


def account(**options) -> Account:
    return Account(platform=Platform.FACEBOOK, account_id=PAGE_ID, name="Alta kommune", owning_unit="Kommunikasjon",
                   credentials=BearerCredentials(type="bearer", token="env:INNBOKS_TEST_FB_TOKEN"), options=options)


def test_every_platform_with_a_connector_has_a_writer() -> None:
    assert set(WRITERS) == set(CONNECTORS) == set(Platform)
    for platform, writer_class in WRITERS.items():
        assert writer_class.platform is platform
        assert issubclass(writer_class, PlatformWriter)
        capabilities = writer_class.capabilities()
        # what cannot be done is explained, what can be done is not
        assert set(capabilities.unsupported_because) == set(ActionKind) - capabilities.supports, platform
        # the capability table says what the writer really does: the supported kinds are written,
        # the others left to the base class, which refuses them
        written = {kind for kind in ActionKind
                   if getattr(writer_class, kind.value) is not getattr(PlatformWriter, kind.value)}
        assert written == capabilities.supports, platform


def test_base_url_option_and_flag() -> None:
    assert effective_base_url(None, None) is None
    assert effective_base_url(account(base_url="http://127.0.0.1:9"), None) == "http://127.0.0.1:9"
    assert effective_base_url(account(base_url="http://127.0.0.1:9"), "http://localhost:8") == "http://localhost:8"


def test_build_writer_uses_the_registry_credentials_and_base_url(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("INNBOKS_TEST_FB_TOKEN", "page-token")
    with FakeApi() as api:
        api.json("POST", r"/v24.0/1_2/comments", {"id": "1_3"})
        writer = build_writer(Platform.FACEBOOK, PAGE_ID, account(base_url=api.url, graph_version="v24.0"))
        assert writer.reply(target(Platform.FACEBOOK, PAGE_ID, "1_2", kind=Kind.COMMENT), TEXT) == "1_3"
        writer.close()
    assert api.requests[0].headers["authorization"] == "Bearer page-token"
    assert writer.credentials is not None and writer.options["graph_version"] == "v24.0"


def test_build_writer_with_a_token_flag(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("INNBOKS_FACEBOOK_TOKEN", raising=False)
    with FakeApi() as api:
        api.json("POST", r"/v24.0/1_2", {"success": True})
        writer = build_writer(Platform.FACEBOOK, PAGE_ID, base_url=api.url, token="flag-token")
        writer.hide(target(Platform.FACEBOOK, PAGE_ID, "1_2"))
    assert api.requests[0].headers["authorization"] == "Bearer flag-token"
    assert writer.credentials is None


def test_build_writer_without_credentials_fails(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("INNBOKS_FACEBOOK_TOKEN", raising=False)
    with pytest.raises(CredentialError, match="no credentials for facebook"):
        build_writer(Platform.FACEBOOK, PAGE_ID)
