"""How audit findings are shown: Chinese text by check, and the XLSX working paper.

The working paper (审计工作底稿) is a :class:`sandao.reports.model.Report` — a summary
sheet and one sheet per check, one row per entry a finding points at — written by the
reports' own XLSX writer, so it has the same formats and the same bytes for the same
books (the workbook's created date is the books' as-of date).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sandao.reports.audit import AuditResult
from sandao.reports.audit.checks import CHECKS, yuan
from sandao.reports.model import DATE, MONEY, NUMBER, TEXT, Column, Report, Table


def render_text(result: AuditResult) -> str:
    """Human output: every check with its thresholds and findings (or 无)."""
    scope = []
    if result.year:
        scope.append(f"{result.year} 年")
    if result.unit:
        scope.append(f"单位 {result.unit}")
    head = f"审计疑点（数据截至 {result.as_of}{'，' + '，'.join(scope) if scope else ''}）"
    lines = [head, "疑点是需要核实的线索，不是错误；sandao check 的结果不受影响。", ""]
    groups = result.by_code()
    for row in result.summary():
        found = groups[row["code"]]
        lines.append(f"{row['code']} {row['name']}：{len(found) or '无'}{' 项' if found else ''}")
        lines.append(f"  条件：{row['thresholds']}")
        lines.append(f"  依据：{row['basis']}")
        for f in found:
            lines.append(
                f"  · [{f.unit or '—'}] {f.subject}：{f.message}（金额 {yuan(f.amount)} 元）"
            )
            if f.explained:
                lines.append(f"    单位已说明：{f.explained}")
            for ref in f.entries:
                voucher = f" 凭证 {ref.voucher}" if ref.voucher else ""
                money = f" {yuan(ref.amount)}" if ref.amount is not None else ""
                lines.append(f"      {ref.id} {ref.where}{voucher} {ref.date} {ref.text}{money}")
        lines.append("")
    total = len(result.findings)
    lines.append(f"合计 {total} 项疑点。")
    return "\n".join(lines) + "\n"


SUMMARY_COLUMNS = [
    *Column.many(code="代码", name="检查"),
    Column("count", "疑点数", NUMBER),
    Column("amount", "涉及金额", MONEY),
    *Column.many(thresholds="条件（阈值）", basis="依据"),
]

#: A finding's columns, then those of each entry it cites, then the auditor's note.
DETAIL_COLUMNS = [
    Column("n", "序号", NUMBER),
    *Column.many(unit="单位", subject="对象", message="疑点"),
    Column("amount", "疑点金额", MONEY),
    Column("date", "日期", DATE),
    *Column.many(where="文件:行", voucher="凭证号", text="摘要"),
    Column("entry_amount", "分录金额", MONEY),
    Column("note", "核实情况", TEXT),
]


def working_paper(result: AuditResult, title: str = "审计工作底稿") -> Report:
    """The working paper as a report: summary sheet plus one sheet per check."""
    summary = Table("summary", "汇总", SUMMARY_COLUMNS, result.summary())
    summary.notes.append("疑点是需要核实的线索，不是错误；“核实情况”一栏留给审计人员填写。")
    tables = [summary]
    for code, found in result.by_code().items():
        rows: list[dict[str, Any]] = []
        for n, f in enumerate(found, 1):
            for i, ref in enumerate(f.entries):
                first = i == 0
                rows.append(
                    {
                        "n": n if first else "",
                        "unit": (f.unit or "") if first else "",
                        "subject": f.subject if first else "",
                        "message": f.message if first else "",
                        "amount": f.amount if first else "",
                        "date": ref.date,
                        "where": ref.where,
                        "voucher": ref.voucher or "",
                        "text": ref.text,
                        "entry_amount": "" if ref.amount is None else ref.amount,
                        "note": "",
                    }
                )
        table = Table(code, f"{code} {CHECKS[code].name}", DETAIL_COLUMNS, rows)
        table.notes.append(f"条件：{CHECKS[code].describe(result.params[code])}")
        table.notes.append(f"依据：{CHECKS[code].basis}")
        tables.append(table)
    return Report("audit", "", title, False, result.as_of, tables)


def write_xlsx(result: AuditResult, path: Path) -> None:
    """Write the working paper next to ``path`` and move it into place."""
    from sandao.reports.xlsx import write_workbook

    path = Path(path)
    partial = path.with_name(f".{path.name}.partial")
    try:
        write_workbook(working_paper(result), partial)
        partial.replace(path)
    finally:
        partial.unlink(missing_ok=True)
