"""XLSX writer: one workbook per report, one sheet per table.

Numbers stay numbers (``#,##0.00``; counts ``#,##0``; rates as percentages), dates are
date cells, the title (the report's heading with its year, quarter, unit or community,
then the table's title) is merged and centred above a 编制单位 … 单位：元 line, the
header row is frozen and filters the data rows, codes kept as text raise no "number
stored as text" warnings, sheet names end on a whole word, columns are fitted to their
content and pages print on A4 with "第 N 页，共 M 页" in the footer.  Text cells are written
with ``write_string`` and neutralised when they start like a formula.  xlsxwriter
with a fixed ``created`` date (the books' as-of date) writes the same bytes for the
same books.
"""

from __future__ import annotations

import datetime
import re
import unicodedata
from decimal import Decimal
from pathlib import Path
from typing import Any

import xlsxwriter

from sandao.ledger.vocabulary import visible
from sandao.reports import formatting
from sandao.reports.model import DATE, MONEY, NUMBER, RATE, TRANSFERS, VERBATIM, Report, Table
from sandao.reports.privacy import neutralise

RATE_PLACES = Decimal("0.000001")
#: Format key of a whole-number count (a NUMBER column whose value is integral).
INTEGER = "integer"

_BAD_SHEET = re.compile(r"[\[\]:*?/\\]")


def _width(text: str) -> int:
    """Display width of a cell's text: CJK characters count two."""
    if text.isascii():  # figures and codes: most cells
        return len(text)
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def sheet_name(title: str, used: set[str]) -> str:
    """A valid, unique sheet name (≤ 31 characters) from a table title, ending on a whole
    word: a parenthetical is dropped first, then the name is cut at a punctuation mark."""
    base = _BAD_SHEET.sub("", title).strip("'") or "Sheet"
    name = _fit(base, SHEET_NAME_MAX)
    n = 2
    while name.lower() in used:
        suffix = f"({n})"
        name = _fit(base, SHEET_NAME_MAX - len(suffix)) + suffix
        n += 1
    used.add(name.lower())
    return name


#: Excel's limit on a sheet name's length.
SHEET_NAME_MAX = 31
_PARENTHETICAL = re.compile(r"（[^（）]*）|\([^()]*\)")
#: Where a name may be cut: before a punctuation mark or space (Chinese has no spaces).
_BREAKS = "、，,；;：:（( —-"


def _fit(text: str, limit: int) -> str:
    """``text`` in at most ``limit`` characters without cutting a word in two."""
    if len(text) <= limit:
        return text
    shorter = _PARENTHETICAL.sub("", text).strip()
    if shorter and len(shorter) <= limit:
        return shorter
    text = shorter or text
    cut = max(text.rfind(mark, 0, limit + 1) for mark in _BREAKS)
    return text[:cut].rstrip() if cut > 0 else text[:limit]


def sheet_title(report: Report, table: Table) -> str:
    """The title row of a sheet: the report's heading (its year, quarter, unit or community)
    before the table's own title, so a printed or forwarded sheet says what it covers."""
    heading = report.title
    period = report.context.get("period")
    if period and str(period) not in heading:
        heading = f"{heading}（{period}）"
    return f"{heading}　{table.title}"


def _number(value: Any, kind: str) -> float | None:
    # xlsx stores IEEE doubles; the conversion happens only at this display boundary.
    if value is None or value == "":
        return None
    value = Decimal(value)
    if kind == RATE:
        value = value.quantize(RATE_PLACES)
    return float(value)


def _formats(workbook: Any, extra: dict[str, Any]) -> dict[str, Any]:
    """Cell formats per column kind (``extra``: bold and shaded for the 合计 row)."""
    cell = {"border": 1, **extra}
    return {
        MONEY: workbook.add_format({**cell, "num_format": "#,##0.00"}),
        RATE: workbook.add_format({**cell, "num_format": "0.00%"}),
        NUMBER: workbook.add_format({**cell, "num_format": "#,##0.00"}),
        INTEGER: workbook.add_format({**cell, "num_format": "#,##0"}),
        DATE: workbook.add_format({**cell, "num_format": "yyyy-mm-dd", "align": "left"}),
        "text": workbook.add_format(cell),
    }


def write_workbook(report: Report, path: Path) -> None:
    as_of = datetime.datetime.combine(report.as_of, datetime.time())
    workbook = xlsxwriter.Workbook(
        str(path), {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False}
    )
    workbook.set_properties({"title": report.title, "author": "sandao", "created": as_of})
    fmt = {
        "title": workbook.add_format(
            {"bold": True, "font_size": 14, "align": "center", "valign": "vcenter"}
        ),
        "header": workbook.add_format(
            {
                "bold": True,
                "bg_color": "#E6EEF5",
                "border": 1,
                "text_wrap": True,
                "align": "center",
                "valign": "vcenter",
            }
        ),
        "line": workbook.add_format({"font_size": 10}),
        "line_right": workbook.add_format({"font_size": 10, "align": "right"}),
        "note": workbook.add_format({"italic": True, "font_color": "#555555"}),
        **_formats(workbook, {}),
    }
    bold = _formats(workbook, {"bold": True, "bg_color": "#F3F6F9"})
    used: set[str] = set()
    for table in report.tables:
        _write_sheet(workbook, table, sheet_name(table.title, used), fmt, bold, report)
    workbook.close()


