"""What every layer's sub-commands share: the expected-failure exception and common options.

The layers (``ledger``, ``importers``, ``reports``) add their own sub-commands; they
import these helpers from here, never :mod:`sandao.cli`, which only wires the commands
together and is the one place that turns a :class:`UserError` into a message and an
exit code.
"""

from __future__ import annotations

import argparse
import datetime
from pathlib import Path
from typing import Any


class UserError(Exception):
    """An expected failure: printed as ``错误：message`` by ``sandao.cli.main``, exit ``code``."""

    def __init__(self, message: str, code: int = 1) -> None:
        super().__init__(message)
        self.code = code


def books_parser(
    subparsers: Any, name: str, help: str, description: str
) -> argparse.ArgumentParser:
    """A sub-command that reads one county's books: its first argument is their main file."""
    parser = subparsers.add_parser(name, help=help, description=description)
    parser.add_argument("ledger", type=Path, help="账簿主文件 (main.beancount)")
    return parser


def readable_books(path: Path) -> None:
    """Missing, a folder, not UTF-8: :class:`UserError` (exit 2) in ``sandao check``'s words."""
    from sandao.ledger.check import BooksUnreadable, ensure_readable

    try:
        ensure_readable(path)
    except BooksUnreadable as exc:
        raise UserError(str(exc), 2) from None


def add_cache_option(parser: argparse.ArgumentParser) -> None:
    """``--no-cache``: neither read nor write sandao's load cache (Beancount's ``.*.picklecache``
    beside the books is never used)."""
    parser.add_argument(
        "--no-cache",
        "-C",
        action="store_true",
        help="不读写 sandao 的加载缓存（在用户缓存目录 ~/.cache/sandao；账簿旁的 .*.picklecache 从不读取）",
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
        date = datetime.date.fromisoformat(text)
    except ValueError:
        raise UserError(f"--as-of 应为日期 YYYY-MM-DD，实际为 {text!r}", 2) from None
    if date.year not in YEARS:
        raise UserError(
            f"--as-of 应在 {YEARS.start}–{YEARS.stop - 1} 年之间，实际为 {text}", 2
        ) from None
    return date


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


def date_argument(text: str) -> datetime.date:
    """An argparse ``type=`` for a date option (argparse reports a bad value, exit 2)."""
    try:
        date = datetime.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"日期应为 YYYY-MM-DD，实际为 {text!r}") from None
    if date.year not in YEARS:  # 9999-12-31 overflowed the day series
        raise argparse.ArgumentTypeError(
            f"日期应在 {YEARS.start}–{YEARS.stop - 1} 年之间，实际为 {text}"
        )
    return date
