"""The example county's 2023 部门决算 tables (``ledger/example/previous/``), and how they were made.

The example's books begin on 2024-01-01 with the 2023 year-end balances (城东 158,406.72
元: 128,406.72 in the bank and the 30,000.00 财政拨款 carried on 1201; 城西 35,001.14 元).
Its 2024 决算 compares every section with 2023, so the county "published" a 2023 决算;
these are its tables, in the JSON layout ``sandao report`` writes (``data/final``), read
through ``[disclosure] previous = "previous"``.  They are the 2023 决算 of the small books
below — illustrative, like every figure of the example — whose year-end balances are the
2024 opening ones to the fen.  ``tests/reports/test_example_previous.py`` rebuilds them and
compares them with the shipped files.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from pathlib import Path

UNITS = {"C101": "城东社区服务中心", "C102": "城西社区服务中心"}

#: unit → [(function, class, economic, yuan, three_public)] paid from 2023 quotas (1011).
FISCAL = {
    "C101": [
        ("2120101", "基本", "30201", "200000.00", None),
        ("2120101", "基本", "30226", "420000.00", None),
        ("2120101", "基本", "30206", "60000.00", None),
        ("2120101", "基本", "30207", "20000.00", None),
        ("2120101", "基本", "30213", "80000.00", None),
        ("2120101", "基本", "30299", "197600.00", None),
        ("2120101", "基本", "30217", "2400.00", "公务接待"),
        ("2120501", "基本", "30227", "160000.00", None),
        ("2120399", "基本", "30213", "140000.00", None),
        ("2120399", "项目", "31001", "1500000.00", None),
        ("2080208", "基本", "30299", "85000.00", None),
        ("2070109", "基本", "30299", "55000.00", None),
        ("2049999", "基本", "30299", "50000.00", None),
    ],
    "C102": [
        ("2120101", "基本", "30201", "180000.00", None),
        ("2120101", "基本", "30226", "400000.00", None),
        ("2120101", "基本", "30206", "58000.00", None),
        ("2120101", "基本", "30207", "18000.00", None),
        ("2120101", "基本", "30213", "70000.00", None),
        ("2120101", "基本", "30299", "171400.00", None),
        ("2120101", "基本", "30217", "2600.00", "公务接待"),
        ("2120501", "基本", "30227", "150000.00", None),
        ("2120399", "基本", "30213", "120000.00", None),
        ("2120399", "项目", "31001", "1200000.00", None),
        ("2080208", "基本", "30299", "80000.00", None),
        ("2070109", "基本", "30299", "100000.00", None),
        ("2049999", "基本", "30299", "40000.00", None),
    ],
}

#: unit → [(department, function, received, spent)]: departments' own money (4609).
CASH = {
    "C101": [("D05", "2049999", "60000.00", "50000.00"), ("D07", "2080208", "100000.00", "78105.58")],
    "C102": [("D07", "2080799", "250000.00", "256248.86")],
}

#: unit → (bank, 1201 财政拨款 carried) on 2023-01-01.
OPENING = {"C101": ("96512.30", "30000.00"), "C102": ("41250.00", None)}


def books() -> str:
    """The 2023 books of the two centres (Beancount text)."""
    out = [
        'option "title" "清河县三到社区资金台账（2023 年决算底稿）"',
        'option "operating_currency" "CNY"',
        'plugin "sandao.ledger"',
        '2023-01-01 custom "department" "D05" "县委政法委"',
        '2023-01-01 custom "department" "D07" "县人社局"',
    ]
    from sandao.reports.codes import ECONOMIC_NAMES

    opened: list[str] = []

    def acc(root: str, unit: str, leaf: str) -> str:
        if leaf.isdigit():
            leaf = f"{leaf}-{ECONOMIC_NAMES[leaf]}"
        name = f"{root}:{unit}-{UNITS[unit]}:{leaf}"
        if name not in opened:
            opened.append(name)
        return name

    for unit, name in UNITS.items():
        out += [f'2023-01-01 custom "unit" "{unit}" "{name}"', '  kind: "事业单位"']
        bank, carried = OPENING[unit]
        out += [
            '2023-01-01 * "期初余额" "2022年末余额结转"',
            f"  {acc('Assets', unit, '1002-银行存款')}  {bank} CNY",
            '    source: "非财政拨款"',
        ]
        if carried:
            out += [
                f"  {acc('Assets', unit, '1201-财政应返还额度')}  {carried} CNY",
                '    source: "财政拨款"',
                '    fund_type: "一般公共预算"',
            ]
        out.append(f"  {acc('Equity', unit, '3001-累计盈余')}")
        quotas: dict[tuple[str, str], Decimal] = {}
        for function, cls, _, yuan, _ in FISCAL[unit]:
            quotas[(function, cls)] = quotas.get((function, cls), Decimal(0)) + Decimal(yuan)
        ids = {}
        for n, ((function, cls), amount) in enumerate(sorted(quotas.items()), 1):
            qid = ids[(function, cls)] = f"ZB23-{unit[-1]}{n:02d}"
            out += [
                f'2023-01-10 custom "quota" "{qid}" "{function} {cls}" {amount:.2f} CNY',
                f'  unit: "{unit}"',
                f'  stream: "{"运转" if cls == "基本" else "建设"}"',
                f'  function: "{function}"',
                '  kind: "年初"',
                f'  class: "{cls}"',
                '2023-01-10 * "县财政局" "下达指标"',
                f'  quota: "{qid}"',
                f"  {acc('Assets', unit, '1011-零余额账户用款额度')}  {amount:.2f} CNY",
                f"  {acc('Income', unit, '4001-财政拨款收入')}",
            ]
        for i, (function, cls, economic, yuan, three) in enumerate(FISCAL[unit]):
            day = datetime.date(2023, 3, 1) + datetime.timedelta(days=20 * i)
            out += [f'{day} * "支付" "{function} {economic}"', f'  quota: "{ids[(function, cls)]}"']
            if three:
                out.append(f'  three_public: "{three}"')
            out += [
                f"  {acc('Expenses', unit, economic)}  {yuan} CNY",
                f"  {acc('Assets', unit, '1011-零余额账户用款额度')}",
            ]
        for department, function, received, spent in CASH[unit]:
            income = acc("Income", unit, f"4609-其他收入:{department}-部门")
            bank = acc("Assets", unit, "1002-银行存款")
            out += [
                f'2023-04-20 * "{department}" "转来工作经费"',
                '  stream: "运转"',
                f'  function: "{function}"',
                f"  {bank}  {received} CNY",
                f"  {income}",
                f'2023-10-20 * "支付" "工作经费支出"',
                '  stream: "运转"',
                f'  function: "{function}"',
                f"  {acc('Expenses', unit, '30227')}  {spent} CNY",
                f"  {bank}",
            ]
    out.append('2023-12-31 custom "department" "D99" "年末"')
    return "\n".join([*out, *(f"2023-01-01 open {name}" for name in opened)]) + "\n"


def reports() -> list:
    """The 2023 决算 of each centre and of the department, as :class:`Report` objects."""
    from beancount import loader

    from sandao.ledger import analysis_for
    from sandao.ledger.county_config import parse_county_config
    from sandao.reports.disclosure import context, scopes
    from sandao.reports.disclosure.context import document_kind
    from sandao.reports.disclosure.document import final_tables, printed
    from sandao.reports.model import Report

    entries, errors, options = loader.load_string(books())
    assert not errors, errors
    analysis = analysis_for(entries, options, errors)
    assert not analysis.findings, analysis.findings
    config = {"county": {"name": "清河县"}, "disclosure": {"department": {"name": "中共清河县委社会工作部"}}}
    ctx = context(analysis, parse_county_config(config))
    out = []
    for scope in scopes(analysis, None, "清河县", ctx.tables):
        tables = printed(ctx.tables, final_tables(ctx, scope, ctx.rounded(scope, 2023), 2023), True)
        out.append(
            Report(
                key=f"final-2023-{scope.key}",
                template="disclosure.html",
                title=f"{scope.name}2023年度{document_kind(scope)}决算",
                public=True,
                as_of=datetime.date(2023, 12, 31),
                tables=tables,
                context={"preparer": scope.name},
            )
        )
    return out


def write(dest: Path) -> list[Path]:
    """Write the 2023 决算 tables (t1–t10 of each unit and of the two together) to ``dest``."""
    from sandao.reports import opendata

    written = []
    for report in reports():
        for table in report.tables:
            opendata.write_table(table, report, dest, Path(report.key), ("json",))
            written.append(dest / report.key / f"{table.key}.json")
    return written


def write_workbooks(dest: Path) -> list[Path]:
    """The same 决算 as workbooks in ``sandao report``'s XLSX layout (``final-2023-KEY.xlsx``)."""
    from sandao.reports.xlsx import write_workbook

    dest.mkdir(parents=True, exist_ok=True)
    written = []
    for report in reports():
        write_workbook(report, dest / f"{report.key}.xlsx")
        written.append(dest / f"{report.key}.xlsx")
    return written


if __name__ == "__main__":
    import sys

    for path in write(Path(sys.argv[1])):
        print(path)
