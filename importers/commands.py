"""``sandao import``: identify, extract and archive finance-bureau exports.

Thin wiring over :mod:`sandao.importers.run` and beangulp's identify / archive helpers,
turning an :class:`~sandao.importers.errors.ImportFailure` into a Chinese message and a
non-zero exit code (1: the exports or the config are wrong; 2: the ledger cannot be
loaded), never a traceback.
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import sys
from collections.abc import Callable
from typing import Any

from sandao.cli_helpers import UserError
from sandao.importers.errors import ImportFailure, os_reason


def add_parser(subparsers: Any) -> None:
    """Add ``import`` with its sub-commands to the ``sandao`` parser."""
    parser = subparsers.add_parser(
        "import",
        help="导入财政导出文件（预算指标、国库集中支付、银行对账单）",
        description="把财政局、国库和银行的导出文件转成 Beancount 分录",
    )
    sub = parser.add_subparsers(dest="import_command", metavar="SUBCOMMAND")

    identify = sub.add_parser("identify", help="列出每个文件由哪个导入器处理")
    identify.add_argument("paths", nargs="+", metavar="DIR", help="导出文件或目录")
    identify.add_argument("--config", help="导入配置 TOML（列名别名、银行账户、摘要规则）")
    identify.add_argument("--json", action="store_true", help="输出 JSON")
    identify.set_defaults(func=_guarded(cmd_identify))

    extract = sub.add_parser("extract", help="把导出文件转成新的分录，写入 --output 文件")
    extract.add_argument("paths", nargs="+", metavar="PATH", help="导出文件或目录")
    extract.add_argument("--ledger", required=True, help="主账本（只读，用于去重和核对编码）")
    target = extract.add_mutually_exclusive_group(required=True)
    target.add_argument("--output", help="写入新分录的文件（已存在则追加在末尾）")
    target.add_argument("--output-dir", help="每个导出文件写一个 <文件名>.beancount 到此目录")
    extract.add_argument("--config", help="导入配置 TOML")
    extract.add_argument("--json", action="store_true", help="以 JSON 输出汇总")
    extract.set_defaults(func=_guarded(cmd_extract))

    archive = sub.add_parser("archive", help="按单位和日期归档导出文件（beangulp archive）")
    archive.add_argument("paths", nargs="+", metavar="DIR", help="导出文件或目录")
    archive.add_argument("--to", required=True, dest="destination", metavar="DOCS", help="归档目录")
    archive.add_argument("--config", help="导入配置 TOML")
    archive.add_argument("--dry-run", action="store_true", help="只显示将要移动的文件")
    archive.set_defaults(func=_guarded(cmd_archive))

    parser.set_defaults(func=lambda args: _help(parser))


def _help(parser: argparse.ArgumentParser) -> int:
    parser.print_help()
    return 2


def _failure(exc: ImportFailure, what: str) -> UserError:
    """The failure as a :class:`UserError`: exit 2 when the ledger itself cannot be loaded."""
    ledger_problem = any(
        "账本有语法或加载错误" in p.message
        or "账本无法加载" in p.message
        or "账本文件不存在" in p.message
        for p in exc.problems
    )
    return UserError(f"{what}，没有写入任何文件。\n{exc.render()}", 2 if ledger_problem else 1)


def cmd_identify(args: argparse.Namespace) -> int:
    from sandao.importers.config import load_config
    from sandao.importers.run import identify_file, list_exports

    try:
        config = load_config(args.config)
    except ImportFailure as exc:
        raise _failure(exc, "导入配置有误") from None
    rows = []
    for path in list_exports(args.paths):
        try:
            item = identify_file(path, config)
            rows.append(
                {
                    "file": path,
                    "importer": item.importer.NAME,
                    "rows": len(item.table.rows),
                    "header_row": item.table.header_row,
                    "error": None,
                }
            )
        except ImportFailure as exc:
            rows.append(
                {
                    "file": path,
                    "importer": None,
                    "rows": 0,
                    "header_row": None,
                    "error": exc.render(),
                }
            )
    if args.json:
        print(json.dumps({"files": rows}, ensure_ascii=False, indent=1))
    else:
        for row in rows:
            if row["importer"]:
                print(
                    f"{row['file']}\t{row['importer']}\t{row['rows']} 行（表头在第 {row['header_row']} 行）"
                )
            else:
                print(f"{row['file']}\t未识别\t{row['error']}")
        if not rows:
            print("没有找到导出文件（.csv / .xlsx / .xls）")
    return 0 if rows and all(r["importer"] for r in rows) else 1


def cmd_extract(args: argparse.Namespace) -> int:
    from sandao.importers.run import run_extract, summary_lines

    try:
        run = run_extract(args.paths, args.ledger, args.output, args.output_dir, args.config)
    except ImportFailure as exc:
        if args.json:
            problems = [
                {
                    "file": p.path,
                    "row": p.row,
                    "column": p.column,
                    "header": p.header,
                    "message": p.message,
                }
                for p in exc.problems
            ]
            print(json.dumps({"ok": False, "problems": problems}, ensure_ascii=False, indent=1))
        raise _failure(exc, "导入失败") from None
    if args.json:
        print(json.dumps({"ok": True, **run.as_json()}, ensure_ascii=False, indent=1))
    else:
        print("\n".join(summary_lines(run)))
    return 0


def cmd_archive(args: argparse.Namespace) -> int:

    from sandao.importers.beangulp_importers import make_importers

    try:
        importers = make_importers(args.config)
    except ImportFailure as exc:
        raise _failure(exc, "导入配置有误") from None
    from beangulp.identify import identify

    if os.path.exists(args.destination) and not os.path.isdir(args.destination):
        raise UserError(f"归档目录 {args.destination} 是文件，应为目录，没有移动任何文件。")
    from sandao.locking import LockTimeout, output_lock

    # One archive run at a time per destination: the plan (what exists, what moves where)
    # stays true until the moves are done.
    try:
        with output_lock(args.destination):
            return _archive(args, importers, identify)
    except LockTimeout as exc:
        raise UserError(str(exc)) from None


def _archive(args: argparse.Namespace, importers: Any, identify: Any) -> int:
    from beangulp import archive as beangulp_archive

    from sandao.importers.run import list_exports

    moves = []
    problems = []
    planned: set[str] = set()
    for path in list_exports(args.paths):
        if not os.path.isfile(path):
            problems.append(f"{path}：文件不存在或不是文件，未归档")
            continue
        importer = identify(importers, path)
        if importer is None:
            problems.append(f"{path}：未识别，未归档")
            continue
        try:
            target = os.path.join(args.destination, beangulp_archive.filepath(importer, path))
        except ImportFailure as exc:
            problems.append(exc.render())
            continue
        if os.path.exists(target) or target in planned:
            problems.append(f"{path}：目标 {target} 已存在，未覆盖")
            continue
        planned.add(target)
        moves.append((path, target))
    for path, target in moves:
        if not args.dry_run:
            try:
                beangulp_archive.move(path, target)
            except OSError as exc:
                problems.append(f"{path}：无法移动到 {target}（{os_reason(exc)}），未归档")
                continue
        print(f"{path} → {target}")
    for problem in problems:
        print(problem, file=sys.stderr)
    return 1 if problems else 0


def _guarded(command: Callable[[argparse.Namespace], int]) -> Callable[[argparse.Namespace], int]:
    """Turn an unexpected operating-system error into a Chinese message and exit code 1."""

    @functools.wraps(command)
    def run(args: argparse.Namespace) -> int:
        try:
            return command(args)
        except ImportFailure as exc:
            raise _failure(exc, "导入失败") from None
        except OSError as exc:
            where = f"{exc.filename}：" if exc.filename else ""
            raise UserError(f"{where}{os_reason(exc)}，操作未完成。") from None

    return run
