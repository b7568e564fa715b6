"""The multi-machine set-up, run on one machine (127.0.0.1).

PostgreSQL, Redis, a three-node OpenSearch cluster (every index with one
replica, so any one node may fail), two gunicorn app servers on two ports
and a django-tasks database worker: the parts a production site runs on
several hosts, each started as its own process with the settings it would
get there (production settings, the shared services by URL).
``scripts/cluster`` runs it for people; tests/cluster/ tests against it.
"""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

from tests.engine.node import OpenSearchCluster
from tests.postgres_server import PostgresServer
from tests.processes import stop
from tests.redis_server import RedisServer, free_port

ROOT = Path(__file__).resolve().parent.parent.parent


class Process:
    """A long-running part (an app server, the task worker) with its own log."""

    def __init__(self, name: str, command: list[str], env: dict, log: Path):
        self.name, self.command, self.env, self.log = name, command, env, log
        self.process: subprocess.Popen | None = None

    def start(self) -> Process:
        self._log = open(self.log, "ab")  # noqa: SIM115 - closed in stop()
        self.process = subprocess.Popen(  # noqa: S603
            self.command, cwd=ROOT, env=self.env, stdout=self._log, stderr=subprocess.STDOUT
        )
        return self

    def stop(self) -> None:
        stop(self.process, timeout=20)
        self.process = None
        if getattr(self, "_log", None):
            self._log.close()
            self._log = None

    def tail(self, lines: int = 30) -> str:
        try:
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""


class AppServer(Process):
    def __init__(self, number: int, env: dict, folder: Path, workers: int = 2):
        self.port = free_port()
        super().__init__(
            f"app-{number}",
            [
                sys.executable, "-m", "gunicorn", "wijkwijzer.wsgi",
                "--bind", f"127.0.0.1:{self.port}", "--workers", str(workers),
                "--timeout", "60",
            ],
            env,
            folder / f"app-{number}.log",
        )  # fmt: skip

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def wait(self, timeout: float = 180) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.name} exited:\n{self.tail()}")
            try:
                urllib.request.urlopen(f"{self.url}/nl/", timeout=5).close()  # noqa: S310
                return
            except urllib.error.HTTPError:
                return
            except OSError:
                time.sleep(0.5)
        raise RuntimeError(f"{self.name} did not answer within {timeout} s:\n{self.tail()}")


class Stack:
    index_prefix = "wijkwijzer"

    def __init__(self, folder: Path | None = None, pg_port: int | None = None):
        self.folder = folder or Path(tempfile.mkdtemp(prefix="wijkwijzer-cluster-"))
        self.postgres = PostgresServer(pg_port)
        self.redis = RedisServer()
        self.search = OpenSearchCluster(size=3, heap="384m")
        self.apps: list[AppServer] = []
        self.worker: Process | None = None

    @property
    def env(self) -> dict:
        """What each app server and worker gets: production settings, the
        shared services by address."""
        return {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "wijkwijzer.settings.production",
            "SECRET_KEY": self._secret,
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            # Plain HTTP on 127.0.0.1; behind a real proxy this stays on.
            "SECURE_SSL_REDIRECT": "false",
            "DATABASE_URL": self.postgres.url,
            "CACHE_URL": self.redis.url,
            "SEARCH_ENGINE_URL": self.search.url,
            "SEARCH_ENGINE_REPLICAS": "1",
            "SEARCH_INDEX_PREFIX": self.index_prefix,
            # Three search nodes, two app servers and the load share one
            # machine (two cores in CI): a search slowed by that, not by a
            # failure, must not count as the engine failing.
            "SEARCH_ENGINE_TIMEOUT": "5",
            "TASKS_BACKEND": "django_tasks_db.DatabaseBackend",
            "STATIC_ROOT": str(self.folder / "static"),
            "MEDIA_ROOT": str(self.folder / "media"),
            # Load from one address: the per-client limits would answer 429.
            "RATELIMIT_SEARCH": "100000/m",
            "RATELIMIT_SUGGEST": "100000/m",
            "LOG_LEVEL": "WARNING",
        }

    def manage(self, *args: str, timeout: float = 900) -> str:
        result = subprocess.run(  # noqa: S603
            [sys.executable, "manage.py", *args],
            cwd=ROOT, env=self.env, capture_output=True, text=True, timeout=timeout,
        )  # fmt: skip
        if result.returncode:
            raise RuntimeError(
                f"manage.py {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}"
            )
        return result.stdout

    def start(self, say=lambda text: None, copy_of: dict | None = None) -> Stack:
        """Start every part; ``copy_of``: a PostgreSQL database (Django's
        settings_dict) with the demo loaded, to copy instead of loading it."""
        self._secret = secrets.token_urlsafe(50)
        started = time.monotonic()
        # The search nodes take longest to start: they start first and come
        # up while the database is filled.
        for node in self.search.nodes:
            node.launch()
        self.redis.start()
        self.postgres.create()
        say(f"PostgreSQL on 127.0.0.1:{self.postgres.port}, Redis at {self.redis.url}")
        if copy_of:
            self.postgres.copy_database(copy_of)
        else:
            self.manage("migrate", "--noinput", "--verbosity=0")
            self.manage("load_demo")
        self.manage("collectstatic", "--noinput", "--verbosity=0")
        say(f"Database filled with the demo ({time.monotonic() - started:.0f} s)")
        self.search.wait_until_green()
        say(f"OpenSearch cluster green: {self.search.url}")
        self.manage("search_rebuild")
        self.start_apps()
        say(f"App servers: {', '.join(app.url for app in self.apps)}; task worker running")
        say(f"Everything up in {time.monotonic() - started:.0f} s; logs in {self.folder}")
        return self

    def start_apps(self) -> list[str]:
        """Two app servers and the task worker; the servers' addresses once
        both answer."""
        self.apps = [AppServer(number, self.env, self.folder) for number in (1, 2)]
        for app in self.apps:
            app.start()
        self.worker = self.task_worker().start()
        for app in self.apps:
            app.wait()
        return [app.url for app in self.apps]

    def task_worker(self) -> Process:
        return Process(
            "worker",
            [sys.executable, "manage.py", "db_worker", "--interval", "0.5", "--no-startup-delay"],
            self.env,
            self.folder / "worker.log",
        )

    def stop(self) -> None:
        for part in [*self.apps, self.worker]:
            if part:
                part.stop()
        self.search.stop()
        self.redis.stop()
        self.postgres.remove()
