"""The rule engine: every fund rule of the ledger language, over the posting table.

Row rules (T002, T004–T007, Q002–Q004, D001, D002, P002) run in one pass over the
resolved postings; time rules (T001, T003, T008, T009, Q001, P001) are one sweep
over each task's, quota's or project's own daily series from :mod:`funding`.
Nothing here scans all entries per task or per quota.
"""

from __future__ import annotations

import datetime
import re
from decimal import Decimal

from sandao.ledger.declarations import Declarations, Quota
from sandao.ledger.findings import WARNING
from sandao.ledger.funding import DailySeries, TaskFunding, Usage
from sandao.ledger.resolver import INCOME, SPENDING, PostingTable
from sandao.ledger.sink import FindingSink
from sandao.ledger.vocabulary import (
    COMMUNITY_CODE,
    DEPARTMENT_CODE,
    ECONOMIC_CODE,
    FUNCTION_CODE,
    TASK_STREAM,
    UNIT_CODE,
)


def fen(amount: Decimal) -> str:
    """An amount for a message: ``50,000.00元``."""
    return f"{amount:,.2f}元"


def _where(row) -> str:
    """The posting a row finding points at, for its message: account and amount."""
    return f"{row.account} {row.amount:,.2f}"


def _well_formed(code: str, pattern: re.Pattern[str], seen: set[str]) -> bool:
    """``pattern.fullmatch(code)``, remembered in ``seen`` (the codes found well-formed)."""
    if pattern.fullmatch(code):
        seen.add(code)
        return True
    return False


def _ids(row) -> dict[str, str | None]:
    return {"task": row.task, "quota": row.quota, "unit": row.unit, "project": row.project}


