"""``innboks demo`` end to end: everything ingested, a case forwarded, metrics live, nothing left behind."""

import base64
import json
import re
import signal
import subprocess
import sys
import time
import urllib.request

import pytest

from connectors.archive.arkivmelding import validate
from innboks.demo.dataset import build_dataset
from innboks.kafka.broker import free_ports, port_is_free
from tests.integration.test_commands import children, env
from tests.unit.test_broker import wait_gone

pytestmark = pytest.mark.integration


def descendants(pid: int) -> set[int]:
    found: set[int] = set()
    stack = [pid]
    while stack:
        for child in children(stack.pop()):
            found.add(child)
            stack.append(child)
    return found


def start_demo(*args: str) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-m", "innboks", "demo", *args], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=env(COLUMNS="120"))


def scrape(url: str, timeout: float) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                text = response.read().decode()
            if re.search(r"^innboks_cases_forwarded_total\{[^}]*\} [1-9]", text, re.M):
                return text
        except OSError:
            pass
        time.sleep(0.5)
    raise AssertionError(f"no forwarded case in {url} within {timeout} s")


def settled_open_count(inbox_port: int, until: float) -> int:
    """``GET /api/inquiries?state=open``'s total, polled until ``until`` (monotonic) and the last 3 agree."""
    basic = "Basic " + base64.b64encode(b"demo:demo-passord").decode()
    counts: list[int] = []
    while time.monotonic() < until or len(set(counts[-3:])) != 1:
        request = urllib.request.Request(f"http://127.0.0.1:{inbox_port}/api/inquiries?state=open",
                                         headers={"Authorization": basic})
        with urllib.request.urlopen(request, timeout=10) as response:
            rows = json.loads(response.read())
            assert response.status == 200 and len(rows) == int(response.headers["X-Total-Count"])
            counts.append(len(rows))
        time.sleep(1)
    return counts[-1]


def metrics_ports() -> int:
    """A port P with P + 1 free too: the demo serves the worker's metrics on P, the connector's on P + 1."""
    while not port_is_free("127.0.0.1", (port := free_ports(1)[0]) + 1):
        pass
    return port


def test_demo_ingests_everything_and_exits_cleanly(tmp_path) -> None:
    port = metrics_ports()
    archive = tmp_path / "arkiv"
    inbox_port = free_ports(1, avoid=(port, port + 1))[0]
    demo = subprocess.Popen([sys.executable, "-m", "innboks", "demo", "--duration", "40", "--metrics-port", str(port),
                             "--archive-dir", str(archive), "--inbox-port", str(inbox_port),
                             "--store", f"sqlite:///{tmp_path / 'store.db'}"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env=env(COLUMNS="120", INNBOKS_DEMO_PASSWORD="demo-passord"))
    try:
        started = time.monotonic()
        metrics = scrape(f"http://127.0.0.1:{port}/metrics", 35)
        # Once the bundled week is through (released within 16 s), the inbox lists what stays open.
        listed = settled_open_count(inbox_port, until=started + 33)
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5) as response:
            metrics = response.read().decode()  # again, now that answers and breaches have happened too
        with urllib.request.urlopen(f"http://127.0.0.1:{port + 1}/metrics", timeout=5) as response:
            connector_metrics = response.read().decode()
        spawned = descendants(demo.pid)
        assert len(spawned) >= 3  # the broker, the worker and the archive consumer
        out, err = demo.communicate(timeout=90)
    finally:
        demo.kill()
    assert demo.returncode == 0, err
    bundled = len(build_dataset().items)
    assert f"{bundled}/{bundled} bundled" in out and "all ingested" in out
    cases = int(re.search(r"Cases forwarded\s+(\d+)", out).group(1))
    assert cases >= 1
    packages = [p for p in archive.iterdir() if not p.name.startswith(".")]
    assert re.search(rf"Archive packages\s+{len(packages)} in", out) and 1 <= len(packages) <= cases
    for package in packages:
        validate((package / "arkivmelding.xml").read_bytes())
    assert re.search(r"Dead letters\s+1 \(normalize: schema_violation", out)
    # The store and the inbox agree with the pipeline: the summary's open inquiries are theirs.
    summary_open = int(re.search(r"Inquiries open\s+(\d+)", out).group(1))
    assert f"({summary_open} open inquiries)" in out
    assert listed == summary_open > 0
    assert re.search(r'^innboks_messages_total\{[^}]*\} [1-9]', metrics, re.M)
    assert re.search(r'^innboks_connector_polls_total\{[^}]*outcome="ok"[^}]*\} [1-9]', connector_metrics, re.M)
    # Every series a dashboard query reads is served by the demo (worker or connector /metrics).
    from innboks.ops.dashboards import DASHBOARDS, queries

    wanted = {name for uid in DASHBOARDS for expr in queries(uid) for name in re.findall(r"innboks_[a-z_]+", expr)
              if not name.startswith("innboks_archive_fiks_")}  # served by innboks archive --fiks: the fiks test
    served = set(re.findall(r"^(innboks_[a-z_]+)", metrics + connector_metrics, re.M))
    assert wanted - served == set(), f"dashboard series the demo does not serve: {sorted(wanted - served)}"
    assert all(wait_gone(pid, 10) for pid in spawned), "the demo left processes behind"


