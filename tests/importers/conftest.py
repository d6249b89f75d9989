"""Fixtures of the importer tests: the data folders, a scratch ledger and a CLI runner."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from importer_testdata import CONFIG, LEDGER_DIR

from sandao.cli import main


@pytest.fixture
def ledger(tmp_path: Path) -> Path:
    """A scratch copy of the test ledger (units, departments, tasks, accounts; no quotas)."""
    folder = tmp_path / "books"
    shutil.copytree(LEDGER_DIR, folder)
    return folder / "main.beancount"


@pytest.fixture
def ledger_with_quotas(ledger: Path) -> Path:
    """The scratch ledger plus the sample quotas (imported by the importer itself)."""
    return ledger.parent / "with_quotas.beancount"


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str]) -> Callable[..., tuple[int, str, str]]:
    """Run ``sandao`` in-process: returns (exit code, stdout, stderr)."""

    def run(*args: object) -> tuple[int, str, str]:
        code = main([os.fspath(a) for a in args])
        captured = capsys.readouterr()
        return code, captured.out, captured.err

    return run


@pytest.fixture
def extract(cli: Callable[..., tuple[int, str, str]]) -> Callable[..., tuple[int, str, str]]:
    """``sandao import extract ARGS --ledger LEDGER --config CONFIG`` (``config=None``: none)."""

    def run(*args: object, ledger: Path, config: Path | None = CONFIG) -> tuple[int, str, str]:
        more = () if config is None else ("--config", config)
        return cli("import", "extract", *args, "--ledger", ledger, *more)

    return run
