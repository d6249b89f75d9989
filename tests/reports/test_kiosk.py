"""社区云 kiosk in Debian's Chromium at the touchscreen's 1080×1920: every community page
opens from the home page by clicks, nothing scrolls sideways, buttons are touch-sized, every
page goes home after two minutes, and the figures are the notice's."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from browsers import chromium

from sandao.reports.community import community_notice
from sandao.reports.formatting import money
from sandao.reports.run import write_reports

WIDTH, HEIGHT = 1080, 1920


@pytest.fixture(scope="module")
def site(example, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("kiosk") / "out"
    write_reports(example, out, formats=["html"], workers=1)
    return out / "kiosk"


@pytest.fixture(scope="module")
def kiosk_browser(tmp_path_factory):
    driver = chromium(tmp_path_factory.mktemp("kiosk-profile"), f"--window-size={WIDTH},{HEIGHT}")
    driver.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride",
        {"width": WIDTH, "height": HEIGHT, "deviceScaleFactor": 1, "mobile": False},
    )
    try:
        yield driver
    finally:
        driver.quit()


def no_sideways_scroll(driver) -> None:
    width, inner = driver.execute_script(
        "return [document.documentElement.scrollWidth, window.innerWidth]"
    )
    assert inner == WIDTH and width <= WIDTH, (driver.current_url, width)


def test_site_is_static_with_one_page_per_community_and_quarter(site, example):
    names = sorted(p.name for p in site.iterdir())
    quarters = ["2025Q1", "2025Q2", "2025Q3"]
    expected = sorted(f"{c}-{q}.html" for c in ("SQ01", "SQ02", "SQ03", "SQ04") for q in quarters)
    assert names == sorted([*expected, "index.html"])
    index = (site / "index.html").read_text("utf-8")
    assert index.index("2025年第3季度") < index.index("2025年第1季度")  # newest first
    for name in expected:
        html = (site / name).read_text("utf-8")
        assert '<meta http-equiv="refresh" content="120;url=index.html">' in html
        assert "<script" not in html
        assert not re.search(r"""(?:src|href)\s*=\s*["']?(?:[a-z]+:|//)""", html), name
        assert "Noto Sans CJK SC" in html and "@font-face" not in html


def test_kiosk_pages_are_dated_at_their_quarter_end_and_receive_nothing_negative(site):
    """Q1's page says 数据截至 2025-03-31 (the books go to 09-30); no 本期收到, 安排给各社区 or
    调减或退回 figure on any page is negative."""
    ends = {"Q1": "03-31", "Q2": "06-30", "Q3": "09-30"}
    for page in sorted(site.glob("SQ*.html")):
        html = page.read_text("utf-8")
        quarter = page.stem[-2:]
        assert f"数据截至 2025-{ends[quarter]}" in html, page.name
        figures = re.findall(
            r'data-figure="(?:[^"]*\|)?(received|arranged_out|cut)">([^<]*)<', html
        )
        assert figures, page.name
        assert not [f for f in figures if f[1].strip().startswith(("-", "−"))], page.name


@pytest.mark.slow
@pytest.mark.browser
def test_every_community_page_is_reachable_by_clicks_and_shows_the_notice(
    kiosk_browser, site, example
):
    from selenium.webdriver.common.by import By

    driver = kiosk_browser
    shots = Path(os.environ.get("SANDAO_SCREENSHOTS") or site.parent / "screenshots")
    shots.mkdir(parents=True, exist_ok=True)
    home = (site / "index.html").as_uri()
    driver.get(home)
    no_sideways_scroll(driver)
    driver.save_screenshot(str(shots / "kiosk-index.png"))
    targets = [a.get_attribute("href") for a in driver.find_elements(By.CSS_SELECTOR, "a.button")]
    assert len(targets) == 12
    for button in driver.find_elements(By.CSS_SELECTOR, "a.button"):
        assert button.rect["height"] >= 100 and button.rect["width"] >= 200
    for number, href in enumerate(targets):
        driver.get(home)
        link = next(
            a
            for a in driver.find_elements(By.CSS_SELECTOR, "a.button")
            if a.get_attribute("href") == href
        )
        link.click()
        assert driver.current_url == href
        no_sideways_scroll(driver)
        code, period = Path(href).stem.split("-")
        report = community_notice(example, code, int(period[:4]), int(period[-1]))
        figures = {
            el.get_attribute("data-figure"): el.text
            for el in driver.find_elements(By.CSS_SELECTOR, "[data-figure]")
        }
        for key in ("opening", "received", "spent", "closing"):
            assert figures[key] == money(report.context["quarter"][key]), (href, key)
        for row in report.tables[0].records():
            for key in ("opening", "received", "spent", "closing"):
                assert figures[f"{row['stream']}|{row['scope']}|{key}"] == money(row[key])
        assert (
            driver.find_element(By.TAG_NAME, "h1").text == f"{report.context['community']}财务公开"
        )
        if number == 0:
            driver.save_screenshot(str(shots / f"kiosk-{code}-{period}.png"))
        driver.find_element(By.CSS_SELECTOR, "a.button.home").click()
        assert driver.current_url == home
