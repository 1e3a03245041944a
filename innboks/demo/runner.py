"""``innboks demo``: broker, topics, worker, simulated Graph API, connector, live view, summary.

Everything runs on this machine: the embedded Tansu broker, the real Faust worker (a child
process, as in production), and the real Facebook connector polling a local Graph API stand-in.
Shutdown runs in reverse order of start-up on ``--duration``, Ctrl-C or SIGTERM, and leaves no
process behind.
"""

from __future__ import annotations

import secrets
import shutil
import signal
import tempfile
import threading
import time
import urllib.request
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from prometheus_client import start_http_server
from rich.console import Console, Group
from rich.live import Live
from rich.panel import Panel
from rich.table import Table

from connectors.actions.executor import ExecutorLoop
from connectors.actions.writers import RegistryWriters
from connectors.base import MemoryCursorStore
from connectors.fleet import wanted_pollers
from connectors.health import StoreHealth
from connectors.metrics import REGISTRY as CONNECTOR_METRICS
from connectors.runner import AccountPoller, PollOutcome, Runner
from connectors.sinks import KafkaSink, raw_producer
from innboks.config.credentials import install_secret_backend
from innboks.config.settings import get_settings
from innboks.db.accounts import LiveRegistry, StoreVault
from innboks.db.engine import StoreError, open_store
from innboks.db.sealed import Keyring
from innboks.demo.dataset import SECOND_PAGE, build_dataset
from innboks.demo.graph_api import GraphSimulator
from innboks.demo.monitor import PipelineCounts, TopicMonitor
from innboks.demo.platforms import connect_demo_page, start_platforms
from innboks.demo.registry import demo_registry, write_registry
from innboks.demo.workspace import DEMO_ADMIN, DEMO_USER, start_workspace
from innboks.errors import CliError
from innboks.kafka.admin import create_topics
from innboks.kafka.broker import BrokerError, EmbeddedBroker, free_ports, port_is_free
from innboks.processes import archive_process, fiks_archive_process, worker_process

POLL_SECONDS = 1.0
DEFAULT_RELEASE_SECONDS = 20.0


def _metrics_up(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=0.5) as response:  # noqa: S310 - loopback URL we built
            return response.status == 200
    except OSError:
        return False


class ConnectorLoop:
    """The connector runner of ``innboks connectors run`` on the demo's registry: the Page of the demo and
    every account connected in Kontoer while it runs (picked up within seconds), each polled every second
    by the real connectors, with health in the store and the production metrics."""

    def __init__(self, live: LiveRegistry, bootstrap: str, engine: sa.Engine) -> None:
        self.sink_producer = raw_producer(bootstrap)
        self.health = StoreHealth(engine, live.credentials_version, min_interval=5.0)
        self.polls = 0
        self.sent = 0
        self.last_error: str | None = None
        self.runner = Runner(wanted=wanted_pollers(
            live, lambda: KafkaSink(bootstrap, producer=self.sink_producer), MemoryCursorStore(), None, self._count,
            interval=POLL_SECONDS, since=lambda: datetime.now(UTC) - timedelta(days=30)), tick=0.2,
            resync_seconds=2.0)
        self._thread = threading.Thread(target=self.runner.run, name="connector-runner", daemon=True)

    def _count(self, poller: AccountPoller, outcome: PollOutcome) -> None:
        self.polls += 1
        self.sent += outcome.sent
        self.last_error = outcome.error
        self.health.poll(poller, outcome)

    def start(self) -> ConnectorLoop:
        self._thread.start()
        return self

    def stop(self) -> None:
        self.runner.stop()
        self._thread.join(timeout=30)
        for poller in list(self.runner.pollers):
            poller.close()
        self.sink_producer.close(timeout=5)


class ExecutorThread:
    """The action executor on the demo's broker, acting on the simulated Graph API (docs/actions.md)."""

    def __init__(self, bootstrap: str, writers: RegistryWriters, on_outcome: Any = None) -> None:
        self.writers = writers
        self.loop = ExecutorLoop(bootstrap, writers, on_outcome=on_outcome)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self.loop.run, args=(self._stop,), name="action-executor", daemon=True)

    def start(self) -> ExecutorThread:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=10)
        self.loop.close()
        self.writers.close()


