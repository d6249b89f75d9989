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

Account-level facts are computed once per account, transaction-level facts once per
transaction, so the table is built in a single pass.
"""

from __future__ import annotations

import datetime
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

        Kept in one piece on purpose: this is the plugin's hot loop (100,000 transactions,
        200,000 rows).  Split into a call per transaction it took 10 % longer, and a cache
        of resolved shapes (dimensions × links × accounts) cost more to key than the
        resolution it saved (0.80 s → 0.88–0.93 s CPU at 100,000 transactions, measured).
        """
        table = PostingTable()
        rows = table.rows
        tasks, projects, quotas = self.decl.tasks, self.decl.projects, self.decl.quotas
        link_kinds: dict[str, str] = {}
        facts_of = self.account_facts
        account_cache = self._accounts
        # tuple.__new__ skips the named tuple's Python-level constructor: a third of the pass.
        new_row = tuple.__new__
        txn_index = -1
        for entry in entries:
            if not isinstance(entry, data.Transaction):
                continue
            txn_index += 1
            meta = entry.meta
            tdims = _normalise_meta(meta)
            if len(meta) > 2 and not EXTRA_KEYS.isdisjoint(meta):
                table.extras.setdefault(txn_index, {})[""] = _extra(meta)
            link_task = link_project = None
            links = tuple(sorted(entry.links)) if entry.links else ()
            for link in links:
                kind = link_kinds.get(link)
                if kind is None:
                    kind = link_kinds[link] = self._link_kind(link)
                if kind == "task":
                    link_task = link_task or link
                elif kind == "project":
                    link_project = link_project or link
                elif kind:
                    table.unknown_links.append(
                        UnknownLink(
                            kind[1:], link, entry.date, meta.get("filename"), meta.get("lineno")
                        )
                    )
            link_stream = TASK_STREAM if link_task else PROJECT_STREAM if link_project else None
            private = meta.get("payee_type") == "个人"
            # Names as they show (U+200D, U+202E … dropped): one payee whatever was slipped in.
            payee, narration = entry.payee, entry.narration
            if not (payee is None or payee.isprintable()):
                payee = visible(payee)
            if not narration.isprintable():
                narration = visible(narration)
            postings = entry.postings
            facts = [account_cache.get(p.account) or facts_of(p.account) for p in postings]
            zero_balance = False
            for f in facts:
                if f.zero_balance:
                    zero_balance = True
                    break
            for posting, account_facts in zip(postings, facts, strict=True):
                if account_facts.role is OUTSIDE:
                    continue
                pmeta = posting.meta
                if pmeta and len(pmeta) > 2 and pmeta.keys() - _AUTOMATIC_KEYS:
                    dims = {**tdims, **_normalise_meta(pmeta)}
                    if not EXTRA_KEYS.isdisjoint(pmeta):
                        extra = table.extras.setdefault(txn_index, {})
                        extra[posting.account] = _extra(pmeta)
                else:
                    dims = tdims
                (unit, stream, function, economic, community, task_id, project_id, quota_id,
                 department) = account_facts.values  # fmt: skip
                if link_task:
                    task_id = link_task
                if link_project:
                    project_id = link_project
                if link_stream:
                    stream = link_stream
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
                quota = quotas.get(quota_id) if quota_id else None
                if task_id is None and quota is not None and quota.task in tasks:
                    task_id = quota.task
                task = tasks.get(task_id) if task_id else None
                project = projects.get(project_id) if project_id else None
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
                units = posting.units
                source = pmeta or meta
                rows.append(
                    new_row(
                        Posting,
                        (
                            entry.date,
                            unit,
                            stream,
                            function,
                            economic,
                            community,
                            task_id,
                            project_id,
                            quota_id,
                            department,
                            posting.account,
                            units.number,
                            units.currency,
                            payee,
                            narration,
                            links,
                            source.get("filename"),
                            source.get("lineno"),
                            account_facts.role,
                            private,
                            zero_balance,
                            txn_index,
                        ),
                    )
                )
        return table
