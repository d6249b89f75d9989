"""Sub-commands of the ledger layer: ``check``, ``init`` and ``example``."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from sandao.cli_helpers import UserError, add_cache_option, date_argument, year_value
from sandao.ledger.check import BooksUnreadable, run_check
from sandao.ledger.scaffold import County, ScaffoldError, county_from_toml, init_books, parse_pair


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    """Register ``check``, ``init`` and ``example``."""
    check = subparsers.add_parser(
        "check", help="检查账簿：Beancount 校验 + 全部资金规则 (validate the books)"
    )
    check.add_argument("ledger", type=Path, help="主账簿文件，如 main.beancount")
    check.add_argument(
        "--as-of", type=date_argument, help="按此日期评估规则（默认：账簿最后一笔的日期）"
    )
    check.add_argument("--json", action="store_true", help="输出 JSON 数组（机器可读）")
    add_cache_option(check)
    check.set_defaults(func=cmd_check)

    init = subparsers.add_parser("init", help="为新的县建立空白账簿 (scaffold new books)")
    init.add_argument("dir", type=Path, help="新账簿目录（须不存在或为空）")
    init.add_argument(
        "--config", type=Path, help="县情 TOML 文件：[units] [communities] [departments]"
    )
    init.add_argument("--name", help="县名，如 XX县")
    init.add_argument("--year", type=year_value, help="首个预算年度（默认今年）")
    init.add_argument(
        "--unit", action="append", default=[], metavar="C101=名称", help="单位，可重复"
    )
    init.add_argument(
        "--community",
        action="append",
        default=[],
        metavar="SQ01=名称@C101",
        help="社区及所属单位，可重复",
    )
    init.add_argument(
        "--department", action="append", default=[], metavar="D05=名称", help="部门，可重复"
    )
    init.set_defaults(func=cmd_init)

    example = subparsers.add_parser("example", help="写出内置示例县账簿 (write the example books)")
    example.add_argument("dir", type=Path, help="目标目录（须不存在或为空）")
    example.set_defaults(func=cmd_example)


def cmd_check(args: argparse.Namespace) -> int:
    try:
        return run_check(args.ledger, args.as_of, args.json, sys.stdout)
    except BooksUnreadable as exc:
        if args.json:  # a program reading stdout gets the problem as the one finding
            record = dict.fromkeys(
                ("date", "task", "project", "quota", "unit", "department", "line")
            )
            record.update(
                code="BooksUnreadable", severity="error", message=str(exc), file=str(args.ledger)
            )
            print(json.dumps([record], ensure_ascii=False, indent=1))
        raise UserError(str(exc), 2) from None


def cmd_init(args: argparse.Namespace) -> int:
    try:
        county = county_from_toml(args.config) if args.config else County()
        if args.name:
            county.name = args.name
        if args.year:
            county.year = args.year
        for text in args.unit:
            code, name = parse_pair(text, "--unit")
            county.units[code] = name
        for text in args.department:
            code, name = parse_pair(text, "--department")
            county.departments[code] = name
        for text in args.community:
            code, rest = parse_pair(text, "--community")
            name, sep, unit = rest.rpartition("@")
            if not sep:
                raise ScaffoldError(f"--community 应写作 SQ01=名称@C101，实际为 {text!r}")
            county.communities[code] = (name, unit)
        written = init_books(args.dir, county)
    except ScaffoldError as exc:
        raise UserError(str(exc)) from None
    print(
        f"已建立账簿 {args.dir}（{len(written)} 个文件）。下一步：sandao check {args.dir / 'main.beancount'}"
    )
    return 0


def cmd_example(args: argparse.Namespace) -> int:
    from sandao.ledger.scaffold import write_example

    try:
        written = write_example(args.dir)
    except ScaffoldError as exc:
        raise UserError(str(exc)) from None
    print(
        f"已写出示例县账簿 {args.dir}（{len(written)} 个文件）。检查：sandao check {args.dir / 'main.beancount'}"
    )
    return 0
