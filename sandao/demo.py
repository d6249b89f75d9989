"""``sandao demo``: the main job on the bundled example county.

It checks the example books with the same engine as ``sandao check`` and prints a
summary a newcomer can read: units, money by stream, the 费随事转 tasks with their
status, and the findings (the example holds a late-funded and an unfunded task on
purpose, so findings are expected and the demo still exits 0).  When the report
layer is installed it also writes the full report set and prints where.
"""

from __future__ import annotations

import argparse
import shutil
import sys
from collections import defaultdict
from decimal import Decimal
from pathlib import Path
from typing import TextIO

from sandao.cli_helpers import year_value
from sandao.ledger import Analysis, load
from sandao.ledger.check import print_human
from sandao.ledger.resolver import INCOME, SPENDING
from sandao.ledger.scaffold import example_main
from sandao.ledger.vocabulary import OVERDUE, STREAMS

ZERO = Decimal(0)


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    demo = subparsers.add_parser(
        "demo", help="在内置示例县上运行：检查 + 汇总 + 报表 (run the example)"
    )
    demo.add_argument(
        "--out", type=Path, default=Path("sandao-demo"), help="报表输出目录（默认 sandao-demo）"
    )
    demo.add_argument("--year", type=year_value, help="报表年度（默认：账簿最后一年）")
    demo.set_defaults(func=cmd_demo)


def stream_totals(analysis: Analysis) -> dict[str, dict[str, list[Decimal]]]:
    """unit → stream → [received, spent] from the posting table."""
    totals: dict[str, dict[str, list[Decimal]]] = defaultdict(
        lambda: defaultdict(lambda: [ZERO, ZERO])
    )
    for row in analysis.postings:
        if row.role == INCOME:
            totals[row.unit or "?"][row.stream or "?"][0] -= row.amount
        elif row.role == SPENDING:
            totals[row.unit or "?"][row.stream or "?"][1] += row.amount
    return totals


def print_summary(analysis: Analysis, out: TextIO) -> None:
    """Units, streams, tasks and finding counts."""
    decl = analysis.declarations
    out.write(
        f"示例县账簿：{len(decl.units)} 个单位、{len(decl.communities)} 个社区、{len(decl.departments)} 个部门、"
        f"{len(decl.tasks)} 个职能任务、{len(decl.projects)} 个建设项目、{len(decl.quotas)} 个指标\n\n"
    )
    out.write("资金到位与支出（按单位、资金渠道，元）\n")
    for unit, streams in sorted(stream_totals(analysis).items()):
        name = decl.units[unit].name if unit in decl.units else ""
        out.write(f"  {unit} {name}\n")
        for stream in STREAMS:
            received, spent = streams.get(stream, [ZERO, ZERO])
            out.write(f"    {stream}：到位 {received:>16,.2f}  支出 {spent:>16,.2f}\n")
    out.write("\n费随事转任务\n")
    for task_id, fund in analysis.funding.items():
        task = fund.task
        dept = decl.departments.get(task.department)
        flag = "（曾逾期）" if fund.late and fund.status != OVERDUE else ""
        out.write(
            f"  {task_id} {task.name}｜{dept.name if dept else task.department}→{task.unit}｜"
            f"应拨 {fund.amount:,.2f} 已到位 {fund.received:,.2f} 已支出 {fund.spent:,.2f}｜{fund.status}{flag}\n"
        )
    out.write("\n")


def _shown(path: Path) -> str:
    """``path`` relative to the working folder when it lies inside it, else absolute."""
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def next_steps() -> str:
    """The exact commands a newcomer types next, runnable from the current folder.

    When the ``sandao`` found on PATH is not the one running (a venv not activated, as
    after ``make demo``), the venv's activate script comes first.
    """
    scripts = Path(sys.executable).parent
    running = scripts / "sandao"
    on_path = shutil.which("sandao")
    lines = ["下一步（在当前目录输入）："]
    if not on_path or Path(on_path).absolute() != running.absolute():
        lines.append(f"  . {_shown(scripts / 'activate')}    # 启用虚拟环境，之后可直接输入 sandao")
    lines += [
        "  sandao init 我的账簿 --name XX县 --year 2026 --unit C101=城东社区服务中心 \\",
        "      --community SQ01=城江社区@C101 --department D05=县委政法委",
        "  sandao check 我的账簿/main.beancount",
        "（第一个月怎么记账：README「第一次使用」；示例账簿副本：sandao example 示例县）",
    ]
    return "\n".join(lines) + "\n"


def cmd_demo(args: argparse.Namespace) -> int:
    from sandao.cli_helpers import UserError
    from sandao.reports.options import ReportError, check_target

    try:  # a bad --out is said before the books are read, not after the summary
        check_target(args.out.absolute())
    except ReportError as exc:
        raise UserError(str(exc)) from None
    main = example_main()
    analysis = load(main)
    out = sys.stdout
    print_summary(analysis, out)
    out.write("（以下位置相对于示例账簿目录；用 sandao example 目录 可写出一份副本）\n")
    print_human(analysis, out, base=main.parent)
    from sandao.ledger.county_config import load_county_config
    from sandao.reports.run import write_reports

    try:
        index = write_reports(
            analysis, args.out, year=args.year, county_config=load_county_config(main)
        )
    except ReportError as exc:
        raise UserError(str(exc)) from None
    out.write(f"\n报表已生成：{_shown(index)}\n")
    year = args.year or analysis.as_of.year
    out.write(
        f"  含：{year - 1}年决算（已结账年度）、{year}年预算、{year}年预算执行（截至 {analysis.as_of}）、"
        f"{year}年各季度社区财务公开栏、社区云触摸屏页面 {_shown(index.parent / 'kiosk' / 'index.html')}\n\n"
    )
    out.write(next_steps())
    return 0
