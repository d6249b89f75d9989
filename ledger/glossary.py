"""One Chinese word for each thing the CLI, the reports, Fava and the README name.

An officer met the same thing under two names (到期日 / 拨付期限, 已到位 / 已拨付 …) on
different surfaces.  This module fixes the word once: surfaces import the constants and
labels from here, and ``tests/test_glossary.py`` fails when a rejected synonym
(:data:`CHOICES`' ``rejected``) appears in code, templates or the README outside the
explicit :data:`EXEMPT` list (the official 决算 template's own labels and the community
notice's plain words keep theirs, see reports.md).

Codes, streams and statuses are the vocabulary of the ledger language; this module holds
the words around them: column labels, severities, metadata-key labels.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

#: A posting's ``stream`` (建设 / 运转 / 职能): the channel the money came through.
STREAM = "资金渠道"
#: The task's ``due``: the date by which the department must have transferred the money.
DUE = "拨付期限"
#: Money that has arrived for a task (the amount; 已拨付 is the *status* "fully funded").
RECEIVED = "已到位"
#: Money received less money spent (task, quota, stream); template phrases 结转和结余 keep theirs.
BALANCE = "余额"
#: The document number a task, quota or amendment was issued under (县财〔2025〕12号).
DOCUMENT = "文号"
#: What the rules report: errors, warnings and acknowledged findings together.
FINDINGS = "检查发现"
ERROR = "错误"
WARNING = "警告"
ACKNOWLEDGED = "已确认"
#: A quota's amount at the start of the year (the template's word).
INITIAL_BUDGET = "年初预算数"
#: Adjustments during the year and the budget after them.
ADJUSTMENTS = "调整数"
ADJUSTED_BUDGET = "调整后预算数"
#: The task amount that must be transferred, and the amount spent.
AMOUNT_DUE = "应拨金额"
SPENT = "已支出"
SHORTFALL = "未到位"

SEVERITY_LABELS: dict[str, str] = {
    "error": ERROR,
    "warning": WARNING,
    "acknowledged": ACKNOWLEDGED,
}


@dataclass(frozen=True)
class Choice:
    """One word chosen over its synonym; ``stray`` finds the rejected use in text."""

    meaning: str
    word: str
    rejected: str
    stray: re.Pattern[str]


CHOICES: tuple[Choice, ...] = (
    Choice("task due date", DUE, "到期日", re.compile("到期日")),
    Choice(
        "money arrived for a task (amount)",
        RECEIVED,
        "已拨付",
        # 已拨付 stays the status "fully funded"; as an amount label it is a stray.
        re.compile(r'(?:<th[^>]*>|Column\("\w+",\s*")已拨付(?=["<])|已拨付(?:金额|经费|资金)'),
    ),
    Choice(
        "money left (received − spent)",
        BALANCE,
        "结余",
        # 年初/年末结转和结余, 预算结转结余变动表, 使用非财政拨款结余, 结余分配, 专用结余:
        # the official template's own labels.
        re.compile(r"(?<!结转和)(?<!结转)(?<!非财政拨款)(?<!专用)结余(?!分配)"),
    ),
    Choice(
        "document number of a task or quota",
        DOCUMENT,
        "文件",
        re.compile(r'(?:<th[^>]*>|Column\("document",\s*")文件(?=["<])'),
    ),
    Choice("what the rules report", FINDINGS, "规则问题", re.compile("规则问题")),
    Choice(
        "severity warning",
        WARNING,
        "提示",
        re.compile(r"(?:项|个)\s*提示|提示\s*(?:<strong>|\{\{)"),
    ),
    Choice("a quota's initial amount", INITIAL_BUDGET, "年初指标", re.compile("年初指标")),
    Choice("a posting's stream (建设 / 运转 / 职能)", STREAM, "资金类别", re.compile("资金类别")),
)

#: (path relative to the repo, substring of the line) that may keep a rejected word, and why.
EXEMPT: tuple[tuple[str, str, str], ...] = (
    ("reports/community.py", "结余", "community notice: plain words for residents"),
    ("ledger/glossary.py", "", "the glossary names the rejected words"),
    ("reports/disclosure/tables.py", "使用非财政拨款结余", "official 决算 template row label"),
    ("reports/disclosure/tables.py", "结余分配", "official 决算 template row label"),
    ("reports/disclosure/accounting.py", "结余", "预算会计 statement labels (政府会计制度)"),
)

#: Chinese labels of metadata keys (Fava's journal, CSV second header row, messages).
METADATA_LABELS: dict[str, str] = {
    "unit": "单位",
    "stream": STREAM,
    "function": "功能分类",
    "economic": "经济分类",
    "community": "社区",
    "department": "交办部门",
    "quota": "指标",
    "task": "任务",
    "project": "项目",
    "document": DOCUMENT,
    "due": DUE,
    "end": "结束日期",
    "kind": "指标类型",
    "fund_type": "资金性质",
    "control": "超支控制",
    "households": "户数",
    # Fava's journal badges a key by its label's first two characters: 凭证 / 支付, not 支付 twice
    "voucher": "凭证号（支付凭证号）",
    "payment_method": "支付方式",
    "payee_type": "收款人类型",
    "payee_account": "收款人账号",
    "payee_bank": "开户银行（收款人）",
    "procurement": "采购类别（工程/货物/服务）",
    "three_public": "三公经费类别",
    "contract": "合同编号",
    "groups": "批次（团组）",
    "persons": "人数（人次）",
    "budget_item": "预算会计项目",
    "carried": "上年结转",
    "refund_of": "原支付凭证号",
    "serial": "流水号",
    "time": "交易时间",
    "source": "来源",
    "name": "名称",
    "reason": "理由",
    "filename": "文件",
    "lineno": "行号",
}


#: The word for each kind of declaration (``custom "unit"`` … ``custom "quota"``) in messages:
#: its key's label, but a department declaration declares a 部门 (``department:`` is the 交办部门).
DECLARATION_WORDS: dict[str, str] = {
    kind: METADATA_LABELS[kind] for kind in ("unit", "community", "task", "project", "quota")
} | {"department": "部门"}


def label(key: str) -> str:
    """The Chinese label of a metadata key or machine column (the key itself when unknown)."""
    return METADATA_LABELS.get(key, key)
