"""预算指标 (budget quota) export → ``quota`` / ``quota-adjust`` directives and arrivals.

A quota row that the books do not know yet becomes a ``custom "quota"`` declaration; a
later row for the same 指标编号 (追加 / 调减 …) becomes a ``custom "quota-adjust"``.
Either way the money's arrival is booked Dr 1011 零余额账户用款额度 / Cr 4001 财政拨款收入
(sub-account by stream, or by the task's department for a quota transferred for a
task), so a unit's 1011 balance is its unspent quota and a task's quota counts as
money received for the task.
"""

from __future__ import annotations

import datetime
import os
from collections.abc import Sequence
from decimal import Decimal
from typing import Any, NamedTuple

from sandao.importers.common import (
    Draft,
    FileResult,
    RowError,
    RunContext,
    check_formula,
    column_value,
    control_total,
    links_for,
    parse_cell,
    q,
)
from sandao.importers.config import QUOTA_COLUMNS, QUOTA_REQUIRED
from sandao.importers.ledger_view import QuotaKey
from sandao.importers.tables import Table
from sandao.importers.values import ValueProblem, parse_amount, parse_code, parse_date, parse_text
from sandao.ledger.accounts import STREAM_INCOME_CODES, leading_code
from sandao.ledger.model import Quota
from sandao.ledger.vocabulary import (
    DEFAULT_FUND_TYPE,
    ECONOMIC_CODE,
    FUNCTION_CODE,
    FUND_TYPES,
    INITIAL_KIND,
    PROJECT_ID,
    QUOTA_KINDS,
    TASK_ID,
)

NAME = "预算指标"
COLUMNS = QUOTA_COLUMNS
REQUIRED = QUOTA_REQUIRED
KEY_COLUMN = "指标编号"
AMOUNT_COLUMNS = ("指标金额",)


def _stream(
    ctx: RunContext,
    quota_id: str,
    function: str,
    economic: str,
    task: str | None,
    project: str | None,
) -> str:
    for rule in ctx.config.stream_rules:
        if rule.matches(quota_id, function, economic):
            return rule.stream
    if task:
        return "职能"
    if project or any(economic.startswith(p) for p in ctx.config.capital_prefixes):
        return "建设"
    return "运转"


def _income_account(ctx: RunContext, info: Quota) -> tuple[str | None, str]:
    """The 4001 sub-account an arrival credits, or None and the message why not."""
    unit = info.unit
    unit_part = ctx.unit_component(unit)
    if info.task:
        task = ctx.ledger.declared.tasks.get(info.task)
        department = task.department if task else None
        if not department:
            return (
                None,
                f"任务 {info.task} 未声明 department，无法确定 4001 财政拨款收入的部门子账户",
            )
        account = ctx.ledger.find("Income", unit, "4001", department)
        name = ctx.ledger.departments.get(department, "…")
        hint = f"Income:{unit_part}:4001-财政拨款收入:{department}-{name}"
    else:
        sub = STREAM_INCOME_CODES.get(info.stream or "运转", STREAM_INCOME_CODES["运转"])
        account = ctx.ledger.find("Income", unit, "4001", leading_code(sub) or sub)
        hint = f"Income:{unit_part}:4001-财政拨款收入:{sub}"
    if account is None:
        return None, f"账本未开设账户 {hint}，应先 open 该账户"
    return account, ""


def extract(table: Table, ctx: RunContext) -> FileResult:
    """All quota rows of one export; problems are collected in the result, not raised."""
    result = FileResult(table.path, NAME)
    seen: dict[QuotaKey, int] = {}
    file_quotas: dict[str, Quota] = {}
    total = len(table.rows)
    # Rows in date order (stable), so an adjustment listed above its quota still finds it.
    for position, (number, row) in enumerate(
        sorted(table.rows, key=lambda r: _date_key(table, r[1]))
    ):
        result.rows += 1
        if ctx.progress and position % 2000 == 0:
            ctx.progress(position, total)
        try:
            _row(table, ctx, result, seen, file_quotas, number, row)
        except RowError as exc:
            result.problems.append(table.problem(number, exc.column, exc.message))
    ctx.run_quotas.update(file_quotas)
    control_total(result, table, "指标金额", parse_amount)
    return result


class _QuotaRow(NamedTuple):
    """A quota export row's cells, read exactly and checked."""

    quota_id: str
    amount: Decimal
    date: datetime.date
    unit: str
    function: str
    economic: str
    kind: str
    document: str
    fund_type: str
    project: str
    memo: str


