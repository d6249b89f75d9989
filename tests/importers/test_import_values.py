"""Cell values: amounts to the fen from every spelling, dates, text hygiene."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sandao.importers.values import ValueProblem, parse_amount, parse_code, parse_date, parse_text


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("1,234.50", "1234.50"),
        ("1234.5", "1234.50"),
        ("１２３４．５０", "1234.50"),
        (" 1 234.50 ", "1234.50"),
        ("-12.00", "-12.00"),
        ("(12.00)", "-12.00"),
        ("（12.00）", "-12.00"),
        ("¥1,000", "1000.00"),
        ("８，０００．００元", "8000.00"),
        (8718.059999999999, "8718.06"),
        (600000.0, "600000.00"),
        (-50000.0, "-50000.00"),
        (12, "12.00"),
    ],
)
def test_amount_spellings(raw: object, expected: str) -> None:
    assert parse_amount(raw) == Decimal(expected)


@pytest.mark.parametrize(
    "raw", ["一千", "1,23,4", "12.345", "(-1)", "", "1e5", "--1", 12.345, float("nan"), True]
)
def test_amount_refused(raw: object) -> None:
    with pytest.raises(ValueProblem):
        parse_amount(raw)


def test_wan_yuan_is_exact() -> None:
    assert parse_amount("1.234567", 10000) == Decimal("12345.67")
    assert parse_amount(0.046665, 10000) == Decimal("466.65")
    with pytest.raises(ValueProblem):
        parse_amount("1.2345678", 10000)


@given(st.integers(min_value=-(10**13), max_value=10**13))
def test_fen_round_trip_through_float_and_text(fen: int) -> None:
    amount = Decimal(fen) / 100
    assert parse_amount(float(amount)) == amount
    assert parse_amount(f"{amount:,}") == amount
    assert parse_amount(str(amount)) == amount


@pytest.mark.parametrize(
    "raw",
    [
        "2025-03-20",
        "2025/3/20",
        "20250320",
        "2025年3月20日",
        "２０２５年３月２０日",
        "2025-03-20 10:11:12",
        datetime.date(2025, 3, 20),
        datetime.datetime(2025, 3, 20, 8, 0),
        45736.0,
        20250320,
    ],
)
def test_date_spellings(raw: object) -> None:
    assert parse_date(raw) == datetime.date(2025, 3, 20)


@pytest.mark.parametrize("raw", ["2025-02-30", "2025-13-01", "下周一", "", "1899-01-01", 12.5])
def test_date_refused(raw: object) -> None:
    with pytest.raises(ValueProblem):
        parse_date(raw)


@pytest.mark.parametrize("raw", ["<b>x</b>", "a\nb", "x\x07", "=cmd()", "@SUM(A1)", "x" * 501])
def test_text_refused(raw: str) -> None:
    with pytest.raises(ValueProblem):
        parse_text(raw)


def test_codes_fold_width_and_spaces() -> None:
    assert parse_code(" ＺＢ25-0101 ") == "ZB25-0101"
    assert parse_code(2120101.0) == "2120101"
    with pytest.raises(ValueProblem):
        parse_code("指标一")
