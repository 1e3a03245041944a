"""A real PostgreSQL server for the store tests: Debian's ``postgresql`` binaries, a throwaway cluster.

``initdb`` and ``postgres`` refuse to run as root, so as root the cluster directory is handed to
the ``postgres`` system user and the commands run as that user (``runuser``). The server listens on
a free loopback port with ``fsync=off`` (the data is thrown away) and is stopped at the end.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import subprocess
import tempfile
from pathlib import Path

import sqlalchemy as sa

from innboks.kafka.broker import free_port

SUPERUSER = "innboks"


def postgres_bindir() -> Path:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"), key=lambda p: int(Path(p).parts[4]))
    if not found:
        raise RuntimeError("PostgreSQL is not installed (Debian package postgresql; see .ci/system-packages)")
    return Path(found[-1]).parent


class PostgresServer:
    def __init__(self, settings: str = "") -> None:
        """``settings``: more server options, e.g. ``-c shared_buffers=2GB`` (the benchmarks)."""
        self.settings = settings
        self.bindir = postgres_bindir()
        self.root = Path(tempfile.mkdtemp(prefix="innboks-pg-"))
        self.datadir = self.root / "data"
        self.port = free_port()
        self._as_postgres = os.geteuid() == 0
        if self._as_postgres:
            user = pwd.getpwnam("postgres")
            os.chown(self.root, user.pw_uid, user.pw_gid)

    def _run(self, *args: str) -> None:
        command = [str(self.bindir / args[0]), *args[1:]]
        if self._as_postgres:
            command = ["runuser", "-u", "postgres", "--", *command]
        result = subprocess.run(command, capture_output=True, text=True, timeout=120)
        if result.returncode != 0:
            raise RuntimeError(f"{args[0]} failed: {result.stderr.strip()[-500:]}")

    def start(self) -> PostgresServer:
        self._run("initdb", "-D", str(self.datadir), "-U", SUPERUSER, "-A", "trust", "-E", "UTF8",
                  "--locale=C.UTF-8")
        options = (f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c fsync=off "
                   f"-c synchronous_commit=off -c full_page_writes=off {self.settings}")
        self._run("pg_ctl", "-D", str(self.datadir), "-o", options, "-l", str(self.root / "server.log"), "-w",
                  "-t", "60", "start")
        return self

    def url(self, database: str = "postgres") -> str:
        return f"postgresql://{SUPERUSER}@127.0.0.1:{self.port}/{database}"

    def create_database(self, name: str, template: str | None = None) -> str:
        """A new database, empty or as a copy of ``template`` (much faster than migrating each one)."""
        engine = sa.create_engine(self.url().replace("postgresql://", "postgresql+psycopg://"),
                                  isolation_level="AUTOCOMMIT")
        with engine.connect() as connection:
            copy = f' TEMPLATE "{template}"' if template else ""
            connection.execute(sa.text(f'CREATE DATABASE "{name}"{copy}'))
        engine.dispose()
        return self.url(name)

    def stop(self) -> None:
        try:
            self._run("pg_ctl", "-D", str(self.datadir), "-m", "immediate", "-w", "stop")
        finally:
            shutil.rmtree(self.root, ignore_errors=True)
