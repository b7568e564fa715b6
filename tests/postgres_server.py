"""Start, stop and restart a private PostgreSQL server on 127.0.0.1.

The same server as ``scripts/with-postgres`` (Debian's binaries, a temporary
folder, trust authentication, as the ``postgres`` user when run as root), but
owned by Python code, so that the cluster tests can stop it and start it
again on the same data while the site is under load.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from .redis_server import free_port


class PostgresError(RuntimeError):
    pass


def _bindir() -> Path:
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin"), key=lambda p: int(p.parent.name))
    if not found or not (found[-1] / "initdb").exists():
        raise PostgresError("PostgreSQL server binaries not found: sudo apt-get install postgresql")
    return found[-1]


class PostgresServer:
    def __init__(self, port: int | None = None):
        self.port = port or free_port()
        self.bindir = _bindir()
        self.home = Path(tempfile.mkdtemp(prefix="wijkwijzer-pg-"))
        self._as = ["runuser", "-u", "postgres", "--"] if os.getuid() == 0 else []
        if self._as:
            shutil.chown(self.home, "postgres")

    @property
    def url(self) -> str:
        return f"postgres://wijkwijzer@127.0.0.1:{self.port}/wijkwijzer"

    def _run(self, tool: str, *args: str) -> None:
        result = subprocess.run(  # noqa: S603
            [*self._as, str(self.bindir / tool), *args], capture_output=True, text=True
        )
        if result.returncode:
            raise PostgresError(f"{tool} failed:\n{result.stdout}\n{result.stderr}")

    def create(self) -> PostgresServer:
        self._run(
            "initdb", "-D", str(self.home / "data"), "-U", "wijkwijzer",
            "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8",
        )  # fmt: skip
        self.start()
        self._run(
            "createdb", "-h", "127.0.0.1", "-p", str(self.port), "-U", "wijkwijzer", "wijkwijzer"
        )
        return self

    def copy_database(self, source: dict) -> None:
        """Fill this server's database with a copy of another's (Django's
        ``settings_dict`` of it): seconds, where migrating and loading the
        demo again take minutes."""
        dump = subprocess.run(  # noqa: S603
            [
                str(self.bindir / "pg_dump"), "-Fc", "-h", source["HOST"] or "127.0.0.1",
                "-p", str(source["PORT"] or 5432), "-U", source["USER"], source["NAME"],
            ],
            capture_output=True, check=True,
        ).stdout  # fmt: skip
        result = subprocess.run(  # noqa: S603
            [
                str(self.bindir / "pg_restore"), "--no-owner", "-h", "127.0.0.1",
                "-p", str(self.port), "-U", "wijkwijzer", "-d", "wijkwijzer",
            ],
            input=dump, capture_output=True,
        )  # fmt: skip
        if result.returncode:
            raise PostgresError(f"pg_restore failed:\n{result.stderr.decode()}")

    def start(self) -> None:
        options = (
            f"-p {self.port} -k {self.home} -c listen_addresses=127.0.0.1 "
            "-c fsync=off -c synchronous_commit=off -c full_page_writes=off"
        )
        self._run(
            "pg_ctl", "-D", str(self.home / "data"), "-l", str(self.home / "server.log"),
            "-w", "-t", "120", "-o", options, "start",
        )  # fmt: skip

    def stop(self, mode: str = "fast") -> None:
        """Stop the server; ``fast`` ends every open connection, as a restart does."""
        self._run("pg_ctl", "-D", str(self.home / "data"), "-m", mode, "-w", "stop")

    def remove(self) -> None:
        with contextlib.suppress(PostgresError):
            self.stop("immediate")
        shutil.rmtree(self.home, ignore_errors=True)
