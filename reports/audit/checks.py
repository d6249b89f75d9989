"""The audit checks AU01–AU17 (audit.md): the auditor's standard queries over the books.

Each check is a named function ``(books, params) → list[AuditFinding]`` over the
resolved posting table of the analysis (and the transactions it came from, for
payees, narrations, vouchers and metadata).  They are group-bys: one pass over the
rows (or over the payments gathered once in :class:`AuditBooks`), never a scan per
quota, task or payee.  Findings are suspicions (疑点) to look at, not errors; nothing
here changes what ``sandao check`` or the plugin report.
"""

from __future__ import annotations

import datetime
import itertools
import re
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from decimal import Decimal
from functools import cached_property
from typing import Any

from beancount.core import data

from sandao.ledger.accounts import gov_code_of
from sandao.ledger.analysis import Analysis
from sandao.ledger.canonical import EntryIds
from sandao.ledger.county_config import CountyInfo
from sandao.ledger.resolver import INCOME, SPENDING, Posting

ZERO = Decimal(0)
_PERSON = re.compile(r"[\u4e00-\u9fff·]{2,4}")
#: 政府会计制度 codes of money the unit holds: cash, bank, zero-balance quota, other monetary funds.
CASH_CODES = frozenset({"1001", "1002", "1011", "1021"})
#: Cash codes plus 1201 财政应返还额度: where fiscal money arrives.
ARRIVAL_CODES = CASH_CODES | {"1201"}


@dataclass(frozen=True)
class EntryRef:
    """An entry a finding points at: its stable id (audit.md), then where it is and what
    it says."""

    file: str | None
    line: int | None
    date: datetime.date
    voucher: str | None
    text: str
    amount: Decimal | None = None
    id: str = ""
    account: str | None = None
    economic: str | None = None
    economic_name: str | None = None
    payee: str | None = None
    narration: str | None = None
    reason: str | None = None

    @property
    def where(self) -> str:
        name = (self.file or "").rsplit("/", 1)[-1]
        return f"{name}:{self.line or 0}"

    def to_json(self) -> dict[str, Any]:
        return {
            "file": self.file,
            "line": self.line,
            "date": self.date.isoformat(),
            "voucher": self.voucher,
            "text": self.text,
            "amount": None if self.amount is None else f"{self.amount:.2f}",
            "id": self.id,
            "account": self.account,
            "economic": self.economic,
            "economic_name": self.economic_name,
            "payee": self.payee,
            "narration": self.narration,
        }


@dataclass(frozen=True)
class AuditFinding:
    code: str
    unit: str | None
    subject: str
    message: str
    amount: Decimal
    date: datetime.date
    entries: tuple[EntryRef, ...]
    parameters: dict[str, Any]
    #: 单位已说明: the unit's own explanation (a ``reason:`` on the entry or an ``ack``) —
    #: shown with the finding for the auditor to judge, never a reason to drop it.
    explained: str | None = None

    @property
    def name(self) -> str:
        return CHECKS[self.code].name

    @property
    def basis(self) -> str:
        return CHECKS[self.code].basis

    def to_json(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "name": self.name,
            "unit": self.unit,
            "subject": self.subject,
            "message": self.message,
            "amount": f"{self.amount:.2f}",
            "date": self.date.isoformat(),
            "entries": [e.to_json() for e in self.entries],
            "parameters": jsonable(self.parameters),
            "basis": self.basis,
            "explained": self.explained,
        }


