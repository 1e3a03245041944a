"""The archive consumer on the embedded broker: one valid package per case, exactly once, also after
it is killed mid-batch; a screened case with personal data; later changes appended, never overwritten.
"""

import hashlib
import io
import json
import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from lxml import etree
from pypdf import PdfReader

from connectors.archive.arkivmelding import MDK, NS, validate
from innboks.config import topics
from innboks.processes import archive_process
from schemas import Event, Kind
from schemas.case import case_id_for
from tests.helpers import PAGE_ID, facebook_comment_raw, message, produce
from tests.pdfa import assert_pdfa

pytestmark = pytest.mark.integration

CASES = 24
CASE_TEXT = "Hei! Jeg søkte om byggetillatelse for en garasje i Markveien i august. Når får jeg vedtak i saken?"
SCREENED_TEXT = ("Jeg har søkt om startlån og lurer på hvordan det går med søknaden min. "
                 "Fødselsnummeret mitt er 01010012356.")


def packages(out: Path) -> dict[str, Path]:
    return {p.name: p for p in out.iterdir() if p.is_dir() and not p.name.startswith(".")} if out.exists() else {}


def archive_once(bootstrap: str, out: Path, group: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "KAFKA_BOOTSTRAP_SERVERS": bootstrap, "INNBOKS_EMBEDDED_BROKER": "true"}
    return subprocess.run([sys.executable, "-m", "innboks", "archive", "--out", str(out), "--once", "--group", group],
                          env=env, capture_output=True, text=True, timeout=240, check=False)


def assert_valid_package(directory: Path) -> etree._Element:
    xml = (directory / "arkivmelding.xml").read_bytes()
    validate(xml)
    case = json.loads((directory / "case.json").read_bytes())
    assert case["case_id"] == directory.name
    pdf = (directory / "samtale.pdf").read_bytes()
    root = etree.fromstring(xml)
    checksum = root.xpath("//a:dokumentobjekt/a:sjekksum", namespaces={"a": NS})[0].text
    assert checksum == hashlib.sha256(pdf).hexdigest()
    assert_pdfa(pdf)
    return root


def test_one_valid_package_per_case_across_a_killed_consumer(broker, reader, worker, tmp_path: Path) -> None:
    run = uuid.uuid4().hex[:8]
    ids = [f"6{run}_{i}" for i in range(CASES)]
    post_native = f"{PAGE_ID}_{run}"
    post = message(post_native, conversation=post_native, kind=Kind.POST, from_account=True,
                   text=f"Byggesaksavdelingen har lengre saksbehandlingstid i høst ({run}).")
    produce(broker.bootstrap_servers, topics.MESSAGES, [(post.key.encode(), post.to_json_bytes())])
    reader.wait_for(topics.TRIAGED, lambda e: e["message"]["id"] == post.id, timeout=60)
    texts = [SCREENED_TEXT if i == 0 else CASE_TEXT for i in range(CASES)]
    produce(broker.bootstrap_servers, topics.RAW, [
        (None, facebook_comment_raw(native, text, post_id=post_native).to_json_bytes())
        for native, text in zip(ids, texts, strict=True)])
    ours = {case_id_for(f"facebook:{native}") for native in ids}
    reader.wait_for(topics.CASES, lambda e: e["case_id"] in ours, count=CASES, timeout=90)

    out, group = tmp_path / "arkiv", f"archive-{run}"
    consumer = archive_process(broker.bootstrap_servers, out, tmp_path / "archive.log")
    consumer.args += ["--group", group]
    consumer.start()
    try:
        deadline = time.monotonic() + 120
        while len(ours & packages(out).keys()) < 3 and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        os.killpg(consumer.process.pid, signal.SIGKILL)  # mid-batch: no commit, maybe a half-written package
        consumer.process.wait()
    killed_at = len(ours & packages(out).keys())
    assert 3 <= killed_at < CASES, f"not killed mid-batch ({killed_at}); log {tmp_path / 'archive.log'}"

    result = archive_once(broker.bootstrap_servers, out, group)
    assert result.returncode == 0, result.stderr
    assert "written" in result.stderr, result.stderr  # the rest of the batch, after the restart
    print(f"killed after {killed_at} of {CASES}; restart: {result.stderr.strip()}")
    written = packages(out)
    assert ours <= written.keys(), f"missing packages: {len(ours - written.keys())}"
    assert not [p for p in out.iterdir() if p.name.startswith(".tmp-")], "a temporary package was left behind"
    for case_id in ours:
        assert_valid_package(written[case_id])
    screened = assert_valid_package(written[case_id_for(f"facebook:{ids[0]}")])
    assert screened.xpath("//a:registrering/a:skjerming/a:skjermingshjemmel", namespaces={"a": NS})
    assert screened.xpath("//a:dokumentbeskrivelse/a:skjerming/a:tilgangsrestriksjon/m:kode",
                          namespaces={"a": NS, "m": MDK})[0].text == "13"
    open_case = assert_valid_package(written[case_id_for(f"facebook:{ids[1]}")])
    assert not open_case.xpath("//a:skjerming", namespaces={"a": NS})
    forwarded = json.loads((written[case_id_for(f"facebook:{ids[1]}")] / "case.json").read_bytes())
    assert forwarded["post"]["id"] == post.id  # from the global posts table, another partition
    pdf_text = " ".join(page.extract_text() for page in PdfReader(
        io.BytesIO((written[case_id_for(f"facebook:{ids[1]}")] / "samtale.pdf").read_bytes())).pages)
    assert run in pdf_text and "Markveien" in pdf_text

    # Later changes on the platform: appended to the package, the original is kept as it was.
    target = written[case_id_for(f"facebook:{ids[1]}")]
    before = {name: (target / name).read_bytes() for name in ("arkivmelding.xml", "samtale.pdf", "case.json")}
    edited = message(ids[1], conversation=ids[1], text=CASE_TEXT + " (Gnr. 12, bnr. 34.)", event=Event.EDITED)
    hidden = message(ids[1], conversation=ids[1], text=None, event=Event.HIDDEN)
    produce(broker.bootstrap_servers, topics.MESSAGES, [
        (edited.key.encode(), edited.to_json_bytes()), (hidden.key.encode(), hidden.to_json_bytes()),
        (edited.key.encode(), edited.to_json_bytes())])  # the edit delivered twice
    target_case = case_id_for(f"facebook:{ids[1]}")
    reader.wait_for(topics.CASES, lambda e: e["case_id"] == target_case and e["revision"] == 2, timeout=60)
    result = archive_once(broker.bootstrap_servers, out, group)
    assert result.returncode == 0, result.stderr
    changes = sorted(p.name for p in (target / "endringer").iterdir())
    assert changes == ["0001-edited.json", "0001-edited.pdf", "0002-hidden.json", "0002-hidden.pdf"]
    assert {name: (target / name).read_bytes() for name in before} == before
    assert "Gnr. 12" in " ".join(page.extract_text() for page in
                                 PdfReader(io.BytesIO((target / "endringer" / "0001-edited.pdf").read_bytes())).pages)
