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
accounts): the single pass over the transactions files each under its :class:`Shape`.
The rows are laid out only when something reads them (the reports); the rules read the
shapes, so the plugin's load never lays out more than the rows a rule may flag.
"""

from __future__ import annotations

import datetime
import itertools
import operator
import re
from array import array
from collections.abc import Iterable, Iterator, Sequence
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


class Shape:
    """One shape of transaction — links, dimension metadata and accounts — resolved once,
    with the transactions of that shape (their indices, in table order).

    ``postings`` gives each posting's dimensions (:data:`DIMENSIONS` order) and role;
    ``slots`` the positions of those in the table (not :data:`OUTSIDE`), so a rule that
    depends only on a posting's dimensions is decided once per slot, not once per row.
    """

    __slots__ = (
        "accounts",
        "dates",
        "links",
        "money",
        "postings",
        "slots",
        "txns",
        "unknown",
        "zero_balance",
    )

    def __init__(
        self,
        accounts: tuple[str, ...],
        links: _LinkFacts,
        postings: tuple[tuple[tuple[str | None, ...], str], ...],
        zero_balance: bool,
    ) -> None:
        self.accounts = accounts
        #: the transactions' links, sorted (every transaction of a shape has the same)
        self.links = links.links
        #: (kind, link) of the links shaped like a task's or project's id but undeclared
        self.unknown = links.unknown
        self.postings = postings
        self.zero_balance = zero_balance
        self.slots = tuple(i for i, (_, role) in enumerate(postings) if role is not OUTSIDE)
        self.txns: list[int] = []
        #: each transaction's date, and the amount of each income and spending posting
        #: (by position): what :func:`~sandao.ledger.funding.gather` adds up, filed by
        #: :meth:`Resolver.build` while the entry is at hand
        self.dates: list[datetime.date] = []
        self.money: tuple[tuple[int, list[Decimal]], ...] = tuple(
            (i, []) for i, (_, role) in enumerate(postings) if role in (INCOME, SPENDING)
        )


class PostingTable:
    """Resolved postings (one :class:`Posting` per row) plus what resolution noticed.

    :meth:`Resolver.build` records each transaction with its :class:`Shape`; the rows are
    laid out from them the first time :attr:`rows` is read.  The rules read the shapes
    (:attr:`shapes`, :meth:`shape_rows`, :meth:`money`) and lay out only the rows a rule
    may find something in, so the plugin's load never builds the 200,000 rows of a county
    that only the reports read.
    """

    def __init__(self) -> None:
        #: txn index → {"": transaction's extra metadata, account: a posting's} (:data:`EXTRA_KEYS`)
        self.extras: dict[int, dict[str, dict[str, Any]]] = {}
        self.shapes: list[Shape] = []
        self._entries: list[data.Transaction] = []  # by txn index
        self._txn_shapes: list[Shape] = []  # by txn index
        self._rows: list[Posting] | None = None
        self._starts: Sequence[int] | None = None  # txn index → its first row
        #: money and sources are read from the rows (put in place, or the entries let go)
        self._from_rows = False
        self._unknown: list[UnknownLink] | None = None
        self._frame: Any = None

    @property
    def rows(self) -> list[Posting]:
        """Every posting of the fund's accounts, in the books' order (laid out once)."""
        return self._rows if self._rows is not None else self.lay_out()

    @rows.setter
    def rows(self, rows: list[Posting]) -> None:
        """Rows in place of the laid-out ones, row for row (an auditor's copy traces
        their amounts): :meth:`money` reads them from then on."""
        self._rows = rows
        self._from_rows = True
        self._frame = None

    @property
    def unknown_links(self) -> list[UnknownLink]:
        """Every transaction's links shaped like a task's or project's id but undeclared."""
        if self._unknown is not None:
            return self._unknown
        found = []
        for shape in self.shapes:
            for txn in shape.txns if shape.unknown else ():
                entry = self._entries[txn]
                file, line = entry.meta.get("filename"), entry.meta.get("lineno")
                for kind, link in shape.unknown:
                    found.append((txn, UnknownLink(kind, link, entry.date, file, line)))
        return [link for _, link in sorted(found, key=lambda pair: pair[0])]

    def lay_out(self) -> list[Posting]:
        """Lay the rows out now, once (before forking workers that all read them)."""
        if self._rows is None:
            self._rows = _lay_out(self._entries, self._txn_shapes)
        return self._rows

    def __len__(self) -> int:
        if self._rows is None:
            return sum(len(shape.slots) * len(shape.txns) for shape in self.shapes)
        return len(self._rows)

    def __iter__(self) -> Iterator[Posting]:
        return iter(self.rows)

    def to_frame(self) -> Any:
        """The table as a pandas DataFrame (amounts stay ``Decimal``); built once."""
        if self._frame is None:
            import pandas as pd

            self._frame = pd.DataFrame.from_records(self.rows, columns=COLUMNS)
        return self._frame

    def shape_rows(self, shape: Shape) -> list[list[Posting]]:
        """The rows of each transaction of ``shape``, in table order."""
        if self._rows is None:
            entries = self._entries
            return [_transaction_rows(txn, entries[txn], shape) for txn in shape.txns]
        rows, starts, width = self._rows, self._row_starts(), len(shape.slots)
        return [rows[starts[txn] : starts[txn] + width] for txn in shape.txns]

    def money(self, shape: Shape, position: int) -> Iterable[tuple[datetime.date, Decimal, int]]:
        """(date, amount, txn) of the income or spending posting at ``position`` in each
        transaction of ``shape`` — the rows' own amounts once the rows are the source
        (put in place of the laid-out ones: an auditor's copy traces them; or the
        entries let go, :meth:`release_entries`)."""
        if not self._from_rows:
            amounts = next(amounts for at, amounts in shape.money if at == position)
            return zip(shape.dates, amounts, shape.txns, strict=True)
        rows, starts, offset = self._rows, self._row_starts(), shape.slots.index(position)
        picked = [rows[starts[txn] + offset] for txn in shape.txns]
        return [(row.date, row.amount, row.txn) for row in picked]

    def source(self, txn: int, position: int) -> dict[str, Any]:
        """The metadata of the posting at ``position`` of transaction ``txn`` (the
        transaction's when the posting has none): the place a finding cites."""
        if self._from_rows:
            shape = self._txn_shapes[txn]
            row = self._rows[self._row_starts()[txn] + shape.slots.index(position)]
            return {"filename": row.file, "lineno": row.line}
        entry = self._entries[txn]
        return entry.postings[position].meta or entry.meta

    def release_entries(self) -> None:
        """Lay the rows out and let go of the entries and the shapes' money (``sandao
        report`` frees the entries before the builders run): from then on the money and
        the sources are read from the rows."""
        self.lay_out()
        self._unknown = self.unknown_links
        self._entries = []
        self._from_rows = True
        for shape in self.shapes:
            shape.dates = []
            shape.money = tuple((position, []) for position, _ in shape.money)

    def _row_starts(self) -> Sequence[int]:
        """Transaction index → its first row (unboxed: 100,000 of them)."""
        if self._starts is None:
            widths = [len(shape.slots) for shape in self._txn_shapes]
            self._starts = array("q", itertools.accumulate(widths, initial=0))
        return self._starts


