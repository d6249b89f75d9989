"""Money per task, project and quota over time — the group-bys rules and reports share.

One pass over the posting table gathers, per task, the money its unit received and
the money spent on it per day; per quota the spending charged to it per day; per
project its spending per day.  The T001/T003/T009 rules, the task ledger report and
the Fava task board all read these series, so "received", "spent" and a task's
status are computed in exactly one place.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from sandao.ledger.model import Declarations, Task
from sandao.ledger.resolver import INCOME, SPENDING, PostingTable
from sandao.ledger.vocabulary import (
    CARRIED,
    FUNDED,
    NOT_DUE,
    OVERDUE,
    PAID_LATE,
    PARTLY_FUNDED,
    SETTLED,
)

ZERO = Decimal(0)
#: More postings than any transaction has: a (transaction, posting) pair as one int.
POSITIONS = 1 << 32


@dataclass
class DailySeries:
    """Per-day sums, as a dict date → [received, spent] (in no set order: sort it for
    the dates in turn); cumulative views on demand."""

    days: dict[datetime.date, list[Decimal]] = field(default_factory=dict)
    #: date → the day's first posting in table order, ``txn * POSITIONS + position`` (one
    #: int per day, compared as the pair), so findings point at an entry (:meth:`meta`)
    first: dict[datetime.date, int] = field(default_factory=dict)
    #: the posting table's :meth:`~sandao.ledger.resolver.PostingTable.source`
    source: Callable[[int, int], dict[str, Any]] | None = field(default=None, repr=False)

    def add_all(
        self,
        money: Iterable[tuple[datetime.date, Decimal, int]],
        position: int,
        income: bool = False,
    ) -> None:
        """Add the ``(date, amount, txn)`` of the postings at ``position`` of their
        transactions: spent, or received when ``income`` (an income posting's amount is
        negative).  Postings arrive a transaction shape at a time, so a day's first
        posting is the one of the smallest (transaction, position)."""
        days, first = self.days, self.first
        for date, amount, txn in money:
            order = txn * POSITIONS + position
            day = days.get(date)
            if day is None:
                days[date] = [-amount, ZERO] if income else [ZERO, amount]
                first[date] = order
                continue
            if income:
                day[0] -= amount
            else:
                day[1] += amount
            if order < first[date]:
                first[date] = order

    def meta(self, date: datetime.date) -> dict[str, object]:
        """Beancount-style source metadata of the first posting on ``date``."""
        found = self.first.get(date)
        source = self.source(*divmod(found, POSITIONS)) if found is not None and self.source else {}
        return {"filename": source.get("filename"), "lineno": source.get("lineno")}

    def cumulative(self) -> list[tuple[datetime.date, Decimal, Decimal]]:
        """(date, received to date, spent to date) at the end of each day with activity."""
        out = []
        received = spent = ZERO
        for date in sorted(self.days):
            day = self.days[date]
            received += day[0]
            spent += day[1]
            out.append((date, received, spent))
        return out

    def totals(self) -> tuple[Decimal, Decimal]:
        received = sum((d[0] for d in self.days.values()), ZERO)
        spent = sum((d[1] for d in self.days.values()), ZERO)
        return received, spent


@dataclass(frozen=True)
class TaskPosition:
    """A task as of a date: what the task ledger, the notices and the export show."""

    date: datetime.date
    #: The total in force at the end of ``date`` (:meth:`Task.amount_at`).
    amount: Decimal
    received: Decimal
    spent: Decimal
    status: str
    #: Some money that fell due by ``date`` had not all arrived on its due date.
    late: bool
    #: Days the money was (or still is) late: arrival − due, or ``date`` − due if unpaid.
    days_late: int = 0
    #: Money overdue at ``date``: fallen due and not received (0 unless 逾期未拨付).
    overdue: Decimal = ZERO

    @property
    def balance(self) -> Decimal:
        return self.received - self.spent


@dataclass
class TaskFunding:
    """A task's money: its daily series, and its position as of the analysis date.

    Every as-of question about a task — received, spent, amount in force, status,
    late, days late — is answered here (:meth:`position`, :meth:`totals_by`,
    :meth:`late_by`, :meth:`days_late`); reports and Fava ask, they do not recompute.
    """

    task: Task
    transfers: list[tuple[datetime.date, Decimal]]
    received: Decimal
    spent: Decimal
    cumulative: list[tuple[datetime.date, Decimal, Decimal]]
    series: DailySeries | None
    status: str
    late: bool
    as_of: datetime.date | None = None

    @property
    def balance(self) -> Decimal:
        return self.received - self.spent

    @property
    def amount(self) -> Decimal:
        """The amount in force after every amendment."""
        return self.task.current_amount()

    def totals_by(self, date: datetime.date) -> tuple[Decimal, Decimal]:
        """(received, spent) up to the end of ``date``."""
        received = spent = ZERO
        for day, cum_received, cum_spent in self.cumulative:
            if day > date:
                break
            received, spent = cum_received, cum_spent
        return received, spent

    def received_by(self, date: datetime.date) -> Decimal:
        """Money received up to the end of ``date``."""
        return self.totals_by(date)[0]

    def spent_by(self, date: datetime.date) -> Decimal:
        """Money spent up to the end of ``date``."""
        return self.totals_by(date)[1]

    def late_by(self, date: datetime.date) -> bool:
        """Whether some money that fell due by ``date`` had not all arrived on its due date."""
        return any(
            self.received_by(due) < need
            for due, need, _, _ in self.task.due_events()
            if due <= date
        )

    def returned_by(self, date: datetime.date) -> Decimal:
        """Money the unit gave back by ``date`` on a task closed with ``"return"``."""
        if self.task.close_mode != "return" or self.series is None:
            return ZERO
        return -sum((v[0] for day, v in self.series.days.items() if day <= date and v[0] < 0), ZERO)

    def amount_in_force(self, date: datetime.date) -> Decimal:
        """The total in force at ``date``, less what a ``return`` closing gave back."""
        return self.task.amount_at(date) - self.returned_by(date)

    def days_late(self, date: datetime.date) -> int:
        """Days the money that fell due by ``date`` was late: for each due date, from it to
        the day its money had all arrived (or to ``date`` if it still has not); the largest."""
        worst = 0
        received = self.received_by(date)
        for due, need, _, _ in self.task.due_events():
            if due > date:
                continue
            arrived = self.funded_on(need)
            if arrived is not None and arrived <= date:
                worst = max(worst, (arrived - due).days)
            elif received < need:
                worst = max(worst, (date - due).days)
        return worst

    def overdue_by(self, date: datetime.date, status: str | None = None) -> Decimal:
        """Money overdue at ``date``: due by then and not received (逾期未拨付 tasks only).

        Money not yet due, and money the unit itself returned, is never owed.
        """
        received = self.received_by(date)
        status = status or self.status_by(date)
        if status != OVERDUE:
            return ZERO
        limit = self.amount_in_force(date)
        due = [min(need, limit) for when, need, _, _ in self.task.due_events() if when <= date]
        return max([need - received for need in due] + [ZERO])

    def status_by(self, date: datetime.date) -> str:
        """The task's status at the end of ``date`` (:func:`task_status`)."""
        received, spent = self.totals_by(date)
        return task_status(
            self.task, received, date, self.late_by(date), self.returned_by(date), received - spent
        )

    def position(self, date: datetime.date) -> TaskPosition:
        """The task as of the end of ``date``: amount in force, money, status, lateness."""
        if date == self.as_of:
            received, spent, status, late = self.received, self.spent, self.status, self.late
        else:
            received, spent = self.totals_by(date)
            late = self.late_by(date)
            status = self.status_by(date)
        return TaskPosition(
            date,
            self.amount_in_force(date),
            received,
            spent,
            status,
            late,
            self.days_late(date) if late else 0,
            self.overdue_by(date, status),
        )

    def shortfall(self, as_of: datetime.date) -> Decimal:
        """Money overdue at ``as_of`` (see :meth:`overdue_by`; never negative)."""
        return self.overdue_by(as_of)

    def funded_on(
        self, amount: Decimal, after: datetime.date | None = None
    ) -> datetime.date | None:
        """The first day (after ``after``) at whose end ``amount`` had been received."""
        for day, cum_received, _ in self.cumulative:
            if cum_received >= amount and (after is None or day > after):
                return day
        return None


