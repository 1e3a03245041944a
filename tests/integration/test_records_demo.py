"""Done when (#15): after ``innboks demo --duration 60 --store sqlite:///DB``, ``innboks records search --text
byggesøknad`` prints the matching messages as JSON lines, and ``--format pdf`` writes a valid PDF/A."""

import json
import re
import subprocess
import sys

import pytest

from tests.integration.test_commands import env
from tests.unit.test_records_cli import assert_pdfa, pdf_text

pytestmark = pytest.mark.integration


def records(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "innboks", "records", *args], capture_output=True, text=True,
                          timeout=180, env=env())


def test_records_search_and_pdf_export_after_the_demo(tmp_path) -> None:
    store = f"sqlite:///{tmp_path / 'demo.db'}"
    demo = subprocess.run([sys.executable, "-m", "innboks", "demo", "--duration", "60", "--store", store],
                          capture_output=True, text=True, timeout=300, env=env(COLUMNS="120"))
    assert demo.returncode == 0, demo.stderr[-2000:]

    found = records("search", "--store", store, "--text", "byggesøknad")
    assert found.returncode == 0, found.stderr
    lines = [json.loads(line) for line in found.stdout.splitlines()]
    assert lines, "the bundled week has a question about a byggesøknad"
    for line in lines:
        assert {"id", "platform", "account_id", "kind", "event", "revision", "created_at", "author_name", "text",
                "permalink"} <= set(line)
        assert re.search(r"byggesøknad\w*", (line["text"] or "").lower()), line["text"]
        assert line["platform"] == "facebook" and line["raw_payload_kept"] is True
    assert "byggesøknaden" in " ".join(line["text"] for line in lines)  # found by its inflected form

    pdf = tmp_path / "innsyn.pdf"
    exported = records("search", "--store", store, "--text", "byggesøknad", "--format", "pdf", "--out", str(pdf),
                       "--request", "Innsynskrav 26/1", "--redact-pii")
    assert exported.returncode == 0, exported.stderr
    assert_pdfa(pdf)
    text = re.sub(r"\s+", " ", pdf_text(pdf))
    assert "Innsynskrav 26/1" in text and "byggesøknaden" in text and f"{len(lines)} versjoner" in text

    everything = records("search", "--store", store, "--format", "csv")
    assert everything.returncode == 0 and len(everything.stdout.splitlines()) > len(lines)
