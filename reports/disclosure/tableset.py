"""The table set of the 决算 and 预算 documents as data: titles, order, notes, row lists.

Provinces differ in titles and order, so none of this is code: the default is the
official template (部门决算公开模板), and a county replaces any part from the
``[disclosure]`` section of its ``sandao.toml``::

    [disclosure]
    final_titles = { t7 = "一般公共预算财政拨款“三公”经费支出决算表" }
    final_order = ["t1", "t2", "t3", "t4", "t5", "t6", "t7", "t8", "t9"]
    budget_titles = { b10 = "项目支出预算表" }
    labels = { "使用非财政拨款结余" = "使用非财政拨款结余（含专用结余）" }  # row/column words
    rounding = "cell"                           # or "sum" (default), see rounding.py
    function_classes = [["201", "一、一般公共服务支出"], ...]
    basic_personnel = ["301", "30101", ...]     # 表六 left panel
    basic_public = ["302", "30201", ...]        # 表六 right panel
    default_functions = { "运转" = "2120101" }   # function of money that arrives without one
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Any

from sandao.reports.codes import Classification

NUMERALS = [
    "一",
    "二",
    "三",
    "四",
    "五",
    "六",
    "七",
    "八",
    "九",
    "十",
    "十一",
    "十二",
    "十三",
    "十四",
    "十五",
    "十六",
    "十七",
    "十八",
    "十九",
    "二十",
    "二十一",
    "二十二",
    "二十三",
    "二十四",
    "二十五",
    "二十六",
    "二十七",
    "二十八",
    "二十九",
    "三十",
]

#: 表一 income rows: (key, label). Keys are the income buckets of :mod:`sources`.
INCOME_ROWS: tuple[tuple[str, str], ...] = (
    ("一般公共预算", "一、一般公共预算财政拨款收入"),
    ("政府性基金", "二、政府性基金预算财政拨款收入"),
    ("国有资本经营", "三、国有资本经营预算财政拨款收入"),
    ("上级补助收入", "四、上级补助收入"),
    ("事业收入", "五、事业收入"),
    ("经营收入", "六、经营收入"),
    ("附属单位上缴收入", "七、附属单位上缴收入"),
    ("其他收入", "八、其他收入"),
)

#: 支出功能分类 类 rows of 表一 / 表四, in the template's order (zero rows are printed).
FUNCTION_CLASSES: tuple[tuple[str, str], ...] = (
    ("201", "一、一般公共服务支出"),
    ("202", "二、外交支出"),
    ("203", "三、国防支出"),
    ("204", "四、公共安全支出"),
    ("205", "五、教育支出"),
    ("206", "六、科学技术支出"),
    ("207", "七、文化旅游体育与传媒支出"),
    ("208", "八、社会保障和就业支出"),
    ("210", "九、卫生健康支出"),
    ("211", "十、节能环保支出"),
    ("212", "十一、城乡社区支出"),
    ("213", "十二、农林水支出"),
    ("214", "十三、交通运输支出"),
    ("215", "十四、资源勘探工业信息等支出"),
    ("216", "十五、商业服务业等支出"),
    ("217", "十六、金融支出"),
    ("219", "十七、援助其他地区支出"),
    ("220", "十八、自然资源海洋气象等支出"),
    ("221", "十九、住房保障支出"),
    ("222", "二十、粮油物资储备支出"),
    ("223", "二十一、国有资本经营预算支出"),
    ("224", "二十二、灾害防治及应急管理支出"),
    ("229", "二十三、其他支出"),
    ("234", "二十四、抗疫特别国债安排的支出"),
)

#: 表六 left panel (人员经费: 301, 303) and right panel (公用经费: 302, 310), template order.
BASIC_PERSONNEL: tuple[str, ...] = (
    "301", "30101", "30102", "30103", "30106", "30107", "30108", "30109", "30110", "30111",
    "30112", "30113", "30114", "30199",
    "303", "30301", "30302", "30303", "30304", "30305", "30306", "30307", "30308", "30309",
    "30310", "30311", "30399",
)  # fmt: skip
BASIC_PUBLIC: tuple[str, ...] = (
    "302", "30201", "30202", "30203", "30204", "30205", "30206", "30207", "30208", "30209",
    "30211", "30212", "30213", "30214", "30215", "30216", "30217", "30218", "30224", "30225",
    "30226", "30227", "30228", "30229", "30231", "30239", "30240", "30299",
    "310", "31001", "31002", "31003", "31007", "31013", "31019", "31021", "31022", "31099",
)  # fmt: skip

#: key → (title, the template's "注：本表反映……" line) of the 决算 tables, in order.
FINAL_TABLES: dict[str, tuple[str, str]] = {
    "t1": ("收入支出决算总表", "本表反映部门本年度的总收支和年末结转结余情况。"),
    "t2": ("收入决算表", "本表反映部门本年度取得的各项收入情况。"),
    "t3": ("支出决算表", "本表反映部门本年度各项支出情况。"),
    "t4": ("财政拨款收入支出决算总表", "本表反映部门本年度财政拨款总收支和结转结余情况。"),
    "t5": ("一般公共预算财政拨款支出决算表", "本表反映部门本年度一般公共预算财政拨款支出情况。"),
    "t6": (
        "一般公共预算财政拨款基本支出决算表",
        "本表反映部门本年度一般公共预算财政拨款基本支出明细情况。",
    ),
    "t7": ("财政拨款“三公”经费支出决算表", "本表反映部门本年度“三公”经费支出预决算情况。"),
    "t8": (
        "政府性基金预算财政拨款收入支出决算表",
        "本表反映部门本年度政府性基金预算财政拨款收入支出及结转和结余情况。",
    ),
    "t9": (
        "国有资本经营预算财政拨款收入支出决算表",
        "本表反映部门本年度国有资本经营预算财政拨款收入支出及结转和结余情况。",
    ),
    "t10": ("项目支出决算表", "本表反映部门本年度项目支出情况（建设项目、职能任务和项目类指标）。"),
}

#: The 预算 tables, in order.
BUDGET_TABLES: dict[str, tuple[str, str]] = {
    "b1": ("部门收支总表", "本表反映部门本年度的总收支预算情况。"),
    "b2": ("部门收入总表", "本表反映部门本年度各项收入预算情况。"),
    "b3": ("部门支出总表", "本表反映部门本年度各项支出预算情况。"),
    "b4": ("财政拨款收支总表", "本表反映部门本年度财政拨款收支预算情况。"),
    "b5": ("一般公共预算支出表", "本表反映部门本年度一般公共预算支出情况。"),
    "b6": ("一般公共预算基本支出表", "本表反映部门本年度一般公共预算基本支出明细情况。"),
    "b7": ("一般公共预算“三公”经费支出表", "本表反映部门本年度“三公”经费支出预算情况。"),
    "b8": ("政府性基金预算支出表", "本表反映部门本年度政府性基金预算支出情况。"),
    "b9": ("国有资本经营预算支出表", "本表反映部门本年度国有资本经营预算支出情况。"),
    "b10": ("项目支出表", "本表反映部门本年度项目支出预算情况。"),
    "b11": ("项目支出绩效目标表", "本表反映部门本年度项目支出的绩效目标。"),
}

#: Function of money that arrives or is spent without one (an uncoded row is a defect).
DEFAULT_FUNCTIONS: dict[str, str] = {"运转": "2120101", "建设": "2120399", "职能": "2120199"}
FALLBACK_FUNCTION = "2120199"


class TableSetError(ValueError):
    """The ``[disclosure]`` section of the county config cannot be read."""


@dataclass(frozen=True)
class TableSet:
    """Titles, order and row lists of both documents (default: the official template)."""

    final: dict[str, tuple[str, str]] = field(default_factory=lambda: dict(FINAL_TABLES))
    budget: dict[str, tuple[str, str]] = field(default_factory=lambda: dict(BUDGET_TABLES))
    income_rows: tuple[tuple[str, str], ...] = INCOME_ROWS
    function_classes: tuple[tuple[str, str], ...] = FUNCTION_CLASSES
    basic_personnel: tuple[str, ...] = BASIC_PERSONNEL
    basic_public: tuple[str, ...] = BASIC_PUBLIC
    default_functions: dict[str, str] = field(default_factory=lambda: dict(DEFAULT_FUNCTIONS))
    #: "sum": top-down, printed parts add up; "cell": each cell half-up on its own
    rounding: str = "sum"
    #: template word → the province's word, for row and column labels
    labels: dict[str, str] = field(default_factory=dict)
    #: the 部门 that publishes the sum of the units: {"name": …, "own_unit": "C…" or absent}
    department: dict[str, str] | None = None
    #: folder of the previous published 决算 (the project's JSON tables), for Y−1's figures
    previous: str | None = None
    #: a change needs a reason from the books at or above both: share, and yuan
    reason_share: Decimal = Decimal("0.10")
    reason_amount: Decimal = Decimal(10000)
    #: names of 功能分类 / 经济分类 codes (bundle + books + ``[codes]``)
    names: Classification = field(default_factory=Classification)

    def _entry(self, key: str) -> tuple[str, str]:
        # A table left out of the order is still built (the text reads it), just not printed.
        for tables in (self.final, self.budget, FINAL_TABLES, BUDGET_TABLES):
            if key in tables:
                return tables[key]
        raise KeyError(key)

    def title(self, key: str) -> str:
        return self._entry(key)[0]

    def note(self, key: str) -> str:
        return self._entry(key)[1]

    def label(self, text: str) -> str:
        """The province's word for a template label (the label itself when not replaced)."""
        return self.labels.get(text, text)

    def number(self, key: str) -> str:
        """The table's number in its document (一, 二, …), by the set's order."""
        for tables in (self.final, self.budget):
            if key in tables:
                return NUMERALS[list(tables).index(key)]
        raise KeyError(key)

    def default_function(self, stream: str | None) -> str:
        return self.default_functions.get(stream or "", FALLBACK_FUNCTION)

    def class_label(self, code: str) -> str:
        for c, label in self.function_classes:
            if c == code:
                return label
        return ""


