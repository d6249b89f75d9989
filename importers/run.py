"""One import run: identify the exports, extract them against the ledger, write atomically.

The run is all or nothing.  Every file is read and checked first (quota exports before
the payments that cite them, bank statements last); if any file has a problem the run
stops with all problems listed and writes nothing.  Otherwise the new entries go to a
temporary file beside the output and are renamed into place; an existing output file
keeps its bytes and the new entries are appended after them (nothing at all is written
when there is nothing new).  The ledger is only read.
"""

from __future__ import annotations

import datetime
import os
import re
import sys
import tempfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from operator import attrgetter
from pathlib import Path
from types import ModuleType
from typing import Any

from sandao.folders import output_path, remove_dead
from sandao.importers import bank, payment, quota
from sandao.importers.common import Draft, FileResult, RunContext
from sandao.importers.config import ImportConfig, resolve_config
from sandao.importers.errors import ImportFailure, ImportProblem, fail, os_reason
from sandao.importers.ledger_view import LedgerView, absorb_file, load_ledger
from sandao.importers.tables import RawSheet, Table, build_table, match_header, read_raw
from sandao.locking import LockTimeout, output_lock
from sandao.runtime import collector_paused, stop_signals_held

#: Importers in the order a run extracts them (quotas before the payments citing them).
IMPORTERS: tuple[ModuleType, ...] = (quota, payment, bank)
_KIND_ORDER = {"quota": 0, "transaction": 1, "balance": 2}
EXPORT_SUFFIXES = (".csv", ".txt", ".xlsx", ".xlsm", ".xls")
#: ``--output -``: the new entries go to standard output (the summary to standard error).
STDOUT = "-"
HEADER_LINE = "; 由 sandao import 生成（请勿手工修改；再次导入只追加新分录）"


@dataclass
class Identified:
    path: str
    importer: ModuleType
    table: Table


@dataclass
class RunResult:
    files: list[FileResult] = field(default_factory=list)
    outputs: dict[str, int] = field(default_factory=dict)  # output path → entries written

    def as_json(self) -> dict[str, Any]:
        return {
            "files": [f.as_json() for f in self.files],
            "outputs": self.outputs,
            "entries": sum(f.entries for f in self.files),
        }


def list_exports(paths: Iterable[str]) -> list[str]:
    """Files given, and export-looking files inside directories given (sorted)."""
    found: list[str] = []
    for path in paths:
        if os.path.isdir(path):
            for root, dirs, files in os.walk(path):
                dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                for name in sorted(files):
                    if name.lower().endswith(EXPORT_SUFFIXES) and not name.startswith((".", "~$")):
                        found.append(os.path.join(root, name))
        else:
            found.append(path)
    return found


def identify_raw(path: str, raw: RawSheet, config: ImportConfig) -> Identified:
    """The importer whose required columns the file's header has (best match)."""
    candidates = []
    for module in IMPORTERS:
        synonyms = config.synonyms(module.COLUMNS)
        found = match_header(raw.rows, synonyms)
        columns = found[1] if found else {}
        have = sum(1 for c in module.REQUIRED if c in columns)
        candidates.append(
            (
                have == len(module.REQUIRED),
                have / len(module.REQUIRED),
                len(columns),
                module,
                synonyms,
            )
        )
    candidates.sort(key=lambda c: (c[0], c[1], c[2]), reverse=True)
    complete, share, _, module, synonyms = candidates[0]
    if not complete and share < 0.5:
        names = "、".join(m.NAME for m in IMPORTERS)
        raise fail(
            path,
            f"无法识别文件类型：前 40 行中找不到{names}任一种导出的表头，应为财政或银行导出的明细表",
            row=1,
        )
    table = build_table(
        path,
        raw,
        module.COLUMNS,
        module.REQUIRED,
        synonyms,
        module.AMOUNT_COLUMNS,
        module.KEY_COLUMN,
    )
    return Identified(path, module, table)


def identify_file(path: str, config: ImportConfig) -> Identified:
    """Read and identify one export (raises :class:`ImportFailure`)."""
    return identify_raw(path, read_raw(path), config)


