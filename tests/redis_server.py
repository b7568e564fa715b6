"""Start and stop a private redis-server on 127.0.0.1 for tests.

Debian's ``redis-server`` (scripts/ensure-system-packages installs it) runs in a
temporary folder with persistence off, on a free port, and is stopped and
removed afterwards; nothing system-wide is used or changed.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

from .processes import stop


class RedisError(RuntimeError):
    pass


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class RedisServer:
    def __init__(self):
        self.port = free_port()
        self.home = Path(tempfile.mkdtemp(prefix="wijkwijzer-redis-"))
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self, timeout: float = 20) -> RedisServer:
        binary = shutil.which("redis-server")
        if binary is None:
            raise RedisError(
                "redis-server not found: install Debian's package redis-server "
                "(scripts/ensure-system-packages does it)."
            )
        self.process = subprocess.Popen(  # noqa: S603
            [
                binary,
                "--bind", "127.0.0.1",
                "--port", str(self.port),
                "--dir", str(self.home),
                "--save", "",
                "--appendonly", "no",
                "--logfile", str(self.home / "redis.log"),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.STDOUT,
        )  # fmt: skip
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RedisError(f"redis-server exited early:\n{self.log_tail()}")
            if self.ping():
                return self
            time.sleep(0.1)
        self.stop()
        raise RedisError(f"redis-server did not answer within {timeout} s")

    def ping(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=1) as connection:
                connection.sendall(b"PING\r\n")
                return connection.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    def stop(self) -> None:
        stop(self.process, timeout=10)
        self.process = None
        shutil.rmtree(self.home, ignore_errors=True)

    def log_tail(self, lines: int = 20) -> str:
        try:
            return "\n".join(
                (self.home / "redis.log").read_text(errors="replace").splitlines()[-lines:]
            )
        except OSError:
            return "(no log)"
