"""The money of a community, stream by stream: 期初余额 + 本期收到 − 调减或退回 − 本期支出 = 期末余额
(the centre's 统筹 line also − 安排给各社区).

The notice and the kiosk read these lines; nothing else computes them.  Money belongs to a
community through its quota, task or project (``community:`` on the declaration, or on
the posting).  Money the service centre spends for a community out of unit-level money
(a spending posting with that community charged to a quota, task or project that came in
for no community — e.g. a construction quota without ``community:``) shows on
the community's line as 中心安排 received, equal to that spending, so a community's balance
never goes negative on the centre's account.  The centre's 统筹 line is the unit's
totals minus its communities' lines, so every figure ties.  Opening balances (cash
brought in against equity, e.g. 期初余额) carry ``stream:`` and count before the first day.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from sandao.ledger import Analysis
from sandao.ledger.resolver import INCOME, OTHER, SPENDING, Posting
from sandao.ledger.vocabulary import STREAMS
from sandao.reports.base import Period, _memo
from sandao.reports.provenance import total

ZERO = Decimal(0)
OTHER_STREAM = "其他"
#: 资金结存 accounts: cash brought in against equity is an opening balance.
CASH_CODES = frozenset({"1001", "1002", "1011", "1021", "1201"})


@dataclass(frozen=True)
class Event:
    """One movement of a unit's money: who it belongs to and what it is."""

    date: datetime.date
    unit: str
    stream: str
    community: str | None
    received: Decimal
    arranged: Decimal  # 中心安排: centre money spent for the community (also in ``spent``)
    spent: Decimal
    opening: bool


@dataclass
class Line:
    """One line of the notice: a stream's money for a community, the centre or the unit.

    ``received`` never goes negative: money taken back (a quota cut, money returned:
    income below zero) is ``cut`` (调减或退回).  On a community's line ``arranged`` is the
    part of ``received`` the centre paid for it (其中中心安排); on the centre's 统筹 line
    ``arranged_out`` is what the centre arranged for its communities (安排给各社区)."""

    opening: Decimal = ZERO
    received: Decimal = ZERO
    arranged: Decimal = ZERO
    spent: Decimal = ZERO
    cut: Decimal = ZERO
    arranged_out: Decimal = ZERO

    @property
    def closing(self) -> Decimal:
        return self.opening + self.received - self.arranged_out - self.cut - self.spent

    def plus(self, other: Line) -> Line:
        return Line(
            self.opening + other.opening,
            self.received + other.received,
            self.arranged + other.arranged,
            self.spent + other.spent,
            self.cut + other.cut,
            self.arranged_out + other.arranged_out,
        )


def _leaf_code(account: str) -> str:
    return account.rsplit(":", 1)[-1].split("-", 1)[0]


def _source_community(analysis: Analysis, row: Posting) -> str | None:
    """The community the spent money came in for: the quota's (or its task's) when the
    spending is charged to a quota, else the task's, else the project's."""
    decl = analysis.declarations
    quota = decl.quotas.get(row.quota) if row.quota else None
    if quota is not None:
        if quota.community:
            return quota.community
        task = decl.tasks.get(quota.task) if quota.task else None
        return task.community if task is not None else None
    task = decl.tasks.get(row.task) if row.task else None
    if task is not None:
        return task.community
    project = decl.projects.get(row.project) if row.project else None
    return project.community if project is not None else None


def _events_by_unit(analysis: Analysis) -> dict[str, list[Event]]:
    """Every income, spending and opening-balance movement grouped by unit (each list in
    date order), built once per analysis."""

    def build() -> dict[str, list[Event]]:
        grouped: dict[str, list[Event]] = defaultdict(list)
        for e in _events(analysis):
            grouped[e.unit].append(e)
        return dict(grouped)

    return _memo(analysis, "community_money_by_unit", build)


