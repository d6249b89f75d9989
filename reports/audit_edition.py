"""The auditor's edition: every money cell of a report with the entries that make it.

``sandao report --edition audit`` writes, under ``audit/`` of the output folder, one JSON
file per report (``audit/<folder>/<key>.trace.json``) — 决算 and 预算, notices, task ledger,
execution, performance — with its tables and, for every non-zero money cell, a ``trace``
(reports.md, "Provenance"):

- a finest cell lists its ``entries``: ``[entry id, file, line, signed yuan]`` (a posting
  of the books, or the declaration a budget figure counts), and their ``sum``;
- a cell made of other cells lists its ``parts`` (``[row, column]``, ``[row, column, -1]``
  for one subtracted) instead of repeating their entries: a 合计, a 类 or 款 row, 表一's
  本年收入合计 by the template's structure; in the other reports, the cells whose very
  figures the builder added (期末 = 期初 + 收到 − 支出);
- a county (部门) cell that no cell of its own table makes lists ``units``: each unit's
  document and its yuan in the same cell;
- a per-household or per-m² figure is ``derived``: the cell and the count it divides;
- the 决算's and 预算's ``text``: each figure the 说明 prints with the cells it quotes or is
  computed from (:func:`text_trace`).

``sum`` is in yuan; the printed cell is that sum (in 万元 under the document's rounding).
Beside each trace, ``<key>.html`` is the report's own page with each traced figure a link
to the running ``sandao serve``'s 来源分录 page.  ``sandao trace`` reads the file back and
prints one cell.  The public edition carries none of this: no entry ids, no links, no
payees beyond what it already prints.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable, Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

from sandao.ledger import Analysis
from sandao.reports.model import MONEY, TEXT, Report, Table
from sandao.reports.provenance import Traced, derivation, netted, yuan_of

ZERO = Decimal(0)
DISCLOSURE = "disclosure.html"
#: The folder of a report run that holds the auditor's edition (traces and linked pages).
AUDIT_FOLDER = "audit"
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


def slugify(title: str) -> str:
    """The ledger's name in Fava's URLs (``fava.util.slugify``'s rule; Fava itself is not
    imported by a report run, whose memory stays that of the books)."""
    import re
    import unicodedata

    text = re.sub(r"[^\s\w-]", "", unicodedata.normalize("NFKC", title)).strip().lower()
    return re.sub(r"[-\s]+", "-", text)


def trace_url(analysis: Analysis, county_config: Any) -> str:
    """The running ``sandao serve``'s 来源分录 endpoint (``[audit] serve_url``, default
    ``http://127.0.0.1:5000``) for these books."""
    section = county_config.section("audit") if county_config is not None else {}
    url = str(section.get("serve_url") or "http://127.0.0.1:5000").rstrip("/")
    slug = slugify(str(analysis.options_map.get("title") or "beancount")) or "beancount"
    return f"{url}/{slug}/extension/ReportPreview/trace"


def with_trace(
    job: Callable[[], Report],
    analysis: Analysis,
    base: str,
    template: str | None = None,
    same_as: dict[str, str] | None = None,
) -> Report:
    """The built report, and how to write its cells' trace under ``audit/`` (reports.md,
    "Provenance"): the writer that :func:`sandao.reports.run.write_one` calls.  With
    ``template``, only reports of that template are traced (a 决算's 预算会计 statements
    are not).  ``same_as``: report key → the report of the same run that lists the
    entries of its ``unit_wide`` rows (a community's notice: its unit's first one)."""
    report = job()
    if template is None or report.template == template:
        report.context["trace_writer"] = functools.partial(
            write_trace_file,
            analysis,
            report,
            serve=base,
            same_as=(same_as or {}).get(report.key),
        )
    return report


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


def _entries(
    analysis: Analysis, ids: list[str], net: dict[Any, Decimal], cited: dict[str, int]
) -> list[list[Any]]:
    """``[entry id, file, line, signed yuan]`` of each counted posting (by posting-table
    order), then each declaration a budget figure counts (``("declaration", id, file,
    line)``)."""
    rows, known = analysis.postings.rows, len(ids)
    postings = sorted(k for k in net if type(k) is int)
    declared: list[Any] = []
    if len(postings) < len(net):  # declarations ("declaration", id, file, line) too
        declared = sorted((k for k in net if type(k) is tuple), key=str)
    out = []
    for index in postings:
        row = rows[index]
        txn = row.txn
        ident = ids[txn] if txn < known else ""
        cited.setdefault(ident, index)
        out.append([ident, row.file, row.line, str(net[index])])
    for source in declared:
        _, ident, file, line = source
        out.append([str(ident), file, line, str(net[source])])
    return out