def _titles(
    tables: dict[str, tuple[str, str]], section: dict[str, Any], doc: str
) -> dict[str, tuple[str, str]]:
    known = dict(tables)
    titles = section.get(f"{doc}_titles", {})
    if not isinstance(titles, dict):
        raise TableSetError(f'[disclosure] {doc}_titles 应为表（如 {{ t1 = "…" }}）')
    for key, title in titles.items():
        if key not in known:
            raise TableSetError(
                f"[disclosure] {doc}_titles 中的 {key} 不是表的编号（可用：{'、'.join(known)}）"
            )
        known[key] = (str(title), known[key][1])
    order = section.get(f"{doc}_order", list(tables))
    if (
        not isinstance(order, list)
        or not order
        or any(not isinstance(k, str) or k not in known for k in order)
        or len(set(order)) != len(order)
    ):
        raise TableSetError(
            f"[disclosure] {doc}_order 应为不重复的表编号列表（可用：{'、'.join(known)}），实际为 {order!r}"
        )
    return {k: known[k] for k in order}


def _codes(section: dict[str, Any], key: str, default: tuple[str, ...]) -> tuple[str, ...]:
    value = section.get(key)
    if value is None:
        return default
    if not isinstance(value, list) or not all(str(v).isdigit() for v in value):
        raise TableSetError(f'[disclosure] {key} 应为经济分类编码的列表，如 ["301", "30101"]')
    return tuple(str(v) for v in value)


