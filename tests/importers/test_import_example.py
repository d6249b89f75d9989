"""The example books ship the sample exports imported by this importer.

ledger/example/imported/*.beancount must be exactly what the importer makes from
ledger/example/exports/ against the hand-kept books, and a second import adds nothing.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import sandao.ledger.example as example_package

EXAMPLE = Path(example_package.__file__).resolve().parent
EXPORTS = EXAMPLE / "exports"
IMPORTED = EXAMPLE / "imported"
EXPECTED_FILES = [
    "国库集中支付明细_C101_2025Q1.beancount",
    "国库集中支付明细_C102_2025-03.beancount",
    "银行对账单_C102_202503.beancount",
    "预算指标_2025.beancount",
]


def test_exports_and_config_are_shipped() -> None:
    assert sorted(p.name for p in EXPORTS.iterdir()) == [
        "国库集中支付明细_C101_2025Q1.csv",
        "国库集中支付明细_C102_2025-03.xlsx",
        "银行对账单_C102_202503.csv",
        "预算指标_2025.xlsx",
    ]
    assert (EXAMPLE / "import.toml").exists()


def test_imported_files_regenerate_identically(extract, tmp_path: Path) -> None:
    books = tmp_path / "example"
    shutil.copytree(EXAMPLE, books, ignore=shutil.ignore_patterns("__pycache__", "*.py"))
    imported = books / "imported"
    imported.mkdir(exist_ok=True)
    for name in EXPECTED_FILES:  # the books may include them: leave them empty, not missing
        (imported / name).write_text("", encoding="utf-8")
    code, stdout, stderr = extract(
        books / "exports",
        "--output-dir",
        imported,
        "--json",
        ledger=books / "main.beancount",
        config=books / "import.toml",
    )
    assert code == 0, stderr
    assert json.loads(stdout)["entries"] > 0
    for name in EXPECTED_FILES:
        assert (imported / name).read_bytes() == (IMPORTED / name).read_bytes(), (
            f"{name} 需要重新生成"
        )


def test_second_import_adds_nothing(extract, tmp_path: Path) -> None:
    books = tmp_path / "example"
    shutil.copytree(EXAMPLE, books, ignore=shutil.ignore_patterns("__pycache__", "*.py"))
    before = {p.name: p.read_bytes() for p in (books / "imported").iterdir()}
    code, stdout, stderr = extract(
        books / "exports",
        "--output-dir",
        books / "imported",
        "--json",
        ledger=books / "main.beancount",
        config=books / "import.toml",
    )
    assert code == 0, stderr
    assert json.loads(stdout)["entries"] == 0
    assert {p.name: p.read_bytes() for p in (books / "imported").iterdir()} == before
