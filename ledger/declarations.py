"""The fund model: the project's ``custom`` directives read into typed declarations.

One pass over the entries collects units, communities, departments, tasks (with
their amendments and closes), projects, quotas (with adjustments), performance
targets and outputs.  Malformed directives become S001 findings and bad or
undeclared codes D002, so every later layer can trust what it gets from here.
"""

from __future__ import annotations

import datetime
import re
from bisect import bisect_right
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from beancount.core import data
from beancount.core.amount import Amount

from sandao.ledger.sink import FindingSink
from sandao.ledger.vocabulary import (
    COMMUNITY_CODE,
    DEFAULT_AMEND_DUE_DAYS,
    DEFAULT_FUND_TYPE,
    DEPARTMENT_CODE,
    ECONOMIC_CODE,
    FUNCTION_CODE,
    FUND_TYPES,
    PROJECT_ID,
    QUOTA_CONTROLS,
    QUOTA_KINDS,
    STREAMS,
    TASK_CLOSE_MODES,
    TASK_ID,
    UNIT_CODE,
)


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


@dataclass
class Community:
    code: str
    name: str
    unit: str | None
    households: Decimal | None
    meta: dict[str, Any]


@dataclass
class Department:
    code: str
    name: str
    meta: dict[str, Any]


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

    def amount_at(self, date: datetime.date) -> Decimal:
        """Opening amount plus adjustments dated on or before ``date``."""
        if len(self._dates) != len(self.adjustments) + 1:
            self._schedule()
        index = bisect_right(self._dates, date)
        return self._totals[index - 1] if index else Decimal(0)

    def adjusted_amount(self) -> Decimal:
        """The amount after every adjustment (调整预算数)."""
        return self.amount + sum((a.amount for a in self.adjustments), Decimal(0))


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
class Declarations:
    units: dict[str, Unit] = field(default_factory=dict)
    communities: dict[str, Community] = field(default_factory=dict)
    departments: dict[str, Department] = field(default_factory=dict)
    tasks: dict[str, Task] = field(default_factory=dict)
    projects: dict[str, Project] = field(default_factory=dict)
    quotas: dict[str, Quota] = field(default_factory=dict)
    targets: list[Measure] = field(default_factory=list)
    outputs: list[Measure] = field(default_factory=list)


class _Reader:
    """Reads one custom directive's values and keys, reporting S001 on the way."""

    def __init__(self, entry: data.Custom, sink: FindingSink) -> None:
        self.entry = entry
        self.sink = sink
        self.ok = True
        self.ids: dict[str, str | None] = {}

    def fail(self, what: str) -> None:
        if self.ok:
            self.sink.add(
                "S001",
                self.entry.meta,
                self.entry.date,
                f'custom "{self.entry.type}" 指令格式错误：{what}',
                **self.ids,
            )
        self.ok = False

    def id_name_amount(self, key: str, what: str) -> tuple[Any, Any, Any]:
        """The ``"ID" "名称" 金额`` head shared by task, project and quota declarations."""
        ident = self.value(0, str, f"{what}编号")
        self.ids = {key: ident}
        name = self.value(1, str, f"{what}名称")
        amount = self.amount(2)
        self.extra_values(3)
        return ident, name, amount

    def value(self, index: int, kind: type, label: str) -> Any:
        values = self.entry.values
        if index >= len(values):
            self.fail(f"缺少第{index + 1}个值（{label}）")
            return None
        value = values[index].value
        if kind is Decimal and isinstance(value, Amount):
            self.fail(f"第{index + 1}个值（{label}）应为数字，不带币种")
            return None
        if not isinstance(value, kind) or isinstance(value, bool):
            expected = {
                str: "带引号的文本",
                Amount: "金额和币种（如 50000.00 CNY）",
                Decimal: "数字",
            }
            self.fail(f"第{index + 1}个值（{label}）应为{expected.get(kind, kind.__name__)}")
            return None
        return value

    def extra_values(self, count: int) -> None:
        if len(self.entry.values) > count:
            self.fail(f"值过多：应为{count}个，实际{len(self.entry.values)}个")

    def key(self, name: str, kind: str, required: bool = False) -> Any:
        meta = self.entry.meta
        if name not in meta or meta[name] is None:
            if required:
                self.fail(f"缺少必填项 {name}:")
            return None
        value = meta[name]
        if kind == "date":
            if not isinstance(value, datetime.date):
                self.fail(f"{name}: 应为不带引号的日期（如 2025-03-31），实际为 {value!r}")
                return None
            return value
        if kind == "code":
            code = code_value(value)
            if code is None:
                self.fail(f"{name}: 应为编码文本，实际为 {value!r}")
            return code
        if kind == "number":
            if not isinstance(value, Decimal):
                self.fail(f"{name}: 应为数字，实际为 {value!r}")
                return None
            return value
        if not isinstance(value, str):
            self.fail(f"{name}: 应为带引号的文本，实际为 {value!r}")
            return None
        return value

    def choice(self, name: str, allowed: Iterable[str], default: str | None = None) -> str | None:
        value = self.key(name, "text")
        if value is None:
            return default
        if value not in allowed:
            self.fail(f"{name}: 应为 {' / '.join(allowed)} 之一，实际为 {value!r}")
            return default
        return value

    def amount(self, index: int, label: str = "金额") -> Amount | None:
        return self.value(index, Amount, label)


