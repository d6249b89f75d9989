r"""The resolver: every posting of the books with its fund dimensions, as one table.

This is the model every rule and report is a group-by of.  Each posting gets its
unit, stream, function, economic code, community, task, project, quota and
department by the resolution order of the ledger language (first hit wins):

1. posting metadata, 2. transaction metadata, 3. for stream only, the transaction's
link (a declared task implies 职能, a declared project 建设), 4. the account's
``open`` metadata, then its nearest ancestor's, 5. the account name (unit from the
2nd component, economic from the leading code of an ``Expenses`` leaf, department
from a ``D05-…`` component), 6. the declaration the posting is charged to (the quota's
stream, function and community; the task's function and community; the project's community).

Scope: only accounts of units are the fund's — a 2nd component whose code is a declared
unit or shaped like one (``C\d+``, configurable; undeclared → D002 by the rules), or an
account whose ``open`` metadata names its unit.  Postings of any other account (a
personal ledger's ``Expenses:Food``, another entity's books) are left out of the table,
so no rule sees them and they cost one dictionary lookup each.

Account-level facts are computed once per account, a set of links is read once, and a
transaction's dimensions are resolved once per shape (links × dimension metadata ×
accounts): the table is built in a single pass that mostly lays out rows.
"""

from __future__ import annotations

import datetime
import operator
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, NamedTuple

from beancount.core import data

from sandao.ledger import accounts
from sandao.ledger.model import Declarations, code_value
from sandao.ledger.vocabulary import PROJECT_STREAM, TASK_STREAM, visible

#: Dimensions read from metadata, in table order.
DIMENSIONS: tuple[str, ...] = (
    "unit",
    "stream",
    "function",
    "economic",
    "community",
    "task",
    "project",
    "quota",
    "department",
)

INCOME = "income"
SPENDING = "spending"
OTHER = "other"
#: The role of an account outside the fund's scope: its postings are not in the table.
OUTSIDE = "outside"

#: Metadata keys Beancount puts on every posting; anything more may carry dimensions.
_DIMENSION_KEYS = frozenset(DIMENSIONS)
_AUTOMATIC_KEYS = frozenset({"filename", "lineno", "__automatic__", "__residual__"})
#: Transaction / posting metadata the disclosure documents read (政府采购, “三公”经费, the
#: source of opening balances, vehicles and equipment on 1601, 结余分配, contracts, 三公 groups and
#: persons); kept per transaction so the reports never need the entries.
EXTRA_KEYS = frozenset(
    {
        "procurement",
        "three_public",
        "source",
        "fund_type",
        "carried",
        "vehicle",
        "asset",
        "quantity",
        "budget_item",
        "contract",
        "groups",
        "persons",
    }
)


class Posting(NamedTuple):
    """One row of the posting table."""

    date: datetime.date
    unit: str | None
    stream: str | None
    function: str | None
    economic: str | None
    community: str | None
    task: str | None
    project: str | None
    quota: str | None
    department: str | None
    account: str
    amount: Decimal
    currency: str
    payee: str | None
    narration: str
    links: tuple[str, ...]
    file: str | None
    line: int | None
    role: str
    private_payee: bool
    zero_balance: bool
    txn: int

    @property
    def source(self) -> dict[str, Any]:
        """Where the posting is written, as Beancount entry metadata (what a finding cites)."""
        return {"filename": self.file, "lineno": self.line}


COLUMNS: tuple[str, ...] = Posting._fields


class UnknownLink(NamedTuple):
    """A transaction link that looks like a task or project id but is not declared."""

    kind: str
    link: str
    date: datetime.date
    file: str | None
    line: int | None


@dataclass
class PostingTable:
    """Resolved postings (one :class:`Posting` per row) plus what resolution noticed."""

    rows: list[Posting] = field(default_factory=list)
    unknown_links: list[UnknownLink] = field(default_factory=list)
    #: txn index → {"": transaction's extra metadata, account: a posting's} (:data:`EXTRA_KEYS`)
    extras: dict[int, dict[str, dict[str, Any]]] = field(default_factory=dict)
    _frame: Any = field(default=None, repr=False)

    def __len__(self) -> int:
        return len(self.rows)

    def __iter__(self) -> Iterator[Posting]:
        return iter(self.rows)

    def to_frame(self) -> Any:
        """The table as a pandas DataFrame (amounts stay ``Decimal``); built once."""
        if self._frame is None:
            import pandas as pd

            self._frame = pd.DataFrame.from_records(self.rows, columns=COLUMNS)
        return self._frame


