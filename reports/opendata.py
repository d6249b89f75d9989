"""Open data: every report table as CSV (UTF-8 with BOM) and JSON, plus a data package.

Each CSV has two header rows: the machine keys (row 1, the schema's field names) and
the Chinese labels (row 2, from the same columns as every other surface), so a finance
officer opening it in Excel/WPS reads Chinese and a program keeps stable keys.  The
data package's dialect declares row 2 a comment row (``commentRows: [2]``), so
Frictionless reads the data from row 3; pandas: ``read_csv(path, skiprows=[1])``.

``datapackage.json`` describes each CSV as a Frictionless tabular resource and adds
the Fiscal Data Package ``model`` (measure: amount; dimensions: unit, stream,
function, economic, department, task, community, date) over ``postings.csv`` — the
public, day-level fact table of income and spending with no payee in it.  JSON
carries amounts as strings so they stay exact to the fen.

The descriptor is written as a dict, not through frictionless: frictionless is a test
dependency (the tests validate every package with it) and would put its 20 requirements into
the base install to write one JSON file.
"""

from __future__ import annotations

import csv
import datetime
import json
from collections import defaultdict
from collections.abc import Iterable, Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

from sandao.ledger import Analysis
from sandao.ledger.resolver import INCOME, SPENDING
from sandao.reports import formatting
from sandao.reports.model import DATE, MONEY, NUMBER, RATE, ZERO, Report, Table
from sandao.reports.privacy import neutralise

FIELD_TYPES = {MONEY: "number", RATE: "number", NUMBER: "number", DATE: "date"}

FACT_FIELDS: tuple[tuple[str, str, str], ...] = (
    ("date", "date", "日期"),
    ("direction", "string", "收支方向（收入/支出）"),
    ("unit", "string", "单位编码"),
    ("stream", "string", "资金渠道（建设/运转/职能）"),
    ("function", "string", "功能分类科目"),
    ("economic", "string", "经济分类科目"),
    ("department", "string", "来源部门编码"),
    ("task", "string", "费随事转任务编号"),
    ("project", "string", "建设项目编号"),
    ("quota", "string", "预算指标编号"),
    ("community", "string", "社区编码"),
    ("amount", "number", "金额（元）"),
)


#: The CSV dialect of every resource: row 1 keys, row 2 Chinese labels (skipped as a comment).
DIALECT: dict[str, Any] = {"headerRows": [1], "commentRows": [2]}


