"""Beancount's own errors in Chinese, with the likely cause and a fix line.

Beancount reports parse and validation errors in English and, for a parse error, names
the token, not the directive it broke.  A finance officer typing with a Chinese IME
needs to hear "full-width colon" rather than ``Invalid token``, and which task
declaration was lost.  ``sandao check`` and the Fava page both explain errors through
:func:`explain_error`, so the words are the same everywhere.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass, field, replace
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from sandao.ledger.glossary import DECLARATION_WORDS
from sandao.ledger.suggest import closest_account

#: Full-width punctuation a Chinese IME types, and the ASCII Beancount expects.
FULL_WIDTH = {
    "：": ":",
    "，": ",",
    "；": ";",
    "“": '"',
    "”": '"',
    "＂": '"',
    "（": "(",
    "）": ")",
    "　": " ",
    "－": "-",
    "＾": "^",
    "＃": "#",
    "＊": "*",
}

#: Chinese explanations of Beancount messages with no more specific reading below.
_GENERAL = (
    ("File glob", "包含（include）的文件不存在", "改正 include 的路径或文件名"),
    ("does not exist", "文件不存在", "改正文件路径"),
    ("syntax error", "语法错误", "对照 README 的账簿语言改正这一行"),
    ("Transaction does not balance", "交易借贷不平衡", "检查各分录金额，借贷合计应为 0"),
    ("inactive account", "引用了未开立或已关闭的科目", "先用 open 开立科目，或改用已开立的科目"),
    ("Duplicate open", "科目重复开立", "删去重复的 open"),
    ("month must be in", "日期不存在（月份应为1–12）", "改为存在的日期"),
)

_DIRECTIVE = re.compile(r"^(\d{4}-\d\d-\d\d)\s+(\S+)(.*)$")
_DECLARES = re.compile(r'^\s*"(unit|community|department|task|project|quota)"\s+"([^"]+)"')
_ACCOUNT = re.compile(r"\b(?:Assets|Liabilities|Equity|Income|Expenses)(?::[^\s:]+)+")
_DATE = re.compile(r"\b(\d{4})-(\d\d)-(\d\d)\b")
#: Beancount's balance failure: account, expected, currency, booked, difference, which way.
BALANCE_FAILED = re.compile(
    r"Balance failed for '([^']+)': expected (\S+) (\S+) != accumulated (\S+) \S+ "
    r"\((\S+) too (much|little)\)"
)
_LINK = re.compile(r"\^([A-Za-z0-9][\w.-]*)")
_UNKNOWN_ACCOUNT = re.compile(r"unknown account '([^']+)'")


@dataclass(frozen=True)
class Broken:
    """The directive a parse error sits in (``line``: the error's own line) and what it
    declared (``kind``, ``ident``) or posted to."""

    file: str
    line: int
    kind: str | None = None  # the declaration kind (task, quota …) when it declared one
    ident: str | None = None
    date: datetime.date | None = None
    accounts: frozenset[str] = frozenset()
    links: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Explained:
    """A Beancount error told in Chinese: the sentence and the fix line."""

    message: str
    fix: str = ""
    broken: Broken | None = None


@dataclass
class Sources:
    """The books' source lines (read on demand) and opened accounts, for explanations."""

    accounts: frozenset[str] = frozenset()
    _lines: dict[str, list[str]] = field(default_factory=dict)

    def lines(self, file: str | None) -> list[str]:
        if not file:
            return []
        if file not in self._lines:
            try:
                self._lines[file] = Path(file).read_text("utf-8").splitlines()
            except (OSError, UnicodeDecodeError):
                self._lines[file] = []
        return self._lines[file]

    def line(self, file: str | None, number: int | None) -> str:
        lines = self.lines(file)
        return lines[number - 1] if number and 0 < number <= len(lines) else ""

    def directive_at(self, file: str | None, number: int | None) -> Broken | None:
        """The directive whose text holds line ``number`` (its header and body lines)."""
        lines = self.lines(file)
        if not file or not number or not 0 < number <= len(lines):
            return None
        start = number - 1
        while start > 0 and not _DIRECTIVE.match(lines[start]) and lines[start][:1] in " \t":
            start -= 1
        header = _DIRECTIVE.match(lines[start])
        if header is None:
            return None
        end = start + 1
        while end < len(lines) and lines[end][:1] in (" ", "\t") and lines[end].strip():
            end += 1
        body = "\n".join(lines[start:end])
        kind = ident = None
        if header.group(2) == "custom":
            declares = _DECLARES.match(header.group(3))
            if declares:
                kind, ident = declares.groups()
        try:
            date = datetime.date.fromisoformat(header.group(1))
        except ValueError:
            date = None
        accounts = frozenset(_ACCOUNT.findall(body))
        links = frozenset(_LINK.findall(body))
        return Broken(file, start + 1, kind, ident, date, accounts, links)


def _bad_date(text: str) -> str | None:
    for match in _DATE.finditer(text):
        try:
            datetime.date(*map(int, match.groups()))
        except ValueError:
            return match.group(0)
    return None


def _full_width(text: str) -> list[str]:
    return [c for c in dict.fromkeys(text) if c in FULL_WIDTH]


def _yuan(text: str) -> str:
    try:
        return f"{Decimal(text):,.2f}"
    except InvalidOperation:
        return text


def explain_error(error: Any, sources: Sources | None = None) -> Explained:
    """A Beancount error's Chinese sentence, fix line and (parse errors) broken directive."""
    sources = sources or Sources()
    message = str(getattr(error, "message", error)).strip()
    source = getattr(error, "source", None) or {}
    file, number = source.get("filename"), source.get("lineno")
    kind = type(error).__name__
    if kind in ("LexerError", "ParserError", "ParserSyntaxError") or "syntax error" in message:
        return _parse_error(message, sources, file, number)
    balance = BALANCE_FAILED.search(message)
    if balance:
        account, expected, currency, booked, diff, way = balance.groups()
        more = "多" if way == "much" else "少"
        text = (
            f"余额断言不符：{account} 应为 {_yuan(expected)} {currency}，"
            f"账面为 {_yuan(booked)}，账面{more} {_yuan(diff)}"
        )
        fix = (
            "账簿缺期初余额时先补记期初（见 README「第一次使用」）；否则查找漏记、重记的交易，"
            "或核对断言日期（balance 断言的是当天开始时的余额）"
        )
        return Explained(f"{text}（{message}）", fix)
    unknown = _UNKNOWN_ACCOUNT.search(message)
    if unknown:
        meant = closest_account(unknown.group(1), sources.accounts)
        hint = f"是否为 {meant}？" if meant else ""
        return Explained(
            f"引用了未开立（open）的科目 {unknown.group(1)}（{message}）",
            " ".join(p for p in (hint, "改用已开立的科目，或先用 open 开立它") if p),
        )
    for needle, chinese, fix in _GENERAL:
        if needle in message:
            return Explained(f"{chinese}：{message}", fix)
    return Explained(message)


def _parse_error(message: str, sources: Sources, file: str | None, number: int | None) -> Explained:
    text = sources.line(file, number)
    broken = sources.directive_at(file, number)
    if broken is not None and number:
        broken = replace(broken, line=number)  # the cause is where the error is
    lost = ""
    if broken and broken.kind:
        lost = f"，{DECLARATION_WORDS[broken.kind]} {broken.ident} 的声明因此未能读入"
    elif broken:
        lost = "，这一笔因此未能读入"
    wide = _full_width(text) or _full_width(message)
    if wide:
        shown = "、".join(f"「{c}」" for c in wide)
        ascii_ = "、".join(f"「{FULL_WIDTH[c]}」" for c in wide)
        return Explained(
            f"有全角标点 {shown}（多半是中文输入法打的），Beancount 只认半角{lost}（{message}）",
            f"把 {shown} 改成半角 {ascii_}",
            broken,
        )
    bad = _bad_date(text) if "out of range" in message or "must be in" in message else None
    if bad:
        return Explained(
            f"日期 {bad} 不存在{lost}（{message}）", f"把 {bad} 改为存在的日期", broken
        )
    return Explained(f"语法错误{lost}（{message}）", "对照 README 的账簿语言改正这一行", broken)


def explain(message: str) -> str:
    """Beancount's message with a Chinese explanation in front where one is known."""
    return explain_error(_Bare(message)).message


@dataclass(frozen=True)
class _Bare:
    message: str
    source: dict[str, Any] | None = None


def opened_accounts(entries: list[Any]) -> frozenset[str]:
    """Every account an ``open`` directive opens (the did-you-mean candidates)."""
    from beancount.core import data

    return frozenset(e.account for e in entries if isinstance(e, data.Open))


__all__ = ["FULL_WIDTH", "Broken", "Explained", "Sources", "explain", "explain_error"]
