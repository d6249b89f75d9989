"""Hostile paths, failed writes, the summary, encodings, links from memos and progress.

What the bad-export corpus does not cover: a path that is not an export at all, an
output that cannot be written (the run stays all or nothing), the per-file summary a
user reads, the encodings and layouts found by sniffing, a task id in the memo, and
the progress line on a terminal.
"""

from __future__ import annotations

import codecs
import errno
import io
import json
import shutil
import sys
import tempfile
from decimal import Decimal
from pathlib import Path

import pytest
from beancount.core import data
from beancount.parser import parser
from importer_testdata import BAD, GOOD, SAMPLES

from sandao.cli import main
from sandao.importers.bench import write_payment_export
from sandao.importers.config import load_config
from sandao.importers.run import identify_file

BASE = SAMPLES / "国库集中支付明细_C101_2025Q1.csv"
WAN = GOOD / "国库集中支付明细_C101_万元.csv"


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def _rows(text: str) -> list[list[str]]:
    return [line.split(",") for line in text.splitlines()]


def _write_csv(path: Path, rows: list[list[str]]) -> Path:
    path.write_text("\n".join(",".join(r) for r in rows) + "\n", encoding="gb18030")
    return path


def _transactions(path: Path) -> list[data.Transaction]:
    entries, errors, _ = parser.parse_file(str(path))
    assert not errors
    return [e for e in entries if isinstance(e, data.Transaction)]


# --- paths that are not exports, outputs that cannot be written ---------------------


@pytest.mark.parametrize(
    ("case", "words"),
    [
        ("missing export", "导出文件不存在"),
        ("empty folder", "没有找到可导入的导出文件"),
        ("output under a file", "是文件而不是目录"),
        ("output is a folder", "输出路径是目录"),
        ("output dir is a file", "是文件而不是目录"),
        ("config is a folder", "无法读取导入配置"),
        ("export is a folder path", "导出文件不存在"),
    ],
)
def test_hostile_paths(
    cli, ledger_with_quotas: Path, tmp_path: Path, case: str, words: str
) -> None:
    folder = tmp_path / "empty"
    folder.mkdir()
    blocker = tmp_path / "a-file"
    blocker.write_text("x", encoding="utf-8")
    output: list[object] = ["--output", tmp_path / "out.beancount"]
    inputs: list[object] = [BASE]
    config: list[object] = []
    if case == "missing export":
        inputs = [tmp_path / "不存在.csv"]
    elif case == "empty folder":
        inputs = [folder]
    elif case == "output under a file":
        output = ["--output", blocker / "out.beancount"]
    elif case == "output is a folder":
        output = ["--output", folder]
    elif case == "output dir is a file":
        output = ["--output-dir", blocker]
    elif case == "config is a folder":
        config = ["--config", folder]
    elif case == "export is a folder path":
        inputs = [blocker / "x.csv"]
    books = _snapshot(ledger_with_quotas.parent)
    before = _snapshot(tmp_path)
    code, _, stderr = cli(
        "import", "extract", *inputs, "--ledger", ledger_with_quotas, *output, *config
    )
    assert code == 1, stderr
    assert words in stderr and "没有写入任何文件" in stderr
    assert _snapshot(ledger_with_quotas.parent) == books
    assert _snapshot(tmp_path) == before


