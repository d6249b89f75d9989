"""Fixtures for the Fava tests: books on disk, ``sandao serve`` on a free port, Chromium.

The server is the real command (``python -m sandao.cli serve …``) in a subprocess;
the browser is Debian's ``chromium`` driven by ``chromium-driver`` through Selenium.
Browser tests fail (never skip) when either is missing.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from fava_server import CHROMEDRIVER, CHROMIUM, Server, run_serve, write_books
from testbooks import FAVA_BOOKS, SYNTAX_ERROR


@pytest.fixture(scope="session")
def books(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_books(tmp_path_factory.mktemp("books") / "county", FAVA_BOOKS)


@pytest.fixture(scope="session")
def bad_books(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_books(tmp_path_factory.mktemp("bad") / "county", FAVA_BOOKS + SYNTAX_ERROR)


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
