"""Province scale: Parquet exports of county books and their DuckDB roll-up.

The roll-up of many generated counties must equal the sum of the counties' own
figures to the fen; exports must be exact, partitioned, and never half-written.
"""

from __future__ import annotations

import json
import shutil
from collections import defaultdict
from decimal import Decimal
from pathlib import Path

import pyarrow.dataset as ds
import pyarrow.parquet as pq
import pytest

from sandao.bench.generate import generate_county
from sandao.cli import main
from sandao.ledger import load
from sandao.ledger.resolver import INCOME, SPENDING
from sandao.ledger.scaffold import example_main
from sandao.reports.execution import quota_execution
from sandao.reports.model import MONEY
from sandao.reports.province.rollup import connect, find_exports, province_tables

COUNTIES = 200
ZERO = Decimal(0)


def run(capsys, *args) -> tuple[int, str, str]:
    code = main([str(a) for a in args])
    out = capsys.readouterr()
    return code, out.out, out.err


def test_export_is_exact_and_partitioned(tmp_path, capsys):
    out = tmp_path / "export"
    code, stdout, _ = run(capsys, "export", example_main(), "--out", out)
    assert code == 0, stdout
    manifest = json.loads((out / "manifest.json").read_text("utf-8"))
    analysis = load(example_main())
    assert manifest["rows"]["postings"] == len(analysis.postings.rows)
    assert {p.name for p in (out / "postings").iterdir()} == {"year=2024", "year=2025"}
    assert (out / "postings" / "year=2025" / "unit=C101" / "part-0.parquet").is_file()
    table = ds.dataset(out / "postings", partitioning="hive").to_table()
    assert str(table.schema.field("amount").type) == "decimal128(18, 2)"
    exported = defaultdict(Decimal)
    for unit, year, amount in zip(
        table["unit"].to_pylist(),
        table["year"].to_pylist(),
        table["amount"].to_pylist(),
        strict=True,
    ):
        exported[(unit, year)] += amount
    books = defaultdict(Decimal)
    for row in analysis.postings.rows:
        books[(row.unit, row.date.year)] += row.amount
    assert exported == books
    tasks = pq.read_table(out / "tasks" / "year=2025").to_pylist()
    unfunded = {t["task"]: t for t in tasks}["T2025-002"]
    assert unfunded["shortfall"] == Decimal("60000.00")
    assert unfunded["status"] == "逾期未拨付"


@pytest.mark.slow
def test_rollup_of_200_counties_equals_the_sum_of_the_parts(tmp_path, capsys):
    expected_income = Decimal(0)
    expected_spent = Decimal(0)
    expected_shortfall = Decimal(0)
    by_department: dict[str, Decimal] = defaultdict(Decimal)
    by_function: dict[tuple[int, str], list[Decimal]] = defaultdict(lambda: [ZERO, ZERO])
    exports = tmp_path / "exports"
    for n in range(COUNTIES):
        books = generate_county(
            tmp_path / "books" / f"{n:03d}",
            transactions=60,
            tasks=3,
            quotas=2,
            units=1,
            communities=1,
            years=1,
            seed=n,
        )
        analysis = load(books)
        for row in analysis.postings.rows:
            if row.role == INCOME:
                expected_income -= row.amount
            elif row.role == SPENDING:
                expected_spent += row.amount
                by_function[(row.date.year, row.function or "")][1] += row.amount
        for year in sorted({q.year for q in analysis.declarations.quotas.values()}):
            for quota in quota_execution(analysis, year).to_dict("records"):
                by_function[(year, quota["function"])][0] += quota["adjusted"]
        for fund in analysis.funding.values():
            expected_shortfall += fund.shortfall(analysis.as_of)
            by_department[fund.task.department] += fund.received
        code, _, stderr = run(
            capsys, "export", books, "--out", exports / f"{n:03d}", "--county", f"县{n:03d}"
        )
        assert code == 0, stderr
    out = tmp_path / "province"
    code, _, stderr = run(capsys, "rollup", exports, "--out", out)
    assert code == 0, stderr
    data = out / "data" / "rollup" / "rollup-province"
    counties = json.loads((data / "counties.json").read_text("utf-8"))
    assert len(counties["rows"]) == COUNTIES
    assert Decimal(counties["total"]["received"]) == expected_income
    assert Decimal(counties["total"]["spent"]) == expected_spent
    league = json.loads((data / "league.json").read_text("utf-8"))
    assert Decimal(league["total"]["shortfall"]) == expected_shortfall
    shortfalls = [Decimal(r["shortfall"]) for r in league["rows"]]
    assert shortfalls == sorted(shortfalls, reverse=True)
    departments = json.loads((data / "departments.json").read_text("utf-8"))
    assert {r["department"]: Decimal(r["received"]) for r in departments["rows"]} == dict(
        by_department
    )
    assert int(departments["total"]["counties"]) == COUNTIES
    functions = json.loads((data / "functions.json").read_text("utf-8"))
    assert {
        (int(r["year"]), r["function"]): [Decimal(r["budget"]), Decimal(r["spent"])]
        for r in functions["rows"]
    } == dict(by_function)
    assert (out / "rollup" / "rollup-province.xlsx").is_file()
    con = connect(list(find_exports([exports])))
    try:
        for table in province_tables(con):
            for column in table.columns:
                if column.kind == MONEY:
                    cells = [*table.column(column.key), table.total[column.key]]
                    assert all(type(v) is Decimal for v in cells), (table.key, column.key)
    finally:
        con.close()
    assert "三到社区资金汇总" in (out / "index.html").read_text("utf-8")