def _traced_tables(
    analysis: Analysis,
    report: Report,
    same_as: str | None = None,
    listing: _Listing | None = None,
) -> Iterator[tuple[dict[str, Any], Iterator]]:
    """(table heading, its traced cells one at a time with the figure each traces):
    written as they come, so a county's trace is never all in memory."""
    ids = _ids(analysis)
    generic = report.template != DISCLOSURE
    listing = listing if listing is not None else _Listing(report.key)
    for table in report.tables:
        head = {
            "key": table.key,
            "title": table.title,
            "scale": table.scale,
            "columns": [{"key": c.key, "label": c.label} for c in table.columns if c.kind == MONEY],
        }
        listing.table = table.key
        if generic:
            cells = _generic_cells(analysis, ids, table, listing, same_as)
        else:
            cells = _cells(analysis, ids, table, listing, _unit_documents(analysis, report))
        yield head, _noted(cells, listing)
    if generic:
        listing.table = CONTEXT
        yield dict(CONTEXT_HEAD), _context_cells(analysis, ids, report, listing)


#: The figures a notice (task ledger, execution, performance report) prints outside its
#: tables — 钱从哪里来、用到哪里去, 户均 — traced as the cells of one more table.
CONTEXT = "context"
CONTEXT_HEAD = {"key": CONTEXT, "title": "正文和图中的数字", "scale": "元", "columns": []}


def _noted(cells: Iterator[tuple[dict[str, Any], Decimal]], listing: _Listing) -> Iterator:
    """The cells as they come, each figure noted as a table cell's."""
    for cell, figure in cells:
        listing.cells.setdefault(id(figure), [listing.table, cell["row"], cell["column"]])
        yield cell, figure


def _context_cells(
    analysis: Analysis, ids: list[str], report: Report, listing: _Listing
) -> Iterator[tuple[dict[str, Any], Decimal]]:
    """Each traced figure of the report's context that no table cell holds (a source's
    amount, a flow, 户均): named by where it sits (``sources·县财政·建设资金`` / ``amount``)."""
    # the tables' cells, known without tracing them (Fava traces one context cell alone)
    cells: dict[int, tuple[str, str, str]] = {}
    for table in report.tables:
        for figure, (row, column) in _owners(table).items():
            cells.setdefault(figure, (table.key, row, column))
    seen: dict[str, int] = {}
    done: set[int] = set()
    for row, column, figure in _context_figures(report.context):
        if id(figure) in cells or id(figure) in done or not _shown(figure):
            continue
        done.add(id(figure))
        seen[row] = seen.get(row, 0) + 1
        label = row if seen[row] == 1 else f"{row}（{seen[row]}）"
        yield _cell(analysis, ids, label, column, figure, [], cells, listing), figure


def _context_figures(context: dict[str, Any]) -> Iterator[tuple[str, str, Decimal]]:
    """(row, column, figure) of every traced figure in a report's context: its own
    figures and lists of records first (``sources``, ``flows``), then lists of tuples
    (a chart's links, which repeat them)."""
    tuples: list[tuple[str, Any]] = []
    for key, value in context.items():
        if type(value) is Traced:
            yield key, "value", value
        elif isinstance(value, dict):
            for column, item in value.items():
                if type(item) is Traced:
                    yield key, column, item
        elif isinstance(value, (list, tuple)):
            for item in value:
                if isinstance(item, dict):
                    yield from _record_figures(key, list(item.items()))
                elif isinstance(item, (list, tuple)):
                    tuples.append((key, list(enumerate(item))))
    for key, pairs in tuples:
        yield from _record_figures(key, pairs)


def _record_figures(key: str, pairs: list[tuple[Any, Any]]) -> Iterator[tuple[str, str, Decimal]]:
    words = [str(v) for _, v in pairs if isinstance(v, str) and v]
    for column, figure in pairs:
        if type(figure) is Traced:
            yield "·".join([key, *words]), str(column), figure


