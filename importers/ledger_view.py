"""What an import needs to know about the books, read once from the main ledger file.

The importers never write to the ledger; they read it to learn the names of units and
departments, the tasks, projects and quotas already declared, the accounts that are
open (names are taken from the books, so ``30216-培训费`` is spelt the way the books
spell it) and the keys of what was imported before (支付凭证号, 指标编号+类型+金额,
流水号, balance dates) so a re-import adds nothing.
"""

from __future__ import annotations

import datetime
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from beancount.core import data

from sandao.importers.errors import ImportProblem, fail
from sandao.ledger.accounts import leading_code
from sandao.ledger.declarations import read_declarations
from sandao.ledger.model import Declarations, code_value
from sandao.ledger.sink import FindingSink
from sandao.runtime import stop_not_swallowed

#: The component of a bank account (政府会计制度 1002 银行存款).
_BANK = ":1002-"
#: The import key of a quota row: 指标编号, 类型, 金额, 文号, 下达日期.
QuotaKey = tuple[str, str, Decimal, str, datetime.date]

FATAL_ERRORS = ("ParserError", "ParserSyntaxError", "LexerError", "LoadError")


@dataclass
class LedgerView:
    """Declarations, open accounts and import keys of a ledger (or of nothing)."""

    path: str | None = None
    units: dict[str, str] = field(default_factory=dict)
    departments: dict[str, str] = field(default_factory=dict)
    #: unit code → its 主管部门 (``supervisor:``), whose transfers are 4201 上级补助收入
    supervisors: dict[str, str] = field(default_factory=dict)
    #: The tasks, projects and quotas (and the rest) as the ledger's reader found them.
    declared: Declarations = field(default_factory=Declarations)
    accounts: set[str] = field(default_factory=set)
    #: (root, unit code, code, [sub code]) → account name, e.g. ("Expenses", "C101", "30216")
    by_codes: dict[tuple[str, ...], str] = field(default_factory=dict)
    payment_keys: set[tuple[str, bool]] = field(default_factory=set)
    quota_keys: set[QuotaKey] = field(default_factory=set)
    bank_keys: set[tuple[str, str]] = field(default_factory=set)  # (bank account, 流水号)
    balance_keys: set[tuple[str, datetime.date]] = field(default_factory=set)
    files: set[str] = field(default_factory=set)
    #: the books' ``option "documents"`` folders (absolute)
    documents: list[str] = field(default_factory=list)
    #: account → its ``open`` date
    open_dates: dict[str, datetime.date] = field(default_factory=dict)
    #: bank (…:1002-…) account → (date, amount) of every posting, for opening balances
    bank_postings: dict[str, list[tuple[datetime.date, Decimal]]] = field(default_factory=dict)
    #: Every custom directive absorbed so far, read again as a whole by the ledger's reader.
    _customs: list[data.Custom] = field(default_factory=list, repr=False)

    def add_account(self, account: str) -> None:
        self.accounts.add(account)
        parts = account.split(":")
        codes = [parts[0], *(leading_code(p) or p for p in parts[1:])]
        self.by_codes.setdefault(tuple(codes), account)

    def find(self, *codes: str) -> str | None:
        """The open account whose components have these leading codes."""
        return self.by_codes.get(codes)

    def balance_before(self, account: str, day: datetime.date) -> tuple[bool, Decimal]:
        """(any posting before ``day``, the bank account's balance at the start of ``day``)."""
        postings = [amount for date, amount in self.bank_postings.get(account, ()) if date < day]
        return bool(postings), sum(postings, Decimal("0.00"))

    def absorb(self, entries: Iterable[data.Directive]) -> None:
        """Collect declarations, accounts and keys from parsed entries."""
        customs = []
        for entry in entries:
            if isinstance(entry, data.Transaction):
                meta = entry.meta
                voucher = meta.get("voucher")
                if voucher is not None:
                    self.payment_keys.add((str(voucher), "refund_of" in meta))
                serial = meta.get("serial")
                for posting in entry.postings:
                    if serial is not None and _BANK in posting.account:
                        self.bank_keys.add((posting.account, str(serial)))
                    if _BANK in posting.account and posting.units is not None:
                        number = posting.units.number
                        if isinstance(number, Decimal):
                            self.bank_postings.setdefault(posting.account, []).append(
                                (entry.date, number)
                            )
            elif isinstance(entry, data.Open):
                self.add_account(entry.account)
                self.open_dates[entry.account] = entry.date
            elif isinstance(entry, data.Balance):
                self.balance_keys.add((entry.account, entry.date))
            elif isinstance(entry, data.Custom):
                customs.append(entry)
                self._quota_key(entry)
        if customs:
            self._customs.extend(customs)
            self._declare(read_declarations(self._customs, FindingSink()))

    def _declare(self, decl: Declarations) -> None:
        """Take the declarations the ledger's reader found (malformed ones are left out)."""
        self.units = {code: unit.name for code, unit in decl.units.items()}
        self.supervisors = {code: u.supervisor for code, u in decl.units.items() if u.supervisor}
        self.departments = {code: dept.name for code, dept in decl.departments.items()}
        self.declared = decl

    def _quota_key(self, entry: data.Custom) -> None:
        """The import key (指标编号, 类型, 金额, 文号, 下达日期) of a quota or quota-adjust.

        A second legitimate 调减 or 追加 of the same amount has its own 文号 and date.
        """
        values = [v.value for v in entry.values]
        if entry.type == "quota" and len(values) >= 3:
            amount = getattr(values[2], "number", Decimal(0))
        elif entry.type == "quota-adjust" and len(values) >= 2:
            amount = getattr(values[1], "number", Decimal(0))
        else:
            return
        document = entry.meta.get("document")
        self.quota_keys.add(
            (
                str(values[0]),
                code_value(entry.meta.get("kind")) or "",
                amount,
                document if isinstance(document, str) else "",
                entry.date,
            )
        )


