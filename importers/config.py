"""The import configuration: column synonyms, payee rules, quota and bank rules.

No national standard fixes the column names of finance-bureau exports, and a bank
statement names no unit, so what differs between counties lives in a TOML file the
user keeps beside the books (``import.toml``) rather than in code.  This module holds
the built-in defaults and merges the user's file over them.

Config file (every table optional)::

    [columns]                    # extra header names for a column (any importer)
    "支付金额" = ["付款金额", "实付金额"]

    [payees]
    persons = ["张伟", "王芳"]    # always individuals (masked in public reports)
    organisations = ["李记"]      # never individuals, even if they look like a name
    organisation_words = ["合作社"]

    [[quota.stream_rules]]       # first match wins; keys are prefixes, all must match
    quota = "ZB25-02"            # 指标编号 prefix
    function = "21203"           # 功能分类编码 prefix
    economic = "310"             # 经济分类编码 prefix
    stream = "建设"

    [capital]
    economic_prefixes = ["310"]  # payments with these economic codes are capital …
    account_code = "1613"        # … booked to this asset account when the ledger opens it

    [[bank.accounts]]            # which unit's 1002 account a statement belongs to
    file = "银行对账单_C102_*"    # glob on the file name, or:
    account_number = "6217…"     # the statement's own account number (本方账号)
    unit = "C102"

    [[bank.rules]]               # memo substring → the other account; first match wins
    memo = "场地费"
    economic = "30216"           # → Expenses:<unit>:30216-…   (or)
    department = "D07"           # → Income:<unit>:4609-其他收入:D07-…  (or)
    account = "Expenses:…"       # a full account name
    link = "T2025-011"           # optional task / project link
    stream = "职能"               # optional metadata so every dimension resolves
    function = "2080799"
"""

from __future__ import annotations

import fnmatch
import os
import tomllib
from dataclasses import dataclass, field
from typing import Any

from sandao.importers.errors import fail, os_reason
from sandao.importers.values import normalize_header
from sandao.ledger.vocabulary import STREAMS

#: Built-in header synonyms per importer: canonical column → other spellings.
PAYMENT_COLUMNS: dict[str, tuple[str, ...]] = {
    "支付凭证号": ("支付凭证编号", "凭证号", "凭证编号", "支付令号", "支付单号"),
    "支付日期": ("日期", "付款日期", "支付时间", "清算日期", "交易日期"),
    "预算单位编码": ("单位编码", "预算单位代码", "单位代码"),
    "预算单位名称": ("单位名称",),
    "指标编号": ("指标编码", "指标ID", "预算指标编号", "指标代码"),
    "功能分类编码": ("功能科目编码", "支出功能分类编码", "功能分类", "功能科目", "功能分类代码"),
    "经济分类编码": (
        "经济科目编码",
        "部门经济分类编码",
        "支出经济分类编码",
        "经济分类",
        "经济科目",
        "经济分类代码",
    ),
    "经济分类名称": ("经济科目名称",),
    "项目编码": ("项目代码", "项目编号", "任务编号"),
    "收款人全称": ("收款单位", "收款人名称", "收款人", "收款单位名称", "收款人户名", "收款方"),
    "收款人账号": ("收款账号", "收款人银行账号", "收款账户"),
    "收款人开户行": ("收款银行", "收款人开户银行", "开户银行", "开户行"),
    "支付金额": ("金额", "付款金额", "实付金额", "支付金额元"),
    "支付方式": ("支付类型",),
    "用途": ("摘要", "支付用途", "资金用途", "款项用途"),
    "状态": ("支付状态", "凭证状态"),
    "原支付凭证号": ("原凭证号", "原支付凭证编号", "退回原凭证号", "原凭证编号"),
}
PAYMENT_REQUIRED = (
    "支付凭证号",
    "支付日期",
    "预算单位编码",
    "指标编号",
    "功能分类编码",
    "经济分类编码",
    "收款人全称",
    "支付金额",
)

