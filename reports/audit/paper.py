"""How audit findings are shown: Chinese text by check, and the XLSX working paper.

The working paper (审计工作底稿, audit.md) is a :class:`sandao.reports.model.Report`: an
索引 sheet (项目, 被审计单位, 审计事项, 编制人/复核人 and dates, 附件数 from
``[audit.paper]``, git commit, close status, config digest), a 汇总 sheet, one sheet per
check (one row per entry a finding points at: 索引号, the entry's stable id, the full
voucher number — the paper is internal, no public masking —, account, economic code,
payee, narration, and the auditor's columns 核实情况, 定性, 问题金额, 依据条款), the
fund-rule findings and a 数据来源 sheet.  It is written by the reports' own XLSX writer:
same books and config, same bytes (the workbook's created date is the books' as-of date).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sandao.reports.audit import AuditResult
from sandao.reports.audit.checks import CHECKS, yuan
from sandao.reports.model import DATE, MONEY, NUMBER, TEXT, VERBATIM, Column, Report, Table


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


@dataclass
class Provenance:
    """Where a working paper's figures come from (its 索引 and 数据来源 sheets)."""

    books: str
    county: str = ""
    header: dict[str, Any] = field(default_factory=dict)  # [audit.paper]
    units: list[str] = field(default_factory=list)  # 被审计单位
    git: dict[str, Any] | None = None  # commit, clean
    closes: list[dict[str, str]] = field(default_factory=list)  # unit, date, digest, status
    config: str = ""  # the county config's path
    config_digest: str = ""
    versions: dict[str, str] = field(default_factory=dict)
    rule_findings: list[Any] = field(default_factory=list)  # sandao.ledger.findings.Finding


def provenance(analysis: Any, main: Path, config: Any, unit: str | None) -> Provenance:
    """Everything the paper says about its sources, read once by ``sandao audit --xlsx``."""
    import hashlib

    from sandao.ledger import certificates
    from sandao.ledger.closing import read_closes

    names = {code: u.name for code, u in analysis.declarations.units.items()}
    units = [f"{c} {names[c]}" for c in sorted(names) if unit is None or c == unit]
    config_path = getattr(config, "path", None)
    digest = ""
    if config_path is not None and Path(config_path).is_file():
        digest = "sha256:" + hashlib.sha256(Path(config_path).read_bytes()).hexdigest()
    closes = []
    c001 = {f.unit for f in analysis.findings if f.code == "C001"}
    found = read_closes(analysis.entries, None)
    plain: tuple[Any, Any] | None = None
    for close in sorted(found, key=lambda c: (c.unit, c.date)):
        if unit is not None and close.unit != unit:
            continue
        cert = (
            Path(main).resolve().parent
            / "closes"
            / certificates.certificate_name(close.unit, close.date)
        )
        if cert.is_file():
            if plain is None:
                from sandao.ledger.revisions import load_unplugged

                entries, _, options_map = load_unplugged(main)
                plain = (entries, options_map)
            try:
                problems = certificates.compare(certificates.read(cert), *plain)
            except certificates.CertificateError as exc:
                problems = [str(exc)]
            shown = "证书相符" if not problems else f"证书不符（{len(problems)} 处）：{problems[0]}"
        else:
            shown = "没有找到结账证书（closes/）"
        closes.append(
            {
                "unit": close.unit,
                "date": close.date.isoformat(),
                "digest": close.digest,
                "rule": "C001：已结账期间的分录被改动"
                if close.unit in c001
                else "摘要相符（C001 无）",
                "certificate": shown,
            }
        )
    rule_findings = [f for f in analysis.findings if unit is None or f.unit in (None, unit)]
    return Provenance(
        books=str(Path(main).resolve()),
        county=config.county.name if getattr(config, "county", None) else "",
        header=dict(config.section("audit").get("paper") or {}) if config is not None else {},
        units=units,
        git=certificates.git_state(Path(main)),
        closes=closes,
        config=str(config_path or "（没有配置文件，用默认值）"),
        config_digest=digest,
        versions=certificates.versions(),
        rule_findings=rule_findings,
    )


# The paper is internal: its text is shown as written (VERBATIM), no public-report masking.
INDEX_COLUMNS = [*Column.many(VERBATIM, item="项目", value="内容")]