def _write_csv(path: Path, header: list[str], labels: list[str], rows: Iterable[list[str]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\r\n")
        writer.writerow(header)
        writer.writerow(labels)
        writer.writerows(rows)


def _write_text(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def _dump(path: Path, value: Any) -> None:
    _write_text(path, json.dumps(value, ensure_ascii=False, indent=1, sort_keys=False) + "\n")


def _table_json(value: dict[str, Any]) -> str:
    """A table's JSON: a key per line, and each column, row or note on a line of its own.

    Readable in a text editor and written by the json module's C encoder (``indent``
    would switch it to the pure-Python one: most of the open data's writing time).
    """
    lines = []
    for key, item in value.items():
        if isinstance(item, list) and item:
            inner = ",\n".join(f"  {_compact(element)}" for element in item)
            lines.append(f" {_compact(key)}: [\n{inner}\n ]")
        else:
            lines.append(f" {_compact(key)}: {_compact(item)}")
    return "{\n" + ",\n".join(lines) + "\n}\n"


def _compact(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(", ", ": "))


def resource_name(*parts: str) -> str:
    return "-".join(parts).lower().replace("_", "-")


def write_table(
    table: Table, report: Report, root: Path, rel: Path, formats: tuple[str, ...]
) -> dict[str, Any] | None:
    """Write one table under ``root/rel`` as CSV and/or JSON; return its resource (CSV)."""
    stem = root / rel / table.key
    keys = [c.key for c in table.columns]
    texts = [  # each cell as exact machine-readable text, shared by the JSON and the CSV
        [formatting.plain(row.get(c.key), c.kind) for c in table.columns] for row in table.rows
    ]
    if "json" in formats:
        text = _table_json(
            {
                "title": table.title,
                "report": report.title,
                "as_of": report.as_of.isoformat(),
                "scale": table.scale,
                "empty": table.empty,
                "columns": [
                    {"key": c.key, "label": c.label, "kind": c.kind} for c in table.columns
                ],
                "rows": [dict(zip(keys, cells, strict=True)) for cells in texts],
                "total": (
                    {c.key: formatting.plain(table.total.get(c.key), c.kind) for c in table.columns}
                    if table.total
                    else None
                ),
                "notes": table.notes,
                **({"draft": True} if report.context.get("draft") else {}),
            }
        )
        _write_text(stem.with_suffix(".json"), text)
    if "csv" not in formats:
        return None
    kept = [c.kind in FIELD_TYPES for c in table.columns]  # figures and dates stay as they are
    _write_csv(
        stem.with_suffix(".csv"),
        keys,
        [c.label for c in table.columns],
        [
            [text if keep else neutralise(text) for text, keep in zip(cells, kept, strict=True)]
            for cells in texts
        ],
    )
    return {
        "name": resource_name(report.key, table.key),
        "path": (rel / f"{table.key}.csv").as_posix(),
        "title": f"{report.title} — {table.title}",
        "description": f"单位：{table.scale}。" + " ".join(table.notes),
        "format": "csv",
        "mediatype": "text/csv",
        "encoding": "utf-8-sig",
        "dialect": DIALECT,
        "schema": {
            "fields": [
                {"name": c.key, "title": c.label, "type": FIELD_TYPES.get(c.kind, "string")}
                for c in table.columns
            ]
        },
    }


def postings_rows(analysis: Analysis) -> Iterator[list[str]]:
    """Income and spending per day and dimensions — the fiscal fact table (no payees).

    The posting table is in date order, so one day is summed and sorted at a time:
    the output is the same as sorting the whole year, without holding it.
    """
    day: datetime.date | None = None
    sums: dict[tuple, Decimal] = defaultdict(lambda: ZERO)
    for row in analysis.postings.rows:
        if row.role == SPENDING:
            direction, amount = "支出", row.amount
        elif row.role == INCOME:
            direction, amount = "收入", -row.amount
        else:
            continue
        if row.date != day:
            yield from _day_rows(day, sums)
            day, sums = row.date, defaultdict(lambda: ZERO)
        key = (
            direction,
            row.unit or "",
            row.stream or "",
            row.function or "",
            row.economic or "",
            row.department or "",
            row.task or "",
            row.project or "",
            row.quota or "",
            row.community or "",
        )
        sums[key] += amount
    yield from _day_rows(day, sums)


def _day_rows(day: datetime.date | None, sums: dict[tuple, Decimal]) -> Iterator[list[str]]:
    if day is None:
        return
    text = day.isoformat()
    for key, value in sorted(sums.items()):
        yield [text, *(neutralise(k) for k in key), str(value)]


def write_postings(analysis: Analysis, root: Path) -> dict[str, Any]:
    path = Path("data") / "postings.csv"
    _write_csv(
        root / path,
        [f[0] for f in FACT_FIELDS],
        [f[2] for f in FACT_FIELDS],
        postings_rows(analysis),
    )
    return {
        "name": "postings",
        "path": path.as_posix(),
        "title": "收支明细（按日、按维度汇总，不含收款人）",
        "format": "csv",
        "mediatype": "text/csv",
        "encoding": "utf-8-sig",
        "dialect": DIALECT,
        "schema": {"fields": [{"name": n, "type": t, "title": d} for n, t, d in FACT_FIELDS]},
    }


def fiscal_model() -> dict[str, Any]:
    """The Fiscal Data Package model of ``postings.csv``."""

    def dim(field: str, dimension_type: str) -> dict[str, Any]:
        return {
            "attributes": {field: {"source": field}},
            "primaryKey": field,
            "dimensionType": dimension_type,
        }

    return {
        "measures": {"amount": {"source": "amount", "currency": "CNY", "resource": "postings"}},
        "dimensions": {
            "date": dim("date", "datetime"),
            "direction": dim("direction", "other"),
            "unit": dim("unit", "entity"),
            "stream": dim("stream", "classification"),
            "function": dim("function", "classification"),
            "economic": dim("economic", "classification"),
            "department": dim("department", "entity"),
            "task": dim("task", "activity"),
            "community": dim("community", "location"),
        },
    }


def write_package(root: Path, resources: list[dict[str, Any]], title: str, as_of: str) -> Path:
    path = root / "datapackage.json"
    _dump(
        path,
        {
            "name": "sandao-reports",
            "title": title,
            "description": f"三到社区资金台账公开数据，数据截至 {as_of}。金额为元（万元表另行注明），精确到分。",
            "licenses": [{"name": "CC-BY-4.0", "title": "Creative Commons Attribution 4.0"}],
            "resources": resources,
            "model": fiscal_model(),
        },
    )
    return path