#: The keys of ``[disclosure]``.
KNOWN_KEYS = frozenset({
    "final_titles", "final_order", "budget_titles", "budget_order", "function_classes",
    "basic_personnel", "basic_public", "default_functions", "rounding", "labels",
    "department", "previous", "reason_threshold",
})  # fmt: skip


def table_set(section: dict[str, Any] | None) -> TableSet:
    """The default set with whatever the county config's ``[disclosure]`` section replaces;
    a mistake is one :class:`TableSetError` sentence naming the key."""
    base = TableSet()
    if not section:
        return base
    unknown = sorted(set(section) - KNOWN_KEYS)
    if unknown:
        raise TableSetError(
            f"[disclosure] 含未知项：{'、'.join(unknown)}（可用：{'、'.join(sorted(KNOWN_KEYS))}）"
        )
    functions = section.get("default_functions", {})
    if not isinstance(functions, dict):
        raise TableSetError('[disclosure] default_functions 应为表，如 { "运转" = "2120101" }')
    share, amount = _threshold(section.get("reason_threshold"), base)
    return replace(
        base,
        previous=_previous(section.get("previous")),
        reason_share=share,
        reason_amount=amount,
        department=_department(section.get("department")),
        rounding=_rounding(section.get("rounding", base.rounding)),
        labels=_labels(section.get("labels", {})),
        final=_titles(base.final, section, "final"),
        budget=_titles(base.budget, section, "budget"),
        function_classes=_classes(section.get("function_classes")) or base.function_classes,
        basic_personnel=_codes(section, "basic_personnel", base.basic_personnel),
        basic_public=_codes(section, "basic_public", base.basic_public),
        default_functions={**base.default_functions, **{k: str(v) for k, v in functions.items()}},
    )


