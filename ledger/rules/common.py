"""Small helpers the rule modules share: how an amount and a posting read in a message."""

from __future__ import annotations

from decimal import Decimal
from typing import Any


def fen(amount: Decimal) -> str:
    """An amount for a message: ``50,000.00元``."""
    return f"{amount:,.2f}元"


def where(row: Any) -> str:
    """The posting a row finding points at, for its message: account and amount."""
    return f"{row.account} {row.amount:,.2f}"