@dataclass
class Usage:
    """Series gathered from the posting table in one pass."""

    tasks: dict[str, DailySeries]
    quotas: dict[str, DailySeries]
    projects: dict[str, DailySeries]

    def quota_spent(
        self,
        quota_id: str,
        start: datetime.date | None = None,
        end: datetime.date | None = None,
    ) -> Decimal:
        """Spending charged to a quota (net of refunds) dated in ``[start, end]``."""
        return _spent_between(self.quotas.get(quota_id), start, end)

    def project_spent(self, project_id: str) -> Decimal:
        """Spending charged to a project (net of refunds)."""
        return _spent_between(self.projects.get(project_id), None, None)

    def spent(
        self, ref: str, start: datetime.date | None = None, end: datetime.date | None = None
    ) -> Decimal:
        """Spending charged to a task, project or quota ``ref`` (net of refunds) in ``[start, end]``."""
        series = self.tasks.get(ref) or self.projects.get(ref) or self.quotas.get(ref)
        return _spent_between(series, start, end)


def _spent_between(
    series: DailySeries | None, start: datetime.date | None, end: datetime.date | None
) -> Decimal:
    if series is None:
        return ZERO
    if start is None and end is None:
        return series.totals()[1]
    total = ZERO
    for day, (_, spent) in series.days.items():
        if (start is None or day >= start) and (end is None or day <= end):
            total += spent
    return total


