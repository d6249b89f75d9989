"""Any Unicode text as a payee, a narration or a file name (issue 24's property test).

Import → books → check → report with hypothesis-chosen text in the first payment's
收款人 and 用途 and in the export's file name.  Either the import refuses the file with a
sentence (nothing written, no traceback), or every directive it writes is the one a
plain export gives — the text changes only that payment's payee, narration and
``source`` / ``*_original`` metadata —, the books check with the same findings, and the
report totals are the same to the fen.  Text can neither inject a directive nor move a
number.
"""

from __future__ import annotations

import contextlib
import csv
import io
import shutil
import sys
import tempfile
from pathlib import Path

from beancount import loader
from beancount.core import data
from beancount.parser import parser
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "importers"))

from importer_testdata import CONFIG, LEDGER_DIR, SAMPLES

from sandao.cli import main
from sandao.ledger import analysis_for
from sandao.ledger.vocabulary import PROJECT_ID, TASK_ID
from sandao.reports.execution import execution_report
from sandao.reports.tasks import task_ledger_report

SOURCE = SAMPLES / "国库集中支付明细_C101_2025Q1.csv"
#: Metadata that names where a row came from or keeps the cell as it was.
FREE_META = {"source", "payee_original", "narration_original", "payee_type", "filename", "lineno"}


def _rows() -> list[list[str]]:
    return list(csv.reader(io.StringIO(SOURCE.read_text(encoding="gb18030"))))


def _export(folder: Path, name: str, payee: str, narration: str) -> Path:
    rows = _rows()
    header = rows[2]
    rows[3][header.index("收款人全称")] = payee
    rows[3][header.index("用途")] = narration
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(rows)
    path = folder / name
    path.write_text(buffer.getvalue(), encoding="utf-8")
    return path


def _extract(folder: Path, export: Path) -> tuple[int, Path, str]:
    out = folder / "out.beancount"
    books = folder / "books" / "with_quotas.beancount"
    args = ["import", "extract", str(export), "--ledger", str(books), "--config", str(CONFIG)]
    err = io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
        code = main([*args, "--output", str(out)])
    return code, out, err.getvalue()


def _shape(entry: data.Directive) -> tuple:
    """A directive without its free text: what must not change."""
    meta = {k: v for k, v in (entry.meta or {}).items() if k not in FREE_META}
    if isinstance(entry, data.Transaction):
        return (
            entry.date,
            entry.flag,
            tuple(sorted(entry.links)),
            tuple(sorted(entry.tags)),
            tuple(sorted(meta.items())),
            tuple((p.account, p.units) for p in entry.postings),
        )
    return (type(entry).__name__, entry.date, tuple(sorted(meta.items())))


def _outcome(folder: Path, out: Path) -> tuple:
    entries = parser.parse_file(str(out))
    assert not entries[1], entries[1]
    main_file = folder / "all.beancount"
    main_file.write_text(
        f'include "books/with_quotas.beancount"\ninclude "{out.name}"\n', encoding="utf-8"
    )
    loaded, errors, options = loader.load_file(str(main_file))
    analysis = analysis_for(loaded, options, errors)
    findings = sorted((f.code, f.task, f.quota, f.unit, f.date) for f in analysis.findings)
    totals = []
    for report in (execution_report(analysis, 2025), task_ledger_report(analysis, 2025)):
        for table in report.tables:
            totals.append(tuple(sorted((k, str(v)) for k, v in (table.total or {}).items())))
    return [_shape(e) for e in entries[0]], findings, totals, [e for e in entries[0]]


_BASELINE: dict[str, tuple] = {}


def _baseline() -> tuple:
    if not _BASELINE:
        with tempfile.TemporaryDirectory() as tmp:
            folder = Path(tmp)
            shutil.copytree(LEDGER_DIR, folder / "books")
            export = _export(folder, SOURCE.name, "王芳", "培训费（1月）")
            code, out, err = _extract(folder, export)
            assert code == 0, err
            _BASELINE["x"] = _outcome(folder, out)
    return _BASELINE["x"]


def _file_name(text: str) -> str:
    name = text.replace("/", "").replace("\x00", "")
    while len(f"国库集中支付明细_{name}.csv".encode()) > 255:
        name = name[:-1]
    return f"国库集中支付明细_{name}.csv"


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(payee=st.text(max_size=30), narration=st.text(max_size=60), name=st.text(max_size=20))
@example(payee='县宏达"商行\\', narration='x" 2025-01-01 custom "ack" "T001" "X" "y', name='a"b')
@example(payee="\ufeff县宏\u200d达商行\u202e", narration="\u2028=1+1", name="\u202egnp.exe")
@example(payee="王芳", narration="办公用品\n2025-01-01 open Assets:X", name="x\ny")
@example(payee="  ", narration="", name="")
def test_any_text_round_trips_without_changing_a_directive_total_or_finding(
    payee: str, narration: str, name: str
) -> None:
    assume(not any(p.search(t) for p in (TASK_ID, PROJECT_ID) for t in (payee, narration)))
    shapes, findings, totals, _ = _baseline()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        shutil.copytree(LEDGER_DIR, folder / "books")
        export = _export(folder, _file_name(name), payee, narration)
        code, out, err = _extract(folder, export)
        assert "Traceback" not in err
        if code != 0:
            assert code == 1 and "错误" in err and not out.exists()
            return
        got_shapes, got_findings, got_totals, entries = _outcome(folder, out)
        assert got_shapes == shapes
        assert got_findings == findings
        assert got_totals == totals
        first = next(e for e in entries if isinstance(e, data.Transaction))
        assert "\n" not in first.payee + first.narration
