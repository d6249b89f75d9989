"""The ``sandao`` command line: one entry point, one sub-command per job.

Each layer contributes its own sub-commands through an ``add_parser(subparsers)``
function, so this module only wires them together and turns expected failures into
a message and an exit code instead of a traceback.
"""

from __future__ import annotations

import argparse
import datetime
import importlib
import sys
from collections.abc import Sequence
from pathlib import Path

from sandao import __version__

#: Modules that contribute sub-commands, in the order they are listed in ``--help``.
COMMAND_MODULES: tuple[str, ...] = (
    "sandao.ledger.commands",
    "sandao.importers.commands",
    "sandao.reports.commands",
    "sandao.reports.serve",
    "sandao.reports.scale_commands",
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


def build_parser() -> argparse.ArgumentParser:
    """The full argument parser with every available sub-command."""
    parser = argparse.ArgumentParser(
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


def entry() -> None:
    """The ``sandao`` executable: one command per process, so loading may skip the collector."""
    from sandao.ledger.analysis import one_shot_process

    one_shot_process()
    sys.exit(main())


if __name__ == "__main__":
    entry()
