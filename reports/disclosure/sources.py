"""Where the disclosure numbers come from: one pass over the posting table, exact yuan.

disclosure-standard.md fixes the ledger → table mapping and this module is its only
implementation.  Per unit and year it gathers, on the budget (cash) basis:

- income by bucket (财政拨款 split by the quota's ``fund_type``, else 非财政拨款), source
  (the 政府会计制度 code of the income account) and function;
- spending by bucket (财政拨款 = charged to a quota, paid from 1011, or paid directly
  by the treasury against 4001), 基本/项目 class, function, economic code, the 项目
  it belongs to and its “三公” category;
- the opening 结转和结余 (first-day entries against 3001, split by ``source:``), the net
  往来 (cash moved to or from other balance-sheet accounts), the change of 资金结存,
  and 政府采购 by kind.

Money counts only when it enters or leaves a 资金结存 account (1001, 1002, 1011, 1021,
1201) in the same transaction, or when the treasury pays directly (Cr 4001, Dr spending).
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, NamedTuple

from sandao.ledger import Analysis
from sandao.ledger.accounts import gov_code_of
from sandao.ledger.model import Quota
from sandao.ledger.resolver import INCOME, SPENDING, Posting
from sandao.ledger.vocabulary import DEFAULT_FUND_TYPE, FUND_TYPES
from sandao.reports.disclosure.tableset import TableSet

ZERO = Decimal(0)
CASH_CODES = frozenset({"1001", "1002", "1011", "1021", "1201"})
DEFAULT_FUND = DEFAULT_FUND_TYPE
NON_FISCAL = "非财政拨款"
#: Buckets of 结转和结余: the three 财政拨款 fund types, then 非财政拨款.
BUCKETS: tuple[str, ...] = (*FUND_TYPES, NON_FISCAL)
FISCAL = "财政拨款"
BASIC, PROJECT = "基本支出", "项目支出"
#: Spending that is neither 基本 nor 项目 (表三's last three columns), by the
#: 政府会计制度 code of its expense account.
OPERATING, REMIT, SUBSIDY = "经营支出", "上缴上级支出", "对附属单位补助支出"
SPENDING_CLASSES: dict[str, str] = {"5201": OPERATING, "5401": REMIT, "5501": SUBSIDY}
#: ``budget_item`` values of Equity postings that feed 表一's two balance rows.
USE_BALANCE, DISTRIBUTION = "使用非财政拨款结余", "结余分配"

#: Income account code → 表一 income source.
INCOME_SOURCES: dict[str, str] = {
    "4001": FISCAL,
    "4201": "上级补助收入",
    "4101": "事业收入",
    "4401": "经营收入",
    "4301": "附属单位上缴收入",
    "4601": "非同级财政拨款收入",
    "4609": "其他收入",
}
OTHER_SOURCE = "其他收入"
SOURCES: tuple[str, ...] = (
    FISCAL,
    "上级补助收入",
    "事业收入",
    "经营收入",
    "附属单位上缴收入",
    OTHER_SOURCE,
    "非同级财政拨款收入",
)
#: 表一 / 表二 show 4601 非同级财政拨款收入 under 其他收入 (disclosure-standard.md).
PUBLISHED_SOURCE: dict[str, str] = {"非同级财政拨款收入": OTHER_SOURCE}

#: “三公”经费 categories: the ``three_public`` values accepted, and the economic codes.
THREE_PUBLIC: tuple[str, ...] = ("因公出国", "公务用车购置", "公务用车运行维护", "公务接待")
THREE_PUBLIC_CODES: dict[str, str] = {
    "30212": "因公出国",
    "31013": "公务用车购置",
    "30913": "公务用车购置",
    "30231": "公务用车运行维护",
    "30217": "公务接待",
}
PROCUREMENT_KINDS: tuple[str, ...] = ("货物", "工程", "服务")


def three_public_of(value: object) -> str | None:
    """The category a ``three_public`` value names (因公出国 / 公务用车购置 / … ), if any."""
    text = str(value or "").strip()
    for category in THREE_PUBLIC:
        if text.startswith(category) or (category == "因公出国" and text.startswith("出国")):
            return category
    if text in ("公务用车运行", "公务用车运行费", "运行维护"):
        return "公务用车运行维护"
    return None


class _QuotaInfo(NamedTuple):
    fund: str
    cls: str


def add_sums(totals: dict[Any, Decimal], more: dict[Any, Decimal]) -> None:
    """Add ``more``'s figures into ``totals``, key by key."""
    for key, value in more.items():
        totals[key] = totals.get(key, ZERO) + value


