"""社区财务公开 — the quarterly notice for a community's bulletin board (两栏).

Per community and quarter: money received by stream, money spent by use, every
functional task of the community (department, amount due, received, spent,
balance) and the large payments (≥ 10,000 yuan by default) with payee and purpose.
Everything printed here is public: individual payees are masked and account,
ID and phone numbers are removed from text (see :mod:`sandao.reports.privacy`).
The notice must fit one A4 page, so long lists print only their largest rows
(``Table.shown``) and say how many more the spreadsheet and open data carry.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from sandao.ledger import Analysis
from sandao.reports.base import (
    Period,
    community_name,
    department_name,
    economic_names,
    income,
    quarter_period,
    received,
    spending,
    unit_name,
)
from sandao.reports.codes import economic_class
from sandao.reports.model import (
    DATE,
    MONEY,
    ZERO,
    Column,
    Report,
    Table,
    dsum,
    frame,
    rate,
)
from sandao.reports.privacy import public_payee, public_text
from sandao.reports.tasks import _as_of

LARGE_PAYMENT = Decimal(10000)
MAX_USES = 8
MAX_PAYMENTS = 10
MAX_TASKS = 8
STREAM_SHORT = {"建设": "建设资金", "运转": "运转经费", "职能": "职能经费"}
STREAM_WORDS = {"建设": "建设资金", "运转": "运转经费", "职能": "职能经费（部门随事转来）"}


def _two_columns(label: str) -> list[Column]:
    return [
        Column("label", label),
        Column("quarter", "本季度", MONEY),
        Column("ytd", "本年累计", MONEY),
    ]


def community_notice(
    analysis: Analysis,
    community: str,
    year: int,
    quarter: int,
    threshold: Decimal = LARGE_PAYMENT,
) -> Report:
    """The notice of one community for one quarter (figures in 元)."""
    period = quarter_period(year, quarter)
    ytd = Period(period.start.replace(month=1, day=1), period.end, f"{year}年")
    names = economic_names(analysis)
    got_q: dict[str, Decimal] = defaultdict(lambda: ZERO)
    got_y: dict[str, Decimal] = defaultdict(lambda: ZERO)
    sources: dict[tuple[str, str], Decimal] = defaultdict(lambda: ZERO)
    for row in income(analysis, ytd, community):
        stream = row.stream or "其他"
        got_y[stream] += received(row)
        if row.date >= period.start:
            got_q[stream] += received(row)
        source = department_name(analysis, row.department) if row.department else "县财政"
        sources[(source, stream)] += received(row)
    use_q: dict[str, Decimal] = defaultdict(lambda: ZERO)
    use_y: dict[str, Decimal] = defaultdict(lambda: ZERO)
    flows: dict[tuple[str, str], Decimal] = defaultdict(lambda: ZERO)
    large = []
    for row in spending(analysis, ytd, community):
        use = names.get(row.economic or "", "") or "其他支出"
        use_y[use] += row.amount
        flows[(row.stream or "其他", economic_class(row.economic))] += row.amount
        if row.date >= period.start:
            use_q[use] += row.amount
            if row.amount >= threshold:
                large.append(row)
    streams = sorted(
        set(got_y),
        key=lambda s: (
            ("建设", "运转", "职能", "其他").index(s)
            if s in ("建设", "运转", "职能", "其他")
            else 9
        ),
    )
    recv_rows = [
        {"label": STREAM_WORDS.get(s, s), "quarter": got_q[s], "ytd": got_y[s]} for s in streams
    ]
    cols = _two_columns("资金来源")
    recv = Table(
        "received",
        "一、收到的资金",
        cols,
        frame(recv_rows, cols),
        total={"label": "合计", "quarter": dsum(got_q.values()), "ytd": dsum(got_y.values())},
    )
    ordered = sorted(use_y, key=lambda u: (-use_y[u], u))
    use_rows = [{"label": u, "quarter": use_q[u], "ytd": use_y[u]} for u in ordered[:MAX_USES]]
    rest = ordered[MAX_USES:]
    if rest:
        use_rows.append(
            {
                "label": f"其他{len(rest)}项用途",
                "quarter": dsum(use_q[u] for u in rest),
                "ytd": dsum(use_y[u] for u in rest),
            }
        )
    cols = _two_columns("用途")
    used = Table(
        "spent",
        "二、资金用在哪里",
        cols,
        frame(use_rows, cols),
        total={"label": "合计", "quarter": dsum(use_q.values()), "ytd": dsum(use_y.values())},
    )
    task_rows = []
    for fund in analysis.funding.values():
        task = fund.task
        if task.community != community or task.start > period.end or task.end < ytd.start:
            continue
        got, spent = _as_of(fund, period.end)
        task_rows.append(
            {
                "label": task.name,
                "department": department_name(analysis, task.department),
                "amount": task.amount_at(period.end),
                "received": got,
                "spent": spent,
                "balance": got - spent,
            }
        )
    task_cols = [
        Column("label", "工作任务"),
        Column("department", "交办部门"),
        Column("amount", "应拨", MONEY),
        Column("received", "已到位", MONEY),
        Column("spent", "已使用", MONEY),
        Column("balance", "结余", MONEY),
    ]
    task_rows.sort(key=lambda r: (-r["amount"], r["label"]))
    tframe = frame(task_rows, task_cols)
    tasks = Table(
        "tasks",
        "三、部门交给社区的工作和经费（费随事转）",
        task_cols,
        tframe,
        total={
            "label": "合计",
            **{k: dsum(tframe[k]) for k in ("amount", "received", "spent", "balance")},
        },
        shown=MAX_TASKS,
    )
    large.sort(key=lambda r: (-r.amount, r.date, r.txn))
    pay_rows = [
        {
            "date": r.date,
            "payee": public_payee(r.payee, r.private_payee),
            "purpose": public_text(r.narration),
            "amount": r.amount,
        }
        for r in large
    ]
    pay_cols = [
        Column("date", "日期", DATE),
        Column("payee", "收款方"),
        Column("purpose", "用途"),
        Column("amount", "金额", MONEY),
    ]
    notes = [f"本季度单笔 {threshold:,.0f} 元及以上的支出，按金额从大到小；个人收款人只显示姓氏。"]
    pframe = frame(pay_rows, pay_cols)
    payments = Table(
        "payments",
        "四、大额支出",
        pay_cols,
        pframe,
        total={"date": "合计", "payee": f"共 {len(pay_rows)} 笔", "amount": dsum(pframe["amount"])}
        if pay_rows
        else None,
        notes=notes,
        shown=MAX_PAYMENTS,
    )
    decl = analysis.declarations.communities.get(community)
    households = decl.households if decl else None
    spent_ytd = dsum(use_y.values())
    unit = decl.unit if decl else None
    return Report(
        key=f"community-{year}Q{quarter}-{community}",
        template="community.html",
        title=f"{community_name(analysis, community)}财务公开",
        public=True,
        as_of=analysis.as_of,
        tables=[recv, used, tasks, payments],
        context={
            "period": period.label,
            "community": community_name(analysis, community),
            "unit": unit_name(analysis, unit),
            "households": households,
            "per_household": (spent_ytd / households).quantize(Decimal("0.01"))
            if households
            else None,
            "sources": [
                {"source": s, "stream": STREAM_WORDS.get(t, t), "amount": v}
                for (s, t), v in sorted(sources.items())
            ],
            "flow_links": [
                (f"1:{s}", f"2:{STREAM_SHORT.get(t, t)}", v)
                for (s, t), v in sorted(sources.items())
            ]
            + [(f"2:{STREAM_SHORT.get(s, s)}", f"3:{u}", v) for (s, u), v in sorted(flows.items())],
            "flows": [
                {"stream": STREAM_WORDS.get(s, s), "use": u, "amount": v}
                for (s, u), v in sorted(flows.items())
            ],
            "spent_rate": rate(spent_ytd, dsum(got_y.values())),
        },
        group="社区财务公开",
        subtitle=f"{community_name(analysis, community)} {period.label}",
    )
