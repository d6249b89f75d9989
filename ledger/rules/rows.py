"""Rules over the posting table: one named function per code.

Which rules can find something in a posting follows from its dimensions and role, and
those are the same for every transaction of one shape (:class:`~sandao.ledger.resolver.Shape`).
:func:`check_rows` therefore decides once per slot of each shape (:func:`slot_checks`,
each rule's cheapest guard) and lays out and checks only the rows of slots some rule
applies to; a rule that also reads a row's date or amount (Q004, T005) checks it itself.
A row finding is reported once per transaction and key (:meth:`RowPass.once`).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import partial
from typing import Any

from sandao.ledger.accounts import GOV_ACCOUNTS, gov_code_of, plain_code
from sandao.ledger.glossary import STREAM
from sandao.ledger.model import Declarations, Quota, Task
from sandao.ledger.resolver import INCOME, SPENDING, Posting, PostingTable, Shape
from sandao.ledger.rules.common import where
from sandao.ledger.rules.registry import rule
from sandao.ledger.sink import FindingSink
from sandao.ledger.vocabulary import (
    COMMUNITY_CODE,
    DEPARTMENT_CODE,
    ECONOMIC_CODE,
    FUNCTION_CODE,
    TASK_STREAM,
    UNIT_CODE,
)


class RowPass:
    """What the row rules share during the pass: the declarations and what was reported."""

    def __init__(
        self, decl: Declarations, sink: FindingSink, table: PostingTable | None = None
    ) -> None:
        self.decl = decl
        self.sink = sink
        self.table = table
        self.reported: set[tuple] = set()
        # Codes found well-formed: the same few hundred recur on every row.
        self.functions_ok: set[str] = set()
        self.economics_ok: set[str] = set()

    def once(self, code: str, row: Posting, key: object, message: str, **ids: Any) -> None:
        """Report ``code`` for the row's transaction, once per ``key``."""
        mark = (code, row.txn, key)
        if mark in self.reported:
            return
        self.reported.add(mark)
        self.sink.add(code, row.source, row.date, message, **ids)


def _ids(row: Posting) -> dict[str, str | None]:
    return {"task": row.task, "quota": row.quota, "unit": row.unit, "project": row.project}


def check_rows(table: PostingTable, decl: Declarations, sink: FindingSink) -> None:
    """Every row rule: chosen once per kind of posting, run on the rows it may find
    something in.

    Which rules can find something in a posting follows from its dimensions, role and
    零余额 flag (:func:`slot_checks`, once per such kind), the same for every transaction
    of a shape; T005 also asks whether a transaction of the shape falls outside its
    task's period.  Only the rows of slots some rule applies to are laid out and
    checked, row by row, by the rules themselves: a county's books lay out almost none.
    """
    t002_p002_unknown_links(table, sink)
    ctx = RowPass(decl, sink, table)
    known: dict[tuple, tuple[list[RowCheck], Task | None]] = {}
    for shape in table.shapes:
        chosen = []
        for offset, position in enumerate(shape.slots):
            dims, role = shape.postings[position]
            kind = (dims, role, shape.zero_balance)
            found = known.get(kind) or known.setdefault(kind, slot_checks(ctx, *kind))
            checks, period_of = found
            if period_of is not None and _dated_outside(shape, period_of):
                checks = [*checks, partial(t005_spent_outside_task_period, task=period_of)]
            if checks:
                chosen.append((offset, checks))
        if not chosen:
            continue
        for rows in table.shape_rows(shape):
            for offset, checks in chosen:
                row = rows[offset]
                for check in checks:
                    check(ctx, row)


RowCheck = Callable[[RowPass, Posting], None]