def _classes(classes: Any) -> tuple[tuple[str, str], ...] | None:
    if classes is None:
        return None
    if not isinstance(classes, list) or not all(
        isinstance(c, list)
        and len(c) == 2
        and str(c[0]).isdigit()
        and len(str(c[0])) == 3
        and isinstance(c[1], str)
        for c in classes
    ):
        raise TableSetError(
            '[disclosure] function_classes 应为 [["201", "一、一般公共服务支出"], …]'
        )
    return tuple((str(c), str(label)) for c, label in classes)


def _rounding(rounding: Any) -> str:
    if rounding not in ("sum", "cell"):
        raise TableSetError(
            f'[disclosure] rounding 应为 "sum"（逐级分配，分项相加等于合计）或 "cell"（逐格四舍五入），实际为 {rounding!r}'
        )
    return rounding


def _labels(labels: Any) -> dict[str, str]:
    if not isinstance(labels, dict) or not all(
        isinstance(v, str) and v.strip() for v in labels.values()
    ):
        raise TableSetError(
            '[disclosure] labels 应为“模板用语 = 本省用语”的表，如 { "使用非财政拨款结余" = "使用非财政拨款结余（含专用结余）" }'
        )
    return {str(k): v.strip() for k, v in labels.items()}


def _department(department: Any) -> dict[str, str] | None:
    if department is None:
        return None
    if (
        not isinstance(department, dict)
        or not isinstance(department.get("name"), str)
        or not department["name"].strip()
        or set(department) - {"name", "own_unit"}
        or not isinstance(department.get("own_unit", ""), str)
    ):
        raise TableSetError(
            '[disclosure] department 应为 { name = "部门全称", own_unit = "本级的单位编码" }'
            "（own_unit 可省略）"
        )
    return {k: str(v).strip() for k, v in department.items()}


def _previous(previous: Any) -> str | None:
    if previous is not None and (not isinstance(previous, str) or not previous.strip()):
        raise TableSetError('[disclosure] previous 应为上年部门决算数据所在的文件夹，如 "上年决算"')
    return previous


def _threshold(threshold: Any, base: TableSet) -> tuple[Decimal, Decimal]:
    if threshold is None:
        return base.reason_share, base.reason_amount
    try:
        share, amount = (Decimal(str(v)) for v in threshold)
        if not (0 <= share <= 1 and amount >= 0):
            raise ValueError
    except (TypeError, ValueError, ArithmeticError):
        raise TableSetError(
            "[disclosure] reason_threshold 应为 [比例, 金额（元）]，如 [0.10, 10000]："
            "变动达到 10% 且 1 万元时须写明原因"
        ) from None
    return share, amount
