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

from collections.abc import Iterable, Iterator
from decimal import Decimal
from typing import Any

#: One counted posting: (posting table row index, signed yuan as the figure counts it).
Ref = tuple[int, Decimal]


class Traced(Decimal):
    """A figure and the postings behind it (``refs`` of its own, ``parts`` it sums)."""

    __slots__ = ("_from", "_negated", "_parts", "_refs", "yuan")

    def __new__(
        cls,
        value: Any = "0",
        refs: Iterable[Ref] = (),
        parts: tuple[tuple[int, Decimal], ...] = (),
    ) -> Traced:
        obj = super().__new__(cls, value)
        obj._refs = tuple(refs)
        obj._parts = parts  # (sign, figure) pairs
        obj._negated = False
        obj._from = ()  # a derived figure (a share, a per-household figure): (op, operands…)
        # the yuan behind the figure, kept as it is built (no walk over the postings)
        obj.yuan = sum((a for _, a in obj._refs), Decimal(0)) + sum(
            (sign * yuan_of(part) for sign, part in parts), Decimal(0)
        )
        return obj

    def _with(self, value: Decimal, parts: tuple[tuple[int, Decimal], ...]) -> Traced:
        return Traced(value, (), parts)

    def __add__(self, other: Any) -> Traced:
        return self._with(Decimal.__add__(self, other), ((1, self), (1, other)))

    def __radd__(self, other: Any) -> Traced:
        return self._with(Decimal.__radd__(self, other), ((1, other), (1, self)))

    def __sub__(self, other: Any) -> Traced:
        return self._with(Decimal.__sub__(self, other), ((1, self), (-1, other)))

    def __rsub__(self, other: Any) -> Traced:
        return self._with(Decimal.__rsub__(self, other), ((1, other), (-1, self)))

    def __neg__(self, context: Any = None) -> Traced:
        return self._with(Decimal.__neg__(self), ((-1, self),))

    def __reduce__(self) -> Any:  # pickled into report workers: keep the trace
        return (_rebuild, (str(self), self._refs, self._parts, self._from))


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


def refs_of(figure: Any) -> Iterator[Ref]:
    """Every posting behind ``figure`` with its sign as the figure counts it."""
    stack: list[tuple[int, Any]] = [(1, figure)]
    while stack:
        sign, node = stack.pop()
        if not isinstance(node, Traced):
            continue
        for row, amount in node._refs:
            yield row, amount if sign > 0 else -amount
        for inner, part in node._parts:
            stack.append((sign * inner, part))


def netted(figure: Any) -> dict[int, Decimal]:
    """Posting row → net signed yuan behind ``figure`` (rows that net to zero left out)."""
    out: dict[int, Decimal] = {}
    for row, amount in refs_of(figure):
        out[row] = out.get(row, Decimal(0)) + amount
    return {row: amount for row, amount in out.items() if amount}