def slot_checks(
    ctx: RowPass, dims: tuple[str | None, ...], role: str, zero_balance: bool
) -> tuple[list[RowCheck], Task | None]:
    """The row rules that can find something in a posting of these dimensions and role
    (in a transaction touching a 零余额 account or not): each rule's guard on them,
    cheapest first, so a kind of posting pays a few comparisons; rules that also read the
    row's date or amount check those themselves.  Second, the task whose period the
    transactions must fall in (T005), for spending charged to a task."""
    (unit, stream, function, economic, community, task_id, project, quota_id, department) = dims
    if role != SPENDING and role != INCOME:
        return [], None
    decl = ctx.decl
    spending = role == SPENDING
    checks: list[RowCheck] = []
    if (
        (unit is not None and unit not in decl.units)
        or (community is not None and community not in decl.communities)
        or (function is not None and function not in ctx.functions_ok)
        or (spending and economic is not None and economic not in ctx.economics_ok)
        or (department is not None and department not in decl.departments)
    ):
        checks.append(d002_codes_on_row)
    task = decl.tasks.get(task_id) if task_id else None
    if task_id is not None and task is None:
        checks.append(t002_undeclared_task_on_row)
    if project is not None and project not in decl.projects:
        checks.append(p002_undeclared_project_on_row)
    quota = decl.quotas.get(quota_id) if quota_id else None
    if spending:
        if unit is None or stream is None or function is None or economic is None:
            checks.append(d001_dimensions_unknown)
        if quota is not None:
            if quota_mismatches(unit, stream, function, economic, quota):
                checks.append(partial(q003_quota_mismatch, quota=quota))
        elif zero_balance and quota_id is None:
            checks.append(q004_zero_balance_without_quota)
    if quota_id is not None and quota is None:
        checks.append(q002_undeclared_quota_on_row)
    if stream == TASK_STREAM and task_id is None:
        checks.append(t004_task_money_without_task)
    if task is None:
        return checks, None
    if unit is not None and unit != task.unit:
        checks.append(partial(t006_task_money_of_another_unit, task=task))
    if not spending and department != task.department:
        checks.append(partial(t007_task_money_from_another_department, task=task))
    return checks, task if spending else None


def _dated_outside(shape: Shape, task: Task) -> bool:
    """Whether a transaction of ``shape`` is dated outside the task's period."""
    start, end = task.start, task.end
    return any(not start <= date <= end for date in shape.dates)


@rule("T002")
@rule("P002")
def t002_p002_unknown_links(table: PostingTable, sink: FindingSink) -> None:
    """T002 / P002: a transaction link shaped like a task / project id that is not declared."""
    for link in table.unknown_links:
        code, what = ("T002", "任务") if link.kind == "task" else ("P002", "项目")
        ids = {"task": link.link} if link.kind == "task" else {"project": link.link}
        meta = {"filename": link.file, "lineno": link.line}
        sink.add(
            code, meta, link.date, f"链接 ^{link.link} 形如{what}编号，但该{what}未声明", **ids
        )


def _well_formed(code: str, pattern: re.Pattern[str], seen: set[str]) -> bool:
    """``pattern.fullmatch(code)``, remembered in ``seen`` (the codes found well-formed)."""
    if pattern.fullmatch(code):
        seen.add(code)
        return True
    return False


@rule("D002")
def d002_codes_on_row(ctx: RowPass, row: Posting) -> None:
    """D002: a unit, community or department code undeclared; a function/economic code malformed."""
    decl = ctx.decl

    def bad(dim: str, code: str, pattern: re.Pattern[str] | None, label: str, shape: str = ""):
        if pattern is not None:
            problem = "格式不正确" if not pattern.fullmatch(code) else "未声明"
            shown = code
        else:
            problem, shown = shape, repr(code)
        extra = {"department": code} if dim == "department" else {}
        message = f"{label} {shown} {problem}（{where(row)}）"
        ctx.once("D002", row, (dim, code), message, **extra, **_ids(row))

    if row.unit is not None and row.unit not in decl.units:
        plain = plain_code(row.unit)
        if plain != row.unit:
            message = (
                f"单位编码 {row.unit!r} 未声明：形似 {plain}，含形近字母、全角或不可见字符"
                f"（{where(row)}）"
            )
            ctx.once("D002", row, ("unit", row.unit), message, **_ids(row))
        else:
            bad("unit", row.unit, UNIT_CODE, "单位编码")
    if row.community is not None and row.community not in decl.communities:
        bad("community", row.community, COMMUNITY_CODE, "社区编码")
    function = row.function
    if (
        function is not None
        and function not in ctx.functions_ok
        and not _well_formed(function, FUNCTION_CODE, ctx.functions_ok)
    ):
        bad("function", function, None, "功能分类编码", "应为7位数字")
    economic = row.economic
    if (
        economic is not None
        and row.role == SPENDING
        and economic not in ctx.economics_ok
        and not _well_formed(economic, ECONOMIC_CODE, ctx.economics_ok)
    ):
        bad("economic", economic, None, "经济分类编码", "应为3位或5位数字")
    if row.department is not None and row.department not in decl.departments:
        bad("department", row.department, DEPARTMENT_CODE, "部门编码")