QUOTA_COLUMNS: dict[str, tuple[str, ...]] = {
    "指标编号": ("指标编码", "指标ID", "预算指标编号", "指标代码"),
    "指标文号": ("文号", "下达文号", "指标文件号", "发文文号"),
    "下达日期": ("日期", "指标日期", "发文日期", "下达时间"),
    "预算单位编码": ("单位编码", "预算单位代码", "单位代码"),
    "预算单位名称": ("单位名称",),
    "功能分类编码": ("功能科目编码", "支出功能分类编码", "功能分类", "功能科目", "功能分类代码"),
    "功能分类名称": ("功能科目名称",),
    "经济分类编码": ("经济科目编码", "部门经济分类编码", "经济分类", "经济科目", "经济分类代码"),
    "资金性质": ("资金来源", "资金性质名称"),
    "指标类型": ("指标类别", "调整类型", "指标种类"),
    "指标金额": ("金额", "下达金额", "指标金额元"),
    "项目编码": ("项目代码", "项目编号", "任务编号"),
    "摘要": ("指标名称", "摘要说明", "用途", "项目名称", "指标摘要"),
}
QUOTA_REQUIRED = ("指标编号", "下达日期", "预算单位编码", "功能分类编码", "指标类型", "指标金额")

BANK_COLUMNS: dict[str, tuple[str, ...]] = {
    "交易日期": ("日期", "记账日期", "交易日", "入账日期"),
    "交易时间": ("时间", "记账时间"),
    "流水号": ("交易流水号", "业务流水号", "凭证号", "流水编号"),
    "摘要": ("用途", "交易摘要", "附言", "备注"),
    "对方户名": ("对方账户名称", "对方单位", "对方名称", "对方户名称", "对方账户名"),
    "对方账号": ("对方账户", "对方账户号"),
    "借方发生额": ("支出金额", "借方金额", "支出", "付款金额", "借方"),
    "贷方发生额": ("收入金额", "贷方金额", "收入", "收款金额", "贷方"),
    "余额": ("账户余额", "当前余额", "余额元"),
    "本方账号": ("账号", "本方账户"),
}
BANK_REQUIRED = ("交易日期", "流水号", "摘要", "借方发生额", "贷方发生额", "余额")

ORGANISATION_WORDS: tuple[str, ...] = (
    "公司",
    "局",
    "中心",
    "学校",
    "商行",
    "队",
    "院",
    "所",
    "站",
    "店",
    "部",
    "社",
    "会",
    "厂",
    "行",
    "馆",
    "处",
    "委",
    "办",
    "室",
    "村",
    "组",
    "集团",
    "银行",
    "医院",
    "超市",
    "酒店",
    "宾馆",
    "政府",
    "街道",
    "财政",
    "国库",
    "有限",
    "合作",
    "门市",
    "经营",
)


@dataclass
class BankAccountRule:
    unit: str
    file: str | None = None
    account_number: str | None = None


@dataclass
class BankRule:
    memo: str
    account: str | None = None
    economic: str | None = None
    department: str | None = None
    link: str | None = None
    meta: dict[str, str] = field(default_factory=dict)


@dataclass
class StreamRule:
    stream: str
    quota: str = ""
    function: str = ""
    economic: str = ""

    def matches(self, quota: str, function: str, economic: str) -> bool:
        return (
            quota.startswith(self.quota)
            and function.startswith(self.function)
            and economic.startswith(self.economic)
        )


