"""Anonymous visitors for the cluster tests: threads that request pages from
both app servers in turn until stopped, and what every answer was."""

from __future__ import annotations

import re
import statistics
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass

# The notice of a search the database answered because the engine did not (in Dutch).
DEGRADED = "Zoeken werkt op dit moment beperkt"
TOTAL = re.compile(r'id="results-title"[^>]*>\s*(\d+)')


@dataclass
class Answer:
    at: float  # seconds since the load started
    path: str
    status: int
    seconds: float
    body: str
    retry_after: str | None

    @property
    def total(self) -> int | None:
        found = TOTAL.search(self.body)
        return int(found.group(1)) if found else None

    @property
    def degraded(self) -> bool:
        return DEGRADED in self.body


def fetch(url: str, timeout: float = 30) -> tuple[int, str, str | None]:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:  # noqa: S310 - our own servers
            return response.status, response.read().decode(), response.headers.get("Retry-After")
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode(), error.headers.get("Retry-After")
    except OSError as error:
        return 0, f"{type(error).__name__}: {error}", None


class Load:
    """``clients`` threads, each requesting ``paths`` in turn from the servers in turn."""

    def __init__(self, servers: list[str], paths: list[str], clients: int = 4):
        self.servers, self.paths, self.clients = servers, paths, clients
        self.answers: list[Answer] = []
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._threads: list[threading.Thread] = []

    def __enter__(self) -> Load:
        self.started = time.monotonic()
        for number in range(self.clients):
            thread = threading.Thread(target=self._visit, args=(number,), daemon=True)
            thread.start()
            self._threads.append(thread)
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(60)
        self.seconds = time.monotonic() - self.started

    def _visit(self, number: int) -> None:
        turn = number
        while not self._stop.is_set():
            server = self.servers[turn % len(self.servers)]
            path = self.paths[turn % len(self.paths)]
            began = time.monotonic()
            status, body, retry_after = fetch(server + path)
            answer = Answer(
                began - self.started, path, status, time.monotonic() - began, body, retry_after
            )
            with self._lock:
                self.answers.append(answer)
            turn += 1

    @staticmethod
    def answer(path: str, status: int, body: str) -> Answer:
        return Answer(0, path, status, 0, body, None)

    def summary(self) -> str:
        times = sorted(answer.seconds * 1000 for answer in self.answers)
        statuses: dict[int, int] = {}
        for answer in self.answers:
            statuses[answer.status] = statuses.get(answer.status, 0) + 1
        p95 = times[int(len(times) * 0.95)] if times else 0
        return (
            f"{len(self.answers)} requests in {self.seconds:.0f} s, statuses {statuses}, "
            f"p50 {statistics.median(times) if times else 0:.0f} ms, p95 {p95:.0f} ms"
        )
