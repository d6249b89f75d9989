"""银行对账单 (bank statement) of a unit's 1002 银行存款 account → transactions + balances.

A statement names no unit, so the import config maps it (by file-name pattern or the
statement's own account number) to a unit; memo rules in the config map 摘要 words to
the other account and add metadata and task links.  The running 余额 is checked row by
row (a missing or doubled row breaks the chain) and becomes ``balance`` assertions: the
余额 after the last row of day D is asserted on D + 1, because Beancount's ``balance``
holds at the start of its date.
"""

from __future__ import annotations

import datetime
import os
from decimal import Decimal
from typing import NamedTuple

from sandao.importers.common import (
    ZERO,
    Draft,
    FileResult,
    RowError,
    RunContext,
    column_value,
    links_for,
    original_lines,
    q,
    total_amount,
)
from sandao.importers.config import BANK_COLUMNS, BANK_REQUIRED, BankRule
from sandao.importers.errors import fail
from sandao.importers.tables import Table
from sandao.importers.values import (
    ValueProblem,
    is_blank,
    parse_amount,
    parse_code,
    parse_date,
    parse_text,
)

NAME = "银行对账单"
COLUMNS = BANK_COLUMNS
REQUIRED = BANK_REQUIRED
KEY_COLUMN = "流水号"
AMOUNT_COLUMNS = ("借方发生额", "贷方发生额", "余额")


class _Line(NamedTuple):
    """One statement row, its cells parsed."""

    number: int
    date: datetime.date
    time: str
    serial: str
    memo: str
    counterparty: str
    counter_account: str
    debit: Decimal
    credit: Decimal
    balance: Decimal


def _other_account(ctx: RunContext, unit: str, rule: BankRule) -> tuple[str | None, str]:
    ledger = ctx.ledger
    unit_part = ctx.unit_component(unit)
    if rule.account:
        if rule.account in ledger.accounts:
            return rule.account, ""
        return (
            None,
            f"导入规则「{rule.memo}」的账户 {rule.account} 未在账本中开设，应先 open 该账户",
        )
    if rule.economic:
        account = ledger.find("Expenses", unit, rule.economic)
        if account is None:
            return (
                None,
                f"导入规则「{rule.memo}」的经济分类 {rule.economic} 在账本中没有账户 Expenses:{unit_part}:{rule.economic}-…，应先 open 该账户",
            )
        return account, ""
    department = rule.department or ""
    # A department's cash is 4609 其他收入; from the unit's own 主管部门 it is 4201 上级补助收入
    # (disclosure-standard.md: 财政拨款收入 is money from the finance bureau only).
    code, label = (
        ("4201", "上级补助收入")
        if ledger.supervisors.get(unit) == department
        else ("4609", "其他收入")
    )
    account = ledger.find("Income", unit, code, department)
    if account is None:
        name = ledger.departments.get(department, "…")
        return (
            None,
            f"导入规则「{rule.memo}」的部门账户 Income:{unit_part}:{code}-{label}:{department}-{name} 未在账本中开设，应先 open 该账户",
        )
    return account, ""


def _optional(value: object, multiplier: int) -> Decimal:
    return ZERO if is_blank(value) else parse_amount(value, multiplier)


def extract(table: Table, ctx: RunContext) -> FileResult:
    """Every row of one statement; problems are collected in the result.

    The steps: whose statement it is (:func:`_statement_account`), its lines read exactly
    (:func:`_read_lines`), in date order with every balance following from the one before
    (:func:`_check_sequence`), its first balance agreeing with the books
    (:func:`_opening_balance`), then a transaction per line and a balance assertion per
    day (:func:`_write_lines`).
    """
    result = FileResult(table.path, NAME)
    unit, bank = _statement_account(table, ctx)
    result.unit = unit
    parsed, originals = _read_lines(table, result)
    if result.problems:
        return result
    parsed = _check_sequence(table, result, parsed)
    if result.problems:
        return result
    if parsed:
        _opening_balance(result, table, ctx, unit, bank, parsed[0])
        if result.problems:
            return result
    _write_lines(table, ctx, result, unit, bank, parsed, originals)
    result.closing_balance = parsed[-1].balance if parsed else None
    if table.total is not None:
        _bank_total(result, table, parsed)
    return result


