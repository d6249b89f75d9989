"""社区财务公开 — the quarterly notice for a community's bulletin board (两栏).

Per community and quarter: for each stream 期初余额 + 本期收到 − 本期支出 = 期末余额 for the
community, the centre's 统筹 line and the centre's totals (:mod:`.community_money`), money
spent by use, every functional task of the community (department, amount due, received,
spent, balance), the large payments (≥ 10,000 yuan by default) with payee and purpose,
the standards the county pays by (quota metadata ``standard``/``old_standard``) and a
flow chart whose amounts are printed on it.
Everything printed here is public: individual payees are masked and account,
ID and phone numbers are removed from text (see :mod:`sandao.reports.privacy`).
The notice must fit one A4 page, so long lists print only their largest rows
(``Table.shown``) and say how many more the spreadsheet and open data carry.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sandao.ledger import Analysis
from sandao.ledger.glossary import STREAM
from sandao.reports.base import (
    Period,
    ReportKind,
    community_name,
    department_name,
    economic_names,
    income,
    per,
    quarter_period,
    received,
    spending,
    unit_name,
)
from sandao.reports.codes import economic_class
from sandao.reports.community_money import Line, centre_line, money_lines, streams_of
from sandao.reports.model import DATE, MONEY, ZERO, Column, Report, Table, dsum
from sandao.reports.privacy import public_payee, public_text

LARGE_PAYMENT = Decimal(10000)
MAX_USES = 6
MAX_PAYMENTS = 8
MAX_TASKS = 6
STREAM_SHORT = {"建设": "建设资金", "运转": "运转经费", "职能": "职能经费"}
#: The lead's figures: the 本社区合计 row's.
QUARTER_FIGURES = ("opening", "received", "arranged", "cut", "spent", "closing")
STREAM_WORDS = {"建设": "建设资金", "运转": "运转经费", "职能": "职能经费（部门随事转来）"}

NOTICE = ReportKind("community.html", True, "社区财务公开", "")  # subtitle: each notice's own


def _two_columns(label: str) -> list[Column]:
    return [
        Column("label", label),
        Column("quarter", "本季度", MONEY),
        Column("ytd", "本年累计", MONEY),
    ]


def _money_table(analysis: Analysis, community: str, unit: str | None, period: Period) -> Table:
    """一、资金收支: per stream the community's line, the centre's 统筹 line and its totals;
    the total row is the community's own (本社区合计)."""
    own: dict[str, Line] = {}
    rows = []
    if unit:
        lines = money_lines(analysis, unit, period)
        siblings = sorted(
            code for code, c in analysis.declarations.communities.items() if c.unit == unit
        )
        centre_name = unit_name(analysis, unit)
        for stream in streams_of(lines):
            mine = lines.get((community, stream), Line())
            own[stream] = mine
            centre = centre_line(lines, siblings, stream)
            total = lines.get((None, stream), Line())
            scopes = [
                ("本社区", mine, 0),
                ("服务中心统筹", centre, 1),
                (f"{centre_name}合计（含各社区）", total, 1),
            ]
            for label, line, level in scopes:
                rows.append(_money_row(stream, label, line, level, label == "服务中心统筹"))
    cols = [
        *Column.many(stream=STREAM, scope="范围"),
        *Column.many(MONEY, opening="期初余额", received="本期收到", arranged="其中中心安排"),
        *Column.many(MONEY, arranged_out="安排给各社区", cut="调减或退回"),
        *Column.many(MONEY, spent="本期支出", closing="期末余额"),
    ]
    mine_total = Line()
    for line in own.values():
        mine_total = mine_total.plus(line)
    return Table(
        "money",
        "一、资金收支（期初 + 收到 − 安排给各社区 − 调减或退回 − 支出 = 期末）",
        cols,
        rows,
        total={**_money_row("本社区合计", "", mine_total, 0, False), "scope": None},
        notes=[
            "本社区：挂在本社区的指标、任务、项目的钱；其中中心安排＝服务中心用统筹资金为本社区支付的钱。"
            "服务中心统筹：中心自己收到的钱，减去安排给各社区的钱，减去调减或退回（指标调减、退回部门的钱）"
            "和中心自己的支出，就是期末余额。"
        ],
    )