def test_export_refuses_a_foreign_folder_and_keeps_it(tmp_path, capsys):
    target = tmp_path / "mine"
    target.mkdir()
    (target / "notes.txt").write_text("keep me", "utf-8")
    code, _, err = run(capsys, "export", example_main(), "--out", target)
    assert code == 2
    assert "不是以前的导出" in err
    assert [p.name for p in target.iterdir()] == ["notes.txt"]


def test_export_of_missing_books_is_a_message(tmp_path, capsys):
    code, _, err = run(capsys, "export", tmp_path / "nope.beancount", "--out", tmp_path / "x")
    assert code == 2
    assert "nope.beancount" in err
    assert not (tmp_path / "x").exists()


@pytest.mark.parametrize("kind", ["missing", "not_export", "corrupt"])
def test_rollup_bad_inputs_leave_the_target_untouched(tmp_path, capsys, kind):
    out = tmp_path / "province"
    if kind == "missing":
        source = tmp_path / "nowhere"
        expected = "不是文件夹"
    elif kind == "not_export":
        source = tmp_path / "plain"
        source.mkdir()
        expected = "manifest.json"
    else:
        source = tmp_path / "export"
        assert run(capsys, "export", example_main(), "--out", source)[0] == 0
        victim = next((source / "postings").rglob("*.parquet"))
        victim.write_bytes(victim.read_bytes()[:100])
        expected = "Parquet"
    code, _, err = run(capsys, "rollup", source, "--out", out)
    assert code == 2
    assert expected in err
    assert "Traceback" not in err
    assert not out.exists()


def _export_county(capsys, tmp_path, name: str, seed: int, quotas: int = 2):
    books = generate_county(
        tmp_path / "books" / name,
        transactions=60,
        tasks=3,
        quotas=quotas,
        units=1,
        communities=1,
        years=1,
        seed=seed,
    )
    out = tmp_path / "exports" / name
    assert run(capsys, "export", books, "--out", out, "--county", name)[0] == 0
    return out


def _snapshot(folder):
    return {p.relative_to(folder): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def test_a_failed_rollup_leaves_the_earlier_output_byte_identical(tmp_path, capsys):
    good = _export_county(capsys, tmp_path, "甲县", 1)
    out = tmp_path / "province"
    assert run(capsys, "rollup", good, "--out", out)[0] == 0
    before = _snapshot(out)
    bad = _export_county(capsys, tmp_path, "乙县", 2)
    victim = next((bad / "tasks").rglob("*.parquet"))
    victim.write_bytes(b"PAR1" + b"\0" * 64 + b"PAR1")
    code, _, err = run(capsys, "rollup", good, bad, "--out", out)
    assert code == 2
    assert "Parquet" in err and "Traceback" not in err
    assert _snapshot(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["books", "exports", "province"]


def test_rollup_refuses_a_foreign_output_folder(tmp_path, capsys):
    good = _export_county(capsys, tmp_path, "甲县", 1)
    out = tmp_path / "mine"
    out.mkdir()
    (out / "notes.txt").write_text("keep me", "utf-8")
    code, _, err = run(capsys, "rollup", good, "--out", out)
    assert code == 2
    assert "不是空的" in err
    assert _snapshot(out) == {Path("notes.txt"): b"keep me"}


def test_one_county_exported_twice_is_refused_and_one_folder_named_twice_counts_once(
    tmp_path, capsys
):
    first = _export_county(capsys, tmp_path, "甲县", 1)
    again = tmp_path / "copy" / "甲县"
    assert (
        run(
            capsys,
            "export",
            tmp_path / "books" / "甲县" / "main.beancount",
            "--out",
            again,
            "--county",
            "甲县",
        )[0]
        == 0
    )
    code, _, err = run(capsys, "rollup", first, again, "--out", tmp_path / "p1")
    assert code == 2
    assert "重复" in err
    assert not (tmp_path / "p1").exists()
    out = tmp_path / "p2"
    assert run(capsys, "rollup", first, tmp_path / "exports", "--out", out)[0] == 0
    data = out / "data" / "rollup" / "rollup-province"
    counties = json.loads((data / "counties.json").read_text("utf-8"))
    assert [r["county"] for r in counties["rows"]] == ["甲县"]


def test_a_county_without_quotas_still_rolls_up(tmp_path, capsys):
    _export_county(capsys, tmp_path, "甲县", 1, quotas=0)
    out = tmp_path / "province"
    code, _, err = run(capsys, "rollup", tmp_path / "exports", "--out", out)
    assert code == 0, err
    data = out / "data" / "rollup" / "rollup-province"
    functions = json.loads((data / "functions.json").read_text("utf-8"))
    assert all(Decimal(r["budget"]) == 0 for r in functions["rows"])
    assert Decimal(functions["total"]["spent"]) > 0


def test_a_damaged_manifest_is_a_message(tmp_path, capsys):
    good = _export_county(capsys, tmp_path, "甲县", 1)
    (good / "manifest.json").write_text("[1, 2]", "utf-8")
    code, _, err = run(capsys, "rollup", good, "--out", tmp_path / "province")
    assert code == 2
    assert "manifest.json" in err and "Traceback" not in err
    assert not (tmp_path / "province").exists()


def test_a_copy_with_only_its_manifest_renamed_is_refused(tmp_path, capsys):
    """Red team 12: duplicates were checked on manifest.json, the sums came from the data."""
    first = _export_county(capsys, tmp_path, "甲县", 1)
    copy = tmp_path / "exports" / "乙县"
    shutil.copytree(first, copy)
    manifest = json.loads((copy / "manifest.json").read_text("utf-8"))
    manifest["county"] = "乙县"
    (copy / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False), "utf-8")
    code, _, err = run(capsys, "rollup", tmp_path / "exports", "--out", tmp_path / "p")
    assert code == 2
    assert "乙县" in err and "甲县" in err and "重复计算" in err and "Traceback" not in err
    assert not (tmp_path / "p").exists()
