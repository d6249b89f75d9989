"""``sandao import identify / archive``, the beangulp importers and the benchmark hook."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from beancount.core import data
from importer_testdata import BAD, CONFIG, SAMPLES

from sandao.importers.beangulp_importers import make_importers
from sandao.importers.bench import bench_payment_import


def test_identify(cli) -> None:
    code, stdout, _ = cli("import", "identify", SAMPLES, "--config", CONFIG)
    assert code == 0
    lines = dict(line.split("\t")[:2] for line in stdout.splitlines())
    assert {Path(k).name: v for k, v in lines.items()} == {
        "国库集中支付明细_C101_2025Q1.csv": "国库集中支付",
        "国库集中支付明细_C102_2025-03.xlsx": "国库集中支付",
        "预算指标_2025.xlsx": "预算指标",
        "银行对账单_C102_202503.csv": "银行对账单",
    }


def test_identify_json_and_unknown(cli) -> None:
    code, stdout, _ = cli(
        "import", "identify", SAMPLES / "预算指标_2025.xlsx", BAD / "无法识别的表.csv", "--json"
    )
    assert code == 1
    files = json.loads(stdout)["files"]
    assert files[0]["importer"] == "预算指标" and files[0]["header_row"] == 3
    assert files[1]["importer"] is None and "无法识别" in files[1]["error"]


def test_archive_files_by_unit_and_date(cli, tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    shutil.copytree(SAMPLES, inbox)
    (inbox / "facts.json").unlink()
    docs = tmp_path / "docs"
    code, stdout, _ = cli("import", "archive", inbox, "--to", docs, "--config", CONFIG, "--dry-run")
    assert code == 0 and "→" in stdout
    assert not docs.exists()
    code, _, stderr = cli("import", "archive", inbox, "--to", docs, "--config", CONFIG)
    assert code == 0, stderr
    filed = sorted(str(p.relative_to(docs)) for p in docs.rglob("*") if p.is_file())
    assert filed == [
        "C101/国库集中支付/2025-03-25.国库集中支付明细_C101_2025Q1.csv",
        "C102/国库集中支付/2025-03-30.国库集中支付明细_C102_2025-03.xlsx",
        "C102/银行对账单/2025-03-22.银行对账单_C102_202503.csv",
        "全县/预算指标/2025-07-01.预算指标_2025.xlsx",
    ]
    assert not list(inbox.iterdir())


def test_beangulp_importers(ledger: Path) -> None:
    importers = make_importers(str(CONFIG), str(ledger))
    quota, payment, bank = importers
    path = str(SAMPLES / "预算指标_2025.xlsx")
    assert quota.identify(path) and not payment.identify(path) and not bank.identify(path)
    entries = quota.extract(path, [])
    assert len([e for e in entries if isinstance(e, data.Custom)]) == 9
    payments = payment.extract(str(SAMPLES / "国库集中支付明细_C101_2025Q1.csv"), entries)
    assert len(payments) == 20 and all(isinstance(e, data.Transaction) for e in payments)
    assert payment.account(str(SAMPLES / "国库集中支付明细_C101_2025Q1.csv")) == "C101:国库集中支付"


def test_bench_hook_small(tmp_path: Path) -> None:
    figures = bench_payment_import(str(tmp_path), rows=2000, seed=1)
    assert (
        figures["rows"] == 2000
        and figures["entries_csv"] == 2000
        and figures["entries_xlsx"] == 2000
    )
    for key in (
        "csv_extract_seconds",
        "pandas_read_csv_seconds",
        "csv_ratio",
        "xlsx_extract_seconds",
        "pandas_read_excel_calamine_seconds",
        "xlsx_ratio_vs_read_excel",
        "xlsx_ratio_vs_read_csv",
    ):
        assert figures[key] > 0
