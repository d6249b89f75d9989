"""Export files read into a table: rows of cells, the header found, columns mapped.

Exports come as GB18030/GBK or UTF-8 CSV, xlsx or legacy xls, with title rows, a
two-row or merged header, blank rows and a 合计 row.  This module turns any of them into
one :class:`Table` — the data rows with their row numbers as the user sees them, the
canonical column of each field, the 元/万元 multiplier and the total row — so the three
importers only deal with cells.  The file type is decided by its bytes, not its name.

Not a charset detector (chardet, charset-normalizer): exports are UTF-8 or GB18030, and
trying UTF-8 (strict) then GB18030 is exact, where a detector guesses from statistics and
names a short GBK file Big5 or a Latin code page.
"""

from __future__ import annotations

import csv
import io
import os
import re
import stat
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sandao.importers.errors import ImportFailure, ImportProblem, fail, os_reason
from sandao.importers.values import is_blank, normalize_header
from sandao.ledger.vocabulary import CONTROL, INVISIBLE

#: The header is looked for in this many rows from the top.
HEADER_SCAN_ROWS = 40
#: A file larger than this is refused before reading (a bad path, not an export).
MAX_FILE_BYTES = 200 * 1024 * 1024

TOTAL_WORDS = ("合计", "总计")
_UNIT_LINE = re.compile(r"(?:金额)?单位[:：]\s*(万元|元)")
#: The members of an xlsx may unpack to this much at most (a zip bomb is refused unread).
MAX_XLSX_UNPACKED = 256 * 1024 * 1024
#: A sheet may span this many cells (rows × columns of its area) at most: the xlsx reader
#: builds the whole area, so one far cell (XFD1000000) would take gigabytes.
MAX_SHEET_CELLS = 10_000_000
#: The tokens of the formula scan: a cell's start tag (attributes bounded, so the scan is
#: linear whatever the XML holds), its end tag, a formula's start tag.
_XLSX_TOKEN = re.compile(rb"<c\b([^<>]{0,1000})>|</c>|<f[ >/]")
_CELL_REF = re.compile(rb'\br="([A-Z]{1,3})(\d{1,7})"')
#: In one pass: a cell reference beyond Z99999 (two or three letters, or six or seven
#: digits), or a cell whose first attribute is not its reference.
_CELL_SCAN = re.compile(rb'<c(?: r="([A-Z]{2,3}|[A-Z](?=\d{6}))(\d{1,7})"|(>|/>|\s(?!r=")))')
_CELL_OR_ROW = re.compile(rb"<(c|row)\b([^<>]{0,1000})>")
_ANY_REF = re.compile(rb'\br="([A-Z]{1,3})?(\d{1,7})"')


@dataclass
class Table:
    """One sheet of an export with its header located and columns mapped."""

    path: str
    kind: str  # "csv", "xlsx", "xls"
    encoding: str | None
    header_row: int  # 1-based row number of the (lowest) header row
    columns: dict[str, int]  # canonical column → 0-based index
    headers: dict[str, str]  # canonical column → header text as printed
    multiplier: int
    rows: list[tuple[int, Sequence[Any]]]  # (1-based row number, cells) of data rows
    total: tuple[int, Sequence[Any]] | None = None
    formulas: set[tuple[int, int]] = field(default_factory=set)  # (row, column) of formula cells
    title: str = ""

    def problem(self, row: int | None, column: str | None, message: str) -> ImportProblem:
        index = self.columns.get(column) if column else None
        header = self.headers.get(column) if column else None
        return ImportProblem(self.path, message, row, index, header or column)


@dataclass
class RawSheet:
    rows: list[Sequence[Any]]
    kind: str
    encoding: str | None = None
    formulas: set[tuple[int, int]] = field(default_factory=set)


def sniff_kind(head: bytes) -> str:
    """``xlsx`` (zip), ``xls`` (OLE2), ``html`` or ``csv`` by the first bytes."""
    if head.startswith(b"PK\x03\x04"):
        return "xlsx"
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return "xls"
    stripped = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if stripped.startswith((b"<html", b"<!doctype", b"<table", b"<?xml")):
        return "html"
    return "csv"