@dataclass
class ImportConfig:
    """Everything an import run may be told; defaults work for the samples' layouts."""

    extra_columns: dict[str, tuple[str, ...]] = field(default_factory=dict)
    persons: set[str] = field(default_factory=set)
    organisations: set[str] = field(default_factory=set)
    organisation_words: tuple[str, ...] = ORGANISATION_WORDS
    stream_rules: list[StreamRule] = field(default_factory=list)
    capital_prefixes: tuple[str, ...] = ("310",)
    capital_account_code: str = "1613"
    bank_accounts: list[BankAccountRule] = field(default_factory=list)
    bank_rules: list[BankRule] = field(default_factory=list)
    source: str | None = None

    def synonyms(self, columns: dict[str, tuple[str, ...]]) -> dict[str, str]:
        """Normalised header spelling → canonical column, for one importer."""
        table: dict[str, str] = {}
        for canonical, others in columns.items():
            for name in (canonical, *others, *self.extra_columns.get(canonical, ())):
                table.setdefault(normalize_header(name), canonical)
        return table

    def bank_unit(self, path: str, account_number: str | None) -> str | None:
        """The unit whose 1002 account a statement belongs to (file pattern or number)."""
        name = os.path.basename(path)
        for rule in self.bank_accounts:
            if rule.account_number and account_number and rule.account_number == account_number:
                return rule.unit
            if rule.file and fnmatch.fnmatch(name, rule.file):
                return rule.unit
        return None

    def bank_rule(self, memo: str) -> BankRule | None:
        for rule in self.bank_rules:
            if rule.memo in memo:
                return rule
        return None


def _strings(value: Any, where: str, path: str) -> tuple[str, ...]:
    if isinstance(value, str):
        return (value,)
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return tuple(value)
    raise fail(path, f"配置项 {where} 应为文本或文本列表，实际为 {value!r}")


def _text(table: dict[str, Any], key: str, where: str, path: str) -> str | None:
    value = table.get(key)
    if value is None:
        return None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    if not isinstance(value, str):
        raise fail(path, f"配置项 {where}.{key} 应为文本，实际为 {value!r}")
    return value


#: Tables of an import config (``import.toml``, or ``[import]`` of ``sandao.toml``).
IMPORT_TABLES = ("columns", "payees", "quota", "capital", "bank")


def _read_toml(path: str) -> dict[str, Any]:
    try:
        with open(path, "rb") as handle:
            return tomllib.load(handle)
    except FileNotFoundError as exc:
        raise fail(path, "导入配置文件不存在") from exc
    except tomllib.TOMLDecodeError as exc:
        raise fail(path, f"导入配置不是有效的 TOML：{exc}") from exc
    except UnicodeDecodeError as exc:
        raise fail(path, "导入配置应为 UTF-8 编码的 TOML") from exc
    except IsADirectoryError as exc:
        raise fail(path, "无法读取导入配置：它是文件夹，应为 TOML 文件") from exc
    except OSError as exc:
        raise fail(path, f"无法读取导入配置（{os_reason(exc)}），应为 TOML 文件") from exc


def _is_county_config(raw: dict[str, Any]) -> bool:
    """A ``sandao.toml`` (county config) rather than an ``import.toml``."""
    from sandao.ledger.county_config import SECTIONS

    return (
        bool(raw) and all(isinstance(v, dict) for v in raw.values()) and set(raw) <= set(SECTIONS)
    )


def load_config(path: str | None) -> ImportConfig:
    """Read an import config; ``None`` gives the built-in defaults.

    ``path`` may be an ``import.toml`` or a county config ``sandao.toml`` (its
    ``[import]`` table is used).
    """
    if path is None:
        return ImportConfig()
    raw = _read_toml(path)
    if _is_county_config(raw):
        table = raw.get("import", {})
        return parse_config(table, path, where="import.")
    return parse_config(raw, path)


def resolve_config(explicit: str | None, ledger_path: str | None) -> ImportConfig:
    """The import config of a run: ``--config`` if given, else the books' own.

    Beside the main file: ``sandao.toml`` with an ``[import]`` table, else
    ``import.toml`` (still read when present), else the built-in defaults.
    """
    if explicit is not None or ledger_path is None:
        return load_config(explicit)
    folder = os.path.dirname(os.path.abspath(ledger_path))
    county = os.path.join(folder, "sandao.toml")
    if os.path.isfile(county):
        raw = _read_toml(county)
        if _is_county_config(raw) and "import" in raw:
            return parse_config(raw["import"], county, where="import.")
    legacy = os.path.join(folder, "import.toml")
    if os.path.isfile(legacy):
        return load_config(legacy)
    return ImportConfig()