def jsonable(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dict):
        return {k: jsonable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [jsonable(v) for v in value]
    return value


@dataclass
class Payment:
    """A transaction that spends: its positive spending postings, summed."""

    txn: int
    date: datetime.date
    unit: str | None
    payee: str | None
    narration: str
    amount: Decimal
    rows: list[Posting]
    private: bool


@dataclass
class AuditBooks:
    """What the checks read: the analysis plus the calendar, gathered once."""

    analysis: Analysis
    holidays: frozenset[datetime.date] = frozenset()
    workdays: frozenset[datetime.date] = frozenset()
    _txns: list[data.Transaction] | None = field(default=None, repr=False)

    @property
    def as_of(self) -> datetime.date:
        return self.analysis.as_of

    @property
    def rows(self) -> list[Posting]:
        return self.analysis.postings.rows

    @cached_property
    def txns(self) -> list[data.Transaction]:
        """Transactions by the posting table's ``txn`` number."""
        return [e for e in self.analysis.entries if isinstance(e, data.Transaction)]

    @cached_property
    def by_txn(self) -> dict[int, list[Posting]]:
        groups: dict[int, list[Posting]] = defaultdict(list)
        for row in self.rows:
            groups[row.txn].append(row)
        return groups

    @cached_property
    def payments(self) -> list[Payment]:
        found: dict[int, Payment] = {}
        for row in self.rows:
            if row.role != SPENDING or row.amount <= 0:
                continue
            payment = found.get(row.txn)
            if payment is None:
                found[row.txn] = Payment(
                    row.txn,
                    row.date,
                    row.unit,
                    row.payee,
                    row.narration,
                    row.amount,
                    [row],
                    row.private_payee,
                )
            else:
                payment.amount += row.amount
                payment.rows.append(row)
        return list(found.values())

    @cached_property
    def years(self) -> list[int]:
        return sorted({row.date.year for row in self.rows})

    @cached_property
    def unit_names(self) -> dict[str, str]:
        return {code: unit.name for code, unit in self.analysis.declarations.units.items()}

    @cached_property
    def ids(self) -> EntryIds:
        """Stable entry ids (voucher, ``id``, else ``h:`` + digest), computed on demand."""
        return EntryIds(self.analysis.entries)

    @cached_property
    def declaration_entries(self) -> dict[tuple[Any, Any], data.Directive]:
        """Custom directives by (filename, lineno), for the ids of declarations."""
        return {
            (e.meta.get("filename"), e.meta.get("lineno")): e
            for e in self.analysis.entries
            if type(e) is data.Custom
        }

    def ref(self, txn: int, amount: Decimal | None = None) -> EntryRef:
        entry = self.txns[txn]
        meta = entry.meta
        voucher = meta.get("voucher")
        payee = f"{entry.payee} " if entry.payee else ""
        rows = self.by_txn.get(txn, [])
        main = max(
            (r for r in rows if r.role == SPENDING),
            key=lambda r: abs(r.amount),
            default=rows[0] if rows else None,
        )
        reason = meta.get("reason") or next(
            (p.meta.get("reason") for p in entry.postings if p.meta and p.meta.get("reason")),
            None,
        )
        return EntryRef(
            meta.get("filename"),
            meta.get("lineno"),
            entry.date,
            None if voucher is None else str(voucher),
            f"{payee}{entry.narration}",
            amount,
            self.ids.of(entry),
            None if main is None else main.account,
            None if main is None else main.economic,
            None if main is None else economic_name(main.account, main.economic),
            entry.payee,
            entry.narration,
            None if reason is None else str(reason),
        )

    def decl_ref(self, meta: dict[str, Any], date: datetime.date, text: str) -> EntryRef:
        entry = self.declaration_entries.get((meta.get("filename"), meta.get("lineno")))
        ident = self.ids.of(entry) if entry is not None else ""
        reason = meta.get("reason")
        return EntryRef(
            meta.get("filename"),
            meta.get("lineno"),
            date,
            None,
            text,
            id=ident,
            narration=text,
            reason=None if reason is None else str(reason),
        )

    @cached_property
    def calendar(self) -> CountyInfo:
        """The county's days off, as the county config defines them."""
        return CountyInfo(holidays=self.holidays, workdays=self.workdays)


@dataclass(frozen=True)
class Check:
    code: str
    name: str
    basis: str
    describe: Callable[[dict[str, Any]], str]
    run: Callable[[AuditBooks, dict[str, Any]], list[AuditFinding]]


def economic_name(account: str, economic: str | None) -> str | None:
    """The economic code's name, from the ``Expenses`` leaf that carries it (``30226-劳务费``)."""
    if economic is None:
        return None
    leaf = account.rsplit(":", 1)[-1]
    code, _, name = leaf.partition("-")
    return name if code == economic and name else None


def is_person(payee: str | None, private: bool, words: list[str]) -> bool:
    """An individual: ``payee_type: "个人"``, else 2–4 Han characters with no organisation word."""
    if private:
        return True
    if not payee or not _PERSON.fullmatch(payee):
        return False
    return not any(w in payee for w in words)


def yuan(amount: Decimal) -> str:
    return f"{amount:,.2f}"


def pct(share: Decimal) -> str:
    return f"{share * 100:.1f}%"


def _text(row: Posting) -> str:
    return f"{row.payee or ''} {row.narration}"


def _one(
    books: AuditBooks,
    code: str,
    unit: str | None,
    subject: str,
    message: str,
    amount: Decimal,
    txn: int,
    params: dict[str, Any],
) -> AuditFinding:
    """A finding about one transaction, dated on it."""
    ref = books.ref(txn, amount)
    return AuditFinding(code, unit, subject, message, amount, ref.date, (ref,), params)


def _paid(
    books: AuditBooks,
    code: str,
    pay: Payment,
    message: str,
    amount: Decimal,
    params: dict[str, Any],
) -> AuditFinding:
    """A finding about one payment, its payee the subject."""
    return _one(books, code, pay.unit, pay.payee or "", message, amount, pay.txn, params)


def _on_declaration(
    books: AuditBooks,
    code: str,
    declared: Any,
    declared_on: datetime.date,
    subject: str,
    message: str,
    amount: Decimal,
    date: datetime.date,
    params: dict[str, Any],
) -> AuditFinding:
    """A finding about one declared quota, task or project, citing its declaration."""
    ref = books.decl_ref(declared.meta, declared_on, subject)
    return AuditFinding(code, declared.unit, subject, message, amount, date, (ref,), params)


def _refs(books: AuditBooks, rows: list[Posting]) -> tuple[EntryRef, ...]:
    """One reference per transaction of ``rows`` (amounts summed), in date order."""
    amounts: dict[int, Decimal] = {}
    for row in rows:
        amounts[row.txn] = amounts.get(row.txn, ZERO) + row.amount
    return tuple(books.ref(txn, amount) for txn, amount in sorted(amounts.items()))


# AU01 年度突击花钱 -------------------------------------------------------------


def year_end_rush(books: AuditBooks, p: dict[str, Any]) -> list[AuditFinding]:
    """Quotas, projects and tasks spending most of their amount in the year's last months
    (A0110 measures against the 指标 in force at year end), and year-end quota increases
    spent at once."""
    months = set(p["months"])
    decl = books.analysis.declarations
    late_rows: dict[tuple, list[Any]] = {}
    for row in books.rows:
        if row.role != SPENDING or row.date.month not in months:
            continue
        for kind, ident in (("指标", row.quota), ("项目", row.project), ("任务", row.task)):
            if ident is None:
                continue
            slot = late_rows.get((row.date.year, kind, ident))
            if slot is None:
                slot = late_rows[(row.date.year, kind, ident)] = [ZERO, [], row.unit]
            slot[0] += row.amount
            slot[1].append(row)
    found = []
    for (year, kind, ident), (late, rows, unit) in sorted(late_rows.items()):
        end = datetime.date(year, 12, 31)
        if kind == "指标":
            item = decl.quotas.get(ident)
            amount = item.amount_at(end) if item is not None and item.year == year else None
        elif kind == "项目":
            item = decl.projects.get(ident)
            amount = item.amount if item is not None else None
        else:
            item = decl.tasks.get(ident)
            amount = item.amount_at(end) if item is not None else None
        if not amount or amount <= 0 or late < p["minimum"] or late <= amount * p["share"]:
            continue
        found.append(
            AuditFinding(
                "AU01",
                unit,
                f"{kind} {ident}",
                f"{year} 年 {_months(months)}支出 {yuan(late)} 元，"
                f"占年末{kind}金额 {yuan(amount)} 元的 {pct(late / amount)}",
                late,
                end,
                _refs(books, rows),
                p,
            )
        )
    found += _year_end_increases(books, p)
    return found


def _year_end_increases(books: AuditBooks, p: dict[str, Any]) -> list[AuditFinding]:
    """A quota raised in the last months whose increase is mostly spent within ``days``."""
    months = set(p["months"])
    window = datetime.timedelta(days=p["days"])
    raised: dict[str, list[Any]] = {}
    for quota_id, quota in books.analysis.declarations.quotas.items():
        for change in quota.adjustments:
            if change.amount > 0 and change.date.month in months:
                raised.setdefault(quota_id, []).append(change)
    if not raised:
        return []
    spent: dict[str, list[Posting]] = defaultdict(list)
    for row in books.rows:
        if row.role == SPENDING and row.quota in raised:
            spent[row.quota].append(row)
    found = []
    for quota_id, changes in sorted(raised.items()):
        quota = books.analysis.declarations.quotas[quota_id]
        for change in changes:
            rows = [r for r in spent[quota_id] if change.date <= r.date <= change.date + window]
            used = sum((r.amount for r in rows), ZERO)
            if used <= change.amount * p["share"] or used < p["minimum"]:
                continue
            found.append(
                AuditFinding(
                    "AU01",
                    quota.unit,
                    f"指标 {quota_id}",
                    f"{change.date} 追加 {yuan(change.amount)} 元，{p['days']} 天内支出 "
                    f"{yuan(used)} 元（{pct(used / change.amount)}）",
                    used,
                    change.date,
                    (
                        books.decl_ref(change.meta, change.date, f"追加指标 {quota_id}"),
                        *_refs(books, rows),
                    ),
                    p,
                )
            )
    return found


def _months(months: set[int]) -> str:
    ordered = sorted(months)
    if ordered == list(range(ordered[0], ordered[-1] + 1)) and len(ordered) > 1:
        return f"{ordered[0]}–{ordered[-1]} 月"
    return "、".join(str(m) for m in ordered) + " 月"


# AU02 虚列支出 ----------------------------------------------------------------


def _allowed(economic: str | None, allowed: list[str]) -> bool:
    return economic is not None and any(economic.startswith(str(a)) for a in allowed)


def false_spending(books: AuditBooks, p: dict[str, Any]) -> list[AuditFinding]:
    """Payments to a trade union outside 30228, or large ones to individuals outside
    301/303 (30226 劳务费 included: the code such payments hide in)."""
    words = p["words"]
    found = []
    for pay in books.payments:
        text = f"{pay.payee or ''} {pay.narration}"
        union = next((w for w in words if w in text), None)
        person = pay.amount > p["individual_minimum"] and is_person(
            pay.payee, pay.private, p["organisation_words"]
        )
        if not union and not person:
            continue
        allowed = p["union_allowed"] if union else p["allowed"]
        bad = [r for r in pay.rows if not _allowed(r.economic, allowed)]
        if not bad:
            continue
        amount = sum((r.amount for r in bad), ZERO)
        codes = "、".join(sorted({r.economic or "无" for r in bad}))
        if union:
            message = f"收款人/摘要含“{union}”，列支经济分类 {codes}（非 30228 工会经费）"
        else:
            message = f"付给个人 {yuan(pay.amount)} 元，列支经济分类 {codes}（非 301 工资福利/303 对个人和家庭的补助）"
        found.append(_paid(books, "AU02", pay, message, amount, p))
    return found


# AU03 向本单位实有资金账户拨款 -------------------------------------------------------


def own_account_transfers(books: AuditBooks, p: dict[str, Any]) -> list[AuditFinding]:
    """Money moved from the 1011 zero-balance account to the unit's own bank account."""
    found = []
    names = books.unit_names
    for txn, rows in books.by_txn.items():
        out = [r for r in rows if r.amount < 0 and gov_code_of(r.account) == "1011"]
        if not out:
            continue
        unit = out[0].unit
        into = [
            r for r in rows if r.amount > 0 and r.unit == unit and gov_code_of(r.account) == "1002"
        ]
        payee = rows[0].payee
        to_self = bool(payee) and (payee == unit or payee == names.get(unit or ""))
        if not into and not to_self:
            continue
        amount = -sum((r.amount for r in out), ZERO)
        message = f"从零余额账户转入本单位实有资金账户 {yuan(amount)} 元"
        found.append(_one(books, "AU03", unit, payee or "", message, amount, txn, p))
    return found


# AU04 往来款清理不及时 -----------------------------------------------------------


def _current_account(account: str) -> bool:
    code = gov_code_of(account)
    if code is None:
        return False
    return (code.startswith("12") and code != "1201") or code[:2] in ("23", "24")


def stale_balances(books: AuditBooks, p: dict[str, Any]) -> list[AuditFinding]:
    """Receivables and payables whose balance does not move."""
    as_of = books.as_of
    balances: dict[str, Decimal] = {}
    year_ends: dict[str, dict[int, Decimal]] = defaultdict(dict)
    last_move: dict[str, list[Posting]] = {}
    current_year: dict[str, int] = {}
    units: dict[str, str | None] = {}
    for row in books.rows:
        account = row.account
        if account not in units:
            if not _current_account(account):
                units[account] = None
                continue
            units[account] = row.unit or ""
        elif units[account] is None:
            continue
        year = current_year.get(account)
        if year is not None and row.date.year != year:
            for y in range(year, row.date.year):
                year_ends[account][y] = balances[account]
        current_year[account] = row.date.year
        balances[account] = balances.get(account, ZERO) + row.amount
        moves = last_move.get(account)
        if moves and moves[0].date == row.date:
            moves.append(row)
        else:
            last_move[account] = [row]
    complete = as_of.year if as_of.month == 12 and as_of.day == 31 else as_of.year - 1
    found = []
    for account, balance in sorted(balances.items()):
        ends = year_ends[account]
        for y in range(current_year[account], complete + 1):
            ends[y] = balance
        moves = last_move[account]
        same = [
            y for y in sorted(ends) if y - 1 in ends and ends[y] == ends[y - 1] and ends[y] != 0
        ]
        idle = (as_of - moves[0].date).days
        if same:
            year = same[-1]
            message = f"{year - 1}、{year} 年末余额均为 {yuan(ends[year])} 元，未清理"
            amount, date = ends[year], datetime.date(year, 12, 31)
        elif balance != 0 and idle >= p["days"]:
            message = f"余额 {yuan(balance)} 元已 {idle} 天未变动（最后变动 {moves[0].date}）"
            amount, date = balance, as_of
        else:
            continue
        found.append(
            AuditFinding(
                "AU04",
                units[account] or None,
                account,
                message,
                abs(amount),
                date,
                _refs(books, moves),
                p,
            )
        )
    return found


# AU05 第四季度预付"三公"经费 -----------------------------------------------------------


def q4_prepayments(books: AuditBooks, p: dict[str, Any]) -> list[AuditFinding]:
    """Fourth-quarter prepayments for meetings, vehicles or hospitality."""
    months = set(p["months"])
    found = []
    for txn, rows in books.by_txn.items():
        first = rows[0]
        if first.date.month not in months:
            continue
        prepaid = [r for r in rows if r.amount > 0 and gov_code_of(r.account) == "1214"]
        entry = None
        if not prepaid:
            entry = books.txns[txn]
            if entry.meta.get("prepaid") is not True:
                continue
            prepaid = [r for r in rows if r.amount > 0 and r.role == SPENDING]
        amount = sum((r.amount for r in prepaid), ZERO)
        if amount <= p["minimum"]:
            continue
        text = _text(first)
        word = next((w for w in p["words"] if w in text), None)
        code = next((r.economic for r in rows if r.economic in p["economic"]), None)
        if word is None and code is None:
            continue
        what = f"摘要含“{word}”" if word else f"经济分类 {code}"
        message = f"{first.date.month} 月预付 {yuan(amount)} 元（{what}）"
        found.append(_one(books, "AU05", first.unit, first.payee or "", message, amount, txn, p))
    return found


# AU06 预算执行率低 -------------------------------------------------------------


def low_execution(books: AuditBooks, p: dict[str, Any]) -> list[AuditFinding]:
    """Quotas executed below the floor at year end, or far behind time during the year."""
    as_of = books.as_of
    decl = books.analysis.declarations
    found = []
    for quota_id, quota in sorted(decl.quotas.items()):
        year_end = datetime.date(quota.year, 12, 31)
        if quota.year > as_of.year:
            continue
        upto = min(year_end, as_of)
        budget = quota.amount_at(upto)
        if budget <= 0:
            continue
        spent = books.analysis.usage.quota_spent(quota_id, None, upto)
        rate = spent / budget
        if year_end <= as_of:
            if rate >= p["year_end"]:
                continue
            message = f"{quota.year} 年末执行率 {pct(rate)}（低于 {pct(p['year_end'])}）"
        else:
            start = datetime.date(quota.year, 1, 1)
            elapsed = Decimal((as_of - start).days + 1) / Decimal((year_end - start).days + 1)
            if elapsed - rate <= p["lag"]:
                continue
            message = f"截至 {as_of} 执行率 {pct(rate)}，时间进度 {pct(elapsed)}，落后超过 {pct(p['lag'])}"
        subject = f"指标 {quota_id} {quota.name}"
        message += f"；指标 {yuan(budget)} 元，已支出 {yuan(spent)} 元"
        found.append(
            _on_declaration(
                books, "AU06", quota, quota.date, subject, message, budget - spent, upto, p
            )
        )
    return found


# AU07 项目连续执行率低 -----------------------------------------------------------


def persistent_low_execution(books: AuditBooks, p: dict[str, Any]) -> list[AuditFinding]:
    """Projects and tasks below the execution floor in every year they ran (≥ 2 years)."""
    as_of = books.as_of
    decl = books.analysis.declarations
    usage = books.analysis.usage
    book_years = set(books.years)
    items: list[tuple[str, str, Any, Decimal]] = []
    for ident, task in decl.tasks.items():
        items.append(("任务", ident, task, task.current_amount()))
    for ident, project in decl.projects.items():
        items.append(("项目", ident, project, project.amount))
    found = []
    for kind, ident, item, amount in sorted(items, key=lambda i: i[1]):
        if amount <= 0:
            continue
        end = min(item.end or as_of, as_of)
        years = [y for y in range(item.start.year, end.year + 1) if y in book_years]
        if len(years) < p["years"]:
            continue
        rates = {
            y: usage.spent(ident, datetime.date(y, 1, 1), datetime.date(y, 12, 31)) / amount
            for y in years
        }
        if any(rate >= p["rate"] for rate in rates.values()):
            continue
        shown = "、".join(f"{y} 年 {pct(r)}" for y, r in rates.items())
        subject = f"{kind} {ident} {item.name}"
        message = f"各年执行率均低于 {pct(p['rate'])}：{shown}（金额 {yuan(amount)} 元）"
        unspent = amount - usage.spent(ident)
        found.append(
            _on_declaration(books, "AU07", item, item.start, subject, message, unspent, end, p)
        )
    return found


# AU08 项目预算编制不细化 ----------------------------------------------------------


def vague_budgeting(books: AuditBooks, p: dict[str, Any]) -> list[AuditFinding]:
    """项目-class quotas declared on an "other" code (…99) or spending mostly on such codes;
    quotas of one name (across communities and years) are one finding."""
    from sandao.reports.disclosure.sources import PROJECT, quota_class

    quotas = books.analysis.declarations.quotas
    project = {q: quota for q, quota in quotas.items() if quota_class(quota) == PROJECT}
    totals: dict[str, list[Any]] = {}
    for row in books.rows:
        if row.role != SPENDING or row.quota not in project:
            continue
        slot = totals.get(row.quota)
        if slot is None:
            slot = totals[row.quota] = [ZERO, ZERO, []]
        slot[0] += row.amount
        if row.economic and row.economic.endswith("99"):
            slot[1] += row.amount
            slot[2].append(row)
    groups: dict[tuple[str, str], list[tuple[str, Any, Decimal, Decimal, list[Posting]]]] = (
        defaultdict(list)
    )
    for quota_id, quota in project.items():
        total, other, rows = totals.get(quota_id, [ZERO, ZERO, []])
        declared_other = bool(quota.economic) and str(quota.economic).endswith("99")
        if not declared_other and (total <= 0 or other <= total * p["share"]):
            continue
        groups[(quota.unit, quota.name)].append((quota_id, quota, total, other, rows))
    found = []
    for (unit, name), members in sorted(groups.items()):
        members.sort(key=lambda m: m[0])
        ids = "、".join(m[0] for m in members)
        total = sum((m[2] for m in members), ZERO)
        other = sum((m[3] for m in members), ZERO)
        rows = [r for m in members for r in m[4]]
        declared = sorted({str(m[1].economic) for m in members if m[1].economic})
        why = (
            f"指标经济分类为“其他”（{'、'.join(declared)}）"
            if any(str(c).endswith("99") for c in declared)
            else "“其他”经济分类（…99）支出占比过高"
        )
        share = f"，占 {pct(other / total)}" if total > 0 else ""
        refs = tuple(books.decl_ref(m[1].meta, m[1].date, f"指标 {m[0]} {name}") for m in members)
        found.append(
            AuditFinding(
                "AU08",
                unit,
                f"指标 {name}（{ids}）",
                f"项目支出指标 {len(members)} 个：{why}；“其他”类支出 {yuan(other)} 元{share}",
                other,
                max(m[1].date for m in members),
                refs + _refs(books, rows),
                p,
            )
        )
    return found


# AU09 以拨代支 ----------------------------------------------------------------


def transfer_as_spending(books: AuditBooks, p: dict[str, Any]) -> list[AuditFinding]:
    """One payment moving most of a task's or project's money on to another unit or account."""
    decl = books.analysis.declarations
    others = set(books.unit_names.values()) | {d.name for d in decl.departments.values()}
    found = []
    for txn, rows in books.by_txn.items():
        ident = rows[0].task or rows[0].project
        if ident is None:
            ident = next((r.task or r.project for r in rows if r.task or r.project), None)
            if ident is None:
                continue
        item = decl.tasks.get(ident) or decl.projects.get(ident)
        if item is None:
            continue
        amount = item.current_amount() if hasattr(item, "current_amount") else item.amount
        if amount <= 0:
            continue
        payee = rows[0].payee
        moved = []
        for r in rows:
            if r.amount <= 0:
                continue
            code = gov_code_of(r.account)
            if code in CASH_CODES and r.unit == item.unit:
                continue
            onward = _current_account(r.account) or (r.unit is not None and r.unit != item.unit)
            if onward or (r.role == SPENDING and payee in others):
                moved.append(r)
        total = sum((r.amount for r in moved), ZERO)
        if not moved or total < amount * p["share"]:
            continue
        subject = f"{ident} {item.name}"
        message = (
            f"一次转出 {yuan(total)} 元（{pct(total / amount)}）至 {payee or moved[0].account}"
        )
        found.append(_one(books, "AU09", item.unit, subject, message, total, txn, p))
    return found


# AU10 超市商场大额整数消费 ---------------------------------------------------------


def round_store_purchases(books: AuditBooks, p: dict[str, Any]) -> list[AuditFinding]:
    """Round amounts paid to supermarkets and malls."""
    found = []
    for pay in books.payments:
        word = next((w for w in p["words"] if w in (pay.payee or "")), None)
        if word is None or pay.amount < p["minimum"] or pay.amount % p["multiple"]:
            continue
        message = f"向{word}类收款人支付整数金额 {yuan(pay.amount)} 元"
        found.append(_paid(books, "AU10", pay, message, pay.amount, p))
    return found


# AU11 单次会议费超标准 ---------------------------------------------------------------


def meeting_over_cap(books: AuditBooks, p: dict[str, Any]) -> list[AuditFinding]:
    """One 30215 meeting payment above the cap."""
    found = []
    for pay in books.payments:
        amount = sum((r.amount for r in pay.rows if r.economic == "30215"), ZERO)
        if amount <= p["cap"]:
            continue
        message = f"单次会议费 {yuan(amount)} 元，超过 {yuan(p['cap'])} 元"
        found.append(_paid(books, "AU11", pay, message, amount, p))
    return found


# AU12 收入在往来科目核算 ------------------------------------------------------------


def income_as_payable(books: AuditBooks, p: dict[str, Any]) -> list[AuditFinding]:
    """Money arriving from any payer credited to a payable (23xx other than 2103)."""
    excluded = tuple(str(c) for c in p["excluded"])
    found = []
    for txn, rows in books.by_txn.items():
        payable = [
            r
            for r in rows
            if r.amount < 0
            and (gov_code_of(r.account) or "").startswith("23")
            and not (gov_code_of(r.account) or "").startswith(excluded)
        ]
        if not payable:
            continue
        if not any(r.amount > 0 and gov_code_of(r.account) in ARRIVAL_CODES for r in rows):
            continue
        amount = -sum((r.amount for r in payable), ZERO)
        account = payable[0].account
        payer = rows[0].payee or "付款人"
        message = f"收到 {payer} 的 {yuan(amount)} 元记入往来科目 {account}，未确认收入"
        finding = _one(books, "AU12", rows[0].unit, account, message, amount, txn, p)
        held = books.txns[txn].meta.get("held_for")
        if held:
            finding = replace(finding, explained=f"代管（held_for: {held}）")
        found.append(finding)
    return found


# AU13 坐收坐支 ----------------------------------------------------------------


def spend_at_source(books: AuditBooks, p: dict[str, Any]) -> list[AuditFinding]:
    """Non-fiscal income spent within the same transaction, bypassing cash and quota; and
    money received into cash credited to spending (income netted against it, A0106)
    that is no refund of an earlier payment to the same payee."""
    found = []
    earlier: dict[tuple[str | None, str], list[Payment]] = defaultdict(list)
    for pay in books.payments:
        if pay.payee:
            earlier[(pay.unit, pay.payee)].append(pay)
    for txn, rows in books.by_txn.items():
        roles = {r.role for r in rows}
        if INCOME not in roles and not any(r.role == SPENDING and r.amount < 0 for r in rows):
            continue
        income = [r for r in rows if r.role == INCOME and gov_code_of(r.account) != "4001"]
        spent = [r for r in rows if r.role == SPENDING and r.amount > 0]
        arrived = any(gov_code_of(r.account) in ARRIVAL_CODES for r in rows)
        if income and spent and not arrived:
            amount = sum((r.amount for r in spent), ZERO)
            received = -sum((r.amount for r in income), ZERO)
            message = f"非财政收入 {yuan(received)} 元未入账户即支出 {yuan(amount)} 元"
            found.append(
                _one(books, "AU13", rows[0].unit, income[0].account, message, amount, txn, p)
            )
            continue
        credited = [r for r in rows if r.role == SPENDING and r.amount < 0]
        cash_in = [r for r in rows if r.amount > 0 and gov_code_of(r.account) in CASH_CODES]
        if not credited or not cash_in or any(r.amount > 0 and r.role == SPENDING for r in rows):
            continue
        entry = books.txns[txn]
        if entry.meta.get("refund_of") is not None:
            continue
        amount = -sum((r.amount for r in credited), ZERO)
        first = rows[0]
        before = earlier.get((first.unit, first.payee or ""), [])
        if any(x.date <= first.date and x.amount >= amount for x in before):
            continue
        message = (
            f"收到 {first.payee or '款项'} {yuan(amount)} 元直接冲减支出 {credited[0].account}"
            "（收入抵减支出，且无对应的原支付）"
        )
        found.append(_one(books, "AU13", first.unit, credited[0].account, message, amount, txn, p))
    return found


# AU14 科目错记 ----------------------------------------------------------------


def misclassified(books: AuditBooks, p: dict[str, Any]) -> list[AuditFinding]:
    """Narration and economic code disagree (meeting, training, hospitality, abroad, vehicles)."""
    words: dict[str, str] = p["words"]
    reverse: dict[str, list[str]] = p["reverse"]
    ignore = set(p["ignore"])
    found = []
    seen: set[tuple[int, str]] = set()
    for row in books.rows:
        if row.role != SPENDING or row.amount <= 0 or row.economic is None:
            continue
        economic = row.economic
        if economic in ignore:
            continue
        text = _text(row)
        message = None
        for word, code in words.items():
            if word in text and economic != code:
                message = f"摘要含“{word}”，经济分类应为 {code}，实为 {economic}"
                break
        if (
            message is None
            and economic in reverse
            and not any(w in text for w in reverse[economic])
        ):
            message = f"经济分类 {economic}，摘要却无“{'/'.join(reverse[economic])}”字样"
        if message is None or (row.txn, economic) in seen:
            continue
        seen.add((row.txn, economic))
        found.append(
            _one(books, "AU14", row.unit, row.payee or "", message, row.amount, row.txn, p)
        )
    return found


# AU15 化整为零规避采购 ---------------------------------------------------------------


def split_purchases(books: AuditBooks, p: dict[str, Any]) -> list[AuditFinding]:
    """Payments to one payee within a window, each under the procurement threshold,
    together above it; and one payment just below the threshold."""
    threshold, days = p["threshold"], datetime.timedelta(days=p["days"])
    near = threshold * (1 - p["near"])
    groups: dict[tuple, list[Payment]] = defaultdict(list)
    found = []
    for pay in books.payments:
        if pay.payee and pay.amount < threshold:
            groups[(pay.unit or "", pay.payee)].append(pay)
        if near <= pay.amount < threshold:
            message = (
                f"单笔 {yuan(pay.amount)} 元，比采购限额 {yuan(threshold)} 元低 "
                f"{pct((threshold - pay.amount) / threshold)}"
            )
            found.append(_paid(books, "AU15", pay, message, pay.amount, p))
    for (unit, payee), pays in sorted(groups.items()):
        if len(pays) < 2 or sum((x.amount for x in pays), ZERO) <= threshold:
            continue
        pays.sort(key=lambda x: (x.date, x.txn))
        # A window [i, j] of payments within ``days`` of the first, slid with a running total.
        i, j, total, n = 0, 0, pays[0].amount, len(pays)
        while i < n:
            while j + 1 < n and pays[j + 1].date - pays[i].date <= days:
                j += 1
                total += pays[j].amount
            if j > i and total > threshold:
                chosen = pays[i : j + 1]
                found.append(
                    AuditFinding(
                        "AU15",
                        unit or None,
                        payee,
                        f"{chosen[0].date}–{chosen[-1].date} 向同一收款人付款 {len(chosen)} 笔，"
                        f"每笔低于 {yuan(threshold)} 元，合计 {yuan(total)} 元",
                        total,
                        chosen[-1].date,
                        tuple(books.ref(x.txn, x.amount) for x in chosen),
                        p,
                    )
                )
                i = j + 1
                if i < n:
                    j, total = i, pays[i].amount
            else:
                total -= pays[i].amount
                i += 1
                if j < i and i < n:
                    j, total = i, pays[i].amount
    return found


# AU16 重复支付 ----------------------------------------------------------------


def duplicate_payments(books: AuditBooks, p: dict[str, Any]) -> list[AuditFinding]:
    """Same payee and amount within a few days on different vouchers."""
    days = datetime.timedelta(days=p["days"])
    groups: dict[tuple, list[Payment]] = defaultdict(list)
    for pay in books.payments:
        if pay.payee:
            groups[(pay.unit or "", pay.payee, pay.amount)].append(pay)
    found = []
    repeated = [(key, pays) for key, pays in groups.items() if len(pays) > 1]
    for (unit, payee, amount), pays in sorted(repeated, key=lambda kv: kv[0]):
        pays.sort(key=lambda x: (x.date, x.txn))
        for a, b in itertools.pairwise(pays):
            if b.date - a.date > days:
                continue
            va = books.txns[a.txn].meta.get("voucher")
            vb = books.txns[b.txn].meta.get("voucher")
            if va is not None and va == vb:
                continue
            found.append(
                AuditFinding(
                    "AU16",
                    unit or None,
                    payee,
                    f"{a.date} 与 {b.date} 向同一收款人各付 {yuan(amount)} 元",
                    amount,
                    b.date,
                    (books.ref(a.txn, a.amount), books.ref(b.txn, b.amount)),
                    p,
                )
            )
    return found


# AU17 节假日支付 ---------------------------------------------------------------


def day_off_payments(books: AuditBooks, p: dict[str, Any]) -> list[AuditFinding]:
    """Treasury payments (with a voucher) dated on a weekend or public holiday —
    informational, one finding per unit and month; ``all_payments`` widens it to every
    payment."""
    calendar = {"holidays": len(books.holidays), "workdays": len(books.workdays)}
    groups: dict[tuple[str, int, int], list[Payment]] = defaultdict(list)
    for pay in books.payments:
        if not books.calendar.is_day_off(pay.date):
            continue
        if not p["all_payments"] and books.txns[pay.txn].meta.get("voucher") is None:
            continue
        groups[(pay.unit or "", pay.date.year, pay.date.month)].append(pay)
    found = []
    for (unit, year, month), pays in sorted(groups.items()):
        pays.sort(key=lambda x: (x.date, x.txn))
        days = "、".join(
            f"{d:%m-%d}（{'节假日' if d in books.holidays else '周末'}）"
            for d in sorted({x.date for x in pays})
        )
        total = sum((x.amount for x in pays), ZERO)
        found.append(
            AuditFinding(
                "AU17",
                unit or None,
                f"{year} 年 {month} 月",
                f"{len(pays)} 笔支付在周末或节假日：{days}，合计 {yuan(total)} 元",
                total,
                pays[-1].date,
                tuple(books.ref(x.txn, x.amount) for x in pays),
                {**p, **calendar},
            )
        )
    return found


def _grouped(
    books: AuditBooks,
    code: str,
    groups: dict[tuple, list[tuple[Payment, Decimal]]],
    message: Callable[[tuple, list[tuple[Payment, Decimal]], Decimal], str],
    p: dict[str, Any],
) -> list[AuditFinding]:
    """One finding per group of payments (unit first in the key, subject second)."""
    found = []
    for key, items in sorted(groups.items(), key=lambda kv: tuple(map(str, kv[0]))):
        items.sort(key=lambda x: (x[0].date, x[0].txn))
        total = sum((amount for _, amount in items), ZERO)
        found.append(
            AuditFinding(
                code,
                key[0] or None,
                key[1],
                message(key, items, total),
                total,
                items[-1][0].date,
                tuple(books.ref(pay.txn, amount) for pay, amount in items),
                p,
            )
        )
    return found


# AU18 违规发放津贴补贴 -------------------------------------------------------------


def allowances(books: AuditBooks, p: dict[str, Any]) -> list[AuditFinding]:
    """Bonuses, allowances and holiday money paid to individuals, or outside 301/303 (A0124);
    one finding per unit, payee and word."""
    groups: dict[tuple, list[tuple[Payment, Decimal]]] = defaultdict(list)
    for pay in books.payments:
        if pay.amount < p["minimum"]:
            continue
        word = next((w for w in p["words"] if w in pay.narration), None)
        if word is None:
            continue
        person = is_person(pay.payee, pay.private, p["organisation_words"])
        outside = [r for r in pay.rows if not _allowed(r.economic, p["allowed"])]
        if not person and not outside:
            continue
        codes = "、".join(sorted({r.economic or "无" for r in pay.rows}))
        groups[(pay.unit or "", pay.payee or "", word, person, codes)].append((pay, pay.amount))

    def message(key: tuple, items: list[tuple[Payment, Decimal]], total: Decimal) -> str:
        _, _, word, person, codes = key
        who = "付给个人" if person else "支付"
        return (
            f"摘要含“{word}”，{who} {len(items)} 笔共 {yuan(total)} 元，列支经济分类 {codes}；"
            "请核实发放依据"
        )

    return _grouped(books, "AU18", groups, message, p)


# AU19 高档消费 ----------------------------------------------------------------


def luxury_spending(books: AuditBooks, p: dict[str, Any]) -> list[AuditFinding]:
    """Payees or narrations naming clubs, golf, resorts, premium liquor, gift cards … (A0122)."""
    found = []
    for pay in books.payments:
        text = f"{pay.payee or ''} {pay.narration}"
        word = next((w for w in p["words"] if w in text), None)
        if word is None:
            continue
        message = f"收款人/摘要含“{word}”，支付 {yuan(pay.amount)} 元"
        found.append(_paid(books, "AU19", pay, message, pay.amount, p))
    return found


# AU20 非税收入应缴未缴 -------------------------------------------------------------


def unremitted_revenue(books: AuditBooks, p: dict[str, Any]) -> list[AuditFinding]:
    """Rent, asset sales, fines, interest or fees credited to income instead of 2103
    应缴财政款, and 2103 money not paid over within ``days`` (A0130)."""
    found = []
    due = datetime.timedelta(days=p["days"])
    owed: dict[str, list[list[Any]]] = defaultdict(list)  # account → [[date, left, txn], …]
    for txn, rows in books.by_txn.items():
        first = rows[0]
        for r in rows:
            if gov_code_of(r.account) != "2103":
                continue
            if r.amount < 0:
                owed[r.account].append([r.date, -r.amount, txn])
            else:
                left = r.amount
                for item in owed[r.account]:
                    if left <= 0:
                        break
                    if item[1] <= 0:
                        continue
                    taken = min(item[1], left)
                    item[1] -= taken
                    left -= taken
                    if r.date - item[0] > due:
                        message = f"应缴财政款 {yuan(taken)} 元于 {item[0]} 收到，{r.date} 才上缴（超过 {p['days']} 天）"
                        found.append(
                            _one(books, "AU20", r.unit, r.account, message, taken, item[2], p)
                        )
        credited = [r for r in rows if r.role == INCOME and r.amount < 0]
        if not credited or not any(
            r.amount > 0 and gov_code_of(r.account) in CASH_CODES for r in rows
        ):
            continue
        word = next((w for w in p["words"] if w in first.narration), None)
        if word is None:
            continue
        amount = -sum((r.amount for r in credited), ZERO)
        message = f"摘要含“{word}”的 {yuan(amount)} 元记入收入 {credited[0].account}，未记 2103 应缴财政款"
        found.append(_one(books, "AU20", first.unit, credited[0].account, message, amount, txn, p))
    as_of = books.as_of
    for account, items in owed.items():
        for received, left, txn in items:
            if left > 0 and as_of - received > due:
                unit = books.by_txn[txn][0].unit
                message = f"应缴财政款 {yuan(left)} 元于 {received} 收到，截至 {as_of} 未上缴"
                found.append(_one(books, "AU20", unit, account, message, left, txn, p))
    return found


# AU21 收款人与支出科目不符 ------------------------------------------------------------


def payee_code_mismatch(books: AuditBooks, p: dict[str, Any]) -> list[AuditFinding]:
    """Payments whose payee's kind (by the payee register) does not fit the economic code;
    one finding per unit and payee."""
    register: dict[str, list[str]] = p["register"]
    patterns = sorted(register, key=len, reverse=True)
    groups: dict[tuple, list[tuple[Payment, Decimal]]] = defaultdict(list)
    kinds: dict[str, tuple[str, ...]] = {}  # payee → the register's patterns it matches
    for pay in books.payments:
        payee = pay.payee or ""
        hits = kinds.get(payee)
        if hits is None:
            hits = kinds[payee] = tuple(w for w in patterns if w in payee)
        if not hits:
            continue
        allowed = tuple(sorted({str(c) for w in hits for c in register[w]}))
        bad = [r for r in pay.rows if not _allowed(r.economic, list(allowed))]
        if not bad:
            continue
        groups[(pay.unit or "", payee, hits, allowed)].append(
            (pay, sum((r.amount for r in bad), ZERO))
        )

    def message(key: tuple, items: list[tuple[Payment, Decimal]], total: Decimal) -> str:
        _, payee, hits, allowed = key
        codes: set[str] = set()
        for pay, _ in items:
            for r in pay.rows:
                if not _allowed(r.economic, list(allowed)):
                    codes.add(
                        f"{r.economic or '无'} {economic_name(r.account, r.economic) or ''}".strip()
                    )
        return (
            f"收款人“{payee}”（{'、'.join(hits)}类，应列 {'/'.join(allowed)}）{len(items)} 笔"
            f"共 {yuan(total)} 元列支 {'、'.join(sorted(codes))}"
        )

    return _grouped(books, "AU21", groups, message, p)


def _shown(value: Any) -> Any:
    """A parameter as the check's description shows it: shares as %, amounts in yuan."""
    if isinstance(value, Decimal):
        return yuan(value) if value >= 1 else pct(value)
    if isinstance(value, list):
        return "、".join(map(str, value))
    return value


def _d(fmt: str) -> Callable[[dict[str, Any]], str]:
    """A describer filling ``fmt`` with the check's parameters (as set for this run)."""

    def describe(p: dict[str, Any]) -> str:
        values = {key: _shown(value) for key, value in p.items()}
        if "near" in p:
            values["near"] = pct(p["near"])
        if "months" in p:
            values["months"] = _months(set(p["months"]))
        return fmt.format(**values)

    return describe


CHECKS: dict[str, Check] = {
    c.code: c
    for c in (
        Check(
            "AU01",
            "年度突击花钱",
            "预算法实施条例第六十七条",
            _d(
                "{months}支出占年末指标（项目、任务）金额 > {share}，且 ≥ {minimum} 元；"
                "{months}追加的指标 {days} 天内支出超过追加额的 {share}"
            ),
            year_end_rush,
        ),
        Check(
            "AU02",
            "虚列支出",
            "预算法第九十三条（虚列支出）",
            _d(
                "收款人/摘要含 {words} 而不在 {union_allowed} 列支，或付个人 > {individual_minimum} 元"
                "而不在 {allowed} 列支（30226 劳务费也算）"
            ),
            false_spending,
        ),
        Check(
            "AU03",
            "向本单位实有资金账户拨款",
            "财政国库管理制度改革试点方案（财库〔2001〕24号）",
            _d(
                "零余额账户（1011）转入本单位银行存款（1002），或收款人为本单位（reason: 列为单位已说明）"
            ),
            own_account_transfers,
        ),
        Check(
            "AU04",
            "往来款清理不及时",
            "政府会计制度（财会〔2017〕25号）：往来款项应及时清理",
            _d(
                "往来科目（12xx 除 1201、23xx、24xx）连续两个年末余额相同且不为 0，或 {days} 天未变动"
            ),
            stale_balances,
        ),
        Check(
            "AU05",
            '第四季度预付"三公"经费',
            "党政机关厉行节约反对浪费条例",
            _d(
                "{months}预付（1214 或 prepaid: TRUE），含 {words} 或经济分类 {economic}，> {minimum} 元"
            ),
            q4_prepayments,
        ),
        Check(
            "AU06",
            "预算执行率低",
            "国务院关于进一步深化预算管理制度改革的意见（国发〔2021〕5号）",
            _d("指标年末执行率 < {year_end}，或年内落后时间进度超过 {lag}"),
            low_execution,
        ),
        Check(
            "AU07",
            "项目连续执行率低",
            "项目支出绩效评价管理办法（财预〔2020〕10号）",
            _d("项目、任务每年执行率均 < {rate}（至少 {years} 个年度）"),
            persistent_low_execution,
        ),
        Check(
            "AU08",
            "项目预算编制不细化",
            "预算法第四十六条（按经济性质分类编列到款）",
            _d(
                "项目支出指标的经济分类为“其他”（…99），或“其他”类支出占 > {share}；同名指标合为一条"
            ),
            vague_budgeting,
        ),
        Check(
            "AU09",
            "以拨代支",
            "预算法第九十三条（虚列支出）",
            _d("一笔转出 ≥ 任务/项目金额的 {share}，转至其他单位或往来科目"),
            transfer_as_spending,
        ),
        Check(
            "AU10",
            "超市商场大额整数消费",
            "党政机关厉行节约反对浪费条例",
            _d("收款人含 {words}，金额为 {multiple} 元的整数倍且 ≥ {minimum} 元"),
            round_store_purchases,
        ),
        Check(
            "AU11",
            "单次会议费超标准",
            "中央和国家机关会议费管理办法（财行〔2016〕214号）",
            _d("一笔会议费（30215）> {cap} 元"),
            meeting_over_cap,
        ),
        Check(
            "AU12",
            "收入在往来科目核算",
            "政府会计制度：财政拨款和部门拨入资金应确认收入",
            _d(
                "收到的款项贷记往来科目（23xx，{excluded} 应缴财政款除外）；held_for: 列为单位已说明"
            ),
            income_as_payable,
        ),
        Check(
            "AU13",
            "坐收坐支",
            "预算法第五十六条（收入应当上缴国库，不得截留）",
            _d(
                "非财政收入（非 4001）在同一笔交易中直接支出，未经现金、银行或额度账户；"
                "收到款项直接冲减支出科目且无对应的原支付"
            ),
            spend_at_source,
        ),
        Check(
            "AU14",
            "科目错记",
            "政府收支分类科目（支出经济分类）",
            _d(
                "摘要关键词与经济分类不符（会议 30215、培训 30216、接待 30217、出国 30212、车辆 30231），差旅费 {ignore} 除外"
            ),
            misclassified,
        ),
        Check(
            "AU15",
            "化整为零规避采购",
            "政府采购法第二十八条",
            _d(
                "同一单位向同一收款人 {days} 天内多笔付款，每笔 < {threshold} 元、合计 > {threshold} 元；"
                "或单笔低于限额不到 {near}"
            ),
            split_purchases,
        ),
        Check(
            "AU16",
            "重复支付",
            "会计基础工作规范：原始凭证审核",
            _d("同一单位、同一收款人、同一金额，{days} 天内不同凭证"),
            duplicate_payments,
        ),
        Check(
            "AU17",
            "节假日支付",
            "提示性检查：节假日办理支付（县配置的节假日历）",
            _d("有支付凭证号的国库集中支付日期为周末（调休上班日除外）或县配置的法定节假日"),
            day_off_payments,
        ),
        Check(
            "AU18",
            "违规发放津贴补贴",
            "中央八项规定精神；A0124 违规发放津贴补贴",
            _d("摘要含 {words}，付给个人或在 {allowed} 以外列支，≥ {minimum} 元"),
            allowances,
        ),
        Check(
            "AU19",
            "高档消费",
            "党政机关厉行节约反对浪费条例；A0122",
            _d("收款人/摘要含 {words}（任何金额）"),
            luxury_spending,
        ),
        Check(
            "AU20",
            "非税收入应缴未缴",
            "政府非税收入管理办法（财税〔2016〕33号）；A0130",
            _d("摘要含 {words} 的收款记入收入而非 2103 应缴财政款，或 2103 款项 {days} 天内未上缴"),
            unremitted_revenue,
        ),
        Check(
            "AU21",
            "收款人与支出科目不符",
            "政府收支分类科目（支出经济分类）；会计基础工作规范：原始凭证审核",
            _d("收款人登记簿（[audit.payees]）所列的收款人类别与经济分类不符"),
            payee_code_mismatch,
        ),
    )
}


def run_checks(
    books: AuditBooks,
    params: dict[str, dict[str, Any]],
    codes: list[str] | None = None,
) -> list[AuditFinding]:
    """Every check (or the given codes) over the books, findings in check then date order."""
    found: list[AuditFinding] = []
    for code, check in CHECKS.items():
        if codes is not None and code not in codes:
            continue
        found += sorted(
            check.run(books, params[code]), key=lambda f: (f.date, f.unit or "", f.subject)
        )
    return explain(books, found)


def explain(books: AuditBooks, findings: list[AuditFinding]) -> list[AuditFinding]:
    """单位已说明: a finding keeps its place, with the unit's ``reason:`` (on one of its
    entries) or ``ack`` (``custom "ack" "AU03" "<entry id, voucher or subject id>" "…"``)."""
    from sandao.ledger.acks import read_acks

    acks = {
        (a.code, a.ident): a
        for a in read_acks(books.analysis.entries)[0]
        if a.code.startswith("AU")
    }
    out = []
    for finding in findings:
        said = finding.explained
        if acks:
            keys = {e.id for e in finding.entries} | {
                e.voucher for e in finding.entries if e.voucher
            }
            keys |= set(
                finding.subject.replace("（", " ").replace("）", " ").replace("、", " ").split()
            )
            ack = next(
                (acks[(finding.code, k)] for k in sorted(keys) if (finding.code, k) in acks), None
            )
            if ack is not None:
                said = f"{ack.reason}（{ack.date} 确认）"
        if said is None:
            said = next((e.reason for e in finding.entries if e.reason), None)
        out.append(finding if said == finding.explained else replace(finding, explained=said))
    return out
