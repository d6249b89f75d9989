"""The tables of both documents, built from rounded atoms (万元) — never from yuan again.

Each function takes a :class:`~sandao.reports.disclosure.rounding.Rounded` (a unit's or
the county's) and returns a :class:`~sandao.reports.model.Table` with the template's
labels; the 决算 and the 预算 share every shape and differ in titles and labels only.
Row ``label`` fields carry what the 情况说明 quotes, so a test can find every quoted cell.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sandao.reports.codes import UNKNOWN_NAME
from sandao.reports.disclosure.rounding import Rounded, cell_value
from sandao.reports.disclosure.sources import (
    BASIC,
    BUCKETS,
    DEFAULT_FUND,
    FISCAL,
    FUND_TYPES,
    NON_FISCAL,
    OPERATING,
    PROJECT,
    PUBLISHED_SOURCE,
    REMIT,
    SOURCES,
    SUBSIDY,
    THREE_PUBLIC,
)
from sandao.reports.disclosure.tableset import NUMERALS, TableSet
from sandao.reports.model import MONEY, TEXT, Column, Table
from sandao.reports.provenance import retrace

ZERO = Decimal(0)
FISCAL_BUCKETS = FUND_TYPES


@dataclass(frozen=True)
class Words:
    """Labels that differ between the 决算 and the 预算 (the 预算 says 拨款收入, 上年结转…)."""

    final: bool

    @property
    def amount(self) -> str:
        return "决算数" if self.final else "预算数"

    def income_label(self, label: str) -> str:
        return label if self.final else label.replace("财政拨款收入", "拨款收入")


def function_name(code: str, tables: TableSet) -> str:
    """The 类/款/项 name of a function code; 【科目名称未知】 when nobody named it (a final
    决算 never gets here with such a code: :func:`unnamed_codes` stops it first)."""
    if len(code) == 3:
        label = tables.class_label(code)
        if label:
            return label.split("、", 1)[-1]
    return tables.names.function_name(code) or UNKNOWN_NAME


def economic_name(code: str, tables: TableSet) -> str:
    return tables.names.economic_name(code) or UNKNOWN_NAME


def unnamed_codes(r: Rounded, tables: TableSet) -> tuple[list[str], list[str]]:
    """Function codes (with their 类 and 款) and economic codes of ``r`` that have no name."""
    functions: set[str] = set()
    for _, _, function in r.income:
        functions |= {function[:n] for n in (3, 5, 7) if len(function) >= n}
    economics: set[str] = set()
    for k in r.spend:
        functions |= {k.function[:n] for n in (3, 5, 7) if len(k.function) >= n}
        if k.bucket == DEFAULT_FUND and k.cls == BASIC and k.economic:
            economics |= {k.economic[:3], k.economic}
    return (
        sorted(c for c in functions if function_name(c, tables) == UNKNOWN_NAME),
        sorted(c for c in economics if economic_name(c, tables) == UNKNOWN_NAME),
    )


def _sum(values: Iterable[Decimal]) -> Decimal:
    return sum(values, ZERO)


def _table(
    key: str,
    tables: TableSet,
    columns: list[Column],
    rows: list[dict[str, Any]],
    total: dict[str, Any] | None,
    notes: Iterable[str] = (),
    level: str | None = None,
) -> Table:
    return Table(
        key,
        tables.title(key),
        columns,
        rows,
        total=total,
        notes=[tables.note(key), *notes],
        scale="万元",
        level=level,
    )


# -- 表一 / 表四: the two-sided summaries ------------------------------------------------


def income_by_row(r: Rounded) -> dict[str, Decimal]:
    """表一 income rows (keyed as :data:`tableset.INCOME_ROWS`) from the atoms."""
    out: dict[str, Decimal] = defaultdict(Decimal)
    for (bucket, source, _), value in r.income.items():
        out[bucket if source == FISCAL else PUBLISHED_SOURCE.get(source, source)] += value
    return out


def spend_by_class(r: Rounded, buckets: Iterable[str] = BUCKETS) -> dict[str, Decimal]:
    chosen = set(buckets)
    out: dict[str, Decimal] = defaultdict(Decimal)
    for key, value in r.spend.items():
        if key.bucket in chosen:
            out[key.function[:3]] += value
    return out


def class_rows(tables: TableSet, used: Iterable[str]) -> list[tuple[str, str]]:
    """The template's 类 rows, plus any class the books use that the set lacks (at the end)."""
    rows = list(tables.function_classes)
    known = {c for c, _ in rows}
    for code in sorted(set(used) - known):
        n = len(rows)
        numeral = NUMERALS[n] if n < len(NUMERALS) else str(n + 1)
        rows.append((code, f"{numeral}、{function_name(code, tables)}"))
    return rows


