"""Start and stop a real OpenSearch node on 127.0.0.1 for tests and benchmarks.

The node is assembled from Maven Central artifacts (see ``pom.xml``): Maven
resolves the classpath once, ``javac`` compiles the small launcher, and the node
runs in a temporary home folder that is removed afterwards.

    python -m tests.engine.node        # run one in the foreground, Ctrl-C stops it

:class:`OpenSearchCluster` starts several such nodes that form one cluster.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import urllib.request
from pathlib import Path

from tests.processes import stop

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
    def __init__(
        self,
        port: int | None = None,
        home: Path | None = None,
        heap: str = "512m",
        cluster: tuple[str, list[int], list[str]] | None = None,
    ):
        """``cluster``: this node's name, and the HTTP ports and names of every
        node of the cluster it joins; a single node without."""
        self.port = port or free_port()
        self._own_home = home is None
        self.home = home or Path(tempfile.mkdtemp(prefix="wijkwijzer-opensearch-"))
        self.heap = heap
        self.cluster = cluster
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 180) -> OpenSearchNode:
        self.launch()
        return self.wait(timeout)

    def launch(self) -> None:
        """Start the process without waiting for it to answer."""
        classpath = build()
        log = open(self.home / "node.log", "ab")  # noqa: SIM115 - closed in stop()
        self._log = log
        arguments = [str(self.home), str(self.port)]
        if self.cluster:
            name, ports, names = self.cluster
            transport_ports = ",".join(str(port + 1) for port in ports)
            arguments += [name, transport_ports, ",".join(names)]
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
                *arguments,
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
        )

    def wait(self, timeout: float = 180) -> OpenSearchNode:
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

    def kill(self) -> None:
        """Kill the process at once (SIGKILL), as a crashed machine would stop
        answering; its data stays for a restart."""
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait()
        self.process = None
        if getattr(self, "_log", None):
            self._log.close()
            self._log = None

    def stop(self, remove: bool = True) -> None:
        stop(self.process, timeout=30)
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


class OpenSearchCluster:
    """Several nodes on 127.0.0.1 that form one cluster (each may be cluster
    manager); ``url`` lists them all, as SEARCH_ENGINE_URL does."""

    def __init__(self, size: int = 3, heap: str = "384m", ports: list[int] | None = None):
        ports = ports or []
        while len(ports) < size:
            port = free_port()
            if not {port, port + 1} & {p for taken in ports for p in (taken, taken + 1)}:
                ports.append(port)
        names = [f"wijkwijzer-node-{number}" for number in range(1, size + 1)]
        self.nodes = [
            OpenSearchNode(port=port, heap=heap, cluster=(name, ports, names))
            for port, name in zip(ports, names, strict=True)
        ]

    @property
    def url(self) -> str:
        return ",".join(node.url for node in self.nodes)

    def start(self, timeout: float = 300) -> OpenSearchCluster:
        for node in self.nodes:
            node.launch()
        try:
            self.wait_until_green(timeout)
        except NodeError:
            self.stop()
            raise
        return self

    def health(self, node: OpenSearchNode | None = None, **params) -> dict:
        """The cluster's health, asked of ``node`` (or of any live one)."""
        query = "&".join(f"{key}={value}" for key, value in params.items())
        for candidate in [node] if node else self.live_nodes():
            try:
                with urllib.request.urlopen(  # noqa: S310 - our own node
                    f"{candidate.url}/_cluster/health?{query}", timeout=5
                ) as response:
                    return json.load(response)
            except OSError:
                continue
        return {}

    def live_nodes(self) -> list[OpenSearchNode]:
        return [node for node in self.nodes if node.process and node.process.poll() is None]

    def wait_until_green(self, timeout: float = 300) -> None:
        """Until every node has joined and every shard copy is allocated."""
        deadline = time.monotonic() + timeout
        size = len(self.nodes)
        while time.monotonic() < deadline:
            for node in self.nodes:
                if node.process and node.process.poll() is not None:
                    raise NodeError(f"{node.url} exited early:\n{node.log_tail()}")
            health = self.health()
            if health.get("number_of_nodes") == size and health.get("status") == "green":
                return
            time.sleep(1)
        tails = "\n".join(node.log_tail(10) for node in self.nodes)
        raise NodeError(f"The cluster was not green within {timeout} s:\n{tails}")

    def restart(self, node: OpenSearchNode, timeout: float = 300) -> None:
        """Start a killed node again on its own data, and wait until it has rejoined."""
        node.launch()
        # Its own address answers once it has joined; before that the others
        # may not even have noticed that it was gone.
        node.wait(timeout)
        self.wait_until_green(timeout)

    def stop(self) -> None:
        for node in self.nodes:
            node.stop()


if __name__ == "__main__":
    node = OpenSearchNode(port=int(os.environ.get("OPENSEARCH_PORT", "9200"))).start()
    print(f"OpenSearch running at {node.url}; Ctrl-C stops it.")
    try:
        node.process.wait()
    except KeyboardInterrupt:
        node.stop()
