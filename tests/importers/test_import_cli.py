"""``sandao import identify / archive``, the beangulp importers and the benchmark hook."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from beancount.core import data
from importer_testdata import BAD, CONFIG, SAMPLES, archive_books

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


def _inbox(tmp_path: Path) -> Path:
    inbox = tmp_path / "inbox"
    shutil.copytree(SAMPLES, inbox)
    (inbox / "facts.json").unlink()
    return inbox


def _files(folder: Path) -> list[str]:
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file())


def test_archive_files_into_favas_document_layout(cli, ledger: Path, tmp_path: Path) -> None:
    inbox = _inbox(tmp_path)
    archive_books(ledger)
    docs = ledger.parent / "documents"
    args = ("import", "archive", inbox, "--ledger", ledger, "--config", CONFIG)
    code, stdout, stderr = cli(*args, "--dry-run")
    assert code == 0 and "→" in stdout, stderr
    assert not docs.exists()
    code, stdout, stderr = cli(*args)
    assert code == 0, stderr
    assert _files(docs) == [
        "Assets/C101-城东社区服务中心/1011-零余额账户用款额度/2025-03-25.国库集中支付明细_C101_2025Q1.csv",
        "Assets/C102-城西社区服务中心/1002-银行存款/2025-03-22.银行对账单_C102_202503.csv",
        "Assets/C102-城西社区服务中心/1011-零余额账户用款额度/2025-03-30.国库集中支付明细_C102_2025-03.xlsx",
        "全县/2025-07-01.预算指标_2025.xlsx",
    ]
    assert not list(inbox.iterdir())
    # Fava's 凭证文档 page lists the Document entries of the loaded books: all four files.
    from beancount import loader
    from beancount.core import data

    entries, _, _ = loader.load_file(str(ledger))
    documents = sorted(
        (e.account.split(":")[1][:4], e.account.rsplit(":", 1)[1][:4], Path(e.filename).name)
        for e in entries
        if isinstance(e, data.Document)
    )
    assert documents == [
        ("C101", "1011", "2025-03-25.国库集中支付明细_C101_2025Q1.csv"),
        ("C101", "1011", "2025-07-01.预算指标_2025.xlsx"),
        ("C102", "1002", "2025-03-22.银行对账单_C102_202503.csv"),
        ("C102", "1011", "2025-03-30.国库集中支付明细_C102_2025-03.xlsx"),
        ("C102", "1011", "2025-07-01.预算指标_2025.xlsx"),
    ]


def test_archive_is_all_or_nothing(cli, ledger: Path, tmp_path: Path) -> None:
    inbox = _inbox(tmp_path)
    docs = tmp_path / "docs"
    clash = (
        docs / "Assets/C102-城西社区服务中心/1002-银行存款/2025-03-22.银行对账单_C102_202503.csv"
    )
    clash.parent.mkdir(parents=True)
    clash.write_text("earlier", encoding="utf-8")
    before = _files(inbox)
    args = ("import", "archive", inbox, "--ledger", ledger, "--to", docs)
    code, _, stderr = cli(*args, "--config", CONFIG)
    assert code == 1 and "已存在" in stderr and "没有移动任何文件" in stderr
    assert _files(inbox) == before and _files(docs) == [clash.relative_to(docs).as_posix()]
    # Without the config's account mapping the statement's unit is unknown: refused by name.
    clash.unlink()
    code, _, stderr = cli(*args)
    assert code == 1 and "银行对账单_C102_202503.csv" in stderr and "属于哪个单位" in stderr
    assert _files(inbox) == before


def test_beangulp_importers(ledger: Path) -> None:
    importers = make_importers(str(CONFIG), str(ledger))
    quota, payment, bank = importers
    path = str(SAMPLES / "预算指标_2025.xlsx")
    assert quota.identify(path) and not payment.identify(path) and not bank.identify(path)
    entries = quota.extract(path, [])
    assert len([e for e in entries if isinstance(e, data.Custom)]) == 9
    payments = payment.extract(str(SAMPLES / "国库集中支付明细_C101_2025Q1.csv"), entries)
    assert len(payments) == 20 and all(isinstance(e, data.Transaction) for e in payments)
    account = payment.account(str(SAMPLES / "国库集中支付明细_C101_2025Q1.csv"))
    assert account == "Assets:C101-城东社区服务中心:1011-零余额账户用款额度"
    assert quota.account(path) == "全县:预算指标"


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