def terminal_progress(path: str) -> Callable[[int, int], None] | None:
    """A simple progress line on stderr when it is a terminal and the file is large."""
    if not sys.stderr.isatty():
        return None
    name = os.path.basename(path)

    def show(done: int, total: int) -> None:
        if total < 5000:
            return
        width = 30
        filled = width * done // total
        end = "\n" if done >= total else ""
        sys.stderr.write(
            f"\r导入 {name} [{'#' * filled}{'.' * (width - filled)}] {done}/{total}{end}"
        )
        sys.stderr.flush()

    return show


def extract_files(
    paths: Sequence[str],
    ledger: LedgerView,
    config: ImportConfig,
    progress: Callable[[str], Callable[[int, int], None] | None] | None = None,
) -> list[FileResult]:
    """Identify and extract every file; raise one :class:`ImportFailure` listing all problems."""
    # Reading and extraction allocate many small objects and no cycles: the cyclic GC
    # would only walk the growing row lists again and again.
    with collector_paused():
        return _extract_files(paths, ledger, config, progress)


def _extract_files(
    paths: Sequence[str],
    ledger: LedgerView,
    config: ImportConfig,
    progress: Callable[[str], Callable[[int, int], None] | None] | None,
) -> list[FileResult]:
    problems: list[ImportProblem] = []
    identified: list[Identified] = []
    seen_paths: set[str] = set()
    for path in paths:
        real = os.path.realpath(path)
        if real in seen_paths:
            continue
        seen_paths.add(real)
        try:
            identified.append(identify_file(path, config))
        except ImportFailure as exc:
            problems.extend(exc.problems)
    if problems:
        raise ImportFailure(problems)
    # Bank statements oldest first: each one's opening balance follows the one before.
    identified.sort(key=lambda i: (IMPORTERS.index(i.importer), _first_day(i)))
    ctx = RunContext(ledger, config)
    results: list[FileResult] = []
    for item in identified:
        ctx.progress = progress(item.path) if progress else None
        try:
            result = item.importer.extract(item.table, ctx)
        except ImportFailure as exc:
            problems.extend(exc.problems)
            continue
        problems.extend(result.problems)
        results.append(result)
    if problems:
        raise ImportFailure(problems)
    order = {os.path.realpath(p): i for i, p in enumerate(paths)}
    results.sort(key=lambda r: order.get(os.path.realpath(r.path), 0))
    return results


def render(drafts: Iterable[Draft]) -> str:
    """Entries sorted by date (declarations, then transactions, then balances), blank-line separated."""
    ordered = list(drafts)
    if len({d.kind for d in ordered}) > 1:
        ordered.sort(key=lambda d: _KIND_ORDER[d.kind])
    ordered.sort(key=attrgetter("date"))  # stable: within a date the kind order stays
    return "\n".join([d.text for d in ordered])


def _stage(path: str, text: str) -> str:
    """Write ``text`` to a temporary file beside ``path``; returns the temporary file."""
    folder = os.path.dirname(os.path.abspath(path))
    os.makedirs(folder, exist_ok=True)
    handle, temp = tempfile.mkstemp(
        prefix=f"{STAGE_PREFIX}{os.getpid()}-", suffix=".tmp", dir=folder
    )
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="\n") as stream:
            stream.write(text)
            stream.flush()
            os.fsync(stream.fileno())
        if os.path.exists(path):
            os.chmod(temp, os.stat(path).st_mode & 0o777)
        else:
            os.chmod(temp, 0o644)
    except BaseException:
        if os.path.exists(temp):
            os.unlink(temp)
        raise
    return temp


#: Temporary files of a run: ``.sandao-import-<pid>-….tmp`` beside each output.
STAGE_PREFIX = ".sandao-import-"
_STAGED = re.compile(r"\.sandao-import-(?:(?P<pid>\d+)-)?[^/]*\.tmp")


def remove_stale(folder: str) -> int:
    """Remove temporary files that killed runs left in ``folder`` (their process is gone)."""
    return remove_dead(Path(folder), _STAGED)


