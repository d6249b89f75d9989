"""Helpers of the Fava tests: books on disk, ``sandao serve`` on a free port, file hashes.

The server is the real command (``python -m sandao.cli serve …``) in a subprocess.
Tests import these helpers from here; the fixtures in ``conftest.py`` use them.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

SLUG = "城关县社区资金台账"
#: The pages of the sandao Fava extension, in the order of Fava's sidebar.
PAGES = (
    "TaskBoard",
    "BudgetExecution",
    "RuleFindings",
    "ReportPreview",
    "AuditFindings",
    "ChangeHistory",
)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def file_hashes(folder: Path) -> dict[str, str]:
    """sha256 of every file below ``folder``."""
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


@dataclass
class Server:
    """A running ``sandao serve``."""

    base: str
    books: Path
    process: subprocess.Popen

    def url(self, path: str) -> str:
        return f"{self.base}/{urllib.request.quote(SLUG)}/{path.lstrip('/')}"


@contextlib.contextmanager
def run_serve(ledger: Path, *args: str) -> Iterator[Server]:
    """Start ``sandao serve LEDGER`` on a free port; stop it afterwards."""
    port = free_port()
    log = ledger.parent / f"serve-{port}.log"
    with open(log, "wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "sandao.cli", "serve", str(ledger), "--port", str(port), *args],
            stdout=out,
            stderr=subprocess.STDOUT,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"sandao serve exited: {log.read_text(errors='replace')}")
            try:
                with urllib.request.urlopen(base + "/", timeout=2):
                    break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)
        yield Server(base, ledger.parent, process)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def write_books(folder: Path, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    main = folder / "main.beancount"
    main.write_text(text, encoding="utf-8")
    return main
