"""The fund pages in a real browser, served by ``sandao serve`` (read-only)."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import unquote

import pytest
from fava_server import Server, file_hashes, run_serve

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("browser")]

TIMEOUT = 20


def wait_for(driver, css: str):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import WebDriverWait

    return WebDriverWait(driver, TIMEOUT).until(
        ec.visibility_of_element_located((By.CSS_SELECTOR, css))
    )


def wait_text(driver, css: str, text: str) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import WebDriverWait

    WebDriverWait(driver, TIMEOUT).until(
        ec.text_to_be_present_in_element((By.CSS_SELECTOR, css), text)
    )


def rows(driver, table: str) -> dict[str, list[str]]:
    """Visible body rows of a table: first cell → all cells' text."""
    from selenium.webdriver.common.by import By

    out = {}
    for tr in driver.find_elements(By.CSS_SELECTOR, f"{table} tbody tr"):
        cells = [td.text.strip() for td in tr.find_elements(By.TAG_NAME, "td")]
        out[cells[0]] = cells
    return out


def test_task_board_shows_every_task(browser, server: Server, screenshots: Path) -> None:
    from selenium.webdriver.common.by import By

    browser.get(server.url("extension/TaskBoard/"))
    wait_for(browser, "#sd-tasks")
    tasks = rows(browser, "#sd-tasks")
    assert sorted(tasks) == ["T2025-007", "T2025-008", "T2025-009"]
    assert tasks["T2025-007"][2] == "县委政法委"
    assert tasks["T2025-007"][3] == "城东社区服务中心"
    assert tasks["T2025-007"][5:10] == [
        "50,000.00",
        "2025-03-31",
        "50,000.00",
        "12,000.00",
        "38,000.00",
    ]
    assert tasks["T2025-007"][10] == "已拨付"
    assert tasks["T2025-008"][10] == "逾期未拨付"
    assert tasks["T2025-008"][11] == "T001"
    totals = browser.find_element(By.ID, "sd-task-totals").text
    assert "100,000.00" in totals  # due: 50,000 + 30,000 + 20,000
    assert "70,000.00" in totals  # received
    counts = browser.find_element(By.ID, "sd-status-counts").text
    assert "逾期未拨付 1" in counts and "已拨付 2" in counts
    # Fava's own interface is in Chinese, and the fund pages are in its sidebar.
    sidebar = browser.find_element(By.TAG_NAME, "aside").text
    assert "损益表" in sidebar and "日记账" in sidebar
    assert "费随事转任务" in sidebar and "规则检查" in sidebar
    browser.save_screenshot(str(screenshots / "task-board.png"))


def test_task_opens_its_entries(browser, server: Server, screenshots: Path) -> None:
    from selenium.webdriver.common.by import By

    browser.get(server.url("extension/TaskBoard/"))
    wait_for(browser, "#sd-tasks")
    browser.find_element(By.CSS_SELECTOR, 'tr[data-task="T2025-007"] a.sd-task-link').click()
    wait_text(browser, "article", "平安社区宣传品")
    assert "/journal/" in browser.current_url
    assert "filter=^T2025-007" in unquote(browser.current_url)
    article = browser.find_element(By.TAG_NAME, "article").text
    assert "平安示范社区建设经费" in article
    assert "购买办公用品" not in article and "双拥示范建设经费" not in article
    browser.save_screenshot(str(screenshots / "task-journal.png"))


def test_time_and_account_filters(browser, server: Server) -> None:
    from selenium.webdriver.common.by import By

    browser.get(server.url("extension/TaskBoard/?time=2024"))
    wait_for(browser, "#sd-filter-note")
    assert rows(browser, "#sd-tasks") == {}
    browser.get(server.url("extension/TaskBoard/?time=2025-04"))
    wait_for(browser, "#sd-tasks")
    tasks = rows(browser, "#sd-tasks")
    # as of 2025-04-30 T2025-009 had not yet received its money
    assert tasks["T2025-009"][7] == "20,000.00"
    assert tasks["T2025-007"][8] == "12,000.00"
    browser.get(server.url("extension/TaskBoard/?time=2025-03"))
    wait_for(browser, "#sd-tasks")
    tasks = rows(browser, "#sd-tasks")
    assert tasks["T2025-009"][7] == "0.00"
    assert tasks["T2025-007"][8] == "0.00"
    browser.get(server.url("extension/TaskBoard/?account=Assets:C102-城西社区服务中心"))
    wait_for(browser, "#sd-filter-note")
    assert sorted(rows(browser, "#sd-tasks")) == ["T2025-009"]
    note = browser.find_element(By.ID, "sd-filter-note").text
    assert "C102" in note


