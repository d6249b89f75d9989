"""The bad-input corpus: every broken or hostile export is refused with a clear message.

Each file in tests/data/bad_exports (made by make_bad_exports.py) must give a non-zero
exit, a Chinese message naming the file, the row and the column and what was
expected, and leave the output file and every ledger file byte-identical.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from importer_testdata import BAD, SAMPLES

from sandao.importers.config import PAYMENT_REQUIRED
from sandao.importers.errors import column_letter

EXPECTED = json.loads((BAD / "expected.json").read_text(encoding="utf-8"))
OUTPUT_BEFORE = "; 已有的导入文件，导入失败时不能被改动\n"


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file()}


def _assert_refused(
    extract,
    path: Path,
    ledger: Path,
    tmp_path: Path,
    row: int | None,
    column: str | None,
    words: list[str],
) -> str:
    output = tmp_path / "out.beancount"
    output.write_text(OUTPUT_BEFORE, encoding="utf-8")
    books = _snapshot(ledger.parent)
    code, _stdout, stderr = extract(path, "--output", output, ledger=ledger)
    assert code != 0
    assert "Traceback" not in stderr
    assert "没有写入任何文件" in stderr
    assert path.name in stderr
    if row is not None:
        assert f"第 {row} 行" in stderr, stderr
    if column is not None:
        assert f"「{column}」" in stderr, stderr
    for word in words:
        assert word in stderr, stderr
    assert output.read_text(encoding="utf-8") == OUTPUT_BEFORE
    assert _snapshot(ledger.parent) == books
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".sandao-import-")]
    return stderr


def test_corpus_is_large_enough() -> None:
    files = [p for p in BAD.iterdir() if p.name != "expected.json"]
    assert len(files) >= 30
    assert set(EXPECTED) == {p.name for p in files}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_bad_export_refused(name: str, extract, ledger_with_quotas: Path, tmp_path: Path) -> None:
    case = EXPECTED[name]
    stderr = _assert_refused(
        extract,
        BAD / name,
        ledger_with_quotas,
        tmp_path,
        case["row"],
        case["column"],
        case["words"],
    )
    if case["column"] is not None and "缺少列" not in case["words"]:
        # The column is given as its Excel letter too, e.g. "M 列（第 13 列）".
        assert " 列（第 " in stderr


def test_ten_megabyte_cell(extract, ledger_with_quotas: Path, tmp_path: Path) -> None:
    lines = (
        (SAMPLES / "国库集中支付明细_C101_2025Q1.csv").read_text(encoding="gb18030").splitlines()
    )
    cells = lines[4].split(",")
    cells[14] = "很长" * (5 * 1024 * 1024)
    lines[4] = ",".join(cells)
    path = tmp_path / "超大单元格.csv"
    path.write_text("\n".join(lines) + "\n", encoding="gb18030")
    assert path.stat().st_size > 10 * 1024 * 1024
    _assert_refused(extract, path, ledger_with_quotas, tmp_path, 5, None, ["单元格过大"])


def test_big_cell_in_xlsx(extract, ledger_with_quotas: Path, tmp_path: Path) -> None:
    import xlsxwriter

    path = tmp_path / "长文本.xlsx"
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet()
    sheet.write_row(0, 0, PAYMENT_REQUIRED)  # the required columns, nothing more
    sheet.write_row(
        1, 0, ["ZF1", "2025-01-08", "C101", "ZB25-0101", "2120101", "30216", "字" * 30000, "1.00"]
    )
    book.close()
    _assert_refused(extract, path, ledger_with_quotas, tmp_path, 2, "收款人全称", ["过长"])


def test_one_bad_file_stops_the_whole_run(extract, ledger: Path, tmp_path: Path) -> None:
    """Good files in the same run are not written either."""
    output = tmp_path / "out.beancount"
    code, _, stderr = extract(SAMPLES, BAD / "合计不符.csv", "--output", output, ledger=ledger)
    assert code == 1
    assert "合计不符.csv 第 24 行" in stderr
    assert not output.exists()


def test_broken_ledger_is_a_clear_error(extract, ledger: Path, tmp_path: Path) -> None:
    broken = ledger.parent / "broken.beancount"
    broken.write_text('include "main.beancount"\n2025-13-45 open Assets:X\n', encoding="utf-8")
    code, _, stderr = extract(SAMPLES, "--output", tmp_path / "o.beancount", ledger=broken)
    assert code == 2
    assert "broken.beancount" in stderr and "账本" in stderr and "Traceback" not in stderr
    code, _, stderr = extract(
        SAMPLES,
        "--output",
        tmp_path / "o.beancount",
        ledger=tmp_path / "nope.beancount",
        config=None,
    )
    assert code == 2 and "账本文件不存在" in stderr


def test_missing_include_is_a_clear_error(extract, ledger: Path, tmp_path: Path) -> None:
    broken = ledger.parent / "broken.beancount"
    broken.write_text('include "main.beancount"\ninclude "missing.beancount"\n', encoding="utf-8")
    code, _, stderr = extract(SAMPLES, "--output", tmp_path / "o.beancount", ledger=broken)
    assert code == 2 and "missing.beancount" in stderr


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("[bank\n", "TOML"),
        ("[nonsense]\n", "未知的表"),
        ('[[bank.rules]]\nmemo = "x"\n', "account / economic / department"),
        ('[[quota.stream_rules]]\nstream = "其他"\n', "建设 / 运转 / 职能"),
    ],
)
def test_bad_config(extract, ledger: Path, tmp_path: Path, text: str, words: str) -> None:
    config = tmp_path / "import.toml"
    config.write_text(text, encoding="utf-8")
    code, _, stderr = extract(
        SAMPLES, "--output", tmp_path / "o.beancount", ledger=ledger, config=config
    )
    assert code == 1 and words in stderr and "import.toml" in stderr


def test_output_may_not_be_the_ledger(extract, ledger: Path) -> None:
    before = ledger.read_bytes()
    code, _, stderr = extract(SAMPLES, "--output", ledger, ledger=ledger)
    assert code == 1 and "主账本" in stderr
    assert ledger.read_bytes() == before


def test_column_letters() -> None:
    assert [column_letter(i) for i in (0, 12, 25, 26, 27, 701, 702)] == [
        "A",
        "M",
        "Z",
        "AA",
        "AB",
        "ZZ",
        "AAA",
    ]