def run_demo(duration: float | None, metrics_port: int, console: Console | None = None,
             archive_dir: Path | None = None, store_url: str | None = None, inbox_port: int | None = None,
             fiks: bool = False) -> int:
    console = console or Console()
    if inbox_port is not None and not port_is_free("127.0.0.1", inbox_port):
        raise CliError(f"inbox port {inbox_port} is in use; pass --inbox-port with a free port")
    if metrics_port == 0:
        metrics_port, connector_metrics_port = free_ports(2, avoid=(inbox_port or 0,))
    else:
        connector_metrics_port = metrics_port + 1
        for port in (metrics_port, connector_metrics_port):
            if not port_is_free("127.0.0.1", port):
                raise CliError(f"metrics port {port} is in use; pass --metrics-port P with P and P+1 free "
                               "(or 0 for any free ports)")
    if archive_dir is not None and archive_dir.exists() and not archive_dir.is_dir():
        raise CliError(f"--archive-dir {archive_dir}: not a directory")
    workdir = Path(tempfile.mkdtemp(prefix="innboks-demo-"))
    stop = threading.Event()
    previous = signal.signal(signal.SIGTERM, lambda *_: stop.set())
    metrics_url = f"http://127.0.0.1:{metrics_port}/metrics"
    connector_metrics_url = f"http://127.0.0.1:{connector_metrics_port}/metrics"
    shown_metrics = f"{metrics_url} (worker), {connector_metrics_url} (connector)"
    fiks_metrics_port = 0
    if fiks:
        # The Fiks sender's metrics (innboks_archive_fiks_*) next to the others: P + 2, or any free port.
        fiks_metrics_port = metrics_port + 2
        if not port_is_free("127.0.0.1", fiks_metrics_port):
            fiks_metrics_port = free_ports(1, avoid=(metrics_port, connector_metrics_port, inbox_port or 0))[0]
        shown_metrics += f", http://127.0.0.1:{fiks_metrics_port}/metrics (archive over Fiks IO)"
    started = time.monotonic()
    release = min(DEFAULT_RELEASE_SECONDS, duration * 0.4) if duration else DEFAULT_RELEASE_SECONDS
    worker = None
    try:
        with ExitStack() as stack:
            try:
                broker = stack.enter_context(EmbeddedBroker(log_path=workdir / "tansu.log"))
            except BrokerError as exc:
                raise CliError(str(exc)) from exc
            settings = get_settings()
            create_topics(broker.bootstrap_servers, settings.topic_partitions, 1)
            dataset = build_dataset()
            registry = demo_registry(dataset.page_id)
            accounts_file = write_registry(registry, workdir / "accounts.yaml")
            simulator = GraphSimulator(dataset, release_seconds=release, inject_fault=True,
                                       extra_pages=(build_dataset(name=SECOND_PAGE),)).start()
            stack.callback(simulator.stop)
            platforms = start_platforms(simulator, workdir / "platforms")
            stack.callback(platforms.stop)
            store_url = store_url or f"sqlite:///{workdir / 'innboks.db'}"
            try:
                engine = open_store(store_url)
            except StoreError as exc:
                raise CliError(str(exc)) from None
            # The credentials connected in Kontoer are sealed with a key of this run only.
            keyring = Keyring([secrets.token_urlsafe(48)])
            install_secret_backend(StoreVault(engine, keyring))
            stack.callback(install_secret_backend, None)
            demo_settings = platforms.settings(settings)
            connect_demo_page(engine, keyring, simulator, registry.accounts[0].owning_unit, settings.municipality,
                              settings.official_website)
            accounts = LiveRegistry(registry, engine, demo_settings, recheck=2.0)
            worker = worker_process(broker.bootstrap_servers, workdir / "data", metrics_port, workdir / "worker.log",
                                    extra_env={"INNBOKS_ACCOUNTS_FILE": str(accounts_file)})
            worker.start()
            stack.callback(worker.stop)
            if archive_dir is not None:
                archiver = archive_process(broker.bootstrap_servers, archive_dir, workdir / "archive.log").start()
                stack.callback(archiver.stop)
            if fiks:
                stack.enter_context(_fiks_archive(broker.bootstrap_servers, workdir, console, fiks_metrics_port))
            monitor = TopicMonitor(broker.bootstrap_servers).start()
            stack.callback(monitor.stop)
            metrics_server, _ = start_http_server(connector_metrics_port, addr="127.0.0.1", registry=CONNECTOR_METRICS)
            stack.callback(metrics_server.shutdown)
            loop = ConnectorLoop(accounts, broker.bootstrap_servers, engine).start()
            stack.callback(loop.stop)
            executor = ExecutorThread(broker.bootstrap_servers, RegistryWriters(accounts), loop.health.action).start()
            stack.callback(executor.stop)
            try:
                workspace = start_workspace(engine, store_url, broker.bootstrap_servers, registry, inbox_port,
                                            demo_settings, keyring)
            except StoreError as exc:
                raise CliError(str(exc)) from None
            stack.callback(workspace.close)
            console.print(f"store: {store_url}")
            if inbox_port is not None:
                console.print(f"inbox: http://127.0.0.1:{inbox_port}/  users {DEMO_USER} (operator) and {DEMO_ADMIN} "
                              f"(administrator: Kontoer), password {workspace.password}")

            def view() -> Panel:
                elapsed = time.monotonic() - started
                counts = monitor.snapshot()
                worker_state = "running" if worker.running else f"exited ({worker.returncode})"
                if worker.running and not _metrics_up(metrics_url):
                    worker_state = "starting (joining the consumer group)"
                return _panel(counts, len(dataset.items), simulator, loop, worker_state, shown_metrics, elapsed,
                              duration, archive_dir, fiks)

            with Live(view(), console=console, refresh_per_second=4, transient=True) as live:
                try:
                    while not stop.is_set() and (duration is None or time.monotonic() - started < duration):
                        if not worker.running:
                            break
                        live.update(view())
                        stop.wait(0.25)
                except KeyboardInterrupt:
                    pass
            final = monitor.snapshot()
            worker_failed = not worker.running
            console.print("[dim]stopping: connector, worker, broker …[/dim]")
            if not workspace.finish():
                console.print("[yellow]the store had not caught up with the topics[/yellow]")
            store_open = workspace.open_inquiries()
        console.print(_summary(final, len(dataset.items), time.monotonic() - started, shown_metrics, workdir,
                               archive_dir, fiks))
        console.print(f"Store: {store_url} ({store_open} open inquiries)")
        if worker_failed:
            console.print(f"[red]the worker stopped unexpectedly; see {workdir / 'worker.log'}[/red]")
            return 1
        return 0
    finally:
        signal.signal(signal.SIGTERM, previous)
        shutil.rmtree(workdir / "data", ignore_errors=True)


