"""Words of the documents: 情况说明 sentences that quote table cells, and the 名词解释.

Every figure a sentence prints is asked for through :class:`Quotes`, which records the
table, row label and column it came from — the test suite checks each against its cell.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sandao.reports.disclosure.rounding import shares
from sandao.reports.model import Table
from sandao.reports.provenance import derivation, derived

ZERO = Decimal(0)
CENT = Decimal("0.01")

#: The template's eleven terms (第四部分 名词解释), then the project's own.
GLOSSARY: tuple[tuple[str, str], ...] = (
    (
        "财政拨款收入",
        "指单位本年度从本级财政部门取得的财政拨款，包括一般公共预算财政拨款、政府性基金预算财政拨款和国有资本经营预算财政拨款。",
    ),
    ("事业收入", "指事业单位开展专业业务活动及其辅助活动取得的收入。"),
    ("经营收入", "指事业单位在专业业务活动及其辅助活动之外开展非独立核算经营活动取得的收入。"),
    (
        "其他收入",
        "指单位取得的除“财政拨款收入”、“事业收入”、“经营收入”等以外的收入，包括：县直部门用本部门资金转来的职能工作经费（费随事转）、存款利息收入等。",
    ),
    ("年初结转和结余", "指以前年度尚未完成、结转到本年按有关规定继续使用的资金。"),
    (
        "年末结转和结余",
        "指本年度或以前年度预算安排、因客观条件发生变化无法按原计划实施，需延迟到以后年度按有关规定继续使用的资金。",
    ),
    ("基本支出", "指单位为保障机构正常运转、完成日常工作任务而发生的各项支出。"),
    ("项目支出", "指单位为完成特定的行政工作任务或事业发展目标，在基本支出之外发生的各项支出。"),
    ("经营支出", "指事业单位在专业活动及辅助活动之外开展非独立核算经营活动发生的支出。"),
    (
        "“三公”经费",
        "指单位使用本级财政拨款安排的因公出国（境）费、公务用车购置及运行维护费和公务接待费。其中：因公出国（境）费反映单位参加国际合作交流、重大项目洽谈、境外培训研修等的国际旅费、国外城市间交通费、住宿费、伙食费、培训费、公杂费等支出；公务接待费反映全国性专业会议、国家重大政策调研、专项检查以及外事团组接待交流等执行公务或开展业务所需住宿费、交通费、伙食费等支出；公务用车购置及运行维护费反映编制内公务车辆的报废更新，以及用于安排市内因公出差、公务文件交换、日常工作开展等所需公务用车燃料费、维修费、过路过桥费、保险费等支出。",
    ),
    (
        "机关运行经费",
        "指行政单位和参照公务员法管理的事业单位使用一般公共预算财政拨款安排的基本支出中的日常公用经费支出。",
    ),
    (
        "费随事转",
        "县直部门把职能工作交给社区服务中心承担时，同步转移相应工作经费：以指标划转方式拨付的计入财政拨款收入，部门用本部门资金转账拨付的计入其他收入。",
    ),
    (
        "年初预算数 / 调整预算数",
        "年初预算数指年初批复的预算；调整预算数指年度中追加、调减、划转后的预算。",
    ),
)


def wan(value: Decimal | None) -> str:
    """A 万元 figure as the published documents print it in text: ``1234.56`` (no
    thousands separator, as in the template and the real 决算)."""
    return f"{(value or ZERO).quantize(CENT, rounding=ROUND_HALF_UP)}"


#: The auditor's edition: the derived figures the text prints, while it is written.
_DERIVED: ContextVar[list[dict[str, Any]] | None] = ContextVar("derived_figures", default=None)


@contextmanager
def derived_figures() -> Iterator[list[dict[str, Any]]]:
    """Collect each derived figure the text prints meanwhile (a share, a change, a rate):
    ``{"figure": printed text, "op": how, "operands": the figures it comes from}``."""
    found: list[dict[str, Any]] = []
    token = _DERIVED.set(found)
    try:
        yield found
    finally:
        _DERIVED.reset(token)


def _said(text: str, figure: Any) -> str:
    """``text`` as printed; recorded with its operands when a derived figure is collected."""
    found = _DERIVED.get()
    source = derivation(figure)
    if found is not None and source:
        found.append({"figure": text, "op": source[0], "operands": source[1:]})
    return text


def pct(value: Decimal | None) -> str:
    return _said(f"{(value or ZERO).quantize(CENT, rounding=ROUND_HALF_UP)}%", value)


def ratio(part: Decimal, whole: Decimal) -> Decimal | None:
    """``part`` as a percentage of ``whole`` (None when the whole is zero)."""
    if not whole:
        return None
    return derived(part * 100 / whole, "÷×100%", part, whole)


@dataclass
class Quotes:
    """Figures quoted in the text, each with the cell it came from."""

    tables: dict[str, Table]
    quoted: list[dict[str, Any]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._rows: dict[str, list[dict[str, Any]]] = {}

    def cell(self, table: str, label: str, column: str) -> Decimal | None:
        """The cell of the row labelled ``label`` (rows read once per table)."""
        rows = self._rows.get(table)
        if rows is None:
            t = self.tables[table]
            rows = self._rows[table] = [*t.records(), *([t.total] if t.total else [])]
        for row in rows:
            if label in row.values():
                value = row.get(column)
                if value is not None:
                    return value
        return None

    def __call__(self, table: str, label: str, column: str) -> str:
        value = self.cell(table, label, column)
        if value is None:
            raise KeyError(f"{table}: no cell {label!r} / {column!r}")
        self.quoted.append({"table": table, "label": label, "column": column, "value": value})
        return wan(value)

    def value(self, table: str, label: str, column: str) -> Decimal:
        return self.cell(table, label, column) or ZERO


def moved_by(diff: Decimal) -> str:
    """“增加 X 万元” / “减少 X 万元”."""
    return _said(f"{'增加' if diff > 0 else '减少'}{wan(abs(diff))}万元", diff)


def difference(now: Decimal, before: Decimal) -> Decimal:
    """``now − before``, naming both in the auditor's edition."""
    return derived(now - before, "−", now, before)


def movement(now: Decimal, before: Decimal) -> str:
    """“增加 X 万元，增长 p%” / “减少 X 万元，下降 p%” (no rate from a base of 0)."""
    diff = difference(now, before)
    rate = ratio(abs(diff), before)
    if rate is not None:
        rate = derived(rate, "|本年−上年|÷上年×100%", now, before)
    return moved_by(diff) + (
        f"，{'增长' if diff > 0 else '下降'}{pct(rate)}" if rate is not None else ""
    )


def change(now: Decimal, before: Decimal, what: str, year: int) -> str:
    """“与 Y−1 年度相比，…增加 X 万元，增长 p%” (or 持平)."""
    if now == before:
        return f"与{year - 1}年度持平。"
    return f"与{year - 1}年度相比，{what}{movement(now, before)}。"


def share_list(items: list[tuple[str, str, Decimal]], unit_word: str = "万元") -> str:
    """“A X 万元，占 a%；B Y 万元，占 b%” — shares by largest remainder (add to 100%)."""
    items = [i for i in items if i[2]]
    values = [v for _, _, v in items]
    parts = shares(values)
    return "；".join(
        f"{name}{text}{unit_word}，占{pct(derived(p, '占合计的份额（最大余额法）', v, *values))}"
        for (name, text, v), p in zip(items, parts, strict=True)
    )
