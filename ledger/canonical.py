"""Entries as comparable values: a canonical text, an identity and the units they touch.

Closed periods (C001) hash entries and ``sandao history`` compares them between git
revisions; both need the same two notions, independent of how the books are laid out:

* :func:`canonical` — one line of text per entry that ignores file, line, metadata
  order, posting order and number formatting (``100.00`` and ``100`` read the same).
  It is a plain serialisation of the parsed values, not Beancount's printer output.
* :func:`identity` — what makes "the same entry" across revisions: its ``voucher`` or
  ``id`` metadata, else date, type, accounts, links and narration (audit.md).

:func:`entry_units` says which units an entry belongs to, from account names, ``unit``
metadata and the declarations an id refers to.
"""

from __future__ import annotations

import datetime
import hashlib
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from beancount.core import data
from beancount.core.amount import Amount

from sandao.ledger import accounts
from sandao.ledger.acks import ACK, PERIOD_CLOSE

#: Declarations whose first value is an id other directives refer to.
_DECLARING = frozenset({"task", "project", "quota"})
#: Directives whose first value refers to a declared task, project or quota.
_REFERRING = frozenset({"task-amend", "task-close", "quota-adjust", "target", "output"})

_SKIP_META = frozenset({"filename", "lineno"})


def counts(entry: data.Directive) -> bool:
    """Whether an entry is part of the books' content for digests and history.

    Left out: entries Beancount synthesises (padding, documents found on disk) and
    document directives (attachments, not money).  ``ack`` and ``period-close`` count:
    history lists them, and an ``ack`` is part of a closed period's digest (audit.md).
    """
    kind = type(entry)
    if kind is data.Document or (kind is data.Transaction and entry.flag == "P"):
        return False
    filename = entry.meta.get("filename") if entry.meta else None
    return not (filename and filename.startswith("<"))


#: Not hashed into a closed period: the closes themselves, and the notes explaining a
#: closed year's 决算, which are written after it is closed (disclosure-standard.md).
NOT_DIGESTED = frozenset({PERIOD_CLOSE, "disclosure-note"})


def in_digest(entry: data.Directive) -> bool:
    """Whether an entry is hashed into a closed period: every counted entry, ``ack``
    included, except the ``period-close`` directives and ``disclosure-note``s."""
    if type(entry) is data.Custom and entry.type in NOT_DIGESTED:
        return False
    return counts(entry)


