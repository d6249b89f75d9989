"""Pieces the three importers share: drafts of entry text, the run context, per-file results.

Entries are written as Beancount text directly (Beancount's printer is ≈25× slower
than reading the CSV, see quality.md): ``tests/importers/test_printer_equivalence.py``
proves the text is what ``beancount.parser.printer`` prints for the same entries (the
amount column's alignment aside), string escaping included.  Each importer produces :class:`Draft` s —
a date, a de-duplication key and the finished text.  The :class:`RunContext` carries
what one run knows: the ledger's declarations and keys plus what files earlier in the
same run extracted (payments may cite quotas from a quota export in the same run).
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from sandao.importers.config import ImportConfig
from sandao.importers.errors import ImportProblem
from sandao.importers.ledger_view import LedgerView, QuotaKey
from sandao.importers.tables import Table
from sandao.importers.values import ValueProblem, escaped_invisible
from sandao.ledger.model import Quota
from sandao.ledger.vocabulary import INVISIBLE, PROJECT_ID, TASK_ID

_PERSON = re.compile(r"[\u4e00-\u9fff·]{2,4}")
_HIDDEN = INVISIBLE.search
ZERO = Decimal("0.00")


def q(text: str) -> str:
    """A Beancount string literal."""
    if "\\" in text or '"' in text:
        text = text.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{text}"'


@dataclass(slots=True)
class Draft:
    """One directive to write: its date, its import key and its text (ends with a newline)."""

    date: datetime.date
    text: str
    kind: str  # "quota", "transaction", "balance"


class RowError(Exception):
    """A problem with one cell of the current row (column = canonical column name)."""

    def __init__(self, column: str | None, message: str) -> None:
        super().__init__(message)
        self.column = column
        self.message = message


@dataclass
class FileResult:
    """What one export gave: counts for the summary and the drafts to write."""

    path: str
    importer: str
    rows: int = 0
    entries: int = 0
    duplicates: int = 0
    voided: int = 0
    refunds: int = 0
    control: str = "无合计行"
    control_total: Decimal | None = None
    sum_valid: Decimal = ZERO
    sum_all: Decimal = ZERO
    sum_printed: Decimal | None = None  # quotas: the figures as printed (调减 maybe positive)
    drafts: list[Draft] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    problems: list[ImportProblem] = field(default_factory=list)
    closing_balance: Decimal | None = None
    unit: str | None = None

    def as_json(self) -> dict[str, Any]:
        return {
            "file": self.path,
            "importer": self.importer,
            "unit": self.unit,
            "rows": self.rows,
            "entries": self.entries,
            "duplicates": self.duplicates,
            "voided": self.voided,
            "refunds": self.refunds,
            "control": self.control,
            "control_total": None if self.control_total is None else str(self.control_total),
            "sum": str(self.sum_valid),
            "sum_including_voided": str(self.sum_all),
            "closing_balance": None if self.closing_balance is None else str(self.closing_balance),
            "notes": self.notes,
        }


@dataclass
class RunContext:
    """The ledger plus everything extracted so far in this run."""

    ledger: LedgerView
    config: ImportConfig
    run_quotas: dict[str, Quota] = field(default_factory=dict)
    run_payment_keys: set[tuple[str, bool]] = field(default_factory=set)
    run_quota_keys: set[QuotaKey] = field(default_factory=set)
    run_bank_keys: set[tuple[str, str]] = field(default_factory=set)  # (bank account, 流水号)
    run_balance_keys: set[tuple[str, datetime.date]] = field(default_factory=set)
    run_opening_keys: set[tuple[str, datetime.date]] = field(default_factory=set)
    #: bank account → (date, amount) of what this run writes on it
    run_bank_postings: dict[str, list[tuple[datetime.date, Decimal]]] = field(default_factory=dict)
    run_payment_drafts: dict[str, Draft] = field(default_factory=dict)
    progress: Callable[[int, int], None] | None = None

    def quota(self, quota_id: str) -> Quota | None:
        return self.run_quotas.get(quota_id) or self.ledger.declared.quotas.get(quota_id)

    def is_person(self, name: str) -> bool:
        """An individual payee: listed in the config, or 2–4 Chinese characters and no organisation word."""
        config = self.config
        if name in config.persons:
            return True
        if name in config.organisations:
            return False
        if not _PERSON.fullmatch(name):
            return False
        return not any(word in name for word in config.organisation_words)

    def bank_balance_before(self, account: str, day: datetime.date) -> tuple[bool, Decimal]:
        """(any posting before ``day`` in the books or this run, the balance at its start)."""
        known, total = self.ledger.balance_before(account, day)
        earlier = [a for d, a in self.run_bank_postings.get(account, ()) if d < day]
        return known or bool(earlier), total + sum(earlier, ZERO)

    def unit_component(self, unit: str) -> str:
        name = self.ledger.units.get(unit)
        return f"{unit}-{name}" if name else unit


def column_value(row: Sequence[Any], index: int | None) -> Any:
    if index is None or index >= len(row):
        return ""
    return row[index]


def parse_cell(
    table: Table, row: Sequence[Any], column: str, parser: Callable[..., Any], *args: Any
) -> Any:
    """Parse one cell, turning a :class:`ValueProblem` into a :class:`RowError` for ``column``."""
    try:
        return parser(column_value(row, table.columns.get(column)), *args)
    except ValueProblem as exc:
        raise RowError(column, str(exc)) from None


def check_formula(table: Table, number: int, columns: Sequence[str]) -> None:
    """Refuse formula cells in a data row (their cached value may be stale or 0)."""
    if not table.formulas:
        return
    for column in columns:
        index = table.columns.get(column)
        if index is not None and (number, index) in table.formulas:
            raise RowError(
                column, "单元格是公式，应为数值或文本；请在 Excel 中“选择性粘贴为数值”后再导出"
            )


def total_amount(
    result: FileResult, table: Table, column: str, raw: Any, parser: Callable[..., Decimal]
) -> Decimal | None:
    """The amount ``raw`` printed in the 合计 row's ``column``; None (a problem) if unreadable."""
    try:
        return parser(raw, table.multiplier)
    except ValueProblem as exc:
        number = table.total[0]  # type: ignore[index]
        result.problems.append(table.problem(number, column, f"合计行金额无法识别：{exc}"))
        return None


