"""The platforms' apps that administrators connect accounts through (client id and secret), from the
settings. Mastodon registers an app per instance at connect time (kept in the store); Bluesky needs none.
"""

from __future__ import annotations

from dataclasses import dataclass

from pydantic import SecretStr

from innboks.config.credentials import CredentialError, resolve
from innboks.config.settings import Settings
from schemas import Platform

#: The settings that name each platform's app (for the error that says which one is missing).
VARIABLES: dict[Platform, tuple[str, str]] = {
    Platform.FACEBOOK: ("INNBOKS_META_APP_ID", "INNBOKS_META_APP_SECRET"),
    Platform.INSTAGRAM: ("INNBOKS_META_APP_ID", "INNBOKS_META_APP_SECRET"),
    Platform.LINKEDIN: ("INNBOKS_LINKEDIN_CLIENT_ID", "INNBOKS_LINKEDIN_CLIENT_SECRET"),
    Platform.YOUTUBE: ("INNBOKS_GOOGLE_CLIENT_ID", "INNBOKS_GOOGLE_CLIENT_SECRET"),
    Platform.X: ("INNBOKS_X_CLIENT_ID", "INNBOKS_X_CLIENT_SECRET"),
}


@dataclass(frozen=True)
class OAuthApp:
    platform: Platform
    client_id: str
    #: A secret reference (``env:``/``file:``), or the secret itself for Meta's app secret, which the
    #: webhook receiver reads as a value or a file (INNBOKS_META_APP_SECRET / _FILE).
    secret_reference: str | None
    secret_value: SecretStr | None = None

    def client_secret(self) -> str:
        if self.secret_value is not None:
            return self.secret_value.get_secret_value()
        if self.secret_reference is None:
            raise CredentialError(f"{VARIABLES[self.platform][1]} is not set")
        return resolve(self.secret_reference).get_secret_value()


def oauth_app(platform: Platform, settings: Settings) -> OAuthApp:
    """The platform's app, or a ``CredentialError`` naming the setting that is missing."""
    if platform in (Platform.FACEBOOK, Platform.INSTAGRAM):
        secret = settings.meta_app_secret
        if (secret is None or not secret.get_secret_value()) and settings.meta_app_secret_file is not None:
            try:
                secret = SecretStr(settings.meta_app_secret_file.read_text(encoding="utf-8").strip())
            except OSError as exc:
                raise CredentialError(f"INNBOKS_META_APP_SECRET_FILE: {exc.strerror}") from None
        client_id, value, reference = settings.meta_app_id, secret, None
    elif platform is Platform.LINKEDIN:
        client_id, value, reference = settings.linkedin_client_id, None, settings.linkedin_client_secret
    elif platform is Platform.YOUTUBE:
        client_id, value, reference = settings.google_client_id, None, settings.google_client_secret
    elif platform is Platform.X:
        client_id, value, reference = settings.x_client_id, None, settings.x_client_secret
    else:
        raise CredentialError(f"{platform.value} has no app to configure")
    if not client_id:
        raise CredentialError(f"{VARIABLES[platform][0]} is not set: the {platform.value} app to connect through")
    if value is None and reference is None:
        raise CredentialError(f"{VARIABLES[platform][1]} is not set")
    return OAuthApp(platform, client_id, reference, value)


def base_url_of(platform: Platform, settings: Settings) -> str | None:
    """INNBOKS_PLATFORM_BASE_URLS' URL for the platform (a stand-in or proxy), or None."""
    return settings.platform_base_urls.get(platform.value) or None