def _cell(table: Table, row: object, name: str) -> object:
    """The row's cell of a column ('' when the export has no such column)."""
    index = table.columns.get(name)
    return "" if index is None or index >= len(row) else row[index]  # type: ignore[arg-type]


def _statement_account(table: Table, ctx: RunContext) -> tuple[str, str]:
    """The unit the statement belongs to (the config, by file name or by the statement's
    own account number) and its 1002 account; refused when either is unknown."""
    columns = table.columns

    def cell(row: object, name: str) -> object:
        return _cell(table, row, name)

    # Which unit: the config by file name or by the statement's own account number.
    number_cell = ""
    if "本方账号" in columns:
        for _, row in table.rows:
            number_cell = str(cell(row, "本方账号")).strip()
            if number_cell:
                break
    unit = ctx.config.bank_unit(table.path, number_cell or None)
    if unit is None:
        raise fail(
            table.path,
            "无法确定这份银行对账单属于哪个单位：应在导入配置 [[bank.accounts]] 中按文件名（file）或账号（account_number）指定 unit",
        )
    if unit not in ctx.ledger.units:
        raise fail(
            table.path, f'导入配置把对账单指给单位 {unit}，但该单位未在账本中声明（custom "unit"）'
        )
    bank = ctx.ledger.find("Assets", unit, "1002")
    if bank is None:
        raise fail(
            table.path,
            f"账本未开设账户 Assets:{ctx.unit_component(unit)}:1002-银行存款，应先 open 该账户",
        )
    return unit, bank


def _read_lines(table: Table, result: FileResult) -> tuple[list[_Line], dict[int, str]]:
    """The statement's lines read exactly; problems of each row are collected."""
    columns = table.columns
    multiplier = table.multiplier

    def cell(row: object, name: str) -> object:
        return _cell(table, row, name)

    parsed: list[_Line] = []
    seen: dict[str, int] = {}
    originals: dict[int, str] = {}  # row → payee_original / narration_original lines
    for number, row in table.rows:
        result.rows += 1
        column = "交易日期"
        try:
            for name in ("借方发生额", "贷方发生额", "余额", "交易日期"):
                index = columns.get(name)
                if index is not None and (number, index) in table.formulas:
                    column = name
                    raise ValueProblem(
                        "单元格是公式，应为数值；请在 Excel 中“选择性粘贴为数值”后再导出"
                    )
            date = parse_date(cell(row, "交易日期"))
            column = "交易时间"
            time = parse_text(cell(row, "交易时间"))
            column = "流水号"
            serial = parse_code(cell(row, "流水号"), True, "流水号")
            column = "摘要"
            memo = parse_text(cell(row, "摘要"), True, "摘要")
            column = "对方户名"
            counterparty = parse_text(cell(row, "对方户名"))
            column = "对方账号"
            counter_account = parse_code(cell(row, "对方账号"), False, "对方账号")
            column = "借方发生额"
            debit = _optional(cell(row, "借方发生额"), multiplier)
            column = "贷方发生额"
            credit = _optional(cell(row, "贷方发生额"), multiplier)
            column = "余额"
            balance = parse_amount(cell(row, "余额"), multiplier)
            kept = original_lines(cell(row, "对方户名"), cell(row, "摘要"))
            if kept:
                originals[number] = kept.rstrip("\n")
        except ValueProblem as exc:
            result.problems.append(table.problem(number, column, str(exc)))
            continue
        problem = _line_problem(serial, debit, credit, seen)
        if serial not in seen:  # the first row of a serial, whatever else is wrong with it
            seen[serial] = number
        if problem is not None:
            result.problems.append(table.problem(number, *problem))
            continue
        parsed.append(
            _Line(
                number,
                date,
                time,
                serial,
                memo,
                counterparty,
                counter_account,
                debit,
                credit,
                balance,
            )
        )
    return parsed, originals


def _line_problem(
    serial: str, debit: Decimal, credit: Decimal, seen: dict[str, int]
) -> tuple[str, str] | None:
    """(column, message) of what is wrong with a line read well: a serial seen before, a
    negative amount, or both or neither of debit and credit."""
    if serial in seen:
        return (
            "流水号",
            f"流水号 {serial} 与第 {seen[serial]} 行重复，同一对账单中每笔流水只应出现一次",
        )
    if debit < 0 or credit < 0:
        return (
            "借方发生额" if debit < 0 else "贷方发生额",
            "发生额为负数，应为正数（借方=支出，贷方=收入）",
        )
    if (debit == 0) == (credit == 0):
        return "借方发生额", f"借方 {debit}、贷方 {credit}：应恰有一方有金额"
    return None


