"""``sandao check``: Beancount's own validation plus every fund rule, for people and programs.

Human output is Chinese, grouped by unit and task; ``--json`` is a stable array of
findings.  Exit codes: 0 no errors (warnings allowed), 1 errors (Beancount's or the
rules'), 2 the main file is missing, unreadable or not UTF-8.
"""

from __future__ import annotations

import datetime
import glob
import json
import os
import re
import stat
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any, TextIO

from sandao.ledger.analysis import Analysis, load
from sandao.ledger.explain import Explained, explain_error
from sandao.ledger.findings import ACKNOWLEDGED, ERROR, WARNING, Finding, title
from sandao.ledger.glossary import SEVERITY_LABELS as SEVERITY_LABEL

ACKNOWLEDGED_LABEL = SEVERITY_LABEL[ACKNOWLEDGED]
#: The label of a finding's fix line (the Fava page says the same).
FIX = "改正"


class BooksUnreadable(Exception):
    """The main books file cannot be opened or decoded (exit code 2)."""


def ensure_readable(path: Path) -> None:
    """Raise :class:`BooksUnreadable` with a Chinese message if the file cannot be read."""
    if not path.exists():
        raise BooksUnreadable(f"{path}: 账簿文件不存在 (file not found)")
    if path.is_dir():
        raise BooksUnreadable(f"{path}: 是目录，不是账簿文件 (is a directory)")
    if not path.is_file():
        raise BooksUnreadable(f"{path}: 不是普通文件（设备或管道），不是账簿文件")
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
    guard_includes(path, raw)


#: No line of real books comes near this (bytes); Beancount's lexer took minutes on 50 MB.
MAX_LINE = 100_000
#: A books file larger than this is no county's books (bytes).
MAX_BOOKS_FILE = 1024 * 1024 * 1024
_INCLUDE = re.compile(rb'^include\s+"((?:[^"\\\n]|\\.)*)"', re.M)


def guard_includes(path: Path, raw: bytes, seen: set[Path] | None = None) -> None:
    """Refuse what would hang Beancount's lexer before it reads anything: an included
    device, FIFO or folder (``include "/dev/zero"`` ran at 100% CPU, deaf to signals), a
    file over 1 GB, a line over 100,000 bytes.  Includes that do not exist are left to
    Beancount (its error names them); globs are expanded as Beancount does."""
    seen = seen if seen is not None else set()
    seen.add(path.resolve())
    if len(raw) > MAX_LINE and max(map(len, raw.split(b"\n"))) > MAX_LINE:
        number = next(i for i, line in enumerate(raw.split(b"\n"), 1) if len(line) > MAX_LINE)
        raise BooksUnreadable(
            f"{path}:{number}: 这一行超过 {MAX_LINE:,} 字节，不像是账簿内容（Beancount 读它会极慢）；请检查这个文件"
        )
    for match in _INCLUDE.finditer(raw):
        number = raw.count(b"\n", 0, match.start()) + 1
        name = match.group(1).decode("utf-8", "replace").replace('\\"', '"')
        pattern = name if os.path.isabs(name) else os.path.join(path.parent, name)
        for found in sorted(glob.glob(pattern)) if glob.has_magic(pattern) else [pattern]:
            try:
                info = os.stat(found)
            except OSError:
                continue  # missing or unreadable: Beancount says so
            if not stat.S_ISREG(info.st_mode):
                raise BooksUnreadable(
                    f'{path}:{number}: include "{name}" 不是普通文件（设备、管道或目录），'
                    "Beancount 读它会停不下来；应包含账簿文件"
                )
            if info.st_size > MAX_BOOKS_FILE:
                raise BooksUnreadable(
                    f'{path}:{number}: include "{name}" 超过 1 GB，不像是账簿文件；请检查'
                )
            target = Path(found)
            if target.resolve() in seen:
                continue
            try:
                guard_includes(target, target.read_bytes(), seen)
            except OSError:
                continue


def beancount_error_record(
    error: Any, explained: Explained | None = None, caused_by: str | None = None
) -> dict[str, Any]:
    """A Beancount error in the ``--json`` shape; its class name is the code."""
    source = error.source or {}
    explained = explained or explain_error(error)
    return {
        "code": type(error).__name__,
        "severity": ERROR,
        "message": explained.message,
        "file": source.get("filename"),
        "line": source.get("lineno"),
        "date": _entry_date(error),
        "task": None,
        "project": None,
        "quota": None,
        "unit": None,
        "department": None,
        "fix": explained.fix,
        "caused_by": caused_by,
        "ack_reason": None,
    }


def _entry_date(error: Any) -> str | None:
    entry = getattr(error, "entry", None)
    date = getattr(entry, "date", None)
    return date.isoformat() if isinstance(date, datetime.date) else None


