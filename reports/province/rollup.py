"""``sandao rollup``: many counties' Parquet exports become province-level tables.

DuckDB reads every export's ``postings``, ``tasks`` and ``quotas`` datasets as one
(``union_by_name``, Hive partitions), sums them exactly in ``DECIMAL`` and hands the
results to the same writers as ``sandao report`` (HTML, XLSX, CSV/JSON).  The tables:

- 费随事转 by department across counties: tasks, amount due, received, spent, shortfall;
- execution by function code and year: adjusted quota budget and spending;
- the unfunded-tasks league table: counties ranked by money due and not received;
- one row per county with its totals, so a reader can tie the province to its parts.
"""

from __future__ import annotations

import datetime
import json
from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

from sandao.folders import replacing_folder
from sandao.ledger.vocabulary import UNFUNDED_STATUSES
from sandao.reports.codes import function_name
from sandao.reports.model import MONEY, NUMBER, RATE, Column, Report, Table, dsum, rate
from sandao.reports.province.export import (
    MANIFEST,
    POSTING_FIELDS,
    QUOTA_FIELDS,
    SCHEMA_VERSION,
    TASK_FIELDS,
)

ZERO = Decimal(0)
TABLES = {"postings": POSTING_FIELDS, "tasks": TASK_FIELDS, "quotas": QUOTA_FIELDS}
#: DuckDB type of each exported Arrow type (empty tables, partition columns).
SQL_TYPES = {
    "string": "VARCHAR",
    "date32": "DATE",
    "int16": "SMALLINT",
    "int32": "INTEGER",
    "int64": "BIGINT",
    "bool": "BOOLEAN",
    "decimal128(18,2)": "DECIMAL(18,2)",
    "list<string>": "VARCHAR[]",
}
#: Partition columns typed as exported, never guessed from folder names.
HIVE_TYPES = "{'year': SMALLINT, 'unit': VARCHAR}"


class RollupError(ValueError):
    """Inputs that are not sandao exports, or a target that must not be replaced."""


def read_manifest(export: Path) -> dict[str, Any]:
    """The manifest of one export, checked for the schema version this program reads."""
    where = export / MANIFEST
    try:
        manifest = json.loads(where.read_text("utf-8"))
    except (OSError, ValueError) as exc:
        raise RollupError(f"{where}：无法读取（{exc}）") from None
    if not isinstance(manifest, dict) or not manifest.get("county"):
        raise RollupError(f"{where}：不是 sandao export 写的清单（缺少 county）")
    if manifest.get("schema_version") != SCHEMA_VERSION:
        raise RollupError(
            f"{where}：导出格式版本 {manifest.get('schema_version')}，"
            f"本程序读取版本 {SCHEMA_VERSION}；请用同一版本重新导出"
        )
    try:
        datetime.date.fromisoformat(manifest.get("as_of") or "")
    except (TypeError, ValueError):
        raise RollupError(f"{where}：as_of 不是日期（{manifest.get('as_of')!r}）") from None
    return manifest


def find_exports(paths: Sequence[str | Path]) -> dict[Path, dict[str, Any]]:
    """Export folders named directly or found one level below ``paths``, with manifests.

    The same folder named twice is read once; two exports of one county name are
    refused, since summing them would count that county twice.
    """
    found: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if not path.is_dir():
            raise RollupError(f"{path}：不是文件夹")
        if (path / MANIFEST).is_file():
            found.append(path)
            continue
        children = sorted(p.parent for p in path.glob(f"*/{MANIFEST}"))
        if not children:
            raise RollupError(f"{path}：既不是 sandao export 的导出，也不含导出（缺少 {MANIFEST}）")
        found.extend(children)
    exports: dict[Path, dict[str, Any]] = {}
    counties: dict[str, Path] = {}
    seen: set[Path] = set()
    for export in found:
        if export.resolve() in seen:
            continue
        seen.add(export.resolve())
        manifest = read_manifest(export)
        county = manifest["county"]
        if county in counties:
            raise RollupError(
                f"{counties[county]} 和 {export} 是同一个县（{county}）的导出，汇总会重复计算；"
                "请去掉其中一个，或导出时用 --county 区分县名"
            )
        counties[county] = export
        exports[export] = manifest
    return exports


