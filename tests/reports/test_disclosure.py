"""The 决算 / 预算 documents: every identity of disclosure-standard.md, the template's
structure, the 情况说明 quoting its cells, and the JSON shape.

Identities are checked in 万元 after rounding for every unit and the county, for both
years of the example books and for random books (hypothesis).  The ledger side of each
tie (资金结存 balances, income by account code) is summed straight from Beancount's
entries, not from the resolver.
"""

from __future__ import annotations

import datetime
import json
import re
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import pytest
from beancount import loader
from beancount.core import data
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sandao.ledger import analysis_for, load
from sandao.ledger.county_config import load_county_config
from sandao.ledger.scaffold import example_main
from sandao.reports.disclosure import (
    Scope,
    budget_document,
    context,
    final_document,
    scopes,
)
from sandao.reports.disclosure.narrative import _from_books
from sandao.reports.disclosure.tables import cell

ZERO = Decimal(0)
CASH = ("1001", "1002", "1011", "1021", "1201")
TEMPLATE = json.loads(
    (Path(__file__).parents[1] / "data" / "disclosure" / "template_labels.json").read_text("utf-8")
)


def wan(yuan: Decimal) -> Decimal:
    return (yuan / 10000).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def code_of(account: str) -> str:
    parts = account.split(":")
    return parts[2].split("-")[0] if len(parts) > 2 else ""


def cash_balance(entries, unit_codes, day: datetime.date) -> Decimal:
    """资金结存 at the end of ``day``, summed from Beancount's own entries."""
    total = ZERO
    for e in entries:
        if isinstance(e, data.Transaction) and e.date <= day:
            for p in e.postings:
                parts = p.account.split(":")
                unit = parts[1].split("-")[0] if len(parts) > 2 else ""
                if unit in unit_codes and code_of(p.account) in CASH:
                    total += p.units.number
    return total


def tables(report) -> dict:
    return {t.key: t for t in report.tables}


def money(table, label, column) -> Decimal:
    value = cell(table, label, column)
    assert value is not None, (table.title, label, column)
    return value


def class_cells(t1) -> dict[str, Decimal]:
    """表一's numbered 类 rows by class name (一、一般公共服务支出 → 一般公共服务支出)."""
    return {
        r["out_item"].split("、", 1)[1]: r["out_amount"]
        for r in t1.records()
        if "、" in (r["out_item"] or "")
    }