def records(analysis: Analysis) -> list[dict[str, Any]]:
    """Every Beancount error and rule finding, Beancount's first."""
    explained = analysis.explained or [explain_error(e) for e in analysis.errors]
    return [
        beancount_error_record(e, x, analysis.error_causes.get(i))
        for i, (e, x) in enumerate(zip(analysis.errors, explained, strict=True))
    ] + [f.to_json() for f in analysis.findings]


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


def _follow_ons(analysis: Analysis, base: Path | None) -> dict[str, list[str]]:
    """``file:line`` of a cause (as :func:`_where` shows it) → the codes folded under it."""
    folded: dict[str, list[str]] = defaultdict(list)
    for finding in analysis.findings:
        if finding.caused_by:
            file, _, line = finding.caused_by.rpartition(":")
            folded[_where(file, int(line) if line.isdigit() else None, base)].append(finding.code)
    for index, cause in analysis.error_causes.items():
        file, _, line = cause.rpartition(":")
        code = type(analysis.errors[index]).__name__
        folded[_where(file, int(line) if line.isdigit() else None, base)].append(code)
    return folded


def _folded_line(codes: list[str]) -> str:
    """``（由此引起的 3 条已折叠：T002 2 条、T004 1 条；…）`` — findings counted, then each code."""
    counts = Counter(codes)
    shown = "、".join(f"{code} {n} 条" for code, n in counts.items())
    return f"      （由此引起的 {len(codes)} 条已折叠：{shown}；改正上面一处后重新检查；--json 可见）\n"


def _undeclared(findings: list[Finding]) -> str:
    """The heading's words for a task id with no declaration read: a malformed declaration
    (S001 on it) was not read; otherwise the id is not declared anywhere."""
    if any(f.code == "S001" for f in findings):
        return "（声明格式有误，未能读入，见下）"
    return "（未声明）"


def print_human(analysis: Analysis, out: TextIO, base: Path | None = None) -> None:
    """Causes before consequences: Beancount's errors, then findings by unit and task.

    Each shows its fix line; findings that only follow from another are folded under
    it; acknowledged findings are listed apart under 已确认 with their reason.  File
    names are shown relative to ``base`` (default: the working folder).
    """
    decl = analysis.declarations
    folded = _follow_ons(analysis, base)
    out.write(f"检查截至 {analysis.as_of}（as of）\n")
    explained = analysis.explained or [explain_error(e) for e in analysis.errors]
    shown_errors = [
        (e, x)
        for i, (e, x) in enumerate(zip(analysis.errors, explained, strict=True))
        if i not in analysis.error_causes
    ]
    if shown_errors:
        out.write(f"\nBeancount 错误 {len(shown_errors)} 条：\n")
        for error, x in shown_errors:
            source = error.source or {}
            where = _where(source.get("filename"), source.get("lineno"), base)
            message = x.message.replace("\n", "\n    ")
            out.write(f"  {where}: {message}\n")
            if x.fix:
                out.write(f"      {FIX}：{x.fix}\n")
            if where in folded:
                out.write(_folded_line(folded[where]))
    groups: dict[str | None, dict[str | None, list[Finding]]] = defaultdict(
        lambda: defaultdict(list)
    )
    shown = [f for f in analysis.findings if not f.caused_by and f.severity != ACKNOWLEDGED]
    for finding in shown:
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
                name = f" {task_decl.name}" if task_decl else _undeclared(groups[unit][task])
                out.write(f"  任务 {task}{name}\n")
            else:
                out.write("  非任务事项\n")
            for f in groups[unit][task]:
                where = _where(f.file, f.line, base)
                out.write(
                    f"    {SEVERITY_LABEL[f.severity]} {f.code} {title(f.code)}\n"
                    f"      {where}: {f.message}\n"
                )
                if f.fix:
                    out.write(f"      {FIX}：{f.fix}\n")
                if where in folded:
                    out.write(_folded_line(folded[where]))
    acknowledged = [f for f in analysis.findings if f.severity == ACKNOWLEDGED]
    if acknowledged:
        out.write(f'\n{ACKNOWLEDGED_LABEL} {len(acknowledged)} 条（custom "ack"，不计为错误）：\n')
        for f in acknowledged:
            ident = f.task or f.quota or f.project or ""
            out.write(
                f"  {f.code} {ident} {title(f.code)}\n"
                f"      {_where(f.file, f.line, base)}: {f.message}\n"
                f"      确认理由：{f.ack_reason}\n"
            )
    errors = len(shown_errors) + sum(1 for f in shown if f.severity == ERROR)
    warnings = sum(1 for f in shown if f.severity == WARNING)
    hidden = sum(len(codes) for codes in folded.values())
    extra = f"、{len(acknowledged)} 个{ACKNOWLEDGED_LABEL}" if acknowledged else ""
    extra += f"（另有 {hidden} 条由此引起的已折叠）" if hidden else ""
    out.write(
        f"\n共 {errors} 个错误、{warnings} 个警告{extra}；任务 {len(decl.tasks)} 个、指标 {len(decl.quotas)} 个、"
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
