"""``sandao report``: every disclosure and management report of a year into a folder.

Bad input (missing books, unknown unit or format, an output folder that is not a
previous report folder, no PDF support) is a Chinese sentence and a non-zero exit,
never a traceback.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from sandao.cli_helpers import (
    UserError,
    add_cache_option,
    add_config_option,
    as_of_date,
    books_parser,
    readable_books,
    year_value,
)
from sandao.runtime import lean_process, loading


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    parser = books_parser(
        subparsers,
        "report",
        help="生成全部公开与管理报表 (write every report)",
        description="按年度（可选季度、单位、社区）生成部门预算/决算公开、社区财务公开、"
        "费随事转台账、预算执行、绩效报表和开放数据。",
    )
    parser.add_argument("--year", type=year_value, help="报表年度（默认：账簿最后日期所在年度）")
    parser.add_argument(
        "--quarter", type=int, choices=(1, 2, 3, 4), help="社区公开季度（默认：本年已开始的各季度）"
    )
    parser.add_argument("--unit", help="只生成此单位（如 C101）")
    parser.add_argument("--community", help="只生成此社区（如 SQ01）")
    parser.add_argument(
        "--format",
        default="html,xlsx,csv,json",
        help="输出格式，逗号分隔：html,pdf,xlsx,csv,json（默认 html,xlsx,csv,json）",
    )
    parser.add_argument("--templates", type=Path, help="自定义模板文件夹（同名模板优先）")
    parser.add_argument("--as-of", help="数据截至日期 YYYY-MM-DD（默认：账簿最后日期）")
    parser.add_argument("--out", type=Path, required=True, help="输出文件夹")
    parser.add_argument("--quiet", action="store_true", help="不显示进度")
    parser.add_argument(
        "--edition",
        choices=("public", "audit"),
        default="public",
        help="audit：另在 audit/ 写出审计版（决算、预算每个金额单元格的来源分录，不公开）",
    )
    parser.add_argument(
        "--draft",
        action="store_true",
        help="未结束的年度也生成部门决算草稿（每页标“草稿 — 截至 D，非正式决算”）",
    )
    add_cache_option(parser)
    add_config_option(parser)
    parser.set_defaults(func=cmd_report)
    return parser


def cmd_report(args: argparse.Namespace) -> int:
    lean_process()
    from sandao.ledger import load
    from sandao.reports.html import check_templates
    from sandao.reports.options import ReportError, check_target, parse_formats
    from sandao.reports.pdf import PdfUnavailable

    ledger: Path = args.ledger
    readable_books(ledger)
    try:
        formats = parse_formats(args.format.split(","))
        check_templates(args.templates)
        check_target(args.out.absolute())
    except ReportError as exc:
        raise UserError(str(exc), 2) from None
    as_of = as_of_date(args.as_of)
    from sandao.ledger.county_config import CountyConfigError, load_county_config
    from sandao.reports.disclosure import check_config

    try:
        county_config = load_county_config(ledger, args.config)
        check_config(county_config)
    except (CountyConfigError, ReportError) as exc:
        raise UserError(str(exc), 2) from None
    progress = not args.quiet
    if progress:
        print(f"正在读取账簿 {ledger} …", file=sys.stderr, flush=True)
    try:
        analysis = load(ledger, as_of=as_of)
    except (OSError, UnicodeDecodeError) as exc:
        raise UserError(f"无法读取账簿 {ledger}：{exc}", 2) from None
    if not analysis.entries:
        raise UserError(f"账簿 {ledger} 没有任何记录")
    if analysis.errors:
        print(
            f"提示：账簿有 {len(analysis.errors)} 处 Beancount 错误，请先运行 sandao check；报表照常生成",
            file=sys.stderr,
        )
    # The builders read the posting table and the declarations, never the entries:
    # freeing them before the builders (and pandas) are imported lets the reports reuse
    # that memory (peak RSS ≤ 1.3 × a bare load).
    from sandao.reports.disclosure import closes

    closes(analysis)  # the 决算 asks which units are closed; kept before the entries go
    if args.edition == "audit":
        from sandao.reports.audit_edition import txn_ids

        with loading():
            txn_ids(analysis)  # the entries' stable ids, kept for the auditor's edition
    analysis.postings.release_entries()
    analysis.entries = []
    from sandao.reports.run import write_reports

    try:
        index = write_reports(
            analysis,
            args.out,
            year=args.year,
            quarter=args.quarter,
            unit=args.unit,
            community=args.community,
            formats=formats,
            templates=args.templates,
            progress=progress,
            draft=args.draft,
            county_config=county_config,
            edition=args.edition,
        )
    except (ReportError, PdfUnavailable) as exc:
        raise UserError(str(exc), 2) from None
    except OSError as exc:
        from sandao.oserrors import os_reason

        raise UserError(f"无法写入输出文件夹 {args.out}：{os_reason(exc)}") from None
    print(index)
    return 0
