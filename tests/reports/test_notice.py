"""The community notice ties: per stream 期初余额 + 本期收到 − 本期支出 = 期末余额 on every line,
one quarter's closing is the next quarter's opening, and a unit's community lines plus its
服务中心统筹 line equal the unit's totals — on the example county and on random books, where
the unit's totals are also summed straight from Beancount's entries."""

from __future__ import annotations

import datetime
from decimal import Decimal

from beancount import loader
from beancount.core import data
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from testbooks import REPORT_BASE as BASE

from sandao.ledger import analysis_for
from sandao.reports.community import community_notice

QUARTERS = [(2024, q) for q in (1, 2, 3, 4)] + [(2025, q) for q in (1, 2, 3)]


def lines(report) -> dict[tuple[str, str], dict]:
    """(stream, scope) → row of the notice's money table; scope 本社区 / 统筹 / 合计."""
    out = {}
    for row in report.tables[0].records():
        scope = row["scope"]
        key = "合计" if scope.endswith("（含各社区）") else "统筹" if "统筹" in scope else scope
        out[(row["stream"], key)] = row
    return out


def inflow(row: dict) -> Decimal:
    """本期收到 − 安排给各社区 − 调减或退回 (the last two blank where they do not apply)."""
    return row["received"] - (row["arranged_out"] or 0) - (row["cut"] or 0)


def check_notices(analysis, communities_of: dict[str, list[str]], quarters) -> None:
    previous: dict[str, dict] = {}
    for year, quarter in quarters:
        for unit, communities in communities_of.items():
            notices = {c: lines(community_notice(analysis, c, year, quarter)) for c in communities}
            for c, rows in notices.items():
                for key, row in rows.items():
                    assert row["opening"] + inflow(row) - row["spent"] == row["closing"], (
                        c,
                        year,
                        quarter,
                        key,
                    )
                    if key in previous.get(c, {}):
                        assert previous[c][key]["closing"] == row["opening"], (
                            c,
                            year,
                            quarter,
                            key,
                        )
                previous[c] = rows
            first = notices[communities[0]]
            for stream, _ in [k for k in first if k[1] == "合计"]:
                total, centre = first[(stream, "合计")], first[(stream, "统筹")]
                for field in ("opening", "received", "spent", "closing", "cut"):
                    mine = sum(notices[c][(stream, "本社区")][field] for c in communities)
                    if field == "received":  # the centre's own, and what it arranged for them
                        mine -= centre["arranged_out"]
                    assert mine + centre[field] == total[field], (unit, year, quarter, stream)
                for c in communities:  # every notice of the unit prints the same centre lines
                    assert notices[c][(stream, "合计")] == total
                    assert notices[c][(stream, "统筹")] == centre


def test_example_notices_tie_for_every_community_and_quarter(example):
    units: dict[str, list[str]] = {}
    for code, c in sorted(example.declarations.communities.items()):
        units.setdefault(c.unit, []).append(code)
    check_notices(example, units, QUARTERS)


def test_example_communities_never_go_negative_and_the_lead_uses_the_table(example):
    for year, quarter in QUARTERS:
        for community in ("SQ01", "SQ02", "SQ03", "SQ04"):
            report = community_notice(example, community, year, quarter)
            for (stream, scope), row in lines(report).items():
                if scope == "本社区":
                    assert row["closing"] >= 0, (community, year, quarter, stream)
            total = report.tables[0].total
            assert report.context["quarter"]["received"] == total["received"]
            assert report.context["quarter"]["closing"] == total["closing"]


def test_centre_money_spent_for_a_community_shows_as_received(example):
    # P2025-01 (凤凰) is paid from ZB25-0201, a construction quota the centre received
    # for no community: the community's line shows it as 中心安排 received.
    rows = lines(community_notice(example, "SQ03", 2025, 3))
    build = rows[("建设资金", "本社区")]
    assert build["arranged"] == build["received"] == build["spent"] == Decimal("466800.00")
    centre = rows[("建设资金", "统筹")]
    assert centre["arranged_out"] == build["arranged"] and centre["received"] >= 0


def test_no_negative_received_on_any_example_notice_or_kiosk_page(example):
    """本期收到 (and 安排给各社区, 调减或退回) never below zero: the centre's money arranged for
    its communities and money taken back each have a column (reports.md)."""
    for year, quarter in QUARTERS:
        for community in ("SQ01", "SQ02", "SQ03", "SQ04"):
            report = community_notice(example, community, year, quarter)
            for row in [*report.tables[0].records(), report.tables[0].total]:
                for key in ("received", "arranged_out", "cut"):
                    assert (row[key] or 0) >= 0, (community, year, quarter, row, key)
            assert report.context["quarter"]["received"] >= 0


def test_each_quarter_is_dated_at_its_end(example):
    """Q1's notice says 数据截至 03-31, not the books' 09-30; the current quarter the books'."""
    from sandao.reports.html import environment, render_report

    for (year, quarter), day in {
        (2025, 1): "2025-03-31",
        (2024, 4): "2024-12-31",
        (2025, 3): "2025-09-30",
    }.items():
        report = community_notice(example, "SQ01", year, quarter)
        assert report.as_of.isoformat() == day
        assert f"数据截至 {day}" in render_report(environment(), report)


