"""Debian's Chromium driven by ``chromium-driver`` through Selenium, for the browser tests.

The Fava pages and the 社区云 kiosk open in the same headless browser; each test module
asks for its window size and extra flags.  Browser tests fail (never skip) when either
program is missing: CI installs both (.ci/system-deps.sh).
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMEDRIVER = shutil.which("chromedriver")


def chromium(profile: Path, *flags: str) -> Any:
    """A headless Chromium (a Selenium driver) with its profile in ``profile``; quit it after."""
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
        "--no-first-run",
        "--lang=zh-CN",
        f"--user-data-dir={profile}",
        *flags,
    ):
        options.add_argument(flag)
    return webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
