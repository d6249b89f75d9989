"""费随事转 task ledger: every task's money, status and findings; totals by department.

The figures come from ``analysis.funding`` (the same series the T001/T003/T009 rules
read), so the ledger, the rules and the Fava task board can never disagree about
what a task received or spent.  :func:`task_rows` is also the data of the Fava
task board and the province export (:func:`task_table`: the same as a DataFrame);
keep its columns stable.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd

from sandao.ledger import Analysis
from sandao.ledger.findings import ACKNOWLEDGED
from sandao.ledger.glossary import BALANCE, DOCUMENT, DUE, RECEIVED, SEVERITY_LABELS
from sandao.ledger.vocabulary import NOT_DUE, OVERDUE, PAID_LATE, PARTLY_FUNDED, TASK_STATUSES
from sandao.reports import model
from sandao.reports.base import ReportKind, department_name, report_year, unit_name, year_period
from sandao.reports.model import DATE, MONEY, NUMBER, TRANSFERS, ZERO, Column, Report, Table, dsum

TASKS = ReportKind("tasks.html", False, "费随事转", "财政局、审计内部使用")

TASK_COLUMNS: tuple[str, ...] = (
    "task",
    "name",
    "department",
    "department_name",
    "unit",
    "document",
    "amount",
    "due",
    "received",
    "spent",
    "balance",
    "status",
    "late",
    "findings",
    "days_late",
    "overdue",
)


def task_findings(analysis: Analysis) -> dict[str, list[str]]:
    """Task id → sorted distinct finding codes about it (``T001（已确认）`` when acknowledged)."""
    codes: dict[str, set[str]] = defaultdict(set)
    for finding in analysis.findings:
        if finding.task:
            acknowledged = finding.severity == ACKNOWLEDGED
            codes[finding.task].add(
                f"{finding.code}（{SEVERITY_LABELS[ACKNOWLEDGED]}）"
                if acknowledged
                else finding.code
            )
    return {task: sorted(found) for task, found in codes.items()}


def task_table(
    analysis: Analysis,
    start: datetime.date | None = None,
    end: datetime.date | None = None,
) -> pd.DataFrame:
    """:func:`task_rows` as a DataFrame of :data:`TASK_COLUMNS`."""
    return model.object_frame(task_rows(analysis, start, end), TASK_COLUMNS)


def task_rows(
    analysis: Analysis,
    start: datetime.date | None = None,
    end: datetime.date | None = None,
) -> list[dict[str, Any]]:
    """One row per task active in ``[start, end]``, figures as of ``end`` (default: as-of).

    A task is active when it starts on or before ``end`` and its spending period ends
    on or after ``start``.  ``amount`` is the total in force at ``end``; ``received``
    and ``spent`` are cumulative to ``end``; ``status``/``late`` are as of ``end``;
    ``findings`` the rule codes about the task, comma-separated.
    """
    as_of = analysis.as_of
    end = min(end, as_of) if end is not None else as_of
    findings = task_findings(analysis)
    rows = []
    for task_id, fund in analysis.funding.items():
        task = fund.task
        if task.start > end or (start is not None and task.end < start):
            continue
        at = fund.position(end)
        rows.append(
            {
                "task": task_id,
                "name": task.name,
                "department": task.department,
                "department_name": department_name(analysis, task.department),
                "unit": task.unit,
                "document": task.document or "",
                "amount": at.amount,
                "due": task.due,
                "received": at.received,
                "spent": at.spent,
                "balance": at.balance,
                "status": at.status,
                "late": at.late,
                "days_late": at.days_late,
                "overdue": at.overdue,
                "findings": ", ".join(findings.get(task_id, [])),
            }
        )
    return rows


def department_totals(tasks: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Per department: money overdue as of the date (逾期未拨付 only: not-yet-due money and
    money the unit returned are never owed), money not yet due, tasks paid late and the
    most days late; ranked by money overdue, then by tasks paid late."""
    rows: dict[str, dict] = {}
    for rec in tasks:
        row = rows.setdefault(
            rec["department"],
            {
                "department": rec["department"],
                "department_name": rec["department_name"],
                "tasks": 0,
                "amount": ZERO,
                "received": ZERO,
                "shortfall": ZERO,
                "pending": ZERO,
                "spent": ZERO,
                "balance": ZERO,
                "late": 0,
                "days_late": 0,
            },
        )
        row["tasks"] += 1
        row["amount"] += rec["amount"]
        row["received"] += rec["received"]
        row["shortfall"] += rec["overdue"]
        if rec["status"] in (NOT_DUE, PARTLY_FUNDED):
            row["pending"] += max(rec["amount"] - rec["received"], ZERO)
        row["spent"] += rec["spent"]
        row["balance"] += rec["balance"]
        row["late"] += 1 if rec["late"] else 0
        row["days_late"] = max(row["days_late"], rec["days_late"])
    return sorted(
        rows.values(), key=lambda r: (-r["shortfall"], -r["late"], -r["days_late"], r["department"])
    )