def gather(table: PostingTable, decl: Declarations) -> Usage:
    """Group the table's money by task (received/spent), quota and project (spent).

    A posting's series follow from its dimensions alone, so they are chosen once per
    slot of each :class:`~sandao.ledger.resolver.Shape` (:func:`_series_of`) and the
    slot's money is added to them.
    """

    def new_series() -> DailySeries:
        return DailySeries(source=table.source)

    tasks: dict[str, DailySeries] = defaultdict(new_series)
    quotas: dict[str, DailySeries] = defaultdict(new_series)
    projects: dict[str, DailySeries] = defaultdict(new_series)
    for shape in table.shapes:
        for position in shape.slots:
            dims, role = shape.postings[position]
            targets = _series_of(dims, role, decl, tasks, quotas, projects)
            for series, income in targets:
                series.add_all(table.money(shape, position), position, income)
    return Usage(dict(tasks), dict(quotas), dict(projects))


def _series_of(
    dims: tuple[str | None, ...],
    role: str,
    decl: Declarations,
    tasks: dict[str, DailySeries],
    quotas: dict[str, DailySeries],
    projects: dict[str, DailySeries],
) -> list[tuple[DailySeries, bool]]:
    """The series a posting of these dimensions adds to, each with whether it is income:
    spending to its task's, quota's and project's; income to its task's when the task's
    own unit received it."""
    unit, _, _, _, _, task, project, quota, _ = dims
    if role == SPENDING:
        found = [(tasks[task], False)] if task is not None else []
        if quota is not None:
            found.append((quotas[quota], False))
        if project is not None:
            found.append((projects[project], False))
        return found
    if role == INCOME and task is not None:
        declared = decl.tasks.get(task)
        if declared is not None and unit == declared.unit:
            return [(tasks[task], True)]
    return []


def task_status(
    task: Task,
    received: Decimal,
    as_of: datetime.date,
    late: bool = False,
    returned: Decimal = ZERO,
    balance: Decimal = ZERO,
) -> str:
    """未到期 / 部分拨付 / 已拨付 / 逾期未拨付 / 逾期后拨付 / 已结清 / 已结转 as of a date.

    The one place a task's status is decided (the rules, the task ledger, the notices,
    the export and Fava all read it through :class:`TaskFunding`): closed with its
    balance (received − spent) carried forward → 已结转, otherwise closed → 已结清;
    received ≥ the amount in force (less what a ``return`` closing gave back) → 已拨付,
    or 逾期后拨付 when money arrived after its ``due`` (``late``); money due by the date
    and short → 逾期未拨付; nothing due yet → 未到期, or 部分拨付 once some money arrived.
    """
    if task.close_date is not None and task.close_date <= as_of:
        carried = task.close_mode == "carry-forward" and balance != ZERO
        return CARRIED if carried else SETTLED
    required = task.amount_at(as_of) - returned
    if received >= required:
        return PAID_LATE if late else FUNDED
    overdue = any(
        due <= as_of and received < min(amount, required) for due, amount, _, _ in task.due_events()
    )
    if overdue:
        return OVERDUE
    return NOT_DUE if received <= ZERO else PARTLY_FUNDED


def task_funding(task: Task, series: DailySeries | None, as_of: datetime.date) -> TaskFunding:
    """A task's funding picture as of ``as_of`` from its daily series."""
    cumulative = series.cumulative() if series else []
    transfers = [(d, v[0]) for d, v in sorted(series.days.items()) if v[0]] if series else []
    received = cumulative[-1][1] if cumulative else ZERO
    spent = cumulative[-1][2] if cumulative else ZERO
    funding = TaskFunding(task, transfers, received, spent, cumulative, series, "", False, as_of)
    funding.late = funding.late_by(as_of)
    funding.status = task_status(
        task, received, as_of, funding.late, funding.returned_by(as_of), received - spent
    )
    return funding


def all_task_funding(
    decl: Declarations, usage: Usage, as_of: datetime.date
) -> dict[str, TaskFunding]:
    """Funding of every declared task, in task id order."""
    return {
        task_id: task_funding(decl.tasks[task_id], usage.tasks.get(task_id), as_of)
        for task_id in sorted(decl.tasks)
    }