def _check_code(
    sink: FindingSink,
    entry: data.Custom,
    label: str,
    code: str | None,
    pattern: re.Pattern[str],
    declared: dict[str, Any] | None,
    **ids: str | None,
) -> None:
    if code is None:
        return
    if not pattern.fullmatch(code):
        sink.add("D002", entry.meta, entry.date, f"{label}编码 {code!r} 格式不正确", **ids)
    elif declared is not None and code not in declared:
        sink.add("D002", entry.meta, entry.date, f"{label}编码 {code} 未声明", **ids)


def read_declarations(entries: Iterable[data.Directive], sink: FindingSink) -> Declarations:
    """Collect every declaration of the fund language; report S001/D002 into ``sink``."""
    decl = Declarations()
    customs = [e for e in entries if isinstance(e, data.Custom)]
    # Declarations first, changes second, so a change may precede its declaration in the file.
    later: list[data.Custom] = []
    for entry in customs:
        handler = _DECLARE.get(entry.type)
        if handler is not None:
            handler(entry, decl, sink)
        elif entry.type in _CHANGE:
            later.append(entry)
    for entry in later:
        _CHANGE[entry.type](entry, decl, sink)
    _check_references(decl, sink)
    for task in decl.tasks.values():
        task.changes.sort(key=lambda c: c.date)
    return decl


def _duplicate(sink: FindingSink, entry: data.Custom, kind: str, key: str, table: dict) -> bool:
    if key in table:
        first = table[key].meta
        sink.add(
            "S001",
            entry.meta,
            entry.date,
            f"{kind} {key} 重复声明（首次声明于 {first.get('filename')}:{first.get('lineno')}）",
        )
        return True
    return False


def _declare_unit(entry: data.Custom, decl: Declarations, sink: FindingSink) -> None:
    r = _Reader(entry, sink)
    code, name = r.value(0, str, "单位编码"), r.value(1, str, "单位名称")
    r.extra_values(2)
    kind = r.key("kind", "text")
    if not r.ok or _duplicate(sink, entry, "单位", code, decl.units):
        return
    _check_code(sink, entry, "单位", code, UNIT_CODE, None, unit=code)
    decl.units[code] = Unit(code, name, kind, entry.meta)


def _declare_community(entry: data.Custom, decl: Declarations, sink: FindingSink) -> None:
    r = _Reader(entry, sink)
    code, name = r.value(0, str, "社区编码"), r.value(1, str, "社区名称")
    r.extra_values(2)
    unit = r.key("unit", "code")
    households = r.key("households", "number")
    if not r.ok or _duplicate(sink, entry, "社区", code, decl.communities):
        return
    _check_code(sink, entry, "社区", code, COMMUNITY_CODE, None, unit=unit)
    decl.communities[code] = Community(code, name, unit, households, entry.meta)


def _declare_department(entry: data.Custom, decl: Declarations, sink: FindingSink) -> None:
    r = _Reader(entry, sink)
    code, name = r.value(0, str, "部门编码"), r.value(1, str, "部门名称")
    r.extra_values(2)
    if not r.ok or _duplicate(sink, entry, "部门", code, decl.departments):
        return
    _check_code(sink, entry, "部门", code, DEPARTMENT_CODE, None, department=code)
    decl.departments[code] = Department(code, name, entry.meta)


