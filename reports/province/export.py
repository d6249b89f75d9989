"""``sandao export``: one county's resolved books as Parquet, for province-level work.

The posting table the rules and reports read, and the task and quota tables the
reports are built from, are written as Parquet datasets partitioned Hive-style by
``year`` and ``unit``, so DuckDB, Spark or Dask read only the slices a question
needs.  Money is ``decimal128(18, 2)`` — exact, never float.  Every row carries the
county's name, so many counties' exports can be read as one dataset.

The folder is written next to the target and swapped in when complete; a folder
that is not an earlier export is never replaced.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

from sandao.folders import replacing_folder
from sandao.ledger import Analysis
from sandao.ledger.resolver import INCOME, SPENDING
from sandao.ledger.vocabulary import TASK_STATUSES

SCHEMA_VERSION = (
    4  # 3: task status values 未到期 / 逾期后拨付; shortfall = money overdue; 4: 已结转
)
MANIFEST = "manifest.json"
CENT = Decimal("0.01")

#: Posting table columns: name, Arrow type name, meaning (README documents the same list).
POSTING_FIELDS: tuple[tuple[str, str, str], ...] = (
    ("county", "string", "县（账簿 title 选项）"),
    ("date", "date32", "记账日期"),
    ("unit", "string", "单位编码（分区列）"),
    ("year", "int16", "年度（分区列）"),
    ("stream", "string", "资金渠道：建设 / 运转 / 职能"),
    ("function", "string", "功能分类编码（7位）"),
    ("economic", "string", "经济分类编码（3或5位）"),
    ("community", "string", "社区编码"),
    ("task", "string", "任务编号"),
    ("project", "string", "项目编号"),
    ("quota", "string", "指标编号"),
    ("department", "string", "交办/拨款部门编码"),
    ("account", "string", "Beancount 账户"),
    ("amount", "decimal128(18,2)", "金额（元，借正贷负）"),
    ("currency", "string", "币种"),
    ("role", "string", "income / spending / other"),
    ("payee", "string", "收款方（个人收款人仅在内部导出中出现）"),
    ("private_payee", "bool", "收款方是否个人"),
    ("narration", "string", "摘要"),
    ("links", "list<string>", "链接（^任务、^项目、^凭证）"),
    ("file", "string", "源文件"),
    ("line", "int32", "源文件行号"),
    ("txn", "int64", "交易序号（同一笔交易的分录相同）"),
)

TASK_FIELDS: tuple[tuple[str, str, str], ...] = (
    ("county", "string", "县"),
    ("task", "string", "任务编号"),
    ("name", "string", "任务名称"),
    ("department", "string", "交办部门编码"),
    ("department_name", "string", "交办部门名称"),
    ("unit", "string", "承担单位编码（分区列）"),
    ("year", "int16", "任务开始年度（分区列）"),
    ("amount", "decimal128(18,2)", "应拨金额（截至 as-of 有效的总额）"),
    ("received", "decimal128(18,2)", "已到位"),
    ("spent", "decimal128(18,2)", "已支出"),
    ("shortfall", "decimal128(18,2)", "已到期未到位"),
    ("status", "string", " / ".join(TASK_STATUSES)),
    ("late", "bool", "是否曾逾期"),
)

QUOTA_FIELDS: tuple[tuple[str, str, str], ...] = (
    ("county", "string", "县"),
    ("quota", "string", "指标编号"),
    ("name", "string", "指标名称"),
    ("unit", "string", "单位编码（分区列）"),
    ("year", "int16", "指标年度（分区列）"),
    ("stream", "string", "资金渠道"),
    ("function", "string", "功能分类编码"),
    ("economic", "string", "经济分类编码（指标口径，可为空）"),
    ("initial", "decimal128(18,2)", "年初预算数"),
    ("adjustments", "decimal128(18,2)", "调整数（追加、调减、划转）"),
    ("budget", "decimal128(18,2)", "调整后指标金额"),
    ("spent", "decimal128(18,2)", "已支出（挂该指标的支出）"),
)


class ExportError(ValueError):
    """Books or a target folder that cannot be exported."""


def county_name(analysis: Analysis) -> str:
    """The books' ``title`` option, else the main file's folder name."""
    title = analysis.options_map.get("title") or ""
    if title and title != "Beancount":
        return str(title)
    filename = analysis.options_map.get("filename") or ""
    return Path(filename).parent.name or "county"


def _arrow_type(name: str) -> Any:
    import pyarrow as pa

    return {
        "string": pa.string(),
        "date32": pa.date32(),
        "int16": pa.int16(),
        "int32": pa.int32(),
        "int64": pa.int64(),
        "bool": pa.bool_(),
        "decimal128(18,2)": pa.decimal128(18, 2),
        "list<string>": pa.list_(pa.string()),
    }[name]


def schema(fields: tuple[tuple[str, str, str], ...]) -> Any:
    """The Arrow schema of one exported table, with the meanings as field metadata."""
    import pyarrow as pa

    return pa.schema(
        [
            pa.field(name, _arrow_type(kind), metadata={"description": meaning})
            for name, kind, meaning in fields
        ]
    )


def _money(value: Decimal, where: str) -> Decimal:
    if value != value.quantize(CENT):
        raise ExportError(f"{where}：金额 {value} 超过两位小数，无法按分导出")
    return value


def _posting_columns(rows: Iterable[Any], county: str) -> dict[str, list[Any]]:
    names = [name for name, _, _ in POSTING_FIELDS]
    columns: dict[str, list[Any]] = {name: [] for name in names}
    roles = {INCOME: "income", SPENDING: "spending"}
    for row in rows:
        columns["county"].append(county)
        columns["year"].append(row.date.year)
        for name in names[1:]:
            if name in ("county", "year"):
                continue
            value = getattr(row, name)
            if name == "role":
                value = roles.get(value, "other")
            elif name == "amount":
                value = _money(value, f"{row.file}:{row.line}")
            elif name == "links":
                value = list(value)
            columns[name].append(value)
    return columns


def posting_columns(analysis: Analysis, county: str) -> dict[str, list[Any]]:
    """The posting table as columns, ready for Arrow."""
    return _posting_columns(analysis.postings.rows, county)


def posting_partitions(analysis: Analysis, county: str) -> Iterator[dict[str, list[Any]]]:
    """The posting table as columns, one ``(year, unit)`` partition at a time.

    Only one partition's columns and Arrow table exist at once, so the export adds
    little to the memory the loaded books already take.
    """
    groups: dict[tuple[int, str | None], list[Any]] = defaultdict(list)
    for row in analysis.postings.rows:
        groups[(row.date.year, row.unit)].append(row)
    for key in sorted(groups, key=lambda k: (k[0], k[1] is None, k[1] or "")):
        yield _posting_columns(groups.pop(key), county)


def task_columns(analysis: Analysis, county: str) -> dict[str, list[Any]]:
    """Task funding as of the books' as-of date, from the same table the task ledger uses."""
    from sandao.reports.tasks import task_rows

    columns: dict[str, list[Any]] = {name: [] for name, _, _ in TASK_FIELDS}
    for record in task_rows(analysis):
        fund = analysis.funding[record["task"]]
        shortfall = fund.shortfall(analysis.as_of)
        columns["county"].append(county)
        columns["year"].append(fund.task.start.year)
        columns["shortfall"].append(shortfall)
        for name in ("task", "name", "department", "department_name", "unit", "status"):
            columns[name].append(record[name])
        for name in ("amount", "received", "spent"):
            columns[name].append(_money(record[name], f"任务 {record['task']}"))
        columns["late"].append(bool(record["late"]))
    return columns