def connect(exports: Sequence[Path]) -> Any:
    """A DuckDB connection with ``postings``, ``tasks`` and ``quotas`` over ``exports``."""
    import duckdb

    con = duckdb.connect()
    for name, fields in TABLES.items():
        files = [str(p) for e in exports for p in sorted((e / name).rglob("*.parquet"))]
        if not files:
            columns = ", ".join(f"{field} {SQL_TYPES[kind]}" for field, kind, _ in fields)
            con.execute(f"CREATE TABLE {name} ({columns})")
            continue
        listed = ", ".join("'" + f.replace("'", "''") + "'" for f in files)
        con.execute(
            f"CREATE VIEW {name} AS SELECT * FROM read_parquet([{listed}], "
            f"hive_partitioning = true, hive_types = {HIVE_TYPES}, union_by_name = true)"
        )
    return con


def check_data_counties(con: Any, manifests: dict[Path, dict[str, Any]]) -> None:
    """Each export's data holds only the county its manifest names.

    Duplicates are refused by county name; a copy with only its manifest renamed would
    pass that and double the sums, so the names are read from the data as well.
    """
    for export, manifest in manifests.items():
        found: set[str] = set()
        for name in TABLES:
            files = [str(p) for p in sorted((export / name).rglob("*.parquet"))]
            if files:
                listed = ", ".join("'" + f.replace("'", "''") + "'" for f in files)
                query = (
                    f"SELECT DISTINCT county FROM read_parquet([{listed}], union_by_name = true)"
                )
                found.update(str(row[0]) for row in con.execute(query).fetchall())
        others = sorted(found - {manifest["county"]})
        if others:
            raise RollupError(
                f"{export}：清单写的县是 {manifest['county']}，数据里却是 {'、'.join(others)}；"
                "导出被改动过（或是别的县的副本），汇总会重复计算；请重新导出"
            )


def _rows(con: Any, sql: str) -> list[dict[str, Any]]:
    cursor = con.execute(sql)
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def _table(
    key: str,
    title: str,
    columns: list[Column],
    rows: list[dict[str, Any]],
    total_of: dict[str, Any] | None = None,
) -> Table:
    """A report table whose 合计 row sums the money and counts (``total_of`` overrides)."""
    money = [c.key for c in columns if c.kind in (MONEY, NUMBER)]
    total = {columns[0].key: "合计", **{k: dsum(r[k] for r in rows) for k in money}}
    total.update(total_of or {})
    for rate_key, (num, den) in {"rate": ("spent", "budget")}.items():
        if any(c.key == rate_key for c in columns):
            total[rate_key] = rate(total.get(num), total.get(den))
    return Table(key, title, columns, rows, total=total, exact=dict(total))


def province_tables(con: Any) -> list[Table]:
    """The roll-up tables, summed by DuckDB in DECIMAL."""
    return [_departments(con), _functions(con), _league(con), _counties(con)]


def _departments(con: Any) -> Table:
    """一、each department's tasks and money across the counties."""
    departments = _rows(
        con,
        """
        SELECT department, min(department_name) AS department_name,
               count(DISTINCT county) AS counties, count(*) AS tasks,
               sum(amount) AS amount, sum(received) AS received, sum(spent) AS spent,
               sum(shortfall) AS shortfall, count(*) FILTER (WHERE late) AS late
        FROM tasks GROUP BY department ORDER BY shortfall DESC, department
        """,
    )
    return _table(
        "departments",
        "一、费随事转：各部门交办任务与经费到位（全省）",
        [
            *Column.many(department="部门编码", department_name="部门"),
            *Column.many(NUMBER, counties="涉及县数", tasks="任务数"),
            *Column.many(
                MONEY, amount="应拨", received="已到位", spent="已支出", shortfall="到期未到位"
            ),
            Column("late", "曾逾期任务", NUMBER),
        ],
        departments,
        # a county appears under many departments: count it once in the total
        {"counties": con.execute("SELECT count(DISTINCT county) FROM tasks").fetchone()[0]},
    )


