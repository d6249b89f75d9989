"""Fixtures for the rule tests: the shared test books (``tests/testbooks.py``) as a loader."""

from __future__ import annotations

import pytest
from testbooks import run


@pytest.fixture
def books():
    return run
