"""Benchmark of the payment importer: extract of a 100,000-row export vs ``pandas.read_csv``.

quality.md sets the target: extract ÷ ``pandas.read_csv`` of the same file ≤ 12, ledger
load excluded.  :func:`bench_payment_import` generates a synthetic treasury payment export
(CSV, and the same rows as xlsx through xlsxwriter) from a seed, loads a small ledger
declaring its units, quotas and accounts, and times extract (read, check, build the
entry text, write the output file) against pandas reading the same file.
``sandao bench`` calls it and prints the figures.
"""

from __future__ import annotations

import csv
import datetime
import os
import random
import time
from decimal import Decimal
from typing import Any

from sandao.importers.config import ImportConfig
from sandao.importers.ledger_view import load_ledger
from sandao.importers.run import atomic_write, extract_files, render

_HEADER = [
    "支付凭证号",
    "支付日期",
    "预算单位编码",
    "预算单位名称",
    "指标编号",
    "功能分类编码",
    "经济分类编码",
    "经济分类名称",
    "项目编码",
    "收款人全称",
    "收款人账号",
    "收款人开户行",
    "支付金额",
    "支付方式",
    "用途",
    "状态",
]
_ECONOMIC = {
    "30201": "办公费",
    "30205": "水费",
    "30206": "电费",
    "30207": "邮电费",
    "30211": "差旅费",
    "30216": "培训费",
    "30226": "劳务费",
    "30227": "委托业务费",
    "30299": "其他商品和服务支出",
}
_PAYEES = [
    "县供电公司",
    "县新华书店",
    "县职业培训学校",
    "县宏达办公用品商行",
    "县城投物业服务有限公司",
    "县建筑维修工程队",
    "张伟",
    "王芳",
    "县电信分公司",
    "县自来水公司",
]
UNITS = 20


def _ledger_text(units: int) -> str:
    lines = ['option "operating_currency" "CNY"']
    for u in range(units):
        code, name = f"C{101 + u}", f"测试社区服务中心{u + 1}"
        lines.append(f'2024-01-01 custom "unit" "{code}" "{name}"')
        lines.append(f"2024-01-01 open Assets:{code}-{name}:1011-零余额账户用款额度 CNY")
        for econ, econ_name in _ECONOMIC.items():
            lines.append(f"2024-01-01 open Expenses:{code}-{name}:{econ}-{econ_name} CNY")
        lines.append(f'2025-01-10 custom "quota" "ZB25-{u:02d}01" "运转经费" 100000000.00 CNY')
        lines.append(
            f'  unit: "{code}"\n  stream: "运转"\n  function: "2120101"\n  economic: "302"'
        )
    return "\n".join(lines) + "\n"


def write_payment_export(
    directory: str, rows: int = 100_000, seed: int = 0, units: int = UNITS
) -> tuple[str, str, str, Decimal]:
    """Write the synthetic export as CSV and xlsx plus its ledger; returns (csv, xlsx, ledger, total)."""
    import xlsxwriter

    rng = random.Random(seed)
    start = datetime.date(2025, 1, 1)
    data: list[list[Any]] = []
    total = Decimal(0)
    economics = list(_ECONOMIC.items())
    for i in range(rows):
        u = rng.randrange(units)
        econ, econ_name = economics[rng.randrange(len(economics))]
        fen = rng.randrange(100, 5_000_000)
        amount = Decimal(fen) / 100
        total += amount
        date = start + datetime.timedelta(days=rng.randrange(365))
        payee = _PAYEES[rng.randrange(len(_PAYEES))]
        data.append(
            [
                f"ZF{i:012d}",
                date,
                f"C{101 + u}",
                f"测试社区服务中心{u + 1}",
                f"ZB25-{u:02d}01",
                "2120101",
                econ,
                econ_name,
                "",
                payee,
                f"6222{rng.randrange(10**15):015d}",
                "县农村商业银行营业部",
                amount,
                "授权支付" if i % 3 else "直接支付",
                f"{econ_name}（{date.month}月）",
                "已支付",
            ]
        )
    csv_path = os.path.join(directory, "bench_payments.csv")
    with open(csv_path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["XX县国库集中支付明细表"])
        writer.writerow(["单位：元"])
        writer.writerow(_HEADER)
        for row in data:
            writer.writerow(
                [*row[:1], row[1].isoformat(), *row[2:12], f"{row[12]:,.2f}", *row[13:]]
            )
        writer.writerow(["合计", *[""] * 11, f"{total:,.2f}"])
    xlsx_path = os.path.join(directory, "bench_payments.xlsx")
    workbook = xlsxwriter.Workbook(xlsx_path, {"constant_memory": True})
    sheet = workbook.add_worksheet("支付明细")
    date_format = workbook.add_format({"num_format": "yyyy-mm-dd"})
    sheet.write_row(0, 0, ["XX县国库集中支付明细表"])
    sheet.write_row(1, 0, ["单位：元"])
    sheet.write_row(2, 0, _HEADER)
    for r, row in enumerate(data, start=3):
        sheet.write_row(r, 0, row[:1])
        sheet.write_datetime(r, 1, datetime.datetime.combine(row[1], datetime.time()), date_format)
        sheet.write_row(r, 2, [*row[2:12], float(row[12]), *row[13:]])
    sheet.write_row(len(data) + 3, 0, ["合计", *[""] * 11, float(total)])
    workbook.close()
    ledger_path = os.path.join(directory, "bench_ledger.beancount")
    with open(ledger_path, "w", encoding="utf-8") as handle:
        handle.write(_ledger_text(units))
    return csv_path, xlsx_path, ledger_path, total


