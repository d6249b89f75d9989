"""``sandao trace``: the entries behind one figure of the auditor's edition.

Reads a ``*.trace.json`` that ``sandao report --edition audit`` wrote under ``audit/``
(:mod:`sandao.reports.audit_edition`) and prints the cell's entries — file:line, date,
payee, narration, signed amount — and their sum; a cell made of other cells prints its
parts with their figures.  ``--json`` gives the cell's trace as it is stored.
"""

from __future__ import annotations

import argparse
import json
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from sandao.cli_helpers import UserError


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    parser = subparsers.add_parser(
        "trace",
        help="列出审计版报表中一个数字的来源分录 (entries behind one figure)",
        description="读取 sandao report --edition audit 写出的 audit/…/*.trace.json，"
        "列出一个单元格的来源分录（文件:行、日期、收款人、摘要、金额）及其合计。",
    )
    parser.add_argument("report", type=Path, help="审计版的 *.trace.json")
    parser.add_argument("table", help="表的编号，如 t1、t5（或 一、五）")
    parser.add_argument("row", help="行：科目编码（如 2120101）或项目名称（如 本年支出合计）")
    parser.add_argument("column", help="列的键，如 total、basic、in_amount（见 --json 的 columns）")
    parser.add_argument("--json", action="store_true", help="以 JSON 输出该单元格的来源")
    parser.set_defaults(func=cmd_trace)
    return parser


NUMERALS = "一二三四五六七八九十"


def _load(path: Path) -> dict[str, Any]:
    try:
        document = json.loads(path.read_text("utf-8"))
    except FileNotFoundError:
        raise UserError(f"找不到文件 {path}", 2) from None
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise UserError(f"{path} 不是审计版报表的 JSON（{exc}）", 2) from None
    if not isinstance(document, dict) or document.get("edition") != "audit":
        raise UserError(
            f"{path} 不是审计版报表（sandao report --edition audit 写出的 *.trace.json）", 2
        )
    return document


def _table(document: dict[str, Any], name: str) -> dict[str, Any]:
    wanted = name.strip().removeprefix("表")
    if wanted and wanted[0] in NUMERALS and len(wanted) == 1:
        wanted = f"{document['tables'][0]['key'][0]}{NUMERALS.index(wanted) + 1}"
    for table in document["tables"]:
        if table["key"] == wanted or table["title"].startswith(f"{name}、"):
            return table
    keys = "、".join(t["key"] for t in document["tables"])
    raise UserError(f"{document['title']} 中没有表 {name}（可用：{keys}）", 2)


def find_cell(document: dict[str, Any], table: str, row: str, column: str) -> dict[str, Any]:
    """The traced cell at (table, row, column); a sentence (exit 2) when there is none."""
    found = _table(document, table)
    for cell in found["cells"]:
        if cell["row"] == row and cell["column"] == column:
            return cell
    columns = "、".join(c["key"] for c in found["columns"])
    raise UserError(
        f"{found['title']} 没有行“{row}”列 {column} 的非零金额（列：{columns}）；"
        "零值单元格没有来源分录",
        2,
    )


def cmd_trace(args: argparse.Namespace) -> int:
    document = _load(args.report)
    cell = find_cell(document, args.table, args.row, args.column)
    if args.json:
        print(json.dumps(cell, ensure_ascii=False, indent=1))
        return 0
    details = document.get("entries", {})
    print(
        f"{document['title']} — {args.table} 行“{cell['row']}” 列 {cell['column']}：{cell['cell']}"
    )
    table = _table(document, args.table)
    if "derived" in cell:
        print(f"由以下数字计算（{cell['derived']}）：")
        for operand in cell["from"]:
            if not isinstance(operand, list):
                print(f"  {operand}")
                continue
            # [row, column] of this table, or [table, row, column] for a figure of the text
            key, row, column = operand if len(operand) == 3 else [table["key"], *operand]
            where = f"{key} " if key != table["key"] else ""
            print(f"  {where}{row} / {column}  {_figure(_table(document, key), row, column)}")
        return 0
    if "same" in cell:
        report, table_key, row, column = cell["same"]
        print(
            f"与 {report} 的同一单元格（{table_key} 行“{row}” 列 {column}）相同，分录列在该报表的"
        )
        print(f"  audit/…/{report}.trace.json 中：sandao trace 该文件 {table_key} {row} {column}")
    elif "units" in cell:
        print("由各单位报表的同一单元格相加（sandao trace 各单位的 *.trace.json 可见其分录）：")
        for report, amount in cell["units"]:
            print(f"  {report}  {_money(amount)}")
    elif "parts" in cell:
        print("由以下单元格相加（“减”表示减去）：")
        for row, column, *sign in cell["parts"]:
            minus = "减 " if sign and sign[0] < 0 else ""
            print(f"  {minus}{row} / {column}  {_figure(table, row, column)}")
    else:
        for ident, file, line, amount in cell["entries"]:
            info = details.get(ident, {})
            where = f"{file}:{line}" if file else "（声明）"
            print(
                f"  {where}  {info.get('date', '')}  {info.get('payee', '')}  "
                f"{info.get('narration', '')}  {_money(amount)}  [{ident}]"
            )
    print(f"合计（元）：{_money(cell['sum'])}")
    return 0


def _figure(table: dict[str, Any], row: str, column: str) -> str:
    """The printed figure of another cell of ``table`` (0.00 when it is not traced)."""
    part = next((c for c in table["cells"] if c["row"] == row and c["column"] == column), None)
    return part["cell"] if part else "0.00"


def _money(text: str) -> str:
    try:
        return f"{Decimal(text):,.2f}"
    except InvalidOperation:
        return text
