"""Rules over each task's money over time (费随事转): T001, T003, T008, T009.

Each rule is called once per declared task with the task's :class:`TaskFunding`
(its daily series, received-by and funded-on answers), never with the entries.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sandao.ledger.funding import TaskFunding
from sandao.ledger.model import Declarations
from sandao.ledger.rules.common import fen
from sandao.ledger.rules.registry import rule
from sandao.ledger.sink import FindingSink


@dataclass(frozen=True)
class TaskContext:
    """What a task rule may read besides the task's own funding."""

    decl: Declarations
    as_of: datetime.date
    grace_days: int
    sink: FindingSink

    def ids(self, fund: TaskFunding) -> dict[str, str | None]:
        task = fund.task
        return {"task": task.id, "unit": task.unit, "department": task.department}


TaskRule = Callable[[TaskContext, TaskFunding], None]
#: The task rules, in the order they run for each task.
TASK_RULES: list[TaskRule] = []


def task_rule(code: str) -> Callable[[TaskRule], TaskRule]:
    """Register a rule ``check(ctx, fund)`` run for every declared task."""

    def register(func: TaskRule) -> TaskRule:
        TASK_RULES.append(func)
        return rule(code)(func)

    return register


def check_tasks(
    decl: Declarations,
    funding: dict[str, TaskFunding],
    as_of: datetime.date,
    grace_days: int,
    sink: FindingSink,
) -> None:
    """Every task rule for every declared task (task id order)."""
    ctx = TaskContext(decl, as_of, grace_days, sink)
    for fund in funding.values():
        for check in TASK_RULES:
            check(ctx, fund)


@task_rule("T001")
def t001_not_funded_by_due_date(ctx: TaskContext, fund: TaskFunding) -> None:
    """T001: money that fell due (declaration or amendment) had not all arrived by then."""
    task = fund.task
    dept = ctx.decl.departments.get(task.department)
    dept_name = f"{task.department} {dept.name}" if dept else task.department
    for due, amount, document, meta in task.due_events():
        if due > ctx.as_of:
            continue
        received = fund.received_by(due)
        if received >= amount:
            continue
        arrived = fund.funded_on(amount, after=due)
        later = (
            f"，经费于 {arrived} 才到位"
            if arrived
            else f"，截至 {ctx.as_of} 仍未拨足（已到位 {fen(fund.received)}）"
        )
        doc = f"（{document}）" if document else ""
        ctx.sink.add(
            "T001",
            meta,
            due,
            f"任务 {task.id}「{task.name}」{doc}拨付期限 {due} 应到位 {fen(amount)}，实到 {fen(received)}，"
            f"{dept_name} 少拨 {fen(amount - received)}{later}",
            **ctx.ids(fund),
        )


@task_rule("T003")
def t003_spent_before_funded(ctx: TaskContext, fund: TaskFunding) -> None:
    """T003: the first day the task's spending exceeded the money received so far."""
    for day, received, spent in fund.cumulative:
        if spent > received:
            ctx.sink.add(
                "T003",
                _day_meta(fund, day),
                day,
                f"任务 {fund.task.id} 于 {day} 支出 {fen(spent)} 超过已到位经费 {fen(received)}",
                **ctx.ids(fund),
            )
            return


@task_rule("T008")
def t008_ended_with_balance_not_closed(ctx: TaskContext, fund: TaskFunding) -> None:
    """T008: past its end (plus grace days), money left, and no task-close."""
    task = fund.task
    closed = task.close_date is not None and task.close_date <= ctx.as_of
    deadline = task.end + datetime.timedelta(days=ctx.grace_days)
    if not closed and deadline < ctx.as_of and fund.balance != 0:
        ctx.sink.add(
            "T008",
            task.meta,
            deadline,
            f"任务 {task.id} 已于 {task.end} 结束（宽限 {ctx.grace_days} 天），余额 {fen(fund.balance)} 未结项（task-close）",
            **ctx.ids(fund),
        )


@task_rule("T009")
def t009_overfunded(ctx: TaskContext, fund: TaskFunding) -> None:
    """T009: the first day the money received exceeded the task amount in force."""
    task = fund.task
    for day, received, _ in fund.cumulative:
        if received > task.amount_at(day):
            ctx.sink.add(
                "T009",
                _day_meta(fund, day),
                day,
                f"任务 {task.id} 于 {day} 到位 {fen(received)}，超过任务金额 {fen(task.amount_at(day))}",
                **ctx.ids(fund),
            )
            return


def _day_meta(fund: TaskFunding, day: datetime.date) -> dict[str, Any]:
    assert fund.series is not None  # a day in the cumulative series has a series
    return fund.series.meta(day)
