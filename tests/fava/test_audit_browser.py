"""The 审计疑点 and 变更记录 pages in a real browser: a finding opens its entry in the journal."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import unquote

import pytest
from testbooks import git

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("browser")]

TIMEOUT = 20
U = "C101-城东社区服务中心"
AUDIT_BOOKS = f"""\
option "title" "城关县社区资金台账"
option "operating_currency" "CNY"
plugin "sandao.ledger"
2025-01-01 custom "unit" "C101" "城东社区服务中心"
2025-01-01 open Assets:{U}:1002-银行存款
2025-01-01 open Equity:{U}:3001-累计盈余
2025-01-01 open Expenses:{U}:30201-办公费
  stream: "运转"
  function: "2120101"
2025-01-02 * "县财政局" "期初"
  Assets:{U}:1002-银行存款  50000.00 CNY
  Equity:{U}:3001-累计盈余
2025-03-08 * "县宏达商行" "周六购买办公用品"
  voucher: "ZF0308"
  Expenses:{U}:30201-办公费  3456.00 CNY
  Assets:{U}:1002-银行存款
2025-03-10 * "县宏达商行" "周一购买打印纸"
  voucher: "ZF0310"
  Expenses:{U}:30201-办公费  1200.00 CNY
  Assets:{U}:1002-银行存款
"""


def _wait(driver, css: str, text: str | None = None):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import WebDriverWait

    wait = WebDriverWait(driver, TIMEOUT)
    if text is None:
        return wait.until(ec.visibility_of_element_located((By.CSS_SELECTOR, css)))
    return wait.until(ec.text_to_be_present_in_element((By.CSS_SELECTOR, css), text))


@pytest.fixture(scope="module")
def audit_server(tmp_path_factory: pytest.TempPathFactory, serve_books):
    folder = tmp_path_factory.mktemp("audit") / "county"
    folder.mkdir()
    (folder / "main.beancount").write_text(AUDIT_BOOKS, encoding="utf-8")
    for args in (["init", "-q"], ["add", "."], ["commit", "-q", "-m", "初始账簿"]):
        git(folder, *args, author="审计员")
    text = AUDIT_BOOKS.replace("1200.00 CNY", "1250.00 CNY")
    (folder / "main.beancount").write_text(text, encoding="utf-8")
    git(folder, "commit", "-q", "-am", "改打印纸金额", author="审计员")
    with serve_books(folder / "main.beancount") as running:
        yield running


def test_finding_opens_its_journal_entry(browser, audit_server, screenshots: Path) -> None:
    from selenium.webdriver.common.by import By

    browser.get(audit_server.url("extension/AuditFindings/"))
    _wait(browser, "#sd-audit-checks")
    checks = browser.find_element(By.ID, "sd-audit-checks").text
    assert "AU17" in checks and "节假日支付" in checks and "AU15" in checks
    section = browser.find_element(By.ID, "audit-AU17")
    assert "2025-03-08" in section.text and "3,456.00" in section.text
    browser.save_screenshot(str(screenshots / "audit-findings.png"))
    section.find_element(By.CSS_SELECTOR, "a.sd-journal").click()
    _wait(browser, "article", "周六购买办公用品")
    assert "/journal/" in browser.current_url
    assert "ZF0308" in unquote(browser.current_url)
    article = browser.find_element(By.TAG_NAME, "article").text
    assert "周一购买打印纸" not in article
    browser.save_screenshot(str(screenshots / "audit-journal.png"))


def test_change_history_page(browser, audit_server) -> None:
    from selenium.webdriver.common.by import By

    browser.get(audit_server.url("extension/ChangeHistory/"))
    _wait(browser, "#sd-history-summary")
    rows = browser.find_elements(By.CSS_SELECTOR, "tr.sd-history-change")
    assert len(rows) == 1
    assert "修改" in rows[0].text and "周一购买打印纸" in rows[0].text and "审计员" in rows[0].text