_GLOB_ERROR = re.compile(r'File glob "([^"]*)" does not match any files')


def _empty_glob(error: Any) -> bool:
    """An include with a wildcard that matches nothing yet (a missing named file is no glob)."""
    match = _GLOB_ERROR.search(str(getattr(error, "message", "")))
    return bool(match) and any(c in match.group(1) for c in "*?[")


def load_ledger(path: str) -> LedgerView:
    """Load the main ledger file (with its includes) read-only; parse errors are fatal."""
    from beancount import loader

    full = os.path.abspath(path)
    if not os.path.isfile(full):
        raise fail(path, "账本文件不存在，应为 --ledger 指定的主账本（如 main.beancount）")
    from pathlib import Path

    from sandao.ledger.check import BooksUnreadable, ensure_readable

    try:  # an included device or a huge line would hang Beancount's lexer
        ensure_readable(Path(full))
    except BooksUnreadable as exc:
        raise fail(path, str(exc)) from None
    try:
        # The uncached loader: never writes a pickle cache beside the books.
        with stop_not_swallowed():
            entries, errors, options = loader._load([(full, True)], None, None, None)
    except Exception as exc:  # a crashing plugin must not become a traceback
        raise fail(path, f"账本无法加载（{type(exc).__name__}: {exc}）") from exc
    # ``include "imported/*.beancount"`` matches nothing before the first import: the
    # import is what creates those files, so that is no reason to refuse it.
    fatal = [e for e in errors if type(e).__name__ in FATAL_ERRORS and not _empty_glob(e)]
    if fatal:
        problems = []
        for error in fatal[:20]:
            source = error.source or {}
            filename = source.get("filename") or path
            if str(filename).startswith("<"):  # Beancount's "<load>": the main file
                filename = path
            message = str(error.message).strip().splitlines()[0] if error.message else "语法错误"
            problems.append(
                ImportProblem(
                    str(filename),
                    f"账本有语法或加载错误：{message}（请先用 sandao check 修正）",
                    source.get("lineno") or None,
                )
            )
        from sandao.importers.errors import ImportFailure

        raise ImportFailure(problems)
    view = LedgerView(path=full)
    view.absorb(entries)
    view.files = {os.path.abspath(f) for f in options.get("include", [])}
    folder = os.path.dirname(full)
    view.documents = [os.path.join(folder, d) for d in options.get("documents", [])]
    return view


def absorb_file(view: LedgerView, path: str) -> None:
    """Also count what an existing output file holds (when the ledger does not include it)."""
    from beancount.parser import parser

    full = os.path.abspath(path)
    if full in view.files or not os.path.exists(full):
        return
    try:
        entries, errors, _ = parser.parse_file(full)
    except (UnicodeDecodeError, OSError) as exc:
        raise fail(
            path, f"输出文件已存在但无法读取（{exc}），应为 UTF-8 的 Beancount 文件"
        ) from exc
    if errors:
        message = str(errors[0].message).strip().splitlines()[0]
        raise fail(
            path,
            f"输出文件已存在但不是有效的 Beancount 文件：{message}",
            row=(errors[0].source or {}).get("lineno"),
        )
    view.absorb(entries)
    view.files.add(full)
