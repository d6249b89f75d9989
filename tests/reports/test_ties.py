"""Property test: on random books every report total ties to the ledger, to the fen.

The ledger's own figure is summed straight from Beancount's entries (not from the
resolver's posting table), so a resolver or builder slip cannot hide on both sides.
万元 tables must add up: every group row equals its children and the 合计 equals its
top-level rows; the rounded 合计 equals the exact total rounded half-up.
"""

from __future__ import annotations

import datetime
from decimal import ROUND_HALF_UP, Decimal

from beancount import loader
from beancount.core import data
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from testbooks import REPORT_BASE as BASE

from sandao.ledger import analysis_for
from sandao.reports.community import community_notice
from sandao.reports.execution import execution_report, quota_execution
from sandao.reports.model import MONEY, WAN
from sandao.reports.tasks import task_ledger_report, task_table

YEAR = 2025
UNITS = ("C101", "C102")
NAMES = {"C101": "城东社区服务中心", "C102": "城西社区服务中心"}
EXPENSE = {
    "C101": ("30101-基本工资", "30201-办公费", "30217-公务接待费", "30227-委托业务费"),
    "C102": ("30201-办公费",),
}
FUNCTIONS = ("2120101", "2120104", "2080299")

cents = st.integers(min_value=1, max_value=5_000_000_00).map(lambda c: Decimal(c) / 100)
days = st.integers(min_value=0, max_value=363).map(
    lambda d: datetime.date(YEAR, 1, 1) + datetime.timedelta(days=d)
)

quota_st = st.fixed_dictionaries(
    {
        "unit": st.sampled_from(UNITS),
        "function": st.sampled_from(FUNCTIONS),
        "economic": st.sampled_from(("301", "302", "310", None)),
        "kind": st.sampled_from(("年初", "追加", None)),
        "fund": st.sampled_from(("一般公共预算", "政府性基金", "国有资本经营")),
        "amount": cents,
        "adjust": st.one_of(
            st.none(), st.integers(-1_000_000, 1_000_000).map(lambda c: Decimal(c) / 100)
        ),
    }
)
spend_st = st.fixed_dictionaries(
    {
        "quota": st.integers(min_value=-1, max_value=5),
        "date": days,
        "leaf": st.integers(min_value=0, max_value=3),
        "amount": cents,
        "refund": st.booleans(),
        "community": st.sampled_from(("SQ01", "SQ02", None)),
    }
)
task_st = st.fixed_dictionaries(
    {
        "amount": cents,
        "transfers": st.lists(st.tuples(days, cents), max_size=3),
        "spends": st.lists(st.tuples(days, cents), max_size=3),
    }
)


def books(quotas, spends, tasks) -> str:
    lines = [BASE]
    for i, q in enumerate(quotas):
        qid = f"ZB25-{i + 1:04d}"
        lines.append(f'2025-01-05 custom "quota" "{qid}" "指标{i}" {q["amount"]:.2f} CNY')
        lines.append(f'  unit: "{q["unit"]}"\n  stream: "运转"\n  function: "{q["function"]}"')
        lines.append(f'  fund_type: "{q["fund"]}"\n  control: "warn"')
        if q["economic"]:
            lines.append(f'  economic: "{q["economic"]}"')
        if q["kind"]:
            lines.append(f'  kind: "{q["kind"]}"')
        if q["adjust"]:
            lines.append(f'2025-06-30 custom "quota-adjust" "{qid}" {q["adjust"]:.2f} CNY')
    for s in spends:
        quota = quotas[s["quota"]] if 0 <= s["quota"] < len(quotas) else None
        unit = quota["unit"] if quota else "C101"
        leaves = EXPENSE[unit]
        leaf = leaves[s["leaf"] % len(leaves)]
        amount = -s["amount"] if s["refund"] else s["amount"]
        lines.append(f'{s["date"]} * "某单位" "支出"')
        if quota:
            lines.append(f'  quota: "ZB25-{s["quota"] + 1:04d}"')
        else:
            lines.append('  stream: "运转"\n  function: "2120199"')
        if s["community"]:
            lines.append(f'  community: "{s["community"]}"')
        lines.append(f"  Expenses:{unit}-{NAMES[unit]}:{leaf}  {amount:.2f} CNY")
        lines.append(f"  Assets:{unit}-{NAMES[unit]}:1011-零余额账户用款额度")
    for i, t in enumerate(tasks):
        tid = f"T2025-{i + 1:03d}"
        lines.append(f'2025-01-02 custom "task" "{tid}" "任务{i}" {t["amount"]:.2f} CNY')
        lines.append('  department: "D05"\n  unit: "C101"\n  community: "SQ01"')
        lines.append("  due: 2025-06-30\n  end: 2025-12-31")
        for day, amount in t["transfers"]:
            lines.append(f'{day} * "县委政法委" "拨付" ^{tid}')
            lines.append(f"  Assets:C101-城东社区服务中心:1002-银行存款  {amount:.2f} CNY")
            lines.append("  Income:C101-城东社区服务中心:4609-其他收入:D05-县委政法委")
        for day, amount in t["spends"]:
            lines.append(f'{day} * "某公司" "任务支出" ^{tid}')
            lines.append(f"  Expenses:C101-城东社区服务中心:30227-委托业务费  {amount:.2f} CNY")
            lines.append("  Assets:C101-城东社区服务中心:1002-银行存款")
    lines.append('2025-12-31 custom "unit" "C199" "收尾"')
    return "\n".join(lines) + "\n"