def check_rows(table: PostingTable, decl: Declarations, sink: FindingSink) -> None:
    """Row rules: one pass over the posting table."""
    for link in table.unknown_links:
        code, what = ("T002", "任务") if link.kind == "task" else ("P002", "项目")
        ids = {"task": link.link} if link.kind == "task" else {"project": link.link}
        meta = {"filename": link.file, "lineno": link.line}
        sink.add(
            code,
            meta,
            link.date,
            f"链接 ^{link.link} 形如{what}编号，但该{what}未声明",
            **ids,
        )

    tasks, quotas, projects = decl.tasks, decl.quotas, decl.projects
    units, communities, departments = decl.units, decl.communities, decl.departments
    reported: set[tuple] = set()
    # Codes found well-formed: the same few hundred recur on every row.
    functions_ok: set[str] = set()
    economics_ok: set[str] = set()

    def once(code: str, row, key: object, message: str, **ids: str | None) -> None:
        mark = (code, row.txn, key)
        if mark in reported:
            return
        reported.add(mark)
        sink.add(code, {"filename": row.file, "lineno": row.line}, row.date, message, **ids)

    def bad_code(
        row, dim: str, code: str, pattern: re.Pattern[str] | None, label: str, shape: str = ""
    ) -> None:
        """D002 for a code that is undeclared (``pattern`` given) or malformed (``shape``)."""
        if pattern is not None:
            problem = "格式不正确" if not pattern.fullmatch(code) else "未声明"
            shown = code
        else:
            problem, shown = shape, repr(code)
        extra = {"department": code} if dim == "department" else {}
        message = f"{label} {shown} {problem}（{_where(row)}）"
        once("D002", row, (dim, code), message, **extra, **_ids(row))

    for row in table.rows:
        role = row.role
        if role != SPENDING and role != INCOME:
            continue
        task = tasks.get(row.task) if row.task else None

        # Codes: declared and well-formed.
        if row.unit is not None and row.unit not in units:
            bad_code(row, "unit", row.unit, UNIT_CODE, "单位编码")
        if row.community is not None and row.community not in communities:
            bad_code(row, "community", row.community, COMMUNITY_CODE, "社区编码")
        function = row.function
        if (
            function is not None
            and function not in functions_ok
            and not _well_formed(function, FUNCTION_CODE, functions_ok)
        ):
            bad_code(row, "function", row.function, None, "功能分类编码", "应为7位数字")
        if (
            row.economic is not None
            and role == SPENDING
            and row.economic not in economics_ok
            and not _well_formed(row.economic, ECONOMIC_CODE, economics_ok)
        ):
            bad_code(row, "economic", row.economic, None, "经济分类编码", "应为3位或5位数字")
        if row.department is not None and row.department not in departments:
            bad_code(row, "department", row.department, DEPARTMENT_CODE, "部门编码")

        if row.task is not None and task is None:
            once(
                "T002",
                row,
                ("task", row.task),
                f"任务 {row.task} 未声明（{_where(row)}）",
                **_ids(row),
            )
        if row.project is not None and row.project not in projects:
            once(
                "P002",
                row,
                ("project", row.project),
                f"项目 {row.project} 未声明（{_where(row)}）",
                **_ids(row),
            )

        quota = quotas.get(row.quota) if row.quota else None
        if role == SPENDING:
            missing = [
                label
                for label, value in (
                    ("单位", row.unit),
                    ("资金类别", row.stream),
                    ("功能分类", row.function),
                    ("经济分类", row.economic),
                )
                if value is None
            ]
            if missing:
                once(
                    "D001",
                    row,
                    "dims",
                    f"支出分录无法确定{'、'.join(missing)}：{_where(row)}",
                    **_ids(row),
                )
            if row.quota is not None and quota is None:
                once(
                    "Q002",
                    row,
                    ("quota", row.quota),
                    f"支出挂了未声明的指标 {row.quota}（{_where(row)}）",
                    **_ids(row),
                )
            elif quota is not None:
                _check_quota_match(row, quota, once)
            elif row.zero_balance and row.amount > 0:
                once("Q004", row, "q004", f"零余额账户支出未挂指标：{_where(row)}", **_ids(row))
        elif row.quota is not None and quota is None:
            once(
                "Q002",
                row,
                ("quota", row.quota),
                f"收入挂了未声明的指标 {row.quota}（{_where(row)}）",
                **_ids(row),
            )

        if row.stream == TASK_STREAM and row.task is None:
            kind = "支出" if role == SPENDING else "收入"
            once("T004", row, "t004", f"职能经费{kind}未挂任务（{_where(row)}）", **_ids(row))

        if task is None:
            continue
        if row.unit is not None and row.unit != task.unit:
            kind = "支出" if role == SPENDING else "收到"
            once(
                "T006",
                row,
                "t006",
                f"任务 {task.id} 的经费由 {row.unit} {kind}，但承担单位是 {task.unit}（{_where(row)}）",
                **{**_ids(row), "department": task.department},
            )
        if role == SPENDING:
            if row.amount > 0 and (row.date < task.start or row.date > task.end):
                period = f"{task.start} 至 {task.end}"
                once(
                    "T005",
                    row,
                    "t005",
                    f"任务 {task.id} 在任务期（{period}）外支出：{row.date} {_where(row)}",
                    **{**_ids(row), "department": task.department},
                )
        elif row.department != task.department:
            source = row.department or "无法确定的部门"
            once(
                "T007",
                row,
                "t007",
                f"任务 {task.id} 的经费来自 {source}，但交办部门是 {task.department}（{_where(row)}）",
                **{**_ids(row), "department": row.department},
            )


def _check_quota_match(row, quota: Quota, once) -> None:
    wrong = []
    if row.unit is not None and row.unit != quota.unit:
        wrong.append(f"单位 {row.unit}≠{quota.unit}")
    if row.stream is not None and row.stream != quota.stream:
        wrong.append(f"资金类别 {row.stream}≠{quota.stream}")
    if row.function is not None and row.function != quota.function:
        wrong.append(f"功能分类 {row.function}≠{quota.function}")
    if quota.economic and row.economic is not None and not row.economic.startswith(quota.economic):
        wrong.append(f"经济分类 {row.economic} 不属于 {quota.economic}")
    if wrong:
        once(
            "Q003",
            row,
            "q003",
            f"支出与指标 {quota.id} 不符：{'；'.join(wrong)}（{_where(row)}）",
            **_ids(row),
        )