def check_final(report, prev_report, entries, units) -> None:
    """Every identity of a 决算 document (万元, after rounding)."""
    t = tables(report)
    t1, t2, t3, t4, t5, t6, t7, t8, t9, t10 = (t[f"t{i}"] for i in range(1, 11))
    income = [money(t1, label, "in_amount") for label in TEMPLATE["t1_income_rows"][:8]]
    year_income = money(t1, "本年收入合计", "in_amount")
    # 1, 2
    assert year_income == sum(income, ZERO)
    opening = money(t1, "年初结转和结余", "in_amount")
    assert (
        t1.total["in_amount"]
        == year_income + money(t1, "使用非财政拨款结余", "in_amount") + opening
    )
    year_spend = money(t1, "本年支出合计", "out_amount")
    closing = money(t1, "年末结转和结余", "out_amount")
    assert year_spend == sum(class_cells(t1).values(), ZERO)
    assert t1.total["out_amount"] == year_spend + money(t1, "结余分配", "out_amount") + closing
    assert t1.total["in_amount"] == t1.total["out_amount"]
    # 3
    assert t2.total["total"] == year_income
    assert t2.total["fiscal"] == income[0] + income[1] + income[2]
    for key, value in zip(
        ("superior", "business", "operating", "affiliated", "other"), income[3:], strict=True
    ):
        assert t2.total[key] == value
    # 4
    assert t3.total["total"] == year_spend
    classes = class_cells(t1)
    for r in t3.records():
        if r["level"] == 0:
            assert r["total"] == classes[r["name"]]
    # 5, 12
    assert sum(
        (money(t4, label, "in_amount") for label in TEMPLATE["t4_income_rows"][:3]), ZERO
    ) == (income[0] + income[1] + income[2])
    assert money(t4, "本年支出合计", "general") == t5.total["total"]
    assert money(t4, "本年支出合计", "fund") == t8.total["spent"]
    assert money(t4, "本年支出合计", "capital") == t9.total["spent"]
    assert t4.total["in_amount"] == t4.total["out_total"]
    records = t4.records()
    at = next(i for i, r in enumerate(records) if r["in_item"] == "年初财政拨款结转和结余")
    assert records[at]["in_amount"] == sum((r["in_amount"] for r in records[at + 1 : at + 4]), ZERO)
    assert records[at]["out_total"] == sum((r["out_total"] for r in records[at + 1 : at + 4]), ZERO)
    for i, key in enumerate(("general", "fund", "capital")):
        income_i = records[i]["in_amount"]
        assert t4.total[key] == income_i + records[at + 1 + i]["in_amount"]
        assert t4.total[key] == money(t4, "本年支出合计", key) + records[at + 1 + i]["out_total"]
    # 6
    assert t5.total["basic"] == t6.total["l_amount"] + t6.total["r_amount"]
    # 8: 年末 = 资金结存 (the example and the random books move no 往来 money)
    year = report.context["year"]
    held = wan(cash_balance(entries, units, datetime.date(year, 12, 31)))
    # one unit: exactly the rounded 资金结存; the county adds its units' rounded figures
    assert abs(closing - held) <= Decimal("0.01") * (len(units) - 1), (closing, held)
    if prev_report is not None:
        assert opening == money(tables(prev_report)["t1"], "年末结转和结余", "out_amount")
        assert money(t4, "年初财政拨款结转和结余", "in_amount") == money(
            tables(prev_report)["t4"], "年末财政拨款结转和结余", "out_total"
        )
    # 9
    assert t10.total["total"] == t3.total["project"]
    assert t10.total["fiscal"] == t5.total["project"] + t8.total["project"] + t9.total["project"]
    # 7: 三公 决算 = its parts; 小计 = 购置 + 运行
    row = t7.records()[0]
    assert row["car_actual"] == row["car_buy_actual"] + row["car_run_actual"]
    assert row["total_actual"] == row["abroad_actual"] + row["car_actual"] + row["reception_actual"]
    # 10: quoted figures equal their cells; shares add to 100%
    check_text(report)


def check_text(report) -> None:
    t = tables(report)
    for q in report.context["quoted"]:
        if q["label"] is None:
            assert t[q["table"]].records()[0][q["column"]] == q["value"]
        else:
            assert cell(t[q["table"]], q["label"], q["column"]) == q["value"], q
    for section in report.context["sections"]:
        for paragraph in section["paragraphs"]:
            for clause in re.split(r"[。]", paragraph):
                found = re.findall(r"万元，占(\d+\.\d\d)%", clause)
                if len(found) > 1:
                    assert sum(Decimal(f) for f in found) == 100, clause


def check_county(ctx, units, year, final: bool, draft: bool = False) -> None:
    """11: the county document is the sum of its units' documents, cell by cell."""

    def build(scope, year):
        if final:
            return final_document(ctx, scope, year, draft=draft)
        return budget_document(ctx, scope, year)

    county = tables(build(Scope(tuple(units), "全县", county=True), year))
    parts = [tables(build(Scope((u,), u), year)) for u in units]
    for key, table in county.items():
        if table.total is None:
            continue
        for column, value in table.total.items():
            if isinstance(value, Decimal):
                assert value == sum((p[key].total[column] for p in parts), ZERO), (key, column)


