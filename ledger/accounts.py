"""Account naming of the fund books: codes first, Chinese after a dash.

Beancount account components must start with an upper-case letter or a digit, so
every component the project generates or reads is ``CODE-名称``.  This module is the
one place that knows how an account name is built and what its parts mean; the
resolver, the importers, ``init`` and the example books all go through it.
"""

from __future__ import annotations

import functools
import re
import unicodedata

from sandao.ledger.vocabulary import INVISIBLE

#: 政府会计制度 account codes the project books by.
GOV_ACCOUNTS: dict[str, str] = {
    "1002": "银行存款",
    "1011": "零余额账户用款额度",
    "1613": "在建工程",
    "1601": "固定资产",
    "2307": "其他应付款",
    "3001": "累计盈余",
    "4001": "财政拨款收入",
    "4201": "上级补助收入",
    "4609": "其他收入",
}

#: Stream sub-accounts of 4001 财政拨款收入 (stream money from the finance bureau).
STREAM_INCOME_CODES: dict[str, str] = {
    "建设": "JS-建设资金",
    "运转": "YZ-运转经费",
    "职能": "ZN-职能经费",
}

_LEADING_CODE = re.compile(r"^([0-9A-Za-z]+)(?:-|$)")
#: A department component: ``D05-县委政法委`` (``Daily``, ``Dental``, ``Dividends`` are not).
_DEPARTMENT_COMPONENT = re.compile(r"^(D\d+)-")
#: The default shape of a unit component's code (``C101-…``); plugin config ``unit_pattern``.
UNIT_SHAPE = re.compile(r"C\d+")


#: Capital letters of other scripts that look like Latin ones (NFKC folds full-width forms).
_LATIN_LOOKALIKES = str.maketrans(
    "АВСЕНІЈКМОРЅТХУΑΒΕΖΗΙΚΜΝΟΡΤΥΧϹ",
    "ABCEHIJKMOPSTXYABEZHIKMNOPTYXC",
)
#: Letters typed for digits inside a code that has digits (C1O1, C1l1).
_DIGIT_LOOKALIKES = str.maketrans("OoIl", "0011")


@functools.lru_cache(maxsize=4096)
def lookalike_unit(code: str, pattern: re.Pattern[str] = UNIT_SHAPE) -> str | None:
    """The unit code ``code`` looks like but is not, or None.

    ``"C\u200d101"`` (a zero-width joiner), ``"С101"`` (Cyrillic), ``"Ｃ101"``
    (full-width), ``"Ϲ101"`` (Greek), ``"C1O1"`` (letter O) all read as ``"C101"`` on
    screen: such a code is shaped like a unit code, so its account is the fund's and the
    rules name the real code (D002).  A code already of the shape, or one that does not
    become it, is no look-alike.
    """
    if pattern.fullmatch(code):
        return None
    plain = plain_code(code)
    if plain != code and plain.isascii() and pattern.fullmatch(plain):
        return plain
    return None


@functools.lru_cache(maxsize=4096)
def plain_code(code: str) -> str:
    """``code`` as it reads on screen: invisible characters dropped, full-width and other
    scripts' look-alike capitals folded to ASCII, O/I/l among digits read as 0/1."""
    if code.isascii() and not any(c in "OoIl" for c in code):
        return code
    plain = INVISIBLE.sub("", code).translate(_LATIN_LOOKALIKES)  # before NFKC: Ϲ → Σ
    plain = unicodedata.normalize("NFKC", plain).translate(_LATIN_LOOKALIKES)
    if plain[1:] and any(c.isdigit() for c in plain):
        plain = plain[0] + plain[1:].translate(_DIGIT_LOOKALIKES)
    return plain


def unit_code_part(part: str) -> str:
    """The code of a unit component as written: everything before its first dash."""
    return part.split("-", 1)[0]


def component(code: str, name: str | None) -> str:
    """One account component: ``"C101-城东社区服务中心"`` (or just the code)."""
    return f"{code}-{name}" if name else code


def leading_code(part: str) -> str | None:
    """The code before the first dash of a component, e.g. ``"30227"`` of ``"30227-委托业务费"``."""
    match = _LEADING_CODE.match(part)
    return match.group(1) if match else None


def unit_of(account: str) -> str | None:
    """The unit code from the 2nd component of an account name."""
    parts = account.split(":")
    return leading_code(parts[1]) if len(parts) > 1 else None


def department_of(account: str) -> str | None:
    """The department code from a ``D05-…`` component below the unit, if any."""
    for part in account.split(":")[2:]:
        match = _DEPARTMENT_COMPONENT.match(part)
        if match:
            return match.group(1)
    return None


def economic_of(account: str) -> str | None:
    """The economic code from the leading digits of an ``Expenses`` leaf (3 or 5 digits)."""
    if not account.startswith("Expenses:"):
        return None
    code = leading_code(account.rsplit(":", 1)[-1])
    if code and code.isdigit() and len(code) in (3, 5):
        return code
    return None


@functools.lru_cache(maxsize=8192)
def gov_code_of(account: str) -> str | None:
    """The 政府会计制度 code (4 digits) of the 3rd component, e.g. ``"1011"``.

    Kept per account name: the audit checks ask it for every posting they read.
    """
    parts = account.split(":")
    if len(parts) < 3:
        return None
    code = leading_code(parts[2])
    return code if code and code.isdigit() and len(code) == 4 else None


def unit_account(root: str, unit: str, unit_name: str | None, *parts: str) -> str:
    """Build ``Root:UNIT-名称:part:part``; each part is already ``CODE-名称``."""
    return ":".join([root, component(unit, unit_name), *parts])


def gov_account(root: str, unit: str, unit_name: str | None, code: str, *rest: str) -> str:
    """Build the account of a 政府会计制度 code for a unit, e.g. its 1011 account."""
    return unit_account(root, unit, unit_name, component(code, GOV_ACCOUNTS.get(code)), *rest)