def check_tasks(
    decl: Declarations,
    funding: dict[str, TaskFunding],
    as_of: datetime.date,
    grace_days: int,
    sink: FindingSink,
) -> None:
    """T001, T003, T008, T009: one sweep over each task's daily series."""
    for task_id, fund in funding.items():
        task = fund.task
        ids = {"task": task_id, "unit": task.unit, "department": task.department}
        dept = decl.departments.get(task.department)
        dept_name = f"{task.department} {dept.name}" if dept else task.department
        for due, amount, document, meta in task.due_events():
            if due > as_of:
                continue
            received = fund.received_by(due)
            if received >= amount:
                continue
            arrived = fund.funded_on(amount, after=due)
            later = (
                f"，经费于 {arrived} 才到位"
                if arrived
                else f"，截至 {as_of} 仍未拨足（已到位 {fen(fund.received)}）"
            )
            doc = f"（{document}）" if document else ""
            sink.add(
                "T001",
                meta,
                due,
                f"任务 {task_id}「{task.name}」{doc}拨付期限 {due} 应到位 {fen(amount)}，实到 {fen(received)}，"
                f"{dept_name} 少拨 {fen(amount - received)}{later}",
                **ids,
            )
        overspent = overfunded = False
        for day, received, spent in fund.cumulative:
            if not overspent and spent > received:
                overspent = True
                sink.add(
                    "T003",
                    fund.series.meta(day),
                    day,
                    f"任务 {task_id} 于 {day} 支出 {fen(spent)} 超过已到位经费 {fen(received)}",
                    **ids,
                )
            if not overfunded and received > task.amount_at(day):
                overfunded = True
                sink.add(
                    "T009",
                    fund.series.meta(day),
                    day,
                    f"任务 {task_id} 于 {day} 到位 {fen(received)}，超过任务金额 {fen(task.amount_at(day))}",
                    **ids,
                )
        closed = task.close_date is not None and task.close_date <= as_of
        deadline = task.end + datetime.timedelta(days=grace_days)
        if not closed and deadline < as_of and fund.balance != 0:
            sink.add(
                "T008",
                task.meta,
                deadline,
                f"任务 {task_id} 已于 {task.end} 结束（宽限 {grace_days} 天），余额 {fen(fund.balance)} 未结项（task-close）",
                **ids,
            )


def check_quotas(decl: Declarations, usage: Usage, sink: FindingSink) -> None:
    """Q001: charged spending against the amount in force, day by day."""
    for quota_id, series in usage.quotas.items():
        quota = decl.quotas.get(quota_id)
        if quota is None:
            continue
        days = set(series.days) | {a.date for a in quota.adjustments}
        spent = Decimal(0)
        for day in sorted(days):
            spent += series.days.get(day, (0, Decimal(0)))[1]
            limit = quota.amount_at(day)
            if spent > limit:
                severity = WARNING if quota.control == "warn" else None
                sink.add(
                    "Q001",
                    series.meta(day) if day in series.where else quota.meta,
                    day,
                    f"指标 {quota_id}「{quota.name}」于 {day} 累计支出 {fen(spent)} 超过指标 {fen(limit)}，"
                    f"超出 {fen(spent - limit)}",
                    severity=severity,
                    quota=quota_id,
                    unit=quota.unit,
                    task=quota.task,
                )
                break


def check_projects(
    decl: Declarations, series_by_project: dict[str, DailySeries], sink: FindingSink
) -> None:
    """P001: project spending beyond the project's amount."""
    for project_id, series in series_by_project.items():
        project = decl.projects.get(project_id)
        if project is None:
            continue
        for day, _, spent in series.cumulative():
            if spent > project.amount:
                sink.add(
                    "P001",
                    series.meta(day),
                    day,
                    f"项目 {project_id}「{project.name}」于 {day} 累计支出 {fen(spent)} 超过项目金额 {fen(project.amount)}",
                    project=project_id,
                    unit=project.unit,
                )
                break