def check_name(path: str) -> None:
    """Refuse a file name with a line break, a control or an invisible character.

    The name is written into ``source:`` metadata, ``document`` entries and output file
    names; a newline there could start a directive of its own.
    """
    name = os.path.basename(path)
    if CONTROL.search(name):
        raise fail(path, "文件名含有换行或控制字符，应改为普通的文件名后再导入")
    if INVISIBLE.search(name):
        raise fail(
            path, "文件名含有不可见字符（零宽字符或文字方向控制符），应改为普通的文件名后再导入"
        )


def read_raw(path: str) -> RawSheet:
    """All rows of the first sheet that has cells (CSV: the whole file)."""
    check_name(path)
    try:
        # Non-blocking open: a FIFO or a device would otherwise wait for a writer forever.
        handle = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
        try:
            if not stat.S_ISREG(os.fstat(handle).st_mode):
                if stat.S_ISDIR(os.fstat(handle).st_mode):
                    raise IsADirectoryError(21, "Is a directory", path)
                raise fail(path, "不是普通文件（管道、设备或套接字），应为导出文件")
            with os.fdopen(handle, "rb", closefd=False) as stream:
                content = stream.read(MAX_FILE_BYTES + 1)
        finally:
            os.close(handle)
    except IsADirectoryError as exc:
        raise fail(path, "是目录，应为导出文件") from exc
    except OSError as exc:
        raise fail(path, f"无法读取文件（{os_reason(exc)}），应为可读的导出文件") from exc
    if len(content) > MAX_FILE_BYTES:
        raise fail(path, f"文件超过 {MAX_FILE_BYTES // 1024 // 1024} MB，不像是财政导出文件")
    if not content.strip(b" \t\r\n\xef\xbb\xbf"):
        raise fail(path, "文件为空，应为含表头和数据行的导出文件")
    kind = sniff_kind(content[:512])
    if kind == "xlsx":
        return _read_xlsx(path, content)
    if kind == "xls":
        return _read_xls(path, content)
    if kind == "html":
        raise fail(
            path,
            "文件是 HTML 网页（部分系统把网页表格存成 .xls），应为 CSV、xlsx 或 xls；请在 Excel 中另存为 xlsx",
        )
    return _read_csv(path, content)


def _decode(path: str, content: bytes) -> tuple[str, str]:
    if b"\x00" in content[:4096]:
        raise fail(
            path,
            "文件含有 NUL 字节（可能是 UTF-16 或二进制文件），应为 UTF-8 或 GB18030/GBK 编码的 CSV",
            row=1,
        )
    encodings = ("utf-8-sig",) if content.startswith(b"\xef\xbb\xbf") else ("utf-8", "gb18030")
    error: UnicodeDecodeError | None = None
    for encoding in encodings:
        try:
            return content.decode(encoding), encoding
        except UnicodeDecodeError as exc:
            error = exc if error is None or exc.start > error.start else error
    assert error is not None
    row = content.count(b"\n", 0, error.start) + 1
    raise fail(
        path,
        f"无法按 UTF-8 或 GB18030/GBK 解码（第 {error.start} 字节附近），应为 UTF-8、带 BOM 的 UTF-8 或 GB18030/GBK 编码的 CSV",
        row=row,
    )


def _read_csv(path: str, content: bytes) -> RawSheet:
    text, encoding = _decode(path, content)
    head = text[:4096]
    delimiter = "\t" if head.count("\t") > head.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    try:
        rows: list[Sequence[Any]] = list(reader)
        if len(rows) != reader.line_num:
            # A quoted cell spans lines: find the first such record for the message.
            reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
            for count, _row in enumerate(reader, start=1):
                if count != reader.line_num:
                    raise fail(path, "单元格内含有换行，应为每行一条记录", row=count)
    except csv.Error as exc:
        message = str(exc)
        if "field larger than field limit" in message:
            message = f"单元格过大（超过 {csv.field_size_limit()} 字符），应为正常长度的文本或数字"
        else:
            message = f"CSV 格式错误（{message}），应为逗号分隔、双引号成对的文本"
        raise fail(path, message, row=reader.line_num) from exc
    return RawSheet(rows, "csv", encoding)


