"""Stopping the servers the tests start (OpenSearch nodes, Redis, gunicorn,
the task worker)."""

from __future__ import annotations

import subprocess


def stop(process: subprocess.Popen | None, timeout: float) -> None:
    """Ask ``process`` to stop, then kill it if it has not within ``timeout``
    seconds: a test run must never leave a server behind, nor hang on one
    that ignores SIGTERM."""
    if process is None or process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