def atomic_write(path: str, text: str) -> None:
    """Write ``text`` to ``path`` through a temporary file in the same folder and a rename."""
    path = str(output_path(path))
    os.replace(_stage(path, text), path)


def write_all(contents: dict[str, str]) -> None:
    """Write several files all or nothing: every temporary file first, then the renames.

    A failure while staging (no permission, disk full …) removes the temporary files
    and raises :class:`ImportFailure`; no output file has changed by then.  Ctrl-C or
    SIGTERM during the renames waits for the last one.
    """
    staged: list[tuple[str, str]] = []
    target = ""
    try:
        for given, text in contents.items():
            target = str(output_path(given))  # a symbolic link is followed, not replaced
            staged.append((_stage(target, text), target))
        with stop_signals_held():  # Ctrl-C: every file renamed or none
            for temp, target in staged:
                os.replace(temp, target)
    except BaseException as exc:  # also Ctrl-C: no temporary file is left behind
        for temp, _ in staged:
            if os.path.exists(temp):
                os.unlink(temp)
        if isinstance(exc, OSError):
            raise fail(target, f"无法写入输出文件（{os_reason(exc)}），应为可写的文件路径") from exc
        raise


def _compose(path: str, drafts: list[Draft], sources: list[str]) -> str | None:
    """The new content of an output file, or None when nothing changes."""
    if not drafts:
        return None
    names = "、".join(os.path.basename(s) for s in sources)
    body = render(drafts)
    old = ""
    if os.path.exists(path):
        try:
            with open(path, encoding="utf-8") as handle:
                old = handle.read()
        except UnicodeDecodeError as exc:
            raise fail(path, "输出文件已存在但不是 UTF-8 文本，应为 Beancount 文件") from exc
    if old.strip():
        joiner = "" if old.endswith("\n") or not old else "\n"
        return f"{old}{joiner}\n; sandao import 追加，来源：{names}\n\n{body}"
    return f"{HEADER_LINE}\n; 来源：{names}\n\n{body}"


def _check_output(path: str, ledger_path: str, inputs: Sequence[str]) -> None:
    full = os.path.realpath(path)
    if full == os.path.realpath(ledger_path):
        raise fail(path, "输出文件不能是主账本本身，应为单独的导入文件（可在主账本中 include）")
    if full in {os.path.realpath(p) for p in inputs}:
        raise fail(path, "输出文件不能是导出文件本身")
    if os.path.isdir(full):
        raise fail(path, "输出路径是目录，应为文件（或使用 --output-dir）")
    if os.path.exists(full) and not os.path.isfile(full):
        raise fail(path, "输出路径不是普通文件，应为 Beancount 文件的路径")
    folder = os.path.dirname(full)
    while not os.path.exists(folder):  # the nearest existing ancestor must be a folder
        folder = os.path.dirname(folder)
    if not os.path.isdir(folder):
        raise fail(path, f"输出路径中的 {folder} 是文件而不是目录，应为可写的目录下的文件")
    if not os.access(folder, os.W_OK):
        raise fail(path, f"没有权限写入目录 {folder}，应为可写的目录")


def run_extract(
    paths: Sequence[str],
    ledger_path: str,
    output: str | None = None,
    output_dir: str | None = None,
    config_path: str | None = None,
    progress: bool = True,
) -> RunResult:
    """The whole ``sandao import extract``: nothing is written unless every file is clean.

    The output (file or folder) is locked from before the ledger, which may include it,
    is read until the new content has replaced it: a concurrent run into the same output
    waits, then sees this run's entries as already imported.
    """
    config = resolve_config(config_path, ledger_path)
    files = list_exports(paths)
    if not files:
        raise fail(", ".join(paths) or ".", "没有找到可导入的导出文件（.csv / .xlsx / .xls）")
    for path in files:
        if not os.path.exists(path):
            raise fail(path, "导出文件不存在")
    target = output_dir if output_dir is not None else output
    assert target is not None
    if output == STDOUT:
        return _run_locked(files, ledger_path, output, output_dir, config, progress)
    if output is not None:
        _check_output(output, ledger_path, files)
    try:
        with output_lock(target):
            return _run_locked(files, ledger_path, output, output_dir, config, progress)
    except LockTimeout as exc:
        raise fail(target, str(exc)) from None


