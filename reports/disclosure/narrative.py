"""The 情况说明 of a 决算: sentences that state the tables' figures and the books' facts.

Every sentence is a claim the county may be held to (disclosure-standard.md, "Evidence"):

- figures are quoted from table cells (:class:`~.text.Quotes`, checked by the tests);
- "compared with Y−1" reads :class:`PreviousYear` — the books when they cover Y−1, else
  the previous published 决算 (``[disclosure] previous``); a unit that existed in Y−1
  never gets "无可比数据" (:func:`previous_year` stops a final document instead);
- causes come only from the books (:class:`Evidence`): a ``disclosure-note`` or the
  ``reason`` of the quota adjustment, task or project behind a figure.  The template's
  connectives (主要原因, 主要用于) stand only before such text.  Where a reason is needed
  and missing, a final document states the figures and the run lists what to write; a
  draft prints 【待说明原因】.  The largest movement among 类 may be named as a fact.
"""

from __future__ import annotations

import datetime
import json
import re
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from sandao.reports.disclosure import budget as plan
from sandao.reports.disclosure import tables as t
from sandao.reports.disclosure.context import (
    Context,
    Scope,
    admin_units,
    document_kind,
    existed_before,
    new_in,
    project_amounts,
)
from sandao.reports.disclosure.rounding import Rounded, cell_value, half_up
from sandao.reports.disclosure.sources import (
    BASIC,
    DEFAULT_FUND,
    FUND_TYPES,
    NON_FISCAL,
    PROCUREMENT_KINDS,
    THREE_PUBLIC,
)
from sandao.reports.disclosure.text import (
    Quotes,
    change,
    difference,
    moved_by,
    movement,
    pct,
    ratio,
    share_list,
    wan,
)
from sandao.reports.model import FEN, Table

ZERO = Decimal(0)
PLACEHOLDER_REASON = "【待说明原因】"
PLACEHOLDER_PREVIOUS = "【缺上年数】"


class PreviousYearError(ValueError):
    """Y−1's figures are needed and cannot be had, or disagree with the books."""


# -- the previous year -----------------------------------------------------------------


@dataclass(frozen=True)
class PreviousYear:
    """The previous year's cells the text compares with (万元, as printed)."""

    total: Decimal  # 表一 总计
    fiscal_total: Decimal  # 表四 总计
    general: Decimal  # 表五 合计
    three: dict[str, Decimal]  # 表七 决算数 by key (total, abroad, car, …)
    classes: dict[str, Decimal]  # 表一 支出 by 类 code
    fiscal_classes: dict[str, Decimal]  # 财政拨款 支出 by 类 code
    running: Decimal  # 表六 公用经费合计 of the administrative units
    closing: Decimal  # 表一 年末结转和结余
    source: str  # "账簿" or the file it was read from


def _from_books(ctx: Context, scope: Scope, year: int) -> PreviousYear:
    r = ctx.rounded(scope, year)
    show = cell_value if ctx.tables.rounding == "cell" else (lambda v: v)
    fiscal = set(FUND_TYPES)
    three = {k: show(v) for k, v in t.three_values(t.three_spent(r)).items()}
    admin = admin_units(ctx, scope)
    running = running_cost(ctx, Scope(admin, scope.name), year) if admin else ZERO
    return PreviousYear(
        total=show(sum(r.income.values(), ZERO) + _sum(r.use_balance) + _sum(r.opening)),
        fiscal_total=show(
            sum((v for k, v in r.income.items() if k[0] in fiscal), ZERO)
            + sum((v for b, v in r.opening.items() if b in fiscal), ZERO)
        ),
        general=show(sum((v for k, v in r.spend.items() if k.bucket == DEFAULT_FUND), ZERO)),
        three=three,
        classes={c: show(v) for c, v in t.spend_by_class(r).items()},
        fiscal_classes={c: show(v) for c, v in t.spend_by_class(r, FUND_TYPES).items()},
        running=show(running),
        closing=show(_sum(r.closing)),
        source="账簿",
    )


def _sum(values: dict[Any, Decimal]) -> Decimal:
    return sum(values.values(), ZERO)


def _by_class(
    ctx: Context, rows: Iterable[tuple[Any, Any]], figure: Callable[[Any], Decimal]
) -> dict[str, Decimal]:
    """表一/表四's numbered 类 rows (“十一、城乡社区支出”, raw cell) as 类 code → figure."""
    codes = {label.split("、", 1)[-1]: code for code, label in ctx.tables.function_classes}
    out = {}
    for item, raw in rows:
        name = str(item or "").split("、", 1)[-1] if "、" in str(item or "") else ""
        if name in codes:
            out[codes[name]] = figure(raw)
    return out


def _money(value: Any, source: Path, *, to_fen: bool = False) -> Decimal:
    """A cell of a published 决算 as Decimal (an empty cell is 0); ``to_fen`` rounds a
    workbook's float to the fen it printed."""
    try:
        amount = Decimal(str(value)) if value not in (None, "") else ZERO
        return amount.quantize(FEN) if to_fen else amount
    except ArithmeticError:
        raise PreviousYearError(f"上年部门决算 {source} 中的金额 {value!r} 无法识别") from None


def _document_folder(root: Path, year: int, scope: Scope) -> Path | None:
    name = f"final-{year}-{scope.key}"
    for folder in (root / name, root / "data" / "final" / name):
        if (folder / "t1.json").is_file():
            return folder
    return None


