"""Every figure of the 决算 and 预算 traces to its entries (reports.md, "Provenance").

For every non-zero money cell of the example's 2024 决算 and 2025 预算 (each unit and the
department): the traced entries' sum, or its parts' sum, equals the cell in yuan, and in
万元 it is the printed figure under the rounding in force.  表一's 本年支出合计 and 表三's
项 rows partition the year's spending postings.  The public edition carries no trace.
"""

from __future__ import annotations

import json
from dataclasses import replace
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import pytest
from beancount import loader
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_disclosure import cash_st, cents, quota_st, random_books
from testbooks import run_sandao

from sandao.ledger import analysis_for, load
from sandao.ledger.county_config import load_county_config
from sandao.ledger.resolver import SPENDING
from sandao.ledger.scaffold import example_main, write_example
from sandao.reports.audit_edition import trace_document
from sandao.reports.disclosure import budget_document, context, final_document, scopes
from sandao.reports.provenance import netted

ZERO = Decimal(0)
CENT = Decimal("0.01")


def wan(yuan: Decimal) -> Decimal:
    return (yuan / 10000).quantize(CENT, rounding=ROUND_HALF_UP)


@pytest.fixture(scope="module")
def example():
    analysis = load(example_main())
    config = load_county_config(example_main())
    return analysis, config


def documents(analysis, ctx):
    for scope in scopes(analysis, None, "清河县", ctx.tables):
        yield final_document(ctx, scope, 2024)
        yield budget_document(ctx, scope, 2025)


def check_document(analysis, report, exact: bool) -> int:
    """Every traced cell: entries add to its yuan sum, parts add to it too; ``exact``:
    the sum in 万元 half-up is the printed cell (``rounding = "cell"``)."""
    doc = trace_document(analysis, report)
    checked = 0
    for table in doc["tables"]:
        cells = {(c["row"], c["column"]): c for c in table["cells"]}
        for cell in table["cells"]:
            total = Decimal(cell["sum"])
            if "entries" in cell:
                assert sum((Decimal(e[3]) for e in cell["entries"]), ZERO) == total, cell["row"]
                assert all(
                    e[0] and (e[1] or e[0].startswith(("ZB", "T", "P"))) for e in cell["entries"]
                )
            elif "units" in cell:  # a county cell: the units' same cells
                assert sum((Decimal(a) for _, a in cell["units"]), ZERO) == total, cell["row"]
            elif "same" in cell:  # the same figure as an earlier cell of the document
                report_key, key, row, column = cell["same"]
                first = [c for t in doc["tables"] if t["key"] == key for c in t["cells"]
                         if (c["row"], c["column"]) == (row, column)]  # fmt: skip
                assert report_key == report.key and first and first[0]["sum"] == cell["sum"]
                assert "same" not in first[0]
            else:
                parts = [cells.get(tuple(p)) for p in cell["parts"]]
                assert sum((Decimal(p["sum"]) for p in parts if p), ZERO) == total, (
                    table["key"], cell["row"], cell["column"],
                )  # fmt: skip
                printed = sum((Decimal(p["cell"]) for p in parts if p), ZERO)
                if not exact:  # top-down rounding: printed parts add to the printed total
                    assert printed == Decimal(cell["cell"]) or table["key"] in ("t1", "b1"), cell
            if exact:
                assert wan(total) == Decimal(cell["cell"]), (
                    table["key"],
                    cell["row"],
                    cell["column"],
                )
            else:  # each finest figure is within a cent of its yuan; a cell adds a few
                assert abs(total / 10000 - Decimal(cell["cell"])) < Decimal("0.05"), cell["row"]
            checked += 1
    return checked


def test_every_cell_traces_under_sum_rounding(example) -> None:
    analysis, config = example
    ctx = context(analysis, config, trace=True)
    assert sum(check_document(analysis, r, exact=False) for r in documents(analysis, ctx)) > 500


def test_every_cell_traces_exactly_under_cell_rounding(example) -> None:
    analysis, config = example
    ctx = context(analysis, config, trace=True)
    ctx = replace(ctx, tables=replace(ctx.tables, rounding="cell"))
    ctx.__dict__.pop("_cache", None)
    assert sum(check_document(analysis, r, exact=True) for r in documents(analysis, ctx)) > 500


def test_text_figures_name_their_cells(example) -> None:
    """Each figure of the 说明 text names where it comes from: a quoted cell prints that
    cell; a change, rate or share names the cells it is computed from (or, for the year
    before, the figure), and recomputing it from them gives the printed text."""
    analysis, config = example
    ctx = context(analysis, config, trace=True)
    ops: set[str] = set()
    for report in documents(analysis, ctx):
        doc = trace_document(analysis, report)
        cells = {(t["key"], c["row"], c["column"]): c for t in doc["tables"] for c in t["cells"]}

        def figure(operand, cells=cells) -> Decimal:
            return Decimal(cells[tuple(operand)]["cell"] if isinstance(operand, list) else operand)

        assert doc["text"], report.key
        for item in doc["text"]:
            where = (report.key, item["figure"], item.get("op"))
            if "op" not in item:
                assert Decimal(item["figure"]) == figure(item["from"][0]), where
                continue
            ops.add(item["op"])
            a, b = figure(item["from"][0]), figure(item["from"][1])
            if item["op"] == "−":
                assert item["figure"] == f"{'增加' if a > b else '减少'}{abs(a - b):.2f}万元", where
            elif item["op"] == "÷×100%":
                assert item["figure"] == f"{wan(a * 10000 * 100 / b)}%", where
            elif item["op"] == "|本年−上年|÷上年×100%":
                assert item["figure"] == f"{wan(abs(a - b) * 10000 * 100 / b)}%", where
            else:
                assert item["op"] == "占合计的份额（最大余额法）", where
                assert all(isinstance(x, list) for x in item["from"]), where
    assert ops == {"−", "÷×100%", "|本年−上年|÷上年×100%", "占合计的份额（最大余额法）"}


