"""Fixtures for the rule tests: the shared test books (``tests/testbooks.py``) as a loader,
and the entries of the example county and of a small generated one (loaded once)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from beancount import loader
from testbooks import run

from sandao.bench.generate import generate_county

EXAMPLE = Path(__file__).resolve().parents[2] / "ledger" / "example" / "main.beancount"


@pytest.fixture
def books():
    return run


@pytest.fixture(scope="session")
def example_entries() -> list[Any]:
    """The bundled example county's entries (plugin run)."""
    entries, _, _ = loader.load_file(str(EXAMPLE))
    return entries


@pytest.fixture(scope="session")
def county_entries(tmp_path_factory: pytest.TempPathFactory) -> list[Any]:
    """A generated county of 3,000 transactions (6 units, 40 tasks, 12 quotas)."""
    folder = tmp_path_factory.mktemp("county")
    main = generate_county(folder, transactions=3000, tasks=40, quotas=12, units=6, communities=12)
    entries, _, _ = loader.load_file(str(main))
    return entries
