"""绩效 — performance: targets against outputs, cost per output, venues, per household.

Targets and outputs are the ``target``/``output`` declarations (their first value a
task, project or quota id), compared within the same period (``period:``, else the
entry's year).  Cost per output divides the year's spending on the task / project /
quota by the output only where the output carries the cost (``main: TRUE``, the ref's
only output, or a declared ``cost_share``), so one task's money is never counted once
per output.  Tasks and projects of the year without targets are listed as 未设绩效目标.
Venues (projects with ``venue``/``area``) get money, area and cost per m² per venue
and community; per-household figures divide a community's spending by its households.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sandao.ledger import Analysis
from sandao.ledger.declarations import Measure
from sandao.reports.base import (
    ReportKind,
    community_name,
    per,
    report_year,
    spending,
    unit_name,
    year_period,
)
from sandao.reports.model import MONEY, NUMBER, RATE, ZERO, Column, Report, Table, dsum, rate

NO_TARGET = "未设绩效目标"

PERFORMANCE = ReportKind("performance.html", True, "绩效", "财政局、社会公众")


def _refs(analysis: Analysis) -> dict[str, tuple[str, str, str]]:
    """id → (kind, name, unit) of every task, project and quota."""
    decl = analysis.declarations
    refs = {tid: ("职能任务", t.name, t.unit) for tid, t in decl.tasks.items()}
    refs.update({pid: ("建设项目", p.name, p.unit) for pid, p in decl.projects.items()})
    refs.update({qid: ("预算指标", q.name, q.unit) for qid, q in decl.quotas.items()})
    return refs


def measure_period(measure: Measure) -> str:
    """The period a target or output is about: its ``period:`` (e.g. 2023–2024), else its year."""
    return str(measure.meta.get("period") or measure.date.year)


def _in_year(period: str, year: int) -> bool:
    """A period belongs to the year it ends in (2023–2024 → 2024)."""
    return period.replace("—", "–").replace("-", "–").split("–")[-1].strip() == str(year)


def _cost_share(measure: Measure | None, alone: bool) -> Decimal | None:
    """The share of the ref's spending an output carries: ``main: TRUE`` (or the ref's only
    output) carries all of it, ``cost_share`` a part; other outputs carry none."""
    if measure is None:
        return None
    if "cost_share" in measure.meta:
        return Decimal(str(measure.meta["cost_share"]))
    if measure.meta.get("main") is True or alone:
        return Decimal(1)
    return None


def targets_table(analysis: Analysis, year: int, unit: str | None = None) -> Table:
    """Targets against outputs of the same period; cost per output only where it carries cost;
    tasks and projects of the year without targets listed as 未设绩效目标."""
    in_year = year_period(year)

    def spent(ref: str) -> Decimal:
        """Money spent on a task, project or quota in the year (the ledger's usage series)."""
        return analysis.usage.spent(ref, in_year.start, in_year.end)

    measures = _YearMeasures.of(analysis.declarations, year)
    rows = _target_rows(analysis, year, unit, measures, spent)
    targeted = {ref for ref, _, _ in measures.keys}
    rows += _untargeted_rows(analysis, year, unit, targeted, spent)
    cols = [
        *Column.many(ref="编号", kind="类别", ref_name="名称", unit="单位"),
        *Column.many(period="期间", indicator="绩效指标"),
        *Column.many(NUMBER, target="目标值", output="完成值"),
        Column("measure_unit", "计量单位"),
        Column("completion", "完成率", RATE),
        *Column.many(MONEY, spent="本年支出（元）", cost="单位产出成本（元）"),
    ]
    return Table(
        "targets",
        "绩效目标与完成情况",
        cols,
        rows,
        notes=[
            "目标和完成值按同一期间对比（期间写在“期间”列，如种子材料的“近两年”记为 2023–2024）。",
            "单位产出成本 = 本年支出 × 该产出承担的份额 ÷ 完成值：只算承担成本的产出"
            "（任务的主要产出 main，或声明了 cost_share 的产出）；跨年期间的产出不算成本。",
            f"本年有支出或在执行期内、但没有设绩效目标的任务和项目列为“{NO_TARGET}”。",
        ],
    )


@dataclass
class _YearMeasures:
    """The targets and outputs whose period falls in the year, keyed (ref, indicator, period)."""

    outputs: dict[tuple[str, str, str], Decimal]
    output_of: dict[tuple[str, str, str], Measure]
    #: every key with a target or an output → its target (None: an output without one)
    keys: dict[tuple[str, str, str], Measure | None]
    #: (ref, period) → its indicators (one indicator carries all of the cost)
    names_of: dict[tuple[str, str], set[str]]

    @classmethod
    def of(cls, decl: Any, year: int) -> _YearMeasures:
        outputs: dict[tuple[str, str, str], Decimal] = defaultdict(lambda: ZERO)
        output_of: dict[tuple[str, str, str], Measure] = {}
        for m in decl.outputs:
            period = measure_period(m)
            if _in_year(period, year):
                outputs[(m.ref, m.name, period)] += m.value
                output_of.setdefault((m.ref, m.name, period), m)
        keys: dict[tuple[str, str, str], Measure | None] = {}
        for m in decl.targets:
            period = measure_period(m)
            if _in_year(period, year):
                keys[(m.ref, m.name, period)] = m
        for key in outputs:
            keys.setdefault(key, None)
        names_of: dict[tuple[str, str], set[str]] = defaultdict(set)
        for ref, name, period in keys:
            names_of[(ref, period)].add(name)
        return cls(outputs, output_of, keys, names_of)


def _target_rows(
    analysis: Analysis,
    year: int,
    unit: str | None,
    measures: _YearMeasures,
    spent: Callable[[str], Decimal],
) -> list[dict[str, Any]]:
    """A row per indicator with a target or an output: completion and cost per output."""
    refs = _refs(analysis)
    rows = []
    for ref, name, period in sorted(measures.keys):
        target = measures.keys[(ref, name, period)]
        kind, ref_name, ref_unit = refs.get(ref, ("", "", ""))
        if unit and ref_unit != unit:
            continue
        done = measures.outputs.get((ref, name, period))
        output = measures.output_of.get((ref, name, period))
        share = _cost_share(output, len(measures.names_of[(ref, period)]) == 1)
        money = spent(ref)
        cost = None
        if done and share is not None and period == str(year):
            cost = per(money * share, done)
        rows.append(
            {
                "ref": ref,
                "kind": kind,
                "ref_name": ref_name,
                "unit": unit_name(analysis, ref_unit),
                "period": period,
                "indicator": name,
                "target": target.value if target else None,
                "output": done,
                "measure_unit": (target.measure_unit if target else None)
                or (output.measure_unit if output else "")
                or "",
                "completion": rate(done, target.value) if target else None,
                "spent": money,
                "cost": cost,
            }
        )
    return rows


def _untargeted_rows(
    analysis: Analysis,
    year: int,
    unit: str | None,
    targeted: set[str],
    spent: Callable[[str], Decimal],
) -> list[dict[str, Any]]:
    """A 未设绩效目标 row per task or project of the year without targets."""
    rows = []
    for ref, kind, name, ref_unit in _active_without_targets(analysis, year, targeted):
        if unit and ref_unit != unit:
            continue
        rows.append(
            {
                "ref": ref,
                "kind": kind,
                "ref_name": name,
                "unit": unit_name(analysis, ref_unit),
                "period": str(year),
                "indicator": NO_TARGET,
                "target": None,
                "output": None,
                "measure_unit": "",
                "completion": None,
                "spent": spent(ref),
                "cost": None,
            }
        )
    return rows


def _active_without_targets(
    analysis: Analysis, year: int, targeted: set[str]
) -> list[tuple[str, str, str, str]]:
    """(id, kind, name, unit) of tasks and projects of the year that have no target."""
    decl = analysis.declarations
    out = []
    for tid, t in sorted(decl.tasks.items()):
        if tid not in targeted and t.start.year <= year <= t.end.year:
            out.append((tid, "职能任务", t.name, t.unit))
    for pid, p in sorted(decl.projects.items()):
        if pid in targeted or p.start.year > year:
            continue
        if p.end is not None and p.end.year < year:
            continue
        out.append((pid, "建设项目", p.name, p.unit))
    return out


def venues_table(analysis: Analysis, year: int, unit: str | None = None) -> Table | None:
    """Venues (projects with ``venue``/``area``): money, area, area added and cost per m²,
    per venue and per community, with the activity rooms' area before and after."""
    decl = analysis.declarations
    projects = [
        p
        for p in decl.projects.values()
        if "venue" in p.meta and p.start.year <= year and (unit is None or p.unit == unit)
    ]
    if not projects:
        return None
    rows = []
    by_community: dict[str | None, list] = defaultdict(list)
    for p in projects:
        by_community[p.community].append(p)
    totals = {"amount": ZERO, "area": ZERO, "added": ZERO}
    rooms = [ZERO, ZERO]  # 八室: area before, area after
    for code in sorted(by_community, key=lambda c: c or ""):
        group = sorted(by_community[code], key=lambda p: p.id)
        venue_rows, sub = _community_venues(analysis, code, group, rooms)
        subtotal = {"community": f"{community_name(analysis, code)}小计", "ref": "", "venue": ""}
        rows.append({**subtotal, "name": "", "built": "", **_venue_sums(sub), "level": 0})
        rows.extend(venue_rows)
        for k in totals:
            totals[k] += sub[k]
    cols = [
        *Column.many(community="社区", ref="项目", venue="阵地", name="名称", built="建设年份"),
        Column("amount", "投资（元）", MONEY),
        *Column.many(NUMBER, area="面积（平方米）", added="新增面积（平方米）"),
        Column("per_m2", "每平方米造价（元）", MONEY),
    ]
    notes = [
        "投资为项目金额（历年建成的按竣工投资）；每平方米造价 = 投资 ÷ 面积；两栏等无面积的阵地不计造价；"
        "提升改造项目（upgrade）的面积不重复计入小计。"
    ]
    if rooms[1]:
        notes.insert(
            0,
            f"社区活动室（八室）总面积从 {rooms[0]:,.0f} 平方米增加到 {rooms[1]:,.0f} 平方米；"
            f"建设资金合计 {totals['amount']:,.2f} 元。",
        )
    return Table(
        "venues",
        "社区活动阵地（一厅、一校、一堂、两栏、五站、八室）：投资、面积与每平方米造价",
        cols,
        rows,
        total={"community": "合计", **_venue_sums(totals)},
        level="level",
        notes=notes,
    )


def _community_venues(
    analysis: Analysis, code: str | None, group: list[Any], rooms: list[Decimal]
) -> tuple[list[dict[str, Any]], dict[str, Decimal]]:
    """A community's venue rows and its sums; adds its 八室 areas to ``rooms``."""
    rows = []
    sub = {"amount": ZERO, "area": ZERO, "added": ZERO}
    for p in group:
        area = _area(p.meta.get("area"))
        before = _area(p.meta.get("area_before")) or ZERO
        added = area - before if area is not None else None
        if "八室" in str(p.meta["venue"]) and area is not None:
            rooms[0] += before
            rooms[1] += area
        rows.append(
            {
                "community": community_name(analysis, code),
                "ref": p.id,
                "venue": str(p.meta["venue"]),
                "name": p.name,
                "built": str(p.meta.get("built") or p.start.year),
                "amount": p.amount,
                "area": area,
                "added": added,
                "per_m2": per(p.amount, area),
                "level": 1,
            }
        )
        sub["amount"] += p.amount
        if p.meta.get("upgrade") is not True:  # a refurbishment's floor is counted once
            sub["area"] += area or ZERO
        sub["added"] += added or ZERO
    return rows, sub


def _venue_sums(sums: dict[str, Decimal]) -> dict[str, Decimal | None]:
    """A subtotal's or the total's money, area, area added and cost per m²."""
    return {**sums, "per_m2": per(sums["amount"], sums["area"])}


def _area(value: object) -> Decimal | None:
    return None if value is None else Decimal(str(value))


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
                "per_household": per(spent[code], c.households),
            }
        )
    cols = [
        Column("community", "社区"),
        Column("unit", "服务中心"),
        Column("households", "户数", NUMBER),
        Column("spent", "本年支出（元）", MONEY),
        Column("per_household", "户均支出（元）", MONEY),
    ]
    households = sum((r["households"] for r in rows if r["households"]), ZERO)
    total_spent = dsum(r["spent"] for r in rows)
    total = {
        "community": "合计",
        "households": households,
        "spent": total_spent,
        "per_household": per(total_spent, households),
    }
    return Table(
        "households",
        "社区户均资金",
        cols,
        rows,
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
    tables = [targets_table(analysis, year, unit)]
    venues = venues_table(analysis, year, unit)
    if venues is not None:
        tables.append(venues)
    tables.append(households_table(analysis, year, community))
    suffix = f"-{unit}" if unit else ""  # as the task ledger's and execution's keys
    key, title = f"performance-{year}{suffix}", f"{year}年资金绩效"
    return PERFORMANCE.report(key, title, analysis.as_of, tables, {"year": year})
