"""Table shapes the disclosure builders share: code hierarchies and two-sided totals.

The nine standard tables are all either a 类/款/项 hierarchy of codes with a few
money columns, or a two-sided 收入 | 支出 summary.  Both are built here from exact
leaf figures: in 万元 the leaves are rounded by largest remainder per column, and
every subtotal, derived column and 合计 is then summed from the rounded leaves, so
what a reader adds up on paper is what the table says.  Rates always come from the
exact figures.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from itertools import zip_longest
from typing import Any

from sandao.reports.model import ZERO, rate, to_wan


@dataclass
class Shape:
    """Which columns are money inputs, which are sums of others, which are rates."""

    values: list[str]
    sums: dict[str, list[str]] = field(default_factory=dict)
    rates: dict[str, tuple[str, str]] = field(default_factory=dict)


def _round(leaves: list[dict[str, Decimal]], shape: Shape, in_wan: bool) -> list[dict]:
    """Leaves in 万元: a sum column is rounded first, then split among its parts.

    Rounding each part column on its own lets 基本 + 项目 drift a fen away from the
    rounded 合计; so the sum column is rounded down the rows (largest remainder) and each
    row's rounded sum is shared among its parts (largest remainder again).  Columns that
    are no part of a sum are rounded down the rows alone.
    """
    shown = [dict(leaf) for leaf in leaves]
    if not in_wan:
        return shown
    in_sum = {part for parts in shape.sums.values() for part in parts}
    for key in shape.values:
        if key not in in_sum:
            column = to_wan([leaf.get(key, ZERO) for leaf in leaves])
            for row, value in zip(shown, column, strict=True):
                row[key] = value
    for parts in shape.sums.values():
        sums = to_wan([sum((leaf.get(p, ZERO) for p in parts), ZERO) for leaf in leaves])
        for leaf, row, row_sum in zip(leaves, shown, sums, strict=True):
            split = to_wan([leaf.get(p, ZERO) for p in parts], total=row_sum)
            row.update(zip(parts, split, strict=True))
    return shown


def _derive(shown: dict[str, Any], exact: dict[str, Decimal], shape: Shape) -> dict[str, Any]:
    for key, parts in shape.sums.items():
        shown[key] = sum((shown.get(p, ZERO) for p in parts), ZERO)
        exact[key] = sum((exact.get(p, ZERO) for p in parts), ZERO)
    for key, (num, den) in shape.rates.items():
        shown[key] = rate(exact.get(num, ZERO), exact.get(den, ZERO))
    return shown


def _add(into: dict[str, Decimal], values: dict[str, Decimal], keys: list[str]) -> None:
    for key in keys:
        into[key] = into.get(key, ZERO) + values.get(key, ZERO)


def hierarchy(
    leaves: dict[str, dict[str, Decimal]],
    shape: Shape,
    levels: Sequence[int],
    name: Callable[[str], str],
    in_wan: bool,
) -> tuple[list[dict[str, Any]], dict[str, Any], dict[str, Decimal]]:
    """Rows of a 类/款/项 table and its 合计 row from exact leaf figures by code.

    ``levels`` are the code lengths of the groups and leaves, e.g. (3, 5, 7).  A leaf
    shorter than the full length sits under its own group as 未细化; an empty code is
    a top-level 未分类 row.
    """
    codes = sorted(leaves)
    exact = [leaves[c] for c in codes]
    shown = _round(exact, shape, in_wan)
    full = levels[-1]
    rows: list[dict[str, Any]] = []
    group_rows: dict[str, tuple[dict, dict]] = {}
    total_shown: dict[str, Decimal] = {}
    total_exact: dict[str, Decimal] = {}
    for code, ex, sh in zip(codes, exact, shown, strict=True):
        prefixes = [code[:n] for n in levels[:-1] if len(code) >= n] if code else []
        for depth, prefix in enumerate(prefixes):
            if prefix not in group_rows:
                row = {"code": prefix, "name": name(prefix), "level": depth}
                group_rows[prefix] = (row, {})
                rows.append(row)
            g_row, g_exact = group_rows[prefix]
            _add(g_row, sh, shape.values)
            _add(g_exact, ex, shape.values)
        label = name(code) if code else "未分类"
        if code and len(code) < full:
            label = f"{label}（未细化）"
        rows.append({"code": code, "name": label, "level": len(prefixes), **sh, "_exact": ex})
        _add(total_shown, sh, shape.values)
        _add(total_exact, ex, shape.values)
    for row in rows:
        ex = row.pop("_exact", None)
        if ex is None:
            ex = group_rows[row["code"]][1]
        for key in shape.values:
            row.setdefault(key, ZERO)
        _derive(row, dict(ex), shape)
    total = {"code": "", "name": "合计", **total_shown}
    for key in shape.values:
        total.setdefault(key, ZERO)
        total_exact.setdefault(key, ZERO)
    _derive(total, total_exact, shape)
    return rows, total, total_exact


def flat(
    items: list[tuple[str, dict[str, Decimal]]], shape: Shape, in_wan: bool, label: str = "name"
) -> tuple[list[dict[str, Any]], dict[str, Any], dict[str, Decimal]]:
    """Rows of a plain list table (label, exact values) and its 合计 row."""
    exact = [values for _, values in items]
    shown = _round(exact, shape, in_wan)
    rows = []
    total_shown: dict[str, Decimal] = {}
    total_exact: dict[str, Decimal] = {}
    for (name, ex), sh in zip(items, shown, strict=True):
        for key in shape.values:
            sh.setdefault(key, ZERO)
        row = {label: name, **sh}
        rows.append(_derive(row, dict(ex), shape))
        _add(total_shown, sh, shape.values)
        _add(total_exact, ex, shape.values)
    total = {label: "合计", **{k: total_shown.get(k, ZERO) for k in shape.values}}
    for key in shape.values:
        total_exact.setdefault(key, ZERO)
    _derive(total, total_exact, shape)
    return rows, total, total_exact


def two_sided(
    left: list[tuple[str, dict[str, Decimal]]],
    right: list[tuple[str, dict[str, Decimal]]],
    shape: Shape,
    in_wan: bool,
) -> tuple[list[dict[str, Any]], dict[str, Any], dict[str, Decimal]]:
    """A 收入 | 支出 summary: each side rounded and totalled on its own.

    Columns are ``in_item`` / ``in_<value>`` and ``out_item`` / ``out_<value>``.
    """
    l_rows, l_total, l_exact = flat(left, shape, in_wan, "item")
    r_rows, r_total, r_exact = flat(right, shape, in_wan, "item")
    rows = []
    for lrow, rrow in zip_longest(l_rows, r_rows):
        row: dict[str, Any] = {}
        for prefix, side in (("in_", lrow), ("out_", rrow)):
            if side is None:
                row[f"{prefix}item"] = ""
                for key in [*shape.values, *shape.sums, *shape.rates]:
                    row[f"{prefix}{key}"] = None
                continue
            for key, value in side.items():
                row[f"{prefix}{key}"] = value
        rows.append(row)
    total = {f"in_{k}": v for k, v in l_total.items()}
    total.update({f"out_{k}": v for k, v in r_total.items()})
    total["in_item"] = "收入总计"
    total["out_item"] = "支出总计"
    exact = {f"in_{k}": v for k, v in l_exact.items()}
    exact.update({f"out_{k}": v for k, v in r_exact.items()})
    return rows, total, exact