def _declare_task(entry: data.Custom, decl: Declarations, sink: FindingSink) -> None:
    r = _Reader(entry, sink)
    task_id, name, amount = r.id_name_amount("task", "任务")
    department = r.key("department", "code", required=True)
    unit = r.key("unit", "code", required=True)
    due = r.key("due", "date", required=True)
    end = r.key("end", "date", required=True)
    community = r.key("community", "code")
    document = r.key("document", "text")
    function = r.key("function", "code")
    if task_id is not None and not TASK_ID.fullmatch(task_id):
        r.fail(f"任务编号 {task_id!r} 不符合格式 T年份-序号（如 T2025-007）")
    if due and end and end < due:
        r.fail(f"end: {end} 早于 due: {due}")
    if not r.ok or _duplicate(sink, entry, "任务", task_id, decl.tasks):
        return
    decl.tasks[task_id] = Task(
        task_id,
        name,
        amount.number,
        amount.currency,
        department,
        unit,
        community,
        entry.date,
        due,
        end,
        document,
        function,
        entry.meta,
    )


def _declare_project(entry: data.Custom, decl: Declarations, sink: FindingSink) -> None:
    r = _Reader(entry, sink)
    project_id, name, amount = r.id_name_amount("project", "项目")
    unit = r.key("unit", "code", required=True)
    community = r.key("community", "code")
    end = r.key("end", "date")
    if project_id is not None and not PROJECT_ID.fullmatch(project_id):
        r.fail(f"项目编号 {project_id!r} 不符合格式 P年份-序号（如 P2024-01）")
    if not r.ok or _duplicate(sink, entry, "项目", project_id, decl.projects):
        return
    decl.projects[project_id] = Project(
        project_id,
        name,
        amount.number,
        amount.currency,
        unit,
        community,
        entry.date,
        end,
        entry.meta,
    )


def _declare_quota(entry: data.Custom, decl: Declarations, sink: FindingSink) -> None:
    r = _Reader(entry, sink)
    quota_id, name, amount = r.id_name_amount("quota", "指标")
    unit = r.key("unit", "code", required=True)
    stream = r.choice("stream", STREAMS)
    if "stream" not in entry.meta:
        r.fail("缺少必填项 stream:")
    function = r.key("function", "code", required=True)
    economic = r.key("economic", "code")
    control = r.choice("control", QUOTA_CONTROLS, "stop")
    kind = r.choice("kind", QUOTA_KINDS)
    fund_type = r.choice("fund_type", FUND_TYPES, DEFAULT_FUND_TYPE)
    task = r.key("task", "code")
    community = r.key("community", "code")
    document = r.key("document", "text")
    if not r.ok or _duplicate(sink, entry, "指标", quota_id, decl.quotas):
        return
    decl.quotas[quota_id] = Quota(
        quota_id,
        name,
        amount.number,
        amount.currency,
        unit,
        stream,
        function,
        economic,
        control,
        document,
        kind,
        fund_type,
        task,
        entry.date,
        entry.meta,
        community,
    )


def _declare_measure(entry: data.Custom, decl: Declarations, sink: FindingSink) -> None:
    r = _Reader(entry, sink)
    ref = r.value(0, str, "任务/项目/指标编号")
    name = r.value(1, str, "指标名称")
    value = r.value(2, Decimal, "数值")
    measure_unit = r.value(3, str, "计量单位") if len(entry.values) > 3 else None
    r.extra_values(4)
    if not r.ok:
        return
    target = decl.targets if entry.type == "target" else decl.outputs
    target.append(Measure(entry.date, ref, name, value, measure_unit, entry.meta))


def _amend_task(entry: data.Custom, decl: Declarations, sink: FindingSink) -> None:
    r = _Reader(entry, sink)
    task_id = r.value(0, str, "任务编号")
    r.ids = {"task": task_id}
    amount = r.amount(1, "新的任务总额")
    r.extra_values(2)
    due = r.key("due", "date")
    document = r.key("document", "text")
    if not r.ok:
        return
    task = decl.tasks.get(task_id)
    if task is None:
        sink.add(
            "T002", entry.meta, entry.date, f"task-amend 引用了未声明的任务 {task_id}", task=task_id
        )
        return
    due = due or entry.date + datetime.timedelta(days=DEFAULT_AMEND_DUE_DAYS)
    task.changes.append(TaskChange(entry.date, amount.number, due, document, entry.meta))