@rule("T002")
def t002_undeclared_task_on_row(ctx: RowPass, row: Posting) -> None:
    """T002: a posting charged (``task:``) to an undeclared task."""
    message = f"任务 {row.task} 未声明（{where(row)}）"
    ctx.once("T002", row, ("task", row.task), message, **_ids(row))


@rule("P002")
def p002_undeclared_project_on_row(ctx: RowPass, row: Posting) -> None:
    """P002: a posting charged (``project:``) to an undeclared project."""
    message = f"项目 {row.project} 未声明（{where(row)}）"
    ctx.once("P002", row, ("project", row.project), message, **_ids(row))


@rule("D001")
def d001_dimensions_unknown(ctx: RowPass, row: Posting) -> None:
    """D001: spending whose unit, stream, function or economic code cannot be resolved."""
    dims = (("单位", row.unit), (STREAM, row.stream), ("功能分类", row.function))
    missing = [label for label, value in (*dims, ("经济分类", row.economic)) if value is None]
    if missing:
        keys = [
            key for key, value in (("stream", row.stream), ("function", row.function)) if not value
        ]
        message = f"支出分录无法确定{'、'.join(missing)}：{where(row)}"
        hint = None
        if keys and row.unit:
            message += f"；科目 {row.account} 的 open 没有写 {'、'.join(keys)}，交易和分录上也没有"
            hint = _d001_hint(ctx, row, keys)
        ctx.once("D001", row, "dims", message, **_ids(row), hint=hint)


def _d001_hint(ctx: RowPass, row: Posting, keys: list[str]) -> str:
    """What to write under the account's ``open``: the values a sibling spending account of
    the unit has (a new account such as 30202-印刷费 is opened without them)."""
    sibling = _sibling(ctx.table, row) if ctx.table else None
    if sibling is None:
        lines = "、".join(f"{k}:" for k in keys)
        return f"在 open {row.account} 下补上 {lines}；以后记到这个科目的支出就都能确定"
    account, stream, function = sibling
    values = {"stream": stream, "function": function}
    lines = "、".join(f'{k}: "{values[k]}"' for k in keys)
    return (
        f"在 open {row.account} 下补上 {lines}（同单位 {account.rsplit(':', 1)[-1]} 的值）；"
        "以后记到这个科目的支出就都能确定"
    )


def _sibling(table: PostingTable, row: Posting) -> tuple[str, str, str] | None:
    """(account, stream, function) of the unit's first spending row (table order) on
    another account whose stream and function are known and that no task is charged:
    one whose dimensions come from its account rather than a quota, if any."""
    plain = charged = None
    for shape in table.shapes:
        for position in shape.slots:
            (unit, stream, function, *_, task, _, quota, _), role = shape.postings[position]
            account = shape.accounts[position]
            if not (
                role == SPENDING and unit == row.unit and stream and function
                and account != row.account and task is None
            ):  # fmt: skip
                continue
            found = ((shape.txns[0], position), account, stream, function)
            if charged is None or found[0] < charged[0]:
                charged = found
            if quota is None and (plain is None or found[0] < plain[0]):
                plain = found
    best = plain or charged
    return best[1:] if best else None


@rule("Q002")
def q002_undeclared_quota_on_row(ctx: RowPass, row: Posting) -> None:
    """Q002: spending or income charged (``quota:``) to an undeclared quota."""
    kind = "支出" if row.role == SPENDING else "收入"
    message = f"{kind}挂了未声明的指标 {row.quota}（{where(row)}）"
    ctx.once("Q002", row, ("quota", row.quota), message, **_ids(row))


