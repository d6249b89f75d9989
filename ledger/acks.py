"""Acknowledged findings: ``custom "ack"`` records that a reviewer looked at one.

``2025-07-10 custom "ack" "T001" "T2025-002" "已与退役军人事务局核对"`` (code, the
task/quota/project id, reason): every finding with that code and id becomes severity
``acknowledged``.  It stays visible everywhere (``check`` lists it under 已确认 with the
reason, reports and Fava mark it) but no longer counts as an error, and the plugin
hands it to Beancount only with ``warnings: True``.  An ack that matches nothing, or is
malformed, is S001, so a stale or mistyped ack cannot silently hide a later finding.

This is one named step after the rules: :func:`apply_acks`.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import Any

from beancount.core import data

from sandao.ledger.findings import ACKNOWLEDGED, ERROR, RULES, Finding
from sandao.ledger.suggest import did_you_mean

ACK = "ack"
#: ``custom "period-close"``: a unit's books closed up to a date (sandao close, C001).
PERIOD_CLOSE = "period-close"
#: An audit check's code (``sandao audit``): its acks are read by the audit, which shows
#: the finding as 单位已说明 — the rules neither match nor refuse them.
AUDIT_CODE = re.compile(r"AU\d{2}")
#: Directives that record something about the books rather than add to them; they do
#: not move the as-of date (ledger-language.md, audit.md).  A ``disclosure-note`` is
#: written after 结账 to explain a 决算 figure (disclosure-standard.md, "Evidence").
BOOKKEEPING_DIRECTIVES = frozenset({ACK, PERIOD_CLOSE, "disclosure-note"})


@dataclass(frozen=True)
class Ack:
    """One ``custom "ack"``: which finding (code and id), why, and where it is written."""

    code: str
    ident: str
    reason: str
    date: datetime.date
    meta: dict[str, Any]


def is_bookkeeping(entry: data.Directive) -> bool:
    """An ``ack``, ``period-close`` or ``disclosure-note`` (not counted for the as-of date)."""
    return isinstance(entry, data.Custom) and entry.type in BOOKKEEPING_DIRECTIVES


def read_acks(entries: Iterable[data.Directive]) -> tuple[list[Ack], list[Finding]]:
    """Every ``custom "ack"``, and S001 for each malformed one."""
    acks: list[Ack] = []
    bad: list[Finding] = []
    for entry in entries:
        if not isinstance(entry, data.Custom) or entry.type != ACK:
            continue
        values = [v.value for v in entry.values]
        problem = None
        if len(values) != 3 or not all(isinstance(v, str) for v in values):
            problem = '应为三个带引号的文本：规则代码、任务/指标/项目编号、原因，如 "T001" "T2025-002" "已核对"'
        elif values[0] not in RULES and not AUDIT_CODE.fullmatch(values[0]):
            hint = did_you_mean(values[0], RULES)
            problem = f"规则代码 {values[0]!r} 不存在{('，' + hint) if hint else ''}"
        elif not values[2].strip():
            problem = "缺少原因（第三个值）"
        if problem:
            bad.append(_s001(entry.meta, entry.date, f'custom "ack" 指令格式错误：{problem}'))
            continue
        acks.append(Ack(values[0], values[1], values[2].strip(), entry.date, entry.meta))
    return acks, bad


def _s001(meta: dict[str, Any], date: datetime.date, message: str, **ids: str | None) -> Finding:
    return Finding("S001", ERROR, message, meta.get("filename"), meta.get("lineno"), date, **ids)


def apply_acks(findings: list[Finding], entries: Iterable[data.Directive]) -> list[Finding]:
    """Findings with every acknowledged one marked, plus S001 for bad or unmatched acks."""
    acks, out_bad = read_acks(entries)
    if not acks and not out_bad:
        return findings
    by_key = {(a.code, a.ident): a for a in acks}
    used: set[tuple[str, str]] = set()
    out: list[Finding] = []
    for f in findings:
        ack = None
        for ident in (f.task, f.quota, f.project):
            if ident and (f.code, ident) in by_key:
                ack = by_key[f.code, ident]
                break
        if ack is None:
            out.append(f)
            continue
        used.add((ack.code, ack.ident))
        out.append(replace(f, severity=ACKNOWLEDGED, ack_reason=ack.reason))
    for ack in acks:
        if (ack.code, ack.ident) not in used and not AUDIT_CODE.fullmatch(ack.code):
            out_bad.append(
                _s001(
                    ack.meta,
                    ack.date,
                    f'custom "ack" 没有对应的检查发现：{ack.code} {ack.ident}'
                    "（编号写错，或问题已改正——请删除这条 ack）",
                )
            )
    return out + out_bad


__all__ = [
    "ACK",
    "BOOKKEEPING_DIRECTIVES",
    "PERIOD_CLOSE",
    "Ack",
    "apply_acks",
    "is_bookkeeping",
    "read_acks",
]
