"""Signing in to the staff web in tests, as a browser does: the sign-in form with its CSRF token."""

from __future__ import annotations

import re

from starlette.testclient import TestClient


def csrf_of(html: str) -> str:
    match = re.search(r'name="csrf-token" content="([^"]+)"', html)
    assert match, "every page carries the session's CSRF token"
    return match.group(1)


def signed_in(app, username: str, password: str, **client_options) -> tuple[TestClient, str]:
    """A client with a signed-in session, and the session's CSRF token (for forms and the API)."""
    client = TestClient(app, **client_options)
    login = client.get("/logg-inn")
    token = re.search(r'name="csrf_token" value="([^"]+)"', login.text).group(1)
    answer = client.post("/logg-inn", data={"username": username, "password": password, "csrf_token": token},
                         follow_redirects=False)
    assert answer.status_code == 303, answer.text
    return client, csrf_of(client.get("/logg-inn").text)