def quota_mismatches(
    unit: str | None, stream: str | None, function: str | None, economic: str | None, quota: Quota
) -> list[str]:
    """How a posting's unit, stream, function or economic code differs from its quota's."""
    wrong = []
    if unit is not None and unit != quota.unit:
        wrong.append(f"单位 {unit}≠{quota.unit}")
    if stream is not None and stream != quota.stream:
        wrong.append(f"资金渠道 {stream}≠{quota.stream}")
    if function is not None and function != quota.function:
        wrong.append(f"功能分类 {function}≠{quota.function}")
    if quota.economic and economic is not None and not economic.startswith(quota.economic):
        wrong.append(f"经济分类 {economic} 不属于 {quota.economic}")
    return wrong


@rule("Q003")
def q003_quota_mismatch(ctx: RowPass, row: Posting, quota: Quota) -> None:
    """Q003: spending whose unit, stream, function or economic code differs from its quota's."""
    wrong = quota_mismatches(row.unit, row.stream, row.function, row.economic, quota)
    if wrong:
        message = f"支出与指标 {quota.id} 不符：{'；'.join(wrong)}（{where(row)}）"
        ctx.once("Q003", row, "q003", message, **_ids(row))


@rule("Q004")
def q004_zero_balance_without_quota(ctx: RowPass, row: Posting) -> None:
    """Q004: spending from a 零余额账户 (1011) transaction with no quota."""
    if row.amount > 0:
        ctx.once("Q004", row, "q004", f"零余额账户支出未挂指标：{where(row)}", **_ids(row))


@rule("T004")
def t004_task_money_without_task(ctx: RowPass, row: Posting) -> None:
    """T004: 职能 money (income or spending) not linked to a task."""
    kind = "支出" if row.role == SPENDING else "收入"
    ctx.once("T004", row, "t004", f"职能经费{kind}未挂任务（{where(row)}）", **_ids(row))


@rule("T005")
def t005_spent_outside_task_period(ctx: RowPass, row: Posting, task: Task) -> None:
    """T005: task spending dated before the task's start or after its end."""
    if not (row.amount > 0 and (row.date < task.start or row.date > task.end)):
        return
    period = f"{task.start} 至 {task.end}"
    message = f"任务 {task.id} 在任务期（{period}）外支出：{row.date} {where(row)}"
    ctx.once("T005", row, "t005", message, **{**_ids(row), "department": task.department})


@rule("T006")
def t006_task_money_of_another_unit(ctx: RowPass, row: Posting, task: Task) -> None:
    """T006: task money received or spent by a unit other than the task's."""
    kind = "支出" if row.role == SPENDING else "收到"
    message = f"任务 {task.id} 的经费由 {row.unit} {kind}，但承担单位是 {task.unit}（{where(row)}）"
    ctx.once("T006", row, "t006", message, **{**_ids(row), "department": task.department})


@rule("T007")
def t007_task_money_from_another_department(ctx: RowPass, row: Posting, task: Task) -> None:
    """T007: task income from a department other than the one that assigned the task."""
    if row.department is None and gov_code_of(row.account) == "4001":
        _t007_booked_as_finance_money(ctx, row, task)
        return
    source = row.department or "无法确定的部门"
    message = f"任务 {task.id} 的经费来自 {source}，但交办部门是 {task.department}（{where(row)}）"
    ctx.once("T007", row, "t007", message, **{**_ids(row), "department": row.department})


def _t007_booked_as_finance_money(ctx: RowPass, row: Posting, task: Task) -> None:
    """The department's transfer booked to 4001 财政拨款收入 (the finance bureau's money):
    name the account it belongs on — 4609-其他收入:Dxx, or 4201-上级补助收入:Dxx when the
    department is the unit's 主管部门."""
    unit = ctx.decl.units.get(row.unit or "")
    supervisor = str(unit.meta.get("supervisor") or "") if unit else ""
    code = "4201" if supervisor and supervisor == task.department else "4609"
    department = ctx.decl.departments.get(task.department or "")
    part = f"{task.department}-{department.name}" if department else str(task.department)
    account = ":".join([*row.account.split(":")[:2], f"{code}-{GOV_ACCOUNTS[code]}", part])
    message = (
        f"任务 {task.id} 的经费记在了 4001 财政拨款收入（{row.account}），那只记县财政局拨的钱；"
        f"交办部门 {task.department} 拨来的经费应记 {account}（{where(row)}）"
    )
    hint = f"把收入科目改为 {account}（没有这个科目就先 open 它）"
    ctx.once(
        "T007", row, "t007", message, **{**_ids(row), "department": task.department}, hint=hint
    )
