"""Static inline SVG charts: budget vs actual bars, and a source → stream → use flow.

Charts are drawn here, in Python, as SVG text so a report needs no JavaScript and
prints the same on paper and in a PDF.  Geometry is computed with Decimal and only
rounded when written out; every label is escaped.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from markupsafe import Markup, escape

ZERO = Decimal(0)
#: The CJK font the report CSS asks for (WeasyPrint does not apply page CSS inside SVG).
FONT = (
    "Noto Sans CJK SC, Noto Sans SC, Source Han Sans SC, Microsoft YaHei, PingFang SC, sans-serif"
)
PALETTE = ("#2f6f9f", "#d9822b", "#5a9e5a", "#9b59b6", "#c0392b", "#7f8c8d", "#16a085", "#b8860b")


def _n(value: Decimal) -> str:
    """A coordinate as SVG text (one decimal)."""
    return str(value.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


def _money(value: Decimal) -> str:
    return f"{value.quantize(Decimal('0.01'), rounding=ROUND_HALF_UP):,}"


def bars(
    rows: list[dict[str, Any]], budget_label: str = "预算", actual_label: str = "支出"
) -> Markup:
    """Horizontal paired bars: ``budget`` and ``actual`` per ``label``."""
    if not rows:
        return Markup("")
    width, label_w, bar_h, gap = Decimal(640), Decimal(150), Decimal(12), Decimal(10)
    top = Decimal(28)
    peak = max([max(r["budget"] or ZERO, r["actual"] or ZERO) for r in rows] + [Decimal(1)])
    scale = (width - label_w - Decimal(110)) / peak
    height = top + len(rows) * (2 * bar_h + gap) + gap
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 {width} {_n(height)}" '
        f'width="100%" font-family="{FONT}" role="img" aria-label="{escape(budget_label)}与{escape(actual_label)}对比">',
        f'<rect x="{label_w}" y="6" width="10" height="10" fill="#b7c9da"/>'
        f'<text x="{label_w + 14}" y="15" font-size="11">{escape(budget_label)}</text>'
        f'<rect x="{label_w + 90}" y="6" width="10" height="10" fill="{PALETTE[0]}"/>'
        f'<text x="{label_w + 104}" y="15" font-size="11">{escape(actual_label)}</text>',
    ]
    y = top
    for row in rows:
        budget, actual = row["budget"] or ZERO, row["actual"] or ZERO
        parts.append(
            f'<text x="{label_w - 6}" y="{_n(y + bar_h + 4)}" font-size="11" text-anchor="end">'
            f"{escape(str(row['label'])[:14])}</text>"
        )
        for value, color, dy in ((budget, "#b7c9da", ZERO), (actual, PALETTE[0], bar_h)):
            w = max(value, ZERO) * scale
            parts.append(
                f'<rect x="{label_w}" y="{_n(y + dy)}" width="{_n(w)}" height="{_n(bar_h - 1)}" fill="{color}"/>'
                f'<text x="{_n(label_w + w + 4)}" y="{_n(y + dy + bar_h - 3)}" font-size="9">{_money(value)}</text>'
            )
        y += 2 * bar_h + gap
    parts.append("</svg>")
    return Markup("".join(parts))


def flow(
    links: list[tuple[str, str, Decimal]],
    width: int = 640,
    height: int = 220,
    amounts: bool = False,
) -> Markup:
    """A three-column flow (Sankey-style) from ``(left, middle, amount)`` and
    ``(middle, right, amount)`` links given as one list with column-tagged names:
    names starting with ``"1:"`` are sources, ``"2:"`` streams, ``"3:"`` uses.

    With ``amounts`` every node prints its amount (元) under its name, so a printed
    board shows the figures, not only the tooltips."""
    links = [(a, b, v) for a, b, v in links if v > 0]
    if not links:
        return Markup("")
    columns = _flow_columns(links)
    # Every node is at least one label high, so labels of small flows never overlap;
    # the chart grows when a column has more nodes than the height holds.
    label_h = Decimal(24) if amounts else Decimal(12)
    max_nodes = max(len(col) for col in columns.values())
    fixed = 2 * _TOP + _PAD * (max_nodes - 1) + label_h * max_nodes
    height = max(height, int(fixed) + 60)
    W, H = Decimal(width), Decimal(height)
    xs = {1: Decimal(110), 2: W / 2 - _NODE_W / 2, 3: W - Decimal(130)}
    total = max(sum(col.values(), ZERO) for col in columns.values())
    scale = (H - fixed) / total
    pos: dict[str, list[Decimal]] = {}
    labels: list[str] = []
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 {width} {height}" '
        f'width="100%" font-family="{FONT}" role="img" aria-label="资金流向">'
    ]
    for c in (1, 2, 3):
        y = _TOP
        for i, name in enumerate(sorted(columns[c], key=lambda n: (-columns[c][n], n))):
            h = columns[c][name] * scale + label_h
            band = y + label_h / 2  # the node's flows are centred in it
            pos[name] = [y, band, band]  # top, next outgoing y, next incoming y
            color = PALETTE[i % len(PALETTE)]
            parts.append(
                f'<rect x="{_n(xs[c])}" y="{_n(y)}" width="{_NODE_W}" height="{_n(h)}" fill="{color}"/>'
            )
            labels.extend(_node_label(name, columns[c][name], c, xs[c], y + h / 2, amounts))
            y += h + _PAD
    for a, b, v in sorted(links, key=lambda link: (link[0], link[1])):
        parts.append(_flow_path(a, b, v * scale, v, pos, xs))
    parts.extend(labels)
    parts.append("</svg>")
    return Markup("".join(parts))


#: The flow chart's node width, gap between nodes and top margin (SVG units).
_NODE_W, _PAD, _TOP = Decimal(12), Decimal(4), Decimal(6)


def _flow_columns(links: list[tuple[str, str, Decimal]]) -> dict[int, dict[str, Decimal]]:
    """Column (1–3) → node → its size: the larger of the money in and the money out."""
    columns: dict[int, dict[str, Decimal]] = defaultdict(lambda: defaultdict(lambda: ZERO))
    out_sum: dict[str, Decimal] = defaultdict(lambda: ZERO)
    in_sum: dict[str, Decimal] = defaultdict(lambda: ZERO)
    for a, b, v in links:
        out_sum[a] += v
        in_sum[b] += v
    for name in set(out_sum) | set(in_sum):
        columns[int(name[0])][name] = max(out_sum[name], in_sum[name])
    return columns


def _node_label(
    name: str, value: Decimal, column: int, x: Decimal, middle: Decimal, amounts: bool
) -> list[str]:
    """A node's name (and amount) on a white ground, left of the sources, right of the rest
    (CJK glyphs ≈ 1 em wide)."""
    text = name[2:]
    amount = _money(value) if amounts else ""
    box = Decimal(max(sum(10 if ord(ch) > 0x2E80 else 6 for ch in text), len(amount) * 5) + 4)
    if column == 1:
        tx, anchor, bx = x - 4, "end", x - 6 - box
    else:
        tx, anchor, bx = x + _NODE_W + 4, "start", x + _NODE_W + 2
    ty = middle + (Decimal(-1) if amounts else Decimal(4))
    out = [
        f'<rect x="{_n(bx)}" y="{_n(ty - 11)}" width="{_n(box)}" '
        f'height="{26 if amounts else 14}" fill="#ffffff" fill-opacity="0.85"/>'
        f'<text x="{_n(tx)}" y="{_n(ty)}" font-size="10" text-anchor="{anchor}">'
        f"{escape(text)}</text>"
    ]
    if amounts:
        out.append(
            f'<text x="{_n(tx)}" y="{_n(ty + 11)}" font-size="9" text-anchor="{anchor}" '
            f'class="amount">{amount}</text>'
        )
    return out


def _flow_path(
    a: str,
    b: str,
    h: Decimal,
    value: Decimal,
    pos: dict[str, list[Decimal]],
    xs: dict[int, Decimal],
) -> str:
    """One link's band from node ``a`` to node ``b``, ``h`` high; moves both nodes' next y."""
    y0 = pos[a][1]
    y1 = pos[b][2]
    pos[a][1] += h
    pos[b][2] += h
    x0 = xs[int(a[0])] + _NODE_W
    x1 = xs[int(b[0])]
    mid = (x0 + x1) / 2
    return (
        f'<path d="M{_n(x0)},{_n(y0 + h / 2)} C{_n(mid)},{_n(y0 + h / 2)} {_n(mid)},{_n(y1 + h / 2)} '
        f'{_n(x1)},{_n(y1 + h / 2)}" stroke="#8aa9c4" stroke-opacity="0.55" '
        f'stroke-width="{_n(max(h, Decimal(1)))}" fill="none"><title>{escape(a[2:])} → {escape(b[2:])}：{_money(value)}</title></path>'
    )
