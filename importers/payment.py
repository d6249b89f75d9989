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
    """Every payment row of one export; problems are collected in the result.

    Per row: read and check its cells (:class:`_Reader`), check its codes against the
    books and find its accounts and links (:meth:`_Reader.accounts`), decide what to
    write (a payment, its reversal, or nothing for a duplicate), then write the drafts
    (:class:`_Writer`); refunds are linked to their originals at the end (:func:`_link_refunds`).
    """
    result = FileResult(table.path, NAME)
    reader = _Reader(table, ctx, result)
    writer = _Writer(table, ctx, result)
    payment_keys, run_keys = ctx.ledger.payment_keys, ctx.run_payment_keys
    refunds: list[tuple[str, str, int]] = []  # (original voucher, refund voucher, row)
    total = len(table.rows)
    progress = ctx.progress
    result.rows = total
    for position, (number, row) in enumerate(table.rows):
        if progress is not None and position % 5000 == 0:
            progress(position, total)
        try:
            cells = reader.cells(number, row)
            if cells is None:  # 作废
                continue
            found = reader.accounts(number, cells)
        except ValueProblem as exc:
            result.problems.append(table.problem(number, reader.column, str(exc)))
            continue
        except _Cell as exc:
            result.problems.append(table.problem(number, exc.column, exc.message))
            continue
        voucher, amount, status, original = cells[0], cells[1], cells[2], cells[15]
        refund = amount < 0 or "退" in status
        if amount < 0:
            if not original:
                tokens = [t for t in _VOUCHER_TOKEN.findall(cells[14]) if t != voucher]
                original = tokens[0] if tokens else ""
            if original and not _LINK_SAFE.fullmatch(original):
                result.problems.append(
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
        writer.write(number, row, cells, found, original, write_payment, write_reversal)
        if write_reversal and amount < 0:
            refunds.append((original, voucher, number))
    _link_refunds(result, ctx, refunds)
    if total and progress is not None:
        progress(total, total)
    result.sum_all = sum(reader.amounts_all, ZERO)
    result.sum_valid = sum(reader.amounts_valid, ZERO)
    units = set(reader.c_unit.values())
    result.unit = units.pop() if len(units) == 1 else None
    control_total(result, table, "支付金额", parse_amount)
    return result


class _Reader:
    """The cells of a payment row read exactly (each distinct code, date and short text
    parsed once), and the books' answer for its codes (each combination checked once).

    :meth:`cells` gives (voucher, amount, status, date, unit, quota, function, economic,
    project, payee, payee account, payee bank, method, (unused), purpose, original
    voucher); ``column`` names the cell being read when a problem is raised.
    """

    def __init__(self, table: Table, ctx: RunContext, result: FileResult) -> None:
        columns = table.columns

        def at(name: str) -> int:
            return columns.get(name, -1)

        self.table, self.ctx, self.result = table, ctx, result
        self.i_voucher, self.i_date, self.i_amount = (
            at("支付凭证号"),
            at("支付日期"),
            at("支付金额"),
        )
        self.i_unit, self.i_quota, self.i_project = (
            at("预算单位编码"),
            at("指标编号"),
            at("项目编码"),
        )
        self.i_function, self.i_economic = at("功能分类编码"), at("经济分类编码")
        self.i_payee, self.i_account = at("收款人全称"), at("收款人账号")
        self.i_bank, self.i_method = at("收款人开户行"), at("支付方式")
        self.i_purpose, self.i_status = at("用途"), at("状态")
        self.i_econ_name, self.i_original = at("经济分类名称"), at("原支付凭证号")
        self.width = max(columns.values()) + 1
        self.formula_columns = [
            (name, columns[name])
            for name in ("支付金额", "支付日期", "支付凭证号")
            if name in columns
        ]
        self.column = "支付金额"
        self.seen: dict[str, int] = {}
        # Codes, dates and short texts repeat across rows: parse each distinct cell once.
        self.c_date = ParseOnce(parse_date)
        self.c_unit = ParseOnce(lambda raw: parse_code(raw, True, "预算单位编码"))
        self.c_quota = ParseOnce(lambda raw: parse_code(raw, True, "指标编号"))
        self.c_function = ParseOnce(lambda raw: parse_code(raw, True, "功能分类编码"))
        self.c_economic = ParseOnce(lambda raw: parse_code(raw, True, "经济分类编码"))
        self.c_project = ParseOnce(lambda raw: parse_code(raw, False, "项目编码"))
        self.c_payee = ParseOnce(lambda raw: parse_text(raw, True, "收款人名称"))
        self.c_account = ParseOnce(lambda raw: parse_code(raw, False, "收款人账号"))
        self.c_text = ParseOnce(parse_text)
        self.combo_cache: dict[tuple[str, str, str, str], tuple[Quota, str, bool, str] | _Cell]
        self.combo_cache = {}
        self.quotas_noted: set[str] = set()
        # Summed once at the end (sum() of a list is faster than += on the result per row).
        self.amounts_all: list[Decimal] = []
        self.amounts_valid: list[Decimal] = []

    def cells(self, number: int, row: Sequence[Any]) -> tuple | None:
        """The row's cells, or ``None`` for a voided row (counted)."""
        if len(row) < self.width:
            row = list(row) + [""] * (self.width - len(row))
        self.row = row
        c_text = self.c_text
        column = "支付金额"  # the cell being read, for a problem's message
        try:
            formulas = self.table.formulas
            if formulas:
                for name, index in self.formula_columns:
                    if (number, index) in formulas:
                        raise _Cell(
                            name,
                            "单元格是公式，应为数值或文本；请在 Excel 中“选择性粘贴为数值”后再导出",
                        )
            status = c_text[row[self.i_status]] if self.i_status >= 0 else ""
            amount = parse_amount(row[self.i_amount], self.table.multiplier)
            self.amounts_all.append(amount)
            if "作废" in status:
                self.result.voided += 1
                return None
            self.amounts_valid.append(amount)
            column = "支付凭证号"
            raw = row[self.i_voucher]
            if type(raw) is str and FAST_CODE.fullmatch(raw):
                voucher = raw  # the usual shape, already safe as a link
            else:
                voucher = parse_code(raw, True, "支付凭证号")
                if not _LINK_SAFE.fullmatch(voucher):
                    raise _Cell(
                        "支付凭证号", f"应为字母、数字和 - 组成的凭证号，实际为「{voucher}」"
                    )
            column = "支付日期"
            date = self.c_date[row[self.i_date]]
            column = "预算单位编码"
            unit = self.c_unit[row[self.i_unit]]
            column = "指标编号"
            quota_id = self.c_quota[row[self.i_quota]]
            column = "功能分类编码"
            function = self.c_function[row[self.i_function]]
            column = "经济分类编码"
            economic = self.c_economic[row[self.i_economic]]
            column = "项目编码"
            project = self.c_project[row[self.i_project] if self.i_project >= 0 else ""]
            column = "收款人全称"
            payee = self.c_payee[row[self.i_payee]]
            column = "收款人账号"
            payee_account = self.c_account[row[self.i_account] if self.i_account >= 0 else ""]
            column = "收款人开户行"
            payee_bank = c_text[row[self.i_bank]] if self.i_bank >= 0 else ""
            column = "支付方式"
            method = c_text[row[self.i_method]] if self.i_method >= 0 else ""
            column = "用途"
            purpose = c_text[row[self.i_purpose]] if self.i_purpose >= 0 else ""
            column = "原支付凭证号"
            i_original = self.i_original
            original = parse_code(row[i_original], False, "原支付凭证号") if i_original >= 0 else ""
            return (voucher, amount, status, date, unit, quota_id, function, economic, project,
                    payee, payee_account, payee_bank, method, None, purpose, original)  # fmt: skip
        except ValueProblem:
            self.column = column
            raise

    def accounts(self, number: int, cells: tuple) -> tuple[Quota, str, bool, str, list[str]]:
        """The row's quota, expense account, capital flag, 1011 account and links."""
        voucher, amount = cells[0], cells[1]
        unit, quota_id, function, economic, project, purpose = (*cells[4:9], cells[14])
        if voucher in self.seen:
            raise _Cell(
                "支付凭证号",
                f"支付凭证号 {voucher} 与第 {self.seen[voucher]} 行重复，同一文件中每张凭证只应出现一次",
            )
        self.seen[voucher] = number
        if amount == 0:
            raise _Cell("支付金额", "金额为 0，应为非零金额")
        # Unit, quota, function and economic code repeat: check each combination once.
        combo = (unit, quota_id, function, economic)
        checked = self.combo_cache.get(combo)
        if checked is None:
            try:
                checked = self.combo_cache[combo] = _check_combo(
                    self.ctx,
                    self.result,
                    self.quotas_noted,
                    number,
                    combo,
                    self.row,
                    self.i_econ_name,
                )
            except _Cell as exc:
                checked = self.combo_cache[combo] = exc
        if type(checked) is _Cell:
            raise checked
        quota, account, capital, cash = checked  # type: ignore[misc]
        explicit = [quota.task] if quota.task else []
        if project and (TASK_ID.fullmatch(project) or PROJECT_ID.fullmatch(project)):
            explicit.append(project)
        if explicit or "T" in purpose or "P" in purpose:
            links, link_error = links_for(self.ctx, [purpose], explicit)
            if link_error:
                raise _Cell("项目编码" if project else "用途", link_error)
        else:
            links = []
        return quota, account, capital, cash, links


class _Writer:
    """A payment row's drafts: the payment and, for a refund or a returned payment, its
    reversal; the metadata lines that repeat are built once."""

    def __init__(self, table: Table, ctx: RunContext, result: FileResult) -> None:
        self.ctx, self.result = ctx, result
        self.source_open = q(os.path.basename(table.path) + ":")[:-1]  # '"name.csv:' + row
        columns = table.columns
        self.i_payee, self.i_purpose = columns.get("收款人全称", -1), columns.get("用途", -1)
        self.person_cache: dict[str, bool] = {}
        self.meta_cache: dict[tuple[str, str, str, str], str] = {}
        self.bank_cache: dict[str, str] = {}

    def meta(self, number: int, row: Sequence[Any], cells: tuple) -> str:
        """The transaction's metadata lines after ``voucher``."""
        quota_id, function, payee, payee_account, payee_bank, method = (
            cells[5], cells[6], cells[9], cells[10], cells[11], cells[12]
        )  # fmt: skip
        # The metadata lines that repeat (quota, function, method, payee type) are built once.
        head_key = (quota_id, function, method, payee)
        meta_head = self.meta_cache.get(head_key)
        if meta_head is None:
            is_person = self.person_cache.get(payee)
            if is_person is None:
                is_person = self.person_cache[payee] = self.ctx.is_person(payee)
            meta_head = f"  quota: {q(quota_id)}\n  function: {q(function)}\n"
            if method:
                meta_head += f"  payment_method: {q(method)}\n"
            if is_person:
                meta_head += '  payee_type: "个人"\n'
            self.meta_cache[head_key] = meta_head
        meta = meta_head
        if payee_account:  # a code: letters, digits and -./_ only, nothing to escape
            meta += f'  payee_account: "{payee_account}"\n'
        if payee_bank:
            bank_line = self.bank_cache.get(payee_bank)
            if bank_line is None:
                bank_line = self.bank_cache[payee_bank] = f"  payee_bank: {q(payee_bank)}\n"
            meta += bank_line
        meta += f'  source: {self.source_open}{number}"\n'
        i_purpose = self.i_purpose
        return meta + original_lines(row[self.i_payee], row[i_purpose] if i_purpose >= 0 else "")

    def write(
        self,
        number: int,
        row: Sequence[Any],
        cells: tuple,
        found: tuple[Quota, str, bool, str, list[str]],
        original: str,
        write_payment: bool,
        write_reversal: bool,
    ) -> None:
        voucher, amount, status, date = cells[0], cells[1], cells[2], cells[3]
        economic, payee, purpose = cells[7], cells[9], cells[14]
        _, account, capital, cash, links = found
        refund = amount < 0 or "退" in status
        ctx, result = self.ctx, self.result
        tags = "".join(f" ^{link}" for link in links) if links else ""
        meta = self.meta(number, row, cells)
        posting_meta = f"    economic: {q(economic)}\n" if capital else ""
        if write_payment:
            ctx.run_payment_keys.add((voucher, False))
            link_self = f" ^{voucher}" if refund else ""
            draft = Draft(
                date,
                f"{date} * {q(payee)} {q(purpose or economic + ' 支出')}{tags}{link_self}\n"
                f'  voucher: "{voucher}"\n{meta}'
                f"  {account}  {amount} CNY\n{posting_meta}  {cash}  {-amount} CNY\n",
                "transaction",
            )
            result.drafts.append(draft)
            ctx.run_payment_drafts[voucher] = draft
            result.entries += 1
        if write_reversal:
            ctx.run_payment_keys.add((voucher, True))
            back = -amount if amount > 0 else amount  # the expense side of the reversal
            refund_link = f" ^{original}" if original and f"^{original}" not in tags else ""
            result.drafts.append(
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


def _link_refunds(result: FileResult, ctx: RunContext, refunds: list[tuple[str, str, int]]) -> None:
    """Each refund's original: linked when written in this run, noted otherwise."""
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
        elif (original, False) in ctx.ledger.payment_keys:
            result.notes.append(
                f"第 {number} 行：退款 {voucher} 冲销账本中已有的凭证 {original}（原分录未改动，退款分录带链接 ^{original}）"
            )
        else:
            result.notes.append(
                f"第 {number} 行：退款 {voucher} 所冲销的凭证 {original} 不在账本中，也不在本次导入中"
            )


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