def _check_sequence(table: Table, result: FileResult, parsed: list[_Line]) -> list[_Line]:
    """The lines oldest first (statements are often printed newest first), each dated on
    or after the one before and its balance following from the one before."""
    if len(parsed) > 1 and parsed[0].date > parsed[-1].date:
        parsed.reverse()  # statements printed newest first
    previous: tuple[int, Decimal] | None = None
    last_date: datetime.date | None = None
    for number, date, _time, _serial, _memo, _cp, _ca, debit, credit, balance in parsed:
        if last_date is not None and date < last_date:
            result.problems.append(
                table.problem(
                    number, "交易日期", f"日期 {date} 早于上一行的 {last_date}，对账单应按日期排序"
                )
            )
        last_date = date
        if previous is not None:
            expected = previous[1] + credit - debit
            if expected != balance:
                result.problems.append(
                    table.problem(
                        number,
                        "余额",
                        f"余额不连续：第 {previous[0]} 行余额 {previous[1]} + 贷方 {credit} − 借方 {debit} = {expected}，本行余额却为 {balance}；可能缺行、重复行或金额有误",
                    )
                )
        previous = (number, balance)
    return parsed


def _write_lines(
    table: Table,
    ctx: RunContext,
    result: FileResult,
    unit: str,
    bank: str,
    parsed: list[_Line],
    originals: dict[int, str],
) -> None:
    """A transaction per line (its other account from the first matching memo rule) and a
    balance assertion after each day's last line; lines and days already imported are
    counted as duplicates."""
    source_name = os.path.basename(table.path)
    bank_keys, run_keys = ctx.ledger.bank_keys, ctx.run_bank_keys
    rule_accounts: dict[int, str] = {}
    for index, line in enumerate(parsed):
        number, date, time, serial, memo, counterparty, counter_account, debit, credit, balance = (
            line
        )
        result.sum_valid += credit - debit
        result.sum_all += credit - debit
        rule = ctx.config.bank_rule(memo)
        try:
            if rule is None:
                raise RowError(
                    "摘要",
                    f"摘要「{memo}」没有匹配的导入规则，应在导入配置 [[bank.rules]] 中添加（memo 为摘要中的关键词）",
                )
            other = rule_accounts.get(id(rule))
            if other is None:
                other, why = _other_account(ctx, unit, rule)
                if other is None:
                    raise RowError("摘要", why)
                rule_accounts[id(rule)] = other
            links, link_error = links_for(ctx, [memo], [rule.link] if rule.link else [])
            if link_error:
                raise RowError("摘要", link_error)
        except RowError as exc:
            result.problems.append(table.problem(number, exc.column, exc.message))
            continue
        if (bank, serial) in bank_keys or (bank, serial) in run_keys:
            result.duplicates += 1  # serials repeat across banks and units: keyed per account
        else:
            run_keys.add((bank, serial))
            amount = credit - debit
            tags = "".join(f" ^{link}" for link in links)
            lines = [f"{date} * {q(counterparty)} {q(memo)}{tags}", f"  serial: {q(serial)}"]
            if time:
                lines.append(f"  time: {q(time)}")
            for key, value in rule.meta.items():
                lines.append(f"  {key}: {q(value)}")
            if counterparty and ctx.is_person(counterparty):
                lines.append('  payee_type: "个人"')
            if counter_account:
                lines.append(f"  payee_account: {q(counter_account)}")
            lines.append(f"  source: {q(f'{source_name}:{number}')}")
            if originals.get(number):
                lines.append(originals[number])
            lines.append(f"  {bank}  {amount} CNY")
            lines.append(f"  {other}  {-amount} CNY")
            result.drafts.append(Draft(date, "\n".join(lines) + "\n", "transaction"))
            ctx.run_bank_postings.setdefault(bank, []).append((date, amount))
            result.entries += 1
        is_last_of_day = index + 1 == len(parsed) or parsed[index + 1].date != date
        if is_last_of_day:
            on = date + datetime.timedelta(days=1)
            key = (bank, on)
            if key in ctx.ledger.balance_keys or key in ctx.run_balance_keys:
                result.duplicates += 1
            else:
                ctx.run_balance_keys.add(key)
                result.drafts.append(Draft(on, f"{on} balance {bank}  {balance} CNY\n", "balance"))
                result.entries += 1