TEXT_SUFFIXES = ("item", "code", "name")


def _pair(left: list[dict], right: list[dict], lkeys: list[str], rkeys: list[str]) -> list[dict]:
    """Lay two sides next to each other; the shorter side is padded with blank rows."""
    n = max(len(left), len(right))
    rows = []
    for i in range(n):
        row: dict[str, Any] = {}
        for side, keys in ((left, lkeys), (right, rkeys)):
            cells = side[i] if i < len(side) else {}
            for k in keys:
                row[k] = cells.get(k, "" if k.endswith(TEXT_SUFFIXES) else None)
        rows.append(row)
    return rows


def summary(r: Rounded, tables: TableSet, words: Words, key: str) -> Table:
    """表一 收入支出决算总表 / 预算 表一 部门收支总表."""
    final = words.final
    by_row = income_by_row(r)
    classes = spend_by_class(r)
    income_total = _sum(by_row.values())
    spend_total = _sum(classes.values())
    opening = _sum(r.opening.values())
    closing = _sum(r.closing.values())
    left = [
        {"in_item": words.income_label(label), "in_amount": by_row.get(k, ZERO)}
        for k, label in tables.income_rows
    ]
    right = [
        {"out_item": label, "out_amount": classes.get(code, ZERO), "code": code}
        for code, label in class_rows(tables, classes)
    ]
    lkeys, rkeys = ["in_item", "in_amount"], ["out_item", "out_amount"]
    body = _pair(left, right, lkeys, rkeys)
    if final:
        used = _sum(r.use_balance.values())
        given = _sum(r.distribution.values())
        tail_left = [
            ("本年收入合计", income_total),
            ("使用非财政拨款结余", used),
            ("年初结转和结余", opening),
        ]
        tail_right = [
            ("本年支出合计", spend_total),
            ("结余分配", given),
            ("年末结转和结余", closing),
        ]
        total = {"in_item": "总计", "in_amount": income_total + used + opening}
        total.update({"out_item": "总计", "out_amount": spend_total + given + closing})
    else:
        tail_left = [("本年收入合计", income_total), ("上年结转", opening)]
        tail_right = [("本年支出合计", spend_total), ("结转下年", closing)]
        total = {"in_item": "收入总计", "in_amount": income_total + opening}
        total.update({"out_item": "支出总计", "out_amount": spend_total + closing})
    for (li, lv), (ri, rv) in zip(tail_left, tail_right, strict=True):
        body.append({"in_item": li, "in_amount": lv, "out_item": ri, "out_amount": rv})
    columns = [
        Column("in_item", "收入项目"),
        Column("in_amount", f"收入{words.amount}", MONEY),
        Column("out_item", "支出项目"),
        Column("out_amount", f"支出{words.amount}", MONEY),
    ]
    return _table(key, tables, columns, body, total)


