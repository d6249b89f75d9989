"""Yuan → 万元 for a whole document, so that every identity also holds after rounding.

Rounding is top-down on the finest cells ("atoms": income by bucket/source/function,
spending by bucket/class/function/economic/项目/三公) of each 结转结余 bucket:

- 年初 and 年末结转和结余 of the unit are its exact balances rounded half-up (so 年末 is
  the rounded 资金结存), shared among the buckets by largest remainder — the same exact
  figures give the same split, so 年初 (Y) is 年末 (Y−1) cell by cell;
- 本年收入 of the bucket is its exact total rounded half-up, shared among its atoms by
  largest remainder;
- 本年支出 of the bucket is what the balance leaves (年初 + 收入 − 年末), shared among its
  atoms by largest remainder — when that differs from its own rounding, the 0.01 万元
  is the 尾差 the standard allows, and the document notes it.

Every printed cell is then a sum of rounded atoms, so sums across tables agree exactly,
and the county document (the sum of its units' rounded atoms) equals the sum of the units.
One yuan amount prints once: where a function's spending in a bucket equals its income
there (表二 and 表三 of a code whose income is all spent), the spending of that function
is pinned to the income's rounded figure before the other functions share the rest.

``[disclosure] rounding = "cell"`` is what most published documents do: :func:`exact`
keeps every atom in unrounded 万元, the tables are summed from those, and each printed
cell is then rounded half-up on its own (:func:`round_cells`); the parts of a table may
then differ from its total by a 尾差, which :func:`tails` finds for the note under it.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_FLOOR, ROUND_HALF_UP, Decimal

from sandao.reports.disclosure.sources import BUCKETS, Flows, SpendKey, add_sums

ZERO = Decimal(0)
CENT = Decimal("0.01")
WAN = Decimal(10000)


def half_up(yuan: Decimal) -> Decimal:
    """Yuan → 万元, two decimals, half-up."""
    return (yuan / WAN).quantize(CENT, rounding=ROUND_HALF_UP)


def allocate(values: list[Decimal], target: Decimal) -> list[Decimal]:
    """Yuan values → 万元 (0.01) adding up to ``target`` (万元), by largest remainder.

    Floors every value, then hands the missing cents to the largest remainders (or takes
    surplus cents from the smallest), earlier values first on ties.
    """
    if not values:
        return []
    scaled = [v / WAN / CENT for v in values]
    floors = [s.to_integral_value(rounding=ROUND_FLOOR) for s in scaled]
    missing = int((target / CENT) - sum(floors, ZERO))
    order = sorted(range(len(values)), key=lambda i: (-(scaled[i] - floors[i]), i))
    i = 0
    while missing > 0:
        floors[order[i % len(order)]] += 1
        missing -= 1
        i += 1
    back = list(reversed(order))
    i = 0
    while missing < 0:
        floors[back[i % len(back)]] -= 1
        missing += 1
        i += 1
    return [(f * CENT) for f in floors]


def shares(values: list[Decimal]) -> list[Decimal]:
    """Percentages (two decimals) of each value in their sum, adding to exactly 100.00."""
    total = sum(values, ZERO)
    if not total:
        return [ZERO for _ in values]
    scaled = [v * 100 / total / CENT for v in values]
    floors = [s.to_integral_value(rounding=ROUND_FLOOR) for s in scaled]
    missing = int(Decimal(10000) - sum(floors, ZERO))
    order = sorted(range(len(values)), key=lambda i: (-(scaled[i] - floors[i]), i))
    for i in order[: max(missing, 0)]:
        floors[i] += 1
    return [f * CENT for f in floors]


@dataclass
class Rounded:
    """A document's atoms in 万元 (the same shape as :class:`Flows`)."""

    income: dict[tuple[str, str, str], Decimal] = field(
        default_factory=lambda: defaultdict(Decimal)
    )
    spend: dict[SpendKey, Decimal] = field(default_factory=lambda: defaultdict(Decimal))
    opening: dict[str, Decimal] = field(default_factory=lambda: {b: ZERO for b in BUCKETS})
    closing: dict[str, Decimal] = field(default_factory=lambda: {b: ZERO for b in BUCKETS})
    procurement: dict[str, Decimal] = field(default_factory=lambda: defaultdict(Decimal))
    use_balance: dict[str, Decimal] = field(default_factory=lambda: {b: ZERO for b in BUCKETS})
    distribution: dict[str, Decimal] = field(default_factory=lambda: {b: ZERO for b in BUCKETS})
    #: bucket → (本年支出 printed, its own half-up rounding) where they differ (尾差)
    tails: dict[str, tuple[Decimal, Decimal]] = field(default_factory=dict)

    def add(self, other: Rounded) -> None:
        for name in (
            "income", "spend", "opening", "closing", "procurement", "use_balance", "distribution",
        ):  # fmt: skip
            add_sums(getattr(self, name), getattr(other, name))
        for bucket, (shown, own) in other.tails.items():
            before = self.tails.get(bucket, (ZERO, ZERO))
            self.tails[bucket] = (before[0] + shown, before[1] + own)