class SpendKey(NamedTuple):
    bucket: str
    cls: str
    function: str
    economic: str
    ref: str
    three: str


@dataclass
class Flows:
    """One unit's year on the budget basis, exact yuan."""

    #: (bucket, source, function) → income
    income: dict[tuple[str, str, str], Decimal] = field(
        default_factory=lambda: defaultdict(Decimal)
    )
    spend: dict[SpendKey, Decimal] = field(default_factory=lambda: defaultdict(Decimal))
    #: bucket → opening 结转和结余 entered this year (the books' first day)
    opening: dict[str, Decimal] = field(default_factory=lambda: defaultdict(Decimal))
    #: bucket → opening money declared ``carried: TRUE`` (预算 上年结转)
    carried: dict[str, Decimal] = field(default_factory=lambda: defaultdict(Decimal))
    #: net cash that came in from (+) or went out to (−) non-income, non-spending accounts
    wanglai: Decimal = ZERO
    #: change of the 资金结存 accounts' balance over the year (opening included)
    cash_change: Decimal = ZERO
    procurement: dict[str, Decimal] = field(default_factory=lambda: defaultdict(Decimal))
    #: task / project id → money received for it (what ended tasks and projects leave unspent)
    ref_income: dict[str, Decimal] = field(default_factory=lambda: defaultdict(Decimal))
    #: vehicles (1601 postings with ``vehicle:``) by use, and equipment ≥ 1,000,000 yuan
    #: (``asset: "设备"``) — counts added (or, negative, disposed of) this year
    vehicles: dict[str, Decimal] = field(default_factory=lambda: defaultdict(Decimal))
    equipment: Decimal = ZERO
    #: “三公” category → (团组/批次, 人次) from ``groups`` / ``persons`` on its payments
    three_counts: dict[str, tuple[Decimal, Decimal]] = field(default_factory=dict)
    #: (kind, atom key) → the posting rows it sums, with signed yuan (``--edition audit`` only)
    refs: dict[tuple[str, Any], list[tuple[int, Decimal]]] = field(default_factory=dict)
    #: bucket → 使用非财政拨款结余 (cash in from 3xxx) and 结余分配 (cash out to 3xxx)
    use_balance: dict[str, Decimal] = field(default_factory=lambda: defaultdict(Decimal))
    distribution: dict[str, Decimal] = field(default_factory=lambda: defaultdict(Decimal))

    def add(self, other: Flows) -> None:
        """Add another unit's flows (the county document is the sum of its units)."""
        sums = (
            "income", "spend", "opening", "carried", "procurement", "vehicles", "ref_income",
            "use_balance", "distribution",
        )  # fmt: skip
        for name in sums:
            add_sums(getattr(self, name), getattr(other, name))
        self.wanglai += other.wanglai
        self.cash_change += other.cash_change
        self.equipment += other.equipment
        for key, refs in other.refs.items():
            self.refs.setdefault(key, []).extend(refs)
        for category, (groups, persons) in other.three_counts.items():
            g, p = self.three_counts.get(category, (ZERO, ZERO))
            self.three_counts[category] = (g + groups, p + persons)


