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
from sandao.ledger.suggest import closest, closest_account

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

#: Beancount's plugin errors carry a Python traceback: told as one sentence instead.
_PLUGIN_ERROR = re.compile(r'^Error (importing|applying plugin) "([^"]+)"')
#: Plugins a misspelt name is compared with.
KNOWN_PLUGINS = ("sandao.ledger",)

_DIRECTIVE = re.compile(r"^(\d{4}-\d\d-\d\d)\s+(\S+)(.*)$")
#: A date written the Chinese way (2026年1月28日), which Beancount does not read.
_CHINESE_DATE = re.compile(r"(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日")
_CHINESE_DIRECTIVE = re.compile(r"^(\d{4}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日)\s*(\S+)(.*)$")
#: Beancount's five account roots, as a regex group.
_ROOT = r"(?:Assets|Liabilities|Equity|Income|Expenses)"
#: A posting (an account) or a metadata line typed without its indent.
_UNINDENTED_POSTING = re.compile(rf"^{_ROOT}:\S+")
_UNINDENTED_META = re.compile(r"^([a-z][\w-]*):\s")
#: Beancount's booking error for an amount without a currency (``3421.50`` with no CNY).
_UNCATEGORIZED = re.compile(r"Failed to categorize posting (\d+)")
_INACTIVE = re.compile(r"inactive account '([^']+)'")
_DECLARES = re.compile(r'^\s*"(unit|community|department|task|project|quota)"\s+"([^"]+)"')
_ACCOUNT = re.compile(rf"\b{_ROOT}(?::[^\s:]+)+")
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
    #: account → the date of its ``open`` (a transaction dated before it is refused)
    open_dates: dict[str, datetime.date] = field(default_factory=dict)
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
        """The directive whose text holds line ``number`` (its header and body lines; a
        posting or metadata line typed without its indent still counts as its body)."""
        lines = self.lines(file)
        if not file or not number or not 0 < number <= len(lines):
            return None
        start = number - 1
        while start > 0 and not _header(lines[start]) and lines[start].strip():
            start -= 1
        header = _header(lines[start])
        if header is None:
            return None
        end = start + 1
        while end < len(lines) and lines[end].strip() and not _header(lines[end]):
            end += 1
        body = "\n".join(lines[start:end])
        kind = ident = None
        if header.group(2) == "custom":
            declares = _DECLARES.match(header.group(3))
            if declares:
                kind, ident = declares.groups()
        accounts = frozenset(_ACCOUNT.findall(body))
        links = frozenset(_LINK.findall(body))
        return Broken(file, start + 1, kind, ident, _header_date(header), accounts, links)


def _header(line: str) -> re.Match[str] | None:
    """A directive's first line (its date ISO or written the Chinese way)."""
    return _DIRECTIVE.match(line) or _CHINESE_DIRECTIVE.match(line)


def _header_date(header: re.Match[str]) -> datetime.date | None:
    chinese = _CHINESE_DATE.match(header.group(1))
    try:
        if chinese:
            return datetime.date(*map(int, chinese.groups()))
        return datetime.date.fromisoformat(header.group(1))
    except ValueError:
        return None


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
    plugin = _PLUGIN_ERROR.match(message)
    if plugin:
        return _plugin_error(plugin.group(1), plugin.group(2), message)
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
    uncategorized = _UNCATEGORIZED.search(message)
    if uncategorized:
        return _uncategorized(uncategorized, message, sources, file, number)
    inactive = _INACTIVE.search(message)
    if inactive:
        before = _before_open(inactive, error, message, sources, file, number)
        if before is not None:
            return before
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