def fiscal_summary(r: Rounded, tables: TableSet, words: Words, key: str) -> Table:
    """表四 财政拨款收入支出决算总表 / 预算 表四 财政拨款收支总表 (by fund type)."""
    by_row = income_by_row(r)
    income = {b: by_row.get(b, ZERO) for b in FISCAL_BUCKETS}
    by_fund = {b: spend_by_class(r, [b]) for b in FISCAL_BUCKETS}
    used = set().union(*(set(v) for v in by_fund.values()))
    fund_keys = ("general", "fund", "capital")
    left = [
        {"in_item": words.income_label(label).removesuffix("收入"), "in_amount": income[k]}
        for k, label in tables.income_rows
        if k in FISCAL_BUCKETS
    ]
    right = []
    for code, label in class_rows(tables, used):
        cells = {
            fk: by_fund[b].get(code, ZERO) for fk, b in zip(fund_keys, FISCAL_BUCKETS, strict=True)
        }
        right.append({"out_item": label, "out_total": _sum(cells.values()), **cells, "code": code})
    lkeys = ["in_item", "in_amount"]
    rkeys = ["out_item", "out_total", *fund_keys]
    body = _pair(left, right, lkeys, rkeys)
    spent = {b: _sum(by_fund[b].values()) for b in FISCAL_BUCKETS}

    def split(values: dict[str, Decimal]) -> dict[str, Decimal]:
        cells = {fk: values[b] for fk, b in zip(fund_keys, FISCAL_BUCKETS, strict=True)}
        return {"out_total": _sum(cells.values()), **cells}

    opening = {b: r.opening.get(b, ZERO) for b in FISCAL_BUCKETS}
    closing = {b: r.closing.get(b, ZERO) for b in FISCAL_BUCKETS}
    begin, end = (
        ("年初财政拨款结转和结余", "年末财政拨款结转和结余")
        if words.final
        else ("上年结转", "结转下年")
    )
    body.append(
        {
            "in_item": "本年收入合计",
            "in_amount": _sum(income.values()),
            "out_item": "本年支出合计",
            **split(spent),
        }
    )
    body.append(
        {"in_item": begin, "in_amount": _sum(opening.values()), "out_item": end, **split(closing)}
    )
    labels = [label for k, label in tables.income_rows if k in FISCAL_BUCKETS]
    for b, label in zip(FISCAL_BUCKETS, labels, strict=True):
        short = words.income_label(label).removesuffix("收入")
        cells = {
            fk: (closing[b] if b == fb else ZERO)
            for fk, fb in zip(fund_keys, FISCAL_BUCKETS, strict=True)
        }
        body.append(
            {
                "in_item": short,
                "in_amount": opening[b],
                "out_item": short,
                "out_total": closing[b],
                **cells,
            }
        )
    total_in = _sum(income.values()) + _sum(opening.values())
    total_out = {b: spent[b] + closing[b] for b in FISCAL_BUCKETS}
    total = {"in_item": "总计", "in_amount": total_in, "out_item": "总计", **split(total_out)}
    columns = [
        Column("in_item", "收入项目"),
        Column("in_amount", f"收入{words.amount}", MONEY),
        Column("out_item", "支出项目"),
        Column("out_total", "合计", MONEY),
        Column("general", "一般公共预算财政拨款", MONEY),
        Column("fund", "政府性基金预算财政拨款", MONEY),
        Column("capital", "国有资本经营预算财政拨款", MONEY),
    ]
    if not words.final:
        for c in columns[4:]:
            object.__setattr__(c, "label", c.label.replace("财政拨款", "拨款"))
    return _table(key, tables, columns, body, total)


# -- 类/款/项 tables ----------------------------------------------------------------------


def hierarchy_rows(
    leaves: dict[str, dict[str, Decimal]], keys: list[str], tables: TableSet
) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """类 / 款 / 项 rows (code, name, level) summed from the 项 leaves, and the 合计 row."""
    groups: dict[str, dict[str, Decimal]] = {}
    for code, values in leaves.items():
        for n in (3, 5, 7):
            if len(code) < n:
                break
            slot = groups.setdefault(code[:n], defaultdict(Decimal))
            for k in keys:
                slot[k] += values.get(k, ZERO)
    rows = []
    for code in sorted(groups):
        values = groups[code]
        if not any(values.get(k) for k in keys):
            continue
        level = {3: 0, 5: 1, 7: 2}.get(len(code), 2)
        rows.append(
            {
                "code": code,
                "name": function_name(code, tables),
                "level": level,
                **{k: values.get(k, ZERO) for k in keys},
            }
        )
    total = {
        "code": "",
        "name": "合计",
        **{k: _sum(v.get(k, ZERO) for c, v in leaves.items()) for k in keys},
    }
    return rows, total


