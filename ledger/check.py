"""``sandao check``: Beancount's own validation plus every fund rule, for people and programs.

Human output is Chinese, grouped by unit and task; ``--json`` is a stable array of
findings.  Exit codes: 0 no errors (warnings allowed), 1 errors (Beancount's or the
rules'), 2 the main file is missing, unreadable or not UTF-8.
"""

from __future__ import annotations

import datetime
import json
import os
from collections import defaultdict
from pathlib import Path
from typing import Any, TextIO

from sandao.ledger.analysis import Analysis, load
from sandao.ledger.findings import ERROR, Finding, title

SEVERITY_LABEL = {ERROR: "错误", "warning": "警告"}


class BooksUnreadable(Exception):
    """The main books file cannot be opened or decoded (exit code 2)."""


def ensure_readable(path: Path) -> None:
    """Raise :class:`BooksUnreadable` with a Chinese message if the file cannot be read."""
    if not path.exists():
        raise BooksUnreadable(f"{path}: 账簿文件不存在 (file not found)")
    if path.is_dir():
        raise BooksUnreadable(f"{path}: 是目录，不是账簿文件 (is a directory)")
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise BooksUnreadable(f"{path}: 无法读取账簿文件：{exc.strerror}") from None
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise BooksUnreadable(
            f"{path}:{line}: 账簿文件不是 UTF-8 编码（第{exc.start + 1}字节），请另存为 UTF-8"
        ) from None


#: Chinese explanations put before Beancount's English messages a finance officer may not read.
_EXPLAIN = (
    ("day is out of range for month", "日期不存在（该月没有这一天）"),
    ("month must be in", "日期不存在（月份应为1–12）"),
    ("File glob", "包含（include）的文件不存在"),
    ("does not exist", "文件不存在"),
    ("syntax error", "语法错误"),
    ("Balance failed", "余额断言不符"),
    ("Transaction does not balance", "交易借贷不平衡"),
    ("Invalid reference to unknown account", "引用了未开立（open）的科目"),
    ("inactive account", "引用了未开立或已关闭的科目"),
)


def explain(message: str) -> str:
    """Beancount's message with a Chinese explanation in front where one is known."""
    text = str(message).strip()
    for needle, chinese in _EXPLAIN:
        if needle in text:
            return f"{chinese}：{text}"
    return text


def beancount_error_record(error: Any) -> dict[str, Any]:
    """A Beancount error in the ``--json`` shape; its class name is the code."""
    source = error.source or {}
    return {
        "code": type(error).__name__,
        "severity": ERROR,
        "message": explain(error.message),
        "file": source.get("filename"),
        "line": source.get("lineno"),
        "date": _entry_date(error),
        "task": None,
        "project": None,
        "quota": None,
        "unit": None,
        "department": None,
    }


def _entry_date(error: Any) -> str | None:
    entry = getattr(error, "entry", None)
    date = getattr(entry, "date", None)
    return date.isoformat() if isinstance(date, datetime.date) else None


def records(analysis: Analysis) -> list[dict[str, Any]]:
    """Every Beancount error and rule finding, Beancount's first."""
    return [beancount_error_record(e) for e in analysis.errors] + [
        f.to_json() for f in analysis.findings
    ]


def _where(file: str | None, line: int | None, base: Path | None = None) -> str:
    """``file:line`` relative to ``base`` (default: the working folder) when that is shorter."""
    if not file:
        return "<未知位置>"
    try:
        shown = os.path.relpath(file, base)
        if shown.startswith(".." + os.sep + ".."):
            shown = file
    except ValueError:
        shown = file
    return f"{shown}:{line}" if line else shown


def print_human(analysis: Analysis, out: TextIO, base: Path | None = None) -> None:
    """Findings grouped by unit, then task; counts at the end.

    File names are shown relative to ``base`` (default: the working folder).
    """
    decl = analysis.declarations
    out.write(f"检查截至 {analysis.as_of}（as of）\n")
    if analysis.errors:
        out.write(f"\nBeancount 错误 {len(analysis.errors)} 条：\n")
        for error in analysis.errors:
            source = error.source or {}
            message = explain(error.message).replace("\n", "\n    ")
            out.write(
                f"  {_where(source.get('filename'), source.get('lineno'), base)}: {message}\n"
            )
    groups: dict[str | None, dict[str | None, list[Finding]]] = defaultdict(
        lambda: defaultdict(list)
    )
    for finding in analysis.findings:
        groups[finding.unit][finding.task].append(finding)
    for unit in sorted(groups, key=lambda u: (u is None, u or "")):
        unit_decl = decl.units.get(unit) if unit else None
        heading = (
            f"单位 {unit} {unit_decl.name}"
            if unit_decl
            else (f"单位 {unit}" if unit else "未归属单位")
        )
        out.write(f"\n{heading}\n")
        for task in sorted(groups[unit], key=lambda t: (t is None, t or "")):
            task_decl = decl.tasks.get(task) if task else None
            if task:
                name = f" {task_decl.name}" if task_decl else "（未声明）"
                out.write(f"  任务 {task}{name}\n")
            else:
                out.write("  非任务事项\n")
            for f in groups[unit][task]:
                out.write(
                    f"    {SEVERITY_LABEL[f.severity]} {f.code} {title(f.code)}\n"
                    f"      {_where(f.file, f.line, base)}: {f.message}\n"
                )
    errors = len(analysis.errors) + sum(1 for f in analysis.findings if f.severity == ERROR)
    warnings = sum(1 for f in analysis.findings if f.severity != ERROR)
    out.write(
        f"\n共 {errors} 个错误、{warnings} 个警告；任务 {len(decl.tasks)} 个、指标 {len(decl.quotas)} 个、"
        f"分录 {len(analysis.postings)} 条。\n"
    )


def run_check(path: Path, as_of: datetime.date | None, as_json: bool, out: TextIO) -> int:
    """Load, analyse and print; returns the exit code (0, 1; raises BooksUnreadable for 2)."""
    ensure_readable(path)
    analysis = load(path, as_of=as_of)
    if as_json:
        json.dump(records(analysis), out, ensure_ascii=False, indent=1)
        out.write("\n")
    else:
        print_human(analysis, out)
    return 1 if analysis.has_errors else 0


def write_json(path: Path, analysis: Analysis) -> None:
    """Findings as JSON to a file (used by ``demo``)."""
    Path(path).write_text(json.dumps(records(analysis), ensure_ascii=False, indent=1), "utf-8")
