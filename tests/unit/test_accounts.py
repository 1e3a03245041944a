"""The account registry and ``innboks accounts check``."""

import io
from pathlib import Path

import pytest
from rich.console import Console

from innboks.cli.accounts import run_accounts_check
from innboks.config.accounts import RegistryError, load_registry
from innboks.config.settings import get_settings
from tests.fakeapi import FakeApi
from tests.helpers import PAGE_ID

EXAMPLE = Path(__file__).parents[2] / "accounts.example.yaml"


def test_example_registry_is_valid_and_covers_every_platform() -> None:
    registry = load_registry(EXAMPLE)
    assert {a.platform.value for a in registry.accounts} == {
        "facebook", "instagram", "x", "linkedin", "youtube", "mastodon", "bluesky"}
    assert registry.find(registry.accounts[0].platform, PAGE_ID) is not None


@pytest.mark.parametrize("change, message", [
    (("token: env:INNBOKS_MASTODON_TOKEN", "token: EAABsupersecret123"), r":97: accounts\.5\.credentials\.token"),
    (("platform: youtube", "platform: myspace"), r":81: accounts\.4\.platform"),
    (("sla_policy: standard", "sla_policy: Gold Plan"), r":43: accounts\.0\.sla_policy"),
    (("version: 1", "version: 2"), r":8: version"),
])
def test_errors_name_line_and_key_and_never_the_value(tmp_path: Path, change: tuple[str, str], message: str) -> None:
    path = tmp_path / "accounts.yaml"
    path.write_text(EXAMPLE.read_text(encoding="utf-8").replace(*change), encoding="utf-8")
    with pytest.raises(RegistryError, match=message) as info:
        load_registry(path)
    assert "supersecret" not in str(info.value) and str(path) in str(info.value)


def test_duplicate_accounts_and_broken_yaml(tmp_path: Path) -> None:
    path = tmp_path / "accounts.yaml"
    text = EXAMPLE.read_text(encoding="utf-8")
    first = text[text.index("  - platform: facebook"):text.index("  - platform: instagram")]
    path.write_text(text + first, encoding="utf-8")
    with pytest.raises(RegistryError, match="listed twice"):
        load_registry(path)
    path.write_text("accounts: [unclosed\n", encoding="utf-8")
    with pytest.raises(RegistryError, match="not valid YAML"):
        load_registry(path)


REGISTRY = f"""
version: 1
communication_unit:
  admins: {{facebook: ["100089912345678"]}}
accounts:
  - platform: facebook
    account_id: "{PAGE_ID}"
    name: Alta kommune
    owning_unit: Kommunikasjonsenheten
    credentials: {{type: bearer, token: env:TEST_FB_TOKEN}}
    options: {{business_id: "5123"}}
  - platform: mastodon
    account_id: "1099"
    name: Alta kommune
    owning_unit: Kommunikasjonsenheten
    credentials: {{type: bearer, token: file:/nonexistent/mastodon_token}}
    options: {{instance_url: https://snabelen.no}}
"""


def check(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, api: FakeApi | None, offline: bool = False):
    path = tmp_path / "accounts.yaml"
    path.write_text(REGISTRY, encoding="utf-8")
    monkeypatch.setenv("INNBOKS_ACCOUNTS_FILE", str(path))
    monkeypatch.setenv("TEST_FB_TOKEN", "fb-token")
    get_settings.cache_clear()
    out = io.StringIO()
    try:
        code = run_accounts_check(offline, api.url if api else None, Console(file=out, width=200))
    finally:
        get_settings.cache_clear()
    return code, out.getvalue()


def roles_api(manage: bool) -> FakeApi:
    api = FakeApi()
    api.json("GET", rf"/v24.0/{PAGE_ID}/roles", {"data": [
        {"id": "100012345", "name": "Ola Saksbehandler", "tasks": ["ANALYZE", "MODERATE"]}]})
    tasks = ["ANALYZE", "ADVERTISE", "MODERATE", "CREATE_CONTENT", "MANAGE"] if manage else ["MODERATE"]
    api.json("GET", rf"/v24.0/{PAGE_ID}/assigned_users", {"data": [
        {"id": "100089912345678", "name": "Kommunikasjonsenheten", "tasks": tasks}]})
    return api


def test_check_reports_admin_rights_and_missing_secrets(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with roles_api(manage=True) as api:
        code, out = check(tmp_path, monkeypatch, api)
    assert code == 1  # the Mastodon token file is missing
    assert "yes" in out and "/nonexistent/mastodon_token" in out and "fb-token" not in out
    assert "not exposed by the platform" in out
    assigned = next(r for r in api.requests if r.path.endswith("/assigned_users"))
    assert assigned.query["business"] == "5123" and assigned.headers["authorization"] == "Bearer fb-token"


def test_check_flags_an_account_where_the_unit_is_not_admin(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with roles_api(manage=False) as api:
        code, out = check(tmp_path, monkeypatch, api)
    assert code == 1 and "NO" in out


def test_linkedin_administrators_are_checked(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from connectors.admins import linkedin_admins
    from connectors.http import ApiClient
    from innboks.config.accounts import Account

    api = FakeApi().json("GET", r"/rest/organizationAcls", {
        "elements": [
            {"roleAssignee": "urn:li:person:a1B2c3D4e5", "role": "ADMINISTRATOR", "state": "APPROVED",
             "organization": "urn:li:organization:2414183"},
            {"roleAssignee": "urn:li:person:zzz", "role": "ADMINISTRATOR", "state": "REQUESTED",
             "organization": "urn:li:organization:2414183"},
        ],
        "paging": {"start": 0, "count": 100, "total": 2},
    })
    account = Account.model_validate({"platform": "linkedin", "account_id": "2414183", "name": "Alta kommune",
                                      "owning_unit": "Kommunikasjonsenheten"})
    with api:
        admins = linkedin_admins(ApiClient(base_url=api.url, token="t"), account)
    assert admins == {"urn:li:person:a1B2c3D4e5"}
    request = api.requests[0]
    assert request.query["q"] == "organization" and request.query["organization"] == "urn:li:organization:2414183"
    assert request.query["role"] == "ADMINISTRATOR" and request.headers["x-restli-protocol-version"] == "2.0.0"
    assert request.headers["linkedin-version"]


def test_offline_check_makes_no_requests(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with roles_api(manage=True) as api:
        _, out = check(tmp_path, monkeypatch, api, offline=True)
    assert api.requests == [] and "not checked" in out


def test_token_expiry_is_the_start_of_the_day_in_oslo(tmp_path) -> None:
    from datetime import UTC, datetime

    from innboks.config.accounts import load_registry

    path = tmp_path / "accounts.yaml"
    path.write_text("version: 1\naccounts:\n  - {platform: linkedin, account_id: '2414183', name: A, owning_unit: K,"
                    " token_expires: 2027-01-20}\n", encoding="utf-8")
    account = load_registry(path).accounts[0]
    assert account.token_expires_timestamp == datetime(2027, 1, 19, 23, tzinfo=UTC).timestamp()
