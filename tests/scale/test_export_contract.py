"""The export's contract: schema, partitions, manifest, ties to the builders, refusals.

What Spark, Dask or DuckDB read from an export must be exactly what the books and
the report builders say, to the fen; broken books never leave a folder behind.
"""

from __future__ import annotations

import json
import stat
from collections import defaultdict
from decimal import Decimal
from pathlib import Path

import pyarrow as pa
import pyarrow.dataset as ds
import pyarrow.parquet as pq
import pytest

from sandao.cli import main
from sandao.ledger import load
from sandao.ledger.resolver import INCOME, SPENDING
from sandao.ledger.scaffold import example_main
from sandao.reports.execution import quota_execution
from sandao.reports.province.export import (
    POSTING_FIELDS,
    QUOTA_FIELDS,
    SCHEMA_VERSION,
    TASK_FIELDS,
    schema,
)
from sandao.reports.tasks import task_table

TABLES = {"postings": POSTING_FIELDS, "tasks": TASK_FIELDS, "quotas": QUOTA_FIELDS}
PARTITIONS = pa.schema([("year", pa.int16()), ("unit", pa.string())])


def run(capsys, *args) -> tuple[int, str, str]:
    code = main([str(a) for a in args])
    out = capsys.readouterr()
    return code, out.out, out.err