def check_budget(report) -> None:
    t = tables(report)
    b1, b2, b3, b4, b5, b6 = (t[f"b{i}"] for i in range(1, 7))
    assert b1.total["in_amount"] == b1.total["out_amount"]
    assert b2.total["total"] == b1.total["in_amount"]
    assert b3.total["total"] == money(b1, "本年支出合计", "out_amount")
    assert money(b4, "本年支出合计", "general") == b5.total["total"]
    assert b5.total["basic"] == b6.total["l_amount"] + b6.total["r_amount"]
    assert t["b10"].total["total"] == b3.total["project"]
    check_text(report)


def check_fiscal_execution(analysis, ctx, unit, year) -> None:
    """No 财政拨款 spending above the adjusted quotas of a function unless Q001 is found."""
    if any(f.code == "Q001" and f.ids.get("unit") in (unit, None) for f in analysis.findings):
        return
    adjusted: dict[str, Decimal] = {}
    for q in analysis.declarations.quotas.values():
        if q.unit == unit and q.year == year:
            adjusted[q.function] = adjusted.get(q.function, ZERO) + q.adjusted_amount()
    spent: dict[str, Decimal] = {}
    for key, value in ctx.books.get(unit, year).spend.items():
        if key.bucket != "非财政拨款":
            spent[key.function] = spent.get(key.function, ZERO) + value
    for function, value in spent.items():
        assert value <= adjusted.get(function, ZERO), (unit, year, function, value)


@pytest.fixture(scope="module")
def example():
    analysis = load(example_main())
    entries, _, _ = loader.load_file(str(example_main()))
    return analysis, entries, context(analysis, load_county_config(example_main()))


def test_example_identities_every_unit_and_county(example) -> None:
    analysis, entries, ctx = example
    units = sorted(analysis.declarations.units)
    for scope in scopes(analysis, None):
        before = None
        for year in (2024, 2025):
            report = final_document(ctx, scope, year, draft=year == 2025)
            check_final(report, before, entries, scope.units)
            # the cells the next year's 情况说明 compares with are this document's cells
            cells = _from_books(ctx, scope, year)
            t = tables(report)
            assert cells.total == t["t1"].total["in_amount"]
            assert cells.fiscal_total == t["t4"].total["in_amount"]
            assert cells.general == t["t5"].total["total"]
            assert cells.three["total"] == t["t7"].records()[0]["total_actual"]
            assert cells.closing == money(t["t1"], "年末结转和结余", "out_amount")
            check_budget(budget_document(ctx, scope, year))
            before = report
    for year in (2024, 2025):
        check_county(ctx, units, year, final=True)
        check_county(ctx, units, year, final=False)
        for unit in units:
            check_fiscal_execution(analysis, ctx, unit, year)


def test_example_2024_income_by_source_and_carry_over(example) -> None:
    """Department cash is 其他收入; 年初 = the opening bank balance, 年末 = 资金结存."""
    _, entries, ctx = example
    doc = tables(final_document(ctx, Scope(("C101",), "城东"), 2024))
    t1 = doc["t1"]
    opening = cash_balance(entries, ("C101",), datetime.date(2024, 1, 1))
    assert money(t1, "年初结转和结余", "in_amount") == wan(opening)
    closing = cash_balance(entries, ("C101",), datetime.date(2024, 12, 31))
    assert money(t1, "年末结转和结余", "out_amount") == wan(closing)
    # the opening entry's 1201 posting says source: 财政拨款 (30,000.00)
    assert money(doc["t4"], "年初财政拨款结转和结余", "in_amount") == Decimal("3.00")
    fiscal = money(t1, "一、一般公共预算财政拨款收入", "in_amount")
    other = money(t1, "八、其他收入", "in_amount")
    expected_fiscal = -sum(
        (
            p.units.number
            for e in entries
            if isinstance(e, data.Transaction) and e.date.year == 2024
            for p in e.postings
            if p.account.startswith("Income:C101-") and code_of(p.account) == "4001"
        ),
        ZERO,
    )
    assert fiscal == wan(expected_fiscal) and other > 0


