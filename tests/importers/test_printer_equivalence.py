"""The importers write entry text directly (a fast path: no entry objects, no printer
call per row); this proves the text is what ``beancount.parser.printer`` prints for the
same entries — the amount column's alignment aside — escaping included."""

from __future__ import annotations

import datetime
import re

import pytest
from beancount.core import data
from beancount.parser import parser, printer

from sandao.cli import main
from sandao.importers.common import q
from sandao.ledger.scaffold import write_example

#: The spaces between an account and its amount: the printer aligns them in a column.
_GAP = re.compile(r"(\S) +(-?\d[\d.]* [A-Z]{3}\b)")


def _plain(text: str) -> str:
    return _GAP.sub(r"\1  \2", text).strip()


def test_import_text_is_what_the_printer_prints(tmp_path, capsys) -> None:
    books = tmp_path / "county"
    write_example(books)
    for path in (books / "imported").glob("*.beancount"):
        path.unlink()
    output = tmp_path / "new.beancount"
    args = ["import", "extract", str(books / "exports"), "--ledger", str(books / "main.beancount")]
    assert main([*args, "--output", str(output)]) == 0
    text = output.read_text("utf-8")
    blocks = [b for b in text.split("\n\n") if b.strip() and not b.lstrip().startswith(";")]
    assert len(blocks) == 96
    for block in blocks:
        (entry,), errors, _ = parser.parse_string(block)
        assert not errors, block
        meta = {k: v for k, v in entry.meta.items() if k not in ("filename", "lineno")}
        assert _plain(block) == _plain(printer.format_entry(entry._replace(meta=meta)))


HOSTILE = ['县"城建"公司', "a\\b", 'end\\"', "\\", "“全角引号”", "tab\there", "多行\\n文本"]


@pytest.mark.parametrize("text", HOSTILE)
def test_string_literals_escape_as_the_printer_does(text: str) -> None:
    meta = data.new_metadata("<test>", 0)
    day = datetime.date(2025, 1, 1)
    entry = data.Transaction(meta, day, "*", text, "n", frozenset(), frozenset(), [])
    printed = printer.format_entry(entry).splitlines()[0]
    assert printed == f'2025-01-01 * {q(text)} "n"'
    (parsed,), errors, _ = parser.parse_string(f'2025-01-01 * {q(text)} "n"\n')
    assert not errors and parsed.payee == text
