"""The ``sandao`` command line: one entry point, one sub-command per job.

Each layer contributes its own sub-commands through an ``add_parser(subparsers)``
function, so this module only wires them together and turns expected failures into
a message and an exit code instead of a traceback.
"""

from __future__ import annotations

import argparse
import datetime
import importlib
import re
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import NoReturn

from sandao import __version__

#: Modules that contribute sub-commands, in the order they are listed in ``--help``.
COMMAND_MODULES: tuple[str, ...] = (
    "sandao.ledger.commands",
    "sandao.importers.commands",
    "sandao.reports.commands",
    "sandao.reports.web.serve",
    "sandao.reports.province.commands",
    "sandao.bench.commands",
    "sandao.demo",
)


class UserError(Exception):
    """An expected failure: printed as a message, exit code ``code``."""

    def __init__(self, message: str, code: int = 1) -> None:
        super().__init__(message)
        self.code = code


def add_cache_option(parser: argparse.ArgumentParser) -> None:
    """``--no-cache``: neither read nor write Beancount's ``.*.picklecache`` (as bean-check)."""
    parser.add_argument(
        "--no-cache",
        "-C",
        action="store_true",
        help="不读写 Beancount 的缓存文件 .*.picklecache（同 bean-check --no-cache）",
    )


def add_config_option(parser: argparse.ArgumentParser) -> None:
    """``--config FILE``: the county config (default: ``sandao.toml`` beside the books)."""
    parser.add_argument(
        "--config",
        type=Path,
        default=None,
        help="县配置文件（默认：账簿主文件旁的 sandao.toml）",
    )


def as_of_date(text: str | None) -> datetime.date | None:
    """The value of an ``--as-of`` option: None when not given; not a date → UserError."""
    if not text:
        return None
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        raise UserError(f"--as-of 应为日期 YYYY-MM-DD，实际为 {text!r}", 2) from None


#: Years a county's books can be about (a wider value is a typo, and Python's dates end at 9999).
YEARS = range(1900, 2101)


def year_value(text: str) -> int:
    """The value of a ``--year`` option: an integer in :data:`YEARS`."""
    try:
        year = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"年度应为整数，如 2025，实际为 {text!r}") from None
    if year not in YEARS:
        raise argparse.ArgumentTypeError(
            f"年度应在 {YEARS.start}–{YEARS.stop - 1} 之间，实际为 {year}"
        )
    return year


def port_value(text: str) -> int:
    """The value of a ``--port`` option: 1–65535."""
    try:
        port = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"端口应为整数，实际为 {text!r}") from None
    if not 1 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"端口应在 1–65535 之间，实际为 {port}")
    return port


#: argparse's own English messages → Chinese (the rest of the message is kept).
_ARGPARSE_WORDS: tuple[tuple[str, str], ...] = (
    ("the following arguments are required: ", "缺少必需的参数："),
    ("unrecognized arguments: ", "无法识别的参数："),
    ("expected one argument", "后面应跟一个值"),
    ("expected at least one argument", "后面应至少跟一个值"),
    ("not allowed with argument", "不能与此参数同时使用："),
    ("one of the arguments ", "以下参数须给出一个："),
    (" is required", ""),
    ("invalid choice: ", "无效的选项："),
    ("invalid int value: ", "应为整数，实际为 "),
    ("invalid Path value: ", "应为路径，实际为 "),
    ("ambiguous option: ", "有歧义的选项："),
    ("argument ", "参数 "),
)


class ChineseArgumentParser(argparse.ArgumentParser):
    """argparse with its usage errors as one Chinese sentence (exit 2), no usage dump."""

    def error(self, message: str) -> NoReturn:
        message = re.sub(r" ?\(choose from (.*)\)", r"（可选：\1）", message)
        for english, chinese in _ARGPARSE_WORDS:
            message = message.replace(english, chinese)
        self.exit(2, f"错误：{message}（用法见 {self.prog} -h）\n")


def build_parser() -> argparse.ArgumentParser:
    """The full argument parser with every available sub-command."""
    parser = ChineseArgumentParser(
        prog="sandao",
        description="三到社区资金台账：检查、导入、报表、审计浏览 (community fund ledger)",
    )
    parser.add_argument("--version", action="version", version=f"sandao {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMAND_MODULES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name != name:
                raise
            continue
        module.add_parser(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the process exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    if getattr(args, "no_cache", False):
        from beancount import loader

        loader.initialize(use_cache=False)
    try:
        return int(args.func(args) or 0)
    except UserError as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return exc.code
    except BrokenPipeError:
        sys.stderr.close()
        return 1
    except KeyboardInterrupt:
        print("已中断 (interrupted)", file=sys.stderr)
        return 130
    except Exception as exc:  # a full disk or a read-only folder anywhere: a message
        from sandao.oserrors import as_os_error, os_message

        error = as_os_error(exc)
        if error is None:
            raise
        print(f"错误：{os_message(error)}，操作未完成。", file=sys.stderr)
        return 1


def entry() -> None:
    """The ``sandao`` executable: one command per process, so loading may skip the collector.

    Ctrl-C while the modules are still being imported (the first half second of any
    command) ends with the same message as during the work, not a traceback.
    """
    try:
        from sandao.ledger.analysis import one_shot_process

        one_shot_process()
        code = main()
    except KeyboardInterrupt:
        print("已中断 (interrupted)", file=sys.stderr)
        code = 130
    sys.exit(code)


if __name__ == "__main__":
    entry()