def round_flows(
    flows: Flows, opening: dict[str, Decimal], pinned: dict[str, Decimal] | None = None
) -> Rounded:
    """Round one unit's year; ``opening`` is its exact 年初结转和结余 by bucket, ``pinned``
    the previous year's printed 年末 (which the 年初 repeats), when there is one."""
    out = Rounded()
    income_total: dict[str, Decimal] = {}
    ends: list[Decimal] = []
    for bucket in BUCKETS:
        inc_keys = [k for k in flows.income if k[0] == bucket]
        inc_exact = [flows.income[k] for k in inc_keys]
        income_total[bucket] = half_up(sum(inc_exact, ZERO))
        for key, value in zip(inc_keys, allocate(inc_exact, income_total[bucket]), strict=True):
            out.income[key] = value
        used = flows.use_balance.get(bucket, ZERO)
        given = flows.distribution.get(bucket, ZERO)
        out.use_balance[bucket] = half_up(used)
        out.distribution[bucket] = half_up(given)
        spent = sum((v for k, v in flows.spend.items() if k.bucket == bucket), ZERO)
        ends.append(opening.get(bucket, ZERO) + sum(inc_exact, ZERO) + used - spent - given)
    # 年初 / 年末 of the whole unit first (so 年末 is the rounded 资金结存), then by bucket.
    starts = [opening.get(b, ZERO) for b in BUCKETS]
    if pinned is not None:
        out.opening = {b: pinned.get(b, ZERO) for b in BUCKETS}
    else:
        for bucket, value in zip(
            BUCKETS, allocate(starts, half_up(sum(starts, ZERO))), strict=True
        ):
            out.opening[bucket] = value
    # A bucket without flows keeps its 年初; the others share the rest of the rounded total.
    moving = [
        b
        for b in BUCKETS
        if any(k[0] == b for k in flows.income)
        or any(k.bucket == b for k in flows.spend)
        or flows.use_balance.get(b)
        or flows.distribution.get(b)
    ]
    still = [b for b in BUCKETS if b not in moving]
    for bucket in still:
        out.closing[bucket] = out.opening[bucket]
    rest = half_up(sum(ends, ZERO)) - sum((out.closing[b] for b in still), ZERO)
    moving_ends = [ends[BUCKETS.index(b)] for b in moving]
    for bucket, value in zip(moving, allocate(moving_ends, rest), strict=True):
        out.closing[bucket] = value
    for bucket in moving:
        sp_keys = [k for k in flows.spend if k.bucket == bucket]
        sp_exact = [flows.spend[k] for k in sp_keys]
        spent = (
            out.opening[bucket]
            + income_total[bucket]
            + out.use_balance[bucket]
            - out.distribution[bucket]
            - out.closing[bucket]
        )
        own = half_up(sum(sp_exact, ZERO))
        if spent != own:
            out.tails[bucket] = (spent, own)
        if sp_keys:
            out.spend.update(_spend_atoms(flows, out, bucket, sp_keys, spent))
            continue
        # Nothing spent from this bucket: its income absorbs the cent.
        inc_keys = [k for k in out.income if k[0] == bucket]
        exact = [flows.income[k] for k in inc_keys]
        for key, value in zip(inc_keys, allocate(exact, income_total[bucket] - spent), strict=True):
            out.income[key] = value
    kinds = list(flows.procurement)
    values = [flows.procurement[k] for k in kinds]
    for kind, value in zip(kinds, allocate(values, half_up(sum(values, ZERO))), strict=True):
        out.procurement[kind] = value
    return out


