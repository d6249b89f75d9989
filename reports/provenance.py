"""Provenance: every figure of the auditor's edition keeps the postings it sums.

A :class:`Traced` number is a ``Decimal`` that remembers where it came from: the posting
table rows (and their signed yuan amounts) of a finest figure, or the figures it was added
from.  The report builders need not know: they add and subtract as before, and because
``Traced`` is a ``Decimal`` subclass with its own reflected operators, ``sum()`` and
``ZERO + x`` keep the trace.  The tree is flattened only when a cell is written, so a
合计 over thousands of postings costs one node per addition.

Only ``sandao report --edition audit`` builds traced figures (reports.md, "Provenance");
the public edition is built exactly as before.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import Any

#: One counted posting: (posting table row index, signed yuan as the figure counts it).
Ref = tuple[int, Decimal]


class Traced(Decimal):
    """A figure and the postings behind it (``refs`` of its own, ``parts`` it sums)."""

    __slots__ = ("_from", "_parts", "_refs", "yuan")

    def __new__(
        cls,
        value: Any = "0",
        refs: Iterable[Ref] = (),
        parts: tuple[tuple[int, Decimal], ...] = (),
    ) -> Traced:
        refs = tuple(refs)
        yuan = ZERO
        for _, amount in refs:
            yuan += amount
        for sign, part in parts:
            if type(part) is Traced:
                yuan += part.yuan if sign > 0 else -part.yuan
        return _node(value, refs, parts, yuan)

    def __add__(self, other: Any) -> Decimal:
        value = _ADD(self, other)
        if type(other) is Traced:
            return _node(value, (), ((1, self), (1, other)), self.yuan + other.yuan)
        # a new figure even for + 0: each cell keeps its own identity (its link, its parts)
        return _node(value, (), ((1, self),), self.yuan)

    def __radd__(self, other: Any) -> Decimal:  # other: a plain Decimal or an int (sum())
        return _node(Decimal.__radd__(self, other), (), ((1, self),), self.yuan)

    def __sub__(self, other: Any) -> Decimal:
        value = _SUB(self, other)
        if type(other) is Traced:
            return _node(value, (), ((1, self), (-1, other)), self.yuan - other.yuan)
        return _node(value, (), ((1, self),), self.yuan)

    def __rsub__(self, other: Any) -> Traced:
        return _node(Decimal.__rsub__(self, other), (), ((-1, self),), -self.yuan)

    def __neg__(self, context: Any = None) -> Traced:
        return _node(Decimal.__neg__(self), (), ((-1, self),), -self.yuan)

    def __reduce__(self) -> Any:  # pickled into report workers: keep the trace
        return (_rebuild, (str(self), self._refs, self._parts, self._from))


ZERO = Decimal(0)
_ADD, _SUB, _NEW = Decimal.__add__, Decimal.__sub__, Decimal.__new__


def _node(value: Any, refs: tuple, parts: tuple, yuan: Decimal) -> Traced:
    """A traced figure whose yuan is already known (the operators' fast path)."""
    obj = _NEW(Traced, value)
    obj._refs = refs
    obj._parts = parts  # (sign, figure) pairs
    obj._from = ()  # a derived figure (a share, a per-household figure): (op, operands…)
    obj.yuan = yuan  # the yuan behind the figure, kept as it is built (no walk)
    return obj


def total(values: Iterable[Decimal], minus: Iterable[Decimal] = ()) -> Decimal:
    """Σ ``values`` − Σ ``minus`` as one figure that names every traced term (one node for
    thousands of terms, where ``+=`` would chain a node per term); a plain sum when none
    is traced."""
    value, yuan, parts = ZERO, ZERO, []
    for sign, terms in ((1, values), (-1, minus)):
        for term in terms:
            value = _ADD(value, term) if sign > 0 else _SUB(value, term)
            if type(term) is Traced:
                parts.append((sign, term))
                yuan = yuan + term.yuan if sign > 0 else yuan - term.yuan
    if not parts:
        return value
    return _node(value, (), tuple(parts), yuan)


def derived(value: Decimal, op: str, *operands: Any) -> Decimal:
    """``value`` computed by ``op`` ("÷", "−"…) from ``operands``: when one of them is
    traced, a figure that names them (the auditor's edition shows where it comes from
    instead of summing entries); otherwise ``value`` itself."""
    if not any(isinstance(x, Traced) for x in operands):
        return value
    out = Traced(value)
    out._from = (op, *operands)
    return out


def derivation(figure: Any) -> tuple:
    """``(op, operand, …)`` of a derived figure, else ``()``."""
    return figure._from if isinstance(figure, Traced) else ()


def yuan_of(figure: Any) -> Decimal:
    """The yuan behind a figure (0 for an untraced one)."""
    return figure.yuan if isinstance(figure, Traced) else Decimal(0)


def _rebuild(value: str, refs: tuple[Ref, ...], parts: tuple, source: tuple = ()) -> Traced:
    out = Traced(value, refs, parts)
    out._from = source
    return out


def retrace(value: Decimal, like: Decimal) -> Decimal:
    """``value`` (a rounded figure) carrying the trace of ``like``."""
    if isinstance(like, Traced):
        return Traced(value, (), ((1, like),))
    return value


def netted(figure: Any) -> dict[int, Decimal]:
    """Posting row → net signed yuan behind ``figure`` (rows that net to zero left out):
    every posting of its tree with the sign the figure counts it with."""
    out: dict[int, Decimal] = {}
    get = out.get
    stack: list[tuple[int, Any]] = [(1, figure)]
    while stack:
        sign, node = stack.pop()
        if type(node) is not Traced:
            continue
        for row, amount in node._refs:
            out[row] = get(row, ZERO) + amount if sign > 0 else get(row, ZERO) - amount
        for inner, part in node._parts:
            if type(part) is not Traced:
                continue
            if not part._parts:  # a leaf (a posting's amount): counted here, not stacked
                positive = (sign > 0) == (inner > 0)
                for row, amount in part._refs:
                    out[row] = get(row, ZERO) + amount if positive else get(row, ZERO) - amount
            else:
                stack.append((sign if inner > 0 else -sign, part))
    return {row: amount for row, amount in out.items() if amount}
