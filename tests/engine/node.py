"""Start and stop a real OpenSearch node on 127.0.0.1 for tests and benchmarks.

The node is assembled from Maven Central artifacts (see ``pom.xml``): Maven
resolves the classpath once, ``javac`` compiles the small launcher, and the node
runs in a temporary home folder that is removed afterwards.

    python -m tests.engine.node        # run one in the foreground, Ctrl-C stops it
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import time
import urllib.request
from pathlib import Path

HERE = Path(__file__).resolve().parent
TARGET = HERE / "target"
CLASSPATH_FILE = TARGET / "classpath.txt"
CLASSES = TARGET / "classes"
SOURCE = HERE / "src" / "wijkwijzer" / "TestNode.java"


class NodeError(RuntimeError):
    pass


def _newer(output: Path, *inputs: Path) -> bool:
    return output.exists() and all(output.stat().st_mtime >= i.stat().st_mtime for i in inputs)


def _run(command: list[str]) -> None:
    result = subprocess.run(command, cwd=HERE, capture_output=True, text=True)  # noqa: S603
    if result.returncode:
        raise NodeError(f"{' '.join(command)} failed:\n{result.stdout}\n{result.stderr}")


def build() -> str:
    """The node's classpath, resolving and compiling only when something changed."""
    TARGET.mkdir(exist_ok=True)
    if not _newer(CLASSPATH_FILE, HERE / "pom.xml"):
        _run(
            ["mvn", "-q", "-B", "dependency:build-classpath", f"-Dmdep.outputFile={CLASSPATH_FILE}"]
        )
    classpath = CLASSPATH_FILE.read_text().strip()
    compiled = CLASSES / "wijkwijzer" / "TestNode.class"
    if not _newer(compiled, SOURCE, CLASSPATH_FILE):
        _run(["javac", "-d", str(CLASSES), "-cp", classpath, str(SOURCE)])
    return f"{CLASSES}{os.pathsep}{classpath}"


def free_port() -> int:
    """A port whose neighbour (the node's transport port) is free too."""
    for _ in range(50):
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        with socket.socket() as neighbour:
            try:
                neighbour.bind(("127.0.0.1", port + 1))
            except OSError:
                continue
        return port
    raise NodeError("No free pair of ports on 127.0.0.1")


class OpenSearchNode:
    def __init__(self, port: int | None = None, home: Path | None = None, heap: str = "512m"):
        self.port = port or free_port()
        self._own_home = home is None
        self.home = home or Path(tempfile.mkdtemp(prefix="wijkwijzer-opensearch-"))
        self.heap = heap
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 180) -> OpenSearchNode:
        classpath = build()
        log = open(self.home / "node.log", "ab")  # noqa: SIM115 - closed in stop()
        self._log = log
        self.process = subprocess.Popen(  # noqa: S603
            [
                "java",
                f"-Xms{self.heap}",
                f"-Xmx{self.heap}",
                "-XX:+UseSerialGC",
                "-Dlog4j2.disable.jmx=true",
                "-cp",
                classpath,
                "wijkwijzer.TestNode",
                str(self.home),
                str(self.port),
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise NodeError(
                    f"OpenSearch exited early; see {self.home / 'node.log'}:\n{self.log_tail()}"
                )
            if self.healthy():
                return self
            time.sleep(0.5)
        self.stop()
        raise NodeError(f"OpenSearch did not answer within {timeout} s")

    def healthy(self) -> bool:
        try:
            with urllib.request.urlopen(f"{self.url}/_cluster/health", timeout=1) as response:  # noqa: S310
                return response.status == 200
        except OSError:
            return False

    def stop(self, remove: bool = True) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None
        if getattr(self, "_log", None):
            self._log.close()
        if remove and self._own_home:
            shutil.rmtree(self.home, ignore_errors=True)

    def log_tail(self, lines: int = 30) -> str:
        try:
            return "\n".join(
                (self.home / "node.log").read_text(errors="replace").splitlines()[-lines:]
            )
        except OSError:
            return ""

    def __enter__(self) -> OpenSearchNode:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


if __name__ == "__main__":
    node = OpenSearchNode(port=int(os.environ.get("OPENSEARCH_PORT", "9200"))).start()
    print(f"OpenSearch running at {node.url}; Ctrl-C stops it.")
    try:
        node.process.wait()
    except KeyboardInterrupt:
        node.stop()
