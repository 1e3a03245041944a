"""Connecting accounts in tests: every platform's stand-in (the demo's), and a browser's part of OAuth."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import requests

from innboks.demo.dataset import SECOND_PAGE, build_dataset
from innboks.demo.graph_api import GraphSimulator
from innboks.demo.platforms import DemoPlatforms, start_platforms

ASSESSMENT = {"purpose": "Dialog med innbyggerne om bibliotekets tilbud.",
              "audience": "Lånere og foreldre i Alta.",
              "privacy": "Ingen saksbehandling; lånesaker sendes til biblioteket per e-post.",
              "resources": "Biblioteket følger opp hverdager, kommunikasjonsenheten er medadministrator."}
SECOND_PAGE_ID = "104857362918999"


@contextmanager
def platforms(directory: Path) -> Iterator[DemoPlatforms]:
    graph = GraphSimulator(build_dataset(), extra_pages=(build_dataset(name=SECOND_PAGE),)).start()
    started = start_platforms(graph, directory)
    try:
        yield started
    finally:
        started.stop()
        graph.stop()


def consent(url: str, allow: bool = True) -> str:
    """What a person does at the platform: open the consent page, press *Tillat* (or *Avslå*); the URL
    the platform sends the browser back to."""
    page = requests.get(url, allow_redirects=False, timeout=10)
    assert page.status_code == 200, (page.status_code, page.text[:300])
    request = re.search(r'name="request" value="([^"]+)"', page.text)
    action = re.search(r'action="([^"]+)"', page.text)
    assert request and action, page.text[:300]
    parts = urlsplit(url)
    back = requests.post(f"{parts.scheme}://{parts.netloc}{action.group(1)}", timeout=10, allow_redirects=False,
                         data={"request": request.group(1), "decision": "allow" if allow else "deny"})
    assert back.status_code == 302, back.text[:300]
    return back.headers["Location"]


def query_of(url: str) -> dict[str, str]:
    return {k: v[-1] for k, v in parse_qs(urlsplit(url).query).items()}


def path_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}" if parts.query else parts.path
