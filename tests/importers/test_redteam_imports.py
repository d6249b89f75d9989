"""Red-team findings about the importers (issue 24): each test failed on the code before its fix.

Hostile exports (a regex that went quadratic, zip bombs, a FIFO, absurd amounts, file
names carrying a newline or a quote), keys that dropped legitimate rows (a second 调减 of
the same amount; bank serials that repeat across accounts) and archive runs that lost
each other's entries or left a broken link.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from beancount.core import data
from beancount.parser import parser
from importer_testdata import CONFIG, SAMPLES, archive_books

QUOTA_XLSX = SAMPLES / "预算指标_2025.xlsx"
PAYMENTS = SAMPLES / "国库集中支付明细_C101_2025Q1.csv"
BANK = SAMPLES / "银行对账单_C102_202503.csv"
SANDAO = Path(sys.executable).with_name("sandao")


def _entries(path: Path) -> list[data.Directive]:
    entries, errors, _ = parser.parse_file(str(path))
    assert not errors, errors
    return entries


def _rezip(source: Path, target: Path, change: dict[str, bytes]) -> Path:
    """A copy of an xlsx with some members replaced (or added)."""
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as new:
        for item in old.infolist():
            new.writestr(item.filename, change.pop(item.filename, old.read(item.filename)))
        for name, content in change.items():
            new.writestr(name, content)
    return target


def _sandao(*args: object, timeout: float = 60, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(SANDAO), *map(str, args)],
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**os.environ, **env},
    )


# --- findings 2, 3: xlsx that stalled or ate memory ------------------------------------


def test_formula_scan_is_linear_on_unclosed_cells(tmp_path: Path) -> None:
    """Finding 2: unclosed ``<c>`` tags in an XML comment made the formula scan quadratic."""
    from sandao.importers.tables import formula_cells

    hostile = b"<!--" + b'<c r="A1">x' * 40_000 + b"--><f"
    import time

    start = time.perf_counter()
    assert formula_cells(hostile) == set()
    assert time.perf_counter() - start < 2  # was minutes (quadratic)
    sheet = b'<c r="B3"><f>SUM(A1)</f><v>1</v></c><c r="C3" t="s"><v>2</v></c><c r="D3"/>'
    assert formula_cells(sheet) == {(3, 1)}
    # The whole command: a small xlsx whose sheet holds the comment answers at once.
    with zipfile.ZipFile(QUOTA_XLSX) as archive:
        sheet_xml = archive.read("xl/worksheets/sheet1.xml")
    attack = sheet_xml.replace(b"<sheetData>", b"<sheetData>" + hostile, 1)
    path = _rezip(QUOTA_XLSX, tmp_path / "预算指标_注释.xlsx", {"xl/worksheets/sheet1.xml": attack})
    assert path.stat().st_size < 60_000
    run = _sandao("import", "identify", path, timeout=60)
    assert run.returncode == 0 and "预算指标" in run.stdout, run.stderr


@pytest.mark.parametrize("member", ["xl/worksheets/sheet1.xml", "xl/sharedStrings.xml"])
def test_xlsx_bomb_is_refused_before_reading(tmp_path: Path, member: str) -> None:
    """Finding 3: no limit on the uncompressed size (2 MB → 4.2 GB of memory)."""
    with zipfile.ZipFile(QUOTA_XLSX) as archive:
        original = archive.read(member)
    padding = b"<!--" + b" " * (300 * 1024 * 1024) + b"-->"
    bomb = original.replace(b"?>", b"?>" + padding, 1)
    path = _rezip(QUOTA_XLSX, tmp_path / "预算指标_炸弹.xlsx", {member: bomb})
    assert path.stat().st_size < 2 * 1024 * 1024
    run = _sandao("import", "identify", path, timeout=120)
    assert run.returncode == 1 and "解压后" in run.stdout + run.stderr, run.stderr[-2000:]


@pytest.mark.parametrize(
    "far",
    [
        b'<row r="1000000"><c r="XFD1000000" t="inlineStr"><is><t>x</t></is></c></row>',
        b'<row r="1000000"><c t="inlineStr" r="A1000000"><is><t>x</t></is></c></row>',
        b"<row/>" * 2000 + b"<row>" + b"<c/>" * 16384 + b"</row>",  # no references at all
    ],
    ids=["far cell", "reference not first", "rows and cells without references"],
)
def test_xlsx_with_a_huge_sheet_area_is_refused(tmp_path: Path, far: bytes) -> None:
    """Finding 3: one far cell makes the sheet's dense area billions of cells (the reader
    aborted the whole process allocating 500 GB)."""
    with zipfile.ZipFile(QUOTA_XLSX) as archive:
        sheet_xml = archive.read("xl/worksheets/sheet1.xml")
    attack = sheet_xml.replace(b"</sheetData>", far + b"</sheetData>", 1)
    path = _rezip(QUOTA_XLSX, tmp_path / "预算指标_远处.xlsx", {"xl/worksheets/sheet1.xml": attack})
    run = _sandao("import", "identify", path, timeout=120)
    assert run.returncode == 1 and "单元格" in run.stdout + run.stderr, run.stderr[-2000:]


def test_sheet_area_bounds_what_the_reader_would_build() -> None:
    from sandao.importers.tables import sheet_area

    assert sheet_area(b'<c r="A1"/><c r="P100004"/>') == 100_004 * 26
    assert sheet_area(b'<c r="XFD1000000"/>') == 16384 * 1_000_000
    assert sheet_area(b'<row r="5"><c r="B5"/><c/><c/></row><row><c/></row>') == 6 * 4


# --- finding 23: a FIFO -------------------------------------------------------------------


def test_fifo_in_the_exports_folder_is_refused_not_waited_on(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    shutil.copy(PAYMENTS, inbox)
    os.mkfifo(inbox / "管道.csv")
    run = _sandao("import", "identify", inbox, timeout=30)
    assert run.returncode != 0
    assert "管道.csv" in run.stdout and "不是普通文件" in run.stdout


# --- finding 16: amounts no budget can hold -----------------------------------------------


@pytest.mark.parametrize(
    "amount",
    ["1" * 28 + ".00", "1" * 27 + ".01", "1000000000000000.00", "-1,000,000,000,000,000.00"],
)
def test_absurd_amounts_are_refused_with_a_sentence(amount: str) -> None:
    from sandao.importers.values import ValueProblem, parse_amount

    with pytest.raises(ValueProblem, match="金额过大"):
        parse_amount(amount)


def test_absurd_xlsx_float_is_refused() -> None:
    from sandao.importers.values import ValueProblem, parse_amount

    with pytest.raises(ValueProblem, match="金额过大"):
        parse_amount(1e30)
    with pytest.raises(ValueProblem, match="金额过大"):
        parse_amount("100000000000.00", 10000)  # 万元
    assert str(parse_amount("999999999999999.99")) == "999999999999999.99"


def test_absurd_amount_in_a_payment_export_is_a_row_error(extract, ledger_with_quotas, tmp_path):
    rows = PAYMENTS.read_text(encoding="gb18030").splitlines()
    rows[3] = rows[3].replace("466.65", "1" * 28 + ".00")
    path = tmp_path / "国库集中支付明细_C101_大数.csv"
    path.write_text("\n".join(rows) + "\n", encoding="gb18030")
    out = tmp_path / "out.beancount"
    code, _, stderr = extract(path, "--output", out, ledger=ledger_with_quotas)
    assert code == 1 and "金额过大" in stderr and "第 4 行" in stderr
    assert "Traceback" not in stderr and not out.exists()


# --- findings 1, 28: file names that carry a quote or a newline ---------------------------


def test_export_name_with_a_newline_is_refused(extract, ledger_with_quotas, tmp_path) -> None:
    """Finding 28: a newline in the name reached ``source:`` metadata and output file names."""
    name = '国库集中支付明细_C101\n2025-01-01 custom "ack" "T001" "T2025-002" "x".csv'
    path = tmp_path / name
    shutil.copy(PAYMENTS, path)
    out = tmp_path / "out"
    code, _, stderr = extract(path, "--output-dir", out, ledger=ledger_with_quotas)
    assert code == 1 and "文件名" in stderr and "换行" in stderr
    assert not out.exists() or not list(out.iterdir())


def test_archive_escapes_a_quote_in_a_county_wide_name(cli, ledger: Path, tmp_path: Path):
    """Finding 1: the name went unescaped into documents.beancount (a directive injected)."""
    archive_books(ledger)
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    name = '预算指标_2025" 2025-07-01 custom "ack" "T001" "T2025-002" "x.xlsx'
    shutil.copy(QUOTA_XLSX, inbox / name)
    code, _, stderr = cli("import", "archive", inbox, "--ledger", ledger, "--config", CONFIG)
    assert code == 0, stderr
    entries = _entries(ledger.parent / "documents.beancount")
    assert {type(e) for e in entries} == {data.Document}
    assert {Path(e.filename).name for e in entries} == {f"2025-07-01.{name}"}
    # With a newline the name is refused at the door: nothing moves.
    other = inbox / "预算指标\n2025.xlsx"
    shutil.copy(QUOTA_XLSX, other)
    code, _, stderr = cli("import", "archive", inbox, "--ledger", ledger, "--config", CONFIG)
    assert code == 1 and "换行" in stderr and other.exists()


def test_archive_of_a_relative_symlink_files_the_file_itself(cli, ledger, tmp_path) -> None:
    """Finding 14: the link was moved as it was and pointed nowhere in its new folder."""
    archive_books(ledger)
    store = tmp_path / "store"
    store.mkdir()
    shutil.copy(PAYMENTS, store)
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / PAYMENTS.name).symlink_to(Path("..") / "store" / PAYMENTS.name)
    code, _, stderr = cli("import", "archive", inbox, "--ledger", ledger, "--config", CONFIG)
    assert code == 0, stderr
    filed = list((ledger.parent / "documents").rglob("*.csv"))
    assert len(filed) == 1 and not filed[0].is_symlink()
    assert filed[0].read_bytes() == PAYMENTS.read_bytes()
    assert (store / PAYMENTS.name).read_bytes() == PAYMENTS.read_bytes()
    assert not (inbox / PAYMENTS.name).exists() and not (inbox / PAYMENTS.name).is_symlink()


def test_archive_waits_for_another_run_on_the_same_entries_file(ledger, tmp_path) -> None:
    """Finding 13: two runs with different ``--to`` and one ``--entries`` lost entries."""
    from sandao.locking import output_lock

    archive_books(ledger)
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    shutil.copy(QUOTA_XLSX, inbox)
    entries = ledger.parent / "documents.beancount"
    args = ("import", "archive", inbox, "--ledger", ledger, "--config", CONFIG)
    with output_lock(str(entries)):
        run = _sandao(*args, "--to", tmp_path / "docs1", SANDAO_LOCK_TIMEOUT="1")
    assert run.returncode != 0 and "另一个 sandao 进程" in run.stderr
    assert (inbox / QUOTA_XLSX.name).exists() and entries.read_text(encoding="utf-8") == ""


# --- finding 9: the quota key ------------------------------------------------------------

QUOTA_HEADER = "指标编号,指标文号,下达日期,预算单位编码,预算单位名称,功能分类编码,经济分类编码,资金性质,指标类型,指标金额,项目编码,摘要"


def _quota_csv(path: Path, *rows: str) -> Path:
    path.write_text("\n".join([QUOTA_HEADER, *rows]) + "\n", encoding="utf-8")
    return path


def test_a_second_adjustment_of_the_same_amount_is_a_new_row(extract, ledger_with_quotas, tmp_path):
    cut = "ZB25-0101,X财预〔2025〕{doc}号,{date},C101,城东社区服务中心,2120101,302,一般公共预算,调减,-1000.00,,压减"
    first = _quota_csv(
        tmp_path / "预算指标_调减1.csv",
        cut.format(doc=30, date="2025-05-01"),
        cut.format(doc=31, date="2025-06-01"),
    )
    out = tmp_path / "out.beancount"
    code, _, stderr = extract(first, "--output", out, ledger=ledger_with_quotas)
    assert code == 0, stderr
    adjusts = [e for e in _entries(out) if isinstance(e, data.Custom)]
    assert [(e.date.isoformat(), e.meta["document"]) for e in adjusts] == [
        ("2025-05-01", "X财预〔2025〕30号"),
        ("2025-06-01", "X财预〔2025〕31号"),
    ]
    # The books now hold both; a third 调减 of the same amount (another 文号) is new,
    # the first two again are duplicates.
    books = tmp_path / "books.beancount"
    books.write_text(f'include "{ledger_with_quotas}"\ninclude "{out}"\n', encoding="utf-8")
    again = _quota_csv(
        tmp_path / "预算指标_调减2.csv",
        cut.format(doc=30, date="2025-05-01"),
        cut.format(doc=31, date="2025-06-01"),
        cut.format(doc=45, date="2025-08-01"),
    )
    out2 = tmp_path / "out2.beancount"
    code, _stdout, stderr = extract(again, "--output", out2, ledger=books)
    assert code == 0, stderr
    adjusts = [e for e in _entries(out2) if isinstance(e, data.Custom)]
    assert [e.meta["document"] for e in adjusts] == ["X财预〔2025〕45号"]
    # The very same row twice in one file is still refused.
    twice = _quota_csv(
        tmp_path / "预算指标_重复.csv",
        cut.format(doc=50, date="2025-09-01"),
        cut.format(doc=50, date="2025-09-01"),
    )
    code, _, stderr = extract(twice, "--output", tmp_path / "x.beancount", ledger=books)
    assert code == 1 and "重复" in stderr


# --- finding 10: bank serials are per account ---------------------------------------------


def test_bank_serials_repeat_across_accounts(extract, ledger_with_quotas, tmp_path) -> None:
    config = tmp_path / "import.toml"
    config.write_text(
        CONFIG.read_text(encoding="utf-8")
        + '\n[[bank.accounts]]\nfile = "银行对账单_C101_*"\nunit = "C101"\n',
        encoding="utf-8",
    )
    c102 = tmp_path / BANK.name
    shutil.copy(BANK, c102)
    c101 = tmp_path / "银行对账单_C101_202503.csv"
    text = BANK.read_text(encoding="utf-8-sig").replace("职能经费拨付 T2025-011", "银行手续费")
    c101.write_text(text, encoding="utf-8")
    out = tmp_path / "out.beancount"
    code, _, stderr = extract(c102, c101, "--output", out, ledger=ledger_with_quotas, config=config)
    assert code == 0, stderr
    by_account: dict[str, int] = {}
    for entry in _entries(out):
        if isinstance(entry, data.Transaction) and "serial" in entry.meta:
            bank = next(p.account for p in entry.postings if "1002" in p.account)
            by_account[bank.split(":")[1][:4]] = by_account.get(bank.split(":")[1][:4], 0) + 1
    rows = len(BANK.read_text(encoding="utf-8-sig").strip().splitlines()) - 1
    assert by_account == {"C101": rows, "C102": rows}
    # Extracting again over books that hold both adds nothing.
    books = tmp_path / "books.beancount"
    books.write_text(f'include "{ledger_with_quotas}"\ninclude "{out}"\n', encoding="utf-8")
    out2 = tmp_path / "out2.beancount"
    code, _stdout, stderr = extract(c102, c101, "--output", out2, ledger=books, config=config)
    assert code == 0, stderr
    assert not out2.exists() or not [e for e in _entries(out2) if isinstance(e, data.Transaction)]