def _row(
    table: Table,
    ctx: RunContext,
    result: FileResult,
    seen: dict[QuotaKey, int],
    file_quotas: dict[str, Quota],
    number: int,
    row: Sequence[Any],
) -> None:
    """One row: its cells (:func:`_read_row`), its key seen once, its task or project
    (:func:`_row_links`), then a new quota (:func:`_declare`) or an adjustment of a
    known one (:func:`_adjust`), and the money's arrival on 1011."""
    check_formula(table, number, ("指标金额", "下达日期", "指标编号"))
    cells = _read_row(table, ctx, result, row)
    quota_id, amount, date, unit = cells.quota_id, cells.amount, cells.date, cells.unit
    key = (quota_id, cells.kind, amount, cells.document, date)
    if key in seen:
        raise RowError(
            "指标编号",
            f"与第 {seen[key]} 行重复（指标编号、类型、金额、文号、下达日期都相同），同一文件中不应出现两次",
        )
    seen[key] = number
    task, project_id = _row_links(ctx, cells)
    duplicate = key in ctx.ledger.quota_keys or key in ctx.run_quota_keys
    known = file_quotas.get(quota_id) or ctx.quota(quota_id)
    if duplicate:
        result.duplicates += 1
        return
    ctx.run_quota_keys.add(key)
    cash = ctx.ledger.find("Assets", unit, "1011")
    if cash is None:
        raise RowError(
            "预算单位编码",
            f"账本未开设账户 Assets:{ctx.unit_component(unit)}:1011-零余额账户用款额度，应先 open 该账户",
        )
    source = _source(table, number)
    if known is None:
        info, income, narration = _declare(
            ctx, result, file_quotas, cells, task, project_id, source
        )
    else:
        info, income, narration = _adjust(ctx, result, known, cells, source)
    tail = f" ^{info.task}" if info.task else ""
    document = cells.document
    text = (
        f"{date} * {q(narration)}{tail}\n"
        f"  quota: {q(quota_id)}\n"
        + (f"  document: {q(document)}\n" if document else "")
        + f"  {cash}  {amount} CNY\n"
        f"  {income}  {-amount} CNY\n"
    )
    result.drafts.append(Draft(date, text, "transaction"))
    result.entries += 2


def _read_row(table: Table, ctx: RunContext, result: FileResult, row: Sequence[Any]) -> _QuotaRow:
    """The row's cells, checked (kinds, fund types, declared unit, code shapes, sign); the
    sums of the file's amounts are kept on the way (调减 counted negative)."""
    quota_id = parse_cell(table, row, "指标编号", parse_code, True, "指标编号")
    amount = parse_cell(table, row, "指标金额", parse_amount, table.multiplier)
    result.sum_printed = (result.sum_printed or Decimal(0)) + amount
    date = parse_cell(table, row, "下达日期", parse_date)
    unit = parse_cell(table, row, "预算单位编码", parse_code, True, "预算单位编码")
    function = parse_cell(table, row, "功能分类编码", parse_code, True, "功能分类编码")
    economic = parse_cell(table, row, "经济分类编码", parse_code, False, "经济分类编码")
    kind = parse_cell(table, row, "指标类型", parse_text, True, "指标类型")
    document = parse_cell(table, row, "指标文号", parse_text)
    fund_type = parse_cell(table, row, "资金性质", parse_text) or DEFAULT_FUND_TYPE
    project = parse_cell(table, row, "项目编码", parse_code, False, "项目编码")
    memo = parse_cell(table, row, "摘要", parse_text)
    if kind not in QUOTA_KINDS:
        raise RowError("指标类型", f"应为 {' / '.join(QUOTA_KINDS)} 之一，实际为「{kind}」")
    if fund_type not in FUND_TYPES:
        raise RowError("资金性质", f"应为 {' / '.join(FUND_TYPES)} 之一，实际为「{fund_type}」")
    if unit not in ctx.ledger.units:
        raise RowError(
            "预算单位编码", f'单位 {unit} 未在账本中声明（custom "unit"），应为已声明的单位编码'
        )
    if not FUNCTION_CODE.fullmatch(function):
        raise RowError("功能分类编码", f"应为 7 位数字的功能分类编码，实际为「{function}」")
    if economic and not ECONOMIC_CODE.fullmatch(economic):
        raise RowError("经济分类编码", f"应为 3 位或 5 位数字的经济分类编码，实际为「{economic}」")
    if amount == 0:
        raise RowError("指标金额", "金额为 0，应为非零金额")
    if kind == "调减" and amount > 0:
        amount = -amount  # some systems print 调减 as a positive figure
    result.sum_all += amount
    result.sum_valid += amount
    if kind != "调减" and amount < 0:
        raise RowError("指标金额", f"{kind}指标金额为负数 {amount}，应为正数（负数只用于调减）")
    return _QuotaRow(
        quota_id, amount, date, unit, function, economic, kind, document, fund_type, project, memo
    )


