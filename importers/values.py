"""Cell values of finance-bureau exports read into exact Python values.

Exports spell amounts and dates many ways (``1,234.50``, ``（12.00）``, full-width
digits, ``2025年3月20日``, Excel date cells) and xlsx stores amounts as binary floats.
Every reader goes through these functions, so an amount is a ``Decimal`` in fen from
the cell's text (or the float's shortest repr) and never passes through float
arithmetic.  Each function raises :class:`ValueProblem` with a Chinese sentence of what
was expected; the table reader adds file, row and column.

Not dateutil: its parser guesses (day or month first, missing parts filled from today,
``fuzzy`` skipping words) where an export date must be one of the spellings below
exactly, or a sentence saying what was expected.
"""

from __future__ import annotations

import datetime
import math
import re
import unicodedata
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from typing import Any

from sandao.ledger.vocabulary import INVISIBLE

FEN = Decimal("0.01")
#: An xlsx float may sit at most this far from a whole fen (8718.059999999999 is fine).
FLOAT_TOLERANCE = Decimal("0.000001")
#: Amounts at or above this (in yuan) cannot be real: no county budget comes near 10^15
#: yuan, and Beancount's 28-digit arithmetic would round larger figures to the fen.
MAX_AMOUNT = Decimal("1e15")
#: Longest text accepted in a cell; longer cells are refused (hostile 10 MB cells).
MAX_TEXT = 500

_HTML = re.compile(r"<\s*/?\s*[A-Za-z!][^<>]*>")
_CONTROL = re.compile(r"[\x00-\x08\x0a-\x1f\x7f\u2028\u2029]")
_CODE = re.compile(r"[0-9A-Za-z][0-9A-Za-z_./-]*")
#: A shape common enough to take a short path (the general rules below still hold for it):
#: a text cell of FAST_CODE's shape is what ``parse_code`` returns for it.
FAST_CODE = re.compile(r"[0-9A-Za-z][0-9A-Za-z_./-]{0,99}")
_SPACES = re.compile(r"[\s\u3000\u00a0]+")
_EXCEL_EPOCH = datetime.date(1899, 12, 30)

DATE_EXPECTED = "日期（如 2025-03-20、2025/3/20、20250320、2025年3月20日 或 Excel 日期单元格）"
AMOUNT_EXPECTED = "金额（如 1234.50、1,234.50、-12.00、(12.00)）"


class ValueProblem(ValueError):
    """A cell that does not hold what its column needs; the message is Chinese."""


def shown(value: object, limit: int = 40) -> str:
    """A short printable form of a cell for error messages."""
    text = repr(value) if not isinstance(value, str) else value
    text = _CONTROL.sub("?", text)
    return text if len(text) <= limit else text[:limit] + f"…（共 {len(text)} 字符）"


def is_blank(value: object) -> bool:
    """An empty cell: None, '' or only spaces."""
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    return False


_PLAIN_AMOUNT = re.compile(r"[+-]?\d+(?:\.\d+)?")
_GROUPED = re.compile(r"[+-]?\d{1,3}(?:,\d{3})+(?:\.\d+)?")
#: The usual amount cell (``1,234.50``, ``-12.00``): exact to the fen as it stands.
_FAST_AMOUNT = re.compile(r"-?(?:\d{1,3}(?:,\d{3})+|\d+)\.\d\d")


def _bounded(number: Decimal, raw: object) -> Decimal:
    if abs(number) >= MAX_AMOUNT:
        raise ValueProblem(
            f"金额过大（{shown(raw)}），应小于 1,000,000,000,000,000 元（10 的 15 次方）"
        )
    return number


