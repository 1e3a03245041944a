"""Child processes Innboks starts and must stop: the worker in the demo and in tests.

Like the embedded broker, a child runs in its own session (a terminal Ctrl-C reaches the parent,
which then stops children in order) and is bound to the parent's life with ``PR_SET_PDEATHSIG``.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

from innboks.kafka.broker import die_with_parent


class ManagedProcess:
    def __init__(self, args: list[str], env: dict[str, str], log_path: Path) -> None:
        self.args = args
        self.env = env
        self.log_path = log_path
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> ManagedProcess:
        with open(self.log_path, "ab") as log:
            self.process = subprocess.Popen(
                self.args, env=self.env, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                start_new_session=True, preexec_fn=die_with_parent,
            )
        return self

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    @property
    def returncode(self) -> int | None:
        return self.process.poll() if self.process else None

    def stop(self, grace: float = 20.0) -> int | None:
        """SIGTERM, wait ``grace`` seconds, then SIGKILL the whole process group."""
        process = self.process
        if process is None:
            return None
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(grace)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(5)
        return process.returncode


def worker_process(
    bootstrap_servers: str, data_dir: Path, metrics_port: int, log_path: Path, extra_env: dict[str, str] | None = None
) -> ManagedProcess:
    """``innboks worker`` against the given broker, serving metrics on 127.0.0.1."""
    env = {
        **os.environ,
        "KAFKA_BOOTSTRAP_SERVERS": bootstrap_servers,
        "INNBOKS_EMBEDDED_BROKER": "true",
        "INNBOKS_DATA_DIR": str(data_dir),
        "INNBOKS_METRICS_HOST": "127.0.0.1",
        "INNBOKS_METRICS_PORT": str(metrics_port),
        "INNBOKS_CREATE_TOPICS": "false",
        "PYTHONUNBUFFERED": "1",
        **(extra_env or {}),
    }
    return ManagedProcess([sys.executable, "-m", "innboks", "worker"], env, log_path)


def archive_process(bootstrap_servers: str, out: Path, log_path: Path, once: bool = False,
                    extra_env: dict[str, str] | None = None) -> ManagedProcess:
    """``innboks archive --out OUT`` against the given broker."""
    env = {
        **os.environ,
        "KAFKA_BOOTSTRAP_SERVERS": bootstrap_servers,
        "INNBOKS_EMBEDDED_BROKER": "true",
        "PYTHONUNBUFFERED": "1",
        **(extra_env or {}),
    }
    args = [sys.executable, "-m", "innboks", "archive", "--out", str(out)] + (["--once"] if once else [])
    return ManagedProcess(args, env, log_path)


def fiks_archive_process(bootstrap_servers: str, log_path: Path, extra_env: dict[str, str]) -> ManagedProcess:
    """``innboks archive --fiks`` against the given broker (``extra_env``: its ``INNBOKS_FIKS_*``)."""
    env = {**os.environ, "KAFKA_BOOTSTRAP_SERVERS": bootstrap_servers, "INNBOKS_EMBEDDED_BROKER": "true",
           "PYTHONUNBUFFERED": "1", **extra_env}
    return ManagedProcess([sys.executable, "-m", "innboks", "archive", "--fiks"], env, log_path)