@dataclass
class Books:
    """Every unit's flows by year, plus what the 情况说明 reads beside them."""

    flows: dict[tuple[str, int], Flows]
    first_day: datetime.date | None
    last_day: datetime.date

    def years(self, unit: str) -> list[int]:
        return sorted(y for u, y in self.flows if u == unit)

    def get(self, unit: str, year: int) -> Flows:
        return self.flows.get((unit, year)) or Flows()

    def total(self, units: Iterable[str], year: int) -> Flows:
        out = Flows()
        for unit in units:
            out.add(self.get(unit, year))
        return out

    def opening_before(self, units: Iterable[str], year: int) -> dict[str, Decimal]:
        """年初结转和结余 of ``year`` by bucket: the opening entries plus every earlier year's
        income less spending (so 年初 (Y) = 年末 (Y−1) exactly, in yuan)."""
        units = set(units)
        out = {b: ZERO for b in BUCKETS}
        for (unit, y), flows in self.flows.items():
            if unit not in units or y > year:
                continue
            for bucket, value in flows.opening.items():
                out[bucket] += value
            if y == year:
                continue
            for bucket, value in flows.use_balance.items():
                out[bucket] += value
            for bucket, value in flows.distribution.items():
                out[bucket] -= value
            for (bucket, _, _), value in flows.income.items():
                out[bucket] += value
            for key, value in flows.spend.items():
                out[key.bucket] -= value
        return out

    def opening_refs(self, units: Iterable[str], year: int) -> dict[str, list[tuple[int, Decimal]]]:
        """The postings behind :meth:`opening_before`, by bucket (``--edition audit``)."""
        units = set(units)
        out: dict[str, list[tuple[int, Decimal]]] = {b: [] for b in BUCKETS}
        signs = {"opening": 1, "income": 1, "use": 1, "spend": -1, "dist": -1}
        for (unit, y), flows in self.flows.items():
            if unit not in units or y > year:
                continue
            for (kind, key), refs in flows.refs.items():
                if kind != "opening" and y == year:
                    continue
                bucket = (
                    key
                    if kind in ("opening", "use", "dist")
                    else key[0]
                    if kind == "income"
                    else key.bucket
                )
                out[bucket].extend((row, signs[kind] * amount) for row, amount in refs)
        return out

    def cash_at_end(self, units: Iterable[str], year: int) -> tuple[Decimal, Decimal]:
        """(资金结存 balance at the end of ``year``, net 往来 up to then), exact yuan."""
        units = set(units)
        cash = wanglai = ZERO
        for (unit, y), flows in self.flows.items():
            if unit in units and y <= year:
                cash += flows.cash_change
                wanglai += flows.wanglai
        return cash, wanglai


def quota_class(quota: Quota) -> str:
    """基本支出 / 项目支出 of a quota: its ``class``, else 运转 → 基本, the rest → 项目."""
    declared = str(quota.meta.get("class") or "").strip()
    if declared.startswith("基本"):
        return BASIC
    if declared.startswith("项目"):
        return PROJECT
    return BASIC if quota.stream == "运转" else PROJECT


def _bucket_of_opening(extra: dict[str, object] | None) -> str:
    if not extra or str(extra.get("source") or "").strip() != FISCAL:
        return NON_FISCAL
    fund = str(extra.get("fund_type") or DEFAULT_FUND).strip()
    return fund if fund in FUND_TYPES else DEFAULT_FUND


def _is_true(value: object) -> bool:
    return value is True or str(value).strip().upper() in ("TRUE", "是", "1")


def gather(analysis: Analysis, tables: TableSet, trace: bool = False) -> Books:
    """One pass over the posting table, a transaction at a time; with ``trace`` each
    finest figure also keeps the rows it sums (the auditor's edition)."""
    quotas = {
        qid: _QuotaInfo(q.fund_type if q.fund_type in FUND_TYPES else DEFAULT_FUND, quota_class(q))
        for qid, q in analysis.declarations.quotas.items()
    }
    extras = analysis.postings.extras
    rows = analysis.postings.rows
    flows: dict[tuple[str, int], Flows] = {}
    code_cache: dict[str, str | None] = {}
    first_day = rows[0].date if rows else None
    default_function = tables.default_function

    def code(account: str) -> str | None:
        found = code_cache.get(account, "?")
        if found == "?":
            found = code_cache[account] = gov_code_of(account)
        return found

    for row in rows:  # fill the cache once per account, so the pass below is a lookup
        if row.account not in code_cache:
            code_cache[row.account] = gov_code_of(row.account)

    def flows_of(unit: str, year: int) -> Flows:
        f = flows.get((unit, year))
        if f is None:
            f = flows[(unit, year)] = Flows()
        return f

    start = 0
    n = len(rows)
    while start < n:
        txn = rows[start].txn
        end = start + 1
        while end < n and rows[end].txn == txn:
            end += 1
        _transaction(
            rows[start:end],
            start if trace else None,
            extras.get(txn),
            quotas,
            code_cache,
            flows_of,
            first_day,
            default_function,
        )
        start = end
    return Books(flows, first_day, analysis.as_of)