def test_structure_follows_the_template(example) -> None:
    _, _, ctx = example
    report = final_document(ctx, Scope(("C101",), "城东"), 2024)
    t = tables(report)
    titles = [tb.title.split("、", 1)[1] for tb in report.tables][:9]
    assert titles == TEMPLATE["titles"]
    left = [r["in_item"] for r in t["t1"].records() if r["in_item"]] + [t["t1"].total["in_item"]]
    right = [r["out_item"] for r in t["t1"].records() if r["out_item"]] + [
        t["t1"].total["out_item"]
    ]
    assert left == TEMPLATE["t1_income_rows"]
    assert right == TEMPLATE["t1_spending_rows"]
    t4_left = [r["in_item"] for r in t["t4"].records() if r["in_item"]] + [t["t4"].total["in_item"]]
    rows4 = TEMPLATE["t4_income_rows"]
    assert t4_left == [*rows4[:5], *rows4[:3], rows4[5]]  # 年初 split by fund type, as the template
    t4_right = [r["out_item"] for r in t["t4"].records()]
    assert [x for x in t4_right if x in TEMPLATE["t4_spending_tail"]] == TEMPLATE[
        "t4_spending_tail"
    ][:2]
    assert [c.label for c in t["t2"].columns[2:]] == TEMPLATE["t2_columns"]
    assert [c.label for c in t["t3"].columns[2:]] == TEMPLATE["t3_columns"]
    labels7 = [c.label for c in t["t7"].columns]
    assert len(labels7) == 12
    for group in TEMPLATE["t7_groups"]:
        assert any(group in label for label in labels7), group
    assert all(label.endswith(tuple(TEMPLATE["t7_leaves"])) for label in labels7)
    labels8 = " ".join(c.label for c in t["t8"].columns)
    assert all(label in labels8 for label in TEMPLATE["t8_columns"])
    codes = {r["l_code"] for r in t["t6"].records()} | {r["r_code"] for r in t["t6"].records()}
    assert set(TEMPLATE["t6_codes"]) <= codes
    terms = [term for term, _ in report.context["glossary"]]
    assert terms[:11] == TEMPLATE["glossary"]
    for key in ("t8", "t9"):
        assert any(n.startswith("说明：") and "故本表无数据" in n for n in t[key].notes)


def test_open_year_gets_a_draft_only_when_asked(example, tmp_path: Path) -> None:
    from sandao.reports.run import write_reports

    analysis, _, _ = example
    out = write_reports(analysis, tmp_path / "r", formats=["json"], workers=1, unit="C101")
    finals = sorted(p.name for p in (out.parent / "data" / "final").iterdir())
    assert finals == ["final-2024-C101"]
    out = write_reports(
        analysis, tmp_path / "d", formats=["json", "html"], workers=1, unit="C101", draft=True
    )
    draft = out.parent / "data" / "final" / "final-2025-C101-draft" / "t1.json"
    doc = json.loads(draft.read_text("utf-8"))
    assert doc["draft"] is True
    assert {"title", "scale", "columns", "rows", "total"} <= set(doc)
    assert doc["scale"] == "万元" and doc["total"]["in_item"] == "总计"
    assert all(set(c) >= {"key", "label"} for c in doc["columns"])
    html = (out.parent / "final" / "final-2025-C101-draft.html").read_text("utf-8")
    assert html.count("草稿 — 截至") >= 10  # the page header and every table's banner
    final = json.loads(
        (out.parent / "data" / "final" / "final-2024-C101" / "t1.json").read_text("utf-8")
    )
    assert "draft" not in final


# -- random books ---------------------------------------------------------------------