# ---------------------------------------------------------------- random books
EXTRA = """\
2024-01-01 custom "community" "SQ03" "凤凰社区"
  unit: "C101"
2024-01-01 custom "task" "T2025-001" "平安示范社区建设" 50000.00 CNY
  department: "D05"
  unit: "C101"
  community: "SQ03"
  due: 2025-12-31
  end: 2025-12-31
  function: "2040199"
"""
COMMUNITY = st.sampled_from([None, "SQ01", "SQ03"])
cents = st.integers(min_value=1, max_value=2_000_000).map(lambda c: Decimal(c) / 100)
days = st.integers(min_value=0, max_value=364).map(
    lambda d: datetime.date(2025, 1, 1) + datetime.timedelta(days=d)
)
quota_st = st.fixed_dictionaries(
    {"community": COMMUNITY, "stream": st.sampled_from(["运转", "建设"]), "amount": cents}
)
spend_st = st.fixed_dictionaries(
    {"quota": st.integers(0, 3), "community": COMMUNITY, "date": days, "amount": cents}
)
task_st = st.fixed_dictionaries(
    {"date": days, "amount": cents, "spend": st.booleans(), "community": COMMUNITY}
)


def random_books(opening, quotas, spends, moves) -> str:
    out = [BASE, EXTRA]
    if opening:
        out.append(
            '2024-12-31 * "期初余额" "上年结余"\n'
            f'  Assets:C101-城东社区服务中心:1002-银行存款  {opening:.2f} CNY\n    stream: "运转"\n'
            "  Equity:C101-城东社区服务中心:3001-累计盈余\n"
        )
    for i, q in enumerate(quotas):
        economic = "302" if q["stream"] == "运转" else "310"
        account = "YZ-运转经费" if q["stream"] == "运转" else "JS-建设资金"
        comm = f'  community: "{q["community"]}"\n' if q["community"] else ""
        out.append(
            f'2025-01-10 custom "quota" "ZB25-{i:04d}" "指标{i}" {q["amount"]:.2f} CNY\n'
            f'  unit: "C101"\n  stream: "{q["stream"]}"\n  function: "2120101"\n'
            f'  economic: "{economic}"\n  control: "warn"\n{comm}'
            f'2025-01-10 * "县财政局" "指标到账"\n  quota: "ZB25-{i:04d}"\n'
            f"  Assets:C101-城东社区服务中心:1011-零余额账户用款额度  {q['amount']:.2f} CNY\n"
            f"  Income:C101-城东社区服务中心:4001-财政拨款收入:{account}\n"
        )
    for s in spends:
        if not quotas:
            break
        q = s["quota"] % len(quotas)
        leaf = "30201-办公费" if quotas[q]["stream"] == "运转" else "30227-委托业务费"
        comm = f'  community: "{s["community"]}"\n' if s["community"] else ""
        out.append(
            f'{s["date"]} * "县文具店" "支出"\n  quota: "ZB25-{q:04d}"\n{comm}'
            f"  Expenses:C101-城东社区服务中心:{leaf}  {s['amount']:.2f} CNY\n"
            "  Assets:C101-城东社区服务中心:1011-零余额账户用款额度\n"
        )
    for m in moves:
        if m["spend"]:
            comm = f'  community: "{m["community"]}"\n' if m["community"] else ""
            out.append(
                f'{m["date"]} * "县文具店" "任务支出" ^T2025-001\n{comm}'
                f"  Expenses:C101-城东社区服务中心:30227-委托业务费  {m['amount']:.2f} CNY\n"
                "  Assets:C101-城东社区服务中心:1002-银行存款\n"
            )
        else:
            out.append(
                f'{m["date"]} * "县委政法委" "任务经费" ^T2025-001\n'
                f"  Assets:C101-城东社区服务中心:1002-银行存款  {m['amount']:.2f} CNY\n"
                "  Income:C101-城东社区服务中心:4001-财政拨款收入:D05-县委政法委\n"
            )
    return "\n".join(out)


def ledger_balance(entries, end: datetime.date) -> Decimal:
    """C101's money to the end of ``end``: cash brought in against equity + income − spending."""
    total = Decimal(0)
    for entry in entries:
        if not isinstance(entry, data.Transaction) or entry.date > end:
            continue
        equity = any(p.account.startswith("Equity:") for p in entry.postings)
        for p in entry.postings:
            if not p.account.split(":")[1].startswith("C101"):
                continue
            if p.account.startswith(("Income:", "Expenses:")):
                total -= p.units.number
            elif equity and p.account.startswith("Assets:"):
                total += p.units.number
    return total


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    opening=st.one_of(st.none(), cents),
    quotas=st.lists(quota_st, max_size=3),
    spends=st.lists(spend_st, max_size=8),
    moves=st.lists(task_st, max_size=4),
)
def test_random_books_notices_tie(opening, quotas, spends, moves):
    entries, errors, options = loader.load_string(random_books(opening, quotas, spends, moves))
    assert not [e for e in errors if "Balance" in type(e).__name__], errors
    analysis = analysis_for(entries, options, errors, as_of=datetime.date(2025, 12, 31))
    quarters = [(2025, q) for q in (1, 2, 3, 4)]
    check_notices(analysis, {"C101": ["SQ01", "SQ03"]}, quarters)
    for year, quarter in quarters:
        rows = lines(community_notice(analysis, "SQ01", year, quarter))
        closing = sum(r["closing"] for (_, scope), r in rows.items() if scope == "合计")
        end = datetime.date(year, 3 * quarter, 28)
        end = (end.replace(day=1) + datetime.timedelta(days=32)).replace(
            day=1
        ) - datetime.timedelta(days=1)
        assert closing == ledger_balance(entries, end), (year, quarter)