def control_total(
    result: FileResult, table: Table, column: str, parser: Callable[..., Decimal]
) -> None:
    """Compare the 合计 row with the rows: non-voided sum, or sum including voided rows."""
    if table.total is None or result.problems:
        return  # with bad rows the sums mean nothing; those rows are reported instead
    number, row = table.total
    raw = column_value(row, table.columns.get(column))
    if raw == "" or raw is None:
        result.notes.append(f"第 {number} 行是合计行但「{column}」为空，未作控制总数核对")
        result.control = "合计行无金额"
        return
    total = total_amount(result, table, column, raw, parser)
    if total is None:
        return
    result.control_total = total
    if total == result.sum_valid:
        result.control = "合计相符（不含作废行）"
    elif total == result.sum_all:
        result.control = "合计相符（含作废行）"
    elif result.sum_printed is not None and total == result.sum_printed:
        result.control = "合计相符（调减按所印正数计）"
    else:
        detail = f"各行（不含作废）合计 {result.sum_valid}"
        if result.sum_all != result.sum_valid:
            detail += f"，含作废行合计 {result.sum_all}"
        result.problems.append(
            table.problem(
                number,
                column,
                f"合计行金额 {total} 与数据行不符：{detail}；整个文件拒绝导入，应核对是否缺行、多行或金额有误",
            )
        )


def links_for(
    ctx: RunContext, texts: Sequence[str], explicit: Sequence[str]
) -> tuple[list[str], str | None]:
    """Task / project links from explicit ids and ids in free text; an undeclared id is an error."""
    links: list[str] = []
    for link in explicit:
        if link and link not in links:
            links.append(link)
    for text in texts:
        for match in TASK_ID.findall(text) + PROJECT_ID.findall(text):
            if match not in links:
                links.append(match)
    for link in links:
        if TASK_ID.fullmatch(link) and link not in ctx.ledger.declared.tasks:
            return links, f'任务 {link} 未在账本中声明（custom "task"），应先声明任务'
        if PROJECT_ID.fullmatch(link) and link not in ctx.ledger.declared.projects:
            return links, f'项目 {link} 未在账本中声明（custom "project"），应先声明项目'
    return links, None


def open_account_hint(root: str, unit_component: str, code: str, name: str | None) -> str:
    """How an account the ledger lacks would be spelt, for the message."""
    leaf = f"{code}-{name}" if name else f"{code}-…"
    return f"{root}:{unit_component}:{leaf}"


def original_lines(payee: Any, narration: Any) -> str:
    """``payee_original`` / ``narration_original`` metadata for cells whose invisible
    characters (zero-width, bidi controls) were dropped: the cell as it was, escaped."""
    if type(payee) is str and type(narration) is str and not _HIDDEN(payee + narration):
        return ""  # the usual row: one search over both cells
    lines = ""
    for key, raw in (("payee_original", payee), ("narration_original", narration)):
        original = escaped_invisible(raw)
        if original is not None:
            lines += f"  {key}: {q(original)}\n"
    return lines