class _Listing:
    """The figures whose entries a report's trace has listed so far: a later cell holding
    the same figure (表一's and 表四's 财政拨款收入, a notice's lead and its 合计 row) says
    ``same`` and the first cell's address instead of listing them again."""

    def __init__(self, report: str) -> None:
        self.report = report
        self.table = ""
        self.first: dict[int, list[str]] = {}
        #: entry id → a posting row of it, for each entry a cell cites (its date, payee…)
        self.cited: dict[str, int] = {}
        #: figure → the first table cell that holds it ([table, row, column])
        self.cells: dict[int, list[str]] = {}

    def same(self, figure: Decimal) -> list[str] | None:
        return self.first.get(id(_inner(figure)))

    def listed(self, figure: Decimal, row: str, column: str) -> None:
        self.first.setdefault(id(_inner(figure)), [self.report, self.table, row, column])


def _inner(figure: Any) -> Any:
    """The figure a cell shows, through the plain copies of it (a rounded 万元 figure is
    a node whose one part is the yuan figure)."""
    while (
        type(figure) is Traced
        and not figure._refs
        and not figure._from
        and len(figure._parts) == 1
        and figure._parts[0][0] == 1
    ):
        figure = figure._parts[0][1]
    return figure


def _unit_documents(analysis: Analysis, report: Report) -> Callable[[Decimal], list] | None:
    """For a document that adds several units' books (the county's, a 部门's): how a finest
    figure shares out among the units' own documents — ``[[report key, yuan], …]``, each
    unit's same cell — or None where an entry's unit is unknown.  None for a unit's own."""
    units = report.context.get("units") or []
    if len(units) < 2:
        return None
    doc, year = report.context["doc"], report.context["year"]
    suffix = "-draft" if report.context.get("draft") else ""
    rows = analysis.postings.rows
    decl = analysis.declarations

    def unit_of(source: Any) -> str | None:
        if not isinstance(source, tuple):
            return rows[source].unit
        ident = source[1]
        record = decl.quotas.get(ident) or decl.tasks.get(ident) or decl.projects.get(ident)
        return getattr(record, "unit", None)

    def split(figure: Decimal) -> list | None:
        shares: dict[str, Decimal] = {}
        for source, amount in netted(figure).items():
            unit = unit_of(source)
            if unit not in units:
                return None
            shares[unit] = shares.get(unit, ZERO) + amount
        return [[f"{doc}-{year}-{u}{suffix}", str(shares[u])] for u in units if shares.get(u)]

    return split


def _cells(
    analysis: Analysis,
    ids: list[str],
    table: Table,
    listing: _Listing,
    split: Callable[[Decimal], list | None] | None = None,
) -> Iterator[tuple[dict[str, Any], Decimal]]:
    """A 决算 / 预算 table's cells: composite cells by the template's structure; with
    ``split``, a county's finest cell as the same cell of each unit's document."""
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
            if not _shown(value):
                continue
            label = row_label(table, row, column) or ("合计" if at is None else str(at))
            parts = _parts(table, rows, at, column)
            # parts stand for a cell only when they hold all its yuan: a 类 of 表六 may hold
            # spending coded to the 类 itself (a quota's "301"), and a row of cells that all
            # print 0.00 is not printed; such a cell lists its entries instead
            if parts and sum((yuan_of(figures.get((r, c))) for r, c in parts), ZERO) != yuan_of(
                value
            ):
                parts = []
            finest = split is not None and not parts and not listing.same(value)
            shares = split(value) if finest else None
            if shares:
                cell = {"row": label, "column": column, "cell": str(value)}
                cell.update(sum=str(yuan_of(value)), units=shares)
                listing.listed(value, label, column)
                yield cell, value
                continue
            yield _cell(analysis, ids, label, column, value, parts, listing=listing), value


def _shown(value: Any) -> bool:
    """A money cell the trace covers: non-zero, or printing 0.00 over a few yuan."""
    return isinstance(value, Decimal) and bool(value or yuan_of(value))


def _cell(
    analysis: Analysis,
    ids: list[str],
    row: str,
    column: str,
    value: Decimal,
    parts: list,
    owner: dict[int, Any] | None = None,
    listing: _Listing | None = None,
) -> dict[str, Any]:
    cell: dict[str, Any] = {"row": row, "column": column, "cell": str(value)}
    source = derivation(value)
    if source:  # a per-household or per-m² figure: the cells (or counts) it divides
        op, *operands = source
        cell["derived"] = op
        cell["from"] = [_operand(x, owner or {}) for x in operands]
        return cell
    cell["sum"] = str(yuan_of(value))
    first = listing.same(value) if listing is not None and not parts else None
    if parts:
        cell["parts"] = parts
    elif first:
        cell["same"] = first
    else:
        cited = listing.cited if listing is not None else {}
        cell["entries"] = _entries(analysis, ids, netted(value), cited)
        if listing is not None:
            listing.listed(value, row, column)
    return cell


