"""A real AMQP broker for the Fiks stand-ins: Debian's ``rabbitmq-server`` in a temporary directory.

Like ``tests/postgres.py`` for PostgreSQL: a throwaway node on free loopback ports (AMQP, Erlang
distribution, and its own ``epmd``, so that it shares nothing with another node on the machine),
``RABBITMQ_*`` variables pointing every file into the temporary directory, stopped (process group
killed) and removed at the end. It runs as root as it is (the Debian wrapper in /usr/sbin would
switch to the ``rabbitmq`` user; the node script under /usr/lib/rabbitmq does not).

With ``auth_url`` the node asks that HTTP service who may connect and what they may read
(``rabbitmq_auth_backend_http``, shipped with rabbitmq-server): that is how the stand-in Fiks IO
checks ``"<integrasjonPassord> <Maskinporten token>"`` as the real one does. The internal user
``guest`` stays for the stand-in's own publishing.
"""

from __future__ import annotations

import os
import shutil
import socket
import sys
import tempfile
import time
from pathlib import Path

from innboks.kafka.broker import free_port
from innboks.processes import ManagedProcess

SERVER = Path("/usr/lib/rabbitmq/bin/rabbitmq-server")
EPMD = Path("/usr/bin/epmd")
ADMIN_USER = "guest"
ADMIN_PASSWORD = "guest"  # noqa: S105 - the broker's built-in local user, loopback only


class RabbitMQError(RuntimeError):
    pass


def _port_open(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return True
    except OSError:
        return False


class RabbitMQServer:
    def __init__(self, auth_url: str | None = None, root: Path | None = None) -> None:
        if not SERVER.exists():
            raise RabbitMQError("rabbitmq-server is not installed (Debian package rabbitmq-server; "
                                "see .ci/system-packages)")
        self.root = root or Path(tempfile.mkdtemp(prefix="innboks-rabbitmq-"))
        self._own_root = root is None
        self.port = free_port()
        self.dist_port = free_port()
        self.epmd_port = free_port()
        self.auth_url = auth_url
        self.node = f"innboks-{self.port}@localhost"
        self._epmd: ManagedProcess | None = None
        self._server: ManagedProcess | None = None

    @property
    def url(self) -> str:
        return f"amqp://127.0.0.1:{self.port}/"

    @property
    def admin_url(self) -> str:
        return f"amqp://{ADMIN_USER}:{ADMIN_PASSWORD}@127.0.0.1:{self.port}/"

    def _config(self) -> str:
        lines = [f"listeners.tcp.default = 127.0.0.1:{self.port}", "loopback_users = none",
                 "log.console = false", "log.file.level = warning"]
        if self.auth_url:
            base = self.auth_url.rstrip("/")
            lines += ["auth_backends.1 = internal", "auth_backends.2 = http", "auth_http.http_method = post",
                      f"auth_http.user_path = {base}/user", f"auth_http.vhost_path = {base}/vhost",
                      f"auth_http.resource_path = {base}/resource", f"auth_http.topic_path = {base}/topic"]
        return "\n".join(lines) + "\n"

    def environment(self) -> dict[str, str]:
        home = self.root / "home"
        return {
            **os.environ, "HOME": str(home), "RABBITMQ_NODENAME": self.node,
            "RABBITMQ_NODE_IP_ADDRESS": "127.0.0.1", "RABBITMQ_NODE_PORT": str(self.port),
            "RABBITMQ_DIST_PORT": str(self.dist_port), "ERL_EPMD_PORT": str(self.epmd_port),
            "RABBITMQ_MNESIA_BASE": str(self.root / "mnesia"), "RABBITMQ_LOG_BASE": str(self.root / "log"),
            "RABBITMQ_ENABLED_PLUGINS_FILE": str(self.root / "enabled_plugins"),
            "RABBITMQ_CONFIG_FILE": str(self.root / "rabbitmq"), "RABBITMQ_PID_FILE": str(self.root / "pid"),
            "RABBITMQ_ADVANCED_CONFIG_FILE": str(self.root / "advanced.config"),
        }

    def start(self, timeout: float = 90.0) -> RabbitMQServer:
        (self.root / "home").mkdir(parents=True, exist_ok=True)
        (self.root / "rabbitmq.conf").write_text(self._config())
        (self.root / "enabled_plugins").write_text(
            "[rabbitmq_auth_backend_http].\n" if self.auth_url else "[].\n")
        environment = self.environment()
        self._epmd = ManagedProcess([str(EPMD), "-port", str(self.epmd_port)], environment,
                                    self.root / "epmd.log").start()
        self._server = ManagedProcess([str(SERVER)], environment, self.root / "server.log").start()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if not self._server.running:
                log = (self.root / "server.log").read_text(errors="replace")[-800:]
                self.stop()
                raise RabbitMQError(f"rabbitmq-server exited ({self._server.returncode}): {log}")
            if _port_open(self.port) and self._answers():
                return self
            time.sleep(0.3)
        self.stop()
        raise RabbitMQError(f"rabbitmq-server did not accept AMQP connections within {timeout:.0f} s")

    def _answers(self) -> bool:
        """An AMQP handshake as the admin user succeeds (the port opens before the node is ready)."""
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=2) as sock:
                sock.sendall(b"AMQP\x00\x00\x09\x01")
                return sock.recv(8)[:1] == b"\x01"  # a Connection.Start method frame
        except OSError:
            return False

    def stop(self) -> None:
        for process in (self._server, self._epmd):
            if process is not None:
                process.stop(grace=15)
        if self._own_root:
            shutil.rmtree(self.root, ignore_errors=True)

    def __enter__(self) -> RabbitMQServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


if __name__ == "__main__":  # a manual check: python -m innboks.demo.fiks.rabbitmq
    with RabbitMQServer() as server:
        print(f"rabbitmq-server answers at {server.url}", file=sys.stderr)
