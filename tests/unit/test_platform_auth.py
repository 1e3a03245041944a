"""innboks/domain/platform_auth.py and account_checks.py: the platforms' table, token ends, the account
status, the warnings, and the guideline's checks (pure rules, table-driven)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from innboks.domain.account_checks import (
    Profile,
    admin_check,
    assessment_problems,
    check_profile,
    facebook_page_admins,
    linkedin_organization_admins,
)
from innboks.domain.platform_auth import PLATFORMS, account_status, reconnect_by, reconnect_path, warning_step
from schemas import Platform

NOW = datetime(2026, 12, 7, 9, tzinfo=UTC)


def test_every_platform_has_a_flow_with_sources_and_pkce_where_it_is_taken() -> None:
    assert set(PLATFORMS) == set(Platform)
    assert {p for p, a in PLATFORMS.items() if a.pkce} == {Platform.YOUTUBE, Platform.X, Platform.MASTODON}
    for platform, auth in PLATFORMS.items():
        assert auth.lifetime.sources and all(s.startswith("https://") for s in auth.lifetime.sources), platform
        if not auth.pkce and auth.flow == "oauth2":
            assert auth.pkce_note, f"{platform}: say why PKCE is not used"
    assert PLATFORMS[Platform.INSTAGRAM].via is Platform.FACEBOOK
    assert "offline.access" in PLATFORMS[Platform.X].scopes and PLATFORMS[Platform.X].client_auth == "basic"
    assert PLATFORMS[Platform.YOUTUBE].authorize_params["access_type"] == "offline"


@pytest.mark.parametrize(("platform", "kwargs", "expected"), [
    # LinkedIn with a programmatic refresh token: its own lifetime, else 365 days from the first grant.
    (Platform.LINKEDIN, {"expires_in": 5183999, "refresh_expires_in": 31535999, "has_refresh_token": True},
     NOW + timedelta(seconds=31535999)),
    (Platform.LINKEDIN, {"expires_in": 5183999, "has_refresh_token": True}, NOW + timedelta(days=365)),
    # … without one, the 60-day access token.
    (Platform.LINKEDIN, {"expires_in": 5183999}, NOW + timedelta(seconds=5183999)),
    (Platform.YOUTUBE, {"expires_in": 3599, "has_refresh_token": True}, None),
    (Platform.X, {"expires_in": 7200, "has_refresh_token": True}, None),
    (Platform.MASTODON, {}, None),
    (Platform.BLUESKY, {}, None),
    (Platform.FACEBOOK, {"data_access_expires_at": NOW + timedelta(days=90)}, NOW + timedelta(days=90)),
    (Platform.LINKEDIN, {"expires_in": "junk", "has_refresh_token": False}, None),
])
def test_reconnect_by(platform, kwargs, expected) -> None:
    assert reconnect_by(platform, NOW, **kwargs) == expected


@pytest.mark.parametrize(("kwargs", "expected"), [
    ({"has_credentials": False}, "not_connected"),
    ({"paused": True}, "paused"),
    ({"enabled": False}, "paused"),
    ({"token_rejected": True}, "token_invalid"),
    ({"token_expires_at": NOW - timedelta(seconds=1)}, "token_invalid"),
    ({"token_expires_at": NOW + timedelta(days=13)}, "token_expiring"),
    ({"token_expires_at": NOW + timedelta(days=15)}, "active"),
    ({"token_expires_at": None}, "active"),
])
def test_account_status(kwargs, expected) -> None:
    values = {"has_credentials": True, "enabled": True, "paused": False, "token_rejected": False,
              "token_expires_at": None, "now": NOW, **kwargs}
    assert account_status(**values) == expected


@pytest.mark.parametrize(("left", "step"), [(timedelta(days=20), None), (timedelta(days=14), 14),
                                            (timedelta(days=10), 14), (timedelta(days=7), 7),
                                            (timedelta(days=2), 7), (timedelta(hours=23), 1),
                                            (-timedelta(hours=1), 1)])
def test_warnings_at_14_7_and_1_days(left, step) -> None:
    assert warning_step(NOW + left, NOW) == step
    assert warning_step(None, NOW) is None


def test_reconnect_path_quotes_the_account() -> None:
    assert reconnect_path(Platform.BLUESKY, "did:plc:abc") == "/kontoer/koble-til/bluesky?konto=did%3Aplc%3Aabc"


@pytest.mark.parametrize(("profile", "status", "named", "linked"), [
    (Profile("Alta kommune", "Offisiell side", "https://www.alta.kommune.no"), "ok", True, True),
    (Profile("Alta bibliotek", "Drevet av Alta kommune", "https://bibliotek.alta.kommune.no/"), "ok", True, True),
    (Profile("Alta bibliotek", "Biblioteket i Alta, en del av kommunen", None, ("alta.kommune.no",)), "ok", True,
     True),
    (Profile("Kulturhuset", "<p>Se <a href=\"https://www.alta.kommune.no/kultur\">oss</a></p>", None), "warn",
     False, True),
    (Profile("Alta kommune", "Offisiell side", "https://alta.kommune.no.example.com"), "warn", True, False),
    (Profile("Alta kommune", None, "https://www.hammerfest.kommune.no"), "warn", True, False),
    (Profile(None, None, None), "unknown", None, None),
    (None, "unknown", None, None),
])
def test_the_profile_says_it_is_run_by_the_municipality_and_links_to_the_site(profile, status, named,
                                                                               linked) -> None:
    result = check_profile(profile, "Alta kommune", "https://www.alta.kommune.no")
    assert (result.status, result.names_municipality, result.links_official_site) == (status, named, linked)
    assert bool(result.findings) == (status != "ok")


def test_the_co_admin_check() -> None:
    roles = {"data": [{"id": "4200", "tasks": ["MANAGE", "MODERATE"]}, {"id": "7", "tasks": ["MODERATE"]},
                      {"id": "8", "role": "ADMINISTRATOR"}]}
    assert facebook_page_admins([roles]) == {"4200", "8"}
    acls = {"elements": [{"roleAssignee": "urn:li:person:a", "role": "ADMINISTRATOR", "state": "APPROVED"},
                         {"roleAssignee": "urn:li:person:b", "role": "ADMINISTRATOR", "state": "REQUESTED"},
                         {"roleAssignee": "urn:li:person:c", "role": "ANALYST", "state": "APPROVED"}]}
    assert linkedin_organization_admins(acls) == {"urn:li:person:a"}
    assert admin_check(["4200"], {"4200", "8"}, True).check == "ok"
    missing = admin_check(["4200"], {"8"}, True)
    assert missing.check == "missing" and "medadministrator" in missing.reason
    assert admin_check(["4200"], None, True).check == "unknown"
    assert admin_check([], {"8"}, True).check == "unknown"
    assert admin_check(["4200"], {"4200"}, False).reason == "plattformen viser ikke hvem som er administrator"


def test_the_assessment_needs_all_four_answers() -> None:
    full = {"purpose": "a", "audience": "b", "privacy": "c", "resources": "d"}
    assert assessment_problems(full) == []
    assert len(assessment_problems({**full, "privacy": " "})) == 1
    assert len(assessment_problems({})) == 4
    assert "2000" in assessment_problems({**full, "resources": "x" * 2001})[0]