def _run_locked(
    files: list[str],
    ledger_path: str,
    output: str | None,
    output_dir: str | None,
    config: ImportConfig,
    progress: bool,
) -> RunResult:
    target = output_dir or os.path.dirname(os.path.abspath(output or "."))
    remove_stale(target)  # temporary files of killed runs (this run holds the lock)
    ledger = load_ledger(ledger_path)
    to_stdout = output == STDOUT
    targets: dict[str, str] = {}
    for path in files:
        if output_dir is not None:
            stem = os.path.splitext(os.path.basename(path))[0]
            targets[path] = os.path.join(output_dir, f"{stem}.beancount")
        else:
            assert output is not None
            targets[path] = output
    for target in sorted(set(targets.values()) - {STDOUT}):
        _check_output(target, ledger_path, files)
        absorb_file(ledger, target)
    if output_dir is not None and os.path.isdir(output_dir):
        # Earlier imports in the folder count too (an overlapping export of another name).
        for name in sorted(os.listdir(output_dir)):
            if name.endswith(".beancount") and not name.startswith("."):
                absorb_file(ledger, os.path.join(output_dir, name))
    results = extract_files(files, ledger, config, terminal_progress if progress else None)
    grouped: dict[str, tuple[list[Draft], list[str]]] = {}
    for result in results:
        drafts, sources = grouped.setdefault(targets[result.path], ([], []))
        drafts.extend(result.drafts)
        sources.append(result.path)
    run = RunResult(results)
    if to_stdout:
        drafts = [d for drafts, _ in grouped.values() for d in drafts]
        if drafts:
            sys.stdout.write(render(drafts))
            sys.stdout.flush()
        run.outputs[STDOUT] = len(drafts)
        return run
    contents: dict[str, str | None] = {}
    for target, (drafts, sources) in grouped.items():
        contents[target] = _compose(target, drafts, sources)
    # Everything is composed before anything is written, and written all or nothing.
    write_all({target: text for target, text in contents.items() if text is not None})
    for target in contents:
        run.outputs[target] = len(grouped[target][0])
    return run


def summary_lines(run: RunResult) -> list[str]:
    """The human summary, one block per file (Chinese)."""
    lines = []
    for r in run.files:
        unit = f"，单位 {r.unit}" if r.unit else ""
        lines.append(f"{os.path.basename(r.path)}  [{r.importer}{unit}]")
        control = r.control
        if r.control_total is not None:
            control += f" {r.control_total}"
        lines.append(
            f"  读取 {r.rows} 行，写入 {r.entries} 条，重复跳过 {r.duplicates} 条，作废跳过 {r.voided} 行，退款 {r.refunds} 笔；{control}"
        )
        if r.closing_balance is not None:
            lines.append(f"  期末余额 {r.closing_balance}")
        lines.extend(f"  注意：{note}" for note in r.notes)
    for target, count in run.outputs.items():
        if target == STDOUT:
            lines.append(f"输出到标准输出：新增 {count} 条")
            continue
        lines.append(
            f"输出 {target}：新增 {count} 条" if count else f"输出 {target}：没有新分录，文件未改动"
        )
    return lines


def _first_day(item: Identified) -> datetime.date:
    if item.importer is not bank:
        return datetime.date.min
    return file_date(item.table, "交易日期", earliest=True) or datetime.date.min


def file_date(table: Table, column: str, earliest: bool = False) -> datetime.date | None:
    """The latest (or earliest) date in a table's date column (for archiving)."""
    from sandao.importers.values import ValueProblem, parse_date

    index = table.columns.get(column)
    latest = None
    for _, row in table.rows:
        try:
            date = parse_date(row[index]) if index is not None and index < len(row) else None
        except ValueProblem:
            continue
        if date and (latest is None or (date < latest if earliest else date > latest)):
            latest = date
    return latest