def _events(analysis: Analysis) -> list[Event]:
    rows = analysis.postings.rows
    with_equity = {r.txn for r in rows if r.role == OTHER and r.account.startswith("Equity:")}
    events: list[Event] = []
    for row in rows:
        if not row.unit:
            continue
        stream = row.stream if row.stream in STREAMS else OTHER_STREAM
        if row.role == INCOME:
            events.append(
                Event(row.date, row.unit, stream, row.community, -row.amount, ZERO, ZERO, False)
            )
        elif row.role == SPENDING:
            own = row.community is None or _source_community(analysis, row) == row.community
            arranged = ZERO if own else row.amount
            events.append(
                Event(row.date, row.unit, stream, row.community, ZERO, arranged, row.amount, False)
            )
        elif (
            row.role == OTHER
            and row.txn in with_equity
            and row.account.startswith("Assets:")
            and _leaf_code(row.account) in CASH_CODES
        ):
            events.append(
                Event(row.date, row.unit, stream, row.community, row.amount, ZERO, ZERO, True)
            )
    events.sort(key=lambda e: e.date)
    return events


def money_lines(
    analysis: Analysis, unit: str, period: Period
) -> dict[tuple[str | None, str], Line]:
    """(community or None for the unit's totals, stream) → its line for ``period``.

    Community lines count the events with that community (its own money, plus 中心安排
    received for centre money spent on it); the unit's line counts all of the unit's money.
    """
    cache: dict[tuple[str, Period], dict[tuple[str | None, str], Line]]
    cache = _memo(analysis, "community_money_lines", dict)
    key = (unit, period)
    if key not in cache:
        cache[key] = _lines(_events_by_unit(analysis).get(unit, []), period)
    return dict(cache[key])


def _lines(events: list[Event], period: Period) -> dict[tuple[str | None, str], Line]:
    terms: dict[tuple[str | None, str], _Terms] = defaultdict(_Terms)
    for e in events:
        if e.date > period.end:
            break
        before = e.date < period.start or (e.opening and e.date == period.start)
        scopes = (None, e.community) if e.community else (None,)
        for scope in scopes:
            # what the scope got: the unit's own income; a community's also 中心安排
            got = (e.received, e.arranged) if scope is not None else (e.received,)
            line = terms[(scope, e.stream)]
            if before:
                line.opening.extend(got)
                line.opening_out.append(e.spent)
            else:
                if sum(got, ZERO) < 0:  # money taken back: a quota cut, money returned
                    line.cut.extend(got)
                else:
                    line.received.extend(got)
                line.spent.append(e.spent)
                if scope is not None:
                    line.arranged.append(e.arranged)
    return {key: line.line() for key, line in terms.items()}


@dataclass
class _Terms:
    """The amounts a :class:`Line` adds, each kept (so a traced line names every posting
    in one step: :func:`~sandao.reports.provenance.total`)."""

    opening: list[Decimal] = field(default_factory=list)
    opening_out: list[Decimal] = field(default_factory=list)
    received: list[Decimal] = field(default_factory=list)
    arranged: list[Decimal] = field(default_factory=list)
    spent: list[Decimal] = field(default_factory=list)
    cut: list[Decimal] = field(default_factory=list)

    def line(self) -> Line:
        def nonzero(terms: list[Decimal]) -> list[Decimal]:
            return [t for t in terms if t]

        return Line(
            opening=total(nonzero(self.opening), nonzero(self.opening_out)),
            received=total(nonzero(self.received)),
            arranged=total(nonzero(self.arranged)),
            spent=total(nonzero(self.spent)),
            cut=total((), nonzero(self.cut)),
        )


def streams_of(lines: dict[tuple[str | None, str], Line]) -> list[str]:
    """The three streams, plus 其他 when some money has no stream."""
    extra = [OTHER_STREAM] if any(s == OTHER_STREAM for _, s in lines) else []
    return list(STREAMS) + extra


def centre_line(
    lines: dict[tuple[str | None, str], Line], communities: list[str], stream: str
) -> Line:
    """服务中心统筹 = the unit's totals − Σ its communities' lines, the money the centre
    arranged for its communities in a column of its own (安排给各社区), so its 本期收到 is
    what it received itself and never negative."""
    total = lines.get((None, stream), Line())
    mine = Line()
    for c in communities:
        mine = mine.plus(lines.get((c, stream), Line()))
    return Line(
        opening=total.opening - mine.opening,
        received=total.received - (mine.received - mine.arranged),
        spent=total.spent - mine.spent,
        cut=total.cut - mine.cut,
        arranged_out=mine.arranged,
    )