CODE_COLUMNS = [Column("code", "科目编码"), Column("name", "科目名称")]


def income_table(r: Rounded, tables: TableSet, words: Words, key: str) -> Table:
    """表二 收入决算表 (功能分类 rows; one column per source)."""
    keys = ["fiscal", "superior", "business", "operating", "affiliated", "other"]
    by_source = dict(zip(SOURCES, [*keys, "other"], strict=True))
    leaves: dict[str, dict[str, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    for (_, source, function), value in r.income.items():
        leaves[function][by_source[source]] += value
        leaves[function]["total"] += value
    rows, total = hierarchy_rows(leaves, ["total", *keys], tables)
    labels = [
        "财政拨款收入",
        "上级补助收入",
        "事业收入",
        "经营收入",
        "附属单位上缴收入",
        "其他收入",
    ]
    columns = [*CODE_COLUMNS, Column("total", "本年收入合计", MONEY)]
    columns += [Column(k, label, MONEY) for k, label in zip(keys, labels, strict=True)]
    return _table(key, tables, columns, rows, total, level="level")


#: 表三's column of each spending class (sources.py).
SPENDING_COLUMNS: dict[str, str] = {
    BASIC: "basic", PROJECT: "project", REMIT: "remit", OPERATING: "operating", SUBSIDY: "subsidy",
}  # fmt: skip


def spending_table(r: Rounded, tables: TableSet, words: Words, key: str) -> Table:
    """表三 支出决算表 (功能分类 rows; 基本 / 项目 / 上缴上级 / 经营 / 对附属单位补助)."""
    leaves: dict[str, dict[str, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    for k, value in r.spend.items():
        leaves[k.function][SPENDING_COLUMNS.get(k.cls, "project")] += value
        leaves[k.function]["total"] += value
    keys = ["total", "basic", "project", "remit", "operating", "subsidy"]
    rows, total = hierarchy_rows(leaves, keys, tables)
    labels = [
        "本年支出合计",
        "基本支出",
        "项目支出",
        "上缴上级支出",
        "经营支出",
        "对附属单位补助支出",
    ]
    columns = [
        *CODE_COLUMNS,
        *(Column(k, label, MONEY) for k, label in zip(keys, labels, strict=True)),
    ]
    return _table(key, tables, columns, rows, total, level="level")


def general_table(
    r: Rounded, tables: TableSet, words: Words, key: str, bucket: str | None = DEFAULT_FUND
) -> Table:
    """表五 一般公共预算财政拨款支出决算表 (预算 表三 with ``bucket=None``: every source):
    合计 / 基本支出 / 项目支出 by 功能分类."""
    leaves: dict[str, dict[str, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    for k, value in r.spend.items():
        if bucket is None or k.bucket == bucket:
            leaves[k.function]["basic" if k.cls == BASIC else "project"] += value
            leaves[k.function]["total"] += value
    rows, total = hierarchy_rows(leaves, ["total", "basic", "project"], tables)
    columns = [
        *CODE_COLUMNS,
        Column("total", "合计", MONEY),
        Column("basic", "基本支出", MONEY),
        Column("project", "项目支出", MONEY),
    ]
    return _table(key, tables, columns, rows, total, level="level")


def fund_table(
    r: Rounded, tables: TableSet, words: Words, key: str, bucket: str, name: str
) -> Table:
    """表八 / 表九: 政府性基金 / 国有资本经营 财政拨款 收入支出 by 功能分类."""
    leaves: dict[str, dict[str, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    for (b, source, function), value in r.income.items():
        if b == bucket and source == FISCAL:
            leaves[function]["income"] += value
    for k, value in r.spend.items():
        if k.bucket == bucket:
            leaves[k.function]["basic" if k.cls == BASIC else "project"] += value
            leaves[k.function]["spent"] += value
    keys = ["income", "spent", "basic", "project"]
    rows, total = hierarchy_rows(leaves, keys, tables)
    for row in rows:
        row["opening"] = row["closing"] = None
    total["opening"] = r.opening.get(bucket, ZERO)
    total["closing"] = r.closing.get(bucket, ZERO)
    if words.final:
        columns = [
            *CODE_COLUMNS,
            *Column.many(MONEY, opening="年初结转和结余", income="本年收入", spent="本年支出合计"),
            *Column.many(MONEY, basic="本年支出基本支出", project="本年支出项目支出"),
            Column("closing", "年末结转和结余", MONEY),
        ]
    else:
        columns = [
            *CODE_COLUMNS,
            Column("spent", "合计", MONEY),
            Column("basic", "基本支出", MONEY),
            Column("project", "项目支出", MONEY),
        ]
    notes = []
    if not any(total.get(k) for k in ("opening", "income", "spent", "closing")):
        notes.append(
            f"说明：{name}本年度没有{'政府性基金' if bucket == '政府性基金' else '国有资本经营'}预算财政拨款收入和支出，故本表无数据。"
        )
    return _table(key, tables, columns, rows, total, notes, level="level")


# -- 表六 基本支出 (two panels), 表七 “三公” -------------------------------------------------


def basic_table(r: Rounded, tables: TableSet, words: Words, key: str) -> Table:
    """表六: 人员经费 (301, 303) left, 公用经费 (302, 310, others) right; every template code."""
    by_code: dict[str, Decimal] = defaultdict(Decimal)
    for k, value in r.spend.items():
        if k.bucket == DEFAULT_FUND and k.cls == BASIC:
            by_code[k.economic] += value
    personnel_classes = ("301", "303")
    left_codes = list(tables.basic_personnel)
    right_codes = list(tables.basic_public)
    for code in sorted(c for c in by_code if len(c) == 5 and c not in left_codes + right_codes):
        (left_codes if code[:3] in personnel_classes else right_codes).append(code)
    for code in sorted(
        {c[:3] for c in by_code if c} - {c for c in left_codes + right_codes if len(c) == 3}
    ):
        (left_codes if code in personnel_classes else right_codes).append(code)
    # keep every class followed by its items
    left_codes = _grouped(left_codes)
    right_codes = _grouped(right_codes)

    def value(code: str) -> Decimal:
        if len(code) == 3:
            return _sum(v for c, v in by_code.items() if c[:3] == code)
        return by_code.get(code, ZERO)

    def name(code: str) -> str:
        return economic_name(code, tables)

    left = [{"l_code": c, "l_name": name(c), "l_amount": value(c)} for c in left_codes]
    right = [{"r_code": c, "r_name": name(c), "r_amount": value(c)} for c in right_codes]
    rows = _pair(left, right, ["l_code", "l_name", "l_amount"], ["r_code", "r_name", "r_amount"])
    personnel = _sum(v for c, v in by_code.items() if c[:3] in personnel_classes)
    public = _sum(v for c, v in by_code.items() if c[:3] not in personnel_classes)
    total = {
        "l_code": "",
        "l_name": "人员经费合计",
        "l_amount": personnel,
        "r_code": "",
        "r_name": "公用经费合计",
        "r_amount": public,
    }
    amount = words.amount
    columns = [
        Column("l_code", "经济分类科目编码"),
        Column("l_name", "科目名称"),
        Column("l_amount", amount, MONEY),
        Column("r_code", "经济分类科目编码"),
        Column("r_name", "科目名称"),
        Column("r_amount", amount, MONEY),
    ]
    return _table(key, tables, columns, rows, total)


def _grouped(codes: list[str]) -> list[str]:
    order: list[str] = []
    for cls in dict.fromkeys(c[:3] for c in codes):
        order.append(cls)
        order += [c for c in codes if len(c) > 3 and c[:3] == cls]
    return order


THREE_KEYS = ("total", "abroad", "car", "car_buy", "car_run", "reception")
THREE_LABELS = (
    "合计",
    "因公出国（境）费",
    "公务用车购置及运行维护费小计",
    "公务用车购置费",
    "公务用车运行维护费",
    "公务接待费",
)


def three_values(by_category: dict[str, Decimal]) -> dict[str, Decimal]:
    """“三公” by category → the table's six figures (合计 and 小计 summed from the parts)."""
    abroad, buy, run, reception = (by_category.get(c, ZERO) for c in THREE_PUBLIC)
    return {
        "total": abroad + buy + run + reception,
        "abroad": abroad,
        "car": buy + run,
        "car_buy": buy,
        "car_run": run,
        "reception": reception,
    }


def three_spent(r: Rounded) -> dict[str, Decimal]:
    out: dict[str, Decimal] = defaultdict(Decimal)
    for k, value in r.spend.items():
        if k.three and k.bucket != NON_FISCAL:
            out[k.three] += value
    return out


def three_table(
    r: Rounded, tables: TableSet, words: Words, key: str, budget: dict[str, Decimal], name: str
) -> Table:
    """表七: one row; 合计, 出国, 公车 {小计, 购置, 运行维护}, 接待 — each 预算数 / 决算数."""
    plan = three_values(budget)
    columns: list[Column] = []
    row: dict[str, Any] = {}
    if words.final:
        actual = three_values(three_spent(r))
        for k, label in zip(THREE_KEYS, THREE_LABELS, strict=True):
            columns.append(Column(f"{k}_budget", f"{label}／预算数", MONEY))
            columns.append(Column(f"{k}_actual", f"{label}／决算数", MONEY))
            row[f"{k}_budget"] = plan[k]
            row[f"{k}_actual"] = actual[k]
    else:
        for k, label in zip(THREE_KEYS, THREE_LABELS, strict=True):
            columns.append(Column(k, label, MONEY))
            row[k] = plan[k]
    notes = []
    if not any(row.values()):
        notes.append(f"说明：{name}本年度没有财政拨款“三公”经费支出，故本表无数据。")
    return _table(key, tables, columns, [row], None, notes)


# -- 项目支出表 ----------------------------------------------------------------------------


def project_table(
    r: Rounded,
    tables: TableSet,
    words: Words,
    key: str,
    describe: Callable[[str], tuple[str, str]],
) -> Table:
    """One row per construction project, else task, else 项目-class quota (all sources)."""
    rows_by: dict[str, dict[str, Any]] = {}
    for k, value in r.spend.items():
        if k.cls != PROJECT:
            continue
        row = rows_by.get(k.ref)
        if row is None:
            name, kind = describe(k.ref) if k.ref else ("其他项目支出", "")
            row = rows_by[k.ref] = {
                "ref": k.ref, "name": name, "kind": kind, "function": k.function,
                "total": ZERO, "fiscal": ZERO, "other": ZERO,
            }  # fmt: skip
        row["total"] += value
        row["fiscal" if k.bucket != NON_FISCAL else "other"] += value
    rows = [rows_by[ref] for ref in sorted(rows_by, key=lambda x: (x == "", x))]
    rows = [row for row in rows if row["total"]]
    for row in rows:
        row["function_name"] = function_name(row["function"], tables)
    total = {"ref": "", "name": "合计", "total": _sum(r["total"] for r in rows)}
    total.update(fiscal=_sum(r["fiscal"] for r in rows), other=_sum(r["other"] for r in rows))
    columns = [
        *Column.many(ref="项目编号", name="项目名称", kind="项目类别"),
        *Column.many(function="功能分类科目编码", function_name="功能分类科目名称"),
        *Column.many(MONEY, total=f"{words.amount}合计", fiscal="财政拨款", other="其他资金"),
    ]
    return _table(key, tables, columns, rows, total)


# -- rounding = "cell": each printed cell on its own, and the 尾差 note -------------------

#: The note under a table whose printed parts and total differ (``rounding = "cell"``).
TAIL_NOTE = "尾差说明：本表金额按万元逐项四舍五入列示，分项之和与合计数可能存在尾差。"


def round_cells(table: Table) -> None:
    """Every money cell of ``table`` (summed from unrounded 万元) half-up to 0.01."""
    keys = table.money_keys
    for row in [*table.rows, *([table.total] if table.total else [])]:
        for k in keys:
            value = row.get(k)
            if isinstance(value, Decimal):
                row[k] = retrace(cell_value(value), value)


def _differs(parts: Iterable[Decimal | None], whole: Decimal | None) -> bool:
    return _sum(p or ZERO for p in parts) != (whole or ZERO)


def has_tails(table: Table) -> bool:
    """Whether printed parts and their printed total differ anywhere in ``table``: 类/款/项
    rows against their children and the 合计 row, 表一/表四's income and spending rows
    against 本年收入合计 / 本年支出合计, 表六's panels against their 合计."""
    keys = table.money_keys
    rows = table.rows
    if keys and keys[0] == "total":  # 表二/三/五: 合计 against the columns that part it
        parts = keys[1:]
        for row in [*rows, *([table.total] if table.total else [])]:
            if _differs((row.get(k) for k in parts), row.get("total")):
                return True
    if table.level:
        for i, row in enumerate(rows):
            code = str(row.get("code") or "")
            children = [
                r for r in rows[i + 1 :]
                if str(r.get("code") or "").startswith(code) and r.get(table.level) == row[table.level] + 1
            ]  # fmt: skip
            if children and any(_differs((c.get(k) for c in children), row.get(k)) for k in keys):
                return True
        top = [r for r in rows if r.get(table.level) == 0]
        if (
            table.total
            and top
            and any(_differs((r.get(k) for r in top), table.total.get(k)) for k in keys)
        ):
            return True
    if "in_item" in table.keys:
        out_key = "out_amount" if "out_amount" in table.keys else "out_total"
        for item, amount, total in (
            ("in_item", "in_amount", "本年收入合计"),
            ("out_item", out_key, "本年支出合计"),
        ):
            at = next((i for i, r in enumerate(rows) if r.get(item) == total), None)
            if at is None:
                continue
            parts = [r.get(amount) for r in rows[:at] if "、" in str(r.get(item) or "")]
            if _differs(parts, rows[at].get(amount)):
                return True
    if "l_amount" in table.keys and table.total:
        for side in ("l", "r"):
            cells = {str(r.get(f"{side}_code") or ""): r.get(f"{side}_amount") for r in rows}
            classes = [c for c in cells if len(c) == 3]
            if _differs((cells[c] for c in classes), table.total.get(f"{side}_amount")):
                return True
            for cls in classes:
                items = [v for c, v in cells.items() if len(c) > 3 and c.startswith(cls)]
                if items and _differs(items, cells[cls]):
                    return True
    return False


def note_tails(table: Table) -> None:
    if has_tails(table) and TAIL_NOTE not in table.notes:
        table.notes.append(TAIL_NOTE)


def relabel(table: Table, tables: TableSet) -> None:
    """The province's words (``[disclosure] labels``) in row labels and column headings."""
    if not tables.labels:
        return
    for column in table.columns:
        object.__setattr__(column, "label", tables.label(column.label))
    for row in [*table.rows, *([table.total] if table.total else [])]:
        for k, v in row.items():
            if isinstance(v, str) and v in tables.labels:
                row[k] = tables.labels[v]


def cell(table: Table, label: str, column: str) -> Decimal | None:
    """The cell of the row whose text field is ``label`` (or the total row), for the text."""
    candidates = [*table.records(), *([table.total] if table.total else [])]
    for row in candidates:
        if any(v == label for k, v in row.items() if isinstance(v, str)):
            value = row.get(column)
            if value is not None:
                return value
    return None


__all__ = ["TEXT", "Words", "cell"]