def _note(f: Flows, base: int | None, kind: str, key: Any, index: int, amount: Decimal) -> None:
    """Keep posting ``base + index`` behind a finest figure (when tracing)."""
    if base is not None:
        f.refs.setdefault((kind, key), []).append((base + index, amount))


def _transaction(
    group: list[Posting],
    base: int | None,
    extra: dict[str, dict[str, object]] | None,
    quotas: dict[str, _QuotaInfo],
    codes: dict[str, str | None],
    flows_of,
    first_day: datetime.date | None,
    default_function,
) -> None:
    """One transaction's money on the budget basis, into its units' flows."""
    cash: dict[str, Decimal] = {}
    has_income = has_spending = fiscal = opening = False
    for row in group:
        c = codes[row.account]
        if c in CASH_CODES:
            cash[row.unit or ""] = cash.get(row.unit or "", ZERO) + row.amount
            fiscal = fiscal or c == "1011"
        elif row.role == INCOME:
            has_income = True
            fiscal = fiscal or c == "4001"
        elif row.role == SPENDING:
            has_spending = True
        elif c == "3001" and row.date == first_day:
            opening = True
    year = group[0].date.year
    if extra:
        _assets(group, extra, codes.get, flows_of, year)
    step = _Txn(base, extra or {}, quotas, codes, flows_of, year, default_function, fiscal)
    if opening:
        step.opening(group)
        return
    if not cash and not (has_income and has_spending):
        return  # neither money in nor out of 资金结存: 转固, depreciation, accruals
    for i, row in enumerate(group):
        if row.role == INCOME:
            step.income(i, row)
        elif row.role == SPENDING:
            step.spending(i, row)
        else:
            step.budget_item(i, row)
    for unit in cash.keys() | step.net.keys():
        moved = cash.get(unit, ZERO)
        f = flows_of(unit, year)
        f.cash_change += moved
        f.wanglai += moved - step.net.get(unit, ZERO)


