"""The shapes every builder returns and every writer reads: tables and reports.

A builder fills :class:`Table` objects with exact ``Decimal`` figures (and the 合计
row it computed itself); writers only format.  Keeping this contract in one module
is what lets the HTML, PDF, XLSX, CSV and JSON writers — and the Fava extension —
share every builder unchanged.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import ROUND_FLOOR, ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd

ZERO = Decimal(0)
FEN = Decimal("0.01")
WAN = Decimal(10000)

#: Column kinds a writer knows how to format.
TEXT, MONEY, RATE, NUMBER, DATE = "text", "money", "rate", "number", "date"
#: Text an internal paper shows as written (the audit working paper's voucher numbers):
#: no public-report masking of long digit runs; invisible characters still removed.
VERBATIM = "verbatim"
#: A list of (date, amount) pairs, e.g. a task's transfers.
TRANSFERS = "transfers"

WAN_NOTE = (
    "本表金额单位为万元，按最大余数法四舍五入，各行之和等于合计，与元为单位的明细可能相差尾数。"
)


@dataclass(frozen=True)
class Column:
    """One column of a table: key in the frame, Chinese label, kind for formatting."""

    key: str
    label: str
    kind: str = TEXT

    @staticmethod
    def many(kind: str = TEXT, /, **labels: str) -> list[Column]:
        """Columns of one kind in the order given: ``Column.many(MONEY, spent="已支出")``."""
        return [Column(key, label, kind) for key, label in labels.items()]


@dataclass
class Table:
    """A titled table: data rows, an optional 合计 row, notes, the money unit.

    ``rows`` are the builder's dicts as built; a key a row lacks reads as None and a key
    that is no column (nor ``level``) is never written.
    """

    key: str
    title: str
    columns: list[Column]
    rows: list[dict[str, Any]]
    total: dict[str, Any] | None = None
    notes: list[str] = field(default_factory=list)
    scale: str = "元"
    #: Key of a row value holding an indent level (0 = 类, 1 = 款, 2 = 项).
    level: str | None = None
    public: bool = True
    #: Exact totals in yuan of the money columns, before any 万元 rounding.
    exact: dict[str, Decimal] | None = None
    #: Rows printed on paper (HTML/PDF), e.g. to keep a notice on one page; the
    #: spreadsheet and the open data carry every row.  None: all.
    shown: int | None = None

    @property
    def hidden(self) -> int:
        """How many rows the printed page leaves to the spreadsheet and open data."""
        if self.shown is None:
            return 0
        return max(0, len(self.rows) - self.shown)

    def printed(self) -> list[dict[str, Any]]:
        """The rows a printed page shows (the first ``shown``)."""
        rows = self.records()
        return rows if self.shown is None else rows[: self.shown]

    @property
    def keys(self) -> list[str]:
        """The keys a written row carries: the columns', then ``level``."""
        return [c.key for c in self.columns] + ([self.level] if self.level else [])

    @property
    def money_keys(self) -> list[str]:
        return [c.key for c in self.columns if c.kind == MONEY]

    @property
    def empty(self) -> bool:
        """No rows, or no money in any row: published marked 无."""
        if not self.rows:
            return True
        keys = self.money_keys
        if not keys:
            return False
        return all(row.get(k) in (None, ZERO) for row in self.rows for k in keys)

    def column(self, key: str) -> list[Any]:
        """The values of one column, row by row."""
        return [row.get(key) for row in self.rows]

    def records(self) -> list[dict[str, Any]]:
        """Rows as fresh dicts of exactly :attr:`keys` (values as built: Decimal, str, date, None)."""
        keys = self.keys
        return [{k: row.get(k) for k in keys} for row in self.rows]

    @property
    def frame(self) -> pd.DataFrame:
        """The rows as a pandas DataFrame, for analysis code and older templates."""
        return object_frame(self.rows, self.keys)


@dataclass
class Report:
    """One report file: its tables plus template context (text sections, charts)."""

    key: str
    template: str
    title: str
    public: bool
    as_of: datetime.date
    tables: list[Table]
    context: dict[str, Any] = field(default_factory=dict)
    group: str = ""
    subtitle: str = ""


def object_frame(rows: list[dict[str, Any]], keys: Sequence[str]) -> pd.DataFrame:
    """Rows as a DataFrame of exactly ``keys`` (object dtype keeps Decimal exact).

    pandas is imported here, not with the module: the report writers never need it.
    """
    import pandas as pd

    return pd.DataFrame({k: pd.Series([row.get(k) for row in rows], dtype=object) for k in keys})


def dsum(values: Any) -> Decimal:
    """Exact sum of Decimals (None counts as zero)."""
    total = ZERO
    for v in values:
        if v is not None:
            total += v
    return total


def rate(numerator: Decimal | None, denominator: Decimal | None) -> Decimal | None:
    """A ratio as an exact Decimal fraction (None when the denominator is zero)."""
    if numerator is None or not denominator:
        return None
    return numerator / denominator


def largest_remainder(
    values: list[Decimal], step: Decimal, total: Decimal | None = None
) -> list[Decimal]:
    """Round ``values`` to multiples of ``step`` so they add to the rounded total.

    Each value is floored; the units the floors lost to the total (by default the exact
    sum rounded half-up; else ``total``, a multiple of ``step`` between the floor and
    the ceiling of the exact sum) go to the largest remainders, earlier rows first on a tie.
    """
    if not values:
        return []
    scaled = [v / step for v in values]
    floors = [s.to_integral_value(rounding=ROUND_FLOOR) for s in scaled]
    if total is None:
        target = sum(scaled, ZERO).to_integral_value(rounding=ROUND_HALF_UP)
    else:
        target = total / step
    missing = int(target - sum(floors, ZERO))
    order = sorted(range(len(values)), key=lambda i: (-(scaled[i] - floors[i]), i))
    for i in order[:missing]:
        floors[i] += 1
    return [(f * step) for f in floors]


def to_wan(values: list[Decimal], total: Decimal | None = None) -> list[Decimal]:
    """Yuan → 万元 with two decimals, largest-remainder rounded (rows add to the total).

    ``total`` (in 万元) fixes what the rounded values must add to; by default the exact
    sum rounded half-up.
    """
    rounded = largest_remainder(list(values), Decimal(100), None if total is None else total * WAN)
    return [(v / WAN).quantize(FEN) for v in rounded]


def wan(value: Decimal) -> Decimal:
    """One figure in 万元, half-up to two decimals."""
    return (value / WAN).quantize(FEN, rounding=ROUND_HALF_UP)