def _row_links(ctx: RunContext, cells: _QuotaRow) -> tuple[str | None, str | None]:
    """The task and project the row's 项目编码 or 摘要 names (a task of the row's unit)."""
    project, unit = cells.project, cells.unit
    task = project if project and TASK_ID.fullmatch(project) else None
    explicit = (
        [project]
        if project and (TASK_ID.fullmatch(project) or PROJECT_ID.fullmatch(project))
        else []
    )
    links, link_error = links_for(ctx, [cells.memo], explicit)
    if link_error:
        raise RowError("项目编码" if project else "摘要", link_error)
    if task is None:
        task = next((link for link in links if TASK_ID.fullmatch(link)), None)
    project_id = next((link for link in links if PROJECT_ID.fullmatch(link)), None)
    if task and ctx.ledger.declared.tasks[task].unit not in (None, unit):
        raise RowError(
            "项目编码",
            f"任务 {task} 属于单位 {ctx.ledger.declared.tasks[task].unit}，与本行单位 {unit} 不符",
        )
    return task, project_id


def _declare(
    ctx: RunContext,
    result: FileResult,
    file_quotas: dict[str, Quota],
    cells: _QuotaRow,
    task: str | None,
    project_id: str | None,
    source: str,
) -> tuple[Quota, str, str]:
    """A quota seen for the first time: its ``custom "quota"`` (stream by the config's
    rules), its income account and the arrival's narration."""
    quota_id, kind, economic, document = cells.quota_id, cells.kind, cells.economic, cells.document
    if kind == "调减":
        raise RowError(
            "指标编号",
            f"调减的指标 {quota_id} 在账本和本次导入中都没有，应先导入该指标的下达行",
        )
    stream = _stream(ctx, quota_id, cells.function, economic, task, project_id)
    name = cells.memo or f"{quota_id} 预算指标"
    info = Quota(
        quota_id,
        name,
        cells.amount,
        "CNY",
        cells.unit,
        stream,
        cells.function,
        economic or None,
        "stop",
        document,
        kind,
        cells.fund_type,
        task,
        cells.date,
        {},
    )
    income, why = _income_account(ctx, info)
    if income is None:
        raise RowError("项目编码" if task else "预算单位编码", why)
    file_quotas[quota_id] = info
    lines = [f'{cells.date} custom "quota" {q(quota_id)} {q(name)} {cells.amount} CNY']
    lines.append(f"  unit: {q(cells.unit)}")
    lines.append(f"  stream: {q(stream)}")
    lines.append(f"  function: {q(cells.function)}")
    if economic:
        lines.append(f"  economic: {q(economic)}")
    if document:
        lines.append(f"  document: {q(document)}")
    lines.append(f"  kind: {q(kind)}")
    lines.append(f"  fund_type: {q(cells.fund_type)}")
    if task:
        lines.append(f"  task: {q(task)}")
    lines.append(f"  source: {q(source)}")
    result.drafts.append(Draft(cells.date, "\n".join(lines) + "\n", "quota"))
    return info, income, f"指标下达 {quota_id} {name}"


def _adjust(
    ctx: RunContext, result: FileResult, known: Quota, cells: _QuotaRow, source: str
) -> tuple[Quota, str, str]:
    """A quota known already (books or this run): its ``custom "quota-adjust"``, its income
    account and the arrival's narration; a second 年初 or another unit's row is refused."""
    quota_id, kind, unit = cells.quota_id, cells.kind, cells.unit
    if kind == INITIAL_KIND:
        raise RowError(
            "指标编号",
            f"指标 {quota_id} 已经下达过（金额 {known.amount}），指标类型「年初」不应重复下达；调整应为 追加 / 调减",
        )
    if known.unit != unit:
        raise RowError(
            "预算单位编码", f"指标 {quota_id} 属于单位 {known.unit}，与本行单位 {unit} 不符"
        )
    income, why = _income_account(ctx, known)
    if income is None:
        raise RowError("预算单位编码", why)
    lines = [f'{cells.date} custom "quota-adjust" {q(quota_id)} {cells.amount} CNY']
    if cells.document:
        lines.append(f"  document: {q(cells.document)}")
    lines.append(f"  kind: {q(kind)}")
    lines.append(f"  source: {q(source)}")
    result.drafts.append(Draft(cells.date, "\n".join(lines) + "\n", "quota"))
    return known, income, f"指标{kind} {quota_id} {cells.memo}".rstrip()


def _date_key(table: Table, row: Sequence[Any]) -> datetime.date:
    try:
        return parse_date(column_value(row, table.columns.get("下达日期")))
    except ValueProblem:
        return datetime.date.max  # reported when the row is read


def _source(table: Table, number: int) -> str:
    return f"{os.path.basename(table.path)}:{number}"