def _transaction_rows(txn_index: int, entry: data.Transaction, shape: Shape) -> list[Posting]:
    """One transaction's rows (:func:`_lay_out` for a single transaction)."""
    return _lay_out([entry], [shape], txn_index)


def _lay_out(
    entries: list[data.Transaction], shapes: list[Shape], first_index: int = 0
) -> list[Posting]:
    """The rows of transactions whose dimensions their shapes hold: the table's hot loop."""
    rows: list[Posting] = []
    append = rows.append
    new_row = tuple.__new__  # skips the named tuple's Python-level constructor
    outside = OUTSIDE
    for txn_index, (entry, shape) in enumerate(zip(entries, shapes, strict=True), first_index):
        meta = entry.meta
        zero_balance = shape.zero_balance
        private = "payee_type" in meta and meta["payee_type"] == "个人"
        payee, narration, date = entry.payee, entry.narration, entry.date
        ordered = shape.links
        if not (payee is None or payee.isprintable()):
            payee = visible(payee)  # as it shows: U+200D, U+202E … dropped
        if not narration.isprintable():
            narration = visible(narration)
        for posting, (dims, role) in zip(entry.postings, shape.postings, strict=True):
            if role is outside:
                continue
            source = posting.meta or meta
            units = posting.units
            (unit, stream, function, economic, community, task, project, quota,
             department) = dims  # fmt: skip
            append(new_row(Posting, (
                date, unit, stream, function, economic, community, task, project, quota,
                department, posting.account, units.number, units.currency, payee, narration,
                ordered, source.get("filename"), source.get("lineno"), role, private,
                zero_balance, txn_index)))  # fmt: skip
    return rows


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
        """One pass over the transactions: each one's :class:`Shape`, resolved once per shape.

        A transaction's dimensions depend only on its links, its dimension metadata
        (the transaction's, and any posting's own) and its accounts, so the pass reads
        those (:meth:`_links` once per set of links, :func:`_normalise_meta`,
        :meth:`_own_key`), resolves each new shape (:meth:`_shape`) and files the
        transaction under it — 9 in 10 transactions of a county repeat a shape.  The
        rows are laid out only when read (:attr:`PostingTable.rows`).  This is the
        plugin's hot path (100,000 transactions).
        """
        table = PostingTable()
        shapes: dict[Any, Shape] = {}
        transaction, new_shape, accounts_of = data.Transaction, self._shape, _ACCOUNTS_OF
        read_keys, own_key = _DIMENSION_KEYS | EXTRA_KEYS, self._own_key
        filed, shape_of = table._entries.append, table._txn_shapes.append
        txn_index = -1
        for entry in entries:
            if not isinstance(entry, transaction):
                continue
            txn_index += 1
            meta, postings = entry.meta, entry.postings
            key: Any = (entry.links, *map(accounts_of, postings))
            tdims = _NO_DIMS
            if not read_keys.isdisjoint(meta):  # most transactions: one test, nothing to read
                tdims = _normalise_meta(meta)
                if tdims:
                    key = (key, *tdims.items())
                if not EXTRA_KEYS.isdisjoint(meta):
                    table.extras.setdefault(txn_index, {})[""] = _extra(meta)
            own = None
            for posting in postings:
                pmeta = posting.meta
                if (
                    pmeta
                    and len(pmeta) > 2
                    and (len(pmeta) > 3 or "__automatic__" not in pmeta)  # not interpolated
                    and _own_meta(pmeta)
                ):
                    own = own_key(table, txn_index, postings)
                    if own:
                        key = (key, own)
                    break
            shape = shapes.get(key) or new_shape(shapes, key, entry, tdims, own)
            shape.txns.append(txn_index)
            shape.dates.append(entry.date)
            for position, amounts in shape.money:
                amounts.append(postings[position].units.number)
            filed(entry)
            shape_of(shape)
        table.shapes = list(shapes.values())
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

    def _shape(
        self,
        shapes: dict[Any, Shape],
        key: Any,
        entry: data.Transaction,
        tdims: dict[str, str],
        own: tuple[tuple[Any, ...], ...] | None,
    ) -> Shape:
        """Every posting's dimensions and role for one shape of transaction (kept in ``shapes``)."""
        postings = entry.postings
        links = self._link_facts.get(entry.links) or self._links(entry.links)
        facts = [self.account_facts(p.account) for p in postings]
        own_dims = {position: dict(items) for position, *items in own or ()}
        resolved = []
        for position, f in enumerate(facts):
            if f.role is OUTSIDE:
                resolved.append((_NO_VALUES, OUTSIDE))
                continue
            pdims = own_dims.get(position)
            dims = {**tdims, **pdims} if pdims else tdims
            resolved.append((self._resolve(f.values, dims, links), f.role))
        shape = Shape(
            tuple(p.account for p in postings),
            links,
            tuple(resolved),
            any(f.zero_balance for f in facts),
        )
        shapes[key] = shape
        return shape

    def _own_key(
        self, table: PostingTable, txn_index: int, postings: list[data.Posting]
    ) -> tuple[tuple[Any, ...], ...] | None:
        """The postings' own dimension metadata, ``(position, *items)`` each (None when
        none has any), part of the transaction's shape; their extras kept."""
        found = []
        for position, posting in enumerate(postings):
            pmeta = posting.meta
            if not (pmeta and len(pmeta) > 2 and _own_meta(pmeta)):
                continue
            if self.account_facts(posting.account).role is OUTSIDE:
                continue
            if not EXTRA_KEYS.isdisjoint(pmeta):
                table.extras.setdefault(txn_index, {})[posting.account] = _extra(pmeta)
            pdims = _normalise_meta(pmeta)
            if pdims:
                found.append((position, *pdims.items()))
        return tuple(found) or None

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


_NO_DIMS: dict[str, str] = {}
_NO_VALUES: tuple[None, ...] = (None,) * len(DIMENSIONS)
_ACCOUNTS_OF = operator.attrgetter("account")


def _own_meta(pmeta: dict[str, Any]) -> bool:
    """Whether a posting's metadata (more than two keys) holds more than Beancount's own:
    the interpolated posting's three keys are answered without a set."""
    if len(pmeta) == 3 and "__automatic__" in pmeta and "filename" in pmeta and "lineno" in pmeta:
        return False
    return not pmeta.keys() <= _AUTOMATIC_KEYS
