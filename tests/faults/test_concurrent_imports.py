"""Concurrent ``sandao import extract`` runs into one output: the union, exactly once.

Each round starts the runs at the same moment (separate processes, as two clerks
would); the output must hold every new entry once, as a single sequential run writes
it, and every run must exit 0.  A few rounds, since a race shows only sometimes.
Concurrent ``sandao import archive`` runs into one documents folder: every export filed
once and its ``document`` entries written once; a run whose exports another run took
refuses with a message.
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


def _archive(ledger: Path, inbox: Path, docs: Path) -> subprocess.Popen[str]:
    command = [SANDAO, "import", "archive", inbox, "--ledger", ledger, "--config", CONFIG]
    return subprocess.Popen(
        [*map(str, command), "--to", str(docs)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "SANDAO_LOCK_TIMEOUT": "120"},
    )


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


def _inboxes(tmp_path: Path) -> tuple[Path, Path]:
    """Two inboxes with different exports, each with one county-wide file (全县/)."""
    one, two = tmp_path / "inbox1", tmp_path / "inbox2"
    one.mkdir()
    two.mkdir()
    shutil.copy(SAMPLES / "国库集中支付明细_C101_2025Q1.csv", one)
    shutil.copy(SAMPLES / "预算指标_2025.xlsx", one)
    shutil.copy(SAMPLES / "国库集中支付明细_C102_2025-03.xlsx", two)
    shutil.copy(SAMPLES / "银行对账单_C102_202503.csv", two)
    shutil.copy(SAMPLES / "预算指标_2025.xlsx", two / "预算指标_2025_追加.xlsx")
    return one, two


def test_archives_at_once_file_everything_once(tmp_path: Path) -> None:
    ledger = _books(tmp_path, "books")
    one, two = _inboxes(tmp_path)
    docs = tmp_path / "docs"
    # The first inbox twice: whichever run comes second finds its exports gone.
    runs = [_archive(ledger, one, docs), _archive(ledger, two, docs), _archive(ledger, one, docs)]
    errors = [run.communicate(timeout=180)[1] for run in runs]
    results = [(run.returncode, err) for run, err in zip(runs, errors, strict=True)]
    assert all("Traceback" not in err for _, err in results), results
    assert results[1][0] == 0, results[1][1]
    codes = sorted(code for code, _ in (results[0], results[2]))
    assert codes == [0, 1], results
    refused = next(err for code, err in (results[0], results[2]) if code)
    assert "错误" in refused and "没有移动任何文件" in refused, refused
    filed = sorted(p.name for p in docs.rglob("*") if p.is_file())
    assert filed == [
        "2025-03-22.银行对账单_C102_202503.csv",
        "2025-03-25.国库集中支付明细_C101_2025Q1.csv",
        "2025-03-30.国库集中支付明细_C102_2025-03.xlsx",
        "2025-07-01.预算指标_2025.xlsx",
        "2025-07-01.预算指标_2025_追加.xlsx",
    ]
    assert not list(one.iterdir()) and not list(two.iterdir())
    entries = (ledger.parent / "documents.beancount").read_text("utf-8")
    lines = sorted(line for line in entries.splitlines() if " document " in line)
    # One entry per unit (C101, C102) for each county-wide file: four, none twice.
    assert len(lines) == len(set(lines)) == 4, entries
    assert sum("预算指标_2025_追加.xlsx" in line for line in lines) == 2, entries