UNITS = ("C101", "C102")
NAMES = {"C101": "城东社区服务中心", "C102": "城西社区服务中心"}
HEAD = """\
option "operating_currency" "CNY"
2023-01-01 custom "unit" "C101" "城东社区服务中心"
  kind: "行政单位"
2023-01-01 custom "unit" "C102" "城西社区服务中心"
2023-01-01 custom "department" "D05" "县委政法委"
2023-01-01 custom "department" "D02" "民政局"
"""
ACCOUNTS = (
    "1002-银行存款", "1011-零余额账户用款额度", "1201-财政应返还额度", "3001-累计盈余",
    "4001-财政拨款收入", "4609-其他收入:D05-县委政法委", "4201-上级补助收入:D02-民政局",
    "30101-基本工资", "30201-办公费", "30217-公务接待费", "31002-办公设备购置",
)  # fmt: skip
cents = st.integers(min_value=100_00, max_value=3_000_000_00).map(lambda c: Decimal(c) / 100)
quota_st = st.fixed_dictionaries(
    {
        "year": st.sampled_from((2023, 2024)),
        "unit": st.sampled_from(UNITS),
        "function": st.sampled_from(("2120101", "2080208", "2120399")),
        "fund": st.sampled_from(("一般公共预算", "政府性基金")),
        "stream": st.sampled_from(("运转", "建设")),
        "amount": cents,
        "leaf": st.sampled_from(
            ("30101-基本工资", "30201-办公费", "30217-公务接待费", "31002-办公设备购置")
        ),
        "spent": st.integers(min_value=0, max_value=100),
    }
)
cash_st = st.fixed_dictionaries(
    {
        "year": st.sampled_from((2023, 2024)),
        "unit": st.sampled_from(UNITS),
        "from": st.sampled_from(("4609-其他收入:D05-县委政法委", "4201-上级补助收入:D02-民政局")),
        "amount": cents,
        "spent": st.integers(min_value=0, max_value=120),
    }
)


def _spending(head: str, unit: str, leaf: str, source: str, money: dict) -> list[str]:
    """A payment of ``money["spent"]`` % of ``money["amount"]`` from ``source`` (none if 0)."""
    spent = (money["amount"] * money["spent"] / 100).quantize(Decimal("0.01"))
    if not spent:
        return []
    return [
        head,
        f"  Expenses:{unit}-{NAMES[unit]}:{leaf}  {spent:.2f} CNY",
        f"  Assets:{unit}-{NAMES[unit]}:{source}  {-spent:.2f} CNY",
    ]