def ledger_sum(entries, keep) -> Decimal:
    """Sum of posting amounts straight from Beancount's entries."""
    total = Decimal(0)
    for entry in entries:
        if isinstance(entry, data.Transaction):
            for posting in entry.postings:
                if keep(entry, posting):
                    total += posting.units.number
    return total


def half_up_wan(value: Decimal) -> Decimal:
    return (value / WAN).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def assert_adds_up(table) -> None:
    """Group rows equal their children; 合计 equals the top-level rows (per money column)."""
    rows = table.records()
    keys = [c.key for c in table.columns if c.kind == MONEY]
    if table.key in ("t1_summary", "t4_fiscal_summary"):
        for side in ("in_", "out_"):
            for key in [k for k in keys if k.startswith(side)]:
                values = [r[key] for r in rows if r[key] is not None]
                assert sum(values, Decimal(0)) == table.total[key], (table.title, key)
        return
    level = table.level
    for key in keys:
        top = [r[key] for r in rows if not level or r[level] == 0]
        assert sum(top, Decimal(0)) == table.total[key], (table.title, key)
        if level:
            for i, row in enumerate(rows):
                children = []
                for nxt in rows[i + 1 :]:
                    if nxt[level] <= row[level]:
                        break
                    if nxt[level] == row[level] + 1:
                        children.append(nxt[key])
                if children:
                    assert sum(children, Decimal(0)) == row[key], (table.title, row["code"], key)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    quotas=st.lists(quota_st, min_size=0, max_size=5),
    spends=st.lists(spend_st, max_size=12),
    tasks=st.lists(task_st, max_size=2),
)
def test_report_totals_tie_to_the_ledger(quotas, spends, tasks):
    entries, errors, options = loader.load_string(books(quotas, spends, tasks))
    assert not errors, errors
    analysis = analysis_for(entries, options, errors)
    in_year = lambda e: e.date.year == YEAR  # noqa: E731

    # Budget execution: spending charged to quotas.
    charged = ledger_sum(
        entries, lambda e, p: in_year(e) and p.account.startswith("Expenses:") and "quota" in e.meta
    )
    execution = quota_execution(analysis, YEAR)
    assert sum(execution["spent"], Decimal(0)) == charged
    report = {t.key: t for t in execution_report(analysis, YEAR).tables}
    assert report["by_unit"].total["spent"] == charged
    assert report["monthly"].total["total"] == charged
    everything = ledger_sum(entries, lambda e, p: in_year(e) and p.account.startswith("Expenses:"))
    assert charged + (report["unassigned"].total or {}).get("spent", Decimal(0)) == everything

    # The 决算 / 预算 documents have their own identity tests (test_disclosure.py).

    # Task ledger: received and spent straight from the linked postings.
    tasks_df = task_table(analysis)
    for rec in tasks_df.to_dict("records"):
        tid = rec["task"]
        got = -ledger_sum(
            entries, lambda e, p, t=tid: t in e.links and p.account.startswith("Income:")
        )
        used = ledger_sum(
            entries, lambda e, p, t=tid: t in e.links and p.account.startswith("Expenses:")
        )
        assert (rec["received"], rec["spent"]) == (got, used)
    departments = {t.key: t for t in task_ledger_report(analysis, YEAR).tables}["departments"]
    if len(tasks_df):
        assert departments.total["received"] == sum(tasks_df["received"], Decimal(0))

    # Community notice: the year to date of SQ01.
    notice = {t.key: t for t in community_notice(analysis, "SQ01", YEAR, 4).tables}
    community_spent = ledger_sum(
        entries,
        lambda e, p: (
            in_year(e)
            and p.account.startswith("Expenses:")
            and (
                e.meta.get("community") == "SQ01"
                or any(link.startswith("T2025-") for link in e.links)
            )
        ),
    )
    assert notice["spent"].total["ytd"] == community_spent
    assert sum((r["ytd"] for r in notice["spent"].records()), Decimal(0)) == community_spent
