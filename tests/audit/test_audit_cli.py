"""``sandao audit`` as a command: output, JSON, the working paper, exit codes."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from auditbooks import BASE, pay

from sandao.cli import main

BOOKS = (
    'plugin "sandao.ledger"\n'
    + BASE
    + pay("2024-03-09", "县宏达商行", "办公用品", "3456.00", extra='voucher: "ZF001"')
    + pay("2024-12-05", "县惠民超市", "慰问品", "6000.00")
)


@pytest.fixture
def ledger(tmp_path: Path) -> Path:
    path = tmp_path / "main.beancount"
    path.write_text(BOOKS, encoding="utf-8")
    return path


def test_text_output_exits_zero_with_findings(ledger: Path, capsys) -> None:
    assert main(["audit", str(ledger)]) == 0
    out = capsys.readouterr().out
    assert "AU17 节假日支付：1 项" in out
    assert "AU10 超市商场大额整数消费：1 项" in out
    assert "main.beancount:" in out and "凭证 ZF001" in out
    assert "AU02 虚列支出：无" in out


def test_json_year_and_unit(ledger: Path, capsys) -> None:
    assert main(["audit", str(ledger), "--json", "--year", "2024", "--unit", "C101"]) == 0
    record = json.loads(capsys.readouterr().out)
    assert [c["code"] for c in record["checks"]] == [f"AU{n:02d}" for n in range(1, 22)]
    au17 = [f for f in record["findings"] if f["code"] == "AU17"]
    assert au17[0]["entries"][0]["voucher"] == "ZF001"
    assert au17[0]["basis"] and au17[0]["parameters"] is not None
    assert {f["unit"] for f in record["findings"]} == {"C101"}


def test_config_thresholds_from_sandao_toml(ledger: Path, capsys) -> None:
    (ledger.parent / "sandao.toml").write_text(
        textwrap.dedent(
            """\
            [county]
            workdays = [2024-03-09]

            [audit.AU10]
            minimum = 7000
            """
        ),
        encoding="utf-8",
    )
    assert main(["audit", str(ledger), "--json"]) == 0
    codes = {f["code"] for f in json.loads(capsys.readouterr().out)["findings"]}
    assert "AU17" not in codes and "AU10" not in codes


def test_working_paper_is_deterministic(ledger: Path, tmp_path: Path) -> None:
    import openpyxl

    first, second = tmp_path / "a.xlsx", tmp_path / "b.xlsx"
    assert main(["audit", str(ledger), "--xlsx", str(first)]) == 0
    assert main(["audit", str(ledger), "--xlsx", str(second)]) == 0
    assert first.read_bytes() == second.read_bytes()
    book = openpyxl.load_workbook(first)
    assert book.sheetnames[:2] == ["索引", "汇总"] and len(book.sheetnames) == 25
    sheet = book["AU17 节假日支付"]
    values = [c.value for row in sheet.iter_rows() for c in row]
    assert "ZF001" in values


@pytest.mark.parametrize(
    ("argv", "needle"),
    [
        (["--config", "missing.toml"], "missing.toml"),
        (["--unit", "C999"], "C999"),
        (["--xlsx", "no/such/dir/x.xlsx"], "--xlsx"),
    ],
)
def test_unusable_input_exits_two(ledger: Path, capsys, argv: list[str], needle: str) -> None:
    assert main(["audit", str(ledger), *argv]) == 2
    err = capsys.readouterr().err
    assert needle in err and "Traceback" not in err


def test_bad_threshold_and_missing_books(ledger: Path, tmp_path: Path) -> None:
    (ledger.parent / "sandao.toml").write_text('[audit.AU01]\nshare = "一半"\n', encoding="utf-8")
    scripts = Path(sys.executable).parent
    done = subprocess.run(
        [str(scripts / "sandao"), "audit", str(ledger)], capture_output=True, text=True
    )
    assert done.returncode == 2 and "share" in done.stderr and "Traceback" not in done.stderr
    done = subprocess.run(
        [str(scripts / "sandao"), "audit", str(tmp_path / "nope.beancount")],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 2 and "Traceback" not in done.stderr