def parse_amount(value: object, multiplier: int = 1) -> Decimal:
    """An amount in yuan, exact to the fen; ``multiplier`` is 10000 for 万元 files."""
    if multiplier == 1 and type(value) is str and _FAST_AMOUNT.fullmatch(value):
        # "1,234.50" / "-12.00": already exact to the fen, exponent -2 like quantize(FEN).
        number = Decimal(value.replace(",", "") if "," in value else value)
        if len(value) < 16:  # under 10^12 yuan: no bound to check
            return number
        return _bounded(number, value)
    if isinstance(value, bool) or value is None:
        raise ValueProblem(f"应为{AMOUNT_EXPECTED}，实际为空或布尔值")
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueProblem(f"应为{AMOUNT_EXPECTED}，实际为 {shown(value)}")
        number = _bounded(Decimal(repr(value)) * multiplier, value)
        fen = number.quantize(FEN)
        if abs(number - fen) > FLOAT_TOLERANCE:
            raise ValueProblem(f"金额 {value!r} 不是整分（与 {fen} 相差超过 0.000001），应精确到分")
        return fen
    if isinstance(value, int):
        return _bounded(Decimal(value) * multiplier, value).quantize(FEN)
    if isinstance(value, Decimal):
        number = value * multiplier
    elif isinstance(value, str):
        number = _amount_text(value) * multiplier
    else:
        raise ValueProblem(f"应为{AMOUNT_EXPECTED}，实际为 {shown(value)}")
    fen = _bounded(number, value).quantize(FEN)
    if fen != number:
        raise ValueProblem(f"金额 {shown(value)} 精确到了分以下，应精确到分（两位小数）")
    return fen


def _amount_text(text: str) -> Decimal:
    raw = text
    if not text.isascii():
        text = unicodedata.normalize("NFKC", text)
    text = _SPACES.sub("", text).replace("¥", "").replace("$", "")
    if text.endswith("元"):
        text = text[:-1]
    negative = False
    if len(text) > 2 and text[0] == "(" and text[-1] == ")":
        negative, text = True, text[1:-1]
    if "," in text:
        if not _GROUPED.fullmatch(text):
            raise ValueProblem(f"应为{AMOUNT_EXPECTED}，实际为 {shown(raw)}（千分位逗号位置不对）")
        text = text.replace(",", "")
    if not _PLAIN_AMOUNT.fullmatch(text):
        raise ValueProblem(f"应为{AMOUNT_EXPECTED}，实际为 {shown(raw)}")
    try:
        number = Decimal(text)
    except InvalidOperation as exc:  # pragma: no cover - the regex prevents it
        raise ValueProblem(f"应为{AMOUNT_EXPECTED}，实际为 {shown(raw)}") from exc
    if negative:
        if number < 0:
            raise ValueProblem(f"应为{AMOUNT_EXPECTED}，实际为 {shown(raw)}（括号内又带负号）")
        number = -number
    return number


#: The spellings of a date in text, tried in this order: 2025-03-20, 20250320, 2025年3月20日.
_DATE_FORMS = (
    re.compile(r"(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?"),
    re.compile(r"(\d{4})(\d{2})(\d{2})(?:\s*\d{1,2}:?\d{2}(?::?\d{2})?)?"),
    re.compile(r"(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日?(?:\s*\d{1,2}:\d{2}(?::\d{2})?)?"),
)


def parse_date(value: object) -> datetime.date:
    """A date from any of the spellings exports use, or an Excel date cell."""
    if isinstance(value, datetime.datetime):
        return _plausible(value.date(), value)
    if isinstance(value, datetime.date):
        return _plausible(value, value)
    if isinstance(value, bool) or value is None:
        raise ValueProblem(f"应为{DATE_EXPECTED}，实际为空")
    if isinstance(value, (int, float)):
        if isinstance(value, float) and (not math.isfinite(value) or value != int(value)):
            raise ValueProblem(f"应为{DATE_EXPECTED}，实际为数字 {shown(value)}")
        number = int(value)
        if 19000101 <= number <= 21001231:
            return _ymd(str(number)[:4], str(number)[4:6], str(number)[6:], value)
        if 32874 <= number <= 73050:  # Excel serial of 1990-01-01 … 2099-12-31
            return _EXCEL_EPOCH + datetime.timedelta(days=number)
        raise ValueProblem(f"应为{DATE_EXPECTED}，实际为数字 {shown(value)}")
    if not isinstance(value, str):
        raise ValueProblem(f"应为{DATE_EXPECTED}，实际为 {shown(value)}")
    text = value.strip()
    if not text.isascii():
        text = unicodedata.normalize("NFKC", text).strip()
    for pattern in _DATE_FORMS:
        match = pattern.fullmatch(text)
        if match:
            return _ymd(*match.groups(), value)
    raise ValueProblem(f"应为{DATE_EXPECTED}，实际为 {shown(value)}")