def _money_row(stream: str, scope: str, line: Line, level: int, centre: bool) -> dict:
    """A row of 一、资金收支: each amount with its own sign explained by its column."""
    return {
        "stream": STREAM_SHORT.get(stream, stream),
        "scope": scope,
        "opening": line.opening,
        "received": line.received,
        "arranged": line.arranged if level == 0 else None,
        "arranged_out": line.arranged_out if centre else None,
        "cut": line.cut,
        "spent": line.spent,
        "closing": line.closing,
        "level": level,
        # the centre's and the unit's lines print alike in each of its communities' notices
        "unit_wide": level == 1,
    }


def standards(analysis: Analysis, community: str, unit: str | None, year: int) -> list[str]:
    """Sentences from quota metadata ``standard``/``old_standard`` (居委会工作经费, 干部报酬).

    For a community: the unit's quotas without a community and the community's own; with
    ``community=None`` (a unit's budget text): all of the unit's quotas of the year.
    """
    out = []
    for quota in sorted(analysis.declarations.quotas.values(), key=lambda q: q.id):
        meta = quota.meta
        if quota.year != year or "standard" not in meta or quota.unit != unit:
            continue
        if community is not None and quota.community not in (None, community):
            continue
        name = quota.name.split("（")[0]
        text = f"{name}标准：{Decimal(meta['standard']):,.0f} {meta.get('standard_unit', '元')}"
        if "old_standard" in meta:
            year_text = f"{meta['old_standard_year']}年" if "old_standard_year" in meta else "原来"
            text += f"（{year_text}为 {Decimal(meta['old_standard']):,.0f} 元）"
        if text not in out:
            out.append(text)
    return out


def notice_key(year: int, quarter: int, community: str) -> str:
    """A notice's report key (and file name): ``community-2025Q3-SQ01``."""
    return f"community-{year}Q{quarter}-{community}"


def community_notice(
    analysis: Analysis,
    community: str,
    year: int,
    quarter: int,
    threshold: Decimal = LARGE_PAYMENT,
) -> Report:
    """The notice of one community for one quarter (figures in 元): the money table, where
    it was used, the tasks, the large payments, and the lead's and flow chart's figures."""
    period = quarter_period(year, quarter)
    ytd = Period(period.start.replace(month=1, day=1), period.end, f"{year}年")
    decl = analysis.declarations.communities.get(community)
    unit = decl.unit if decl else None
    money = _money_table(analysis, community, unit, period)
    sources = _sources(analysis, community, unit, ytd)
    uses = _Uses.of(analysis, community, period, ytd, threshold)
    spent = uses.table()
    tables = [
        money,
        spent,
        _tasks_table(analysis, community, period, ytd),
        _payments_table(uses.large, threshold),
    ]
    name = community_name(analysis, community)
    context = {
        "period": period.label,
        "community": name,
        "unit": unit_name(analysis, unit),
        "households": decl.households if decl else None,
        "per_household": per(spent.total["ytd"], decl.households if decl else None),
        **_flow_context(sources, uses.flows),
        # the lead says the 本社区合计 row's very figures
        "quarter": {k: money.total[k] for k in QUARTER_FIGURES},
        "standards": standards(analysis, community, unit, year),
        "year": year,
        "quarter_no": quarter,
        "code": community,
    }
    key = notice_key(year, quarter, community)
    # a quarter's figures are as of its end (Q1 → 03-31), or the books' date if not over
    as_of = min(period.end, analysis.as_of)
    return NOTICE.report(
        key, f"{name}财务公开", as_of, tables, context, subtitle=f"{name} {period.label}"
    )


def _sources(
    analysis: Analysis, community: str, unit: str | None, ytd: Period
) -> dict[tuple[str, str], Decimal]:
    """(where the money came from, stream) → received this year: the county's finance,
    each department, and the centre's money arranged for the community."""
    sources: dict[tuple[str, str], Decimal] = defaultdict(lambda: ZERO)
    for row in income(analysis, ytd, community):
        source = department_name(analysis, row.department) if row.department else "县财政"
        sources[(source, row.stream or "其他")] += received(row)
    ytd_lines = money_lines(analysis, unit, ytd) if unit else {}
    for (scope, stream), line in ytd_lines.items():
        if scope == community and line.arranged:
            sources[("服务中心安排", stream)] += line.arranged
    return sources


