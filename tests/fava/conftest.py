"""Fixtures for the Fava tests: books on disk, ``sandao serve`` on a free port, Chromium.

The server is the real command (``python -m sandao.cli serve …``) in a subprocess;
the browser is Debian's ``chromium`` driven by ``chromium-driver`` through Selenium.
Browser tests fail (never skip) when either is missing.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE))

from books import BOOKS, SYNTAX_ERROR  # noqa: E402

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMEDRIVER = shutil.which("chromedriver")
SLUG = "城关县社区资金台账"


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


@pytest.fixture(scope="session")
def books(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_books(tmp_path_factory.mktemp("books") / "county", BOOKS)


@pytest.fixture(scope="session")
def bad_books(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_books(tmp_path_factory.mktemp("bad") / "county", BOOKS + SYNTAX_ERROR)


@pytest.fixture(scope="session")
def server(books: Path) -> Iterator[Server]:
    with run_serve(books) as running:
        yield running


@pytest.fixture(scope="session")
def serve_books():
    """``with serve_books(main_file) as server``: ``sandao serve`` on other books."""
    return run_serve


@pytest.fixture(scope="session")
def screenshots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = Path(os.environ.get("SANDAO_SCREENSHOTS") or tmp_path_factory.mktemp("screenshots"))
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture(scope="session")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[object]:
    # Never skipped: CI installs both (.ci/system-deps.sh); a missing browser is a failure.
    if not (CHROMIUM and CHROMEDRIVER):
        pytest.fail(
            "浏览器测试需要 Debian 的 chromium 与 chromium-driver"
            f"（chromium={CHROMIUM!r}, chromedriver={CHROMEDRIVER!r}）：apt-get install chromium "
            "chromium-driver，或运行 .ci/system-deps.sh",
            pytrace=False,
        )
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--window-size=1400,1000",
        "--lang=zh-CN",
        f"--user-data-dir={tmp_path_factory.mktemp('chromium-profile')}",
    ):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(30)
    try:
        yield driver
    finally:
        driver.quit()