def _functions(con: Any) -> Table:
    """二、budget execution by function code and year."""
    functions = _rows(
        con,
        """
        WITH spent AS (
            SELECT year, function, sum(amount) AS spent FROM postings
            WHERE role = 'spending' GROUP BY year, function),
        budget AS (
            SELECT year, function, sum(budget) AS budget FROM quotas GROUP BY year, function)
        SELECT coalesce(s.year, b.year) AS year, coalesce(s.function, b.function) AS function,
               coalesce(b.budget, 0) AS budget, coalesce(s.spent, 0) AS spent
        FROM spent s FULL OUTER JOIN budget b ON s.year = b.year AND s.function = b.function
        ORDER BY year, function
        """,
    )
    for row in functions:
        row["name"] = function_name(row["function"]) if row["function"] else "未分类"
        row["function"] = row["function"] or ""
        row["rate"] = rate(row["spent"], row["budget"])
    return _table(
        "functions",
        "二、按功能分类的预算执行",
        [
            *Column.many(year="年度", function="功能分类", name="名称"),
            *Column.many(MONEY, budget="调整后指标", spent="支出"),
            Column("rate", "执行率", RATE),
        ],
        functions,
    )


def _league(con: Any) -> Table:
    """三、the counties ranked by money due and not received."""
    league = _rows(
        con,
        f"""
        SELECT county, count(*) AS tasks,
               count(*) FILTER (WHERE status IN {UNFUNDED_STATUSES} AND shortfall > 0) AS unfunded,
               count(*) FILTER (WHERE late) AS late,
               sum(amount) AS amount, sum(received) AS received, sum(shortfall) AS shortfall
        FROM tasks GROUP BY county ORDER BY shortfall DESC, unfunded DESC, county
        """,
    )
    for place, row in enumerate(league, 1):
        row["rank"] = place
    return _table(
        "league",
        "三、未拨付任务排行（按到期未到位金额）",
        [
            *Column.many(rank="名次", county="县"),
            *Column.many(NUMBER, tasks="任务数", unfunded="未足额拨付任务", late="曾逾期任务"),
            *Column.many(MONEY, amount="应拨", received="已到位", shortfall="到期未到位"),
        ],
        league,
    )


def _counties(con: Any) -> Table:
    """四、each county's income and spending."""
    counties = _rows(
        con,
        """
        SELECT county,
               coalesce(sum(-amount) FILTER (WHERE role = 'income'), 0) AS received,
               coalesce(sum(amount) FILTER (WHERE role = 'spending'), 0) AS spent,
               count(*) AS postings
        FROM postings GROUP BY county ORDER BY county
        """,
    )
    return _table(
        "counties",
        "四、各县收支合计",
        [
            Column("county", "县"),
            Column("received", "收入", MONEY),
            Column("spent", "支出", MONEY),
            Column("postings", "分录数", NUMBER),
        ],
        counties,
    )


def rollup(paths: Sequence[str | Path], out_dir: str | Path, formats: Sequence[str]) -> Path:
    """Aggregate the exports under ``paths`` into ``out_dir``; return its index.html."""
    from sandao.reports.html import environment, render_index
    from sandao.reports.run import check_target, mark, write_one

    manifests = find_exports(paths)
    exports = list(manifests)
    out_dir = Path(out_dir).absolute()
    check_target(out_dir)
    con = connect(exports)
    try:
        check_data_counties(con, manifests)
        tables = province_tables(con)
    finally:
        con.close()
    as_of = max(datetime.date.fromisoformat(m["as_of"]) for m in manifests.values())
    report = Report(
        key="rollup-province",
        template="rollup.html",
        title="三到社区资金汇总（多县）",
        public=False,
        as_of=as_of,
        tables=tables,
        context={"counties": len(exports)},
        group="汇总",
        subtitle=f"{len(exports)} 个县",
    )
    env = environment(None)
    with replacing_folder(out_dir, check_target) as tmp:
        written = write_one(report, tmp, tuple(formats), env)
        html = render_index(
            env,
            title=report.title,
            year=as_of.year if as_of else "",
            as_of=as_of,
            groups=[
                {
                    "name": report.group,
                    "items": [
                        {
                            "title": written.title,
                            "subtitle": written.subtitle,
                            "html": written.links.get("html", ""),
                            "others": [(f, h) for f, h in written.links.items() if f != "html"],
                        }
                    ],
                }
            ],
            findings={"errors": 0, "warnings": 0},
            opendata="",
        )
        (tmp / "index.html").write_text(html, encoding="utf-8")
        mark(tmp)
    return out_dir / "index.html"