SUMMARY_COLUMNS = [
    *Column.many(index="索引号", code="代码", name="审计事项（检查）"),
    Column("count", "疑点数", NUMBER),
    Column("amount", "涉及金额", MONEY),
    Column("explained", "单位已说明", NUMBER),
    *Column.many(thresholds="条件（阈值）", basis="依据"),
]

#: A finding's columns, then those of each entry it cites, then the auditor's columns.
DETAIL_COLUMNS = [
    *Column.many(VERBATIM, index="索引号", unit="单位", subject="对象", message="疑点"),
    Column("amount", "疑点金额", MONEY),
    Column("explained", "单位已说明", VERBATIM),
    Column("date", "日期", DATE),
    Column("id", "分录编号", VERBATIM),
    Column("voucher", "支付凭证号", VERBATIM),
    Column("where", "文件:行", VERBATIM),
    *Column.many(VERBATIM, account="科目", economic="经济分类", payee="收款人", narration="摘要"),
    Column("entry_amount", "分录金额", MONEY),
    *Column.many(note="核实情况", nature="定性"),
    Column("problem_amount", "问题金额", MONEY),
    Column("clause", "依据条款", TEXT),
]

RULE_COLUMNS = [
    *Column.many(
        code="代码", severity="严重程度", title="规则", unit="单位", subject="任务/指标/项目"
    ),
    Column("date", "日期", DATE),
    Column("where", "文件:行", VERBATIM),
    *Column.many(message="检查发现", fix="改正", ack="已确认原因"),
]

SOURCE_COLUMNS = [*Column.many(VERBATIM, item="项目", value="内容")]

_SEVERITY = {"error": "错误", "warning": "警告", "acknowledged": "已确认"}


def _index_rows(result: AuditResult, source: Provenance) -> list[dict[str, Any]]:
    header = source.header
    git = source.git
    commit = (git or {}).get("commit") or "（账簿不在 git 仓库中）"
    closes = "；".join(
        f"{c['unit']} 截至 {c['date']}：{c['rule']}，{c['certificate']}" for c in source.closes
    )
    scope = "、".join(
        p
        for p in (
            f"{result.year} 年" if result.year else "",
            f"单位 {result.unit}" if result.unit else "",
        )
        if p
    )
    rows = [
        ("审计项目名称", header.get("项目名称") or ""),
        ("被审计单位", "、".join(source.units)),
        ("编制单位", header.get("编制单位") or source.county),
        (
            "审计事项",
            header.get("审计事项")
            or f"三到社区资金收支：财政审计方法 AU01–AU21{('（' + scope + '）') if scope else ''}",
        ),
        (
            "索引号",
            "、".join(
                f"{code}-1…{code}-{len(found)}" if len(found) > 1 else f"{code}-1"
                for code, found in result.by_code().items()
                if found
            )
            or "无疑点",
        ),
        ("编制人", header.get("编制人") or ""),
        ("编制日期", str(header.get("编制日期") or "")),
        ("复核人", header.get("复核人") or ""),
        ("复核日期", str(header.get("复核日期") or "")),
        ("复核意见", header.get("复核意见") or ""),
        ("附件数", str(header.get("附件数") if header.get("附件数") is not None else "")),
        ("数据截至", result.as_of.isoformat()),
        (
            "git 版本",
            commit
            + (
                ""
                if git is None
                else ("（工作区无未提交改动）" if git.get("clean") else "（工作区有未提交的改动）")
            ),
        ),
        ("结账状态", closes or "没有结账"),
        ("配置摘要", f"{source.config} {source.config_digest}".strip()),
    ]
    return [{"item": k, "value": v} for k, v in rows]


def _source_rows(result: AuditResult, source: Provenance) -> list[dict[str, Any]]:
    git = source.git
    rows = [
        ("账簿", source.books),
        ("git 版本", (git or {}).get("commit") or "（账簿不在 git 仓库中）"),
        (
            "工作区",
            "—"
            if git is None
            else ("干净（无未提交的改动）" if git.get("clean") else "有未提交的改动"),
        ),
        ("县级配置", source.config),
        ("配置摘要", source.config_digest or "—"),
        ("数据截至", result.as_of.isoformat()),
        ("sandao 版本", source.versions.get("sandao", "")),
        ("Beancount 版本", source.versions.get("beancount", "")),
    ]
    for c in source.closes:
        rows.append(
            (
                f"结账 {c['unit']} 截至 {c['date']}",
                f"{c['digest']}；{c['rule']}；{c['certificate']}",
            )
        )
    if not source.closes:
        rows.append(("结账", "没有结账"))
    return [{"item": k, "value": v} for k, v in rows]