def test_failed_write_changes_no_output(
    extract, ledger: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Disk full while writing the second of four files: the first is not renamed in either."""
    out = tmp_path / "imported"
    code, _, stderr = extract(SAMPLES / "预算指标_2025.xlsx", "--output-dir", out, ledger=ledger)
    assert code == 0, stderr
    before = _snapshot(out)
    real = tempfile.mkstemp
    calls: list[int] = []

    def full_disk(*args: object, **kwargs: object) -> tuple[int, str]:
        calls.append(1)
        if len(calls) == 2:
            raise OSError(errno.ENOSPC, "No space left on device")
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(tempfile, "mkstemp", full_disk)
    code, _, stderr = extract(SAMPLES, "--output-dir", out, ledger=ledger)
    assert code == 1 and "磁盘空间不足" in stderr and "没有写入任何文件" in stderr
    assert len(calls) == 2
    assert _snapshot(out) == before  # no new file, no temporary file left behind


def test_archive_refuses_a_file_as_destination(cli, ledger: Path, tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    shutil.copy(BASE, inbox)
    target = tmp_path / "docs"
    target.write_text("", encoding="utf-8")
    code, _, stderr = cli("import", "archive", inbox, "--ledger", ledger, "--to", target)
    assert code == 1 and "是文件，应为目录" in stderr
    assert (inbox / BASE.name).exists()


def test_identify_missing_file(cli, tmp_path: Path) -> None:
    code, stdout, _ = cli("import", "identify", tmp_path / "nope.csv")
    assert code == 1 and "未识别" in stdout and "文件或目录不存在" in stdout


# --- the summary ---------------------------------------------------------------------


def test_summary_names_every_count(extract, ledger_with_quotas: Path, tmp_path: Path) -> None:
    output = tmp_path / "out.beancount"
    code, stdout, stderr = extract(WAN, "--output", output, ledger=ledger_with_quotas)
    assert code == 0, stderr
    assert (
        "读取 22 行，写入 21 条，重复跳过 0 条，作废跳过 1 行，退款 1 笔；合计相符（含作废行） 266992.68"
        in stdout
    )
    assert "新增 21 条" in stdout
    code, stdout, stderr = extract(WAN, "--output", output, "--json", ledger=ledger_with_quotas)
    assert code == 0, stderr
    (summary,) = json.loads(stdout)["files"]
    assert {k: summary[k] for k in ("rows", "entries", "duplicates", "voided", "control")} == {
        "rows": 22,
        "entries": 0,
        "duplicates": 21,
        "voided": 1,
        "control": "合计相符（含作废行）",
    }
    assert summary["control_total"] == "266992.68"


# --- encodings and layouts ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "kind", "encoding"),
    [
        (BASE, "csv", "gb18030"),
        (GOOD / "国库集中支付明细_C101_GBK.csv", "csv", "gb18030"),
        (GOOD / "国库集中支付明细_C101_UTF8.csv", "csv", "utf-8"),
        (GOOD / "国库集中支付明细_C101_双行表头.csv", "csv", "utf-8-sig"),
        (GOOD / "国库集中支付明细_C101_旧版.xls", "xls", None),
        (SAMPLES / "国库集中支付明细_C102_2025-03.xlsx", "xlsx", None),
    ],
)
def test_kind_and_encoding_sniffed(path: Path, kind: str, encoding: str | None) -> None:
    table = identify_file(str(path), load_config(None)).table
    assert (table.kind, table.encoding) == (kind, encoding)
    if encoding == "utf-8-sig":
        assert path.read_bytes().startswith(codecs.BOM_UTF8)


def test_header_found_below_titles_and_right_of_blank_columns(
    cli, extract, ledger_with_quotas: Path, tmp_path: Path
) -> None:
    rows = _rows(BASE.read_text(encoding="gb18030"))
    titles = [["打印人：张三"], [""], ["XX县财政局"], [""]]
    moved = _write_csv(tmp_path / "表头靠下.csv", titles + [["", "", *r] for r in rows])
    out = tmp_path / "out"
    code, _, stderr = extract(BASE, "--output-dir", out, ledger=ledger_with_quotas)
    assert code == 0, stderr
    code, stdout, stderr = extract(moved, "--output-dir", out, "--json", ledger=ledger_with_quotas)
    assert code == 0, stderr
    (summary,) = json.loads(stdout)["files"]
    # Same vouchers: every row is a duplicate of the base file's, found through the header.
    assert summary["rows"] == 20 and summary["duplicates"] == 20 and summary["entries"] == 0
    assert summary["control"] == "合计相符（不含作废行）"
    code, stdout, _ = cli("import", "identify", moved, "--json")
    assert json.loads(stdout)["files"][0]["header_row"] == 7


# --- links and payees ----------------------------------------------------------------


def test_task_link_from_memo(extract, ledger_with_quotas: Path, tmp_path: Path) -> None:
    rows = _rows(BASE.read_text(encoding="gb18030"))
    assert rows[3][4] == "ZB25-0101"  # a quota without a task
    rows[3][14] = "平安示范社区宣传品 T2025-007"
    path = _write_csv(tmp_path / "用途含任务.csv", rows)
    output = tmp_path / "out.beancount"
    code, _, stderr = extract(path, "--output", output, ledger=ledger_with_quotas)
    assert code == 0, stderr
    by_voucher = {t.meta["voucher"]: t for t in _transactions(output)}
    assert by_voucher["ZF1012025000001"].links == {"T2025-007"}
    assert not by_voucher["ZF1012025000002"].links
    rows[3][14] = "未声明任务 T2025-999"
    path = _write_csv(tmp_path / "用途含未知任务.csv", rows)
    code, _, stderr = extract(
        path, "--output", tmp_path / "o2.beancount", ledger=ledger_with_quotas
    )
    assert code == 1 and "第 4 行" in stderr and "「用途」" in stderr and "T2025-999" in stderr
    assert not (tmp_path / "o2.beancount").exists()


def test_account_numbers_only_in_metadata(extract, ledger: Path, tmp_path: Path) -> None:
    out = tmp_path / "imported"
    code, _, stderr = extract(SAMPLES, "--output-dir", out, ledger=ledger)
    assert code == 0, stderr
    checked = 0
    for path in out.iterdir():
        for txn in _transactions(path):
            number = txn.meta.get("payee_account")
            if number:
                checked += 1
                assert number not in (txn.payee or "") and number not in txn.narration
    assert checked >= 20


# --- progress ----------------------------------------------------------------------------


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_line_only_on_a_terminal(
    cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    csv_path, _, ledger_path, _ = write_payment_export(str(tmp_path), rows=6000, seed=2)
    code, _, stderr = cli(
        "import", "extract", csv_path, "--ledger", ledger_path, "--output", tmp_path / "a.bc"
    )
    assert code == 0 and "\r" not in stderr  # not a terminal: no progress line
    terminal = _Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    code = main(
        ["import", "extract", csv_path, "--ledger", ledger_path, "--output", str(tmp_path / "b.bc")]
    )
    assert code == 0
    shown = terminal.getvalue()
    assert "\r导入 bench_payments.csv [" in shown and "0/6000" in shown
    assert shown.endswith("] 6000/6000\n")


def test_bad_corpus_names_the_unit_line(extract, ledger_with_quotas: Path, tmp_path: Path) -> None:
    code, _, stderr = extract(
        BAD / "元和万元并存.csv", "--output", tmp_path / "o.bc", ledger=ledger_with_quotas
    )
    assert code == 1 and "第 2 行 B 列" in stderr and "金额单位：万元" in stderr


def test_file_name_with_quote_and_backslash(
    extract, ledger_with_quotas: Path, tmp_path: Path
) -> None:
    """The file name goes into `source:` metadata, escaped so the output still parses."""
    odd = tmp_path / 'a"b\\c.csv'
    shutil.copy(BASE, odd)
    output = tmp_path / "out.beancount"
    code, _, stderr = extract(odd, "--output", output, ledger=ledger_with_quotas)
    assert code == 0, stderr
    txns = _transactions(output)
    assert len(txns) == 20 and txns[0].meta["source"].startswith('a"b\\c.csv:')


def test_bank_statement_total_row(extract, ledger: Path, tmp_path: Path) -> None:
    """A statement's 合计 row is checked column by column; a wrong one refuses the file."""
    text = (SAMPLES / "银行对账单_C102_202503.csv").read_text(encoding="utf-8-sig")
    rows = [line.split(",") for line in text.splitlines()]
    debit = sum((Decimal(r[6]) for r in rows[1:] if r[6]), Decimal(0))
    credit = sum((Decimal(r[7]) for r in rows[1:] if r[7]), Decimal(0))

    def statement(name: str, debit_total: Decimal) -> Path:
        path = tmp_path / name  # the config maps 银行对账单_C102_* to unit C102
        lines = [*rows, ["合计", "", "", "", "", "", str(debit_total), str(credit), ""]]
        path.write_text("\n".join(",".join(r) for r in lines) + "\n", encoding="utf-8-sig")
        return path

    good = statement("银行对账单_C102_合计.csv", debit)
    code, stdout, stderr = extract(good, "--output", tmp_path / "a.bc", "--json", ledger=ledger)
    assert code == 0, stderr
    assert json.loads(stdout)["files"][0]["control"] == "合计相符（借方发生额、贷方发生额）"
    wrong = debit + Decimal("0.01")
    bad = statement("银行对账单_C102_合计不符.csv", wrong)
    code, _, stderr = extract(bad, "--output", tmp_path / "b.bc", ledger=ledger)
    assert code == 1 and "第 24 行" in stderr and "「借方发生额」" in stderr
    assert f"{wrong}" in stderr and f"{debit}" in stderr
    assert not (tmp_path / "b.bc").exists()