def _from_document(ctx: Context, scope: Scope, year: int, root: Path) -> PreviousYear | None:
    """The previous year's cells from a published 决算's JSON tables (``sandao report``'s
    ``data/final/final-Y-KEY/tN.json``)."""
    folder = _document_folder(root, year, scope)
    if folder is None:
        return _from_workbook(ctx, scope, year, root)

    def table(key: str) -> dict[str, Any]:
        path = folder / f"{key}.json"
        try:
            return json.loads(path.read_text("utf-8"))
        except (OSError, ValueError) as exc:
            raise PreviousYearError(f"上年部门决算 {path} 无法读取（{exc}）") from None

    def money(text: Any) -> Decimal:
        return _money(text, folder)

    t1, t4, t5, t6, t7 = (table(k) for k in ("t1", "t4", "t5", "t6", "t7"))
    rows1 = t1["rows"]
    classes = _by_class(ctx, ((r.get("out_item"), r.get("out_amount")) for r in rows1), money)
    fiscal_classes = _by_class(
        ctx, ((r.get("out_item"), r.get("out_total")) for r in t4["rows"]), money
    )
    closing = next(
        (money(r.get("out_amount")) for r in rows1 if r.get("out_item") == "年末结转和结余"), ZERO
    )
    three_row = t7["rows"][0] if t7["rows"] else {}
    admin = admin_units(ctx, scope)
    return PreviousYear(
        total=money(t1["total"]["in_amount"]),
        fiscal_total=money(t4["total"]["in_amount"]),
        general=money(t5["total"]["total"]),
        three={k: money(three_row.get(f"{k}_actual")) for k in t.THREE_KEYS},
        classes=classes,
        fiscal_classes=fiscal_classes,
        running=money(t6["total"]["r_amount"]) if admin else ZERO,
        closing=closing,
        source=str(folder),
    )


def _workbook_tables(path: Path) -> dict[str, list[list[Any]]]:
    """The sheets of a 决算 workbook in ``sandao report``'s layout, by table number (一 …):
    each sheet's rows below its title, 编制单位 and header lines."""
    from python_calamine import CalamineWorkbook

    try:
        book = CalamineWorkbook.from_path(str(path))
        sheets = [book.get_sheet_by_index(i).to_python() for i in range(len(book.sheet_names))]
    except Exception as exc:  # calamine raises its own kinds: one sentence either way
        raise PreviousYearError(f"上年部门决算 {path} 无法读取（{exc}）") from None
    out: dict[str, list[list[Any]]] = {}
    for rows in sheets:
        title = str(rows[0][0]) if rows and rows[0] else ""
        match = re.search(r"　([一二三四五六七八九十]+)、", title)
        if match:
            out[match.group(1)] = [list(r) for r in rows[2:]]
    return out


def _from_workbook(ctx: Context, scope: Scope, year: int, root: Path) -> PreviousYear | None:
    """The previous year's cells from a published 决算's XLSX (``sandao report``'s layout,
    ``final-Y-KEY.xlsx`` in the folder or its ``final/``): 表一, 四, 五, 六, 七 by number."""
    name = f"final-{year}-{scope.key}.xlsx"
    path = next((p for p in (root / name, root / "final" / name) if p.is_file()), None)
    if path is None:
        return None
    sheets = _workbook_tables(path)

    def money(value: Any) -> Decimal:
        return _money(value, path, to_fen=True)

    def row(number: str, label: str, at: int) -> list[Any]:
        for r in sheets.get(number, []):
            if len(r) > at and str(r[at]).strip() == label:
                return r
        raise PreviousYearError(f"上年部门决算 {path} 的表{number}中没有“{label}”行")

    def classes(number: str, column: int) -> dict[str, Decimal]:
        rows = [r for r in sheets.get(number, []) if len(r) > max(2, column)]
        return _by_class(ctx, ((r[2], r[column]) for r in rows), money)

    three = sheets.get("七", [])
    values = next((r for r in three if any(isinstance(v, (int, float)) for v in r)), [])
    admin = admin_units(ctx, scope)
    return PreviousYear(
        total=money(row("一", "总计", 0)[1]),
        fiscal_total=money(row("四", "总计", 0)[1]),
        general=money(row("五", "合计", 1)[2]),
        three={
            k: money(values[2 * i + 1]) if len(values) > 2 * i + 1 else ZERO
            for i, k in enumerate(t.THREE_KEYS)
        },
        classes=classes("一", 3),
        fiscal_classes=classes("四", 3),
        running=money(row("六", "公用经费合计", 4)[5]) if admin else ZERO,
        closing=money(row("一", "年末结转和结余", 2)[3]),
        source=str(path),
    )


def previous_year(ctx: Context, scope: Scope, year: int, draft: bool) -> PreviousYear | None:
    """Y−1's figures for the text; None for a unit new in ``year`` (or, in a draft, for one
    whose previous figures are missing: the text then shows 【缺上年数】).

    A final document of a unit that existed in Y−1 without either source, or whose
    previous document's 年末结转和结余 differs from the books' 年初, raises
    :class:`PreviousYearError` naming the key to set.
    """
    before = year - 1
    if all(_covers(ctx, u, year) for u in scope.units):
        return _from_books(ctx, scope, before)
    found = None
    if ctx.tables.previous:
        found = _from_document(ctx, scope, before, Path(ctx.tables.previous))
    if found is not None:
        opening = _opening_printed(ctx, scope, year)
        if found.closing != opening:
            raise PreviousYearError(
                f"{scope.name}上年部门决算（{found.source}）的年末结转和结余为{wan(found.closing)}万元，"
                f"账簿的{year}年年初结转和结余为{wan(opening)}万元，两者应相等；请核对上年决算或期初余额"
            )
        return found
    if draft or new_in(ctx, scope, year) or not existed_before(ctx, scope, year):
        return None
    where = (
        f"（已设置 {ctx.tables.previous}，其中没有 final-{before}-{scope.key}）"
        if ctx.tables.previous
        else ""
    )
    raise PreviousYearError(
        f"{scope.name}{before}年度已有账（期初余额或以前年度的项目），{year}年度决算须与{before}年度比较，"
        f"但账簿不含{before}年度，也没有上年部门决算{where}：请在 sandao.toml 的 [disclosure] 设置 "
        f'previous = "上年决算数据文件夹"（sandao report 输出的 data/final），'
        f"或补记{before}年度账"
    )


