"""``sandao export`` and ``sandao rollup``: from one county's books to a province's tables.

Bad input (missing books, books with errors that stop the load, a target folder that
is not an earlier export, inputs that are not exports) is a Chinese sentence and a
non-zero exit; nothing is left half-written.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from sandao.cli_helpers import UserError, add_cache_option, as_of_date, books_parser, readable_books


def add_parser(subparsers: Any) -> None:
    export = books_parser(
        subparsers,
        "export",
        help="把账簿导出为 Parquet（分录表、任务表、指标表）",
        description="把解析后的分录表和报表用的任务、指标表写成 Parquet 数据集，"
        "按 year= / unit= 分区，金额为 decimal(18,2)。",
    )
    export.add_argument("--out", type=Path, required=True, help="输出文件夹")
    export.add_argument("--county", help="县名（默认：账簿的 title 选项）")
    export.add_argument("--as-of", help="数据截至日期 YYYY-MM-DD（默认：账簿最后日期）")
    add_cache_option(export)
    export.set_defaults(func=cmd_export)

    rollup = subparsers.add_parser(
        "rollup",
        help="用 DuckDB 汇总多个县的导出（省级表）",
        description="读取多个 sandao export 导出（或包含导出的文件夹），汇总为按部门的费随事转、"
        "按功能分类的预算执行、未拨付任务排行和各县合计，写成 HTML/XLSX/CSV/JSON。",
    )
    rollup.add_argument("exports", type=Path, nargs="+", help="导出文件夹，或其上级文件夹")
    rollup.add_argument("--out", type=Path, required=True, help="输出文件夹")
    rollup.add_argument(
        "--format",
        default="html,xlsx,csv,json",
        help="输出格式，逗号分隔（默认 html,xlsx,csv,json）",
    )
    rollup.set_defaults(func=cmd_rollup)


def require_province_extra(command: str, module: str) -> None:
    """``pyarrow`` / ``duckdb`` are the optional extra ``province``: say so in one sentence
    (exit 2) instead of a ModuleNotFoundError traceback."""
    import importlib.util

    if importlib.util.find_spec(module) is None:
        raise UserError(
            f"sandao {command} 需要 {module}（省级汇总的可选依赖，默认不安装）："
            "请运行 pip install 'sandao[province]'（在源码目录：.venv/bin/pip install '.[province]'）",
            2,
        )


def cmd_export(args: argparse.Namespace) -> int:
    from dataclasses import replace

    require_province_extra("export", "pyarrow")

    from sandao.ledger import load
    from sandao.reports.province.export import ExportError, export

    as_of = as_of_date(args.as_of)
    readable_books(args.ledger)
    analysis = load(args.ledger, as_of=as_of)
    if analysis.errors:
        first = analysis.errors[0]
        where = (
            f"{first.source.get('filename')}:{first.source.get('lineno')}" if first.source else ""
        )
        raise UserError(
            f"账簿有 {len(analysis.errors)} 个 Beancount 错误，先用 sandao check 修正（{where} {first.message}）"
        )
    if args.county:
        analysis = replace(analysis, options_map={**analysis.options_map, "title": args.county})
    try:
        manifest = export(analysis, args.out)
    except ExportError as exc:
        raise UserError(str(exc), 2) from None
    rows = manifest["rows"]
    print(
        f"已导出 {manifest['county']}：分录 {rows['postings']} 行、任务 {rows['tasks']} 行、"
        f"指标 {rows['quotas']} 行 → {args.out}"
    )
    return 0


def cmd_rollup(args: argparse.Namespace) -> int:
    require_province_extra("rollup", "duckdb")
    import duckdb

    from sandao.reports.province.rollup import RollupError, rollup
    from sandao.reports.run import ReportError

    formats = [f.strip() for f in args.format.split(",") if f.strip()]
    unknown = [f for f in formats if f not in ("html", "xlsx", "csv", "json")]
    if unknown or not formats:
        raise UserError(
            f"未知的输出格式：{', '.join(unknown) or '（空）'}；可选 html,xlsx,csv,json", 2
        )
    try:
        index = rollup(args.exports, args.out, formats)
    except (RollupError, ReportError) as exc:
        raise UserError(str(exc), 2) from None
    except duckdb.Error as exc:  # a damaged Parquet file: DuckDB's own words, no traceback
        raise UserError(f"无法读取导出的 Parquet 文件：{exc}", 2) from None
    print(index)
    return 0
