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
    target.add_argument(
        "--output", help="写入新分录的文件（已存在则追加在末尾）；- 表示写到标准输出"
    )
    target.add_argument("--output-dir", help="每个导出文件写一个 <文件名>.beancount 到此目录")
    extract.add_argument(
        "--config", help="县配置 sandao.toml（用其 [import] 表）或 import.toml；默认读账本旁的"
    )
    extract.add_argument("--json", action="store_true", help="以 JSON 输出汇总")
    extract.set_defaults(func=_guarded(cmd_extract))

    archive = sub.add_parser(
        "archive",
        help="把导出文件归档到 Fava 凭证文档目录（按单位账户分文件夹，全部成功或全部不动）",
    )
    archive.add_argument("paths", nargs="+", metavar="DIR", help="导出文件或目录")
    archive.add_argument("--ledger", required=True, help="主账本（账户名和 documents 选项）")
    archive.add_argument(
        "--to",
        dest="destination",
        metavar="DOCS",
        help='归档目录（默认：账本的 option "documents"）',
    )
    archive.add_argument(
        "--entries",
        metavar="FILE",
        help="写入全县文件 document 分录的文件（默认：主账本旁的 documents.beancount）",
    )
    archive.add_argument("--config", help="县配置 sandao.toml 或 import.toml（默认读账本旁的）")
    archive.add_argument("--dry-run", action="store_true", help="只显示将要移动的文件")
    archive.set_defaults(func=_guarded(cmd_archive))

    parser.set_defaults(func=lambda args: _help(parser))


def _help(parser: argparse.ArgumentParser) -> int:
    parser.print_help()
    return 2


def _failure(exc: ImportFailure, what: str, moved: bool = False) -> UserError:
    """The failure as a :class:`UserError`: exit 2 when the ledger itself cannot be loaded."""
    ledger_problem = any(
        "账本有语法或加载错误" in p.message
        or "账本无法加载" in p.message
        or "账本文件不存在" in p.message
        for p in exc.problems
    )
    nothing = "没有移动任何文件" if moved else "没有写入任何文件"
    return UserError(f"{what}，{nothing}。\n{exc.render()}", 2 if ledger_problem else 1)


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
    # With --output - the entries are on stdout: the summary goes to stderr.
    stream = sys.stderr if args.output == "-" else sys.stdout
    if args.json:
        print(json.dumps({"ok": True, **run.as_json()}, ensure_ascii=False, indent=1), file=stream)
    else:
        print("\n".join(summary_lines(run)), file=stream)
    return 0


def cmd_archive(args: argparse.Namespace) -> int:
    from sandao.importers.archive import ENTRIES_FILE
    from sandao.importers.config import resolve_config
    from sandao.importers.ledger_view import load_ledger
    from sandao.locking import LockTimeout, output_lock

    try:
        config = resolve_config(args.config, args.ledger)
        ledger = load_ledger(args.ledger)
    except ImportFailure as exc:
        raise _failure(exc, "无法归档", moved=True) from None
    destination = args.destination or (ledger.documents[0] if ledger.documents else None)
    if destination is None:
        raise UserError(
            f'账本 {args.ledger} 没有 option "documents"，不知道归档到哪里，没有移动任何文件。'
            '应在主账本加入一行 option "documents" "documents"（Fava 的凭证文档目录），或用 --to 指定目录。'
        )
    if os.path.exists(destination) and not os.path.isdir(destination):
        raise UserError(f"归档目录 {destination} 是文件，应为目录，没有移动任何文件。")
    entries_file = args.entries or os.path.join(os.path.dirname(ledger.path or "."), ENTRIES_FILE)
    # One archive run at a time per destination: the plan (what exists, what moves where)
    # stays true until the moves are done; and per entries file, which is read, added to
    # and replaced (two runs into other folders would otherwise keep only one's entries).
    try:
        with output_lock(destination), output_lock(entries_file):
            return _archive(args, ledger, config, destination, entries_file)
    except LockTimeout as exc:
        raise UserError(str(exc)) from None


def _archive(
    args: argparse.Namespace, ledger: Any, config: Any, destination: str, entries_file: str
) -> int:
    from sandao.importers.archive import document_entries, move_all, plan_archive
    from sandao.importers.run import write_all

    filings, problems = plan_archive(args.paths, ledger, destination, config)
    if problems:
        raise _failure(ImportFailure(problems), "无法归档", moved=True)
    if not filings:
        raise UserError("没有找到导出文件（.csv / .xlsx / .xls），没有移动任何文件。")
    entries = document_entries(filings, entries_file)
    for filing in filings:
        print(f"{filing.source} → {filing.target}")
    if entries:
        print(f"{entries_file}：追加 document 分录\n{entries.rstrip()}")
    if args.dry_run:
        return 0
    move_all([(f.source, f.target) for f in filings])
    if entries:
        old = ""
        if os.path.exists(entries_file):
            with open(entries_file, encoding="utf-8") as handle:
                old = handle.read()
        header = (
            ""
            if old
            else "; 由 sandao import archive 生成：全县文件在各单位 1011 账户下的凭证文档\n"
        )
        joiner = "\n" if old and not old.endswith("\n") else ""
        try:
            write_all({entries_file: f"{old}{joiner}{header}{entries}"})
        except ImportFailure:
            move_all([(f.target, f.source) for f in filings])
            raise
        if os.path.abspath(entries_file) not in ledger.files:
            relative = os.path.relpath(
                os.path.abspath(entries_file), os.path.dirname(ledger.path or ".")
            )
            print(
                f'注意：主账本尚未 include 该文件，请在 {args.ledger} 中加入 include "{relative}"'
            )
    return 0


def _guarded(command: Callable[[argparse.Namespace], int]) -> Callable[[argparse.Namespace], int]:
    """Turn an unexpected operating-system error into a Chinese message and exit code 1."""

    @functools.wraps(command)
    def run(args: argparse.Namespace) -> int:
        try:
            return command(args)
        except ImportFailure as exc:
            raise _failure(exc, "导入失败") from None
        except BrokenPipeError:
            raise  # the reader of our output went away (``| head``): ended quietly by the CLI
        except OSError as exc:
            where = f"{exc.filename}：" if exc.filename else ""
            raise UserError(f"{where}{os_reason(exc)}，操作未完成。") from None

    return run