def _operand(value: Any, owner: dict[int, Any]) -> Any:
    """An operand of a derived figure: the cell it is (``[row, column]``, or
    ``[table, row, column]`` from the text), else its value."""
    address = owner.get(id(value))
    return list(address) if address is not None else str(value)


def generic_labels(table: Table) -> list[str]:
    """How the rows of a notice, task ledger, execution or performance table are named in
    its trace: their first two texts joined by "·" (a task id and name, a stream and
    scope), a repeated name numbered "（2）" …; the total row by its own text, else 合计.
    The last label is the total row's."""
    texts = [c.key for c in table.columns if c.kind == TEXT]

    def name(row: dict[str, Any]) -> str:
        words = [row[k] for k in texts if isinstance(row.get(k), str) and row[k]]
        return "·".join(words[:2])

    seen: dict[str, int] = {}
    labels = []
    for row in table.rows:
        label = name(row) or "行"
        seen[label] = seen.get(label, 0) + 1
        labels.append(label if seen[label] == 1 else f"{label}（{seen[label]}）")
    total = table.total or {}
    first = next((str(total[c.key]) for c in table.columns if total.get(c.key)), "")
    labels.append(first if isinstance(first, str) and first and not first[0].isdigit() else "合计")
    return labels


def _owners(table: Table) -> dict[int, tuple[str, str]]:
    """Figure → the first cell of a notice's (task ledger's …) table that shows it (row
    label, column): the cells its other figures are added from or divide."""
    rows = [*table.rows, *([table.total] if table.total else [])]
    owner: dict[int, tuple[str, str]] = {}
    for label, row in zip(generic_labels(table), rows, strict=False):
        for column in table.money_keys:
            value = row.get(column)
            if _shown(value):
                owner.setdefault(id(value), (label, column))
    return owner


def _generic_cells(
    analysis: Analysis,
    ids: list[str],
    table: Table,
    listing: _Listing,
    same_as: str | None = None,
) -> Iterator[tuple[dict[str, Any], Decimal]]:
    """A table whose cells add other cells of it only as the builder added them: a cell's
    parts are the cells whose very figures it was added from (a 合计, 期末 = 期初 + 收到 − 支出),
    each with its sign; any other cell lists its entries."""
    labels = generic_labels(table)
    rows = [*table.rows, *([table.total] if table.total else [])]
    owner = _owners(table)
    for label, row in zip(labels, rows, strict=False):
        for column in table.money_keys:
            value = row.get(column)
            if _shown(value) and same_as and row.get("unit_wide"):
                # listed once, in the unit's first notice: the same figure, the same entries
                cell = {"row": label, "column": column, "cell": str(value)}
                cell.update(sum=str(yuan_of(value)), same=[same_as, table.key, label, column])
                yield cell, value
            elif _shown(value):
                parts = signed_parts(value, owner)
                yield _cell(analysis, ids, label, column, value, parts, owner, listing), value


def signed_parts(figure: Any, owner: dict[int, tuple[str, str]]) -> list[list[Any]]:
    """The cells ``figure`` was added from (``[row, column]``, or ``[row, column, -1]`` for
    one subtracted), when they make all of it; else ``[]`` (it lists its entries)."""
    parts: dict[tuple[str, str], int] = {}
    stack: list[tuple[int, Any]] = list(_children(figure))
    if not stack or _own_refs(figure):
        return []
    while stack:
        sign, node = stack.pop()
        if not isinstance(node, Traced) or not (node or node.yuan or _own_refs(node)):
            continue  # a zero added in (a line's empty start)
        address = owner.get(id(node))
        if address is not None and node is not figure:
            parts[address] = parts.get(address, 0) + sign
            continue
        if _own_refs(node):
            return []
        stack.extend((sign * inner, part) for inner, part in _children(node))
    rank = {address: n for n, address in enumerate(owner.values())}
    return [
        [row, column] if n == 1 else [row, column, n]
        for (row, column), n in sorted(parts.items(), key=lambda item: rank[item[0]])
        if n
    ]


def _children(figure: Any) -> tuple:
    return figure._parts if isinstance(figure, Traced) else ()


def _own_refs(figure: Any) -> tuple:
    return figure._refs if isinstance(figure, Traced) else ()