def _time_extract(path: str, ledger_path: str, output: str, repeat: int) -> tuple[float, int]:
    """Best of ``repeat`` extracts (read, check, build text, write); the ledger load is not timed."""
    best, entries = float("inf"), 0
    for _ in range(repeat):
        ledger = load_ledger(ledger_path)
        started = time.perf_counter()
        results = extract_files([path], ledger, ImportConfig())
        atomic_write(output, render([d for r in results for d in r.drafts]))
        best = min(best, time.perf_counter() - started)
        entries = sum(r.entries for r in results)
        os.remove(output)
    return best, entries


def _best(repeat: int, function: Any) -> float:
    best = float("inf")
    for _ in range(repeat):
        started = time.perf_counter()
        function()
        best = min(best, time.perf_counter() - started)
    return best


def bench_payment_import(
    tmpdir: str, rows: int = 100_000, seed: int = 0, repeat: int = 3
) -> dict[str, Any]:
    """Time extract of a ``rows``-row payment export (CSV and xlsx) against pandas reading it.

    Each figure is the best of ``repeat`` runs (the machine is shared and noisy).
    """
    import pandas

    csv_path, xlsx_path, ledger_path, total = write_payment_export(tmpdir, rows, seed)
    frame = pandas.read_csv(csv_path, skiprows=2, dtype=str)
    assert len(frame) == rows + 1  # the 合计 row
    read_csv = _best(repeat, lambda: pandas.read_csv(csv_path, skiprows=2, dtype=str))
    read_xlsx = _best(
        repeat, lambda: pandas.read_excel(xlsx_path, skiprows=2, dtype=str, engine="calamine")
    )
    csv_seconds, csv_entries = _time_extract(
        csv_path, ledger_path, os.path.join(tmpdir, "out_csv.beancount"), repeat
    )
    xlsx_seconds, xlsx_entries = _time_extract(
        xlsx_path, ledger_path, os.path.join(tmpdir, "out_xlsx.beancount"), repeat
    )
    return {
        "rows": rows,
        "seed": seed,
        "repeat": repeat,
        "total": str(total),
        "csv_extract_seconds": round(csv_seconds, 3),
        "pandas_read_csv_seconds": round(read_csv, 3),
        "csv_ratio": round(csv_seconds / read_csv, 2),
        "xlsx_extract_seconds": round(xlsx_seconds, 3),
        "pandas_read_excel_calamine_seconds": round(read_xlsx, 3),
        "xlsx_ratio_vs_read_excel": round(xlsx_seconds / read_xlsx, 2),
        "xlsx_ratio_vs_read_csv": round(xlsx_seconds / read_csv, 2),
        "entries_csv": csv_entries,
        "entries_xlsx": xlsx_entries,
        "target_csv_ratio": 12,
    }


if __name__ == "__main__":  # pragma: no cover
    import json
    import sys
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        print(
            json.dumps(
                bench_payment_import(folder, int(sys.argv[1]) if len(sys.argv) > 1 else 100_000)
            )
        )