def _sheet_xml_paths(archive: zipfile.ZipFile) -> list[str]:
    """Worksheet XML paths in workbook order."""
    workbook = archive.read("xl/workbook.xml")
    rels = archive.read("xl/_rels/workbook.xml.rels")
    targets = dict(re.findall(rb'Id="([^"]+)"[^>]*Target="([^"]+)"', rels))
    targets.update({k: v for v, k in re.findall(rb'Target="([^"]+)"[^>]*Id="([^"]+)"', rels)})
    paths = []
    for rid in re.findall(rb'<sheet [^>]*r:id="([^"]+)"', workbook):
        target = targets.get(rid, b"").decode()
        target = target.lstrip("/")
        paths.append(target if target.startswith("xl/") else "xl/" + target)
    return paths


def _column_number(letters: bytes) -> int:
    column = 0
    for char in letters:
        column = column * 26 + char - 64
    return column


def formula_cells(xml: bytes) -> set[tuple[int, int]]:
    """(row, 0-based column) of the cells of a sheet's XML that hold a formula (one pass)."""
    cells: set[tuple[int, int]] = set()
    if b"<f" not in xml:
        return cells
    current: tuple[int, int] | None = None
    for match in _XLSX_TOKEN.finditer(xml):
        attributes = match.group(1)
        if attributes is not None:  # <c …>
            ref = _CELL_REF.search(attributes)
            current = (
                (int(ref.group(2)), _column_number(ref.group(1)) - 1)
                if ref and not attributes.endswith(b"/")
                else None
            )
        elif match.group(0) == b"</c>":
            current = None
        elif current is not None:  # <f inside a cell
            cells.add(current)
            current = None
    return cells


def sheet_area(xml: bytes) -> int:
    """An upper bound of the cells (rows × columns, from A1) a sheet's XML spans.

    The xlsx reader builds the whole area from A1 to the farthest cell, one far cell
    (XFD1000000) is gigabytes.  When every cell starts ``<c r="…"`` (Excel, WPS and the
    usual writers), references of one letter and at most five digits bound the area by
    26 × 99,999, so only the longer ones are read (one fast pass; an ordinary export has
    a few dozen).  Other files are walked cell by cell as the reader places them.
    """
    rows, columns = 99_999, 26
    for letters, number, other in _CELL_SCAN.findall(xml):
        if other:  # a cell without a leading reference
            return _walked_area(xml)
        rows, columns = max(rows, int(number)), max(columns, _column_number(letters))
    return rows * columns


def _walked_area(xml: bytes) -> int:
    """The area of a sheet whose cells or rows may lack references: each ``<row>`` without
    ``r`` is the next row, each ``<c>`` without ``r`` the next column (one linear pass)."""
    rows = columns = row = column = 0
    for match in _CELL_OR_ROW.finditer(xml):
        tag, attributes = match.group(1), match.group(2)
        ref = _ANY_REF.search(attributes)
        if tag == b"row":
            row = int(ref.group(2)) if ref and ref.group(2) else row + 1
            column = 0
        else:
            if ref and ref.group(1):
                column = _column_number(ref.group(1))
                row = int(ref.group(2))
            else:
                column += 1
        rows, columns = max(rows, row), max(columns, column)
    return rows * columns


def _check_unpacked(path: str, archive: zipfile.ZipFile) -> None:
    """Refuse a zip bomb from the sizes the archive declares, before unpacking anything."""
    unpacked = sum(item.file_size for item in archive.infolist())
    if unpacked > MAX_XLSX_UNPACKED:
        raise fail(
            path,
            f"xlsx 解压后有 {unpacked // 1024 // 1024} MB（上限 {MAX_XLSX_UNPACKED // 1024 // 1024} MB），"
            "不像是财政导出文件（可能是压缩炸弹）；应为正常的导出文件",
        )


def _read_xlsx(path: str, content: bytes) -> RawSheet:
    from python_calamine import CalamineWorkbook

    formulas_by_sheet: list[set[tuple[int, int]]] = []
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            _check_unpacked(path, archive)
            for sheet_path in _sheet_xml_paths(archive):
                xml = archive.read(sheet_path)
                if sheet_area(xml) > MAX_SHEET_CELLS:
                    raise fail(
                        path,
                        f"工作表 {sheet_path} 的区域超过 {MAX_SHEET_CELLS:,} 个单元格（有单元格远在表格之外），"
                        "不像是财政导出文件；应删去远处的单元格后另存",
                    )
                formulas_by_sheet.append(formula_cells(xml))
        workbook = CalamineWorkbook.from_filelike(io.BytesIO(content))
        for index, _name in enumerate(workbook.sheet_names):
            rows = workbook.get_sheet_by_index(index).to_python(skip_empty_area=False)
            if any(any(not is_blank(c) for c in row) for row in rows):
                formulas = formulas_by_sheet[index] if index < len(formulas_by_sheet) else set()
                return RawSheet(rows, "xlsx", None, formulas)
    except (zipfile.BadZipFile, KeyError, EOFError) as exc:
        raise fail(
            path, f"xlsx 文件损坏或不完整（{type(exc).__name__}），应为 Excel 能打开的 xlsx 文件"
        ) from exc
    except Exception as exc:  # calamine raises its own error types
        if isinstance(exc, ImportFailure):
            raise
        raise fail(path, f"xlsx 文件无法读取（{exc}），应为 Excel 能打开的 xlsx 文件") from exc
    raise fail(path, "工作簿中没有任何数据，应为含表头和数据行的导出文件")


