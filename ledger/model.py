"""The fund model: the declarations of the ledger language as typed records.

Units, communities, departments, tasks (with their amendments and closes), projects,
quotas (with adjustments), performance targets and outputs.  :mod:`declarations`
reads them from the books; every later layer (resolver, rules, importers, reports,
Fava) works with these records.  A task's or quota's own as-of arithmetic (amount in
force at a date, due events) lives on the record; money over time lives in
:mod:`funding`.
"""

from __future__ import annotations

import datetime
from bisect import bisect_right
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any


def code_value(value: Any) -> str | None:
    """A code as a string: ``"2120101"`` and an unquoted ``2120101`` read the same."""
    if value is None:
        return None
    if isinstance(value, Decimal):
        if value != value.to_integral_value():
            return str(value)
        return str(int(value))
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        return value.strip()
    return None


@dataclass
class Unit:
    code: str
    name: str
    kind: str | None
    meta: dict[str, Any]
    date: datetime.date | None = None
    #: The unit's 主管部门 (``supervisor:``): its transfers are 4201 上级补助收入.
    supervisor: str | None = None


@dataclass
class Community:
    code: str
    name: str
    unit: str | None
    households: Decimal | None
    meta: dict[str, Any]
    date: datetime.date | None = None


@dataclass
class Department:
    code: str
    name: str
    meta: dict[str, Any]
    date: datetime.date | None = None


@dataclass
class TaskChange:
    """A task's amount in force from ``date`` on, falling due on ``due``."""

    date: datetime.date
    amount: Decimal
    due: datetime.date
    document: str | None
    meta: dict[str, Any]


@dataclass
class Task:
    id: str
    name: str
    amount: Decimal
    currency: str
    department: str
    unit: str
    community: str | None
    start: datetime.date
    due: datetime.date
    end: datetime.date
    document: str | None
    function: str | None
    meta: dict[str, Any]
    changes: list[TaskChange] = field(default_factory=list)
    close_date: datetime.date | None = None
    close_mode: str | None = None
    close_document: str | None = None

    def amount_at(self, date: datetime.date) -> Decimal:
        """The total in force at the end of ``date`` (0 before the task starts)."""
        if date < self.start:
            return Decimal(0)
        amount = self.amount
        for change in self.changes:
            if change.date <= date:
                amount = change.amount
        return amount

    def current_amount(self) -> Decimal:
        """The total after every amendment."""
        return self.changes[-1].amount if self.changes else self.amount

    def due_events(self) -> list[tuple[datetime.date, Decimal, str | None, dict[str, Any]]]:
        """(due date, amount required then, document, meta) for the task and each amendment.

        The amount required on a due date is the declaration's own total, capped by the
        amount in force on that date (an amendment made before it may have lowered it).
        """
        events = [(self.due, self.amount, self.document, self.meta)]
        events += [(c.due, c.amount, c.document, c.meta) for c in self.changes]
        return [
            (due, min(total, self.amount_at(due)), doc, meta) for due, total, doc, meta in events
        ]


@dataclass
class Project:
    id: str
    name: str
    amount: Decimal
    currency: str
    unit: str
    community: str | None
    start: datetime.date
    end: datetime.date | None
    meta: dict[str, Any]


@dataclass
class QuotaChange:
    date: datetime.date
    amount: Decimal
    document: str | None
    meta: dict[str, Any]


@dataclass
class Quota:
    id: str
    name: str
    amount: Decimal
    currency: str
    unit: str
    stream: str
    function: str
    economic: str | None
    control: str
    document: str | None
    kind: str | None
    fund_type: str
    task: str | None
    date: datetime.date
    meta: dict[str, Any]
    community: str | None = None
    adjustments: list[QuotaChange] = field(default_factory=list)
    _dates: list[datetime.date] = field(default_factory=list, repr=False)
    _totals: list[Decimal] = field(default_factory=list, repr=False)

    @property
    def year(self) -> int:
        """The budget year: the opening amount applies from 1 January of it."""
        return self.date.year

    def _schedule(self) -> None:
        dates = [datetime.date(self.year, 1, 1)]
        totals = [self.amount]
        for adjustment in sorted(self.adjustments, key=lambda a: a.date):
            dates.append(adjustment.date)
            totals.append(totals[-1] + adjustment.amount)
        self._dates, self._totals = dates, totals

    def schedule(self) -> tuple[list[datetime.date], list[Decimal]]:
        """(dates, the amount in force from each): what :meth:`amount_at` bisects."""
        if len(self._dates) != len(self.adjustments) + 1:
            self._schedule()
        return self._dates, self._totals

    def amount_at(self, date: datetime.date) -> Decimal:
        """Opening amount plus adjustments dated on or before ``date``."""
        dates, totals = self.schedule()
        index = bisect_right(dates, date)
        return totals[index - 1] if index else Decimal(0)

    def adjusted_amount(self) -> Decimal:
        """The amount after every adjustment (调整预算数)."""
        return self.amount + sum((a.amount for a in self.adjustments), Decimal(0))

    def adjusted_at(self, end: datetime.date | None) -> Decimal:
        """Opening amount plus adjustments dated on or before ``end`` (all when ``end`` is None).

        Unlike :meth:`amount_at` it does not start at the budget year: the budget tables
        of a year ask it for the year's amount as of a day of that year.
        """
        if end is None:
            return self.adjusted_amount()
        return self.amount + sum((a.amount for a in self.adjustments if a.date <= end), Decimal(0))


@dataclass
class Measure:
    """A performance target or output: ``ref`` is a task, project or quota id."""

    date: datetime.date
    ref: str
    name: str
    value: Decimal
    measure_unit: str | None
    meta: dict[str, Any]


@dataclass
class Contract:
    """A procurement contract (政府采购, disclosure-standard.md "Evidence"), dated at signing."""

    id: str
    name: str
    amount: Decimal
    currency: str
    unit: str | None
    supplier: str | None
    procurement: str | None
    #: awarded to a 中小企业 / 小微企业
    sme: bool
    small: bool
    #: a project reserved for 中小企业 or 小微企业, and the project's reserved budget
    reserved: str | None
    reserved_budget: Decimal | None
    date: datetime.date
    meta: dict[str, Any]


@dataclass
class DisclosureNote:
    """``custom "disclosure-note" UNIT KEY "text"``: a reason the unit gives for a figure of
    its 决算 (``year``; ``about`` 上年 / 预算 / 用途)."""

    unit: str
    key: str
    text: str
    year: int
    about: str | None
    date: datetime.date
    meta: dict[str, Any]


@dataclass
class Declarations:
    units: dict[str, Unit] = field(default_factory=dict)
    communities: dict[str, Community] = field(default_factory=dict)
    departments: dict[str, Department] = field(default_factory=dict)
    tasks: dict[str, Task] = field(default_factory=dict)
    projects: dict[str, Project] = field(default_factory=dict)
    quotas: dict[str, Quota] = field(default_factory=dict)
    targets: list[Measure] = field(default_factory=list)
    outputs: list[Measure] = field(default_factory=list)
    contracts: dict[str, Contract] = field(default_factory=dict)
    notes: list[DisclosureNote] = field(default_factory=list)
    #: task-amend / task-close / quota-adjust entries whose task or quota is not declared.
    unresolved: list[Any] = field(default_factory=list)

    def of_kind(self, kind: str) -> dict[str, Any]:
        """The declarations of ``kind`` (``unit`` … ``quota``, as in ``custom "unit"``) by id:
        the table the kind's plural names."""
        return getattr(self, "communities" if kind == "community" else f"{kind}s")
