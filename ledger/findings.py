"""Findings: what the rules say about the books, and how Beancount sees them.

A :class:`Finding` is the project's own record (code, severity, ids, Chinese
message).  The plugin hands Beancount a :class:`FundRuleError` per finding — a small
named tuple like Beancount's own plugin errors, whose ``source`` points at the
offending entry so ``bean-check`` and Fava link to the line.
"""

from __future__ import annotations

import datetime
from dataclasses import asdict, dataclass
from typing import Any, NamedTuple

ERROR = "error"
WARNING = "warning"
#: A finding a reviewer recorded with ``custom "ack"``: shown, never counted as an error.
ACKNOWLEDGED = "acknowledged"

#: Rule codes: default severity, Chinese title, and the one-line fix shown in the README.
#: The functions that raise each code: :data:`sandao.ledger.rules.CHECKS` (how to add a
#: rule: :mod:`sandao.ledger.rules`).
RULES: dict[str, tuple[str, str, str]] = {
    "T001": (
        ERROR,
        "任务经费未按期拨付（费未随事转）",
        "部门在拨付期限前拨足经费，或以 task-amend 调整金额/拨付期限",
    ),
    "T002": (ERROR, "未声明的任务编号", '补充 custom "task" 声明，或改正交易链接 ^T…'),
    "T003": (ERROR, "任务支出超过已到位经费", "先取得拨款再支出，或把支出改挂正确的任务"),
    "T004": (ERROR, "职能经费未挂任务（资金去向不明）", "为职能经费的收入/支出加上任务链接 ^T…"),
    "T005": (ERROR, "任务期外支出", "在任务起止期内支出，或以 task-amend/新任务延期"),
    "T006": (ERROR, "任务经费由非承担单位收支", "由任务声明的 unit 收支，或改正任务的 unit"),
    "T007": (ERROR, "任务经费来自非交办部门", "由任务声明的 department 拨付，或改正收入科目"),
    "T008": (WARNING, "任务已结束仍有余额且未结项", '以 custom "task-close" 结转或退回余额'),
    "T009": (WARNING, "任务经费超额拨付", "退回多拨部分，或以 task-amend 调增任务金额"),
    "P001": (WARNING, "项目支出超过项目金额", "调整项目金额或核实支出"),
    "P002": (ERROR, "未声明的项目编号", '补充 custom "project" 声明，或改正链接 ^P…'),
    "Q001": (ERROR, "超指标支出", "追加指标（quota-adjust）或改挂其他指标"),
    "Q002": (ERROR, "未声明的指标编号", "导入或声明该指标，或改正 quota: 元数据"),
    "Q003": (
        ERROR,
        "支出与指标的单位/资金渠道/功能/经济分类不符",
        "改挂相符的指标，或改正支出的分类",
    ),
    "Q004": (WARNING, "零余额账户支出未挂指标", "为支出加上 quota: 元数据"),
    "D001": (
        ERROR,
        "支出的单位/资金渠道/功能/经济分类无法确定",
        "在科目 open、交易或分录上补充 stream/function 等元数据",
    ),
    "D002": (
        ERROR,
        "编码未声明或格式不正确",
        "声明该编码，或改正其格式（功能分类7位、经济分类3或5位）",
    ),
    "D003": (
        WARNING,
        "部门资金记为财政拨款收入（4001）却没有指标",
        "部门用本部门资金转来的经费改记 4609-其他收入:Dxx（主管部门的记 4201-上级补助收入:Dxx）",
    ),
    "D004": (
        WARNING,
        "资金结存与往来科目之间的资金变动（不计入决算收支）",
        "核实往来款项（暂付、暂收、借款等），年末清理；决算情况说明中列示",
    ),
    "C001": (
        ERROR,
        "已结账期间的分录被改动",
        "恢复结账时的分录，更正记入未结账期间（如 3501 以前年度盈余调整）",
    ),
    "S001": (ERROR, "自定义指令格式错误", "按台账语言说明补全或改正指令的值与必填项"),
    "S002": (ERROR, "声明中的日期早于声明本身", "改正年份（多半是沿用了上一年的年份）"),
}


@dataclass(frozen=True)
class Finding:
    """One rule finding, with the ids it is about (``None`` where not applicable)."""

    code: str
    severity: str
    message: str
    file: str | None
    line: int | None
    date: datetime.date | None
    task: str | None = None
    project: str | None = None
    quota: str | None = None
    unit: str | None = None
    department: str | None = None
    #: A did-you-mean for a name that is not declared (``是否为 T2025-001？``).
    hint: str | None = None
    #: ``file:line`` of the root cause this finding follows from (folded under it).
    caused_by: str | None = None
    #: The reason given by the ``custom "ack"`` that acknowledged this finding.
    ack_reason: str | None = None

    @property
    def fix(self) -> str:
        """The fix line: the did-you-mean first, then the rule's general fix."""
        return " ".join(part for part in (self.hint, fix(self.code)) if part)

    def to_json(self) -> dict[str, Any]:
        """The stable JSON shape of ``sandao check --json`` (later keys only added)."""
        record = asdict(self)
        record["date"] = self.date.isoformat() if self.date else None
        record["fix"] = self.fix
        return {
            key: record[key]
            for key in (
                "code",
                "severity",
                "message",
                "file",
                "line",
                "date",
                "task",
                "project",
                "quota",
                "unit",
                "department",
                "fix",
                "caused_by",
                "ack_reason",
            )
        }


class FundRuleError(NamedTuple):
    """A finding as a Beancount error: ``source`` is the entry's metadata."""

    source: dict[str, Any]
    message: str
    entry: Any


def title(code: str) -> str:
    """The Chinese title of a rule code."""
    return RULES[code][1]


def fix(code: str) -> str:
    """The rule's one-line fix (README, ``check`` and Fava show the same), ``""`` if none."""
    rule = RULES.get(code)
    return rule[2] if rule else ""
