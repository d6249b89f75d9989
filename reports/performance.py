"""绩效 — performance: targets against outputs, cost per output unit, per household.

Targets and outputs are the ``target``/``output`` declarations (their first value a
task, project or quota id).  Cost per output unit divides the money spent on that
task / project / quota by the output (e.g. yuan per trainee); per-household figures
divide a community's spending by its declared households.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from sandao.ledger import Analysis
from sandao.reports.base import community_name, report_year, spending, unit_name, year_period
from sandao.reports.model import (
    MONEY,
    NUMBER,
    RATE,
    ZERO,
    Column,
    Report,
    Table,
    dsum,
    frame,
    rate,
)


def _refs(analysis: Analysis) -> dict[str, tuple[str, str, str, Decimal]]:
    """id → (kind, name, unit, money spent so far)."""
    decl, usage = analysis.declarations, analysis.usage
    refs = {}
    for tid, fund in analysis.funding.items():
        refs[tid] = ("职能任务", fund.task.name, fund.task.unit, fund.spent)
    for pid, project in decl.projects.items():
        series = usage.projects.get(pid)
        refs[pid] = ("建设项目", project.name, project.unit, series.totals()[1] if series else ZERO)
    for qid, quota in decl.quotas.items():
        series = usage.quotas.get(qid)
        refs[qid] = ("预算指标", quota.name, quota.unit, series.totals()[1] if series else ZERO)
    return refs


def targets_table(analysis: Analysis, year: int, unit: str | None = None) -> Table:
    """Every target of the year with its output, completion rate and cost per output unit."""
    refs = _refs(analysis)
    decl = analysis.declarations
    outputs: dict[tuple[str, str], Decimal] = defaultdict(lambda: ZERO)
    output_units: dict[tuple[str, str], str] = {}
    for m in decl.outputs:
        if m.date.year == year:
            outputs[(m.ref, m.name)] += m.value
            output_units[(m.ref, m.name)] = m.measure_unit or ""
    keys = {(m.ref, m.name): m for m in decl.targets if m.date.year == year}
    for key in outputs:
        if key not in keys:
            keys[key] = None
    rows = []
    for ref, name in sorted(keys):
        target = keys[(ref, name)]
        kind, ref_name, ref_unit, spent = refs.get(ref, ("", "", "", ZERO))
        if unit and ref_unit != unit:
            continue
        done = outputs.get((ref, name))
        rows.append(
            {
                "ref": ref,
                "kind": kind,
                "ref_name": ref_name,
                "unit": unit_name(analysis, ref_unit),
                "indicator": name,
                "target": target.value if target else None,
                "output": done,
                "measure_unit": (target.measure_unit if target else None)
                or output_units.get((ref, name), ""),
                "completion": rate(done, target.value) if target else None,
                "spent": spent,
                "cost": (spent / done).quantize(Decimal("0.01")) if done else None,
            }
        )
    cols = [
        Column("ref", "编号"),
        Column("kind", "类别"),
        Column("ref_name", "名称"),
        Column("unit", "单位"),
        Column("indicator", "绩效指标"),
        Column("target", "目标值", NUMBER),
        Column("output", "完成值", NUMBER),
        Column("measure_unit", "计量单位"),
        Column("completion", "完成率", RATE),
        Column("spent", "已支出（元）", MONEY),
        Column("cost", "单位产出成本（元）", MONEY),
    ]
    return Table(
        "targets",
        "绩效目标与完成情况",
        cols,
        frame(rows, cols),
        notes=[
            "单位产出成本 = 该任务/项目/指标累计支出 ÷ 本年完成值（如每名学员培训成本）；"
            "一个任务有多项产出时，每项都按全部支出计算。"
        ],
    )


def households_table(analysis: Analysis, year: int, community: str | None = None) -> Table:
    """Per community: households, money received and spent in the year, per household."""
    period = year_period(year)
    spent: dict[str, Decimal] = defaultdict(lambda: ZERO)
    for row in spending(analysis, period):
        if row.community:
            spent[row.community] += row.amount
    rows = []
    for code in sorted(analysis.declarations.communities):
        if community and code != community:
            continue
        c = analysis.declarations.communities[code]
        rows.append(
            {
                "community": community_name(analysis, code),
                "unit": unit_name(analysis, c.unit),
                "households": c.households,
                "spent": spent[code],
                "per_household": (spent[code] / c.households).quantize(Decimal("0.01"))
                if c.households
                else None,
            }
        )
    cols = [
        Column("community", "社区"),
        Column("unit", "服务中心"),
        Column("households", "户数", NUMBER),
        Column("spent", "本年支出（元）", MONEY),
        Column("per_household", "户均支出（元）", MONEY),
    ]
    hframe = frame(rows, cols)
    households = sum((h for h in hframe["households"] if h), ZERO)
    total_spent = dsum(hframe["spent"])
    total = {
        "community": "合计",
        "households": households,
        "spent": total_spent,
        "per_household": (total_spent / households).quantize(Decimal("0.01"))
        if households
        else None,
    }
    return Table(
        "households",
        "社区户均资金",
        cols,
        hframe,
        total=total,
        notes=["仅计入能归属到社区的支出（带社区标记或挂社区任务/项目的支出）。"],
    )


def performance_report(
    analysis: Analysis,
    year: int | None = None,
    unit: str | None = None,
    community: str | None = None,
) -> Report:
    year = report_year(analysis, year)
    tables = [targets_table(analysis, year, unit), households_table(analysis, year, community)]
    return Report(
        key=f"performance-{year}",
        template="performance.html",
        title=f"{year}年资金绩效",
        public=True,
        as_of=analysis.as_of,
        tables=tables,
        context={"year": year},
        group="绩效",
        subtitle="财政局、社会公众",
    )