def test_county_cells_add_the_units_cells(example) -> None:
    """A county cell that is no sum of its own table's cells lists each unit's same cell
    with its yuan; each is there, in that unit's document, with that yuan."""
    analysis, config = example
    ctx = context(analysis, config, trace=True)
    docs = {r.key: trace_document(analysis, r) for r in documents(analysis, ctx)}
    index = {
        (key, t["key"], c["row"], c["column"]): c
        for key, doc in docs.items() for t in doc["tables"] for c in t["cells"]
    }  # fmt: skip
    shared = 0
    for key in ("final-2024-county", "budget-2025-county"):
        for table in docs[key]["tables"]:
            for cell in table["cells"]:
                assert "entries" not in cell or not cell["entries"], (key, cell["row"])
                for unit_key, amount in cell.get("units", []):
                    mine = index[(unit_key, table["key"], cell["row"], cell["column"])]
                    assert Decimal(mine["sum"]) == Decimal(amount), (unit_key, cell["row"])
                    shared += 1
    assert shared > 150


def test_year_spending_is_partitioned_by_table_three(example) -> None:
    """No posting counted twice, none left out: 表三's 项 rows share out 本年支出合计."""
    analysis, config = example
    ctx = context(analysis, config, trace=True)
    for scope in scopes(analysis, None, "清河县", ctx.tables):
        report = final_document(ctx, scope, 2024)
        t = {x.key: x for x in report.tables}
        total = next(r for r in t["t1"].records() if r["out_item"] == "本年支出合计")
        whole = netted(
            next(r for r in t["t1"].rows if r.get("out_item") == "本年支出合计")["out_amount"]
        )
        seen: dict[int, Decimal] = {}
        for row in t["t3"].rows:
            if row["level"] == 2:
                for index, amount in netted(row["total"]).items():
                    assert index not in seen, (scope.name, index)
                    seen[index] = amount
        assert seen == whole
        spending = {
            i for i, r in enumerate(analysis.postings.rows)
            if r.role == SPENDING and r.date.year == 2024 and r.unit in scope.units
        }  # fmt: skip
        assert set(seen) <= spending and sum(seen.values(), ZERO) / 10000 - total["out_amount"] < 1


def test_audit_edition_and_trace_command(tmp_path: Path) -> None:
    write_example(tmp_path / "ex")
    out = tmp_path / "out"
    books = tmp_path / "ex" / "main.beancount"
    run = run_sandao(
        "report", books, "--unit", "C101", "--format", "json", "--edition", "audit", "--out", out
    )
    assert run.returncode == 0, run.stderr
    trace = out / "audit" / "final" / "final-2024-C101.trace.json"
    assert trace.is_file()
    # the public edition: no entry ids, no trace
    for path in (out / "data").rglob("*.json"):
        text = path.read_text("utf-8")
        assert '"entries"' not in text and '"trace"' not in text and "h:" not in text, path
    shown = run_sandao("trace", trace, "t3", "2049999", "total")
    assert shown.returncode == 0, shown.stderr
    as_json = run_sandao("trace", trace, "t3", "2049999", "total", "--json")
    assert as_json.returncode == 0, as_json.stderr
    cell = json.loads(as_json.stdout)
    assert f"合计（元）：{Decimal(cell['sum']):,.2f}" in shown.stdout
    assert len(cell["entries"]) == shown.stdout.count("2024.beancount:")
    missing = run_sandao("trace", trace, "t3", "9999999", "total")
    assert missing.returncode == 2 and "没有行" in missing.stderr
    assert len(missing.stderr.strip().splitlines()) == 1


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    opening=st.lists(st.tuples(cents, cents), min_size=2, max_size=2),
    quotas=st.lists(quota_st, max_size=4),
    cash=st.lists(cash_st, max_size=3),
)
def test_random_books_trace_every_cell(opening, quotas, cash) -> None:
    """Generated books: every cell's entries or parts add to its yuan, and under cell
    rounding that yuan is the printed figure."""
    entries, errors, options = loader.load_string(random_books(opening, quotas, cash))
    assert not errors, errors
    analysis = analysis_for(entries, options, errors)
    for rounding in ("sum", "cell"):
        ctx = context(analysis, None, trace=True)
        ctx = replace(ctx, tables=replace(ctx.tables, rounding=rounding))
        for scope in scopes(analysis, None):
            for year in (2023, 2024):
                report = final_document(ctx, scope, year, draft=year == 2023)
                check_document(analysis, report, exact=rounding == "cell")
