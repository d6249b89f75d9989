"""The auditor's edition: every money cell of a report with the entries that make it.

``sandao report --edition audit`` writes, under ``audit/`` of the output folder, one JSON
file per traced report (``audit/<folder>/<key>.trace.json``): its tables and, for every
non-zero money cell, a ``trace`` (reports.md, "Provenance") —

- a finest cell lists its ``entries``: ``[entry id, file, line, signed yuan]`` (a posting
  of the books, or the declaration a budget figure counts), and their ``sum``;
- a cell made of other cells (a 合计, a 类 or 款 row, 表一's 本年收入合计 …) lists its
  ``parts`` (the addresses of the cells it adds) instead of repeating their entries.

``sum`` is in yuan; the printed cell is that sum in 万元 under the document's rounding.
``sandao trace`` reads the file back and prints one cell's entries.  The public edition
carries none of this: no entry ids, no payees beyond what it already prints.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

from sandao.ledger import Analysis
from sandao.reports.model import MONEY, Report, Table
from sandao.reports.provenance import netted, yuan_of

ZERO = Decimal(0)
#: Rows of 表一 / 表四 that add other rows of the same side.
SIDE_TOTALS = {
    "本年收入合计": "numbered",
    "本年支出合计": "numbered",
    "年初财政拨款结转和结余": "below",
    "年末财政拨款结转和结余": "below",
    "上年结转": "below",  # 预算 表四 splits it by fund type (表一: nothing below)
    "结转下年": "below",
}
#: The total rows (总计; the 预算's 收入总计 / 支出总计) and what they add, by side.
SIDE_SUMS = {
    "in": (
        "本年收入合计", "使用非财政拨款结余", "年初结转和结余", "年初财政拨款结转和结余", "上年结转",
    ),
    "out": ("本年支出合计", "结余分配", "年末结转和结余", "年末财政拨款结转和结余", "结转下年"),
}  # fmt: skip
#: 表七: a figure and the figures it adds.
THREE_PARTS = {"total": ("abroad", "car", "reception"), "car": ("car_buy", "car_run")}


def txn_ids(analysis: Analysis) -> list[str]:
    """Stable entry id of each transaction, by posting-table ``txn`` index (computed while
    the entries are still loaded; ``sandao report`` asks before it frees them)."""
    known = analysis.__dict__.get("_txn_ids")
    if known is None:
        from beancount.core import data

        from sandao.ledger.canonical import EntryIds

        ids = EntryIds(analysis.entries)
        known = [ids.of(e) for e in analysis.entries if isinstance(e, data.Transaction)]
        analysis.__dict__["_txn_ids"] = known
    return known


def _ids(analysis: Analysis) -> list[str]:
    """The entry ids kept by :func:`txn_ids`, computed now if the entries are still here."""
    known = analysis.__dict__.get("_txn_ids")
    if known is None and analysis.entries:
        known = txn_ids(analysis)
    return known or []


def _side(column: str) -> str:
    if column.startswith("in_"):
        return "in"
    if column.startswith(("l_", "r_")):
        return column[0]
    return "out"


def _under(heading: str, label: str) -> str:
    """表四's split rows repeat the income rows' labels: they are named under their heading."""
    return f"{heading}·{label}"


def row_label(table: Table, row: dict[str, Any], column: str) -> str:
    """How a cell's row is named: its code, else its label on the cell's side (表四's rows
    under 年初/年末财政拨款结转和结余 with that heading in front)."""
    side = _side(column)
    item = "in_item" if side == "in" else "out_item"
    heading = row.get(f"_{item}_under")
    if heading and side in ("in", "out"):
        return _under(heading, str(row.get(item) or ""))
    if side == "in":
        return str(row.get("in_item") or "")
    if side in ("l", "r"):
        return str(row.get(f"{side}_code") or row.get(f"{side}_name") or "")
    if "out_item" in table.keys:
        return str(row.get("out_item") or "")
    for key in ("code", "ref", "name"):
        if row.get(key):
            return str(row[key])
    return "三公" if table.key.endswith("7") else ""


def _parts(
    table: Table, rows: list[dict[str, Any]], at: int | None, column: str
) -> list[list[str]]:
    """The cells a composite cell adds (empty for a finest cell). ``at`` None: the total row."""
    row = table.total if at is None else rows[at]
    side = _side(column)
    if table.level:
        if at is None:
            if all(r.get(column) is None for r in rows):
                return []  # 表八/九's 年初/年末 stand in the 合计 row only
            return [[row_label(table, r, column), column] for r in rows if r.get(table.level) == 0]
        code, level = str(row.get("code") or ""), row.get(table.level)
        return [
            [str(r["code"]), column]
            for r in rows
            if str(r.get("code") or "").startswith(code) and r.get(table.level) == level + 1
        ]
    if side in ("l", "r"):
        code = str(row.get(f"{side}_code") or "")
        if at is None:
            return [
                [str(r[f"{side}_code"]), column]
                for r in rows
                if len(str(r.get(f"{side}_code") or "")) == 3
            ]
        if len(code) == 3:
            return [
                [str(r[f"{side}_code"]), column]
                for r in rows
                if len(str(r.get(f"{side}_code") or "")) > 3
                and str(r[f"{side}_code"]).startswith(code)
            ]
        return []
    if "in_item" in table.keys:
        label = row_label(table, row, column)
        item = "in_item" if side == "in" else "out_item"
        if at is None:
            return [[n, column] for n in SIDE_SUMS[side] if any(r.get(item) == n for r in rows)]
        how = SIDE_TOTALS.get(label)
        if how == "numbered":
            return [[str(r[item]), column] for r in rows[:at] if "、" in str(r.get(item) or "")]
        if how == "below":
            return [
                [_under(label, str(r[item])), column] for r in rows[at + 1 : at + 4] if r.get(item)
            ]
        return []
    key, _, suffix = column.rpartition("_")
    if key in THREE_PARTS:
        return [[row_label(table, row, column), f"{p}_{suffix}"] for p in THREE_PARTS[key]]
    return []


def _entry(analysis: Analysis, ids: list[str], source: Any, amount: Decimal) -> list[Any]:
    if isinstance(source, tuple):  # a declaration: ("declaration", id, file, line)
        _, ident, file, line = source
        return [str(ident), file, line, str(amount)]
    row = analysis.postings.rows[source]
    ident = ids[row.txn] if row.txn < len(ids) else ""
    return [ident, row.file, row.line, str(amount)]


def trace_tables(analysis: Analysis, report: Report) -> list[dict[str, Any]]:
    """Each table of ``report`` with the trace of every non-zero money cell."""
    return [{**head, "cells": list(cells)} for head, cells in _traced_tables(analysis, report)]


def _traced_tables(analysis: Analysis, report: Report) -> Iterator[tuple[dict[str, Any], Iterator]]:
    """(table heading, its traced cells one at a time): written as they come, so a county's
    trace is never all in memory."""
    ids = _ids(analysis)
    for table in report.tables:
        head = {
            "key": table.key,
            "title": table.title,
            "scale": table.scale,
            "columns": [{"key": c.key, "label": c.label} for c in table.columns if c.kind == MONEY],
        }
        yield head, _cells(analysis, ids, table)


def _cells(analysis: Analysis, ids: list[str], table: Table) -> Iterator[dict[str, Any]]:
    rows = [dict(r) for r in table.rows]
    if "in_item" in table.keys:
        for item in ("in_item", "out_item"):
            heading = None
            for r in rows:
                if SIDE_TOTALS.get(str(r.get(item))) == "below":
                    heading = str(r[item])
                elif heading and r.get(item):
                    r[f"_{item}_under"] = heading
    figures = {(row_label(table, r, c), c): r.get(c) for r in rows for c in table.money_keys}
    for at, row in [*enumerate(rows), *([(None, table.total)] if table.total else [])]:
        for column in table.money_keys:
            value = row.get(column)
            # a cell printing 0.00 over a few yuan is traced too: a total's parts include it
            if not isinstance(value, Decimal) or not (value or yuan_of(value)):
                continue
            cell: dict[str, Any] = {
                "row": row_label(table, row, column) or ("合计" if at is None else str(at)),
                "column": column,
                "cell": str(value),
                "sum": str(yuan_of(value)),
            }
            parts = _parts(table, rows, at, column)
            # parts stand for a cell only when they hold all its yuan: a 类 of 表六 may hold
            # spending coded to the 类 itself (a quota's "301"), and a row of cells that all
            # print 0.00 is not printed; such a cell lists its entries instead
            if parts and sum((yuan_of(figures.get((r, c))) for r, c in parts), ZERO) != yuan_of(
                value
            ):
                parts = []
            if parts:
                cell["parts"] = parts
            else:
                net = netted(value)
                cell["entries"] = [
                    _entry(analysis, ids, s, a) for s, a in sorted(net.items(), key=_order)
                ]
            yield cell


def _order(item: tuple[Any, Decimal]) -> tuple:
    source = item[0]
    return (1, str(source)) if isinstance(source, tuple) else (0, source)


def write_trace_file(analysis: Analysis, report: Report, path: Path, serve: str | None) -> None:
    """Write the report's trace JSON cell by cell (the same document as
    :func:`trace_document`), and the linked page beside it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    used: set[str] = set()
    heads: list[tuple[dict[str, Any], list[tuple[str, str, str]]]] = []
    with path.open("w", encoding="utf-8") as out:
        out.write("{")
        for key, value in _header(report, serve).items():
            out.write(f"{json.dumps(key)}: {json.dumps(value, ensure_ascii=False)}, ")
        out.write('"tables": [')
        for n, (head, cells) in enumerate(_traced_tables(analysis, report)):
            shown: list[tuple[str, str, str]] = []
            out.write(
                ("," if n else "") + json.dumps(head, ensure_ascii=False)[:-1] + ', "cells": ['
            )
            for i, cell in enumerate(cells):
                used.update(e[0] for e in cell.get("entries", []))
                shown.append((cell["row"], cell["column"], cell["cell"]))
                out.write(("," if i else "") + "\n" + json.dumps(cell, ensure_ascii=False))
            out.write("]}")
            heads.append((head, shown))
        out.write('], "entries": ')
        out.write(json.dumps(_entry_details(analysis, used), ensure_ascii=False))
        out.write("}\n")
    if serve:
        page = path.with_name(path.name.removesuffix(".trace.json") + ".html")
        page.write_text(_linked_page(report, heads, serve), encoding="utf-8")