@dataclass
class _Uses:
    """The community's spending this quarter and this year: by use, by stream and economic
    class (the flow chart), and the payments at or above the threshold this quarter."""

    quarter: dict[str, Decimal]
    ytd: dict[str, Decimal]
    flows: dict[tuple[str, str], Decimal]
    large: list[Any]

    @classmethod
    def of(
        cls, analysis: Analysis, community: str, period: Period, ytd: Period, threshold: Decimal
    ) -> _Uses:
        names = economic_names(analysis)
        uses = cls(
            defaultdict(lambda: ZERO), defaultdict(lambda: ZERO), defaultdict(lambda: ZERO), []
        )
        for row in spending(analysis, ytd, community):
            use = names.get(row.economic or "", "") or "其他支出"
            uses.ytd[use] += row.amount
            uses.flows[(row.stream or "其他", economic_class(row.economic))] += row.amount
            if row.date >= period.start:
                uses.quarter[use] += row.amount
                if row.amount >= threshold:
                    uses.large.append(row)
        return uses

    def table(self) -> Table:
        """二、资金用在哪里: the largest uses this year, the rest in one line."""
        use_q, use_y = self.quarter, self.ytd
        ordered = sorted(use_y, key=lambda u: (-use_y[u], u))
        rows = [{"label": u, "quarter": use_q[u], "ytd": use_y[u]} for u in ordered[:MAX_USES]]
        rest = ordered[MAX_USES:]
        if rest:
            rows.append(
                {
                    "label": f"其他{len(rest)}项用途",
                    "quarter": dsum(use_q[u] for u in rest),
                    "ytd": dsum(use_y[u] for u in rest),
                }
            )
        total = {"label": "合计", "quarter": dsum(use_q.values()), "ytd": dsum(use_y.values())}
        return Table("spent", "二、资金用在哪里（本社区）", _two_columns("用途"), rows, total=total)


def _tasks_table(analysis: Analysis, community: str, period: Period, ytd: Period) -> Table:
    """三、部门交给社区的工作和经费: each functional task of the community active this year."""
    rows = []
    for fund in analysis.funding.values():
        task = fund.task
        if task.community != community or task.start > period.end or task.end < ytd.start:
            continue
        got, spent = fund.totals_by(period.end)
        rows.append(
            {
                "label": task.name,
                "department": department_name(analysis, task.department),
                "amount": task.amount_at(period.end),
                "received": got,
                "spent": spent,
                "balance": got - spent,
            }
        )
    cols = [
        *Column.many(label="工作任务", department="交办部门"),
        *Column.many(MONEY, amount="应拨", received="已到位", spent="已使用", balance="结余"),
    ]
    rows.sort(key=lambda r: (-r["amount"], r["label"]))
    money = ("amount", "received", "spent", "balance")
    return Table(
        "tasks",
        "三、部门交给社区的工作和经费（费随事转）",
        cols,
        rows,
        total={"label": "合计", **{k: dsum(r[k] for r in rows) for k in money}},
        shown=MAX_TASKS,
    )


def _payments_table(large: list[Any], threshold: Decimal) -> Table:
    """四、大额支出: this quarter's payments at or above the threshold, largest first."""
    large = sorted(large, key=lambda r: (-r.amount, r.date, r.txn))
    rows = [
        {
            "date": r.date,
            "payee": public_payee(r.payee, r.private_payee),
            "purpose": public_text(r.narration),
            "amount": r.amount,
        }
        for r in large
    ]
    cols = [
        Column("date", "日期", DATE),
        Column("payee", "收款方"),
        Column("purpose", "用途"),
        Column("amount", "金额", MONEY),
    ]
    notes = [f"本季度单笔 {threshold:,.0f} 元及以上的支出，按金额从大到小；个人收款人只显示姓氏。"]
    total = (
        {"date": "合计", "payee": f"共 {len(rows)} 笔", "amount": dsum(r["amount"] for r in rows)}
        if rows
        else None
    )
    return Table(
        "payments", "四、大额支出", cols, rows, total=total, notes=notes, shown=MAX_PAYMENTS
    )


def _flow_context(
    sources: dict[tuple[str, str], Decimal], flows: dict[tuple[str, str], Decimal]
) -> dict[str, Any]:
    """The notice's 钱从哪里来、用到哪里去: the sources, the flow chart's links, the flows."""
    return {
        "sources": [
            {"source": s, "stream": STREAM_WORDS.get(t, t), "amount": v}
            for (s, t), v in sorted(sources.items())
        ],
        "flow_links": [
            (f"1:{s}", f"2:{STREAM_SHORT.get(t, t)}", v) for (s, t), v in sorted(sources.items())
        ]
        + [(f"2:{STREAM_SHORT.get(s, s)}", f"3:{u}", v) for (s, u), v in sorted(flows.items())],
        "flows": [
            {"stream": STREAM_WORDS.get(s, s), "use": u, "amount": v}
            for (s, u), v in sorted(flows.items())
        ],
    }