def _integral(value: Any) -> bool:
    return isinstance(value, (int, Decimal)) and value == int(value)


def _write_row(ws: Any, r: int, table: Table, row: dict, fmts: dict, widths: list[int]) -> None:
    for c, col in enumerate(table.columns):
        value = row.get(col.key)
        if col.kind in (MONEY, RATE, NUMBER):
            number = _number(value, col.kind)
            # Counts are whole numbers: no "2." in Excel/WPS; measured outputs keep decimals.
            kind = INTEGER if col.kind == NUMBER and _integral(value) else col.kind
            if number is None:
                ws.write_blank(r, c, None, fmts[kind])
            else:
                ws.write_number(r, c, number, fmts[kind])
            text = formatting.cell(value, col.kind)
        elif col.kind == DATE and isinstance(value, datetime.date):
            ws.write_datetime(r, c, datetime.datetime.combine(value, datetime.time()), fmts[DATE])
            text = value.isoformat()
        elif col.kind == VERBATIM:
            text = "" if value is None else visible(str(value))
            ws.write_string(r, c, neutralise(text), fmts["text"])
        else:
            text = formatting.cell(value, col.kind if col.kind in (DATE, TRANSFERS) else "text")
            if table.level and col.key == "name":
                text = "  " * int(row.get(table.level) or 0) + text
            ws.write_string(r, c, neutralise(text), fmts["text"])
        widths[c] = max(widths[c], _width(text))


def _write_header(ws: Any, table: Table, fmt: Any) -> int:
    """The header from row 2; a label ``组／项`` (表七's ``合计／预算数``) is written as a
    group over its items, two rows, the way the template prints it.  Returns the last
    header row."""
    groups = [c.label.split("／", 1) if "／" in c.label else [c.label] for c in table.columns]
    if all(len(g) == 1 for g in groups):
        for c, col in enumerate(table.columns):
            ws.write_string(2, c, col.label, fmt)
        return 2
    c = 0
    while c < len(groups):
        if len(groups[c]) == 1:
            ws.merge_range(2, c, 3, c, groups[c][0], fmt)
            c += 1
            continue
        end = c
        while (
            end + 1 < len(groups)
            and len(groups[end + 1]) == 2
            and groups[end + 1][0] == groups[c][0]
        ):
            end += 1
        if end > c:
            ws.merge_range(2, c, 2, end, groups[c][0], fmt)
        else:
            ws.write_string(2, c, groups[c][0], fmt)
        for i in range(c, end + 1):
            ws.write_string(3, i, groups[i][1], fmt)
        c = end + 1
    return 3


def _write_sheet(
    workbook: Any, table: Table, name: str, fmt: dict, bold: dict, report: Report
) -> None:
    ws = workbook.add_worksheet(name)
    ws.set_paper(9)  # A4
    ws.set_landscape()
    ws.fit_to_pages(1, 0)
    ws.set_footer("&C第 &P 页，共 &N 页")
    last = max(len(table.columns) - 1, 0)
    title = neutralise(sheet_title(report, table))
    if last:
        ws.merge_range(0, 0, 0, last, title, fmt["title"])
    else:
        ws.write_string(0, 0, title, fmt["title"])
    ws.set_row(0, 24)
    preparer = neutralise(f"编制单位：{report.context.get('preparer') or ''}")
    ws.write_string(1, 0, preparer, fmt["line"])
    ws.write_string(
        1, last, neutralise(f"单位：{table.scale}"), fmt["line_right" if last else "line"]
    )
    header = _write_header(ws, table, fmt["header"])
    widths = [_width(c.label.rsplit("／", 1)[-1]) for c in table.columns]
    ws.freeze_panes(header + 1, 0)
    ws.repeat_rows(2, header)
    r = header + 1
    if table.empty:
        ws.write_string(r, 0, "无", fmt["text"])
        r += 1
    else:
        # 功能分类 tables put 合计 first, as the template prints them
        if table.level and table.total is not None:
            _write_row(ws, r, table, table.total, bold, widths)
            r += 1
        for row in table.records():
            _write_row(ws, r, table, row, fmt, widths)
            r += 1
    if not table.empty:  # a filter on the header over the data rows (not the 合计 row)
        ws.autofilter(header, 0, r - 1, last)
    if table.total is not None and not table.empty and not table.level:
        _write_row(ws, r, table, table.total, bold, widths)
        r += 1
    ws.write_string(
        r, 0, neutralise(f"{report.title}　数据截至 {report.as_of.isoformat()}"), fmt["note"]
    )
    r += 1
    for note in table.notes:
        # a 说明 or 尾差说明 line is not a 注 (the HTML prints it the same way)
        text = note if note.startswith(("说明", "尾差")) else f"注：{note}"
        ws.write_string(r, 0, neutralise(text), fmt["note"])
        r += 1
    for c, w in enumerate(widths):
        ws.set_column(c, c, min(max(w + 2, 8), 60))
    # codes (科目编码 2120101, 支付凭证号) are text on purpose: no green triangles on them
    ws.ignore_errors({"number_stored_as_text": "A1:XFD1048576"})
