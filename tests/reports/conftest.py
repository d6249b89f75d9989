"""Fixtures of the report tests: the example county's books, loaded once for all of them."""

from __future__ import annotations

import pytest

from sandao.ledger import Analysis, load
from sandao.ledger.scaffold import example_main


@pytest.fixture(scope="session")
def example() -> Analysis:
    """The example county's books (ledger/example) as the reports read them."""
    return load(example_main())
