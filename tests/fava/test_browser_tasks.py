"""Task page ↔ journal entry in a real browser; the start page; read-only hides editing."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import unquote

import pytest
from fava_server import Server, run_serve

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("browser")]

TIMEOUT = 20


def _wait(driver, css: str):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import WebDriverWait

    return WebDriverWait(driver, TIMEOUT).until(
        ec.visibility_of_element_located((By.CSS_SELECTOR, css))
    )


def _until(driver, check) -> None:
    from selenium.webdriver.support.ui import WebDriverWait

    WebDriverWait(driver, TIMEOUT).until(lambda d: check(d))


def test_opens_on_the_task_board(browser, server: Server) -> None:
    browser.get(server.base + "/")
    _wait(browser, "#sd-tasks")
    assert unquote(browser.current_url).endswith("/extension/TaskBoard/")


def test_journal_entry_to_task_page_and_back(browser, server: Server, screenshots: Path) -> None:
    from selenium.webdriver.common.by import By

    browser.get(server.url("journal/?filter=^T2025-007"))
    _wait(browser, "a.sd-task-page")
    article = browser.find_element(By.TAG_NAME, "article").text
    assert "任务声明：T2025-007「平安示范社区建设」" in article  # the declaration, as a note
    browser.save_screenshot(str(screenshots / "journal-task-links.png"))
    links = browser.find_elements(By.CSS_SELECTOR, "a.sd-task-page")
    assert len(links) == 2  # beside the ^T2025-007 of each of its two transactions
    links[0].click()
    _wait(browser, "#sd-task-title")
    assert "T2025-007" in browser.find_element(By.ID, "sd-task-title").text
    assert "task=T2025-007" in unquote(browser.current_url)
    spending = browser.find_element(By.ID, "sd-task-spending").text
    assert "平安社区宣传品" in spending and "12,000.00" in spending
    browser.save_screenshot(str(screenshots / "task-page.png"))
    # … and from the task page to the entry: the journal with that entry opened.
    browser.find_element(By.CSS_SELECTOR, "#sd-task-spending a.sd-entry-link").click()
    _until(browser, lambda d: "#context-" in d.current_url)
    assert "filter=^T2025-007" in unquote(browser.current_url)
    _until(browser, lambda d: "城关印务" in d.find_element(By.TAG_NAME, "body").text)
    browser.save_screenshot(str(screenshots / "task-entry-context.png"))


def _sidebar_shows(driver, page: str) -> bool:
    return driver.execute_script(
        "const a = document.querySelector(`aside a[href*='/${arguments[0]}/']`);"
        "return !!a && a.offsetParent !== null;",
        page,
    )


def test_sidebar_group_named_and_ordered_read_only_hides_editing(
    browser, server: Server, books: Path, screenshots: Path
) -> None:
    from selenium.webdriver.common.by import By

    browser.get(server.url("journal/"))
    _wait(browser, "aside")
    _until(
        browser,
        lambda d: d.execute_script("return !!document.getElementById('sd-page-script-style')"),
    )
    assert not _sidebar_shows(browser, "editor") and not _sidebar_shows(browser, "import")
    titles = [
        a.text
        for a in sorted(
            browser.find_elements(By.CSS_SELECTOR, "aside a[href*='/extension/']"),
            key=lambda a: a.location["y"],
        )
    ]
    assert titles[:4] == [
        "费随事转任务",
        "指标执行",
        "规则检查",
        "公开报表",
    ]  # the switcher's order
    heading = browser.execute_script(
        "const a = document.querySelector(\"aside a[href*='/extension/TaskBoard/']\");"
        "return getComputedStyle(a.closest('ul'), '::before').content;"
    )
    assert heading == '"资金台账"'
    browser.save_screenshot(str(screenshots / "sidebar-read-only.png"))
    with run_serve(books, "--read-write") as editable:
        browser.get(editable.url("journal/"))
        _wait(browser, "aside")
        _until(
            browser,
            lambda d: d.execute_script("return !!document.getElementById('sd-page-script-style')"),
        )
        assert _sidebar_shows(browser, "editor") and _sidebar_shows(browser, "import")