def parse_config(raw: dict[str, Any], path: str, where: str = "") -> ImportConfig:
    """An :class:`ImportConfig` from the parsed tables (``where`` prefixes key names)."""
    config = ImportConfig()
    config.source = path
    unknown = sorted(set(raw) - set(IMPORT_TABLES))
    if unknown:
        names = [f"{where}{name}" for name in unknown]
        raise fail(path, f"导入配置有未知的表 {names}，应为 {list(IMPORT_TABLES)} 之一")
    for canonical, names in raw.get("columns", {}).items():
        config.extra_columns[canonical] = _strings(names, f"columns.{canonical}", path)
    payees = raw.get("payees", {})
    config.persons = set(_strings(payees.get("persons", []), "payees.persons", path))
    config.organisations = set(
        _strings(payees.get("organisations", []), "payees.organisations", path)
    )
    config.organisation_words = ORGANISATION_WORDS + _strings(
        payees.get("organisation_words", []), "payees.organisation_words", path
    )
    for i, rule in enumerate(raw.get("quota", {}).get("stream_rules", [])):
        config.stream_rules.append(_stream_rule(rule, f"quota.stream_rules[{i}]", path))
    capital = raw.get("capital", {})
    if "economic_prefixes" in capital:
        config.capital_prefixes = _strings(
            capital["economic_prefixes"], "capital.economic_prefixes", path
        )
    config.capital_account_code = _text(capital, "account_code", "capital", path) or "1613"
    bank = raw.get("bank", {})
    for i, entry in enumerate(bank.get("accounts", [])):
        config.bank_accounts.append(_bank_account_rule(entry, f"bank.accounts[{i}]", path))
    for i, entry in enumerate(bank.get("rules", [])):
        config.bank_rules.append(_bank_rule(entry, f"bank.rules[{i}]", path))
    return config


def _stream_rule(rule: dict[str, Any], where: str, path: str) -> StreamRule:
    """One ``[[quota.stream_rules]]``: the stream a matching quota row gets."""
    stream = _text(rule, "stream", where, path)
    if stream not in STREAMS:
        raise fail(path, f"配置项 {where}.stream 应为 建设 / 运转 / 职能 之一，实际为 {stream!r}")
    return StreamRule(
        stream,
        _text(rule, "quota", where, path) or "",
        _text(rule, "function", where, path) or "",
        _text(rule, "economic", where, path) or "",
    )


def _bank_account_rule(entry: dict[str, Any], where: str, path: str) -> BankAccountRule:
    """One ``[[bank.accounts]]``: which unit a statement file or account number is."""
    unit = _text(entry, "unit", where, path)
    if not unit:
        raise fail(path, f"配置项 {where} 缺少 unit（单位编码）")
    rule = BankAccountRule(
        unit, _text(entry, "file", where, path), _text(entry, "account_number", where, path)
    )
    if not rule.file and not rule.account_number:
        raise fail(path, f"配置项 {where} 应有 file（文件名模式）或 account_number（账号）")
    return rule


def _bank_rule(entry: dict[str, Any], where: str, path: str) -> BankRule:
    """One ``[[bank.rules]]``: a memo keyword and the one account, economic code or
    department its rows go to, with the metadata they carry."""
    memo = _text(entry, "memo", where, path)
    if not memo:
        raise fail(path, f"配置项 {where} 缺少 memo（摘要关键词）")
    targets = [k for k in ("account", "economic", "department") if entry.get(k)]
    if len(targets) != 1:
        raise fail(
            path,
            f"配置项 {where} 应恰有 account / economic / department 之一，实际为 {targets}",
        )
    meta = {}
    for key in ("stream", "function", "economic_meta", "community"):
        value = _text(entry, key, where, path)
        if value is not None:
            meta["economic" if key == "economic_meta" else key] = value
    if "stream" in meta and meta["stream"] not in STREAMS:
        raise fail(path, f"配置项 {where}.stream 应为 建设 / 运转 / 职能 之一")
    return BankRule(
        memo,
        _text(entry, "account", where, path),
        _text(entry, "economic", where, path),
        _text(entry, "department", where, path),
        _text(entry, "link", where, path),
        meta,
    )
