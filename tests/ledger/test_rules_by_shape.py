"""The rules decided once per transaction shape, against the row-by-row passes they replaced.

``check_rows``, ``check_cash_basis`` and ``gather`` read the posting table a shape at a
time (:class:`sandao.ledger.resolver.Shape`) and lay out only the rows a rule may find
something in.  The plain passes over every row — each rule under its guard, the way the
engine ran before — are kept here only, so any shortcut must report the same findings
(code, place, message, ids) and gather the same daily series, pointing at the same
entries, on the test books, the edge cases, the example and a generated county.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import testbooks
from beancount import loader
from beancount.core import data
from test_resolver_table import EDGES, TEST_BOOKS

from sandao.ledger.accounts import gov_code_of
from sandao.ledger.analysis import Analysis, analysis_for
from sandao.ledger.funding import gather
from sandao.ledger.model import Declarations
from sandao.ledger.resolver import INCOME, OTHER, SPENDING, PostingTable
from sandao.ledger.rules import budget
from sandao.ledger.rules import rows as row_rules
from sandao.ledger.rules.budget import q001_quota_overspent
from sandao.ledger.rules.cash import (
    CASH_CODES,
    OPENING_CODE,
    check_cash_basis,
    d003_department_income_without_quota,
    d004_wanglai,
)
from sandao.ledger.sink import FindingSink
from sandao.ledger.vocabulary import TASK_STREAM

EXAMPLE = Path(__file__).resolve().parents[2] / "ledger" / "example" / "main.beancount"

#: Books on which a row rule fires: a department's money on 4001 without a quota (D003),
#: cash against 往来 (D004) beside the opening entry, spending outside a task's period
#: (T005), a 零余额 payment with no quota (Q004), a quota's codes contradicted (Q003), a
#: task's money in another unit (T006) and from another department (T007), a new
#: account without stream and function (D001 with its hint).
FIRING = """\
2025-01-10 custom "quota" "ZB25-0103" "运转指标" 5000.00 CNY
  unit: "C101"
  stream: "运转"
  function: "2010350"
  economic: "302"
2025-01-01 open Assets:C101-城东社区服务中心:1218-暂付款
2025-01-01 open Assets:C101-城东社区服务中心:3001-累计盈余
2025-01-01 open Expenses:C101-城东社区服务中心:30202-印刷费
2025-01-01 * "期初" "年初结余"
  Assets:C101-城东社区服务中心:1002-银行存款  100.00 CNY
  Assets:C101-城东社区服务中心:3001-累计盈余
2025-03-01 * "借款" "暂付"
  Assets:C101-城东社区服务中心:1218-暂付款  20.00 CNY
  Assets:C101-城东社区服务中心:1002-银行存款
2025-03-02 * "县民政局" "任务经费" ^T2025-007
  Assets:C101-城东社区服务中心:1002-银行存款  300.00 CNY
  Income:C101-城东社区服务中心:4001-财政拨款收入:D05-县民政局
2025-03-03 * "县民政局" "任务经费" ^T2025-007
  Assets:C102-城西社区服务中心:1002-银行存款  40.00 CNY
  Income:C102-城西社区服务中心:4609-其他收入:D06-县卫健委
2025-03-04 * "县文具店" "办公用品"
  quota: "ZB25-0103"
  Expenses:C101-城东社区服务中心:30201-办公费  10.00 CNY
    function: "2120104"
  Assets:C101-城东社区服务中心:1011-零余额账户用款额度
2025-03-05 * "县文具店" "办公用品"
  Expenses:C101-城东社区服务中心:30201-办公费  11.00 CNY
  Assets:C101-城东社区服务中心:1011-零余额账户用款额度
2025-03-06 * "县印刷厂" "印刷"
  Expenses:C101-城东社区服务中心:30202-印刷费  12.00 CNY
  Assets:C101-城东社区服务中心:1002-银行存款
2027-01-05 * "县文具店" "任务期后支出" ^T2025-007
  Expenses:C101-城东社区服务中心:30201-办公费  13.00 CNY
  Assets:C101-城东社区服务中心:1002-银行存款