def _plugin_error(what: str, name: str, message: str) -> Explained:
    """A plugin that cannot be imported or that failed: its last traceback line, no traceback."""
    last = next((line.strip() for line in reversed(message.splitlines()) if line.strip()), "")
    if what == "importing":
        meant = closest(name, KNOWN_PLUGINS)
        hint = f"是否为 {meant}？" if meant and meant != name else ""
        return Explained(
            f"找不到插件 {name}：插件名拼错或未安装（{last}）",
            " ".join(p for p in (hint, "改正 plugin 行的模块名，或删去这一行") if p),
        )
    return Explained(f"插件 {name} 运行出错：{last}", "检查 plugin 行的配置；仍出错请报告问题")


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
    mistake = _line_mistake(text, lost, message, broken)
    if mistake is not None:
        return mistake
    bad = _bad_date(text) if "out of range" in message or "must be in" in message else None
    if bad:
        return Explained(
            f"日期 {bad} 不存在{lost}（{message}）", f"把 {bad} 改为存在的日期", broken
        )
    return Explained(f"语法错误{lost}（{message}）", "对照 README 的账簿语言改正这一行", broken)


def _line_mistake(text: str, lost: str, message: str, broken: Broken | None) -> Explained | None:
    """A newcomer's typing mistake the line itself shows: a Chinese date, a line without
    its indent."""
    chinese = _CHINESE_DATE.match(text.strip())
    if chinese:
        written = chinese.group(0)
        try:
            iso = datetime.date(*map(int, chinese.groups())).isoformat()
        except ValueError:
            iso = "YYYY-MM-DD"
        return Explained(
            f"日期写成了「{written}」：Beancount 只认 {iso} 这样的写法（年-月-日，两位月日）"
            f"{lost}（{message}）",
            f"把「{written}」改为 {iso}",
            broken,
        )
    what = None
    if _UNINDENTED_POSTING.match(text):
        what = "分录行（科目和金额）"
    elif _UNINDENTED_META.match(text):
        what = "元数据行"
    if what:
        return Explained(
            f"{what}没有缩进：交易下面的每一行都要以空格开头，顶格写的行 Beancount 不知道属于哪一笔"
            f"{lost}（{message}）",
            f"在这一行的行首加两个空格：「  {text.strip()}」",
            broken,
        )
    return None


def _uncategorized(
    match: re.Match[str], message: str, sources: Sources, file: str | None, number: int | None
) -> Explained:
    """An amount typed without its currency: Beancount cannot book the posting."""
    broken = sources.directive_at(file, number)
    postings = [
        line.strip()
        for line in sources.lines(file)[(broken.line if broken else 0) : (number or 0) + 40]
        if _ACCOUNT.match(line.strip())
    ]
    index = int(match.group(1)) - 1
    shown = postings[index] if broken and 0 <= index < len(postings) else ""
    where_ = f"「{' '.join(shown.split())}」" if shown else f"第 {match.group(1)} 个分录"
    amount = re.search(r"\s(-?[\d,]+(?:\.\d+)?)\s*$", shown)
    example = f"{amount.group(1)} CNY" if amount else "3421.50 CNY"
    return Explained(
        f"金额没写币种：分录 {where_} 只有金额没有 CNY，Beancount 无法记账，这一笔因此未能读入（{message}）",
        f"在金额后面写上币种，如 {example}",
        broken,
    )


def _before_open(
    match: re.Match[str],
    error: Any,
    message: str,
    sources: Sources,
    file: str | None,
    number: int | None,
) -> Explained | None:
    """A transaction dated before its account's ``open``: Beancount refuses the posting."""
    account = match.group(1)
    opened = sources.open_dates.get(account)
    date = getattr(getattr(error, "entry", None), "date", None)
    if opened is None or date is None or date >= opened:
        return None
    broken = sources.directive_at(file, number)
    return Explained(
        f"交易日期 {date} 早于科目 {account} 的开立日期 {opened}（open）：开立前不能记账，"
        f"这一笔的日期多半写错了（{message}）",
        f"核对这一笔的日期（应在 {opened} 或以后）；钱确实在 {opened} 前到账的，把该科目的 open 日期提前",
        broken,
    )


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


def open_dates(entries: list[Any]) -> dict[str, datetime.date]:
    """Every opened account → the date of its ``open``."""
    from beancount.core import data

    return {e.account: e.date for e in entries if isinstance(e, data.Open)}


__all__ = [
    "FULL_WIDTH",
    "Broken",
    "Explained",
    "Sources",
    "explain",
    "explain_error",
    "open_dates",
]