def trace_document(analysis: Analysis, report: Report) -> dict[str, Any]:
    """The report's tables with their traces, and the date, payee and narration of every
    entry they cite."""
    tables = trace_tables(analysis, report)
    used = {e[0] for t in tables for c in t["cells"] for e in c.get("entries", [])}
    return {**_header(report), "tables": tables, "entries": _entry_details(analysis, used)}


def traced_cell(
    analysis: Analysis, report: Report, table: str, row: str, column: str
) -> dict[str, Any] | None:
    """One cell's trace, the report's and table's titles, and the details of the entries it
    cites — without tracing the rest of the report (Fava's 来源分录 page)."""
    for head, cells in _traced_tables(analysis, report):
        if head["key"] != table:
            continue
        for cell in cells:
            if cell["row"] == row and cell["column"] == column:
                used = {e[0] for e in cell.get("entries", [])}
                details = _entry_details(analysis, used)
                return {**_header(report), "table": head["title"], "cell": cell, "entries": details}
        return None
    return None


def _header(report: Report, serve: str | None = None) -> dict[str, Any]:
    """The first keys of a trace document."""
    head = {"report": report.key, "title": report.title, "as_of": report.as_of.isoformat()}
    head["edition"] = "audit"
    if serve is not None:
        head["serve"] = serve
    return head


