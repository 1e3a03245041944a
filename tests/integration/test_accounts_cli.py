"""``innboks accounts connect|list|rekey`` as an administrator without the inbox runs them: the URL printed,
the platform's redirect received on a local port, the account stored sealed; and the one-line refusals."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

from innboks.db.accounts import get_connected, read_secrets
from innboks.db.engine import open_store
from innboks.db.sealed import Keyring
from innboks.kafka.broker import free_port
from schemas import Platform
from tests.accounts_helpers import ASSESSMENT, consent, platforms
from tests.integration.test_commands import env

pytestmark = pytest.mark.integration

KEY = "en-lang-nøkkel-for-testene-" + "y" * 20


@pytest.fixture()
def setup(tmp_path: Path):
    (tmp_path / "key").write_text(KEY + "\n")
    with platforms(tmp_path / "platforms") as demo:
        yield demo, f"sqlite:///{tmp_path / 'store.db'}", env(**demo.environment(),
                                                             INNBOKS_SECRET_KEY=f"file:{tmp_path / 'key'}",
                                                             INNBOKS_ACCOUNTS_FILE=str(tmp_path / "none.yaml"))


def assessment_flags() -> list[str]:
    return [arg for key, value in ASSESSMENT.items() for arg in (f"--{key}", value)]


def test_connect_prints_the_url_receives_the_redirect_and_stores_the_account(setup) -> None:
    demo, store, environment = setup
    port = free_port()
    process = subprocess.Popen([sys.executable, "-m", "innboks", "accounts", "connect", "linkedin", "--port", str(port),
                                "--store", store, "--unit", "Kommunikasjonsenheten", *assessment_flags()],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=environment)
    try:
        assert process.stdout is not None
        url = ""
        deadline = time.monotonic() + 60
        while not url.startswith("http") and time.monotonic() < deadline:
            url = process.stdout.readline().strip()
        assert url.startswith(demo.linkedin.base_url), url
        back = consent(url)
        assert back.startswith(f"http://127.0.0.1:{port}/kontoer/koble-til/linkedin/tilbake?")
        page = requests.get(back, timeout=10)  # the browser lands on the command's loopback server
        assert page.status_code == 200 and "gå tilbake til terminalen" in page.text.lower()
        out, err = process.communicate(timeout=60)
    finally:
        process.kill()
    assert process.returncode == 0, err
    assert "connected linkedin:10453127 Alta kommune" in out and "reconnect by" in out
    engine = open_store(store)
    account = get_connected(engine, Platform.LINKEDIN, "10453127")
    assert account is not None and account.admin_check == "unknown"  # the registry names no unit ids here
    assert account.assessment["purpose"] == ASSESSMENT["purpose"] and account.connected_by.startswith("cli:")
    secrets = read_secrets(engine, Keyring([KEY]), Platform.LINKEDIN, "10453127")
    assert secrets["refresh_token"] not in out + err
    listed = [json.loads(line) for line in subprocess.run(
        [sys.executable, "-m", "innboks", "accounts", "list", "--json", "--store", store], capture_output=True,
        text=True, timeout=60, env=environment, check=True).stdout.splitlines()]
    assert [(r["platform"], r["status"], r["source"]) for r in listed] == [("linkedin", "active", "kontoer")]
    # Rotation: a new key first, rekey, and only the new key is needed from then on.
    key_file = Path(environment["INNBOKS_SECRET_KEY"].removeprefix("file:"))
    new = "en-ny-nøkkel-etter-rotasjonen-" + "z" * 20
    key_file.write_text(f"{new}\n{KEY}\n")
    rekey = subprocess.run([sys.executable, "-m", "innboks", "accounts", "rekey", "--store", store],
                           capture_output=True, text=True, timeout=60, env=environment)
    assert rekey.returncode == 0 and "1 sealed value(s)" in rekey.stderr
    assert read_secrets(engine, Keyring([new]), Platform.LINKEDIN, "10453127") == secrets


def test_bluesky_and_mastodon_from_the_command_line(setup) -> None:
    demo, store, environment = setup
    bluesky = subprocess.run([sys.executable, "-m", "innboks", "accounts", "connect", "bluesky", "--handle",
                              demo.bluesky.handle, "--password-stdin", "--store", store, *assessment_flags()],
                             input="abcd-efgh-ijkl-mnop\n", capture_output=True, text=True, timeout=60,
                             env=environment)
    assert bluesky.returncode == 0, bluesky.stderr
    assert f"connected bluesky:{demo.bluesky.did}" in bluesky.stdout
    port = free_port()
    process = subprocess.Popen([sys.executable, "-m", "innboks", "accounts", "connect", "mastodon", "--instance",
                                demo.mastodon.base_url, "--port", str(port), "--store", store, *assessment_flags()],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=environment)
    try:
        assert process.stdout is not None
        url = ""
        while not url.startswith("http"):
            url = process.stdout.readline().strip()
        requests.get(consent(url), timeout=10)
        out, err = process.communicate(timeout=60)
    finally:
        process.kill()
    assert process.returncode == 0, err
    assert "connected mastodon:109384512345678901 @altakommune" in out


def test_refusals_are_one_line(setup, tmp_path: Path) -> None:
    demo, store, environment = setup
    wrong = subprocess.run([sys.executable, "-m", "innboks", "accounts", "connect", "bluesky", "--handle",
                            demo.bluesky.handle, "--password-stdin", "--store", store, *assessment_flags()],
                           input="feil\n", capture_output=True, text=True, timeout=60, env=environment)
    assert wrong.returncode == 1 and len(wrong.stderr.strip().splitlines()) == 1
    assert wrong.stderr.startswith("innboks accounts: error: plattformen svarte 401")
    no_key = {k: v for k, v in environment.items() if k != "INNBOKS_SECRET_KEY"}
    refused = subprocess.run([sys.executable, "-m", "innboks", "accounts", "connect", "x", "--store", store],
                             capture_output=True, text=True, timeout=60, env=no_key)
    assert refused.returncode == 1 and "INNBOKS_SECRET_KEY is not set" in refused.stderr
    no_instance = subprocess.run([sys.executable, "-m", "innboks", "accounts", "connect", "mastodon", "--store",
                                  store, "--port", str(free_port())], capture_output=True, text=True, timeout=60,
                                 env=environment)
    assert no_instance.returncode == 1 and "--instance is needed" in no_instance.stderr
