"""The bundled example county: exactly the findings its comments promise, and a clean copy.

``sandao example DIR`` must give a folder a finance officer can put in git and check
on its own: the books, the exports they were imported from, the import config, and
the imported entries, with the same two intended findings wherever it is copied.
"""

from __future__ import annotations

import json
import re
from decimal import Decimal
from pathlib import Path

from beancount import loader
from beancount.core import data

from sandao.cli import main
from sandao.ledger import load
from sandao.ledger.scaffold import example_main

INTENDED = [
    ("T001", "error", "T2024-004", "C102", "D08", "2024.beancount"),
    ("T001", "error", "T2025-002", "C101", "D08", "2025.beancount"),
]


def run(capsys, *args) -> tuple[int, str]:
    code = main([str(a) for a in args])
    return code, capsys.readouterr().out


def findings_of(capsys, path: Path) -> tuple[int, list[dict]]:
    code, out = run(capsys, "check", path, "--json")
    return code, json.loads(out)


def test_installed_example_has_exactly_the_intended_findings(capsys):
    code, findings = findings_of(capsys, example_main())
    assert code == 1
    got = sorted(
        (f["code"], f["severity"], f["task"], f["unit"], f["department"], Path(f["file"]).name)
        for f in findings
    )
    assert got == INTENDED
    late, unfunded = sorted(findings, key=lambda f: f["task"])
    assert "2024-08-15 才到位" in late["message"]
    assert "仍未拨足" in unfunded["message"]


def test_example_comments_name_the_intended_findings():
    text = example_main().read_text("utf-8")
    assert 'plugin "sandao.ledger"' in text.splitlines(), "the rules must be enabled"
    for _, _, task, *_ in INTENDED:
        assert task in text


def test_bean_check_sees_the_same_errors_as_sandao_check():
    entries, errors, _ = loader.load_file(str(example_main()))
    rule_errors = sorted(e.message.split("]")[0] for e in errors)
    assert rule_errors == ["[T001", "[T001"]
    assert any(isinstance(e, data.Custom) and e.type == "task" for e in entries)


def test_example_copy_is_git_ready_and_checks_the_same(tmp_path, capsys):
    target = tmp_path / "county"
    code, _ = run(capsys, "example", target)
    assert code == 0
    names = {p.relative_to(target).as_posix() for p in target.rglob("*") if p.is_file()}
    assert {"main.beancount", ".gitignore", "import.toml", "README.md"} <= names
    assert any(n.startswith("exports/") and n.endswith(".xlsx") for n in names)
    assert sum(n.startswith("imported/") for n in names) == 4
    assert not any("__pycache__" in n or n.endswith(".py") for n in names)
    code, findings = findings_of(capsys, target / "main.beancount")
    assert code == 1
    assert sorted(f["task"] for f in findings) == ["T2024-004", "T2025-002"]
    assert all(Path(f["file"]).is_relative_to(target) for f in findings)
    code, _ = run(capsys, "example", target)
    assert code != 0, "example must refuse to overwrite existing books"


def test_example_spans_two_years_and_every_stream():
    analysis = load(example_main())
    years = {row.date.year for row in analysis.postings.rows}
    assert years == {2024, 2025}
    streams = {row.stream for row in analysis.postings.rows if row.stream}
    assert streams == {"建设", "运转", "职能"}
    departments = {t.department for t in analysis.declarations.tasks.values()}
    assert len(departments) >= 5
    assert len(analysis.declarations.quotas) >= 20
    assert any(q.adjustments for q in analysis.declarations.quotas.values())
    assert analysis.declarations.projects


def test_demo_exits_zero_and_shows_the_findings(tmp_path, capsys):
    code, out = run(capsys, "demo", "--out", tmp_path / "out")
    assert code == 0
    assert "T2024-004" in out and "T2025-002" in out
    assert (tmp_path / "out" / "index.html").exists()
    assert str(tmp_path / "out" / "index.html") in out
    # findings name the books' own files, not where the package happens to be installed
    assert re.search(r"^      20\d\d\.beancount:\d+: ", out, re.M) and "site-packages" not in out
    assert "下一步" in out and "sandao init " in out


def test_imported_payments_equal_the_exports_control_totals():
    analysis = load(example_main())
    by_file: dict[str, Decimal] = {}
    for row in analysis.postings.rows:
        if "/imported/" in row.file and row.account.startswith("Expenses:"):
            name = Path(row.file).name
            by_file[name] = by_file.get(name, Decimal(0)) + row.amount
    assert by_file["国库集中支付明细_C101_2025Q1.beancount"] == Decimal("245510.87")
    assert by_file["国库集中支付明细_C102_2025-03.beancount"] == Decimal("217751.92")