def _spend_atoms(
    flows: Flows, out: Rounded, bucket: str, keys: list[SpendKey], spent: Decimal
) -> dict[SpendKey, Decimal]:
    """Share ``spent`` (万元) among the bucket's spending atoms: by function first — a
    function whose spending equals its income in yuan takes the income's rounded figure,
    the others share the rest by largest remainder — then within each function."""
    by_function: dict[str, list[SpendKey]] = defaultdict(list)
    for key in keys:
        by_function[key.function].append(key)
    income_exact: dict[str, Decimal] = defaultdict(Decimal)
    income_shown: dict[str, Decimal] = defaultdict(Decimal)
    for key, value in flows.income.items():
        if key[0] == bucket:
            income_exact[key[2]] += value
            income_shown[key[2]] += out.income[key]
    functions = list(by_function)
    exact = {f: sum((flows.spend[k] for k in by_function[f]), ZERO) for f in functions}
    pinned = {
        f: income_shown[f] for f in functions if f in income_exact and exact[f] == income_exact[f]
    }
    free = [f for f in functions if f not in pinned]
    totals = dict(pinned)
    rest = spent - sum(pinned.values(), ZERO)
    if free:
        totals.update(zip(free, allocate([exact[f] for f in free], rest), strict=True))
    elif rest:
        # every function pinned and the balance disagrees by a cent: the 尾差 goes to the
        # largest function (noted under 表一 through ``tails``)
        largest = max(functions, key=lambda f: (exact[f], f))
        totals[largest] += rest
    atoms: dict[SpendKey, Decimal] = {}
    for f in functions:
        group = by_function[f]
        values = allocate([flows.spend[k] for k in group], totals[f])
        atoms.update(zip(group, values, strict=True))
    return atoms


def exact(flows: Flows, opening: dict[str, Decimal]) -> Rounded:
    """One unit's year in unrounded 万元 (``rounding = "cell"``): the tables are summed
    from these and each printed cell is rounded on its own."""
    out = Rounded()
    for key, value in flows.income.items():
        out.income[key] = value / WAN
    for key, value in flows.spend.items():
        out.spend[key] = value / WAN
    for bucket in BUCKETS:
        out.opening[bucket] = opening.get(bucket, ZERO) / WAN
        out.use_balance[bucket] = flows.use_balance.get(bucket, ZERO) / WAN
        out.distribution[bucket] = flows.distribution.get(bucket, ZERO) / WAN
    for key, value in flows.procurement.items():
        out.procurement[key] = value / WAN
    for bucket in BUCKETS:
        inc = sum((v for k, v in out.income.items() if k[0] == bucket), ZERO)
        spent = sum((v for k, v in out.spend.items() if k.bucket == bucket), ZERO)
        out.closing[bucket] = (
            out.opening[bucket] + inc + out.use_balance[bucket] - spent - out.distribution[bucket]
        )
    return out


def cell_value(value: Decimal) -> Decimal:
    """An unrounded 万元 cell as printed: half-up to 0.01."""
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def traced(r: Rounded, flows: Flows, opening_refs: dict[str, list]) -> Rounded:
    """``r`` with every figure keeping the postings (or declarations) it sums, for the
    auditor's edition: each finest figure its own, 年末 those of 年初, 收入 and 支出."""
    from sandao.reports.provenance import Traced

    out = Rounded()
    out.procurement, out.tails = r.procurement, r.tails
    for key, value in r.income.items():
        out.income[key] = Traced(value, flows.refs.get(("income", key), ()))
    for key, value in r.spend.items():
        out.spend[key] = Traced(value, flows.refs.get(("spend", key), ()))
    for bucket in BUCKETS:
        out.opening[bucket] = Traced(r.opening[bucket], opening_refs.get(bucket, ()))
        out.use_balance[bucket] = Traced(r.use_balance[bucket], flows.refs.get(("use", bucket), ()))
        out.distribution[bucket] = Traced(
            r.distribution[bucket], flows.refs.get(("dist", bucket), ())
        )
        parts = [
            (1, out.opening[bucket]),
            (1, out.use_balance[bucket]),
            (-1, out.distribution[bucket]),
        ]
        parts += [(1, v) for k, v in out.income.items() if k[0] == bucket]
        parts += [(-1, v) for k, v in out.spend.items() if k.bucket == bucket]
        out.closing[bucket] = Traced(r.closing[bucket], (), tuple(parts))
    return out