def random_books(opening, quotas, cash) -> str:
    lines = [HEAD]
    for unit in UNITS:
        for account in ACCOUNTS:
            code = account.split("-")[0]
            root = (
                "Expenses"
                if len(code) == 5
                else {"1": "Assets", "3": "Equity"}.get(code[0], "Income")
            )
            lines.append(f"2023-01-01 open {root}:{unit}-{NAMES[unit]}:{account}")
    for unit, (fiscal, other) in zip(UNITS, opening, strict=True):
        lines.append(
            f'2023-01-01 * "期初余额"\n  Assets:{unit}-{NAMES[unit]}:1201-财政应返还额度  {fiscal:.2f} CNY'
        )
        lines.append('    source: "财政拨款"\n    fund_type: "一般公共预算"')
        lines.append(f"  Assets:{unit}-{NAMES[unit]}:1002-银行存款  {other:.2f} CNY")
        lines.append(f"  Equity:{unit}-{NAMES[unit]}:3001-累计盈余")
    for i, q in enumerate(quotas):
        unit, y = q["unit"], q["year"]
        qid = f"ZB{y % 100}-{i:03d}"
        lines.append(f'{y}-01-05 custom "quota" "{qid}" "指标{i}" {q["amount"]:.2f} CNY')
        lines.append(f'  unit: "{unit}"\n  stream: "{q["stream"]}"\n  function: "{q["function"]}"')
        lines.append(f'  fund_type: "{q["fund"]}"\n  kind: "年初"')
        lines.append(f'{y}-01-05 * "县财政局" "下达指标"\n  quota: "{qid}"')
        lines.append(
            f"  Assets:{unit}-{NAMES[unit]}:1011-零余额账户用款额度  {q['amount']:.2f} CNY"
        )
        lines.append(f"  Income:{unit}-{NAMES[unit]}:4001-财政拨款收入")
        head = f'{y}-06-30 * "某公司" "支出"\n  quota: "{qid}"'
        lines += _spending(head, unit, q["leaf"], "1011-零余额账户用款额度", q)
    for c in cash:
        unit, y = c["unit"], c["year"]
        lines.append(f'{y}-03-01 * "部门" "转来经费"\n  stream: "职能"\n  function: "2080208"')
        lines.append(f"  Assets:{unit}-{NAMES[unit]}:1002-银行存款  {c['amount']:.2f} CNY")
        lines.append(f"  Income:{unit}-{NAMES[unit]}:{c['from']}")
        head = f'{y}-09-01 * "某公司" "支出"\n  stream: "职能"\n  function: "2080208"'
        lines += _spending(head, unit, "30201-办公费", "1002-银行存款", c)
    lines.append('2024-12-31 custom "department" "D99" "收尾"')
    return "\n".join(lines) + "\n"


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    opening=st.lists(st.tuples(cents, cents), min_size=2, max_size=2),
    quotas=st.lists(quota_st, max_size=5),
    cash=st.lists(cash_st, max_size=3),
)
def test_random_books_keep_every_identity(opening, quotas, cash) -> None:
    entries, errors, options = loader.load_string(random_books(opening, quotas, cash))
    assert not errors, errors
    analysis = analysis_for(entries, options, errors)
    ctx = context(analysis)
    for scope in scopes(analysis, None):
        before = None
        for year in (2023, 2024):
            # the books begin in 2023 with opening balances: its 决算 has no 2022 to compare
            # with (a draft, whose tables are the same)
            report = final_document(ctx, scope, year, draft=year == 2023)
            check_final(report, before, entries, scope.units)
            check_budget(budget_document(ctx, scope, year))
            before = report
    for year in (2023, 2024):
        check_county(ctx, UNITS, year, final=True, draft=year == 2023)
        for unit in UNITS:
            check_fiscal_execution(analysis, ctx, unit, year)
        # income by source straight from the entries
        for unit in UNITS:
            t1 = tables(final_document(ctx, Scope((unit,), unit), year, draft=year == 2023))["t1"]
            for code, label in (("4201", "四、上级补助收入"), ("4609", "八、其他收入")):
                exact = -sum(
                    (
                        p.units.number
                        for e in entries
                        if isinstance(e, data.Transaction) and e.date.year == year
                        for p in e.postings
                        if p.account.startswith(f"Income:{unit}-") and code_of(p.account) == code
                    ),
                    ZERO,
                )
                # the 非财政拨款 total is rounded first, its sources share it (尾差 ≤ 0.01)
                assert abs(money(t1, label, "in_amount") - wan(exact)) <= Decimal("0.01")


def test_budget_accounting_statements_tie(example) -> None:
    """预算收入支出表 差额 = 结转结余 本年变动; 年末 = 年初 + 变动 = 资金结存 (元)."""
    from sandao.reports.disclosure import accounting_report

    analysis, entries, ctx = example
    for scope in scopes(analysis, None):
        for year in (2024, 2025):
            a1, a2, a3 = accounting_report(ctx, scope, year).tables
            one = {r["item"].strip("\u3000"): r["current"] for r in a1.records()}
            two = [r["current"] for r in a2.records()]
            assert (
                one["三、本年预算收支差额"]
                == two[4]
                == one["一、本年预算收入"] - one["二、本年预算支出"]
            )
            assert two[7] == two[0] + two[3] + two[4]
            assert two[7] == cash_balance(entries, scope.units, datetime.date(year, 12, 31))
            assert two[8] == two[9] + two[10] and two[11] == two[12] + two[13] + two[14] + two[15]
            assert a3.total["end_carry"] + a3.total["end_surplus"] == two[8]
            assert a3.total["income"] - a3.total["spend"] == two[5]
