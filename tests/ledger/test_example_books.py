"""The bundled example county: exactly the findings its comments promise, and a clean copy.

``sandao example DIR`` must give a folder a finance officer can put in git and check
on its own: the books, the exports they were imported from, the import config, and
the imported entries, with the same two intended findings wherever it is copied.
"""

from __future__ import annotations

import json
import re
from datetime import date
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
    # The one Python file is the books' import configuration (Fava's import-config, beangulp).
    assert not any("__pycache__" in n for n in names)
    assert [n for n in names if n.endswith(".py")] == ["importers.py"]
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


# The seven uses by (function, economic) — the export names every quota 社区服务运转经费;
# ① centre working funds and ② purchased auxiliary-staff services share one quota.
SEVEN_USES = {
    ("2120101", "302"): "工作经费及购买协管人员服务",
    ("2120501", "302"): "环境卫生",
    ("2120399", "30213"): "公共基础设施",
    ("2080208", "30216"): "培训",
    ("2070109", "302"): "体育文化",
    ("2049999", "302"): "综治",
}
VENUES = {"一厅", "一校", "一堂", "两栏", "五站", "八室"}


def test_example_years_are_closed_2024_and_open_2025_to_september():
    analysis = load(example_main())
    assert analysis.as_of.isoformat() == "2025-09-30"
    dates_2024 = [r.date for r in analysis.postings.rows if r.date.year == 2024]
    assert max(dates_2024).isoformat() == "2024-12-31"
    months_2025 = {r.date.month for r in analysis.postings.rows if r.date.year == 2025}
    assert months_2025 == set(range(1, 10))


def test_example_has_the_seven_uses_and_the_standards_in_both_years():
    decl = load(example_main()).declarations
    for year in (2024, 2025):
        quotas = [q for q in decl.quotas.values() if q.year == year and q.stream == "运转"]
        seven = [q for q in quotas if (q.function, q.economic) in SEVEN_USES and not q.community]
        for unit in ("C101", "C102"):
            uses = {SEVEN_USES[(q.function, q.economic)] for q in seven if q.unit == unit}
            assert uses == set(SEVEN_USES.values()), (year, unit)
        seven = sum(q.amount for q in seven)
        assert Decimal(2_000_000) <= seven <= Decimal(2_200_000), (year, seven)
        committee = {q.community: q for q in quotas if "居委会" in q.name}
        assert set(committee) == {"SQ01", "SQ02", "SQ03", "SQ04"}
        for q in committee.values():
            assert q.amount == Decimal(25000)
            assert (q.meta["standard"], q.meta["old_standard"]) == (25000, 8000)
        pay = [q for q in quotas if "干部报酬" in q.name]
        assert len(pay) == 2
        assert all((q.meta["standard"], q.meta["old_standard"]) == (2300, 800) for q in pay)
    assert sum(u.meta["posts"] for u in decl.units.values()) == 44


def test_example_venues_carry_the_seed_areas_and_construction_total():
    decl = load(example_main()).declarations
    projects = list(decl.projects.values())
    assert sum(p.amount for p in projects) == Decimal(24_300_000)
    rooms = [p for p in projects if p.meta.get("venue") == "八室"]
    assert sum(p.meta["area_before"] for p in rooms) == 340
    assert sum(p.meta["area"] for p in rooms) == 2122
    added: dict[str, int] = {}
    for p in projects:
        if "area" in p.meta:
            added[p.community] = added.get(p.community, 0) + p.meta["area"] - p.meta["area_before"]
    assert sorted(added.values()) == [400, 700, 1050, 1500]
    for community in ("SQ01", "SQ02", "SQ03", "SQ04"):
        venues = {p.meta.get("venue") for p in projects if p.community == community}
        assert venues >= VENUES, community


def test_example_due_dates_make_the_intended_statuses():
    analysis = load(example_main())
    funding = analysis.funding
    as_of = analysis.as_of
    not_due = funding["T2025-003"]
    assert not_due.task.due > as_of and not_due.received == 0
    partial = funding["T2025-009"]
    assert partial.task.due > as_of and 0 < partial.received < partial.task.amount
    unfunded = funding["T2025-002"]
    assert unfunded.task.due <= as_of and unfunded.received == 0
    late = funding["T2024-004"]
    assert late.received == late.task.amount
    assert funding["T2024-009"].task.close_mode == "return"
    for tid, fund in funding.items():  # every other task that is due got its money in time
        if tid in ("T2025-002", "T2024-004", "T2024-009") or fund.task.due > as_of:
            continue
        assert fund.received >= fund.task.amount_at(fund.task.due), tid


def test_example_ships_its_county_config(tmp_path, capsys):
    from sandao.ledger.county_config import load_county_config

    config = load_county_config(example_main())
    assert config.county.name == "清河县"
    assert config.county.is_day_off(date(2025, 10, 1))
    target = tmp_path / "county"
    assert run(capsys, "example", target)[0] == 0
    assert (target / "sandao.toml").read_bytes() == config.path.read_bytes()
