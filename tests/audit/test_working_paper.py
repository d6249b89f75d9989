"""The working paper (审计工作底稿) read back with openpyxl: header block, full vouchers,
stable entry ids, the auditor's columns, fund-rule and provenance sheets, same bytes."""

from __future__ import annotations

import shutil
from pathlib import Path

import openpyxl
import pytest
from testbooks import git

from sandao.cli import main

PAPER = """
[audit.paper]
"项目名称" = "清河县三到社区资金专项审计"
"编制人" = "李审"
"编制日期" = 2025-10-20
"复核人" = "王复"
"附件数" = 3
"""


@pytest.fixture(scope="module")
def books(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("paper") / "county"
    assert main(["example", str(folder)]) == 0
    with (folder / "sandao.toml").open("a", encoding="utf-8") as handle:
        handle.write(PAPER)
    for args in (["init", "-q"], ["add", "-A"], ["commit", "-qm", "books"]):
        git(folder, *args)
    return folder


def _paper(books: Path, out: Path) -> openpyxl.Workbook:
    assert main(["audit", str(books / "main.beancount"), "--xlsx", str(out)]) == 0
    return openpyxl.load_workbook(out)


def _pairs(sheet) -> dict[str, str]:
    return {r[0]: r[1] for r in sheet.iter_rows(min_row=4, values_only=True) if r[0]}


def test_index_sheet_header_block(books: Path, tmp_path: Path, capsys) -> None:
    book = _paper(books, tmp_path / "p.xlsx")
    assert book.sheetnames[:2] == ["索引", "汇总"]
    assert book.sheetnames[-2:] == ["资金规则检查发现", "数据来源"]
    index = _pairs(book["索引"])
    assert index["审计项目名称"] == "清河县三到社区资金专项审计"
    assert index["编制人"] == "李审" and index["复核人"] == "王复" and index["附件数"] == "3"
    assert index["编制日期"] == "2025-10-20" and index["复核日期"] == ""  # labelled, to fill
    assert index["编制单位"] == "清河县"
    assert "C101 城东社区服务中心" in index["被审计单位"]
    assert "AU15-1…AU15-4" in index["索引号"]
    head = git(books, "rev-parse", "HEAD")
    assert index["git 版本"].startswith(head) and "无未提交" in index["git 版本"]
    assert "证书相符" in index["结账状态"] and "sha256:" in index["配置摘要"]
    assert book["AU01 年度突击花钱"]["A2"].value == "编制单位：清河县"


def test_full_vouchers_ids_and_auditor_columns(books: Path, tmp_path: Path) -> None:
    sheet = _paper(books, tmp_path / "p.xlsx")["AU02 虚列支出"]
    header = [c.value for c in sheet[3]]
    for label in ("索引号", "分录编号", "支付凭证号", "科目", "经济分类", "收款人", "摘要"):
        assert label in header
    for label in ("核实情况", "定性", "问题金额", "依据条款"):
        assert label in header
    row = dict(zip(header, [c.value for c in sheet[4]], strict=False))
    assert row["索引号"] == "AU02-1"
    assert row["支付凭证号"] == "ZF1012025000010" and "*" not in row["支付凭证号"]
    assert row["分录编号"] == "ZF1012025000010" and row["经济分类"] == "30226 劳务费"


def _ids(book: openpyxl.Workbook) -> tuple[list, list]:
    ids, places = [], []
    for name in book.sheetnames:
        if not name.startswith("AU"):
            continue
        sheet = book[name]
        header = [c.value for c in sheet[3]]
        if "分录编号" not in header:
            continue
        col, where = header.index("分录编号"), header.index("文件:行")
        for row in sheet.iter_rows(min_row=4, values_only=True):
            if row[col]:
                ids.append((name, row[0], row[col]))
                places.append(row[where])
    return ids, places


def test_ids_survive_an_edit_that_moves_every_line(books: Path, tmp_path: Path) -> None:
    before, where_before = _ids(_paper(books, tmp_path / "a.xlsx"))
    copy = tmp_path / "county"
    shutil.copytree(books, copy)
    for name in ("2024.beancount", "2025.beancount", "2025-q2q3.beancount"):
        path = copy / name
        path.write_text(";\n;\n; 注释\n" + path.read_text(encoding="utf-8"), encoding="utf-8")
    imported = copy / "imported"
    for path in imported.glob("*.beancount"):
        path.write_text("; 重新导入\n" + path.read_text(encoding="utf-8"), encoding="utf-8")
    after, where_after = _ids(_paper(copy, tmp_path / "b.xlsx"))
    assert before and before == after
    assert not set(where_before) & set(where_after)  # every line moved
    assert any(i.startswith("h:") for _, _, i in before)  # hand-kept entries: content ids


def test_rule_findings_and_provenance_sheets(books: Path, tmp_path: Path) -> None:
    book = _paper(books, tmp_path / "p.xlsx")
    rules = [r for r in book["资金规则检查发现"].iter_rows(min_row=4, values_only=True) if r[0]]
    assert [r[0] for r in rules].count("T001") == 2
    assert all(r[8] for r in rules if r[0] == "T001")  # the fix
    source = _pairs(book["数据来源"])
    assert source["账簿"].endswith("main.beancount")
    assert source["工作区"].startswith("干净")
    assert source["Beancount 版本"] and source["sandao 版本"]
    assert "证书相符" in source["结账 C101 截至 2024-12-31"]
    assert source["配置摘要"].startswith("sha256:")


def test_same_bytes_twice(books: Path, tmp_path: Path) -> None:
    _paper(books, tmp_path / "a.xlsx")
    _paper(books, tmp_path / "b.xlsx")
    assert (tmp_path / "a.xlsx").read_bytes() == (tmp_path / "b.xlsx").read_bytes()
