"""Concurrent ``sandao import extract`` runs into one output: the union, exactly once.

Each round starts the runs at the same moment (separate processes, as two clerks
would); the output must hold every new entry once, as a single sequential run writes
it, and every run must exit 0.  A few rounds, since a race shows only sometimes.
"""

from __future__ import annotations

import itertools
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

DATA = Path(__file__).resolve().parent.parent / "data"
SAMPLES = DATA / "samples"
CONFIG = DATA / "import.toml"
SANDAO = str(Path(sys.executable).with_name("sandao"))
ROUNDS = 3
ENTRY = re.compile(r"^\d{4}-\d\d-\d\d ", re.M)


def _books(tmp_path: Path, name: str) -> Path:
    folder = tmp_path / name
    shutil.copytree(DATA / "ledger", folder)
    return folder / "with_quotas.beancount"


def _entries(*files: Path) -> list[str]:
    """Every entry block of the files, sorted (comments left out)."""
    blocks: list[str] = []
    for path in files:
        text = path.read_text(encoding="utf-8")
        starts = [m.start() for m in ENTRY.finditer(text)] + [len(text)]
        for start, end in itertools.pairwise(starts):
            lines = [ln for ln in text[start:end].splitlines() if ln and not ln.startswith(";")]
            blocks.append("\n".join(lines))
    return sorted(blocks)


def _start(ledger: Path, *args: object) -> subprocess.Popen[str]:
    command = [SANDAO, "import", "extract", "--ledger", str(ledger), "--config", str(CONFIG)]
    return subprocess.Popen(
        [*command, *map(str, args)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "SANDAO_LOCK_TIMEOUT": "120"},
    )


def _finish(*runs: subprocess.Popen[str]) -> None:
    for run in runs:
        _, err = run.communicate(timeout=180)
        assert run.returncode == 0, err
        assert "Traceback" not in err


@pytest.fixture(scope="module")
def expected(tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[str]]:
    """What one run alone writes: per export into a folder, and each export into a file."""
    tmp = tmp_path_factory.mktemp("alone")
    ledger = _books(tmp, "books")
    _finish(_start(ledger, SAMPLES, "--output-dir", tmp / "out"))
    files = sorted((tmp / "out").glob("*.beancount"))
    singles = {}
    for name in ("国库集中支付明细_C101_2025Q1.csv", "国库集中支付明细_C102_2025-03.xlsx"):
        _finish(_start(ledger, SAMPLES / name, "--output", tmp / f"{name}.beancount"))
        singles[name] = _entries(tmp / f"{name}.beancount")
    return {
        "folder": _entries(*files),
        "file": sorted(e for entries in singles.values() for e in entries),
    }


@pytest.mark.parametrize("round_", range(ROUNDS))
def test_same_folder_twice_at_once(tmp_path: Path, expected, round_: int) -> None:
    ledger = _books(tmp_path, "books")
    out = tmp_path / "books" / "imported"
    _finish(*[_start(ledger, SAMPLES, "--output-dir", out) for _ in range(3)])
    assert _entries(*sorted(out.glob("*.beancount"))) == expected["folder"]
    assert not [p for p in out.iterdir() if p.name.endswith(".tmp")]


@pytest.mark.parametrize("round_", range(ROUNDS))
def test_same_file_two_exports_at_once(tmp_path: Path, expected, round_: int) -> None:
    ledger = _books(tmp_path, "books")
    out = tmp_path / "books" / "imported.beancount"
    runs = [
        _start(ledger, SAMPLES / "国库集中支付明细_C101_2025Q1.csv", "--output", out),
        _start(ledger, SAMPLES / "国库集中支付明细_C102_2025-03.xlsx", "--output", out),
        _start(ledger, SAMPLES / "国库集中支付明细_C101_2025Q1.csv", "--output", out),
    ]
    _finish(*runs)
    assert _entries(out) == expected["file"]