def _covers(ctx: Context, unit: str, year: int) -> bool:
    """The books hold the unit's ``year − 1``: it has entries then, or was declared before
    ``year`` — and its books do not begin in ``year`` with opening balances."""
    if any(ctx.books.get(unit, year).opening.values()):
        return False
    if (unit, year - 1) in ctx.books.flows:
        return True
    declared = ctx.analysis.declarations.units.get(unit)
    return bool(declared and declared.date and declared.date < datetime.date(year, 1, 1))


def _opening_printed(ctx: Context, scope: Scope, year: int) -> Decimal:
    value = _sum(ctx.rounded(scope, year).opening)
    return cell_value(value) if ctx.tables.rounding == "cell" else value


# -- reasons from the books ------------------------------------------------------------


@dataclass(frozen=True)
class Missing:
    """A reason the books must give and do not: where, which figure, the note to write."""

    unit: str
    section: str
    figure: str
    key: str
    about: str
    year: int

    def line(self) -> str:
        return (
            f"{self.unit} {self.year}年度决算 {self.section}：{self.figure}，缺少原因说明；"
            f'请补记 custom "disclosure-note" "{self.unit}" "{self.key}" "原因"'
            f'（year: {self.year}，about: "{self.about}"）'
        )


@dataclass
class Evidence:
    """The reasons the books give for a scope's figures, and those they still owe."""

    ctx: Context
    scope: Scope
    year: int
    draft: bool
    missing: list[Missing] = field(default_factory=list)

    def __post_init__(self) -> None:
        units = set(self.scope.units)
        self.notes = [
            n
            for n in self.ctx.analysis.declarations.notes
            if n.unit in units and n.year == self.year
        ]

    def needed(self, now: Decimal, before: Decimal) -> bool:
        """At or above both limits of ``[disclosure] reason_threshold`` (from 0: the amount)."""
        diff = abs(now - before) * 10000
        if diff < self.ctx.tables.reason_amount or not diff:
            return False
        return not before or diff / abs(before * 10000) >= self.ctx.tables.reason_share

    def note(self, keys: Iterable[str], about: str) -> str | None:
        keys = set(keys)
        texts = [
            n.text for n in self.notes if n.key in keys and (n.about is None or n.about == about)
        ]
        return "；".join(dict.fromkeys(texts)) or None

    def reason(
        self,
        keys: Iterable[str],
        about: str,
        section: str,
        figure: str,
        books: Iterable[str] = (),
    ) -> str | None:
        """The books' reason for a figure: notes first, then ``reason`` metadata; else
        【待说明原因】 in a draft, or nothing (and a :class:`Missing` line) in a final."""
        keys = list(keys)
        texts = [x for x in (self.note(keys, about), *books) if x]
        if texts:
            return "；".join(dict.fromkeys(texts))
        if self.draft:
            return PLACEHOLDER_REASON
        unit = (
            self.scope.units[0]
            if len(self.scope.units) == 1
            else (self.scope.own_unit or self.scope.units[0])
        )
        self.missing.append(Missing(unit, section, figure, keys[0], about, self.year))
        return None

    def quota_reasons(self, function: str, up: bool) -> list[str]:
        """``reason`` of the year's budget changes of a 项 that move it the way the gap
        goes: 追加/划转 quotas and positive adjustments when 决算 is above 年初预算, cuts
        (and the tasks' own reasons for money not spent) when it is below."""
        from sandao.reports.disclosure.budget import is_initial

        decl = self.ctx.analysis.declarations
        units = set(self.scope.units)
        found: list[str] = []
        for quota in decl.quotas.values():
            if quota.unit not in units or quota.year != self.year or quota.function != function:
                continue
            if not is_initial(quota) and (quota.amount > 0) == up:
                found.append(str(quota.meta.get("reason") or "").strip())
            for adjustment in quota.adjustments:
                if (adjustment.amount > 0) == up:
                    found.append(str(adjustment.meta.get("reason") or "").strip())
        if not up:
            for task in decl.tasks.values():
                if (
                    task.unit in units
                    and task.function == function
                    and task.start.year <= self.year <= task.end.year
                ):
                    found.append(str(task.meta.get("reason") or "").strip())
        return [x for x in dict.fromkeys(found) if x]


# -- sentences ---------------------------------------------------------------------------