def _number(value: Decimal | None) -> str:
    """A number without formatting: ``100.00``, ``100.0`` and ``100`` all read ``100``."""
    if value is None:
        return ""
    text = str(value)
    if "E" in text or "e" in text:
        return format(value.normalize(), "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("", "-0") else text


def _value(value: Any) -> str:
    kind = type(value)
    if kind is str:
        return value
    if kind is Decimal:
        return _number(value)
    if kind is bool:
        return "TRUE" if value else "FALSE"
    if kind is datetime.date:
        return value.isoformat()
    if kind is Amount:
        return f"{_number(value.number)} {value.currency}"
    if kind is data.Cost:
        return f"{{{_number(value.number)} {value.currency} {value.date} {value.label}}}"
    return repr(value)


def _meta(meta: dict[str, Any] | None) -> str:
    if not meta or len(meta) <= 2:
        return ""
    items = [
        f"{key}={_value(value)}"
        for key, value in meta.items()
        if key not in _SKIP_META and not key.startswith("__")
    ]
    items.sort()
    return "\x1f".join(items)


def _posting(posting: data.Posting) -> str:
    units = posting.units
    if type(units) is Amount:
        number, currency = _number(units.number), units.currency
    else:  # an amount left to interpolation, in books read without booking
        number = currency = ""
    cost, price, meta = posting.cost, posting.price, posting.meta
    return (
        f"{posting.account}\x1e{number}\x1e{currency}"
        f"\x1e{'' if cost is None else _value(cost)}\x1e{'' if price is None else _value(price)}"
        f"\x1e{posting.flag or ''}\x1e{_meta(meta) if meta and len(meta) > 2 else ''}"
    )


def canonical(entry: data.Directive) -> str:
    """One line of text that changes exactly when the entry's content changes."""
    kind = type(entry)
    head = f"{entry.date.isoformat()}\x1d{kind.__name__}"
    meta = _meta(entry.meta)
    if kind is data.Transaction:
        postings = sorted(_posting(p) for p in entry.postings)
        tags = ",".join(sorted(entry.tags)) if entry.tags else ""
        links = ",".join(sorted(entry.links)) if entry.links else ""
        return (
            f"{head}\x1d{entry.flag}\x1d{entry.payee or ''}\x1d{entry.narration}\x1d{tags}"
            f"\x1d{links}\x1d{meta}\x1d{chr(0x1C).join(postings)}"
        )
    if kind is data.Custom:
        values = "\x1e".join(_value(v.value) for v in entry.values)
        return f"{head}\x1d{entry.type}\x1d{values}\x1d{meta}"
    fields = [
        _value(getattr(entry, name))
        for name in kind._fields
        if name not in ("meta", "date") and getattr(entry, name) is not None
    ]
    return f"{head}\x1d{chr(0x1D).join(fields)}\x1d{meta}"


def entry_digest(entry: data.Directive) -> str:
    """A short digest of an entry's canonical form (what a certificate records per entry)."""
    return hashlib.sha256(canonical(entry).encode("utf-8")).hexdigest()[:16]


def base_id(entry: data.Directive) -> str:
    """An entry's id before twins are numbered (audit.md): its ``voucher`` (``:R`` when
    it refunds or reverses that voucher), else its ``id`` metadata, else ``h:`` and a
    digest of its canonical form."""
    meta = entry.meta or {}
    voucher = meta.get("voucher")
    if voucher is not None:
        refund = meta.get("refund_of") or meta.get("reversal_of")
        return (
            f"{voucher}:R" if refund is not None and str(refund) == str(voucher) else str(voucher)
        )
    ident = meta.get("id")
    if ident is not None:
        return str(ident)
    return "h:" + entry_digest(entry)[:12]


def _rough(entry: data.Directive) -> tuple:
    """A cheap key that identical entries share (a canonical form is only computed for
    the entries of one day with the same rough key)."""
    kind = type(entry)
    if kind is data.Transaction:
        return (
            kind,
            entry.payee,
            entry.narration,
            len(entry.postings),
            entry.postings[0].account if entry.postings else "",
        )
    if kind is data.Custom:
        return (kind, entry.type, len(entry.values))
    return (kind, getattr(entry, "account", None))


class EntryIds:
    """Stable ids of the entries of one set of books, computed on demand.

    Identical twins (same base id) are numbered ``-2``, ``-3`` … in the order of
    their canonical form, so the ids do not depend on files or line numbers: an edit
    that moves every line leaves every id as it was.  Only the entries that could be a
    twin of the one asked for are hashed (same voucher/id; or same day and rough shape).
    """

    def __init__(self, entries: Iterable[data.Directive]) -> None:
        self._entries = [e for e in entries if counts(e)]
        self._ids: dict[int, str] = {}
        self._named: dict[str, list[data.Directive]] | None = None
        self._by_date: dict[datetime.date, list[data.Directive]] | None = None
        self._rough: dict[datetime.date, dict[tuple, list[data.Directive]]] = {}

    def _groups(self) -> None:
        named: dict[str, list[data.Directive]] = defaultdict(list)
        by_date: dict[datetime.date, list[data.Directive]] = defaultdict(list)
        for entry in self._entries:
            meta = entry.meta
            if meta and (meta.get("voucher") is not None or meta.get("id") is not None):
                named[base_id(entry)].append(entry)
            else:
                by_date[entry.date].append(entry)
        self._named, self._by_date = named, by_date

    def _number(self, group: list[data.Directive]) -> None:
        if len(group) == 1:  # no twin: the base id as it is
            self._ids[id(group[0])] = base_id(group[0])
            return
        texts = {id(e): canonical(e) for e in group}
        bases: dict[str, list[tuple[str, int]]] = defaultdict(list)
        for entry in group:
            meta = entry.meta or {}
            if meta.get("voucher") is not None or meta.get("id") is not None:
                base = base_id(entry)
            else:
                base = "h:" + hashlib.sha256(texts[id(entry)].encode("utf-8")).hexdigest()[:12]
            bases[base].append((texts[id(entry)], id(entry)))
        for base, items in bases.items():
            items.sort()
            for n, (_, key) in enumerate(items, 1):
                self._ids[key] = base if n == 1 else f"{base}-{n}"

    def of(self, entry: data.Directive) -> str:
        found = self._ids.get(id(entry))
        if found is not None:
            return found
        if self._named is None:
            self._groups()
        assert self._named is not None and self._by_date is not None
        meta = entry.meta or {}
        if meta.get("voucher") is not None or meta.get("id") is not None:
            self._number(self._named.get(base_id(entry), [entry]))
        else:
            day = self._rough.get(entry.date)
            if day is None:
                day = defaultdict(list)
                for other in self._by_date.get(entry.date, []):
                    day[_rough(other)].append(other)
                self._rough[entry.date] = day
            self._number(day.get(_rough(entry)) or [entry])
        return self._ids.get(id(entry)) or base_id(entry)

    def all(self) -> list[tuple[str, data.Directive]]:
        """(id, entry) for every counted entry."""
        return [(self.of(e), e) for e in self._entries]


def entry_accounts(entry: data.Directive) -> tuple[str, ...]:
    """The accounts an entry names (postings, or the directive's account)."""
    kind = type(entry)
    if kind is data.Transaction:
        return tuple(sorted({p.account for p in entry.postings}))
    if kind is data.Pad:
        return (entry.account, entry.source_account)
    account = getattr(entry, "account", None)
    return (account,) if account else ()


def identity(entry: data.Directive) -> tuple:
    """What makes two revisions' entries "the same entry" (audit.md)."""
    meta = entry.meta or {}
    for key in ("voucher", "id"):
        value = meta.get(key)
        if value is not None:
            return (key, _value(value))
    kind = type(entry)
    if kind is data.Transaction:
        links = tuple(sorted(entry.links)) if entry.links else ()
        return (entry.date, "txn", entry_accounts(entry), links, entry.narration)
    if kind is data.Custom:
        first = _value(entry.values[0].value) if entry.values else ""
        return (entry.date, entry.type, first)
    if kind is data.Balance:
        return (entry.date, "balance", entry.account, entry.amount.currency)
    return (entry.date, kind.__name__.lower(), entry_accounts(entry))


def declared_units(entries: Iterable[data.Directive]) -> dict[str, str]:
    """Task, project and quota id → the unit its declaration names."""
    units: dict[str, str] = {}
    for entry in entries:
        if type(entry) is data.Custom and entry.type in _DECLARING and entry.values:
            unit = entry.meta.get("unit")
            if isinstance(unit, str):
                units.setdefault(str(entry.values[0].value), unit.strip())
    return units


class UnitIndex:
    """Which units an entry belongs to (cached per account)."""

    def __init__(self, id_units: dict[str, str]) -> None:
        self.id_units = id_units
        self._accounts: dict[str, str | None] = {}

    def account_unit(self, account: str) -> str | None:
        found = self._accounts.get(account, "")
        if found == "":
            found = self._accounts[account] = accounts.unit_of(account)
        return found

    def units(self, entry: data.Directive) -> set[str]:
        """Units of an entry: account units, ``unit`` metadata, the unit of the id it names."""
        found: set[str] = set()
        meta = entry.meta
        if meta and len(meta) > 2:
            unit = meta.get("unit")
            if isinstance(unit, str):
                found.add(unit.strip())
        kind = type(entry)
        if kind is data.Transaction:
            cache = self._accounts
            for posting in entry.postings:
                account = posting.account
                code = cache.get(account, "")
                if code == "":
                    code = self.account_unit(account)
                if code:
                    found.add(code)
                pmeta = posting.meta
                if pmeta and len(pmeta) > 2 and isinstance(pmeta.get("unit"), str):
                    found.add(pmeta["unit"].strip())
        elif kind is data.Custom:
            first = str(entry.values[0].value) if entry.values else ""
            if entry.type == "unit":
                found.add(first)
            elif entry.type in _REFERRING and first in self.id_units:
                found.add(self.id_units[first])
            elif entry.type == ACK and len(entry.values) > 1:
                ident = str(entry.values[1].value)
                if ident in self.id_units:
                    found.add(self.id_units[ident])
        else:
            for account in entry_accounts(entry):
                code = self.account_unit(account)
                if code:
                    found.add(code)
        return found


@dataclass(frozen=True)
class Change:
    """One entry added, removed or changed between two versions of the books."""

    kind: str  # "added" / "removed" / "changed"
    old: data.Directive | None
    new: data.Directive | None

    @property
    def entry(self) -> data.Directive:
        return self.new if self.new is not None else self.old  # type: ignore[return-value]


ADDED, REMOVED, CHANGED = "added", "removed", "changed"


def _unmatched(
    items: list[tuple[str, data.Directive]], others: list[tuple[str, data.Directive]]
) -> list[data.Directive]:
    """Entries of ``items`` whose text ``others`` does not hold (as many times)."""
    available: dict[str, int] = defaultdict(int)
    for text, _ in others:
        available[text] += 1
    left = []
    for text, entry in items:
        if available.get(text):
            available[text] -= 1
        else:
            left.append(entry)
    return left


def diff_entries(old: Iterable[data.Directive], new: Iterable[data.Directive]) -> list[Change]:
    """Entries added, removed or changed, compared as entries (identity, then content)."""
    before: dict[tuple, list[tuple[str, data.Directive]]] = defaultdict(list)
    after: dict[tuple, list[tuple[str, data.Directive]]] = defaultdict(list)
    for side, entries in ((before, old), (after, new)):
        for entry in entries:
            if counts(entry):
                side[identity(entry)].append((canonical(entry), entry))
    changes: list[Change] = []
    for key in before.keys() | after.keys():
        olds, news = before.get(key, []), after.get(key, [])
        left_old, left_new = _unmatched(olds, news), _unmatched(news, olds)
        for a, b in zip(left_old, left_new, strict=False):
            changes.append(Change(CHANGED, a, b))
        changes += [Change(REMOVED, a, None) for a in left_old[len(left_new) :]]
        changes += [Change(ADDED, None, b) for b in left_new[len(left_old) :]]
    changes.sort(key=lambda c: (c.entry.date, c.kind, canonical(c.entry)))
    return changes


def where(entry: data.Directive) -> str:
    """``file:line`` of an entry (file name only, as in messages)."""
    meta = entry.meta or {}
    filename = str(meta.get("filename") or "")
    return f"{filename.rsplit('/', 1)[-1]}:{meta.get('lineno') or 0}"


def describe(entry: data.Directive) -> str:
    """A short Chinese-first description: date, kind and what it says."""
    kind = type(entry)
    if kind is data.Transaction:
        payee = f"{entry.payee} " if entry.payee else ""
        return f"{entry.date} {payee}{entry.narration}"
    if kind is data.Custom:
        values = " ".join(_value(v.value) for v in entry.values[:2])
        return f"{entry.date} custom {entry.type} {values}"
    accounts_ = " ".join(entry_accounts(entry))
    return f"{entry.date} {kind.__name__.lower()} {accounts_}".strip()
