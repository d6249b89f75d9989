"""部门决算 / 部门预算 documents to the official template, and the 预算会计 statements.

- :mod:`tableset` — titles, order and row lists as data (the template's by default,
  replaceable from the county config's ``[disclosure]`` section);
- :mod:`sources` — the one pass over the posting table (income by source, spending by
  fund type and class, carry-over, 往来);
- :mod:`rounding` — yuan → 万元 so every identity holds after rounding;
- :mod:`tables`, :mod:`text`, :mod:`document`, :mod:`budget` — the documents;
- :mod:`accounting` — 预算收入支出表, 预算结转结余变动表, 财政拨款预算收入支出表.
"""

from __future__ import annotations

import datetime
import functools
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

from sandao.ledger import Analysis
from sandao.reports.base import economic_names
from sandao.reports.codes import CodesError, classification
from sandao.reports.disclosure import tables as _tables
from sandao.reports.disclosure.accounting import accounting_report
from sandao.reports.disclosure.context import document_kind
from sandao.reports.disclosure.document import Context, Scope, budget_document, final_document
from sandao.reports.disclosure.narrative import PreviousYearError
from sandao.reports.disclosure.sources import gather
from sandao.reports.disclosure.tableset import TableSet, TableSetError, table_set
from sandao.reports.model import Report
from sandao.reports.options import ReportError


class DisclosureError(ReportError):
    """The documents cannot be written as asked: a config mistake or a fact the books lack
    (one sentence naming what to set)."""


def check_config(county_config: Any) -> None:
    """Read the ``[disclosure]`` and ``[codes]`` sections now, so a mistake in them is one
    sentence before the books are read (``DisclosureError``)."""
    _config(county_config)


def _config(county_config: Any, books_economic: dict[str, str] | None = None) -> TableSet:
    """The table set with the names of codes (bundle, books, ``[codes]``)."""
    if county_config is None:
        return replace(table_set(None), names=classification(None, None, books_economic))
    path = getattr(county_config, "path", None)
    try:
        tables = table_set(county_config.section("disclosure"))
        names = classification(
            county_config.section("codes"), path.parent if path else None, books_economic
        )
    except (TableSetError, CodesError) as exc:
        where = f"县配置 {path}：" if path else ""
        raise DisclosureError(where + str(exc)) from None
    if tables.previous and path is not None and not Path(tables.previous).is_absolute():
        tables = replace(tables, previous=str(path.parent / tables.previous))
    return replace(tables, names=names)


def closes(analysis: Analysis) -> dict[str, datetime.date]:
    """Unit → the latest date its books were closed to (``period-close``), read once.

    ``sandao report`` asks before it frees the entries; the answer is kept on the analysis.
    """

    known = analysis.__dict__.get("_period_closes")
    if known is not None:
        return known
    out: dict[str, datetime.date] = {}
    for entry in analysis.entries:
        if getattr(entry, "type", None) != "period-close" or len(entry.values) < 2:
            continue
        unit, day = entry.values[0].value, entry.values[1].value
        if isinstance(unit, str) and isinstance(day, datetime.date):
            out[unit] = max(day, out.get(unit, day))
    analysis.__dict__["_period_closes"] = out
    return out


def is_closed(analysis: Analysis, year: int, units: tuple[str, ...] | None = None) -> bool:
    """A 决算 needs the whole year: the books reach its 31 December, or every unit of the
    document has a ``period-close`` dated then or later."""
    end = datetime.date(year, 12, 31)
    if analysis.as_of >= end:
        return True
    if not units:
        return False
    closed = closes(analysis)
    return all(closed.get(u, datetime.date.min) >= end for u in units)


def official_name(analysis: Analysis, code: str, county: str = "") -> str:
    """How a unit is named on a document: its ``official_name``, else county + unit name."""
    unit = analysis.declarations.units.get(code)
    if unit is None:
        return code
    declared = str(unit.meta.get("official_name") or "").strip()
    if declared:
        return declared
    return unit.name if not county or county in unit.name else county + unit.name


def scopes(
    analysis: Analysis, unit: str | None, county_name: str = "", tables: TableSet | None = None
) -> list[Scope]:
    """One scope per unit (the asked one, else all), plus the sum of them when several:
    the 部门决算 of ``[disclosure] department``, else an internal summary (内部汇总)."""
    decl = analysis.declarations
    codes = [unit] if unit else sorted(decl.units)
    out = [Scope((code,), official_name(analysis, code, county_name)) for code in codes]
    if unit is None and len(codes) > 1:
        department = tables.department if tables is not None else None
        if department:
            own = department.get("own_unit")
            ordered = ([own] if own in codes else []) + [c for c in codes if c != own]
            out.append(Scope(tuple(ordered), department["name"], county=True, own_unit=own or None))
        else:
            name = f"{county_name}社区服务中心" if county_name else "全县社区服务中心"
            out.append(Scope(tuple(codes), name, county=True, internal=True))
    return out


def final_year(analysis: Analysis, year: int, units: tuple[str, ...]) -> int | None:
    """The latest closed year ≤ ``year`` with any books, for these units."""
    rows = analysis.postings.rows
    if not rows:
        return None
    for y in range(year, rows[0].date.year - 1, -1):
        if is_closed(analysis, y, units):
            return y
    return None