def _read_xls(path: str, content: bytes) -> RawSheet:
    import xlrd

    try:
        book = xlrd.open_workbook(file_contents=content, on_demand=True)
    except Exception as exc:  # xlrd raises XLRDError, AssertionError, struct.error …
        raise fail(path, f"xls 文件损坏或无法读取（{exc}），应为 Excel 97-2003 工作簿") from exc
    for index in range(book.nsheets):
        sheet = book.sheet_by_index(index)
        if sheet.nrows == 0:
            continue
        rows = []
        for r in range(sheet.nrows):
            row = []
            for c, cell in enumerate(sheet.row(r)):
                if cell.ctype == xlrd.XL_CELL_DATE:
                    try:
                        row.append(xlrd.xldate_as_datetime(cell.value, book.datemode))
                    except Exception as exc:
                        raise fail(
                            path, "日期单元格无效，应为有效的 Excel 日期", row=r + 1, column=c
                        ) from exc
                elif cell.ctype == xlrd.XL_CELL_ERROR:
                    row.append(_ErrorCell(xlrd.error_text_from_code.get(cell.value, "#ERR")))
                elif cell.ctype in (xlrd.XL_CELL_EMPTY, xlrd.XL_CELL_BLANK):
                    row.append("")
                else:
                    row.append(cell.value)
            rows.append(row)
        if any(any(not is_blank(c) for c in row) for row in rows):
            return RawSheet(rows, "xls")
    raise fail(path, "工作簿中没有任何数据，应为含表头和数据行的导出文件")


class _ErrorCell(str):
    """An Excel error value (#DIV/0! …) kept as text so the value parsers refuse it."""


def _row_texts(row: Sequence[Any]) -> list[str]:
    return [normalize_header(c) if isinstance(c, str) else "" for c in row]


def match_header(
    rows: Sequence[Sequence[Any]], synonyms: dict[str, str]
) -> tuple[int, dict[str, int], dict[str, str]] | None:
    """The best header row among the top rows: (0-based index, column map, header texts).

    A header cell is looked up alone, then joined with the cell above it (merged
    two-row headers such as 收款人 / 全称), with merged upper cells filled rightwards.
    """
    best: tuple[int, dict[str, int], dict[str, str]] | None = None
    previous: list[str] = []
    for index, row in enumerate(rows[:HEADER_SCAN_ROWS]):
        texts = _row_texts(row)
        upper: list[str] = []
        last = ""
        for i in range(len(texts)):
            cell = previous[i] if i < len(previous) else ""
            last = cell or last
            upper.append(last)
        columns: dict[str, int] = {}
        headers: dict[str, str] = {}
        for i, text in enumerate(texts):
            if not text:
                continue
            canonical = synonyms.get(text) or (synonyms.get(upper[i] + text) if upper else None)
            if canonical and canonical not in columns:
                columns[canonical] = i
                headers[canonical] = str(row[i]).strip()
        if columns and (best is None or len(columns) > len(best[1])):
            best = (index, columns, headers)
        previous = texts
    return best


