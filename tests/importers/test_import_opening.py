"""A bank statement's opening balance against the books; ``--output -``; config in sandao.toml."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

from importer_testdata import CONFIG, SAMPLES

STATEMENT = SAMPLES / "银行对账单_C102_202503.csv"
OPENING = re.compile(
    r"2025-03-01 \* \"期初余额\".*\n(?:  .*\n)*?  Assets:C102-城西社区服务中心:1002-银行存款  35210\.40 CNY\n"
)


def _edit(ledger: Path, old: str, new: str) -> None:
    text = ledger.read_text(encoding="utf-8")
    assert old in text
    ledger.write_text(text.replace(old, new), encoding="utf-8")


def _drop_opening(ledger: Path) -> None:
    _edit(
        ledger,
        '2024-12-31 * "期初余额" "城西社区服务中心银行存款期初"\n'
        "  Assets:C102-城西社区服务中心:1002-银行存款  35210.40 CNY\n"
        "  Equity:C102-城西社区服务中心:3001-累计盈余  -35210.40 CNY\n",
        "",
    )


def test_books_without_opening_get_the_opening_entry(cli, ledger: Path) -> None:
    _drop_opening(ledger)
    out = ledger.parent / "bank.beancount"
    code, stdout, stderr = cli(
        "import", "extract", STATEMENT, "--ledger", ledger, "--config", CONFIG, "--output", out
    )
    assert code == 0, stderr
    text = out.read_text(encoding="utf-8")
    assert OPENING.search(text), text[:600]
    assert "Equity:C102-城西社区服务中心:3001-累计盈余  -35210.40 CNY" in text
    assert "已按对账单期初余额 35210.40" in stdout
    # The books with the import now check without a single balance error.
    with ledger.open("a", encoding="utf-8") as handle:
        handle.write('\ninclude "bank.beancount"\n')
    code, stdout, _ = cli("check", ledger, "--json", "--no-cache")
    codes = {f["code"] for f in json.loads(stdout)}
    assert "BalanceError" not in codes, codes
    # Importing again adds nothing: the opening is in the books now.
    code, stdout, stderr = cli(
        "import", "extract", STATEMENT, "--ledger", ledger, "--config", CONFIG, "--output", out
    )
    assert code == 0 and "没有新分录" in stdout, stderr


def test_no_opening_and_no_equity_account_says_what_to_add(cli, ledger: Path) -> None:
    _drop_opening(ledger)
    _edit(ledger, "2024-01-01 open Equity:C102-城西社区服务中心:3001-累计盈余 CNY\n", "")
    out = ledger.parent / "bank.beancount"
    code, _, stderr = cli(
        "import", "extract", STATEMENT, "--ledger", ledger, "--config", CONFIG, "--output", out
    )
    assert code == 1 and not out.exists()
    assert "之前没有任何分录，而对账单期初余额为 35210.40" in stderr
    assert '2025-03-01 * "期初余额"' in stderr
    assert "Equity:C102-城西社区服务中心:3001-累计盈余  -35210.40 CNY" in stderr


def test_opening_that_differs_from_the_books_is_refused(cli, ledger: Path) -> None:
    _edit(ledger, "1002-银行存款  35210.40 CNY", "1002-银行存款  35000.00 CNY")
    _edit(ledger, "3001-累计盈余  -35210.40 CNY", "3001-累计盈余  -35000.00 CNY")
    out = ledger.parent / "bank.beancount"
    code, _, stderr = cli(
        "import", "extract", STATEMENT, "--ledger", ledger, "--config", CONFIG, "--output", out
    )
    assert code == 1 and not out.exists()
    assert "对账单期初余额 35210.40" in stderr and "余额 35000.00 不符（相差 210.40）" in stderr
    assert "第 2 行" in stderr


def test_output_dash_writes_entries_to_stdout(cli, ledger: Path) -> None:
    before = sorted(p.name for p in ledger.parent.iterdir())
    code, stdout, stderr = cli(
        "import", "extract", STATEMENT, "--ledger", ledger, "--config", CONFIG, "--output", "-"
    )
    assert code == 0, stderr
    assert stdout.startswith("2025-03-02 * ") and "balance Assets:C102" in stdout
    assert "输出到标准输出：新增" in stderr and "期末余额" in stderr
    assert sorted(p.name for p in ledger.parent.iterdir()) == before


def test_import_config_in_the_county_config(cli, ledger: Path, tmp_path: Path) -> None:
    body = CONFIG.read_text(encoding="utf-8")
    nested = re.sub(r"^\[(\[?)(?!\[)", r"[\1import.", body, flags=re.M)
    county = ledger.parent / "sandao.toml"
    county.write_text('[county]\nname = "XX县"\n\n' + nested, encoding="utf-8")
    # Beside the books, without --config …
    code, stdout, stderr = cli("import", "extract", STATEMENT, "--ledger", ledger, "--output", "-")
    assert code == 0, stderr
    # … and named with --config from elsewhere.
    elsewhere = tmp_path / "county.toml"
    shutil.move(county, elsewhere)
    code, stdout2, stderr = cli(
        "import", "extract", STATEMENT, "--ledger", ledger, "--config", elsewhere, "--output", "-"
    )
    assert code == 0, stderr
    assert stdout2 == stdout
    # With neither, the statement's unit is unknown.
    code, _, stderr = cli("import", "extract", STATEMENT, "--ledger", ledger, "--output", "-")
    assert code == 1 and "属于哪个单位" in stderr
