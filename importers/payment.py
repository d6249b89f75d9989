"""国库集中支付 (treasury payment) export → one transaction per payment.

Dr the unit's expense account by economic code (capital codes → the 1613 在建工程 asset
account when the books open it) / Cr 1011 零余额账户用款额度, for 直接支付 and 授权支付
alike.  The voucher, quota, function and payment method go to metadata; the payee's
account number and bank too (never into payee or narration); an individual payee is
marked ``payee_type: "个人"`` so public reports can mask the name.

Voided rows (作废) are skipped and counted.  Refunds become reversing entries: a
negative row (or 已退回) is booked Dr 1011 / Cr the expense account, with metadata
``refund_of`` naming the original 支付凭证号 and the link ``^<original voucher>``; the
original gets the same link when it is extracted in the same run.  A positive row
whose status is 已退回 is a payment that was returned: both the payment and its
reversal are written, linked by the voucher.
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from sandao.importers.common import (
    ZERO,
    Draft,
    FileResult,
    RunContext,
    control_total,
    links_for,
    open_account_hint,
    original_lines,
    q,
)
from sandao.importers.config import PAYMENT_COLUMNS, PAYMENT_REQUIRED
from sandao.importers.tables import Table
from sandao.importers.values import (
    FAST_CODE,
    ParseOnce,
    ValueProblem,
    parse_amount,
    parse_code,
    parse_date,
    parse_text,
)
from sandao.ledger.model import Quota
from sandao.ledger.vocabulary import ECONOMIC_CODE, FUNCTION_CODE, PROJECT_ID, TASK_ID

NAME = "国库集中支付"
COLUMNS = PAYMENT_COLUMNS
REQUIRED = PAYMENT_REQUIRED
KEY_COLUMN = "支付凭证号"
AMOUNT_COLUMNS = ("支付金额",)
_VOUCHER_TOKEN = re.compile(r"[A-Z]{1,6}\d{6,}")
_LINK_SAFE = re.compile(r"[A-Za-z0-9_./-]+")


class _Cell(Exception):
    def __init__(self, column: str, message: str) -> None:
        super().__init__(message)
        self.column = column
        self.message = message


def extract(table: Table, ctx: RunContext) -> FileResult:
    """Every payment row of one export; problems are collected in the result."""
    result = FileResult(table.path, NAME)
    columns = table.columns
    ledger = ctx.ledger
    source_open = q(os.path.basename(table.path) + ":")[:-1]  # '"name.csv:' (row appended)

    def at(name: str) -> int:
        return columns.get(name, -1)

    i_voucher, i_date, i_amount = at("支付凭证号"), at("支付日期"), at("支付金额")
    i_unit, i_quota, i_project = at("预算单位编码"), at("指标编号"), at("项目编码")
    i_function, i_economic = at("功能分类编码"), at("经济分类编码")
    i_payee, i_account, i_bank = at("收款人全称"), at("收款人账号"), at("收款人开户行")
    i_method, i_purpose, i_status = at("支付方式"), at("用途"), at("状态")
    i_econ_name, i_original = at("经济分类名称"), at("原支付凭证号")
    width = max(columns.values()) + 1
    multiplier = table.multiplier
    formulas = table.formulas
    formula_columns = [
        (name, columns[name]) for name in ("支付金额", "支付日期", "支付凭证号") if name in columns
    ]

    seen: dict[str, int] = {}
    # Codes, dates and short texts repeat across rows: parse each distinct cell once.
    c_date = ParseOnce(parse_date)
    c_unit = ParseOnce(lambda raw: parse_code(raw, True, "预算单位编码"))
    c_quota = ParseOnce(lambda raw: parse_code(raw, True, "指标编号"))
    c_function = ParseOnce(lambda raw: parse_code(raw, True, "功能分类编码"))
    c_economic = ParseOnce(lambda raw: parse_code(raw, True, "经济分类编码"))
    c_project = ParseOnce(lambda raw: parse_code(raw, False, "项目编码"))
    c_payee = ParseOnce(lambda raw: parse_text(raw, True, "收款人名称"))
    c_account = ParseOnce(lambda raw: parse_code(raw, False, "收款人账号"))
    c_text = ParseOnce(parse_text)
    combo_cache: dict[tuple[str, str, str, str], tuple[Quota, str, bool, str] | _Cell] = {}
    person_cache: dict[str, bool] = {}
    meta_cache: dict[tuple[str, str, str, str], str] = {}
    bank_cache: dict[str, str] = {}
    refunds: list[tuple[str, str, int]] = []  # (original voucher, refund voucher, row)
    quotas_noted: set[str] = set()
    drafts = result.drafts
    problems = result.problems
    payment_keys, run_keys = ledger.payment_keys, ctx.run_payment_keys
    total = len(table.rows)
    progress = ctx.progress

    # Summed once at the end (sum() of a list is faster than += on the result per row).
    amounts_all: list[Decimal] = []
    amounts_valid: list[Decimal] = []
    result.rows = total
    for position, (number, row) in enumerate(table.rows):
        if progress is not None and position % 5000 == 0:
            progress(position, total)
        if len(row) < width:
            row = list(row) + [""] * (width - len(row))
        column = "支付金额"
        try:
            if formulas:
                for name, index in formula_columns:
                    if (number, index) in formulas:
                        raise _Cell(
                            name,
                            "单元格是公式，应为数值或文本；请在 Excel 中“选择性粘贴为数值”后再导出",
                        )
            status = c_text[row[i_status]] if i_status >= 0 else ""
            amount = parse_amount(row[i_amount], multiplier)
            amounts_all.append(amount)
            if "作废" in status:
                result.voided += 1
                continue
            amounts_valid.append(amount)
            column = "支付凭证号"
            raw = row[i_voucher]
            if type(raw) is str and FAST_CODE.fullmatch(raw):
                voucher = raw  # the usual shape, already safe as a link
            else:
                voucher = parse_code(raw, True, "支付凭证号")
                if not _LINK_SAFE.fullmatch(voucher):
                    raise _Cell(
                        "支付凭证号", f"应为字母、数字和 - 组成的凭证号，实际为「{voucher}」"
                    )
            column = "支付日期"
            date = c_date[row[i_date]]
            column = "预算单位编码"
            unit = c_unit[row[i_unit]]
            column = "指标编号"
            quota_id = c_quota[row[i_quota]]
            column = "功能分类编码"
            function = c_function[row[i_function]]
            column = "经济分类编码"
            economic = c_economic[row[i_economic]]
            column = "项目编码"
            project = c_project[row[i_project] if i_project >= 0 else ""]
            column = "收款人全称"
            payee = c_payee[row[i_payee]]
            column = "收款人账号"
            payee_account = c_account[row[i_account] if i_account >= 0 else ""]
            column = "收款人开户行"
            payee_bank = c_text[row[i_bank]] if i_bank >= 0 else ""
            column = "支付方式"
            method = c_text[row[i_method]] if i_method >= 0 else ""
            column = "用途"
            purpose = c_text[row[i_purpose]] if i_purpose >= 0 else ""
            column = "原支付凭证号"
            original = parse_code(row[i_original], False, "原支付凭证号") if i_original >= 0 else ""
        except ValueProblem as exc:
            problems.append(table.problem(number, column, str(exc)))
            continue
        except _Cell as exc:
            problems.append(table.problem(number, exc.column, exc.message))
            continue

        try:
            if voucher in seen:
                raise _Cell(
                    "支付凭证号",
                    f"支付凭证号 {voucher} 与第 {seen[voucher]} 行重复，同一文件中每张凭证只应出现一次",
                )
            seen[voucher] = number
            if amount == 0:
                raise _Cell("支付金额", "金额为 0，应为非零金额")
            # Unit, quota, function and economic code repeat: check each combination once.
            combo = (unit, quota_id, function, economic)
            checked = combo_cache.get(combo)
            if checked is None:
                try:
                    checked = combo_cache[combo] = _check_combo(
                        ctx, result, quotas_noted, number, combo, row, i_econ_name
                    )
                except _Cell as exc:
                    checked = combo_cache[combo] = exc
            if type(checked) is _Cell:
                raise checked
            quota, account, capital, cash = checked  # type: ignore[misc]
            explicit = [quota.task] if quota.task else []
            if project and (TASK_ID.fullmatch(project) or PROJECT_ID.fullmatch(project)):
                explicit.append(project)
            if explicit or "T" in purpose or "P" in purpose:
                links, link_error = links_for(ctx, [purpose], explicit)
                if link_error:
                    raise _Cell("项目编码" if project else "用途", link_error)
            else:
                links = []
        except _Cell as exc:
            problems.append(table.problem(number, exc.column, exc.message))
            continue

        refund = amount < 0 or "退" in status
        if amount < 0:
            if not original:
                tokens = [t for t in _VOUCHER_TOKEN.findall(purpose) if t != voucher]
                original = tokens[0] if tokens else ""
            if original and not _LINK_SAFE.fullmatch(original):
                problems.append(
                    table.problem(number, "原支付凭证号", f"应为凭证号，实际为「{original}」")
                )
                continue
        elif refund:
            original = voucher
        write_payment = (
            amount > 0 and (voucher, False) not in payment_keys and (voucher, False) not in run_keys
        )
        write_reversal = (
            refund and (voucher, True) not in payment_keys and (voucher, True) not in run_keys
        )
        if (amount > 0 and not write_payment) or (amount < 0 and not write_reversal):
            result.duplicates += 1
        if not write_payment and not write_reversal:
            continue

        # The metadata lines that repeat (quota, function, method, payee type) are built once.
        head_key = (quota_id, function, method, payee)
        meta_head = meta_cache.get(head_key)
        if meta_head is None:
            is_person = person_cache.get(payee)
            if is_person is None:
                is_person = person_cache[payee] = ctx.is_person(payee)
            meta_head = f"  quota: {q(quota_id)}\n  function: {q(function)}\n"
            if method:
                meta_head += f"  payment_method: {q(method)}\n"
            if is_person:
                meta_head += '  payee_type: "个人"\n'
            meta_cache[head_key] = meta_head
        tags = "".join(f" ^{link}" for link in links) if links else ""
        meta = meta_head
        if payee_account:  # a code: letters, digits and -./_ only, nothing to escape
            meta += f'  payee_account: "{payee_account}"\n'
        if payee_bank:
            bank_line = bank_cache.get(payee_bank)
            if bank_line is None:
                bank_line = bank_cache[payee_bank] = f"  payee_bank: {q(payee_bank)}\n"
            meta += bank_line
        meta += f'  source: {source_open}{number}"\n'
        meta += original_lines(row[i_payee], row[i_purpose] if i_purpose >= 0 else "")
        posting_meta = f"    economic: {q(economic)}\n" if capital else ""
        if write_payment:
            run_keys.add((voucher, False))
            link_self = f" ^{voucher}" if refund else ""
            draft = Draft(
                date,
                f"{date} * {q(payee)} {q(purpose or economic + ' 支出')}{tags}{link_self}\n"
                f'  voucher: "{voucher}"\n{meta}'
                f"  {account}  {amount} CNY\n{posting_meta}  {cash}  {-amount} CNY\n",
                "transaction",
            )
            drafts.append(draft)
            ctx.run_payment_drafts[voucher] = draft
            result.entries += 1
        if write_reversal:
            run_keys.add((voucher, True))
            back = -amount if amount > 0 else amount  # the expense side of the reversal
            refund_link = f" ^{original}" if original and f"^{original}" not in tags else ""
            drafts.append(
                Draft(
                    date,
                    f"{date} * {q(payee)} {q(purpose if '退' in purpose else '退回 ' + (purpose or economic))}{tags}{refund_link}\n"
                    f"  voucher: {q(voucher)}\n  refund_of: {q(original)}\n{meta}"
                    f"  {account}  {back} CNY\n{posting_meta}  {cash}  {-back} CNY\n",
                    "transaction",
                )
            )
            result.entries += 1
            result.refunds += 1
            if amount < 0:
                refunds.append((original, voucher, number))

    for original, voucher, number in refunds:
        if not original:
            result.notes.append(
                f"第 {number} 行：退款凭证 {voucher} 未注明原支付凭证号，已按冲销分录入账但未链接原凭证"
            )
            continue
        draft = ctx.run_payment_drafts.get(original)
        if draft is not None:
            first, rest = draft.text.split("\n", 1)
            if f"^{original}" not in first:
                draft.text = f"{first} ^{original}\n{rest}"
        elif (original, False) in payment_keys:
            result.notes.append(
                f"第 {number} 行：退款 {voucher} 冲销账本中已有的凭证 {original}（原分录未改动，退款分录带链接 ^{original}）"
            )
        else:
            result.notes.append(
                f"第 {number} 行：退款 {voucher} 所冲销的凭证 {original} 不在账本中，也不在本次导入中"
            )
    if total and progress is not None:
        progress(total, total)
    result.sum_all = sum(amounts_all, ZERO)
    result.sum_valid = sum(amounts_valid, ZERO)
    units = set(c_unit.values())
    result.unit = units.pop() if len(units) == 1 else None
    control_total(result, table, "支付金额", parse_amount)
    return result


def _check_combo(
    ctx: RunContext,
    result: FileResult,
    quotas_noted: set[str],
    number: int,
    combo: tuple[str, str, str, str],
    row: Sequence[Any],
    i_econ_name: int,
) -> tuple[Quota, str, bool, str]:
    """The quota, expense account, capital flag and 1011 account of a row's codes."""
    unit, quota_id, function, economic = combo
    ledger = ctx.ledger
    if unit not in ledger.units:
        raise _Cell(
            "预算单位编码",
            f'单位 {unit} 未在账本中声明（custom "unit"），应为已声明的单位编码',
        )
    if not FUNCTION_CODE.fullmatch(function):
        raise _Cell("功能分类编码", f"应为 7 位数字的功能分类编码，实际为「{function}」")
    if not ECONOMIC_CODE.fullmatch(economic):
        raise _Cell("经济分类编码", f"应为 3 位或 5 位数字的经济分类编码，实际为「{economic}」")
    quota = ctx.quota(quota_id)
    if quota is None:
        raise _Cell(
            "指标编号",
            f"指标 {quota_id} 未在账本中声明，也不在本次导入的预算指标文件中；应先导入该指标",
        )
    if quota.unit and quota.unit != unit:
        raise _Cell("指标编号", f"指标 {quota_id} 属于单位 {quota.unit}，与本行单位 {unit} 不符")
    if quota_id not in quotas_noted:
        if quota.function and quota.function != function:
            result.notes.append(
                f"第 {number} 行：功能分类 {function} 与指标 {quota_id} 的 {quota.function} 不同（check 将报 Q003）"
            )
            quotas_noted.add(quota_id)
        elif quota.economic and not economic.startswith(quota.economic):
            result.notes.append(
                f"第 {number} 行：经济分类 {economic} 不在指标 {quota_id} 的 {quota.economic} 之下（check 将报 Q003）"
            )
            quotas_noted.add(quota_id)
    account = None
    if economic.startswith(ctx.config.capital_prefixes):
        account = ledger.find("Assets", unit, ctx.config.capital_account_code)
    if account is None:
        account = ledger.find("Expenses", unit, economic)
    if account is None:
        name = parse_text(row[i_econ_name]) if i_econ_name >= 0 else None
        hint = open_account_hint("Expenses", ctx.unit_component(unit), economic, name)
        raise _Cell(
            "经济分类编码",
            f"经济分类 {economic} 在账本中没有对应账户（{hint}），应先 open 该账户",
        )
    cash = ledger.find("Assets", unit, "1011")
    if cash is None:
        raise _Cell(
            "预算单位编码",
            f"账本未开设账户 Assets:{ctx.unit_component(unit)}:1011-零余额账户用款额度，应先 open 该账户",
        )
    return quota, account, account.startswith("Assets:"), cash