def unit_multiplier(
    path: str, title_rows: Sequence[Sequence[Any]], amount_headers: Sequence[str]
) -> int:
    """10000 when the title rows or an amount header say 万元, else 1."""
    found: dict[str, tuple[int | None, int | None]] = {}  # unit → (row, column) first said
    for number, row in enumerate(title_rows):
        for column, cell in enumerate(row):
            if isinstance(cell, str) and "单位" in cell:
                match = _UNIT_LINE.search(normalize_header(cell))
                if match:
                    unit = match.group(1)
                    if found and unit not in found:
                        raise fail(
                            path,
                            f"标题行同时写了「单位：元」和「单位：万元」（此处为「{cell.strip()}」），应只有一种金额单位",
                            row=number + 1,
                            column=column,
                        )
                    found.setdefault(unit, (number + 1, column))
    for header in amount_headers:
        if "万元" in header:
            if "元" in found:
                row, column = found["元"]
                raise fail(
                    path,
                    f"标题行写「单位：元」，金额列「{header}」却写万元，应只有一种金额单位",
                    row=row,
                    column=column,
                )
            found.setdefault("万元", (None, None))
    return 10000 if set(found) == {"万元"} else 1


def is_total_row(row: Sequence[Any]) -> bool:
    """A 合计 / 总计 row: one of its first three filled cells starts with the word."""
    seen = 0
    for cell in row:
        if is_blank(cell):
            continue
        if isinstance(cell, str) and "计" in cell:
            text = normalize_header(cell).lstrip("本页").rstrip(":：")
            if text.startswith(TOTAL_WORDS):
                return True
        seen += 1
        if seen >= 3:
            break
    return False


def build_table(
    path: str,
    raw: RawSheet,
    columns: dict[str, tuple[str, ...]],
    required: Sequence[str],
    synonyms: dict[str, str],
    amount_columns: Sequence[str],
    key_column: str,
) -> Table:
    """Locate the header, check required columns, split data rows from the total row."""
    found = match_header(raw.rows, synonyms)
    expected = "、".join(f"「{c}」" for c in required)
    if found is None or len(found[1]) < 2:
        raise fail(
            path, f"前 {HEADER_SCAN_ROWS} 行中找不到表头，应有包含 {expected} 的表头行", row=1
        )
    index, mapping, headers = found
    missing = [c for c in required if c not in mapping]
    if missing:
        problems = [
            ImportProblem(
                path,
                f"缺少列「{c}」（也可写作：{'、'.join(columns[c][:4]) or '无'}；可在导入配置 [columns] 中添加别名），应有 {expected}",
                index + 1,
                None,
                c,
            )
            for c in missing
        ]
        raise ImportFailure(problems)
    multiplier = unit_multiplier(
        path, raw.rows[:index], [headers[c] for c in amount_columns if c in headers]
    )
    table = Table(
        path,
        raw.kind,
        raw.encoding,
        index + 1,
        mapping,
        headers,
        multiplier,
        [],
        None,
        raw.formulas,
        _title(raw.rows[:index]),
    )
    _split_rows(table, raw.rows, index, key_column)
    return table


def _title(rows: Sequence[Sequence[Any]]) -> str:
    """The first text above the header (the export's title line), or ''."""
    for row in rows:
        for cell in row:
            if isinstance(cell, str) and cell.strip():
                return cell.strip()
    return ""


def _split_rows(table: Table, rows: Sequence[Sequence[Any]], index: int, key_column: str) -> None:
    """The data rows below the header (row numbers as the user sees them), blank rows left
    out, the 合计 row kept apart; a data row after the total is refused."""
    path, headers = table.path, table.headers
    key_index = table.columns[key_column]
    append = table.rows.append
    for number in range(index + 1, len(rows)):
        row = rows[number]
        if table.total is not None:
            # Footer lines (制表人、打印日期 …) may follow the total; data rows may not.
            if key_index < len(row) and not is_blank(row[key_index]) and not is_total_row(row):
                raise fail(
                    path,
                    "合计行之后还有数据行，应把合计行放在最后",
                    row=number + 1,
                    column=key_index,
                    header=headers[key_column],
                )
            continue
        first = row[0] if row else None
        if not (type(first) is str and first.strip()) and all(is_blank(cell) for cell in row):
            continue
        # A 合计 row names itself in a text cell with "计"; most rows have none (fast path).
        try:
            maybe_total = "计" in "\x00".join(row)
        except TypeError:  # xlsx / xls rows hold numbers and dates too
            maybe_total = any("计" in cell for cell in row if type(cell) is str)
        if maybe_total and is_total_row(row):
            table.total = (number + 1, row)
            continue
        append((number + 1, row))
    if not table.rows:
        raise fail(
            path, f"表头（第 {index + 1} 行）之下没有数据行，应至少有一行数据", row=index + 2
        )