def test_filters_typed_in_fava_header(browser, server: Server, screenshots: Path) -> None:
    """Fava's own time and account inputs re-filter the task board, as a person uses them."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support.ui import WebDriverWait

    browser.get(server.url("extension/TaskBoard/"))
    wait_for(browser, "#sd-tasks")
    time_input = browser.find_element(By.CSS_SELECTOR, 'header input[placeholder="时间"]')
    time_input.send_keys("2025-03", Keys.ENTER)
    WebDriverWait(browser, TIMEOUT).until(lambda d: "time=2025-03" in d.current_url)
    wait_text(browser, "#sd-filter-note", "2025-03-31")
    tasks = rows(browser, "#sd-tasks")
    assert tasks["T2025-009"][7] == "0.00"  # its money came in April
    assert tasks["T2025-007"][7] == "50,000.00"
    account_input = browser.find_element(By.CSS_SELECTOR, 'header input[placeholder="账户"]')
    account_input.send_keys("Assets:C102-城西社区服务中心", Keys.ENTER)
    WebDriverWait(browser, TIMEOUT).until(lambda d: "account=" in d.current_url)
    wait_text(browser, "#sd-filter-note", "C102")
    assert sorted(rows(browser, "#sd-tasks")) == ["T2025-009"]
    browser.save_screenshot(str(screenshots / "task-board-filtered.png"))


def test_budget_execution(browser, server: Server, screenshots: Path) -> None:
    from selenium.webdriver.common.by import By

    browser.get(server.url("extension/BudgetExecution/"))
    wait_for(browser, "#sd-quotas")
    quotas = rows(browser, "#sd-quotas")
    row = quotas["ZB25-0101"]
    assert row[1] == "社区服务中心运转经费"
    assert row[8] == "100,000.00"
    assert row[9] == "2,500.00"
    assert row[10] == "2.5%"
    totals = browser.find_element(By.ID, "sd-quota-totals").text
    assert "100,000.00" in totals and "2.5%" in totals
    browser.save_screenshot(str(screenshots / "budget-execution.png"))
    # a quota opens the entries charged to it
    browser.find_element(By.CSS_SELECTOR, 'tr[data-quota="ZB25-0101"] a').click()
    wait_text(browser, "article", "购买办公用品")
    article = browser.find_element(By.TAG_NAME, "article").text
    assert "下达运转经费指标" in article and "平安社区宣传品" not in article


def test_findings_link_to_source(browser, server: Server, screenshots: Path) -> None:
    from selenium.webdriver.common.by import By

    browser.get(server.url("extension/RuleFindings/"))
    section = wait_for(browser, "#rule-T001")
    assert "任务经费未按期拨付" in section.text
    assert "T2025-008" in section.text
    browser.save_screenshot(str(screenshots / "findings.png"))
    link = section.find_element(By.CSS_SELECTOR, "a.sd-source")
    assert link.text.startswith("main.beancount:")
    line = link.text.split(":")[1]
    link.click()
    wait_for(browser, ".cm-editor")
    assert "/editor/" in browser.current_url
    assert f"line={line}" in browser.current_url
    browser.save_screenshot(str(screenshots / "findings-editor.png"))


def test_report_preview(browser, server: Server, screenshots: Path) -> None:
    from selenium.webdriver.common.by import By

    browser.get(server.url("extension/ReportPreview/?time=2025"))
    wait_for(browser, "#sd-reports")
    assert browser.find_element(By.ID, "sd-report-year").text == "2025"
    assert "2025 · 2024" in browser.find_element(By.ID, "sd-report-years").text
    listed = rows(browser, "#sd-reports")
    assert any("年度单位预算" in title for title in listed), listed  # a unit's own 预算
    browser.save_screenshot(str(screenshots / "report-preview-top.png"))
    # the open-data files are listed, each a link
    browser.find_element(By.CSS_SELECTOR, "#sd-data-files summary").click()
    data_links = browser.find_elements(By.CSS_SELECTOR, "#sd-data-files a")
    assert data_links and all(a.is_displayed() for a in data_links[:3])
    assert any(a.text == "tasks.csv" for a in data_links)
    # the preview frame shows the report index, its links lead to the reports
    frame = wait_for(browser, "#sd-preview")
    browser.execute_script("arguments[0].scrollIntoView()", frame)
    browser.save_screenshot(str(screenshots / "report-preview.png"))
    browser.switch_to.frame(frame)
    try:
        wait_text(browser, "body", "2025")
        link = browser.find_element(By.CSS_SELECTOR, 'a[href*="tasks-2025.html"]')
        link.click()
        wait_text(browser, "body", "T2025-007")
        assert "T2025-008" in browser.find_element(By.TAG_NAME, "body").text
    finally:
        browser.switch_to.default_content()


def test_pages_do_not_change_files(browser, server: Server) -> None:
    before = file_hashes(server.books)
    for page in (
        "extension/TaskBoard/",
        "extension/BudgetExecution/",
        "extension/RuleFindings/",
        "extension/ReportPreview/",
        "extension/TaskBoard/tasks",
        "journal/?filter=^T2025-007",
        "editor/",
    ):
        browser.get(server.url(page))
        wait_for(browser, "body")
    after = file_hashes(server.books)
    assert {k: v for k, v in after.items() if not k.startswith("serve-")} == {
        k: v for k, v in before.items() if not k.startswith("serve-")
    }


def test_bad_books_still_serve(browser, bad_books: Path, screenshots: Path) -> None:
    from selenium.webdriver.common.by import By

    with run_serve(bad_books) as bad:
        browser.get(bad.url("extension/TaskBoard/"))
        wait_for(browser, "#sd-load-errors")
        assert "Beancount 错误" in browser.find_element(By.ID, "sd-load-errors").text
        assert "T2025-007" in browser.find_element(By.ID, "sd-tasks").text
        browser.get(bad.url("extension/RuleFindings/"))
        errors = wait_for(browser, "#sd-beancount-errors")
        assert "main.beancount:" in errors.text
        assert "语法错误" in errors.text  # Beancount's English message, explained
        browser.save_screenshot(str(screenshots / "bad-books.png"))
        browser.get(bad.url("errors/"))
        wait_text(browser, "article", "oops")
