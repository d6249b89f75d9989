"""Rules over the declarations: the codes they give and cite, the ids their changes cite.

D002 for a unit, community or department code that is malformed, and for a code a
task, project, quota or community cites that is malformed or never declared; T002 for
a task-amend, task-close or quota ``task:`` citing an undeclared task; Q002 for a
quota-adjust citing an undeclared quota.
"""

from __future__ import annotations

import datetime
import re
from typing import Any

from sandao.ledger.model import Declarations
from sandao.ledger.rules.registry import rule
from sandao.ledger.sink import FindingSink
from sandao.ledger.vocabulary import (
    COMMUNITY_CODE,
    DEPARTMENT_CODE,
    ECONOMIC_CODE,
    FUNCTION_CODE,
    UNIT_CODE,
)


def check_references(decl: Declarations, sink: FindingSink) -> None:
    """Every declaration rule, in one walk over the declarations."""
    d002_declared_codes(decl, sink)
    t002_changes_of_undeclared_tasks(decl, sink)
    q002_adjustments_of_undeclared_quotas(decl, sink)
    s002_impossible_dates(decl, sink)


def likely_date(day: datetime.date, declared: datetime.date) -> datetime.date | None:
    """The date ``day`` was probably meant to be: the same month and day in the year of
    ``declared`` (or the next, when that is still before it)."""
    for year in (declared.year, declared.year + 1):
        try:
            guess = day.replace(year=year)
        except ValueError:  # 29 February
            continue
        if guess >= declared:
            return guess
    return None


@rule("S002")
def s002_impossible_dates(decl: Declarations, sink: FindingSink) -> None:
    """S002: a task's ``due`` or ``end`` before the day it is declared, or a task-amend
    dated before its task — the message names the likely typo (the year)."""
    for task in decl.tasks.values():
        for key in ("due", "end"):
            day = getattr(task, key)
            if day is None or day >= task.start:
                continue
            guess = likely_date(day, task.start)
            hint = f"：是否为 {guess.isoformat()}？" if guess else ""
            sink.add(
                "S002",
                task.meta,
                task.start,
                f"任务 {task.id} 的 {key}: {day} 早于声明日期 {task.start}，多半是年份写错{hint}",
                task=task.id,
                unit=task.unit,
                department=task.department,
            )
        for change in task.changes:
            if change.date < task.start:
                sink.add(
                    "S002",
                    change.meta,
                    change.date,
                    f"任务 {task.id} 的变更日期 {change.date} 早于任务声明日期 {task.start}",
                    task=task.id,
                    unit=task.unit,
                )


def _check_code(
    sink: FindingSink,
    meta: dict[str, Any],
    date: datetime.date | None,
    label: str,
    code: str | None,
    pattern: re.Pattern[str],
    declared: dict[str, Any] | None,
    **ids: str | None,
) -> None:
    if code is None:
        return
    if not pattern.fullmatch(code):
        sink.add("D002", meta, date, f"{label}编码 {code!r} 格式不正确", **ids)
    elif declared is not None and code not in declared:
        sink.add("D002", meta, date, f"{label}编码 {code} 未声明", **ids)


@rule("D002")
def d002_declared_codes(decl: Declarations, sink: FindingSink) -> None:
    """D002: a declared code of the wrong shape, or a cited code malformed or undeclared."""
    for u in decl.units.values():
        _check_code(sink, u.meta, u.date, "单位", u.code, UNIT_CODE, None, unit=u.code)
    for c in decl.communities.values():
        _check_code(sink, c.meta, c.date, "社区", c.code, COMMUNITY_CODE, None, unit=c.unit)
    for d in decl.departments.values():
        _check_code(sink, d.meta, d.date, "部门", d.code, DEPARTMENT_CODE, None, department=d.code)
    for c in decl.communities.values():
        _check_code(sink, c.meta, None, "社区所属单位", c.unit, UNIT_CODE, decl.units, unit=c.unit)
    for t in decl.tasks.values():
        meta, at = t.meta, t.start
        ids = {"task": t.id, "unit": t.unit, "department": t.department}
        _check_code(sink, meta, at, "单位", t.unit, UNIT_CODE, decl.units, **ids)
        _check_code(sink, meta, at, "部门", t.department, DEPARTMENT_CODE, decl.departments, **ids)
        _check_code(sink, meta, at, "社区", t.community, COMMUNITY_CODE, decl.communities, **ids)
        _check_code(sink, meta, at, "功能分类", t.function, FUNCTION_CODE, None, **ids)
    for p in decl.projects.values():
        meta, at = p.meta, p.start
        ids = {"project": p.id, "unit": p.unit}
        _check_code(sink, meta, at, "单位", p.unit, UNIT_CODE, decl.units, **ids)
        _check_code(sink, meta, at, "社区", p.community, COMMUNITY_CODE, decl.communities, **ids)
    for q in decl.quotas.values():
        meta, at = q.meta, q.date
        ids = {"quota": q.id, "unit": q.unit}
        _check_code(sink, meta, at, "单位", q.unit, UNIT_CODE, decl.units, **ids)
        _check_code(sink, meta, at, "功能分类", q.function, FUNCTION_CODE, None, **ids)
        _check_code(sink, meta, at, "经济分类", q.economic, ECONOMIC_CODE, None, **ids)
        _check_code(sink, meta, at, "社区", q.community, COMMUNITY_CODE, decl.communities, **ids)


@rule("T002")
def t002_changes_of_undeclared_tasks(decl: Declarations, sink: FindingSink) -> None:
    """T002: a task-amend or task-close of an undeclared task; a quota's undeclared ``task:``."""
    for entry in decl.unresolved:
        if entry.type in ("task-amend", "task-close"):
            task_id = entry.values[0].value
            message = f"{entry.type} 引用了未声明的任务 {task_id}"
            sink.add("T002", entry.meta, entry.date, message, task=task_id)
    for q in decl.quotas.values():
        if q.task is not None and q.task not in decl.tasks:
            message = f"指标 {q.id} 的 task: 引用了未声明的任务 {q.task}"
            sink.add("T002", q.meta, q.date, message, quota=q.id, task=q.task)


@rule("Q002")
def q002_adjustments_of_undeclared_quotas(decl: Declarations, sink: FindingSink) -> None:
    """Q002: a quota-adjust of an undeclared quota."""
    for entry in decl.unresolved:
        if entry.type == "quota-adjust":
            quota_id = entry.values[0].value
            message = f"quota-adjust 引用了未声明的指标 {quota_id}"
            sink.add("Q002", entry.meta, entry.date, message, quota=quota_id)
