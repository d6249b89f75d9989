"""What may reach a public report: masked individuals, no account/ID/phone numbers.

Every text a public report prints from the books (payees, narrations, names)
passes through :func:`public_text`; payees who are individuals are shown as the
surname and ``**``.  :func:`neutralise` keeps text cells of CSV/XLSX from being read
as formulas.  The test suite scans every public output with :data:`SENSITIVE`.
"""

from __future__ import annotations

import re

from sandao.ledger.vocabulary import INVISIBLE, visible

#: Patterns that must never appear in a public output.
SENSITIVE: dict[str, re.Pattern[str]] = {
    "身份证号": re.compile(
        r"(?<![0-9])[1-9]\d{5}(?:19|20)\d{2}(?:0[1-9]|1[0-2])\d{2}\d{3}[0-9Xx](?![0-9])"
    ),
    "手机号": re.compile(r"(?<![0-9])1[3-9]\d{9}(?![0-9])"),
    "银行账号": re.compile(r"(?<![0-9])\d{12,19}(?![0-9])"),
    "固定电话": re.compile(r"(?<![0-9])0\d{2,3}-\d{7,8}(?![0-9])"),
}

#: Long digit runs (with optional spaces or dashes inside) are masked in public text.
_DIGIT_RUN = re.compile(r"(?<![0-9])\d(?:[ -]?\d){10,}(?![0-9])")
_LANDLINE = re.compile(r"(?<![0-9])0\d{2,3}-\d{7,8}(?![0-9])")
_ID = re.compile(r"(?<![0-9])\d{17}[0-9Xx](?![0-9A-Za-z])")
#: Every masked number has at least ten digits: text with fewer has nothing to mask.
_TEN_DIGITS = re.compile(r"(?:\d\D*){10}")

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
#: What a spreadsheet skips before it reads a formula: blanks, U+3000, BOM, line separators.
_BLANK_LEAD = re.compile(r"^[\s\u3000\ufeff\u2028\u2029\u00a0]+")


def public_text(text: str | None) -> str:
    """Text with account, ID and phone numbers masked (``****``), without invisible
    characters (a right-to-left override would turn the text around on the page)."""
    if not text:
        return ""
    text = visible(text)
    if not _TEN_DIGITS.search(text):
        return text
    text = _ID.sub("****", text)
    text = _LANDLINE.sub("****", text)
    return _DIGIT_RUN.sub("****", text)


def mask_person(name: str | None) -> str:
    """An individual's name as surname + ``**`` (张** ); empty stays empty."""
    name = visible(name or "").strip()
    if not name:
        return ""
    return name[0] + "**"


def public_payee(payee: str | None, private: bool) -> str:
    """A payee as a public report prints it."""
    return mask_person(payee) if private else public_text(payee)


def neutralise(text: str) -> str:
    """Prefix text that a spreadsheet would read as a formula with an apostrophe
    (also behind leading blanks, U+3000, a BOM or a line separator)."""
    if not text:
        return text
    if text.startswith(FORMULA_START):
        return "'" + text
    if text[0].isspace() or INVISIBLE.match(text) or text[0] in "\u3000\u2028\u2029":
        bare = INVISIBLE.sub("", _BLANK_LEAD.sub("", INVISIBLE.sub("", text)))
        if bare.startswith(FORMULA_START):
            return "'" + text
    return text