class _AccountFacts(NamedTuple):
    dims: dict[str, str]
    #: The same dimensions as a tuple in :data:`DIMENSIONS` order (None where absent).
    values: tuple[str | None, ...]
    role: str
    zero_balance: bool


_OUTSIDE = _AccountFacts({}, (None,) * len(DIMENSIONS), OUTSIDE, False)


def _normalise_meta(meta: dict[str, Any] | None) -> dict[str, str]:
    if not meta or len(meta) <= 2:
        return {}
    found = {}
    for key, value in meta.items():
        if key in _DIMENSION_KEYS and value is not None:
            code = value.strip() if type(value) is str else code_value(value)
            if code:
                found[key] = code
    return found


def _extra(meta: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in meta.items() if k in EXTRA_KEYS}


class Resolver:
    """Resolves postings against the books' declarations and account metadata."""

    def __init__(
        self,
        entries: Iterable[data.Directive],
        declarations: Declarations,
        task_pattern: Any,
        project_pattern: Any,
        unit_pattern: re.Pattern[str] = accounts.UNIT_SHAPE,
    ) -> None:
        self.decl = declarations
        self.unit_pattern = unit_pattern
        self.task_pattern = task_pattern
        self.project_pattern = project_pattern
        self._open_meta: dict[str, dict[str, str]] = {}
        for entry in entries:
            if isinstance(entry, data.Open):
                self._open_meta[entry.account] = _normalise_meta(entry.meta)
        self._accounts: dict[str, _AccountFacts] = {}
        self._link_facts: dict[frozenset[str], _LinkFacts] = {}

    def account_facts(self, account: str) -> _AccountFacts:
        """Dimensions an account gives by its ``open`` metadata (nearest ancestor) and name."""
        facts = self._accounts.get(account)
        if facts is not None:
            return facts
        dims: dict[str, str] = {}
        name = account
        while name:
            for key, value in self._open_meta.get(name, {}).items():
                dims.setdefault(key, value)
            name = name.rpartition(":")[0]
        unit = accounts.unit_of(account)
        if "unit" not in dims and not (
            unit is not None and (unit in self.decl.units or self.unit_pattern.fullmatch(unit))
        ):
            # C‍101 (zero-width joiner), С101 (Cyrillic), C1O1 …: the fund's account (D002).
            parts = account.split(":", 2)
            unit = accounts.unit_code_part(parts[1]) if len(parts) > 1 else ""
            if not accounts.lookalike_unit(unit, self.unit_pattern):
                facts = self._accounts[account] = _OUTSIDE
                return facts
        from_name = {
            "unit": unit,
            "economic": accounts.economic_of(account),
            "department": accounts.department_of(account),
        }
        for key, value in from_name.items():
            if value:
                dims.setdefault(key, value)
        root = account.split(":", 1)[0]
        if root == "Income":
            role = INCOME
        elif root == "Expenses" or (root == "Assets" and "economic" in dims):
            role = SPENDING
        else:
            role = OTHER
        values = tuple(dims.get(key) for key in DIMENSIONS)
        facts = _AccountFacts(dims, values, role, accounts.gov_code_of(account) == "1011")
        self._accounts[account] = facts
        return facts

    def _link_kind(self, link: str) -> str:
        """``task`` / ``project`` for a declared id, ``?task`` / ``?project`` for an
        undeclared one of that shape, empty for any other link."""
        if self.task_pattern.fullmatch(link):
            return "task" if link in self.decl.tasks else "?task"
        if self.project_pattern.fullmatch(link):
            return "project" if link in self.decl.projects else "?project"
        # ^t2025-001: the right shape in the wrong case is a mistyped id, not a plain link
        if re.fullmatch(self.task_pattern.pattern, link, re.IGNORECASE):
            return "?task"
        if re.fullmatch(self.project_pattern.pattern, link, re.IGNORECASE):
            return "?project"
        return ""

    def build(self, entries: Iterable[data.Directive]) -> PostingTable:
        """One pass over the transactions: the resolved posting table.

        Each transaction is read in three steps: its links (:meth:`_links`, once per set
        of links), its own metadata (:func:`_normalise_meta`, :func:`_extra`), then its
        postings.  A transaction's *plan* — every posting's dimensions, role and the
        零余额 flag — depends only on its links, its dimension metadata and its accounts,
        so :meth:`_plan` resolves it once per such shape (9 in 10 transactions of a
        county repeat one); only a posting with dimensions of its own is resolved alone
        (:meth:`_resolve`).  The loop itself only lays out rows: it is the plugin's hot
        path (100,000 transactions, 200,000 rows).
        """
        table = PostingTable()
        append = table.rows.append
        new_row = tuple.__new__  # skips the named tuple's Python-level constructor
        known_links, plans = self._link_facts, {}
        transaction, plan_of, accounts_of = data.Transaction, self._plan, _ACCOUNTS_OF
        read_keys, automatic_keys = _DIMENSION_KEYS | EXTRA_KEYS, _AUTOMATIC_KEYS
        txn_index = -1
        for entry in entries:
            if not isinstance(entry, transaction):
                continue
            txn_index += 1
            meta, postings = entry.meta, entry.postings
            links = known_links.get(entry.links) or self._links(entry.links)
            if links.unknown:
                _note_unknown_links(table, links, entry)
            key: Any = (entry.links, *map(accounts_of, postings))
            tdims = _NO_DIMS
            if not read_keys.isdisjoint(meta):  # most transactions: one test, nothing to read
                tdims = _normalise_meta(meta)
                if tdims:
                    key = (key, *tdims.items())
                if not EXTRA_KEYS.isdisjoint(meta):
                    table.extras.setdefault(txn_index, {})[""] = _extra(meta)
            plan = plans.get(key) or plan_of(plans, key, postings, tdims, links)
            zero_balance = plan.zero_balance
            private = "payee_type" in meta and meta["payee_type"] == "个人"
            payee, narration, date, ordered = entry.payee, entry.narration, entry.date, links.links
            if not (payee is None or payee.isprintable()):
                payee = visible(payee)  # as it shows: U+200D, U+202E … dropped
            if not narration.isprintable():
                narration = visible(narration)
            for posting, (dims, role) in zip(postings, plan.postings, strict=True):
                if role is OUTSIDE:
                    continue
                pmeta = posting.meta
                if (
                    pmeta
                    and len(pmeta) > 2
                    and not (  # the interpolated posting's, answered without a set
                        len(pmeta) == 3
                        and "__automatic__" in pmeta
                        and "filename" in pmeta
                        and "lineno" in pmeta
                    )
                    and not pmeta.keys() <= automatic_keys
                ):
                    dims = self._own_dims(table, txn_index, posting, tdims, links) or dims
                source = pmeta or meta
                units = posting.units
                (unit, stream, function, economic, community, task, project, quota,
                 department) = dims  # fmt: skip
                append(new_row(Posting, (
                    date, unit, stream, function, economic, community, task, project, quota,
                    department, posting.account, units.number, units.currency, payee, narration,
                    ordered, source.get("filename"), source.get("lineno"), role, private,
                    zero_balance, txn_index)))  # fmt: skip
        return table

    def _links(self, links: frozenset[str]) -> _LinkFacts:
        """What a transaction's links say: the first declared task and project (sorted
        order), the stream they imply, and the undeclared ids of their shape."""
        ordered = tuple(sorted(links)) if links else ()
        task = project = None
        unknown = []
        for link in ordered:
            kind = self._link_kind(link)
            if kind == "task":
                task = task or link
            elif kind == "project":
                project = project or link
            elif kind:
                unknown.append((kind[1:], link))
        stream = TASK_STREAM if task else PROJECT_STREAM if project else None
        facts = _LinkFacts(ordered, task, project, stream, tuple(unknown))
        self._link_facts[links] = facts
        return facts

    def _plan(
        self,
        plans: dict[Any, _Plan],
        key: Any,
        postings: list[data.Posting],
        tdims: dict[str, str],
        links: _LinkFacts,
    ) -> _Plan:
        """Every posting's dimensions and role for one shape of transaction (kept in ``plans``)."""
        facts = [self.account_facts(p.account) for p in postings]
        plan = _Plan(
            tuple(
                (_NO_VALUES, OUTSIDE)
                if f.role is OUTSIDE
                else (self._resolve(f.values, tdims, links), f.role)
                for f in facts
            ),
            any(f.zero_balance for f in facts),
        )
        plans[key] = plan
        return plan

    def _own_dims(
        self,
        table: PostingTable,
        txn_index: int,
        posting: data.Posting,
        tdims: dict[str, str],
        links: _LinkFacts,
    ) -> tuple[str | None, ...] | None:
        """A posting's own metadata: its extras kept, its dimensions resolved over the
        transaction's (None when it has none, so the plan's stand)."""
        pmeta = posting.meta
        if not EXTRA_KEYS.isdisjoint(pmeta):
            table.extras.setdefault(txn_index, {})[posting.account] = _extra(pmeta)
        pdims = _normalise_meta(pmeta)
        if not pdims:
            return None
        values = self.account_facts(posting.account).values
        return self._resolve(values, {**tdims, **pdims}, links)

    def _resolve(
        self, values: tuple[str | None, ...], dims: dict[str, str], links: _LinkFacts
    ) -> tuple[str | None, ...]:
        """One posting's dimensions (:data:`DIMENSIONS` order) in the resolution order:
        metadata over links over the account's, then what the declaration charged gives."""
        unit, stream, function, economic, community, task_id, project_id, quota_id, department = (
            values
        )
        task_id = links.task or task_id
        project_id = links.project or project_id
        stream = links.stream or stream
        if dims:
            get = dims.get
            unit = get("unit") or unit
            stream = get("stream") or stream
            function = get("function") or function
            economic = get("economic") or economic
            community = get("community") or community
            task_id = get("task") or task_id
            project_id = get("project") or project_id
            quota_id = get("quota") or quota_id
            department = get("department") or department
        decl = self.decl
        quota = decl.quotas.get(quota_id) if quota_id else None
        if task_id is None and quota is not None and quota.task in decl.tasks:
            task_id = quota.task
        task = decl.tasks.get(task_id) if task_id else None
        project = decl.projects.get(project_id) if project_id else None
        if quota is not None:
            stream = stream or quota.stream
            function = function or quota.function
            community = community or quota.community
        if task is not None:
            stream = stream or TASK_STREAM
            function = function or task.function
            community = community or task.community
        if project is not None:
            community = community or project.community
        return (unit, stream, function, economic, community, task_id, project_id, quota_id,
                department)  # fmt: skip


class _LinkFacts(NamedTuple):
    """What one set of links says (:meth:`Resolver._links`)."""

    links: tuple[str, ...]
    task: str | None
    project: str | None
    stream: str | None
    #: (kind, link) of the ids of a task's or project's shape that are not declared
    unknown: tuple[tuple[str, str], ...]


class _Plan(NamedTuple):
    """One shape of transaction resolved (:meth:`Resolver._plan`)."""

    #: per posting: its dimensions (:data:`DIMENSIONS` order) and role
    postings: tuple[tuple[tuple[str | None, ...], str], ...]
    zero_balance: bool


_NO_DIMS: dict[str, str] = {}
_NO_VALUES: tuple[None, ...] = (None,) * len(DIMENSIONS)
_ACCOUNTS_OF = operator.attrgetter("account")


def _note_unknown_links(table: PostingTable, links: _LinkFacts, entry: data.Transaction) -> None:
    meta = entry.meta
    for kind, link in links.unknown:
        table.unknown_links.append(
            UnknownLink(kind, link, entry.date, meta.get("filename"), meta.get("lineno"))
        )