"""


def reference_check_rows(table: PostingTable, decl: Declarations, sink: FindingSink) -> None:
    """The row rules over every row, each under its guard (the pass before shapes)."""
    row_rules.t002_p002_unknown_links(table, sink)
    ctx = row_rules.RowPass(decl, sink, table)
    tasks, quotas, projects = decl.tasks, decl.quotas, decl.projects
    for row in table.rows:
        role = row.role
        if role != SPENDING and role != INCOME:
            continue
        spending = role == SPENDING
        if (
            (row.unit is not None and row.unit not in decl.units)
            or (row.community is not None and row.community not in decl.communities)
            or (row.function is not None and row.function not in ctx.functions_ok)
            or (spending and row.economic is not None and row.economic not in ctx.economics_ok)
            or (row.department is not None and row.department not in decl.departments)
        ):
            row_rules.d002_codes_on_row(ctx, row)
        task = tasks.get(row.task) if row.task else None
        if row.task is not None and task is None:
            row_rules.t002_undeclared_task_on_row(ctx, row)
        if row.project is not None and row.project not in projects:
            row_rules.p002_undeclared_project_on_row(ctx, row)
        quota = quotas.get(row.quota) if row.quota else None
        if spending:
            if None in (row.unit, row.stream, row.function, row.economic):
                row_rules.d001_dimensions_unknown(ctx, row)
            if quota is not None:
                row_rules.q003_quota_mismatch(ctx, row, quota)
            elif row.zero_balance and row.quota is None and row.amount > 0:
                row_rules.q004_zero_balance_without_quota(ctx, row)
        if row.quota is not None and quota is None:
            row_rules.q002_undeclared_quota_on_row(ctx, row)
        if row.stream == TASK_STREAM and row.task is None:
            row_rules.t004_task_money_without_task(ctx, row)
        if task is None:
            continue
        if row.unit is not None and row.unit != task.unit:
            row_rules.t006_task_money_of_another_unit(ctx, row, task)
        if spending:
            if row.amount > 0 and (row.date < task.start or row.date > task.end):
                row_rules.t005_spent_outside_task_period(ctx, row, task)
        elif row.department != task.department:
            row_rules.t007_task_money_from_another_department(ctx, row, task)


def reference_cash_basis(table: PostingTable, decl: Declarations, sink: FindingSink) -> None:
    """D003 and D004 over every row, a transaction at a time (the pass before shapes)."""
    rows = table.rows
    first_use: dict[str, object] = {}
    codes: dict[str, str | None] = {}
    supervisors = {c: str(u.meta.get("supervisor") or "").strip() for c, u in decl.units.items()}
    groups: dict[int, list[Any]] = defaultdict(list)
    for row in rows:
        groups[row.txn].append(row)
    for group in groups.values():
        cash = others = None
        opening = False
        for row in group:
            code = codes.setdefault(row.account, gov_code_of(row.account))
            if row.role == INCOME and row.department and row.quota is None and code == "4001":
                d003_department_income_without_quota(row, supervisors, sink)
            elif row.role == OTHER:
                if code in CASH_CODES:
                    cash = row
                elif (
                    code == OPENING_CODE and first_use.setdefault(row.account, row.date) == row.date
                ):
                    opening = True
                elif code is not None:
                    others = row
        if cash is not None and others is not None and not opening:
            d004_wanglai(group, codes, sink)


def reference_gather(table: PostingTable, decl: Declarations) -> dict[str, dict[str, Any]]:
    """Per task, quota and project: date → [received, spent, (file, line) of the first]."""
    found: dict[str, dict[str, Any]] = {"tasks": {}, "quotas": {}, "projects": {}}

    def add(kind: str, key: str, row: Any, received: Decimal, spent: Decimal) -> None:
        days = found[kind].setdefault(key, {})
        if row.date not in days:
            days[row.date] = [received, spent, (row.file, row.line)]
        else:
            days[row.date][0] += received
            days[row.date][1] += spent

    for row in table.rows:
        if row.role == SPENDING:
            for kind, key in (
                ("tasks", row.task),
                ("quotas", row.quota),
                ("projects", row.project),
            ):
                if key is not None:
                    add(kind, key, row, Decimal(0), row.amount)
        elif row.role == INCOME and row.task is not None:
            task = decl.tasks.get(row.task)
            if task is not None and row.unit == task.unit:
                add("tasks", row.task, row, -row.amount, Decimal(0))
    return {
        kind: {key: dict(sorted(days.items())) for key, days in series.items()}
        for kind, series in found.items()
    }


def _findings(check: Any, analysis: Analysis) -> list[str]:
    sink = FindingSink()
    check(analysis.postings, analysis.declarations, sink)
    return sorted(repr(f) for f in sink.findings)


def _series(analysis: Analysis) -> dict[str, dict[str, Any]]:
    usage = gather(analysis.postings, analysis.declarations)
    found: dict[str, dict[str, Any]] = {}
    for kind in ("tasks", "quotas", "projects"):
        found[kind] = {
            key: {
                day: [*series.days[day], tuple(series.meta(day).values())]
                for day in sorted(series.days)
            }
            for key, series in getattr(usage, kind).items()
        }
    return found


def _same_as_rows(entries: list[data.Directive]) -> int:
    """Assert the shape passes equal the row passes; the findings and rows compared."""
    analysis = analysis_for(entries, {}, [])
    fresh = analysis_for(entries, {}, [])  # its rows laid out by the references only
    rows_found = _findings(reference_check_rows, fresh)
    assert _findings(row_rules.check_rows, analysis) == rows_found
    cash_found = _findings(reference_cash_basis, fresh)
    assert _findings(check_cash_basis, analysis) == cash_found
    assert repr(_series(analysis)) == repr(reference_gather(fresh.postings, fresh.declarations))
    return len(rows_found) + len(cash_found) + len(fresh.postings.rows)


BOOKS = {**TEST_BOOKS, "firing": testbooks.BASE + testbooks.FUND_TASK + FIRING}


@pytest.mark.parametrize("text", BOOKS.values(), ids=BOOKS.keys())
def test_shape_passes_equal_the_row_passes_on_test_books(text: str) -> None:
    entries, _, _ = loader.load_string(text)
    _same_as_rows(entries)


def test_every_row_rule_of_the_firing_books_fires() -> None:
    entries, _, _ = loader.load_string(testbooks.BASE + testbooks.FUND_TASK + FIRING)
    analysis = analysis_for(entries, {}, [])
    codes = {f.code for f in analysis.findings}
    assert {"D001", "D003", "D004", "Q003", "Q004", "T005", "T006", "T007"} <= codes
    assert _same_as_rows(entries) > 8
    d001 = next(f for f in analysis.findings if f.code == "D001" and "30202-印刷费" in f.message)
    assert d001.hint and 'function: "2120104"（同单位 30201-办公费 的值）' in d001.hint


def test_the_opening_entry_is_not_wanglai_but_a_later_one_is() -> None:
    later = FIRING + (
        '2025-06-01 * "调整" "累计盈余转暂付"\n'
        "  Assets:C101-城东社区服务中心:1002-银行存款  5.00 CNY\n"
        "  Assets:C101-城东社区服务中心:3001-累计盈余\n"
    )
    entries, _, _ = loader.load_string(testbooks.BASE + testbooks.FUND_TASK + later)
    analysis = analysis_for(entries, {}, [])
    d004 = sorted(f.date for f in analysis.findings if f.code == "D004")
    assert d004 == [datetime.date(2025, 3, 1), datetime.date(2025, 6, 1)]
    _same_as_rows(entries)


def test_shape_passes_equal_the_row_passes_on_the_example_books(example_entries: list[Any]) -> None:
    assert _same_as_rows(example_entries) > 1000


def test_shape_passes_equal_the_row_passes_on_a_generated_county(county_entries: list[Any]) -> None:
    assert _same_as_rows(county_entries) > 5000


def test_the_plugin_lays_out_no_row_of_books_without_findings_in_rows() -> None:
    """The plugin's load reads shapes only: the rows are laid out when a report reads them."""
    entries, _, _ = loader.load_string(testbooks.BASE + testbooks.FUND_TASK)
    analysis = analysis_for(entries, {}, [])
    assert analysis.postings._rows is None
    count = len(analysis.postings)
    assert analysis.postings._rows is None and count == len(analysis.postings.rows) > 0