@pytest.fixture(scope="module")
def exported(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("export") / "county"
    assert main(["export", str(example_main()), "--out", str(out)]) == 0
    return out


@pytest.fixture(scope="module")
def analysis():
    return load(example_main())


def read(out: Path, name: str) -> pa.Table:
    return ds.dataset(
        out / name, format="parquet", partitioning=ds.partitioning(PARTITIONS, flavor="hive")
    ).to_table()


@pytest.mark.parametrize("name", TABLES)
def test_files_carry_the_documented_schema_and_partition_folders(exported, name):
    fields = TABLES[name]
    expected = schema(fields)
    files = sorted((exported / name).rglob("*.parquet"))
    assert files
    for path in files:
        relative = path.relative_to(exported / name).parts
        assert relative[0].startswith("year=") and relative[0][5:].isdigit()
        assert relative[1].startswith("unit=")
        assert relative[2] == "part-0.parquet"
        stored = pq.read_schema(path)
        # partition columns live in the folder names, everything else in the file
        assert stored.names == [f.name for f in expected if f.name not in ("year", "unit")]
        for field in stored:
            assert field.type == expected.field(field.name).type, (name, field.name)
            assert field.metadata[b"description"]
    table = read(exported, name)
    assert set(table.column_names) == {f for f, _, _ in fields}
    for money in (f for f, kind, _ in fields if kind.startswith("decimal")):
        assert table.schema.field(money).type == pa.decimal128(18, 2)


def test_manifest_counts_the_rows_it_describes(exported, analysis):
    manifest = json.loads((exported / "manifest.json").read_text("utf-8"))
    assert manifest["schema_version"] == SCHEMA_VERSION
    assert manifest["county"] == analysis.options_map["title"]
    assert manifest["as_of"] == analysis.as_of.isoformat()
    for name in TABLES:
        assert manifest["rows"][name] == read(exported, name).num_rows
    assert manifest["rows"]["postings"] == len(analysis.postings.rows)
    assert manifest["years"] == [2024, 2025]
    years = {p.name for p in (exported / "postings").iterdir()}
    assert years == {f"year={y}" for y in manifest["years"]}


def test_posting_amounts_tie_to_the_books_per_account_to_the_fen(exported, analysis):
    table = read(exported, "postings").to_pylist()
    assert all(type(r["amount"]) is Decimal for r in table)
    exported_sums: dict[tuple, Decimal] = defaultdict(Decimal)
    for r in table:
        exported_sums[(r["year"], r["unit"], r["account"], r["task"], r["role"])] += r["amount"]
    roles = {INCOME: "income", SPENDING: "spending"}
    books: dict[tuple, Decimal] = defaultdict(Decimal)
    for row in analysis.postings.rows:
        role = roles.get(row.role, "other")
        books[(row.date.year, row.unit, row.account, row.task, role)] += row.amount
    assert exported_sums == books
    assert sum(r["amount"] for r in table) == sum(r.amount for r in analysis.postings.rows)


def test_task_rows_are_the_task_ledgers_rows(exported, analysis):
    rows = {r["task"]: r for r in read(exported, "tasks").to_pylist()}
    frame = task_table(analysis)
    assert set(rows) == set(frame["task"])
    for record in frame.to_dict("records"):
        row = rows[record["task"]]
        for key in ("amount", "received", "spent", "status", "department", "unit"):
            assert row[key] == record[key], (record["task"], key)
        fund = analysis.funding[record["task"]]
        assert row["shortfall"] == fund.shortfall(analysis.as_of)
        assert row["year"] == fund.task.start.year


def test_quota_rows_are_the_execution_builders_rows(exported, analysis):
    rows = {(r["year"], r["quota"]): r for r in read(exported, "quotas").to_pylist()}
    expected = {}
    for year in (2024, 2025):
        for record in quota_execution(analysis, year).to_dict("records"):
            expected[(year, record["quota"])] = record
    assert set(rows) == set(expected)
    for key, record in expected.items():
        row = rows[key]
        assert row["budget"] == record["adjusted"]
        for name in ("initial", "adjustments", "spent", "unit", "function"):
            assert row[name] == record[name], (key, name)
        assert (row["economic"] or "") == record["economic"]


def test_export_is_readable_by_others(exported):
    assert exported.stat().st_mode & stat.S_IRWXO == stat.S_IROTH | stat.S_IXOTH


def test_exporting_again_replaces_an_earlier_export(tmp_path, capsys):
    out = tmp_path / "county"
    assert run(capsys, "export", example_main(), "--out", out)[0] == 0
    stale = out / "postings" / "year=1999"
    stale.mkdir()
    code, stdout, _ = run(capsys, "export", example_main(), "--out", out, "--county", "甲县")
    assert code == 0
    assert "甲县" in stdout
    assert not stale.exists()
    assert json.loads((out / "manifest.json").read_text("utf-8"))["county"] == "甲县"
    assert set(read(out, "tasks")["county"].to_pylist()) == {"甲县"}
    assert [p.name for p in tmp_path.iterdir()] == ["county"]


def test_books_with_beancount_errors_are_not_exported(tmp_path, capsys):
    books = tmp_path / "main.beancount"
    books.write_text(
        'option "title" "坏账簿"\n'
        "2024-01-01 open Assets:Cash CNY\n"
        "2024-01-01 open Equity:Open CNY\n"
        '2024-01-02 * "不平"\n'
        "  Assets:Cash  1.00 CNY\n"
        "  Equity:Open  -2.00 CNY\n",
        "utf-8",
    )
    code, _, err = run(capsys, "export", books, "--out", tmp_path / "out")
    assert code == 1
    assert "Beancount 错误" in err and "main.beancount:4" in err
    assert "Traceback" not in err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["main.beancount"]


def test_a_bad_as_of_date_is_a_message(tmp_path, capsys):
    code, _, err = run(
        capsys, "export", example_main(), "--out", tmp_path / "out", "--as-of", "2025-13-01"
    )
    assert code == 2
    assert "--as-of" in err and "Traceback" not in err
    assert list(tmp_path.iterdir()) == []


def test_an_output_path_that_is_a_file_is_kept(tmp_path, capsys):
    out = tmp_path / "out"
    out.write_text("keep", "utf-8")
    code, _, err = run(capsys, "export", example_main(), "--out", out)
    assert code == 2
    assert "不是文件夹" in err and "Traceback" not in err
    assert out.read_text("utf-8") == "keep"
    assert [p.name for p in tmp_path.iterdir()] == ["out"]