def _ymd(year: str, month: str, day: str, raw: object) -> datetime.date:
    try:
        date = datetime.date(int(year), int(month), int(day))
    except ValueError as exc:
        raise ValueProblem(
            f"日期 {shown(raw)} 不存在（{year}年{int(month)}月没有{int(day)}日或月份无效）"
        ) from exc
    return _plausible(date, raw)


def _plausible(date: datetime.date, raw: object) -> datetime.date:
    if not 1990 <= date.year <= 2099:
        raise ValueProblem(f"日期 {shown(raw)} 超出合理范围（应在 1990—2099 年之间）")
    return date


def parse_text(value: object, required: bool = False, what: str = "内容") -> str:
    """A name, memo or code as clean text: no control characters, no HTML, not huge."""
    if type(value) is str and len(value) <= MAX_TEXT and value.isprintable() and "<" not in value:
        # Printable (no control character) and no "<": only the formula and empty checks remain.
        text = value.strip()
        if text[:1] not in ("=", "@") and (text or not required):
            return text
    if value is None:
        text = ""
    elif isinstance(value, str):
        text = value
    elif isinstance(value, bool):
        text = str(value)
    elif isinstance(value, float):
        text = str(int(value)) if math.isfinite(value) and value == int(value) else repr(value)
    elif isinstance(value, (datetime.date, datetime.datetime)):
        text = value.isoformat()
    else:
        text = str(value)
    if len(text) > MAX_TEXT:
        raise ValueProblem(f"单元格过长（{len(text)} 个字符），应为不超过 {MAX_TEXT} 字符的{what}")
    text = text.strip()
    if not text.isprintable() and _CONTROL.search(text):
        raise ValueProblem(f"含有换行或控制字符，应为单行{what}：{shown(text)}")
    if not text.isprintable() and INVISIBLE.search(text):
        # Zero-width and bidi characters show nothing: dropped (importers keep the
        # original, escaped, in metadata — see :func:`escaped_invisible`).
        text = INVISIBLE.sub("", text).strip()
    if "<" in text and _HTML.search(text):
        raise ValueProblem(f"含有 HTML 标记，应为纯文本{what}：{shown(text)}")
    if text[:1] in ("=", "@") and len(text) > 1 and not text[1:2].isspace():
        raise ValueProblem(
            f"以「{text[0]}」开头，像是电子表格公式，应为纯文本{what}：{shown(text)}"
        )
    if required and not text:
        raise ValueProblem(f"不能为空，应为{what}")
    return text


def escaped_invisible(value: object) -> str | None:
    """A text cell with its invisible characters written as ``\\u200d``, or None if it has none."""
    if type(value) is not str or value.isascii() or not INVISIBLE.search(value):
        return None
    return INVISIBLE.sub(lambda m: f"\\u{ord(m.group()):04x}", value.strip())


def parse_code(value: object, required: bool = False, what: str = "编码") -> str:
    """A code (unit, function, economic, voucher …): text, full-width folded, no spaces."""
    if type(value) is str and FAST_CODE.fullmatch(value):
        return value
    if type(value) is str and INVISIBLE.search(value):
        raise ValueProblem(
            f"含有不可见字符（零宽字符或文字方向控制符），应为{what}（字母、数字和 - 组成）：{shown(value)}"
        )
    text = parse_text(value, required, what)
    if text and not text.isascii():
        text = unicodedata.normalize("NFKC", text)
    if " " in text or not text.isascii():
        text = _SPACES.sub("", text)
    if text and not _CODE.fullmatch(text):
        raise ValueProblem(f"应为{what}（字母、数字和 - 组成），实际为 {shown(text)}")
    return text


def normalize_header(text: object) -> str:
    """A header cell reduced for synonym lookup: NFKC, no spaces, no ``*`` marks, no units."""
    if text is None:
        return ""
    header = unicodedata.normalize("NFKC", str(text))
    header = _SPACES.sub("", header).replace("*", "")
    header = re.sub(r"\((?:元|万元)\)$", "", header)
    return header


class ParseOnce(dict):
    """Cell → parsed value, parsing each distinct cell once (codes and dates repeat across rows).

    ``cache[raw]`` parses ``raw`` on first sight and remembers the result; a cell that does
    not parse raises :class:`ValueProblem` every time and is not remembered.
    """

    def __init__(self, parse: Callable[[Any], Any]) -> None:
        super().__init__()
        self.parse = parse

    def __missing__(self, raw: Any) -> Any:
        value = self[raw] = self.parse(raw)
        return value
