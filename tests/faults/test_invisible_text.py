"""Invisible characters in names (red team 4).

Three 45,000 payments to one shop within 7 days are AU15 (化整为零) with plain names and
were not with U+FEFF, U+200D or U+202E slipped into the payee; U+202E (right-to-left
override) reached the kiosk, the notice and the CSV; and a formula behind a leading
space, U+3000, U+FEFF or U+2028 was not neutralised in CSV.  Text is cleaned at the door
(the importers drop the characters and keep the original, escaped, in metadata), the
posting table reads names as they show, and public text and CSV cells never carry them.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from beancount.core import data
from beancount.parser import parser

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "audit"))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "importers"))

from auditbooks import codes, pay, run
from importer_testdata import SAMPLES

PAYEES = ["县宏达商行", "\ufeff县宏达商行", "县宏\u200d达商行", "县宏达\u202e商行"]


def test_invisible_characters_do_not_split_one_payee() -> None:
    plain = "".join(pay(f"2024-03-0{i + 4}", PAYEES[0], "办公设备", "45000.00") for i in range(3))
    hidden = "".join(
        pay(f"2024-03-0{i + 4}", PAYEES[i + 1], "办公设备", "45000.00") for i in range(3)
    )
    assert len(codes(run(plain), "AU15")) == 1
    found = codes(run(hidden), "AU15")
    assert len(found) == 1 and "县宏达商行" in found[0].subject


@pytest.mark.parametrize(
    "text", ["=1+1", " =1+1", "\u3000=1+1", "\ufeff=1+1", "\u2028=1+1", "\u200b@SUM(A1)", "\t-1"]
)
def test_csv_neutralises_formulas_behind_blanks(text: str) -> None:
    from sandao.reports.privacy import neutralise

    assert neutralise(text).startswith("'")


def test_public_text_drops_bidi_and_zero_width_characters() -> None:
    from sandao.reports.privacy import public_payee, public_text

    assert public_text("县宏达\u202e商行") == "县宏达商行"
    assert public_payee("\ufeff张\u200d三", True) == "张**"


def test_import_drops_invisible_characters_and_keeps_the_original(tmp_path: Path) -> None:
    from sandao.cli import main

    books = tmp_path / "books"
    import shutil

    from importer_testdata import CONFIG, LEDGER_DIR

    shutil.copytree(LEDGER_DIR, books)
    source = SAMPLES / "国库集中支付明细_C101_2025Q1.csv"
    rows = source.read_text(encoding="gb18030").splitlines()
    rows[3] = (
        rows[3]
        .replace(",王芳,", ",王\u200d芳\u202e,")
        .replace("培训费（1月）", "\ufeff培训费（1月）")
    )
    export = tmp_path / source.name
    export.write_text("\n".join(rows) + "\n", encoding="utf-8")
    out = tmp_path / "out.beancount"
    ledger = books / "with_quotas.beancount"
    args = ["import", "extract", str(export), "--ledger", str(ledger), "--config", str(CONFIG)]
    assert main([*args, "--output", str(out)]) == 0
    entries, errors, _ = parser.parse_file(str(out))
    assert not errors
    first = next(e for e in entries if isinstance(e, data.Transaction))
    assert first.payee == "王芳" and first.narration == "培训费（1月）"
    assert first.meta["payee_original"] == "王\\u200d芳\\u202e"
    assert first.meta["narration_original"] == "\\ufeff培训费（1月）"
    assert first.meta["payee_type"] == "个人"


@pytest.mark.parametrize("cell", ["C\u200d101", "\ufeffC101", "C101\u202e"])
def test_codes_with_invisible_characters_are_refused(cell: str) -> None:
    from sandao.importers.values import ValueProblem, parse_code

    with pytest.raises(ValueProblem, match="不可见字符"):
        parse_code(cell, True, "预算单位编码")