def archive_packages(directory: Path | None) -> int:
    """Finished packages in the archive directory (temporary and rejected entries start with a dot)."""
    if directory is None or not directory.is_dir():
        return 0
    return sum(1 for entry in directory.iterdir() if entry.is_dir() and not entry.name.startswith("."))


@contextmanager
def _fiks_archive(bootstrap: str, workdir: Path, console: Console, metrics_port: int) -> Iterator[None]:
    """The stand-in Fiks IO and archive over rabbitmq-server, and ``innboks archive --fiks`` sending to them."""
    from innboks.demo.fiks.rabbitmq import RabbitMQError
    from innboks.demo.fiks.world import FiksWorld

    console.print("[dim]starting rabbitmq-server, the stand-in Fiks IO and archive …[/dim]")
    try:
        world = FiksWorld(workdir / "fiks").start()
    except RabbitMQError as exc:
        raise CliError(f"--fiks: {exc}") from None
    sender = fiks_archive_process(bootstrap, workdir / "archive-fiks.log",
                                  {**world.innboks_env(), "INNBOKS_FIKS_METRICS_PORT": str(metrics_port)}).start()
    try:
        yield
    finally:
        sender.stop()
        world.stop()


def _archive_table(counts: PipelineCounts) -> Table:
    """Each forwarded case (by case id) and where it stands in the (stand-in) archive."""
    table = Table(box=None, padding=(0, 1), show_header=True, header_style="dim")
    table.add_column("sak (case_id)")
    table.add_column("arkiv")
    for case_id in sorted(counts.cases):
        status, attempt, _, saksnummer, journalpost = counts.archive.get(case_id, ("pending", 0, False, None, None))
        shown = (f"[green]sak {saksnummer}, journalpost {journalpost}[/green]" if status == "archived"
                 else f"[red]{status}[/red]" if status == "failed" else status)
        table.add_row(case_id[:8], shown + (f" (forsøk {attempt})" if attempt > 1 else ""))
    return table