def quota_columns(analysis: Analysis, county: str) -> dict[str, list[Any]]:
    """Quota budget and spending per year, from the budget-execution builder.

    One row per quota and budget year with its unit, stream, function and economic
    codes, so execution by any of them is a group-by over this table.
    """
    from sandao.reports.execution import quota_rows

    columns: dict[str, list[Any]] = {name: [] for name, _, _ in QUOTA_FIELDS}
    years = sorted({q.year for q in analysis.declarations.quotas.values()})
    for year in years:
        for record in quota_rows(analysis, year):
            columns["county"].append(county)
            columns["year"].append(year)
            where = f"指标 {record['quota']}"
            columns["budget"].append(_money(record["adjusted"], where))
            for name in ("initial", "adjustments", "spent"):
                columns[name].append(_money(record[name], where))
            for name in ("quota", "name", "unit", "stream", "function"):
                columns[name].append(record.get(name))
            columns["economic"].append(record.get("economic") or None)
    return columns


def _write_dataset(
    chunks: Iterable[dict[str, list[Any]]], fields: tuple, folder: Path, *, sort: bool = True
) -> int:
    """Write column chunks as one Hive-partitioned dataset; the number of rows.

    Each chunk is written on its own, so two chunks must never share a partition;
    rows keep their order inside a partition file.
    """
    import pyarrow as pa
    import pyarrow.dataset as ds

    partitioning = ds.partitioning(
        pa.schema([("year", pa.int16()), ("unit", pa.string())]), flavor="hive"
    )
    count = 0
    folder.mkdir(parents=True, exist_ok=True)
    for columns in chunks:
        table = pa.table(columns, schema=schema(fields))
        if sort:
            table = table.sort_by([("year", "ascending"), ("unit", "ascending")])
        ds.write_dataset(
            table,
            folder,
            format="parquet",
            partitioning=partitioning,
            basename_template="part-{i}.parquet",
            existing_data_behavior="overwrite_or_ignore",
            use_threads=False,
        )
        count += table.num_rows
    return count


def export(analysis: Analysis, out_dir: str | Path) -> dict[str, Any]:
    """Write the export of ``analysis`` to ``out_dir`` (replaced as a whole); its manifest."""
    out_dir = Path(out_dir).absolute()
    if out_dir.exists() and not out_dir.is_dir():
        raise ExportError(f"输出位置 {out_dir} 已存在且不是文件夹")
    if out_dir.is_dir() and any(out_dir.iterdir()) and not (out_dir / MANIFEST).exists():
        raise ExportError(f"输出文件夹 {out_dir} 不是空的，也不是以前的导出；请换一个文件夹")
    county = county_name(analysis)
    with replacing_folder(out_dir) as tmp:
        counts = {
            "postings": _write_dataset(
                posting_partitions(analysis, county), POSTING_FIELDS, tmp / "postings", sort=False
            ),
            "tasks": _write_dataset([task_columns(analysis, county)], TASK_FIELDS, tmp / "tasks"),
            "quotas": _write_dataset(
                [quota_columns(analysis, county)], QUOTA_FIELDS, tmp / "quotas"
            ),
        }
        manifest = {
            "schema_version": SCHEMA_VERSION,
            "county": county,
            "as_of": analysis.as_of.isoformat(),
            "rows": counts,
            "years": sorted({r.date.year for r in analysis.postings.rows}),
            "units": sorted(analysis.declarations.units),
        }
        (tmp / MANIFEST).write_text(
            json.dumps(manifest, ensure_ascii=False, indent=1) + "\n", encoding="utf-8"
        )
    return manifest