def _linked_page(
    report: Report, heads: list[tuple[dict[str, Any], list[tuple[str, str, str]]]], base: str
) -> str:
    """The auditor's edition as a page: each table's traced figures, each a link to the
    running ``sandao serve``'s 来源分录 page for that cell."""
    from html import escape
    from urllib.parse import urlencode

    parts = [
        '<!doctype html><html lang="zh-CN"><head><meta charset="utf-8">',
        f"<title>{escape(report.title)}（审计版）</title></head><body>",
        f"<h1>{escape(report.title)}（审计版，不公开）</h1>",
        f"<p>数据截至 {escape(report.as_of.isoformat())}。每个数字链接到 sandao serve 的来源分录页。</p>",
    ]
    for head, cells in heads:
        labels = {c["key"]: c["label"] for c in head["columns"]}
        parts.append(f"<h2>{escape(head['title'])}（单位：{escape(head['scale'])}）</h2>")
        parts.append('<table class="sd-audit"><tr><th>行</th><th>列</th><th>金额</th></tr>')
        for row, column, figure in cells:
            query = urlencode(
                {"report": report.key, "table": head["key"], "row": row, "column": column}
            )
            parts.append(
                f"<tr><td>{escape(row)}</td><td>{escape(labels.get(column, column))}</td>"
                f'<td><a class="sd-trace-link" href="{escape(base)}?{escape(query)}">{escape(figure)}</a></td></tr>'
            )
        parts.append("</table>")
    parts.append("</body></html>")
    return "".join(parts)


def _entry_details(analysis: Analysis, used: set[str]) -> dict[str, dict[str, Any]]:
    """Date, payee and narration of the cited transactions, by entry id."""
    ids = _ids(analysis)
    out: dict[str, dict[str, Any]] = {}
    for row in analysis.postings.rows:
        ident = ids[row.txn] if row.txn < len(ids) else ""
        if ident in used and ident not in out:
            out[ident] = {
                "date": row.date.isoformat(),
                "payee": row.payee or "",
                "narration": row.narration or "",
            }
    return out
