"""What every document of a run shares: who a document is about and the books behind it.

:class:`Scope` names a document's units; :class:`Context` holds the posting table's
flows (one pass, :mod:`sources`), the table set and the county config, and rounds a
scope's year on demand (each unit on its own, then added, so the county's cells are
sums of the units' cells).  The few facts the 情况说明 and the tables both read about
the books' projects live here too.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sandao.ledger import Analysis
from sandao.reports.disclosure import budget as plan
from sandao.reports.disclosure.rounding import Rounded, exact, round_flows, traced
from sandao.reports.disclosure.sources import BUCKETS, PROJECT, Books, Flows, quota_class
from sandao.reports.disclosure.tableset import TableSet

ZERO = Decimal(0)


def document_kind(scope: Scope) -> str:
    """部门 for the publishing department's document, 单位 for a unit's own (standard,
    "Names"); an internal summary is neither."""
    if not scope.county:
        return "单位"
    return "" if scope.internal else "部门"


ADMINISTRATIVE_KINDS = ("行政单位", "参公事业单位")


@dataclass(frozen=True)
class Scope:
    """Who a document is about: its units, its name, and whether it is the county's."""

    units: tuple[str, ...]
    name: str
    county: bool = False
    #: the 本级 of a 部门决算 (``[disclosure] department``): listed first in 单位构成
    own_unit: str | None = None
    #: a sum of units that no 部门 publishes: an internal summary (内部汇总), not public
    internal: bool = False

    @property
    def key(self) -> str:
        """How report keys and file names name the scope: ``county`` or the unit's code."""
        return "county" if self.county else self.units[0]


@dataclass
class Context:
    """What every document of a run shares: the books' flows, the table set, the config."""

    analysis: Analysis
    books: Books
    tables: TableSet
    county: Any = None  # CountyInfo of the county config, or None
    #: the auditor's edition: every figure keeps the postings (or declarations) it sums
    trace: bool = False

    def rounded(self, scope: Scope, year: int) -> Rounded:
        """The scope's year in 万元: each unit rounded on its own, then added."""
        out = Rounded()
        for unit in scope.units:
            out.add(self._unit(unit, year))
        return out

    def _unit(self, unit: str, year: int) -> Rounded:
        cache = self.__dict__.setdefault("_cache", {})
        key = ("final", unit, year)
        if key not in cache:
            years = self.books.years(unit)
            pinned = None
            if years and years[0] < year and self.tables.rounding != "cell":
                pinned = self._unit(unit, year - 1).closing
            opening = self.books.opening_before([unit], year)
            refs = self.books.opening_refs([unit], year) if self.trace else {}
            cache[key] = self._round(self.books.get(unit, year), opening, refs, pinned)
        return cache[key]

    def budget_rounded(self, scope: Scope, year: int) -> Rounded:
        cache = self.__dict__.setdefault("_cache", {})
        out = Rounded()
        for unit in scope.units:
            key = ("budget", unit, year)
            if key not in cache:
                flows = plan.budget_flows(
                    self.analysis.declarations, self.books, unit, year, self.tables, self.trace
                )
                refs = {b: flows.refs.get(("opening", b), []) for b in BUCKETS}
                cache[key] = self._round(flows, dict(flows.opening), refs)
            out.add(cache[key])
        return out

    def _round(
        self,
        flows: Flows,
        opening: dict[str, Decimal],
        opening_refs: dict[str, list],
        pinned: dict[str, Decimal] | None = None,
    ) -> Rounded:
        """A unit's year in 万元 under the set's rounding; traced in the auditor's edition."""
        if self.tables.rounding == "cell":
            out = exact(flows, opening)
        else:
            out = round_flows(flows, opening, pinned)
        return traced(out, flows, opening_refs) if self.trace else out

    def flows(self, scope: Scope, year: int) -> Flows:
        return self.books.total(scope.units, year)

    def has_year(self, scope: Scope, year: int) -> bool:
        return any((u, year) in self.books.flows for u in scope.units)


def describe_refs(analysis: Analysis):
    decl = analysis.declarations

    def describe(ref: str) -> tuple[str, str]:
        if ref in decl.projects:
            return decl.projects[ref].name, "建设项目"
        if ref in decl.tasks:
            return decl.tasks[ref].name, "职能任务（费随事转）"
        if ref in decl.quotas:
            return decl.quotas[ref].name, "项目类指标"
        return ref, ""

    return describe


def project_amounts(ctx: Context, units: set[str], year: int) -> dict[str, Decimal]:
    """Budget of the year's projects, tasks and 项目 quotas (exact yuan) by id."""
    decl = ctx.analysis.declarations
    out: dict[str, Decimal] = {}
    for task in decl.tasks.values():
        if task.unit in units and task.start.year == year:
            out[task.id] = task.amount
    for project in decl.projects.values():
        if (
            project.unit in units
            and project.start.year <= year
            and (project.end is None or project.end.year >= year)
        ):
            out[project.id] = project.amount
    for quota in decl.quotas.values():
        if (
            quota.unit in units
            and quota.year == year
            and plan.is_initial(quota)
            and quota_class(quota) == PROJECT
            and not quota.task
        ):
            out[quota.id] = quota.amount
    return out


ADMINISTRATIVE_KINDS = ("行政单位", "参公事业单位")


def admin_units(ctx: Context, scope: Scope) -> tuple[str, ...]:
    """The scope's 行政单位 and 参公事业单位 (the units 机关运行经费 is about)."""
    units = ctx.analysis.declarations.units
    return tuple(
        u for u in scope.units if units.get(u) and (units[u].kind or "") in ADMINISTRATIVE_KINDS
    )


def new_in(ctx: Context, scope: Scope, year: int) -> bool:
    """Every unit of the scope is declared new in ``year`` (``new: 2024`` on the unit)."""
    units = ctx.analysis.declarations.units
    return all(
        u in units and str(units[u].meta.get("new") or "").strip() == str(year) for u in scope.units
    )


def existed_before(ctx: Context, scope: Scope, year: int) -> bool:
    """Whether any unit of the scope existed in ``year − 1``: money carried into ``year``
    (opening balances), an earlier declaration, or a project or task begun before it."""
    start = datetime.date(year, 1, 1)
    decl = ctx.analysis.declarations
    units = set(scope.units)
    if any(ctx.books.opening_before(units, year).values()):
        return True
    if any(decl.units[u].date and decl.units[u].date < start for u in units if u in decl.units):
        return True
    refs = [*decl.projects.values(), *decl.tasks.values()]
    return any(r.unit in units and r.start < start for r in refs)