def _panel(counts: PipelineCounts, bundled: int, simulator: GraphSimulator, loop: ConnectorLoop,
           worker_state: str, metrics_url: str, elapsed: float, duration: float | None,
           archive_dir: Path | None = None, fiks: bool = False) -> Panel:
    table = Table.grid(padding=(0, 2))
    table.add_column(style="bold")
    table.add_column()
    table.add_row("Graph API (simulated)", f"{len(simulator.released())}/{simulator.total} items published")
    table.add_row("Connector", f"{loop.polls} polls, {loop.sent} items → innboks.raw"
                  + (f"  [red]{loop.last_error}[/red]" if loop.last_error else ""))
    table.add_row("Worker", worker_state)
    table.add_row(*_ingested(counts, bundled))
    table.add_row("Triaged", ", ".join(f"{k} {v}" for k, v in sorted(counts.categories.items())) or "–")
    table.add_row("Cases forwarded", str(len(counts.cases)))
    if archive_dir is not None:
        table.add_row("Archive packages", f"{archive_packages(archive_dir)} in {archive_dir}")
    if fiks:
        archived = sum(1 for case_id in counts.cases if counts.archive.get(case_id, ("",))[0] == "archived")
        table.add_row("Archived over Fiks IO", f"{archived}/{len(counts.cases)} cases")
        table.add_row("", _archive_table(counts))
    table.add_row("Inquiries", f"{len(counts.sla_opened)} opened, {len(counts.sla_answered)} answered, "
                  f"{counts.open_inquiries} open")
    table.add_row("Moderation / escalations", f"{len(counts.moderation)} / {len(counts.escalations)}")
    table.add_row("Dead letters", str(sum(counts.deadletters.values())))
    table.add_row("Actions", _actions(counts))
    table.add_row("Metrics", metrics_url)
    limit = f" of {duration:.0f} s" if duration else " (Ctrl-C stops)"
    return Panel(table, title=f"Innboks demo — {elapsed:.0f} s{limit}", border_style="cyan")


def _ingested(counts: PipelineCounts, bundled: int) -> tuple[str, str]:
    """The bundled messages that came through normalisation (our own replies posted meanwhile are not
    counted: they are on innboks.messages too, but not from the platform)."""
    ingested = len(counts.fetched_messages)
    mark = "[green]✓ all ingested[/green]" if ingested >= bundled else "[yellow]not all ingested yet[/yellow]"
    return "Messages ingested", f"{ingested}/{bundled} bundled  {mark}"


def _actions(counts: PipelineCounts) -> str:
    if not counts.actions:
        return "none yet"
    return ", ".join(f"{what} ×{count}" for what, count in sorted(counts.actions.items()))


def _summary(counts: PipelineCounts, bundled: int, elapsed: float, metrics_url: str, workdir: Path,
             archive_dir: Path | None = None, fiks: bool = False) -> Panel:
    table = Table(show_header=False, box=None, padding=(0, 2))
    table.add_column(style="bold")
    table.add_column()
    table.add_row(*_ingested(counts, bundled))
    table.add_row("Raw items fetched", str(counts.raw))
    for category, count in sorted(counts.categories.items()):
        table.add_row(f"  triaged {category}", str(count))
    table.add_row("Cases forwarded", f"{len(counts.cases)} ({len(counts.screened_cases)} screened for personal data)")
    if archive_dir is not None:
        table.add_row("Archive packages", f"{archive_packages(archive_dir)} in {archive_dir}")
    if fiks:
        numbers = [f"{entry[3]}" for case_id in sorted(counts.cases)
                   if (entry := counts.archive.get(case_id)) and entry[0] == "archived"]
        table.add_row("Archived over Fiks IO", f"{len(numbers)}/{len(counts.cases)} cases: saker {', '.join(numbers)}"
                      if numbers else f"0/{len(counts.cases)} cases")
    table.add_row("Inquiries opened", str(len(counts.sla_opened)))
    table.add_row("Inquiries answered or closed", str(len(counts.sla_answered)))
    table.add_row("Inquiries open", str(counts.open_inquiries))
    table.add_row("Moderation flags", str(len(counts.moderation)))
    table.add_row("Escalations", str(len(counts.escalations)))
    letters = ", ".join(f"{reason} ×{n}" for reason, n in counts.deadletters.items())
    table.add_row("Dead letters", f"{sum(counts.deadletters.values())}" + (f" ({letters})" if letters else ""))
    table.add_row("Actions", _actions(counts))
    table.add_row("Metrics were at", metrics_url)
    table.add_row("Logs", str(workdir))
    return Panel(Group(table), title=f"Innboks demo — summary after {elapsed:.0f} s", border_style="green")