class _Txn:
    """The steps of one transaction's pass: opening entries, income, spending, the
    Equity postings with a ``budget_item``; ``net`` is what each unit's income and
    spending moved (the rest of its cash movement is 往来)."""

    __slots__ = (
        "base", "codes", "default_function", "extra", "fiscal", "flows_of", "net",
        "procurement", "quotas", "txn_extra", "year",
    )  # fmt: skip

    def __init__(self, base, extra, quotas, codes, flows_of, year, default_function, fiscal):
        self.base, self.extra, self.quotas, self.codes = base, extra, quotas, codes
        self.flows_of, self.year, self.default_function = flows_of, year, default_function
        self.fiscal = fiscal  # paid from 1011 or directly by the treasury (Cr 4001)
        self.txn_extra = extra.get("") or {}
        self.procurement = str(self.txn_extra.get("procurement") or "").strip()
        self.net: dict[str, Decimal] = {}

    def opening(self, group: list[Posting]) -> None:
        """The books' first day against 3001: 年初结转和结余 by ``source:``."""
        for i, row in enumerate(group):
            if self.codes[row.account] not in CASH_CODES:
                continue
            meta = self.extra.get(row.account) or self.extra.get("")
            f = self.flows_of(row.unit or "", self.year)
            bucket = _bucket_of_opening(meta)
            f.opening[bucket] += row.amount
            _note(f, self.base, "opening", bucket, i, row.amount)
            f.cash_change += row.amount
            if meta and _is_true(meta.get("carried")):
                f.carried[bucket] += row.amount

    def _moved(self, unit: str, amount: Decimal) -> None:
        self.net[unit] = self.net.get(unit, ZERO) - amount

    def income(self, i: int, row: Posting) -> None:
        unit = row.unit or ""
        f = self.flows_of(unit, self.year)
        source = INCOME_SOURCES.get(self.codes[row.account] or "", OTHER_SOURCE)
        bucket = NON_FISCAL
        if source == FISCAL:
            quota = self.quotas.get(row.quota) if row.quota else None
            bucket = quota.fund if quota else DEFAULT_FUND
        key = (bucket, source, row.function or self.default_function(row.stream))
        f.income[key] -= row.amount
        _note(f, self.base, "income", key, i, -row.amount)
        ref = row.project or row.task
        if ref:
            f.ref_income[ref] -= row.amount
        self._moved(unit, row.amount)

    def _class(self, row: Posting, quota: _QuotaInfo | None) -> str:
        special = SPENDING_CLASSES.get(self.codes[row.account] or "")
        if special:
            return special
        if quota is not None and not (row.task or row.project):
            return quota.cls
        if row.task or row.project:
            return PROJECT
        return BASIC if row.stream == "运转" else PROJECT

    def spending(self, i: int, row: Posting) -> None:
        unit = row.unit or ""
        f = self.flows_of(unit, self.year)
        quota = self.quotas.get(row.quota) if row.quota else None
        bucket = NON_FISCAL
        if quota is not None or self.fiscal:
            bucket = quota.fund if quota else DEFAULT_FUND
        cls = self._class(row, quota)
        ref = (row.project or row.task or row.quota or "") if cls == PROJECT else ""
        economic = row.economic or ""
        meta = self.extra.get(row.account) or self.txn_extra
        three = three_public_of(meta.get("three_public")) if meta else None
        three = three or THREE_PUBLIC_CODES.get(economic, "")
        if three and bucket != NON_FISCAL and meta:
            _count_three(f, three, meta, row.amount)
        function = row.function or self.default_function(row.stream)
        key = SpendKey(bucket, cls, function, economic, ref, three)
        f.spend[key] += row.amount
        _note(f, self.base, "spend", key, i, row.amount)
        self._moved(unit, row.amount)
        if self.procurement in PROCUREMENT_KINDS:
            f.procurement[self.procurement] += row.amount

    def budget_item(self, i: int, row: Posting) -> None:
        item = _budget_item(row, self.codes[row.account], self.extra)
        if item is None:
            return
        unit = row.unit or ""
        f = self.flows_of(unit, self.year)
        if item == USE_BALANCE:
            f.use_balance[NON_FISCAL] -= row.amount
            _note(f, self.base, "use", NON_FISCAL, i, -row.amount)
        else:
            bucket = _bucket_of_opening(self.extra.get(row.account) or self.txn_extra)
            f.distribution[bucket] += row.amount
            _note(f, self.base, "dist", bucket, i, row.amount)
        self._moved(unit, row.amount)


def _count(value: object) -> Decimal:
    try:
        return Decimal(str(value)) if value is not None else ZERO
    except ArithmeticError:
        return ZERO


def _count_three(f: Flows, category: str, meta: dict[str, object], amount: Decimal) -> None:
    """团组/批次 and 人次 of a “三公” payment (a refund takes them back)."""
    groups, persons = _count(meta.get("groups")), _count(meta.get("persons"))
    if not (groups or persons):
        return
    sign = 1 if amount >= 0 else -1
    g, p = f.three_counts.get(category, (ZERO, ZERO))
    f.three_counts[category] = (g + sign * groups, p + sign * persons)


def _budget_item(row: Posting, code: str | None, extra) -> str | None:
    """使用非财政拨款结余 / 结余分配 for an Equity (3xxx) posting that says so."""
    if not code or not code.startswith("3") or not extra:
        return None
    meta = extra.get(row.account) or extra.get("") or {}
    item = str(meta.get("budget_item") or "").strip()
    return item if item in (USE_BALANCE, DISTRIBUTION) else None


EQUIPMENT_FLOOR = Decimal(1000000)


def _assets(group: list[Posting], extra, code, flows_of, year: int) -> None:
    """Vehicles and large equipment entering (or leaving) 1601 固定资产."""
    for row in group:
        meta = extra.get(row.account)
        if not meta or code(row.account) != "1601":
            continue
        sign = 1 if row.amount > 0 else -1
        try:
            count = Decimal(str(meta.get("quantity") or 1))
        except ArithmeticError:
            count = Decimal(1)
        f = flows_of(row.unit or "", year)
        if meta.get("vehicle") or str(meta.get("asset") or "").strip() == "车辆":
            f.vehicles[str(meta.get("vehicle") or "其他用车").strip()] += sign * count
        elif (
            str(meta.get("asset") or "").strip() == "设备"
            and abs(row.amount) >= EQUIPMENT_FLOOR * count
        ):
            f.equipment += sign * count