def _not_closed(
    analysis: Analysis, year: int, pending: list[tuple[Scope, int | None]], draft: bool = False
) -> str:
    """One line: which 决算 was written instead of ``year``'s, why ``year`` is not closed."""
    end = datetime.date(year, 12, 31)
    units = sorted({u for scope, _ in pending for u in scope.units})
    open_units = [u for u in units if closes(analysis).get(u, datetime.date.min) < end]
    why = f"账簿截至 {analysis.as_of.isoformat()}，未到 {end.isoformat()}"
    if open_units:
        why += f"，且 {'、'.join(open_units)} 没有结账到 {end.isoformat()}（sandao close）"
    written = sorted({w for _, w in pending if w is not None})
    done = (
        f"已生成 {'、'.join(map(str, written))} 年度决算"
        if written
        else "没有已结束的年度，未生成决算"
    )
    if draft:
        return f"提示：{year}年度尚未结束（{why}）；{done}，并按 --draft 生成了 {year} 年度决算草稿（非正式决算）。"
    return f"提示：{year}年度尚未结束（{why}）；{done}。要看 {year} 年度决算草稿，加 --draft。"


def context(analysis: Analysis, county_config: Any = None, trace: bool = False) -> Context:
    """The shared inputs of every document of a run (one pass over the postings); with
    ``trace`` every figure keeps the entries it sums (the auditor's edition)."""
    tables = _config(county_config, economic_names(analysis))
    info = county_config.county if county_config is not None else None
    return Context(analysis, gather(analysis, tables, trace), tables, info, trace)


def _built(report: Report) -> Report:
    return report


def _check_names(ctx: Context, scope: Scope, year: int) -> None:
    """A final 决算 names its publisher and every code: no placeholder such as “XX” in a
    name, and every 功能分类 / 经济分类 code named — else stop, naming what to set."""
    county = ctx.county.name if ctx.county is not None else ""
    placeholders = [n for n in (county, scope.name) if "XX" in n.upper()]
    if placeholders:
        raise DisclosureError(
            f"{scope.name}{year}年度{document_kind(scope)}决算不能公开：名称“{placeholders[0]}”含占位符 XX；"
            "请在 sandao.toml 的 [county] name 写实际县名（单位可在声明上写 official_name）"
        )
    functions, economics = _tables.unnamed_codes(ctx.rounded(scope, year), ctx.tables)
    if not (functions or economics):
        return
    parts = []
    if functions:
        parts.append(f"功能分类 {'、'.join(functions)}（[codes.function]）")
    if economics:
        parts.append(f"经济分类 {'、'.join(economics)}（[codes.economic]）")
    raise DisclosureError(
        f"{scope.name}{year}年度{document_kind(scope)}决算中有科目没有名称：{'；'.join(parts)}；"
        '请在 sandao.toml 中补上，如 [codes.function] "2013999" = "其他社会工作事务支出"'
        "（或 function_csv / economic_csv 指向“编码,名称”文件）"
    )


def disclosure_jobs(
    analysis: Analysis,
    year: int,
    unit: str | None = None,
    draft: bool = False,
    county_config: Any = None,
    notes: list[str] | None = None,
    trace: bool = False,
    serve: str | None = None,
) -> list[Callable[[], Report]]:
    """The 预算 of ``year``, the 决算 (and 预算会计 statements) of the latest closed year up
    to ``year``, and a draft 决算 of ``year`` if asked and still open — per unit and for the
    county.  Earlier years: run again with ``--year``.  Lines the user must read (a year
    that is not closed, reasons the books lack) are appended to ``notes``."""
    # Built here, before any worker is forked: the workers share it instead of each
    # making its own pass over the postings.
    shared = context(analysis, county_config, trace)

    def ctx() -> Context:
        return shared

    info = county_config.county if county_config is not None else None
    county = info.name if info is not None else ""
    rows = analysis.postings.rows
    has_year = bool(rows) and rows[0].date.year <= year
    jobs: list[Callable[[], Report]] = []
    pending: list[tuple[Scope, int | None]] = []
    for scope in scopes(analysis, unit, county, shared.tables):
        wrote = final_year(analysis, year, scope.units)
        final_years = [wrote] if wrote is not None else []
        if has_year and wrote != year:
            pending.append((scope, wrote))
        jobs.append(functools.partial(lambda s, y: budget_document(ctx(), s, y), scope, year))
        for y in final_years:
            _check_names(shared, scope, y)
            # Built now, before the workers fork: what the books still owe (a missing
            # reason, the previous year's figures) is said once, by this process.
            try:
                report = final_document(shared, scope, y)
            except PreviousYearError as exc:
                raise DisclosureError(str(exc)) from None
            if notes is not None:
                notes.extend(report.context.get("missing", []))
            jobs.append(functools.partial(_built, report))
        if draft and has_year and wrote != year:
            jobs.append(
                functools.partial(lambda s, y: final_document(ctx(), s, y, draft=True), scope, year)
            )
        for y in final_years:
            jobs.append(functools.partial(lambda s, y: accounting_report(ctx(), s, y), scope, y))
    if pending and notes is not None:
        notes.insert(0, _not_closed(analysis, year, pending, draft))
    if trace:
        from sandao.reports.audit_edition import DISCLOSURE, trace_url, with_trace

        base = serve or trace_url(analysis, county_config)
        jobs = [functools.partial(with_trace, job, analysis, base, DISCLOSURE) for job in jobs]
    return jobs


__all__ = [
    "Context",
    "DisclosureError",
    "Scope",
    "TableSet",
    "TableSetError",
    "accounting_report",
    "budget_document",
    "check_config",
    "closes",
    "context",
    "disclosure_jobs",
    "final_document",
    "final_year",
    "is_closed",
    "official_name",
    "scopes",
]