def _rule_rows(source: Provenance) -> list[dict[str, Any]]:
    from sandao.ledger.findings import RULES

    rows = []
    for f in source.rule_findings:
        name = (f.file or "").rsplit("/", 1)[-1]
        rows.append(
            {
                "code": f.code,
                "severity": _SEVERITY.get(f.severity, f.severity),
                "title": RULES[f.code][1] if f.code in RULES else f.code,
                "unit": f.unit or "",
                "subject": f.task or f.quota or f.project or "",
                "date": f.date,
                "where": f"{name}:{f.line or 0}" if name else "",
                "message": f.message,
                "fix": f.fix,
                "ack": f.ack_reason or "",
            }
        )
    return rows


def working_paper(
    result: AuditResult, source: Provenance | None = None, title: str = "审计工作底稿"
) -> Report:
    """The working paper: 索引, 汇总, one sheet per check, the fund-rule findings, 数据来源."""
    source = source or Provenance(books="")
    index = Table("index", "索引", INDEX_COLUMNS, _index_rows(result, source))
    index.notes.append(
        "编制人、复核人、日期、复核意见、附件数取自 sandao.toml 的 [audit.paper]；未配置的留空待填。"
    )
    groups = result.by_code()
    summary_rows = []
    for row in result.summary():
        found = groups[row["code"]]
        summary_rows.append(
            {
                **row,
                "index": (
                    f"{row['code']}-1…{row['code']}-{len(found)}"
                    if len(found) > 1
                    else (f"{row['code']}-1" if found else "")
                ),
                "explained": sum(1 for f in found if f.explained),
            }
        )
    summary = Table("summary", "汇总", SUMMARY_COLUMNS, summary_rows)
    summary.notes.append(
        "疑点是需要核实的线索，不是错误；核实情况、定性、问题金额、依据条款由审计人员填写。"
    )
    tables = [index, summary]
    for code, found in groups.items():
        rows: list[dict[str, Any]] = []
        for n, f in enumerate(found, 1):
            for i, ref in enumerate(f.entries):
                first = i == 0
                economic = " ".join(p for p in (ref.economic, ref.economic_name) if p)
                rows.append(
                    {
                        "index": f"{code}-{n}",
                        "unit": (f.unit or "") if first else "",
                        "subject": f.subject if first else "",
                        "message": f.message if first else "",
                        "amount": f.amount if first else "",
                        "explained": (f.explained or "") if first else "",
                        "date": ref.date,
                        "id": ref.id,
                        "voucher": ref.voucher or "",
                        "where": ref.where,
                        "account": ref.account or "",
                        "economic": economic,
                        "payee": ref.payee or "",
                        "narration": ref.narration or ref.text,
                        "entry_amount": "" if ref.amount is None else ref.amount,
                        "note": "",
                        "nature": "",
                        "problem_amount": "",
                        "clause": "",
                    }
                )
        table = Table(code, f"{code} {CHECKS[code].name}", DETAIL_COLUMNS, rows)
        table.notes.append(f"条件：{CHECKS[code].describe(result.params[code])}")
        table.notes.append(f"依据：{CHECKS[code].basis}")
        tables.append(table)
    rules = Table("rules", "资金规则检查发现", RULE_COLUMNS, _rule_rows(source))
    rules.notes.append("sandao check 的资金规则（T/Q/P/D/C/S）检查发现，含已确认的（附原因）。")
    tables.append(rules)
    tables.append(Table("sources", "数据来源", SOURCE_COLUMNS, _source_rows(result, source)))
    report = Report("audit", "", title, False, result.as_of, tables)
    report.context["preparer"] = source.header.get("编制单位") or source.county
    return report


def write_xlsx(result: AuditResult, path: Path, source: Provenance | None = None) -> None:
    """Write the working paper next to ``path`` and move it into place."""
    from sandao.reports.xlsx import write_workbook

    path = Path(path)
    partial = path.with_name(f".{path.name}.partial")
    try:
        write_workbook(working_paper(result, source), partial)
        partial.replace(path)
    finally:
        partial.unlink(missing_ok=True)
