"""The example's 2023 决算 (``ledger/example/previous/``) is what its recipe makes, and ties
to the 2024 books: its 年末结转和结余 is their 年初, unit by unit and for the department."""

from __future__ import annotations

import json
from pathlib import Path

from data import example_2023

from sandao.ledger.scaffold import example_main

SHIPPED = Path(str(example_main())).parent / "previous"


def test_shipped_tables_are_the_recipes(tmp_path: Path) -> None:
    written = example_2023.write(tmp_path)
    assert {p.relative_to(tmp_path) for p in written} == {
        p.relative_to(SHIPPED) for p in SHIPPED.rglob("*.json")
    }
    for path in written:
        assert path.read_bytes() == (SHIPPED / path.relative_to(tmp_path)).read_bytes(), path


def test_year_end_is_the_books_opening() -> None:
    closing = {}
    for key in ("C101", "C102", "county"):
        rows = json.loads((SHIPPED / f"final-2023-{key}" / "t1.json").read_text("utf-8"))["rows"]
        closing[key] = next(r["out_amount"] for r in rows if r["out_item"] == "年末结转和结余")
    # 城东 128,406.72 + 30,000.00 and 城西 35,001.14 on 2024-01-01 (2024.beancount)
    assert closing == {"C101": "15.84", "C102": "3.50", "county": "19.34"}
