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
from browsers import chromium
from fava_server import Server, run_serve, write_books
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
    driver = chromium(
        tmp_path_factory.mktemp("chromium-profile"),
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--window-size=1400,1000",
    )
    driver.set_page_load_timeout(30)
    try:
        yield driver
    finally:
        driver.quit()