def test_demo_stops_on_ctrl_c_without_leaving_processes() -> None:
    port = metrics_ports()
    demo = start_demo("--metrics-port", str(port))
    try:
        scrape(f"http://127.0.0.1:{port}/metrics", 45)
        spawned = descendants(demo.pid)
        demo.send_signal(signal.SIGINT)
        out, err = demo.communicate(timeout=60)
    finally:
        demo.kill()
    assert demo.returncode == 0, err
    assert "summary" in out
    assert all(wait_gone(pid, 10) for pid in spawned)


def test_demo_refuses_a_busy_metrics_port() -> None:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        port = sock.getsockname()[1]
        result = subprocess.run([sys.executable, "-m", "innboks", "demo", "--metrics-port", str(port)],
                                capture_output=True, text=True, timeout=60, env=env())
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [
        f"innboks demo: error: metrics port {port} is in use; pass --metrics-port P with P and P+1 free "
        "(or 0 for any free ports)"]


def api(inbox_port: int, path: str) -> tuple[list[dict], int]:
    basic = "Basic " + base64.b64encode(b"demo:demo-passord").decode()
    request = urllib.request.Request(f"http://127.0.0.1:{inbox_port}{path}", headers={"Authorization": basic})
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read()), int(response.headers["X-Total-Count"])


def test_demo_with_fiks_archives_every_forwarded_case_with_a_saksnummer(tmp_path) -> None:
    """The product's check (#26): in innboks demo --fiks, GET /api/cases lists every forwarded case archived
    with the saksnummer and journalpostnummer the stand-in archive gave it."""
    port = metrics_ports()
    inbox_port = free_ports(1, avoid=(port, port + 1, port + 2))[0]
    demo = subprocess.Popen([sys.executable, "-m", "innboks", "demo", "--fiks", "--duration", "75", "--metrics-port",
                             str(port), "--inbox-port", str(inbox_port), "--store", f"sqlite:///{tmp_path / 's.db'}"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env=env(COLUMNS="160", INNBOKS_DEMO_PASSWORD="demo-passord"))
    try:
        # The bundled week is released within 16 s; the cases settle when their number has not grown for
        # 10 s and every one is archived (stopping at the first ten archived missed later forwards).
        started, cases, total, settled_since = time.monotonic(), [], 0, None
        while time.monotonic() - started < 70:
            try:
                listed, listed_total = api(inbox_port, "/api/cases")
            except OSError:
                listed, listed_total = [], 0
            archived = len(listed) >= 10 and all(c["archive"]["status"] == "archived" for c in listed)
            if not archived or len(listed) != len(cases):
                settled_since = time.monotonic() if archived else None
            cases, total = listed, listed_total
            if settled_since is not None and time.monotonic() - settled_since >= 10:
                break
            time.sleep(1)
        with urllib.request.urlopen(f"http://127.0.0.1:{port + 2}/metrics", timeout=5) as response:
            fiks_metrics = response.read().decode()
        spawned = descendants(demo.pid)
        out, err = demo.communicate(timeout=120)
    finally:
        demo.kill()
    assert demo.returncode == 0, err
    forwarded = int(re.search(r"Cases forwarded\s+(\d+)", out).group(1))
    assert len(cases) == total == forwarded >= 10
    for case in cases:
        archive = case["archive"]
        assert archive["status"] == "archived", case
        assert re.fullmatch(r"20\d\d/\d+", archive["saksnummer"]) and archive["journalpostnummer"] >= 1
        expected = f"Arkivert som sak {archive['saksnummer']}, journalpost {archive['journalpostnummer']}"
        assert archive["detail"] == expected
    assert len({c["archive"]["saksnummer"] for c in cases}) == len(cases), "one saksmappe per case"
    assert re.search(rf"Archived over Fiks IO\s+{forwarded}/{forwarded} cases", out)
    from innboks.ops.dashboards import DASHBOARDS, queries

    wanted = {name for uid in DASHBOARDS for expr in queries(uid)
              for name in re.findall(r"innboks_archive_fiks_[a-z_]+", expr)}
    served = set(re.findall(r"^(innboks_[a-z_]+)", fiks_metrics, re.M))
    assert wanted and wanted <= served, sorted(wanted - served)
    assert re.search(r'^innboks_archive_fiks_receipts_total\{outcome="kvittering"\} [1-9]', fiks_metrics, re.M)
    assert all(wait_gone(pid, 15) for pid in spawned), "the demo left processes behind"
