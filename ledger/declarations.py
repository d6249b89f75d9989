"""The reader of the ledger language: ``custom`` directives into the records of :mod:`model`.

One pass over the entries collects units, communities, departments, tasks (with
their amendments and closes), projects, quotas (with adjustments), performance
targets and outputs.  A malformed directive is an S001 finding and is left out, so
every later layer can trust what it gets from here.  Whether the codes a declaration
cites are well-formed and declared (D002, T002, Q002) is a rule:
:mod:`sandao.ledger.rules.references`.  The importers read the books through this
reader too.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable, Iterable
from decimal import Decimal
from typing import Any

from beancount.core import data
from beancount.core.amount import Amount

from sandao.ledger.model import (
    Community,
    Contract,
    Declarations,
    Department,
    DisclosureNote,
    Measure,
    Project,
    Quota,
    QuotaChange,
    Task,
    TaskChange,
    Unit,
    code_value,
)
from sandao.ledger.sink import FindingSink
from sandao.ledger.vocabulary import (
    DEFAULT_AMEND_DUE_DAYS,
    DEFAULT_FUND_TYPE,
    FUND_TYPES,
    PROJECT_ID,
    QUOTA_CONTROLS,
    QUOTA_KINDS,
    STREAMS,
    TASK_CLOSE_MODES,
    TASK_ID,
)

_Handler = Callable[[data.Custom, Declarations, FindingSink], None]


#: Dates in declarations must fall in these years (9999-12-31 overflowed the day series).
FIRST_YEAR, LAST_YEAR = 1900, 2100
#: No amount of a county's fund comes near 10^15 yuan; larger ones broke the reports.
MAX_AMOUNT = Decimal("1e15")


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
        unit = self.entry.meta.get("unit")
        # the unit the declaration names, so a malformed one is shown under its unit
        # (a contract has no id field of its own in a finding: it is shown under its unit)
        self.ids = {key: ident} if key in ("task", "project", "quota") else {}
        self.ids["unit"] = unit if isinstance(unit, str) else None
        self.what = what
        name = self.value(1, str, f"{what}名称")
        amount = self.amount(2)
        if amount is not None and amount.number < 0:
            self.fail(f"{what}金额 {amount.number} 为负数，应为正数（减少用调整指令）")
        self.extra_values(3)
        return ident, name, amount

    def id_shape(self, shape: re.Pattern[str], spelt: str) -> None:
        """Fail when the id read by :meth:`id_name_amount` is not of ``shape``."""
        ident = next(iter(self.ids.values()))
        if ident is not None and not shape.fullmatch(ident):
            self.fail(f"{self.what}编号 {ident!r} 不符合格式 {spelt}")

    def id_and_value(self, key: str, what: str, kind: type, label: str) -> tuple[Any, Any]:
        """The ``"ID" value`` head of a change (task-amend, task-close, quota-adjust)."""
        ident = self.value(0, str, f"{what}编号")
        unit = self.entry.meta.get("unit")
        # the unit the declaration names, so a malformed one is shown under its unit
        # (a contract has no id field of its own in a finding: it is shown under its unit)
        self.ids = {key: ident} if key in ("task", "project", "quota") else {}
        self.ids["unit"] = unit if isinstance(unit, str) else None
        value = self.value(1, kind, label)
        self.extra_values(2)
        return ident, value

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
        if isinstance(value, Amount) and not abs(value.number) < MAX_AMOUNT:
            self.fail(f"第{index + 1}个值（{label}）{value.number} 过大，应小于 10 的 15 次方元")
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
            if not FIRST_YEAR <= value.year <= LAST_YEAR:
                self.fail(f"{name}: {value} 超出合理范围，应在 {FIRST_YEAR}—{LAST_YEAR} 年之间")
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

    def keys(self, **kinds: str) -> dict[str, Any]:
        """Several keys by name, read in the order given; a kind ending in ``!`` is required."""
        return {
            name: self.key(name, kind.rstrip("!"), kind.endswith("!"))
            for name, kind in kinds.items()
        }

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


def _declare_coded(what: str, table: str, record: type, **kinds: str) -> _Handler:
    """The reader of a ``"编码" "名称"`` declaration (unit, community, department) and its keys."""

    def declare(entry: data.Custom, decl: Declarations, sink: FindingSink) -> None:
        r = _Reader(entry, sink)
        code, name = r.value(0, str, f"{what}编码"), r.value(1, str, f"{what}名称")
        r.extra_values(2)
        keys = r.keys(**kinds)
        declared = getattr(decl, table)
        if r.ok and not _duplicate(sink, entry, what, code, declared):
            declared[code] = record(code, name, meta=entry.meta, date=entry.date, **keys)

    return declare


def _declare_identified(
    key: str, what: str, table: str, record: type, read: Callable[[_Reader], dict[str, Any]]
) -> _Handler:
    """The reader of an ``"编号" "名称" 金额`` declaration (task, project, quota).

    ``read`` reads the declaration's keys into the record's remaining fields.
    """

    def declare(entry: data.Custom, decl: Declarations, sink: FindingSink) -> None:
        r = _Reader(entry, sink)
        ident, name, amount = r.id_name_amount(key, what)
        fields = read(r)
        declared = getattr(decl, table)
        if r.ok and not _duplicate(sink, entry, what, ident, declared):
            declared[ident] = record(
                ident, name, amount.number, amount.currency, meta=entry.meta, **fields
            )

    return declare


def _task_fields(r: _Reader) -> dict[str, Any]:
    fields = r.keys(
        department="code!",
        unit="code!",
        due="date!",
        end="date!",
        community="code",
        document="text",
        function="code",
    )
    r.id_shape(TASK_ID, "T年份-序号（如 T2025-007）")
    due, end = fields["due"], fields["end"]
    if due and end and end < due:
        r.fail(f"end: {end} 早于 due: {due}")
    return {**fields, "start": r.entry.date}


def _project_fields(r: _Reader) -> dict[str, Any]:
    fields = r.keys(unit="code!", community="code", end="date")
    r.id_shape(PROJECT_ID, "P年份-序号（如 P2024-01）")
    return {**fields, "start": r.entry.date}


def _quota_fields(r: _Reader) -> dict[str, Any]:
    unit = r.key("unit", "code", required=True)
    stream = r.choice("stream", STREAMS)
    if "stream" not in r.entry.meta:
        r.fail("缺少必填项 stream:")
    codes = r.keys(function="code!", economic="code")
    control = r.choice("control", QUOTA_CONTROLS, "stop")
    kind = r.choice("kind", QUOTA_KINDS)
    fund_type = r.choice("fund_type", FUND_TYPES, DEFAULT_FUND_TYPE)
    links = r.keys(task="code", community="code", document="text")
    return dict(
        unit=unit,
        stream=stream,
        control=control,
        kind=kind,
        fund_type=fund_type,
        date=r.entry.date,
        **codes,
        **links,
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


def _change_of(table: dict[str, Any], ident: str, entry: data.Custom, decl: Declarations) -> Any:
    """The task or quota a change names; an undeclared one is kept for T002/Q002."""
    found = table.get(ident)
    if found is None:
        decl.unresolved.append(entry)
    return found


def _amend_task(entry: data.Custom, decl: Declarations, sink: FindingSink) -> None:
    r = _Reader(entry, sink)
    task_id, amount = r.id_and_value("task", "任务", Amount, "新的任务总额")
    if amount is not None and amount.number < 0:
        r.fail(f"新的任务总额 {amount.number} 为负数，应为正数")
    due = r.key("due", "date")
    document = r.key("document", "text")
    if r.ok and (task := _change_of(decl.tasks, task_id, entry, decl)) is not None:
        due = due or entry.date + datetime.timedelta(days=DEFAULT_AMEND_DUE_DAYS)
        task.changes.append(TaskChange(entry.date, amount.number, due, document, entry.meta))


def _close_task(entry: data.Custom, decl: Declarations, sink: FindingSink) -> None:
    r = _Reader(entry, sink)
    task_id, mode = r.id_and_value("task", "任务", str, "结项方式")
    document = r.key("document", "text")
    if mode is not None and mode not in TASK_CLOSE_MODES:
        r.fail(f"结项方式应为 {' / '.join(TASK_CLOSE_MODES)} 之一，实际为 {mode!r}")
    if r.ok and (task := _change_of(decl.tasks, task_id, entry, decl)) is not None:
        task.close_date, task.close_mode, task.close_document = entry.date, mode, document


def _adjust_quota(entry: data.Custom, decl: Declarations, sink: FindingSink) -> None:
    r = _Reader(entry, sink)
    quota_id, amount = r.id_and_value("quota", "指标", Amount, "调整金额")
    document = r.key("document", "text")
    if r.ok and (quota := _change_of(decl.quotas, quota_id, entry, decl)) is not None:
        quota.adjustments.append(QuotaChange(entry.date, amount.number, document, entry.meta))


#: 政府采购 kinds of a contract, and what a disclosure note may explain.
PROCUREMENT_KINDS = ("货物", "工程", "服务")
RESERVED_FOR = ("中小企业", "小微企业")
NOTE_ABOUT = ("上年", "预算", "用途")


def _flag(r: _Reader, name: str) -> bool:
    value = r.entry.meta.get(name)
    if value is None:
        return False
    if not isinstance(value, bool):
        r.fail(f"{name}: 应为 TRUE 或 FALSE（不加引号），实际为 {value!r}")
        return False
    return value


def _declare_contract(entry: data.Custom, decl: Declarations, sink: FindingSink) -> None:
    r = _Reader(entry, sink)
    ident, name, amount = r.id_name_amount("contract", "合同")
    fields = r.keys(unit="code!", supplier="text")
    procurement = r.choice("procurement", PROCUREMENT_KINDS)
    if "procurement" not in entry.meta:
        r.fail("缺少必填项 procurement:（货物 / 工程 / 服务）")
    reserved = r.choice("reserved", RESERVED_FOR)
    budget = entry.meta.get("reserved_budget")
    if budget is not None:
        budget = getattr(budget, "number", budget)
        if not isinstance(budget, Decimal) or budget < 0:
            r.fail(f"reserved_budget: 应为金额（如 500000.00 CNY），实际为 {budget!r}")
            budget = None
    sme, small = _flag(r, "sme"), _flag(r, "small")
    if r.ok and not _duplicate(sink, entry, "合同", ident, decl.contracts):
        decl.contracts[ident] = Contract(
            ident, name, amount.number, amount.currency, fields["unit"], fields["supplier"],
            procurement, sme or small, small, reserved, budget, entry.date, entry.meta,
        )  # fmt: skip


def _declare_note(entry: data.Custom, decl: Declarations, sink: FindingSink) -> None:
    r = _Reader(entry, sink)
    unit = r.value(0, str, "单位编码")
    key = r.value(1, str, "说明的项目（收入、支出、三公、科目编码等）")
    text = r.value(2, str, "说明文字")
    r.extra_values(3)
    year = entry.meta.get("year")
    if year is None:
        year = entry.date.year if entry.date.month > 3 else entry.date.year - 1
    elif not isinstance(year, Decimal) or year != int(year):
        r.fail(f"year: 应为年份（如 2024），实际为 {year!r}")
    about = r.choice("about", NOTE_ABOUT)
    if r.ok and text and text.strip():
        decl.notes.append(
            DisclosureNote(
                unit, key.strip(), text.strip(), int(year), about, entry.date, entry.meta
            )
        )
    elif r.ok:
        r.fail("说明文字为空")


_DECLARE = {
    "unit": _declare_coded("单位", "units", Unit, kind="text", supervisor="code"),
    "community": _declare_coded("社区", "communities", Community, unit="code", households="number"),
    "department": _declare_coded("部门", "departments", Department),
    "task": _declare_identified("task", "任务", "tasks", Task, _task_fields),
    "project": _declare_identified("project", "项目", "projects", Project, _project_fields),
    "quota": _declare_identified("quota", "指标", "quotas", Quota, _quota_fields),
    "target": _declare_measure,
    "output": _declare_measure,
    "contract": _declare_contract,
    "disclosure-note": _declare_note,
}
_CHANGE = {"task-amend": _amend_task, "task-close": _close_task, "quota-adjust": _adjust_quota}