def _bank_total(result: FileResult, table: Table, parsed: list[_Line]) -> None:
    """A statement's 合计 row: debit and credit totals, each checked when printed."""
    number, row = table.total  # type: ignore[misc]
    checked = []
    for column, field in (("借方发生额", "debit"), ("贷方发生额", "credit")):
        raw = column_value(row, table.columns.get(column))
        if is_blank(raw):
            continue
        printed = total_amount(result, table, column, raw, parse_amount)
        if printed is None:
            continue
        actual = sum((getattr(line, field) for line in parsed), ZERO)
        if printed != actual:
            result.problems.append(
                table.problem(
                    number,
                    column,
                    f"合计行{column} {printed} 与数据行合计 {actual} 不符；整个文件拒绝导入",
                )
            )
        checked.append(column)
    result.control = "合计相符（" + "、".join(checked) + "）" if checked else "合计行无金额"


def _opening_balance(
    result: FileResult, table: Table, ctx: RunContext, unit: str, bank: str, first: _Line
) -> None:
    """Check the statement's opening balance against the books; write it when they have none.

    The opening balance is the first row's 余额 less its own movement.  Books with
    postings on the account before the first day must hold exactly that; books with
    none get an opening entry (借 1002 银行存款 / 贷 3001 累计盈余) when the unit opens
    3001, else the run stops with the entry to add.
    """
    number, day, debit, credit, balance = (
        first.number,
        first.date,
        first.debit,
        first.credit,
        first.balance,
    )
    opening = balance - credit + debit
    known, books = ctx.bank_balance_before(bank, day)
    how = f"第 {number} 行余额 {balance} − 贷方 {credit} + 借方 {debit}"
    if known:
        if books != opening:
            result.problems.append(
                table.problem(
                    number,
                    "余额",
                    f"对账单期初余额 {opening}（{how}）与账本中 {bank} 在 {day} 日初的余额 {books} "
                    f"不符（相差 {opening - books}）；应核对账本中 {day} 之前的银行存款分录"
                    "是否缺漏、重复或金额有误，整个文件未导入",
                )
            )
        return
    if opening == ZERO or (bank, day) in ctx.run_opening_keys:
        return
    equity = ctx.ledger.find("Equity", unit, "3001")
    opened = ctx.ledger.open_dates.get(bank)
    on = day - datetime.timedelta(days=1)
    if opened is not None and opened > on:
        on = day
    if equity is None:
        equity = f"Equity:{ctx.unit_component(unit)}:3001-累计盈余"
        entry = _opening_text(on, bank, equity, opening, table, number)
        result.problems.append(
            table.problem(
                number,
                "余额",
                f"账本中 {bank} 在 {day} 之前没有任何分录，而对账单期初余额为 {opening}（{how}）；"
                f"应先开设 {equity} 并在账本中记入期初余额，例如：\n{entry}",
            )
        )
        return
    ctx.run_opening_keys.add((bank, day))
    ctx.run_bank_postings.setdefault(bank, []).append((on, opening))
    result.drafts.append(
        Draft(on, _opening_text(on, bank, equity, opening, table, number), "transaction")
    )
    result.entries += 1
    result.notes.append(
        f"账本中 {bank} 在 {day} 之前没有分录：已按对账单期初余额 {opening}（{how}）写入期初分录"
        f"（{on}，借 1002 银行存款 / 贷 3001 累计盈余）；期初应记到别的科目时请改该分录"
    )


def _opening_text(
    on: datetime.date, bank: str, equity: str, opening: Decimal, table: Table, number: int
) -> str:
    source = f"{os.path.basename(table.path)}:{number}"
    return (
        f'{on} * "期初余额" "银行存款期初余额（按银行对账单倒推）"\n'
        f"  source: {q(source)}\n"
        f"  {bank}  {opening} CNY\n"
        f"  {equity}  {-opening} CNY\n"
    )
