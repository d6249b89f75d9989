"""The audit checks' parameters: defaults of audit.md, overridable in ``sandao.toml``.

The county config's ``[audit]`` section holds one table per check, e.g.::

    [audit.AU01]
    share = 0.6        # 11–12 月支出占全年比例
    minimum = 20000    # 且不少于（元）

    [audit.AU15]
    threshold = 200000 # 政府采购限额（元）

Amounts and shares are read as ``Decimal``; an unknown check or key, or a value of the
wrong kind, is a :class:`ThresholdError` naming the file and key.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from sandao.importers.config import ORGANISATION_WORDS

#: code → parameter → default.  Shares are fractions (0.5 = 50%); amounts are yuan.
DEFAULTS: dict[str, dict[str, Any]] = {
    "AU01": {"share": Decimal("0.5"), "minimum": Decimal(10000), "months": [11, 12], "days": 30},
    "AU02": {
        "words": ["工会"],
        "individual_minimum": Decimal(10000),
        "allowed": ["301", "303"],
        "union_allowed": ["30228"],
        "organisation_words": list(ORGANISATION_WORDS),
    },
    "AU03": {},
    "AU04": {"days": 365},
    "AU05": {
        "minimum": Decimal(10000),
        "months": [10, 11, 12],
        "words": ["会议", "会务", "车辆", "用车", "接待"],
        "economic": ["30215", "30231", "30217"],
    },
    "AU06": {"year_end": Decimal("0.8"), "lag": Decimal("0.2")},
    "AU07": {"rate": Decimal("0.5"), "years": 2},
    "AU08": {"share": Decimal("0.2")},
    "AU09": {"share": Decimal("0.8")},
    "AU10": {
        "words": ["超市", "商场", "购物中心", "百货", "商贸", "商城"],
        "multiple": Decimal(100),
        "minimum": Decimal(5000),
    },
    "AU11": {"cap": Decimal(10000)},
    "AU12": {"excluded": ["2103"]},
    "AU13": {},
    "AU14": {
        "words": {
            "会议": "30215",
            "培训": "30216",
            "接待": "30217",
            "出国": "30212",
            "出境": "30212",
            "加油": "30231",
            "车辆维修": "30231",
        },
        "reverse": {
            "30215": ["会议", "会务"],
            "30216": ["培训", "学员", "讲课", "授课", "教材", "课程", "资料", "场地"],
            "30217": ["接待"],
            "30212": ["出国", "出境"],
            "30231": ["加油", "车辆", "用车", "油费", "维修", "保险", "停车", "过路"],
        },
        "ignore": ["30211"],
    },
    "AU15": {"threshold": Decimal(100000), "days": 30, "near": Decimal("0.05")},
    "AU16": {"days": 7},
    "AU17": {"all_payments": False},
    "AU18": {
        "words": ["奖金", "奖励", "补贴", "补助", "津贴", "慰问", "过节费", "加班费"],
        "allowed": ["301", "303"],
        "minimum": Decimal(1000),
        "organisation_words": list(ORGANISATION_WORDS),
    },
    "AU19": {
        "words": [
            "会所",
            "高尔夫",
            "度假村",
            "茅台",
            "名酒",
            "烟酒",
            "购物卡",
            "礼品卡",
            "洗浴",
            "足浴",
            "KTV",
            "景区",
        ],
    },
    "AU20": {
        "words": ["租金", "出租", "处置", "拍卖", "罚没", "利息", "收费"],
        "days": 30,
    },
    "AU21": {
        "register": {
            "供电": ["30206"],
            "电力": ["30206"],
            "自来水": ["30205"],
            "水务": ["30205"],
            "培训学校": ["30216"],
            "邮政": ["30207"],
            "电信": ["30207"],
            "移动": ["30207"],
            "联通": ["30207"],
            "石化": ["30231"],
            "石油": ["30231"],
            "加油站": ["30231"],
            "建筑": ["30213", "309", "310"],
            "工程": ["30213", "309", "310"],
            "维修": ["30213", "309", "310"],
        },
    },
}


#: Bounds of a setting: amounts and shares below 10^15 (finite: nan and inf are refused),
#: days and years at most ten years' worth (a huge ``days`` overflowed the dates).
MAX_NUMBER = Decimal("1e15")
MAX_COUNT = 3660


class ThresholdError(ValueError):
    """An ``[audit]`` setting that cannot be used (Chinese message)."""


def _convert(default: Any, value: Any, where: str) -> Any:
    if isinstance(default, Decimal):
        if isinstance(value, bool) or not isinstance(value, (int, float, str)):
            raise ThresholdError(f"{where} 应为数字，实际为 {value!r}")
        try:
            number = Decimal(str(value))
        except InvalidOperation:
            raise ThresholdError(f"{where} 应为数字，实际为 {value!r}") from None
        if not number.is_finite():
            raise ThresholdError(f"{where} 应为数字，实际为 {value!r}")
        if number < 0:
            raise ThresholdError(f"{where} 不能为负数")
        if number >= MAX_NUMBER:
            raise ThresholdError(f"{where} 过大，应小于 10 的 15 次方，实际为 {value!r}")
        return number
    if isinstance(default, bool):
        if not isinstance(value, bool):
            raise ThresholdError(f"{where} 应为 true 或 false，实际为 {value!r}")
        return value
    if isinstance(default, int):
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise ThresholdError(f"{where} 应为非负整数，实际为 {value!r}")
        if value > MAX_COUNT:
            raise ThresholdError(f"{where} 应不超过 {MAX_COUNT}，实际为 {value!r}")
        return value
    if isinstance(default, list):
        if not isinstance(value, list) or not all(isinstance(v, (str, int)) for v in value):
            raise ThresholdError(f'{where} 应为列表，如 ["会议"]，实际为 {value!r}')
        return value
    if isinstance(default, dict):
        if not isinstance(value, dict):
            raise ThresholdError(f"{where} 应为表（键 = 值），实际为 {value!r}")
        return value
    return value


#: ``[audit]`` tables that are not a check's: the working paper's header, the payee register.
HEADER_KEYS = (
    "项目名称",
    "编制单位",
    "编制人",
    "编制日期",
    "复核人",
    "复核日期",
    "复核意见",
    "附件数",
    "审计事项",
)


def thresholds(section: dict[str, Any], source: str = "sandao.toml") -> dict[str, dict[str, Any]]:
    """Every check's parameters: defaults, with the ``[audit]`` section's overrides.

    ``[audit.payees]`` (a name pattern → the economic codes that fit it) adds to or
    replaces AU21's payee register; ``[audit.paper]`` is the working paper's header.
    """
    merged = {
        code: {k: (dict(v) if isinstance(v, dict) else v) for k, v in params.items()}
        for code, params in DEFAULTS.items()
    }
    for code, table in section.items():
        if code == "serve_url":  # where the auditor's edition links its figures (reports)
            if not isinstance(table, str) or not table.startswith(("http://", "https://")):
                raise ThresholdError(
                    f'{source} [audit] serve_url 应为网址，如 "http://127.0.0.1:5000"'
                )
            continue
        if code == "paper":
            if not isinstance(table, dict):
                raise ThresholdError(f"{source} [audit.paper] 应为表")
            continue
        if code == "payees":
            if not isinstance(table, dict) or not all(
                isinstance(v, list) and all(isinstance(c, (str, int)) for c in v)
                for v in table.values()
            ):
                raise ThresholdError(
                    f'{source} [audit.payees] 应为“收款人用字 = [经济分类, …]”，如 供电 = ["30206"]'
                )
            merged["AU21"]["register"].update(
                {str(k): [str(c) for c in v] for k, v in table.items()}
            )
            continue
        if code not in DEFAULTS:
            raise ThresholdError(
                f"{source} [audit] 中的 {code!r} 不是审计检查代码（应为 AU01…AU21 之一，或 paper、payees）"
            )
        if not isinstance(table, dict):
            raise ThresholdError(f"{source} [audit.{code}] 应为表，如 [audit.{code}] 下写 键 = 值")
        for key, value in table.items():
            if key not in DEFAULTS[code]:
                known = "、".join(DEFAULTS[code]) or "（此检查没有参数）"
                raise ThresholdError(f"{source} [audit.{code}] 没有参数 {key!r}；可用：{known}")
            merged[code][key] = _convert(
                DEFAULTS[code][key], value, f"{source} [audit.{code}] {key}"
            )
    return merged