TASK_REPORT_COLUMNS = [
    Column("task", "任务编号"),
    Column("name", "任务名称"),
    Column("department_name", "交办部门"),
    Column("unit_name", "承担单位"),
    Column("document", DOCUMENT),
    Column("amount", "应拨金额", MONEY),
    Column("due", DUE, DATE),
    Column("received", RECEIVED, MONEY),
    Column("transfers", "到位明细（日期 金额）", TRANSFERS),
    Column("spent", "已支出", MONEY),
    Column("balance", BALANCE, MONEY),
    Column("status", "状态"),
    Column("days_late", "逾期天数", NUMBER),
    Column("flag", "逾期"),
    Column("findings", "检查发现"),
]

DEPARTMENT_COLUMNS = [
    Column("department_name", "交办部门"),
    Column("tasks", "任务数", NUMBER),
    *Column.many(MONEY, amount="应拨金额", received=RECEIVED),
    *Column.many(MONEY, shortfall="逾期未拨付金额", pending="未到期待拨"),
    *Column.many(MONEY, spent="已支出", balance=BALANCE),
    *Column.many(NUMBER, late="逾期（含逾期后拨付）任务数", days_late="最长逾期天数"),
]


def _money_total(rows: list[dict[str, Any]], columns: list[Column], label_key: str) -> dict:
    total: dict = {label_key: "合计"}
    for col in columns:
        if col.kind in (MONEY, NUMBER):
            values = [row[col.key] for row in rows]
            if col.key == "days_late":
                total[col.key] = int(max(values, default=0))
            else:
                total[col.key] = dsum(values) if col.kind == MONEY else int(sum(values))
    return total


def task_ledger_report(
    analysis: Analysis, year: int | None = None, unit: str | None = None
) -> Report:
    """The 费随事转 task ledger for the year's tasks (figures as of the books' date)."""
    year = report_year(analysis, year)
    period = year_period(year)
    chosen = [
        rec
        for rec in task_rows(analysis, period.start, min(period.end, analysis.as_of))
        if unit is None or rec["unit"] == unit
    ]
    rows = []
    for rec in chosen:
        fund = analysis.funding[rec["task"]]
        transfers = [(day, amount) for day, amount in fund.transfers if day <= period.end]
        rows.append(
            {
                **rec,
                "unit_name": unit_name(analysis, rec["unit"]),
                "transfers": transfers,
                "flag": "是" if rec["late"] else "",
            }
        )
    tasks = Table(
        "tasks",
        "费随事转任务台账",
        TASK_REPORT_COLUMNS,
        rows,
        total=_money_total(rows, TASK_REPORT_COLUMNS, "task"),
        notes=[
            f"状态：{' / '.join(TASK_STATUSES)}；“逾期”指曾在拨付期限未足额到位；"
            "逾期天数：逾期后拨付的为拨付期限到足额到位日，逾期未拨付的为拨付期限到统计日。",
            "金额单位：元。",
        ],
        public=False,
    )
    depts = department_totals(chosen)
    dept_table = Table(
        "departments",
        "按交办部门汇总（逾期未拨付金额从大到小）",
        DEPARTMENT_COLUMNS,
        depts,
        total=_money_total(depts, DEPARTMENT_COLUMNS, "department_name") if depts else None,
        notes=[
            "逾期未拨付金额：拨付期限已过、到统计日仍未到位的钱；未到期的钱和任务结项时"
            "单位退回的钱不算欠拨（退回的钱从应拨金额中减去）。未到期待拨：期限未到、尚未到位的钱。"
        ],
        public=False,
    )
    overdue = [r for r in rows if r["status"] == OVERDUE]
    paid_late = [
        r for r in rows if r["status"] == PAID_LATE or (r["late"] and r["status"] != OVERDUE)
    ]
    context = {
        "overdue": len(overdue),
        "overdue_money": dsum(r["overdue"] for r in overdue),
        "paid_late": len(paid_late),
        "year": year,
        "as_of": min(period.end, analysis.as_of),
    }
    suffix = f"-{unit}" if unit else ""
    key, title = f"tasks-{year}{suffix}", f"{year}年费随事转任务台账"
    return TASKS.report(key, title, analysis.as_of, [dept_table, tasks], context)
