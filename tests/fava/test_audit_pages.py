"""The audit pages in Fava (served, no browser): links open the entry itself (Fava's
entry context), C001 points at the changed entries, history shows before → after, and
a repository without committed books is a page with a sentence, not a 500."""

from __future__ import annotations

import json
import re
import urllib.request
from pathlib import Path

import pytest
from fava_server import run_serve
from testbooks import git

from sandao.cli import main

SLUG = "清河县三到社区资金台账示例"
OLD = "  Expenses:C101-城东社区服务中心:30213-维修（护）费                        56000.00 CNY\n"


def _get(server, path: str) -> str:
    url = f"{server.base}/{urllib.request.quote(SLUG)}/{path}"
    with urllib.request.urlopen(url, timeout=120) as page:
        assert page.status == 200
        return page.read().decode("utf-8")


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory):
    books = tmp_path_factory.mktemp("auditpages") / "county"
    assert main(["example", str(books)]) == 0
    git(books, "init", "-q")
    git(books, "commit", "-q", "--allow-empty", "-m", "空仓库")
    git(books, "add", "-A")
    git(books, "commit", "-qm", "账簿")
    year = books / "2024.beancount"
    text = year.read_text(encoding="utf-8")
    assert OLD in text
    new = OLD.replace("56000.00", "56000.01")
    year.write_text(
        text.replace(OLD, new).replace(
            "  Assets:C101-城东社区服务中心:1011-零余额账户用款额度                     -56000.00 CNY\n",
            "  Assets:C101-城东社区服务中心:1011-零余额账户用款额度                     -56000.01 CNY\n",
            1,
        ),
        encoding="utf-8",
    )
    git(books, "commit", "-qam", "改一笔 2024 年的金额")
    with run_serve(books / "main.beancount") as server:
        yield server


def _context(server, digest: str) -> dict:
    return json.loads(_get(server, f"api/context?entry_hash={digest}"))["data"]


def test_audit_finding_links_open_the_entry(served) -> None:
    html = _get(served, "extension/AuditFindings/")
    links = re.findall(r'class="sd-journal" href="([^"]+)"', html)
    assert links and all("#context-" in link for link in links)
    digest = next(link for link in links if "ZF1012025000010" in link).split("#context-")[1]
    assert "王芳" in json.dumps(_context(served, digest), ensure_ascii=False)


def test_c001_points_at_the_changed_entry(served) -> None:
    html = _get(served, "extension/RuleFindings/")
    assert "C001" in html
    changed = re.findall(
        r'class="sd-note sd-c001-entry">修改 <a class="sd-entry" href="([^"]+)">([^<]+)</a>', html
    )
    assert changed and "社区服务大厅维修改造（一期）" in changed[0][1]
    digest = changed[0][0].split("#context-")[1]
    assert "56000.01" in json.dumps(_context(served, digest))


def test_history_page_before_and_after(served) -> None:
    html = _get(served, "extension/ChangeHistory/?since=HEAD~1")
    assert "56000 CNY → 56000.01 CNY" in html
    assert re.search(r'class="sd-entry" href="[^"]+#context-[0-9a-f]+"', html)


def test_history_page_of_a_repository_without_books(tmp_path: Path) -> None:
    books = tmp_path / "county"
    assert main(["example", str(books)]) == 0
    git(books, "init", "-q")
    git(books, "commit", "-q", "--allow-empty", "-m", "空仓库")
    with run_serve(books / "main.beancount") as server:
        html = _get(server, "extension/ChangeHistory/")
    assert "还没有提交过账簿文件" in html
