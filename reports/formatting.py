"""How figures print: the one place that turns Decimals, rates and dates into text.

Writers (HTML, PDF, CSV, JSON) call these so that a figure reads the same in every
format; builders never format.
"""

from __future__ import annotations

import datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sandao.reports.model import DATE, MONEY, NUMBER, RATE, TRANSFERS
from sandao.reports.privacy import public_text

CENT = Decimal("0.01")
RATE_PLACES = Decimal("0.0001")
#: A printed text cell shows at most this many characters (a 2,000-character narration
#: made one notice's PDF take 16 s, 20,000 over 300 s); CSV and JSON keep the whole text.
PRINTED_TEXT = 200


def money(value: Any) -> str:
    """1234.5 → ``1,234.50``; None → empty."""
    if value is None or value == "":
        return ""
    return f"{Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP):,}"


def percent(value: Any) -> str:
    """0.8765 → ``87.65%``; None → ``—``."""
    if value is None:
        return "—"
    return f"{(Decimal(value) * 100).quantize(CENT, rounding=ROUND_HALF_UP)}%"


def number(value: Any) -> str:
    if value is None or value == "":
        return ""
    d = Decimal(value)
    return f"{d.normalize():,f}" if d == d.to_integral_value() else f"{d.normalize():f}"


def date(value: Any) -> str:
    if isinstance(value, datetime.date):
        return value.isoformat()
    return "" if value is None else str(value)


def transfers(value: Any) -> str:
    if not value:
        return ""
    return "；".join(f"{date(d)} {money(v)}" for d, v in value)


def cell(value: Any, kind: str) -> str:
    """Display text of one cell of the given column kind."""
    if kind == MONEY:
        return money(value)
    if kind == RATE:
        return percent(value) if value is not None else ""
    if kind == NUMBER:
        return number(value)
    if kind == DATE:
        return date(value)
    if kind == TRANSFERS:
        return transfers(value)
    if value is None or (isinstance(value, float) and value != value):
        return ""
    if isinstance(value, bool):
        return "是" if value else ""
    text = public_text(str(value))
    if len(text) > PRINTED_TEXT:
        return f"{text[:PRINTED_TEXT]}…（共 {len(text):,} 字）"
    return text


def plain(value: Any, kind: str) -> str:
    """Machine-readable text of a cell for CSV/JSON: exact, no thousands separators."""
    if value is None or (isinstance(value, float) and value != value):
        return ""
    if kind == MONEY:
        return str(Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP))
    if kind == RATE:
        return str(Decimal(value).quantize(RATE_PLACES, rounding=ROUND_HALF_UP))
    if kind == NUMBER:
        d = Decimal(value)
        return f"{d.normalize():f}"
    if kind == DATE:
        return date(value)
    if kind == TRANSFERS:
        return ";".join(f"{date(d)} {Decimal(v).quantize(CENT)}" for d, v in value)
    if isinstance(value, bool):
        return "true" if value else "false"
    return public_text(str(value))