def _q001(analysis: Analysis) -> list[str]:
    sink = FindingSink()
    q001_quota_overspent(analysis.declarations, analysis.usage, sink)
    return sorted(repr(f) for f in sink.findings)


def test_q001_skips_only_quotas_never_over(county_entries: list[Any], monkeypatch: Any) -> None:
    """Q001's shortcut (no spending before the quota's year, all of it within the smallest
    amount in force) skips the day-by-day sweep only where the sweep finds nothing."""
    county = county_entries
    over = (
        '2025-05-06 * "县文具店" "办公用品"\n  quota: "ZB25-0103"\n'
        "  Expenses:C101-城东社区服务中心:30201-办公费  5000.00 CNY\n"
        "  Assets:C101-城东社区服务中心:1011-零余额账户用款额度\n"
    )
    books, _, _ = loader.load_string(testbooks.BASE + testbooks.FUND_TASK + FIRING + over)
    found = {}
    for name, entries in (("county", county), ("busy", books)):
        analysis = analysis_for(entries, {}, [])
        found[name] = _q001(analysis)
        with monkeypatch.context() as patch:
            patch.setattr(budget, "_never_over", lambda *_: False)
            assert _q001(analysis) == found[name]
    assert any("ZB25-0103" in f for f in found["busy"]), "the books overspend ZB25-0103"


def test_a_table_that_let_go_of_its_entries_gathers_and_cites_the_same() -> None:
    """``sandao report`` frees the entries before the builders run: the table's money,
    the places findings cite and the unknown links then come from its rows, the same."""
    entries, _, _ = loader.load_string(testbooks.BASE + testbooks.FUND_TASK + EDGES + FIRING)
    analysis = analysis_for(entries, {}, [])
    before, links = _series(analysis), list(analysis.postings.unknown_links)
    analysis.postings.release_entries()
    assert analysis.postings._entries == [] and all(not s.dates for s in analysis.postings.shapes)
    assert _series(analysis) == before
    assert analysis.postings.unknown_links == links and links


@pytest.mark.parametrize("ack_date", ["2025-03-01", "2027-06-30", None])
def test_the_as_of_date_read_from_the_customs_equals_the_filter(ack_date: str | None) -> None:
    """The latest entry's date, read with the customs in hand (one ``max`` when no ack or
    close is that late), equals the filter over every entry: an ack never moves it."""
    from sandao.ledger.analysis import _by_kind, latest_date

    ack = f'{ack_date} custom "ack" "T001" "T2025-007" "已核对"\n' if ack_date else ""
    entries, _, _ = loader.load_string(testbooks.BASE + testbooks.FUND_TASK + FIRING + ack)
    customs, _, _ = _by_kind(entries)
    assert latest_date(entries, customs) == latest_date(entries) == datetime.date(2027, 1, 5)