def write_trace_file(
    analysis: Analysis, report: Report, path: Path, serve: str | None, same_as: str | None = None
) -> dict[int, str]:
    """Write the report's trace JSON cell by cell (the same document as
    :func:`trace_document`); return each traced figure's 来源分录 page on the running
    server (by the figure's identity), which the auditor's page links (:func:`write_one`
    of :mod:`sandao.reports.run` renders it with the public page)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    listing = _Listing(report.key)
    urls: dict[int, str] = {}
    with path.open("w", encoding="utf-8") as out:
        out.write("{")
        for key, value in _header(report, serve).items():
            out.write(f"{_json(key)}: {_json(value)}, ")
        out.write('"tables": [')
        for n, (head, cells) in enumerate(_traced_tables(analysis, report, same_as, listing)):
            out.write(("," if n else "") + _json(head)[:-1] + ', "cells": [')
            link = _url_maker(serve, report.key, head["key"]) if serve else None
            for i, (cell, figure) in enumerate(cells):
                if link is not None and id(figure) not in urls:
                    urls[id(figure)] = link(cell["row"], cell["column"])
                out.write(("," if i else "") + "\n" + _json(cell))
            out.write("]}")
        out.write('], "text": ')
        out.write(_json(text_trace(report, listing.cells)))
        out.write(', "entries": ')
        out.write(_json(_entry_details(analysis, listing.cited)))
        out.write("}\n")
    return urls


def _url_maker(base: str, report: str, table: str) -> Callable[[str, str], str]:
    """The 来源分录 page of a cell of one table, by row and column (``urlencode``'s query)."""
    from urllib.parse import quote_plus, urlencode

    head = f"{base}?{urlencode({'report': report, 'table': table})}&row="
    return lambda row, column: f"{head}{quote_plus(row)}&column={quote_plus(column)}"


#: The trace file's JSON, Chinese as it is (one encoder for the thousands of cells).
_json = json.JSONEncoder(ensure_ascii=False).encode


def trace_document(analysis: Analysis, report: Report) -> dict[str, Any]:
    """The report's tables with their traces, and the date, payee and narration of every
    entry they cite."""
    listing = _Listing(report.key)
    tables = [
        {**head, "cells": [cell for cell, _ in cells]}
        for head, cells in _traced_tables(analysis, report, None, listing)
    ]
    return {
        **_header(report),
        "tables": tables,
        "text": text_trace(report, listing.cells),
        "entries": _entry_details(analysis, listing.cited),
    }


def text_trace(report: Report, where: dict[int, list[str]]) -> list[dict[str, Any]]:
    """The figures the 说明 text prints and where each comes from: a quoted cell, or a
    share, change or rate with its ``op`` and the cells (``[table, row, column]``) — or,
    for a figure no cell holds (the previous year's), the value — it is computed from."""
    from sandao.reports.disclosure.text import wan

    out: list[dict[str, Any]] = []
    for quoted in report.context.get("quoted", []):
        value = quoted["value"]
        address = where.get(id(value))
        if address is None and not value:
            continue  # a zero: no entries to name
        address = address or [quoted["table"], quoted["label"], quoted["column"]]
        out.append({"figure": wan(value), "from": [address]})
    for figure in report.context.get("derived", []):
        operands = [where.get(id(x)) or str(x) for x in figure["operands"]]
        item = {"figure": figure["figure"], "op": figure["op"], "from": operands}
        if item not in out:
            out.append(item)
    return out


def traced_cell(
    analysis: Analysis, report: Report, table: str, row: str, column: str
) -> dict[str, Any] | None:
    """One cell's trace, the report's and table's titles, and the details of the entries it
    cites — without tracing the rest of the report (Fava's 来源分录 page)."""
    listing = _Listing(report.key)
    for head, cells in _traced_tables(analysis, report, None, listing):
        if head["key"] != table:
            continue
        for cell, _ in cells:
            if cell["row"] == row and cell["column"] == column:
                cited = {e[0] for e in cell.get("entries", [])}
                rows = {k: v for k, v in listing.cited.items() if k in cited}
                details = _entry_details(analysis, rows)
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


def _entry_details(analysis: Analysis, cited: dict[str, int]) -> dict[str, dict[str, Any]]:
    """Date, payee and narration of the cited transactions, by entry id (``cited``: entry
    id → one of its posting rows)."""
    rows = analysis.postings.rows
    days: dict[Any, str] = {}
    out: dict[str, dict[str, Any]] = {}
    for ident in sorted(cited):
        row = rows[cited[ident]]
        day = days.get(row.date)
        if day is None:
            day = days[row.date] = row.date.isoformat()
        out[ident] = {"date": day, "payee": row.payee or "", "narration": row.narration or ""}
    return out