@dataclass
class Narrative:
    """The 情况说明 of one 决算, section by section."""

    ctx: Context
    scope: Scope
    year: int
    tables: dict[str, Table]
    r: Rounded
    previous: PreviousYear | None
    draft: bool
    sections: list[dict[str, Any]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.q = Quotes(self.tables)
        self.evidence = Evidence(self.ctx, self.scope, self.year, self.draft)
        self.name = self.scope.name
        self.new = new_in(self.ctx, self.scope, self.year)

    def add(self, title: str, *paragraphs: str) -> None:
        self.sections.append({"title": title, "paragraphs": [p for p in paragraphs if p]})

    # the comparison with Y−1 and its reason
    def compare(
        self, now: Decimal, before: Decimal | None, what: str, keys: Iterable[str], section: str
    ) -> str:
        y0 = self.year - 1
        if before is None:
            if self.new:
                return f"{self.year}年度为新设单位，无{y0}年度数据。"
            return f"与{y0}年度相比：{PLACEHOLDER_PREVIOUS}。"
        text = change(now, before, what, self.year)
        if now != before and self.evidence.needed(now, before):
            figure = f"{what}{moved_by(now - before)}"
            reason = self.evidence.reason(keys, "上年", section, figure)
            if reason:
                text += f"主要原因：{reason}。"
        return text

    def largest_class_movement(self, now: dict[str, Decimal], before: dict[str, Decimal]) -> str:
        """The 类 that moved most, as a fact: “其中，城乡社区支出（类）增加 X 万元。”"""
        codes = set(now) | set(before)
        if not codes:
            return ""
        best = max(sorted(codes), key=lambda c: abs(now.get(c, ZERO) - before.get(c, ZERO)))
        diff = difference(now.get(best, ZERO), before.get(best, ZERO))
        if not diff:
            return ""
        name = t.function_name(best, self.ctx.tables)
        return f"其中，{name}（类）{moved_by(diff)}。"

    def build(self) -> tuple[list[dict[str, Any]], list[dict[str, Any]], list[Missing]]:
        self.overview()
        self.income_and_spending()
        self.fiscal_overview()
        self.general()
        self.basic()
        self.three_public()
        self.funds()
        self.add("十、预算绩效管理情况", performance_text(self.ctx, self.scope, self.year))
        self.add("十一、其他重要事项的情况说明", *self.other_matters())
        return self.sections, self.q.quoted, self.evidence.missing

    # 一 … 四
    def total_compared(self, table: str, what: str, keys: tuple[str, ...], section: str,
                       before: Decimal | None, classes: tuple[dict, dict] | None) -> str:  # fmt: skip
        """“Y年度{what}X万元。” with the comparison on Y−1 and its largest 类 movement."""
        total = self.q.value(table, "总计", "in_amount")
        text = f"{self.name}{self.year}年度{what}{self.q(table, '总计', 'in_amount')}万元。"
        text += self.compare(total, before, what, keys, section)
        if classes is not None:
            text += self.largest_class_movement(*classes)
        return text

    def overview(self) -> None:
        p = self.previous
        classes = (t.spend_by_class(self.r), p.classes) if p else None
        text = self.total_compared(
            "t1", "收入支出总计", ("收入", "支出"), "一、收入支出决算总体情况",
            p.total if p else None, classes,
        )  # fmt: skip
        wanglai = wanglai_text(self.ctx, self.scope, self.year)
        self.add("一、收入支出决算总体情况说明", text, wanglai)

    def income_and_spending(self) -> None:
        q = self.q
        sources = [
            ("财政拨款收入", "fiscal"),
            ("上级补助收入", "superior"),
            ("事业收入", "business"),
            ("经营收入", "operating"),
            ("附属单位上缴收入", "affiliated"),
            ("其他收入", "other"),
        ]
        income_total = f"本年收入合计{q('t1', '本年收入合计', 'in_amount')}万元"
        self.add("二、收入决算情况说明", with_parts(q, income_total, "t2", sources))
        spend_total = f"本年支出合计{q('t1', '本年支出合计', 'out_amount')}万元"
        self.add("三、支出决算情况说明", with_parts(q, spend_total, "t3", SPENDING_PARTS))

    def fiscal_overview(self) -> None:
        p = self.previous
        classes = (t.spend_by_class(self.r, FUND_TYPES), p.fiscal_classes) if p else None
        text = self.total_compared(
            "t4", "财政拨款收入支出总计", ("财政拨款",), "四、财政拨款收入支出决算总体情况",
            p.fiscal_total if p else None, classes,
        )  # fmt: skip
        self.add("四、财政拨款收入支出决算总体情况说明", text)

    # 五
    def general(self) -> None:
        q, p = self.q, self.previous
        general = q.value("t5", "合计", "total")
        general_text = q("t5", "合计", "total")
        share = ratio(general, q.value("t1", "本年支出合计", "out_amount"))
        p1 = (
            f"一般公共预算财政拨款支出{general_text}万元"
            + (f"，占本年支出合计的{pct(share)}" if share is not None else "")
            + "。"
            + self.compare(
                general,
                p.general if p else None,
                "一般公共预算财政拨款支出",
                ("一般公共预算",),
                "五（一）",
            )
        )
        classes = [row for row in self.tables["t5"].records() if row.get("level") == 0]
        items = [
            (f"{row['name']}（类）", q("t5", row["code"], "total"), row["total"]) for row in classes
        ]
        p2 = f"一般公共预算财政拨款支出{general_text}万元，主要用于以下方面：" + (
            share_list(items) + "。" if items else "无。"
        )
        self.add(
            "五、一般公共预算财政拨款支出决算情况说明",
            "（一）一般公共预算财政拨款支出决算总体情况",
            p1,
            "（二）一般公共预算财政拨款支出决算结构情况",
            p2,
            "（三）一般公共预算财政拨款支出决算具体情况",
            *self.general_items(general, general_text),
        )

    def general_items(self, general: Decimal, general_text: str) -> list[str]:
        decl = self.ctx.analysis.declarations
        units = set(self.scope.units)
        initial = _by_unit_rounded(
            self.ctx, self.scope, lambda u: plan.initial_by_function(decl, {u}, self.year)
        )
        adjusted = _by_unit_rounded(
            self.ctx, self.scope, lambda u: plan.adjusted_by_function(decl, {u}, self.year)
        )
        del units
        start = sum(initial.values(), ZERO)
        whole = sum(adjusted.values(), ZERO)
        head = f"一般公共预算财政拨款支出年初预算为{wan(start)}万元，"
        if whole != start:
            head += f"调整预算为{wan(whole)}万元，"
        head += f"支出决算为{general_text}万元"
        done = ratio(general, start)
        head += f"，完成年初预算的{pct(done)}。" if done is not None else "。"
        head += self.budget_gap(
            general, start, ("财政拨款",), "五（三）", "一般公共预算财政拨款支出", []
        )
        head += "其中："
        leaves = {row["code"]: row for row in self.tables["t5"].records() if row.get("level") == 2}
        lines = [head]
        for i, code in enumerate(sorted(set(leaves) | set(initial) | set(adjusted)), 1):
            row = leaves.get(code)
            actual = row["total"] if row else ZERO
            budget = initial.get(code, ZERO)
            line = f"{i}、{function_path(code, self.ctx)}。"
            use = self.evidence.note((code,), "用途")
            if use:
                line += f"主要用于：{use}。"
            line += f"年初预算为{wan(budget)}万元，"
            if adjusted.get(code, ZERO) != budget:
                line += f"调整预算为{wan(adjusted.get(code, ZERO))}万元，"
            line += f"支出决算为{self.q('t5', code, 'total') if row else wan(ZERO)}万元"
            done = ratio(actual, budget)
            line += f"，完成年初预算的{pct(done)}。" if done is not None else "。"
            line += self.budget_gap(
                actual,
                budget,
                (code,),
                f"五（三）{i}",
                function_path(code, self.ctx),
                self.evidence.quota_reasons(code, up=actual > budget),
            )
            lines.append(line)
        return lines

    def budget_gap(
        self,
        actual: Decimal,
        budget: Decimal,
        keys: tuple[str, ...],
        section: str,
        what: str,
        books: list[str],
    ) -> str:
        """决算数 against 年初预算数: 持平, or the books' reason when the gap needs one."""
        if actual == budget:
            return "决算数与年初预算数持平。"
        if not self.evidence.needed(actual, budget):
            return ""
        word = "大于" if actual > budget else "小于"
        figure = f"{what}决算数{word}年初预算数{wan(abs(actual - budget))}万元"
        reason = self.evidence.reason(keys, "预算", section, figure, books)
        return f"决算数{word}年初预算数的主要原因：{reason}。" if reason else ""

    # 六
    def basic(self) -> None:
        q = self.q
        spent = {
            k.economic
            for k, v in self.ctx.flows(self.scope, self.year).spend.items()
            if v and k.bucket == DEFAULT_FUND and k.cls == BASIC
        }

        def named(side: str) -> list[str]:
            # every item the books spent on, even one that prints 0.00 万元
            return [
                row[f"{side}_name"]
                for row in self.tables["t6"].records()
                if len(row.get(f"{side}_code") or "") == 5 and row[f"{side}_code"] in spent
            ]

        left, right = named("l"), named("r")
        self.add(
            "六、一般公共预算财政拨款基本支出决算情况说明",
            f"一般公共预算财政拨款基本支出{q('t5', '合计', 'basic')}万元。其中：人员经费{q('t6', '人员经费合计', 'l_amount')}万元"
            + (f"，主要包括：{'、'.join(left)}" if left else "")
            + f"；公用经费{q('t6', '公用经费合计', 'r_amount')}万元"
            + (f"，主要包括：{'、'.join(right)}" if right else "")
            + "。",
        )

    # 七
    def three_public(self) -> None:
        row = self.tables["t7"].records()[0]
        if not any(row[f"{k}_actual"] or row[f"{k}_budget"] for k in t.THREE_KEYS):
            self.add(
                "七、财政拨款“三公”经费支出决算情况说明",
                f"{self.name}{self.year}年度无“三公”经费财政拨款支出。",
            )
            return
        self.add(
            "七、财政拨款“三公”经费支出决算情况说明",
            "（一）“三公”经费财政拨款支出决算总体情况说明。",
            self.three_budget(row),
            self.three_previous(row),
            "（二）“三公”经费财政拨款支出决算具体情况说明。",
            *self.three_details(row),
        )

    def q7(self, column: str) -> str:
        value = self.tables["t7"].records()[0][column]
        self.q.quoted.append({"table": "t7", "label": None, "column": column, "value": value})
        return wan(value)

    def three_budget(self, row: dict[str, Any]) -> str:
        def against(k: str, label: str) -> str:
            actual, budget = row[f"{k}_actual"], row[f"{k}_budget"]
            if not budget and not actual:
                return f"{label}未安排预算，也无支出"
            if not budget:
                return f"{label}未安排预算，决算数{self.q7(f'{k}_actual')}万元"
            return (
                f"{label}决算为{self.q7(f'{k}_actual')}万元，完成预算的{pct(ratio(actual, budget))}"
            )

        if row["total_budget"]:
            text = (
                f"“三公”经费财政拨款支出年初预算为{self.q7('total_budget')}万元，支出决算为"
                f"{self.q7('total_actual')}万元，完成预算的{pct(ratio(row['total_actual'], row['total_budget']))}"
            )
        else:
            text = f"“三公”经费财政拨款支出未安排预算，决算数{self.q7('total_actual')}万元"
        text += (
            "，其中："
            + "；".join(
                against(k, label)
                for k, label in (
                    ("abroad", "因公出国（境）费"),
                    ("car", "公务用车购置及运行维护费"),
                    ("reception", "公务接待费"),
                )
            )
            + "。"
        )
        actual, budget = row["total_actual"], row["total_budget"]
        if actual == budget:
            return text + f"{self.year}年度“三公”经费支出决算数与预算数持平。"
        if self.evidence.needed(actual, budget):
            word = "大于" if actual > budget else "小于"
            reason = self.evidence.reason(
                ("三公",),
                "预算",
                "七（一）",
                f"“三公”经费支出决算数{word}预算数{wan(abs(actual - budget))}万元",
            )
            if reason:
                text += f"{self.year}年度“三公”经费支出决算数{word}预算数的主要原因：{reason}。"
        return text

    def three_previous(self, row: dict[str, Any]) -> str:
        p = self.previous
        y0 = self.year - 1
        if p is None:
            return (
                f"{self.year}年度为新设单位，无{y0}年度数据。"
                if self.new
                else f"与{y0}年度相比：{PLACEHOLDER_PREVIOUS}。"
            )
        parts, reasons = [], []
        for k, label, key in (
            ("abroad", "因公出国（境）费支出", "因公出国"),
            ("car", "公务用车购置及运行维护费支出", "公务用车"),
            ("reception", "公务接待费支出", "公务接待"),
        ):
            now, before = row[f"{k}_actual"], p.three.get(k, ZERO)
            d = now - before
            if not d:
                parts.append(f"{label}决算持平")
                continue
            parts.append(f"{label}决算{movement(now, before)}")
            if self.evidence.needed(now, before):
                reason = self.evidence.reason(
                    (key, "三公"), "上年", "七（一）", f"{label}{moved_by(d)}"
                )
                if reason:
                    reasons.append(f"{label}{'增加' if d > 0 else '减少'}的主要原因是{reason}。")
        d = row["total_actual"] - p.three.get("total", ZERO)
        if not d:
            head = f"{self.year}年度“三公”经费财政拨款支出决算数与{y0}年度持平"
        else:
            before = p.three.get("total", ZERO)
            head = (
                f"{self.year}年度“三公”经费财政拨款支出决算数比{y0}年度"
                f"{movement(row['total_actual'], before)}"
            )
        return head + "，其中：" + "；".join(parts) + "。" + "".join(reasons)

    def three_details(self, row: dict[str, Any]) -> list[str]:
        counts = self.ctx.flows(self.scope, self.year).three_counts
        items = [
            (label, self.q7(f"{k}_actual"), row[f"{k}_actual"])
            for k, label in (
                ("abroad", "因公出国（境）费支出决算"),
                ("car", "公务用车购置及运行维护费支出决算"),
                ("reception", "公务接待费支出决算"),
            )
        ]
        out = ["“三公”经费财政拨款支出决算中，" + share_list(items) + "。具体情况如下："]
        groups, persons = counts.get("因公出国", (ZERO, ZERO))
        line = f"1、因公出国（境）费支出{self.q7('abroad_actual')}万元"
        if groups:
            line += f"。全年安排因公出国（境）团组{_n(groups)}个、累计{_n(persons)}人次"
        elif row["abroad_actual"]:
            line += "。因公出国（境）团组、人次账簿未登记（groups / persons）"
        out.append(line + "。")
        fleet = sum(_vehicles(self.ctx, self.scope, self.year).values(), ZERO)
        out.append(
            f"2、公务用车购置及运行维护费支出{self.q7('car_actual')}万元。其中：公务用车购置支出为"
            f"{self.q7('car_buy_actual')}万元；公务用车运行维护支出{self.q7('car_run_actual')}万元。"
            f"{self.year}年，{self.name}开支财政拨款的公务用车保有量为{_n(fleet)}辆。"
        )
        batches, visitors = counts.get("公务接待", (ZERO, ZERO))
        line = f"3、公务接待费支出{self.q7('reception_actual')}万元"
        if row["reception_actual"] or batches:
            line += (
                f"。其中：国内公务接待支出{self.q7('reception_actual')}万元（含外宾接待支出0.00万元），"
                + (
                    f"公务接待{_n(batches)}批次、{_n(visitors)}人次（其中外宾0批次、0人次）"
                    if batches
                    else "公务接待批次、人次账簿未登记（groups / persons）"
                )
            )
        out.append(line + "。")
        return out

    # 八 / 九
    def funds(self) -> None:
        q = self.q
        for number, key, fund in (("八", "t8", "政府性基金"), ("九", "t9", "国有资本经营")):
            tb = self.tables[key]
            income, spent = q.value(key, "合计", "income"), q.value(key, "合计", "spent")
            if not (income or spent or tb.total.get("opening") or tb.total.get("closing")):
                text = f"{self.name}{self.year}年度无{fund}预算财政拨款收入和支出。"
            else:
                text = f"{fund}预算财政拨款收入{q(key, '合计', 'income')}万元，支出{q(key, '合计', 'spent')}万元。"
            self.add(f"{number}、{fund}预算财政拨款收入支出决算情况说明", text)

    # 十一
    def other_matters(self) -> list[str]:
        out = ["（一）机关运行经费支出情况", self.running()]
        out += ["（二）政府采购支出情况", *procurement_text(self.ctx, self.scope, self.year)]
        out += ["（三）国有资产占有使用情况说明", assets_text(self.ctx, self.scope, self.year)]
        return out

    def running(self) -> str:
        admin = admin_units(self.ctx, self.scope)
        if not admin:
            return f"{self.name}{self.year}年度无机关运行经费支出。"
        now = running_cost(self.ctx, Scope(admin, self.name), self.year)
        if self.ctx.tables.rounding == "cell":
            now = cell_value(now)
        text = f"机关运行经费支出{wan(now)}万元"
        p, y0 = self.previous, self.year - 1
        if p is None:
            return text + (
                f"，{self.year}年度为新设单位，无{y0}年度数据。"
                if self.new
                else f"，比{y0}年度：{PLACEHOLDER_PREVIOUS}。"
            )
        d = now - p.running
        if not d:
            return text + f"，与{y0}年度持平。"
        text += f"，比{y0}年度{movement(now, p.running)}。"
        if self.evidence.needed(now, p.running):
            reason = self.evidence.reason(
                ("机关运行经费",), "上年", "十一（一）", f"机关运行经费支出变动{wan(abs(d))}万元"
            )
            if reason:
                text += f"主要原因是{reason}。"
        return text


def _n(value: Decimal) -> str:
    return f"{value.normalize():f}" if value == value.to_integral_value() else f"{value}"


def _by_unit_rounded(ctx: Context, scope: Scope, by_unit) -> dict[str, Decimal]:
    """Per-function budget figures of each unit in 万元 (rounded per unit), added."""
    out: dict[str, Decimal] = defaultdict(Decimal)
    for unit in scope.units:
        for code, value in by_unit(unit).items():
            out[code] += (
                cell_value(value / 10000) if ctx.tables.rounding == "cell" else half_up(value)
            )
    return dict(out)


#: 基本支出 and 项目支出 (and the other unit types' spending): the parts of 说明 三.
SPENDING_PARTS = (
    ("基本支出", "basic"),
    ("项目支出", "project"),
    ("上缴上级支出", "remit"),
    ("经营支出", "operating"),
    ("对附属单位补助支出", "subsidy"),
)


def with_parts(q: Quotes, lead: str, table: str, parts: Iterable[tuple[str, str]]) -> str:
    """“{lead}，其中：A x万元，占 p%；…。”: a total and the non-zero parts of ``table``'s 合计."""
    items = [
        (label, q(table, "合计", key), q.value(table, "合计", key))
        for label, key in parts
        if q.value(table, "合计", key)
    ]
    return lead + (f"，其中：{share_list(items)}。" if items else "。")


def wanglai_text(ctx: Context, scope: Scope, year: int) -> str:
    """往来 money (warning D004): named, because it is in neither column."""
    moved = ctx.books.total(scope.units, year).wanglai
    if not moved:
        return ""
    way = "净流入" if moved > 0 else "净流出"
    return (
        f"本年度另有往来款项（暂付、暂收、借款等）{way}{wan(abs(half_up(moved)))}万元，"
        "不计入收入和支出，年末结转和结余已扣除。"
    )


def function_path(code: str, ctx: Context) -> str:
    """“城乡社区支出（类）城乡社区管理事务（款）行政运行（项）”, names by code."""
    parts = []
    for n, word in ((3, "类"), (5, "款"), (7, "项")):
        if len(code) >= n:
            parts.append(f"{t.function_name(code[:n], ctx.tables)}（{word}）")
    return "".join(parts)


def running_cost(ctx: Context, scope: Scope, year: int) -> Decimal:
    """机关运行经费: 一般公共预算 basic 公用经费 (not 301/303), in 万元 (units rounded)."""
    r = ctx.rounded(scope, year)
    return sum(
        (
            v
            for k, v in r.spend.items()
            if k.bucket == DEFAULT_FUND and k.cls == BASIC and k.economic[:3] not in ("301", "303")
        ),
        ZERO,
    )


def _grade(score: Decimal) -> str:
    if score >= 90:
        return "优"
    if score >= 80:
        return "良"
    if score >= 60:
        return "合格"
    return "不合格"


def performance_text(ctx: Context, scope: Scope, year: int) -> str:
    """十: projects with targets, their money, self-assessment scores and grades."""
    decl = ctx.analysis.declarations
    units = set(scope.units)
    amounts = project_amounts(ctx, units, year)
    # tasks and projects of earlier years still running count too
    for task in decl.tasks.values():
        if task.unit in units and task.start.year <= year <= task.end.year:
            amounts.setdefault(task.id, task.amount)
    with_targets = {m.ref for m in decl.targets if m.ref in amounts and m.date.year <= year}
    scores: dict[str, Decimal] = {}
    for ref in amounts:
        for record in (decl.tasks.get(ref), decl.projects.get(ref), decl.quotas.get(ref)):
            if record is not None and record.meta.get("score") is not None:
                scores[ref] = Decimal(str(record.meta["score"]))
    for m in sorted(decl.outputs, key=lambda m: m.date):
        if m.ref in amounts and m.date.year == year and m.meta.get("score") is not None:
            scores[m.ref] = Decimal(str(m.meta["score"]))
    money = half_up(sum((amounts[r] for r in with_targets), ZERO))
    text = (
        f"{scope.name}{year}年度预算绩效管理工作开展情况如下：全过程绩效管理实施情况：编报绩效目标的{year}年度项目{len(with_targets)}个，"
        f"涉及预算金额{wan(money)}万元"
    )
    if not scores:
        return text + f"；{year}年度账簿未记录绩效自评得分。"
    grades: dict[str, int] = defaultdict(int)
    for value in scores.values():
        grades[_grade(value)] += 1
    average = sum(scores.values(), ZERO) / len(scores)
    scored = half_up(sum((amounts[r] for r in scores), ZERO))
    return text + (
        f"；绩效自评的{year}年度项目{len(scores)}个，涉及预算金额{wan(scored)}万元，平均得分{wan(average)}分"
        f"（其中，绩效评级为“优”的项目{grades['优']}个；绩效评级为“良”的项目{grades['良']}个；"
        f"绩效评级为“合格”的项目{grades['合格']}个；绩效评级为“不合格”的项目{grades['不合格']}个）。"
    )


def procurement_text(ctx: Context, scope: Scope, year: int) -> list[str]:
    """十一（二）: contracts signed in the year (以合同签订为准) with the template's five
    中小企业 / 小微企业 amounts; without contracts, the payment basis said plainly."""
    name = scope.name
    kind = document_kind(scope) or "单位"
    units = set(scope.units)
    contracts = [
        c
        for c in ctx.analysis.declarations.contracts.values()
        if c.unit in units and c.date.year == year
    ]
    if contracts:
        kinds = {
            k: half_up(sum((c.amount for c in contracts if c.procurement == k), ZERO))
            for k in PROCUREMENT_KINDS
        }
        total = half_up(sum((c.amount for c in contracts), ZERO))
        reserved_sme = [c for c in contracts if c.reserved in ("中小企业", "小微企业")]
        reserved_small = [c for c in contracts if c.reserved == "小微企业"]

        def amount(items: Iterable[Any], attr: str = "amount") -> str:
            return wan(half_up(sum((getattr(c, attr) or ZERO for c in items), ZERO)))

        return [
            f"{name}{year}年度政府采购金额（以合同签订为准）为{wan(total)}万元，其中：货物采购金额"
            f"{wan(kinds['货物'])}万元、工程采购金额{wan(kinds['工程'])}万元、服务采购金额{wan(kinds['服务'])}万元。",
            f"{year}年度本{kind}面向中小企业预留政府采购项目预算金额{amount(reserved_sme, 'reserved_budget')}万元，"
            f"面向小微企业预留政府采购项目预算金额{amount(reserved_small, 'reserved_budget')}万元。"
            f"在面向中小企业预留的政府采购项目中，由中小企业供应商中标或成交的，采购金额"
            f"{amount(c for c in reserved_sme if c.sme)}万元；在面向小微企业预留政府采购项目中，由小微企业供应商"
            f"中标或成交的，采购金额{amount(c for c in reserved_small if c.small)}万元；在其他政府采购项目中，"
            f"由中小企业供应商中标或成交的，采购金额{amount(c for c in contracts if c.sme and not c.reserved)}万元。",
        ]
    r = ctx.rounded(scope, year)
    paid = {k: r.procurement.get(k, ZERO) for k in PROCUREMENT_KINDS}
    if not any(paid.values()):
        return [f"{name}{year}年度无政府采购支出。"]
    show = cell_value if ctx.tables.rounding == "cell" else (lambda v: v)
    return [
        f"{name}{year}年度账簿未登记政府采购合同，按支付数统计：政府采购支付金额{wan(show(sum(paid.values(), ZERO)))}万元，"
        f"其中：货物{wan(show(paid['货物']))}万元、工程{wan(show(paid['工程']))}万元、服务{wan(show(paid['服务']))}万元。"
    ]


def _vehicles(ctx: Context, scope: Scope, year: int) -> dict[str, Decimal]:
    vehicles: dict[str, Decimal] = defaultdict(Decimal)
    for (unit, y), flows in ctx.books.flows.items():
        if unit in scope.units and y <= year:
            for use, n in flows.vehicles.items():
                vehicles[use] += n
    return vehicles


#: The template's vehicle categories, all listed even when 0.
VEHICLE_USES = (
    "部级领导干部用车", "主要领导干部用车", "机要通信用车", "应急保障用车", "执法执勤用车",
    "特种专业技术用车", "离退休干部用车", "其他用车",
)  # fmt: skip


def assets_text(ctx: Context, scope: Scope, year: int) -> str:
    """十一（三）: vehicles by the template's categories, equipment ≥ 1,000,000 yuan."""
    vehicles = _vehicles(ctx, scope, year)
    equipment = sum(
        (f.equipment for (u, y), f in ctx.books.flows.items() if u in scope.units and y <= year),
        ZERO,
    )
    uses = [*VEHICLE_USES, *sorted(set(vehicles) - set(VEHICLE_USES))]
    day = datetime.date(year, 12, 31)
    return (
        f"截至{day.year}年{day.month}月{day.day}日，{scope.name}共有车辆{_n(sum(vehicles.values(), ZERO))}辆，其中："
        + "、".join(f"{use}{_n(vehicles.get(use, ZERO))}辆" for use in uses)
        + f"。单价100万元（含）以上设备（不含车辆）{_n(equipment)}台（套）。"
    )


def narrate(
    ctx: Context,
    scope: Scope,
    year: int,
    tables: dict[str, Table],
    r: Rounded,
    draft: bool,
) -> tuple[list[dict[str, Any]], list[dict[str, Any]], list[Missing]]:
    """The 情况说明 of a 决算: sections, the quoted cells, and the reasons still owed."""
    previous = previous_year(ctx, scope, year, draft)
    return Narrative(ctx, scope, year, tables, r, previous, draft).build()


__all__ = [
    "NON_FISCAL",
    "THREE_PUBLIC",
    "Missing",
    "PreviousYear",
    "PreviousYearError",
    "narrate",
]
