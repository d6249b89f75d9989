"""The importers the ecosystem's way: beangulp's command line and Fava's 导入 page.

Both routes run on the bundled example county without its imported entries (the four
exports in ``exports/`` are new to the books) and must give the entries
``sandao import extract`` gives — in any file order (a payment file before the quota
export its rows cite), with the books counted once (the bank statement's opening
balance matches the books' 35,210.40, not twice that).
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
from beancount import loader
from beancount.core import data
from beancount.parser import parser, printer

from sandao.cli import main
from sandao.ledger.scaffold import write_example

FILES = (
    "国库集中支付明细_C101_2025Q1.csv",
    "国库集中支付明细_C102_2025-03.xlsx",
    "银行对账单_C102_202503.csv",
    "预算指标_2025.xlsx",
)
ORDERS = {
    "name order": FILES,
    "reversed": FILES[::-1],
    "quota last": (FILES[2], *FILES[:2], FILES[3]),
}


@pytest.fixture(scope="module")
def books(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The example county, its imported entries removed (the exports are new)."""
    folder = tmp_path_factory.mktemp("ecosystem") / "county"
    write_example(folder)
    for path in (folder / "imported").glob("*.beancount"):
        path.unlink()
    return folder


def _printed(entries: list[data.Directive]) -> Counter[str]:
    """Each entry as Beancount's printer writes it, without where it came from."""
    out: Counter[str] = Counter()
    for entry in entries:
        meta = {k: v for k, v in entry.meta.items() if k not in ("filename", "lineno")}
        out[printer.format_entry(entry._replace(meta=meta))] += 1
    return out


@pytest.fixture(scope="module")
def expected(books: Path, tmp_path_factory: pytest.TempPathFactory) -> Counter[str]:
    """What ``sandao import extract`` writes for the four exports."""
    output = tmp_path_factory.mktemp("cli") / "new.beancount"
    code = main(
        [
            "import", "extract", str(books / "exports"),
            "--ledger", str(books / "main.beancount"),
            "--config", str(books / "import.toml"),
            "--output", str(output),
        ]
    )  # fmt: skip
    assert code == 0
    entries, errors, _ = parser.parse_file(str(output))
    assert not errors and len(entries) == 96
    return _printed(entries)


@pytest.mark.parametrize("order", ORDERS.values(), ids=ORDERS.keys())
def test_beangulp_command_line(books: Path, expected: Counter[str], order: tuple[str, ...]) -> None:
    """``python importers.py extract -e main.beancount FILES``, as beangulp documents it."""
    files = [str(books / "exports" / name) for name in order]
    run = subprocess.run(
        [sys.executable, "importers.py", "extract", "-e", "main.beancount", *files],
        cwd=books,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "PYTHONWARNINGS": "ignore"},
    )
    assert run.returncode == 0, run.stderr
    assert "ERROR" not in run.stderr and "Traceback" not in run.stderr
    entries, errors, _ = parser.parse_string(run.stdout)
    assert not errors
    assert _printed(entries) == expected


def test_beangulp_reads_the_books_once(books: Path, expected: Counter[str]) -> None:
    """Given the loaded books as ``existing``, the importers never read the ledger file again."""
    from sandao.importers.beangulp_importers import make_importers

    importers = make_importers(str(books / "import.toml"), str(books / "main.beancount"))
    existing, _, _ = loader.load_file(str(books / "main.beancount"))
    got: list[data.Directive] = []
    for name in FILES[::-1]:
        path = str(books / "exports" / name)
        (importer,) = [i for i in importers if i.identify(path)]
        got.extend(importer.extract(path, existing))
        importer.account(path)
    assert _printed(got) == expected
    assert importers[0].session.ledger_reads == 0


@pytest.mark.parametrize("order", ORDERS.values(), ids=ORDERS.keys())
def test_fava_import_page(books: Path, expected: Counter[str], order: tuple[str, ...]) -> None:
    """Fava's 导入 page through the books' ``import-config`` option (``importers.py``)."""
    from fava.core import FavaLedger

    ledger = FavaLedger(str(books / "main.beancount"))
    assert not ledger.ingest.errors
    offered = {Path(f.name).name: f for f in ledger.ingest.import_data()}
    assert set(offered) == set(FILES)
    got: list[data.Directive] = []
    for name in order:
        (info,) = offered[name].importers
        got.extend(ledger.ingest.extract(offered[name].name, info.importer_name))
    assert _printed(got) == expected