def _close_task(entry: data.Custom, decl: Declarations, sink: FindingSink) -> None:
    r = _Reader(entry, sink)
    task_id = r.value(0, str, "任务编号")
    r.ids = {"task": task_id}
    mode = r.value(1, str, "结项方式")
    r.extra_values(2)
    document = r.key("document", "text")
    if mode is not None and mode not in TASK_CLOSE_MODES:
        r.fail(f"结项方式应为 {' / '.join(TASK_CLOSE_MODES)} 之一，实际为 {mode!r}")
    if not r.ok:
        return
    task = decl.tasks.get(task_id)
    if task is None:
        sink.add(
            "T002", entry.meta, entry.date, f"task-close 引用了未声明的任务 {task_id}", task=task_id
        )
        return
    task.close_date, task.close_mode, task.close_document = entry.date, mode, document


def _adjust_quota(entry: data.Custom, decl: Declarations, sink: FindingSink) -> None:
    r = _Reader(entry, sink)
    quota_id = r.value(0, str, "指标编号")
    r.ids = {"quota": quota_id}
    amount = r.amount(1, "调整金额")
    r.extra_values(2)
    document = r.key("document", "text")
    if not r.ok:
        return
    quota = decl.quotas.get(quota_id)
    if quota is None:
        sink.add(
            "Q002",
            entry.meta,
            entry.date,
            f"quota-adjust 引用了未声明的指标 {quota_id}",
            quota=quota_id,
        )
        return
    quota.adjustments.append(QuotaChange(entry.date, amount.number, document, entry.meta))


_DECLARE = {
    "unit": _declare_unit,
    "community": _declare_community,
    "department": _declare_department,
    "task": _declare_task,
    "project": _declare_project,
    "quota": _declare_quota,
    "target": _declare_measure,
    "output": _declare_measure,
}
_CHANGE = {"task-amend": _amend_task, "task-close": _close_task, "quota-adjust": _adjust_quota}


def _check_references(decl: Declarations, sink: FindingSink) -> None:
    """D002 for codes a declaration cites that are malformed or never declared."""
    for c in decl.communities.values():
        _check_code(
            sink, _Meta(c.meta, None), "社区所属单位", c.unit, UNIT_CODE, decl.units, unit=c.unit
        )
    for t in decl.tasks.values():
        at = _Meta(t.meta, t.start)
        ids = {"task": t.id, "unit": t.unit, "department": t.department}
        _check_code(sink, at, "单位", t.unit, UNIT_CODE, decl.units, **ids)
        _check_code(sink, at, "部门", t.department, DEPARTMENT_CODE, decl.departments, **ids)
        _check_code(sink, at, "社区", t.community, COMMUNITY_CODE, decl.communities, **ids)
        _check_code(sink, at, "功能分类", t.function, FUNCTION_CODE, None, **ids)
    for p in decl.projects.values():
        at = _Meta(p.meta, p.start)
        ids = {"project": p.id, "unit": p.unit}
        _check_code(sink, at, "单位", p.unit, UNIT_CODE, decl.units, **ids)
        _check_code(sink, at, "社区", p.community, COMMUNITY_CODE, decl.communities, **ids)
    for q in decl.quotas.values():
        at = _Meta(q.meta, q.date)
        ids = {"quota": q.id, "unit": q.unit}
        _check_code(sink, at, "单位", q.unit, UNIT_CODE, decl.units, **ids)
        _check_code(sink, at, "功能分类", q.function, FUNCTION_CODE, None, **ids)
        _check_code(sink, at, "经济分类", q.economic, ECONOMIC_CODE, None, **ids)
        _check_code(sink, at, "社区", q.community, COMMUNITY_CODE, decl.communities, **ids)
        if q.task is not None and q.task not in decl.tasks:
            sink.add(
                "T002",
                q.meta,
                q.date,
                f"指标 {q.id} 的 task: 引用了未声明的任务 {q.task}",
                quota=q.id,
                task=q.task,
            )


class _Meta:
    """Just enough of an entry (meta, date) for :func:`_check_code`."""

    def __init__(self, meta: dict[str, Any], date: datetime.date | None) -> None:
        self.meta = meta
        self.date = date
