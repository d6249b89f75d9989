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
from typing import Any

from sandao.ledger import Analysis
from sandao.reports.base import economic_names
from sandao.reports.codes import CodesError, classification
from sandao.reports.disclosure import tables as _tables
from sandao.reports.disclosure.accounting import accounting_report
from sandao.reports.disclosure.document import Context, Scope, budget_document, final_document
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
    return replace(tables, names=names)


def is_closed(analysis: Analysis, year: int) -> bool:
    """A 决算 needs the whole year: the books reach its 31 December."""
    return analysis.as_of >= datetime.date(year, 12, 31)


def scopes(analysis: Analysis, unit: str | None, county_name: str = "") -> list[Scope]:
    """One scope per unit (the asked one, else all), plus the county's when several."""
    decl = analysis.declarations
    codes = [unit] if unit else sorted(decl.units)
    out = [Scope((code,), decl.units[code].name if code in decl.units else code) for code in codes]
    if unit is None and len(codes) > 1:
        out.append(Scope(tuple(codes), county_name or "全县社区服务中心", county=True))
    return out


def context(analysis: Analysis, county_config: Any = None) -> Context:
    """The shared inputs of every document of a run (one pass over the postings)."""
    tables = _config(county_config, economic_names(analysis))
    info = county_config.county if county_config is not None else None
    return Context(analysis, gather(analysis, tables), tables, info)


def _check_names(ctx: Context, scope: Scope, year: int) -> None:
    """A final 决算 prints every code with its name: stop, naming the codes and the key."""
    functions, economics = _tables.unnamed_codes(ctx.rounded(scope, year), ctx.tables)
    if not (functions or economics):
        return
    parts = []
    if functions:
        parts.append(f"功能分类 {'、'.join(functions)}（[codes.function]）")
    if economics:
        parts.append(f"经济分类 {'、'.join(economics)}（[codes.economic]）")
    raise DisclosureError(
        f"{scope.name}{year}年度部门决算中有科目没有名称：{'；'.join(parts)}；"
        '请在 sandao.toml 中补上，如 [codes.function] "2013999" = "其他社会工作事务支出"'
        "（或 function_csv / economic_csv 指向“编码,名称”文件）"
    )


def disclosure_jobs(
    analysis: Analysis,
    year: int,
    unit: str | None = None,
    draft: bool = False,
    county_config: Any = None,
) -> list[Callable[[], Report]]:
    """The 预算 of ``year``, the 决算 (and 预算会计 statements) of the latest closed year up
    to ``year``, and a draft 决算 of ``year`` if asked and still open — per unit and for the
    county.  Earlier years: run again with ``--year``."""
    # Built here, before any worker is forked: the workers share it instead of each
    # making its own pass over the postings.
    shared = context(analysis, county_config)

    def ctx() -> Context:
        return shared

    info = county_config.county if county_config is not None else None
    name = f"{info.name}社区服务中心（汇总）" if info is not None and info.name else ""
    rows = analysis.postings.rows
    data_years = set(range(rows[0].date.year, year + 1)) if rows else set()
    closed = [y for y in sorted(data_years) if is_closed(analysis, y)]
    final_years = closed[-1:]
    budget_years = [year]
    jobs: list[Callable[[], Report]] = []
    for scope in scopes(analysis, unit, name):
        for y in final_years:
            _check_names(shared, scope, y)
        for y in budget_years:
            jobs.append(functools.partial(lambda s, y: budget_document(ctx(), s, y), scope, y))
        for y in final_years:
            jobs.append(functools.partial(lambda s, y: final_document(ctx(), s, y), scope, y))
        if draft and year in data_years and not is_closed(analysis, year):
            jobs.append(
                functools.partial(lambda s, y: final_document(ctx(), s, y, draft=True), scope, year)
            )
        for y in final_years:
            jobs.append(functools.partial(lambda s, y: accounting_report(ctx(), s, y), scope, y))
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
    "context",
    "disclosure_jobs",
    "final_document",
    "is_closed",
    "scopes",
]
