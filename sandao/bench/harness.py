"""The benchmark harness: one synthetic county, a registry of measurements, ratios.

Every timing runs in a fresh child process (``BEANCOUNT_DISABLE_LOAD_CACHE=1``, so
Beancount's pickle cache never helps) and is repeated; the best time counts
because the machine is noisy, and the peak RSS of each child is read from
``os.wait4``.  Paired timings are interleaved (A B, B A, …) so a slow spell hurts
both sides alike.

A measurement is a function ``(BenchContext) -> Outcome`` registered with
:func:`measurement`; it returns figures (seconds, RSS) and ratios against the
targets of ``shared/spec/quality.md``.  Later work adds its own the same way (see
the placeholders for reports and the Fava extension at the end of this module).
:func:`run_bench` runs the selected measurements; :func:`render_table` and
:func:`summary_json` give the human table and the machine-readable last line.
"""

from __future__ import annotations

import importlib
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sandao.bench import MEASUREMENT_NAMES
from sandao.bench.generate import MANIFEST_FILE, bare_twin, generate_county

#: Targets from shared/spec/quality.md (ratio key → upper bound).
TARGETS: dict[str, float] = {
    "plugin_load_ratio": 1.10,
    "check_ratio": 1.15,
    "reports_ratio": 1.5,
    "payment_import_ratio": 12.0,
    "fava_ratio": 1.0,
    "report_rss_ratio": 1.3,
    "audit_ratio": 0.3,
    "c001_ratio": 0.05,
    "foreign_plugin_ratio": 1.10,
    "audit_edition_ratio": 1.5,
    "audit_edition_rss_ratio": 1.3,
}

#: Child script: load one ledger, print timings and what came back as JSON.
LOAD_SCRIPT = r"""
import json, re, sys, time
from collections import Counter
t0 = time.perf_counter()
from beancount import loader
loader.initialize(use_cache=False)
t1 = time.perf_counter()
entries, errors, options = loader.load_file(sys.argv[1])
t2 = time.perf_counter()
codes = Counter()
failed = []
for error in errors:
    message = str(getattr(error, "message", error))
    if message.startswith("Error importing"):
        failed.append(message.splitlines()[0][:300])
    match = re.match(r"\[([A-Z]\d{3})\]", message)
    codes[match.group(1) if match else type(error).__name__] += 1
print(json.dumps({"import_s": t1 - t0, "load_s": t2 - t1, "entries": len(entries),
                  "errors": len(errors), "codes": dict(codes), "plugin_failed": failed}))
"""


#: Child script: the payment-import benchmark, its figures as JSON.
IMPORT_SCRIPT = r"""
import json, sys
from pathlib import Path
from sandao.importers.bench import bench_payment_import
print(json.dumps(dict(bench_payment_import(Path(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]))), default=str))
"""


#: Child script: render one unit's reports to PDF, time the rendering, count the pages.
PDF_SCRIPT = r"""
import json, sys, tempfile, time
from pathlib import Path
from sandao.ledger import load
from sandao.reports.html import environment, render_report
from sandao.reports.pdf import write_pdf
from sandao.reports.run import report_jobs
analysis = load(sys.argv[1])
env = environment(None)
pages, seconds, reports = 0, 0.0, 0
with tempfile.TemporaryDirectory(dir=sys.argv[3]) as out:
    for job in report_jobs(analysis, unit=sys.argv[2]):
        html = render_report(env, job())
        start = time.perf_counter()
        pages += write_pdf(html, Path(out) / f"{reports}.pdf")
        seconds += time.perf_counter() - start
        reports += 1
print(json.dumps({"pdf_s": seconds, "pages": pages, "reports": reports}))
"""


#: Child script: load the books once, then time every audit check (best of 3).
AUDIT_SCRIPT = r"""
import json, sys, time
from sandao.ledger.analysis import load
from sandao.runtime import one_shot_process
from sandao.reports.audit import audit
one_shot_process()
analysis = load(sys.argv[1])
best, found = None, 0
for _ in range(3):
    start = time.perf_counter()
    found = len(audit(analysis).findings)
    spent = time.perf_counter() - start
    best = spent if best is None else min(best, spent)
print(json.dumps({"audit_s": best, "findings": found, "postings": len(analysis.postings)}))
"""

#: Child script: close every unit's first year (period-close directives in closes.beancount
#: and a main file that includes it).
CLOSE_PREP_SCRIPT = r"""
import datetime, json, sys
from pathlib import Path
from beancount.core import data
from sandao.ledger.closing import close_directive, digest_of, unit_lines
from sandao.ledger.revisions import load_unplugged
main = Path(sys.argv[1])
entries = load_unplugged(main)[0]
units = {str(e.values[0].value) for e in entries if type(e) is data.Custom and e.type == "unit"}
year = min(e.date.year for e in entries if isinstance(e, data.Transaction))
day = datetime.date(year, 12, 31)
lines = unit_lines(entries, units, day)
closes = "".join(close_directive(u, day, digest_of(lines.get(u, []), day)) for u in sorted(units))
(main.parent / "closes.beancount").write_text(closes, encoding="utf-8")
closed = main.parent / "main-closed.beancount"
closed.write_text(main.read_text(encoding="utf-8") + 'include "closes.beancount"\n', encoding="utf-8")
print(json.dumps({"closes": len(units), "closed": str(closed)}))
"""

#: Child script: load books with closed periods (plugin on), then time rule C001 alone.
C001_SCRIPT = r"""
import json, sys, time
from beancount import loader
from sandao.ledger.closing import check_closed_periods
from sandao.ledger.sink import FindingSink
loader.initialize(use_cache=False)
start = time.perf_counter()
entries, errors, options = loader.load_file(sys.argv[1])
load_s = time.perf_counter() - start
c001 = sum(1 for e in errors if str(getattr(e, "message", "")).startswith("[C001]"))
best = None
for _ in range(3):
    sink = FindingSink()
    start = time.perf_counter()
    check_closed_periods(entries, options, sink)
    spent = time.perf_counter() - start
    best = spent if best is None else min(best, spent)
print(json.dumps({"load_s": load_s, "c001_s": best, "c001_findings": c001 + len(sink.findings)}))
"""


@dataclass(frozen=True)
class ChildRun:
    """One finished child process: wall time, peak RSS, exit code and output."""

    argv: tuple[str, ...]
    wall_s: float
    maxrss_mb: float
    returncode: int
    stdout: str
    stderr: str

    def json_tail(self) -> dict[str, Any] | None:
        """The child's last stdout line as JSON, if it is a JSON object."""
        lines = self.stdout.strip().splitlines()
        if not lines:
            return None
        try:
            value = json.loads(lines[-1])
        except ValueError:
            return None
        return value if isinstance(value, dict) else None


def _maxrss_mb(usage: Any) -> float:
    scale = 1 if sys.platform == "darwin" else 1024  # bytes on macOS, KiB on Linux
    return usage.ru_maxrss * scale / (1024 * 1024)


#: What a child imports: compiled once before the first timing (:func:`compiled`).
WARM_UP = (
    "import beancount.loader, beancount.ops.validation, sandao.cli, sandao.ledger.analysis, "
    "sandao.ledger.explain, sandao.ledger.closing, sandao.reports.run"
)


def compiled(env: dict[str, str]) -> None:
    """Let the children run from compiled bytecode, as an installed package does.

    Beancount's modules were compiled when pip installed them; this package's, in an
    editable install, are compiled on first import — unless the machine forbids writing
    bytecode (``PYTHONDONTWRITEBYTECODE``), and then every child would also time the
    compiling of sandao's sources (≈ 35 ms of a plugin load), which no installed copy
    pays.  Allow it and compile once before the first timing.
    """
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    subprocess.run([sys.executable, "-c", WARM_UP], env=env, check=False, capture_output=True)


def run_child(
    argv: Sequence[str],
    *,
    env: dict[str, str] | None = None,
    cwd: str | Path | None = None,
    timeout: float | None = None,
) -> ChildRun:
    """Run ``argv`` to completion; time it and read its peak RSS with ``os.wait4``."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        proc = subprocess.Popen(list(argv), stdout=out, stderr=err, env=env, cwd=cwd)
        timer = threading.Timer(timeout, proc.kill) if timeout else None
        if timer:
            timer.start()
        try:
            _, status, usage = os.wait4(proc.pid, 0)
        finally:
            if timer:
                timer.cancel()
        wall = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        return ChildRun(
            tuple(argv),
            wall,
            _maxrss_mb(usage),
            proc.returncode,
            out.read().decode("utf-8", "replace"),
            err.read().decode("utf-8", "replace"),
        )


@dataclass(frozen=True)
class BenchConfig:
    """What to generate and how often to repeat each timing."""

    transactions: int = 100_000
    tasks: int | None = None  # None: 1 per 100 transactions (1,000 at 100k)
    quotas: int | None = None  # None: 3 per 1,000 transactions (300 at 100k)
    units: int = 20
    communities: int = 80
    years: int = 2
    seed: int = 0
    repeat: int = 3
    workdir: Path | None = None
    only: tuple[str, ...] = ()
    timeout: float = 1800.0

    def scale(self) -> dict[str, int]:
        """The generator's arguments, defaults scaled to ``transactions``."""
        tasks = self.tasks if self.tasks is not None else max(10, self.transactions // 100)
        quotas = self.quotas
        if quotas is None:
            quotas = max(self.units * self.years, self.transactions * 3 // 1000)
        return {
            "transactions": self.transactions,
            "tasks": tasks,
            "quotas": quotas,
            "units": self.units,
            "communities": self.communities,
            "years": self.years,
            "seed": self.seed,
        }


@dataclass
class BenchContext:
    """What every measurement gets: the generated books, the settings, a logger."""

    config: BenchConfig
    workdir: Path
    ledger: Path  # main.beancount, with the plugin line
    bare: Path  # main-bare.beancount, same files without the plugin
    manifest: dict[str, Any]
    log: Callable[[str], None]
    env: dict[str, str] = field(default_factory=dict)

    @property
    def python(self) -> str:
        return sys.executable

    def run(self, argv: Sequence[str]) -> ChildRun:
        """Run one child with the benchmark environment (no load cache)."""
        return run_child(argv, env=self.env, cwd=self.workdir, timeout=self.config.timeout)

    def interleaved(self, variants: dict[str, Sequence[str]]) -> dict[str, list[ChildRun]]:
        """Run each variant ``repeat`` times, alternating the order every round."""
        names = list(variants)
        runs: dict[str, list[ChildRun]] = {name: [] for name in names}
        for round_ in range(max(1, self.config.repeat)):
            for name in names if round_ % 2 == 0 else names[::-1]:
                run = self.run(variants[name])
                self.log(f"  {name} #{round_ + 1}: {run.wall_s:.2f} s, {run.maxrss_mb:.0f} MB")
                runs[name].append(run)
        return runs


@dataclass(frozen=True)
class Figure:
    """One measured figure: best seconds and peak RSS of a command."""

    key: str
    label: str
    seconds: float | None
    rss_mb: float | None = None
    note: str = ""


@dataclass(frozen=True)
class Ratio:
    """A ratio and its target (lower is better)."""

    key: str
    label: str
    value: float
    target: float | None

    @property
    def passed(self) -> bool | None:
        return None if self.target is None else self.value <= self.target


@dataclass
class Outcome:
    """What one measurement found."""

    name: str
    figures: list[Figure] = field(default_factory=list)
    ratios: list[Ratio] = field(default_factory=list)
    info: dict[str, Any] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    skipped: str | None = None
    failed: str | None = None

    def ratio(self, name: str, label: str, value: float) -> None:
        """Add the ratio ``name``, with its target from :data:`TARGETS` when it has one."""
        self.ratios.append(Ratio(name, label, value, TARGETS.get(name)))


@dataclass(frozen=True)
class Measurement:
    """A registered measurement."""

    name: str
    label: str
    func: Callable[[BenchContext], Outcome]


#: Registry, in run order.
MEASUREMENTS: dict[str, Measurement] = {}


def measurement(
    name: str, label: str, command: str | None = None
) -> Callable[[Callable[[BenchContext], Outcome]], Callable[[BenchContext], Outcome]]:
    """Register ``func(ctx) -> Outcome`` as the measurement ``name``.

    With ``command``, the measurement is skipped when this sandao has no such subcommand
    (yet): it times that command.
    """

    def register(func: Callable[[BenchContext], Outcome]) -> Callable[[BenchContext], Outcome]:
        assert name in MEASUREMENT_NAMES, f"list {name!r} in sandao.bench.MEASUREMENT_NAMES"

        def measure(ctx: BenchContext) -> Outcome:
            if command is not None and not _has_subcommand(command):
                skipped = f"sandao {command} 尚不可用 (sandao {command} not available)"
                return Outcome(name, skipped=skipped)
            return func(ctx)

        MEASUREMENTS[name] = Measurement(name, label, measure)
        return func

    return register


def _best(runs: list[ChildRun], key: str | None = None) -> float:
    if key is None:
        return min(r.wall_s for r in runs)
    values = [tail[key] for r in runs if (tail := r.json_tail()) and key in tail]
    return min(values) if values else min(r.wall_s for r in runs)


def _peak(runs: list[ChildRun]) -> float:
    return max(r.maxrss_mb for r in runs)


def _answered(run: ChildRun) -> bool:
    """A child that exited 0 and printed its JSON tail."""
    return run.returncode == 0 and run.json_tail() is not None


def _failed(
    outcome: Outcome,
    name: str,
    runs: list[ChildRun],
    ok: Callable[[ChildRun], bool] = _answered,
) -> bool:
    """Mark ``outcome`` failed by the first of ``name``'s runs that is not ``ok``."""
    for run in runs:
        if not ok(run):
            outcome.failed = f"{name} 退出码 {run.returncode}：{_tail_lines(run.stderr)}"
            return True
    return False


def _load_tails(
    outcome: Outcome, runs: dict[str, list[ChildRun]], bare: str, plugin: str
) -> tuple[dict[str, Any], dict[str, Any]]:
    """The JSON tails of the first bare and plugin load; their entries and errors to info."""
    bare_tail = runs[bare][0].json_tail() or {}
    plugin_tail = runs[plugin][0].json_tail() or {}
    outcome.info = {
        "entries": bare_tail.get("entries"),
        "bare_errors": bare_tail.get("errors"),
        "plugin_errors": plugin_tail.get("errors"),
    }
    return bare_tail, plugin_tail


def _wall_and_rss(
    outcome: Outcome,
    runs: dict[str, list[ChildRun]],
    ours: str,
    theirs: str,
    wall: tuple[str, str],
    rss: tuple[str, str],
) -> None:
    """The ratios (name, label) of the ``ours`` runs to ``theirs``: best wall time, peak RSS."""
    outcome.ratio(*wall, _best(runs[ours]) / _best(runs[theirs]))
    outcome.ratio(*rss, _peak(runs[ours]) / _peak(runs[theirs]))


def _tail_lines(text: str, count: int = 5) -> str:
    return "\n".join(text.strip().splitlines()[-count:])


# -- built-in measurements -------------------------------------------------------


@measurement("load", "Beancount 加载：裸加载 vs 带插件 (load: bare vs plugin)")
def measure_load(ctx: BenchContext) -> Outcome:
    """Uncached ``loader.load_file`` of the bare twin and of the plugin ledger."""
    outcome = Outcome("load")
    runs = ctx.interleaved(
        {
            "bare_load": [ctx.python, "-c", LOAD_SCRIPT, str(ctx.bare)],
            "plugin_load": [ctx.python, "-c", LOAD_SCRIPT, str(ctx.ledger)],
        }
    )
    for name, label in (
        ("bare_load", "裸加载 bare load (loader.load_file)"),
        ("plugin_load", "带插件加载 load with plugin"),
    ):
        if _failed(outcome, name, runs[name]):
            return outcome
        outcome.figures.append(
            Figure(f"{name}_s", label, _best(runs[name], "load_s"), _peak(runs[name]))
        )
        outcome.figures.append(
            Figure(f"{name}_wall_s", "  同上，含启动与退出 (wall)", _best(runs[name]))
        )
    bare_tail, plugin_tail = _load_tails(outcome, runs, "bare_load", "plugin_load")
    outcome.info["plugin_codes"] = plugin_tail.get("codes")
    if bare_tail.get("errors"):
        outcome.notes.append(f"裸账簿有 {bare_tail['errors']} 个错误：{bare_tail.get('codes')}")
    if plugin_tail.get("plugin_failed"):
        outcome.skipped = "插件无法导入 (plugin not importable): " + plugin_tail["plugin_failed"][0]
        return outcome
    bare_s = _best(runs["bare_load"], "load_s")
    plugin_s = _best(runs["plugin_load"], "load_s")
    outcome.ratio(
        "plugin_load_ratio",
        "带插件加载 ÷ 裸加载 (plugin load / bare load)",
        plugin_s / bare_s,
    )
    _wall_and_rss(
        outcome,
        runs,
        "plugin_load",
        "bare_load",
        ("plugin_load_wall_ratio", "  同上，含启动与退出 (wall, incl. start-up and exit)"),
        ("plugin_load_rss_ratio", "带插件峰值内存 ÷ 裸加载 (plugin RSS / bare RSS)"),
    )
    return outcome


#: Beancount's own example books (a personal ledger): the seed and dates make them fixed.
FOREIGN_EXAMPLE_ARGS: tuple[str, ...] = (
    "--seed", "14", "--date-begin", "2022-01-01", "--date-end", "2024-12-31",
    "--date-birth", "1980-05-12",
)  # fmt: skip


@measurement("foreign", "外来账簿：bean-example 裸加载 vs 加插件 (foreign books: plugin cost)")
def measure_foreign(ctx: BenchContext) -> Outcome:
    """Beancount's ``bean-example`` books with and without the plugin line (out of scope)."""
    outcome = Outcome("foreign")
    folder = ctx.workdir / "foreign"
    folder.mkdir(exist_ok=True)
    bare = folder / "bean-example.beancount"
    example = str(Path(sys.executable).with_name("bean-example"))
    made = run_child([example, *FOREIGN_EXAMPLE_ARGS, "-o", str(bare)], env=ctx.env)
    if made.returncode != 0 or not bare.exists():
        outcome.skipped = f"bean-example 无法运行：{_tail_lines(made.stderr)}"
        return outcome
    plugged = folder / "bean-example-plugin.beancount"
    text = bare.read_text(encoding="utf-8")
    plugged.write_text(f'{text}\nplugin "sandao.ledger"\n', encoding="utf-8")
    runs = ctx.interleaved(
        {
            "foreign_bare": [ctx.python, "-c", LOAD_SCRIPT, str(bare)],
            "foreign_plugin": [ctx.python, "-c", LOAD_SCRIPT, str(plugged)],
        }
    )
    for name in runs:
        if _failed(outcome, name, runs[name]):
            return outcome
    bare_tail, plugin_tail = _load_tails(outcome, runs, "foreign_bare", "foreign_plugin")
    if plugin_tail.get("errors") != bare_tail.get("errors"):
        outcome.notes.append(f"插件增加了错误：{plugin_tail.get('codes')}")
    bare_s = _best(runs["foreign_bare"], "load_s")
    outcome.figures.append(Figure("foreign_bare_s", "bean-example 裸加载", bare_s))
    plugin_s = _best(runs["foreign_plugin"], "load_s")
    outcome.figures.append(Figure("foreign_plugin_s", "bean-example 带插件加载", plugin_s))
    outcome.ratio(
        "foreign_plugin_ratio",
        "外来账簿带插件 ÷ 裸加载 (foreign books: plugin / bare)",
        plugin_s / bare_s,
    )
    return outcome


def _has_subcommand(name: str) -> bool:
    from sandao.cli import build_parser

    parser = build_parser()
    for action in parser._subparsers._group_actions if parser._subparsers else ():
        if name in getattr(action, "choices", {}):
            return True
    return False


@measurement("check", "检查：bean-check vs sandao check (end to end)", command="check")
def measure_check(ctx: BenchContext) -> Outcome:
    """``bean-check`` of the bare twin vs ``sandao check`` of the plugin ledger."""
    outcome = Outcome("check")
    runs = ctx.interleaved(
        {
            "bean_check": [
                ctx.python,
                "-m",
                "beancount.scripts.check",
                "--no-cache",
                str(ctx.bare),
            ],
            "sandao_check": [
                ctx.python,
                "-m",
                "sandao.cli",
                "check",
                "--no-cache",
                str(ctx.ledger),
            ],
        }
    )
    for name, label, ok in (
        ("bean_check", "bean-check 裸账簿 (bare bean-check)", (0, 1)),
        ("sandao_check", "sandao check 端到端 (end to end)", (0, 1)),
    ):
        if _failed(outcome, name, runs[name], lambda r, ok=ok: r.returncode in ok):
            return outcome
        outcome.figures.append(Figure(f"{name}_s", label, _best(runs[name]), _peak(runs[name])))
    outcome.info = {
        "bean_check_exit": runs["bean_check"][0].returncode,
        "sandao_check_exit": runs["sandao_check"][0].returncode,
    }
    if runs["bean_check"][0].returncode:
        outcome.notes.append("裸账簿 bean-check 有错误 (bare books have errors)")
    _wall_and_rss(
        outcome,
        runs,
        "sandao_check",
        "bean_check",
        ("check_ratio", "sandao check ÷ bean-check"),
        ("check_rss_ratio", "sandao check 峰值内存 ÷ bean-check (RSS)"),
    )
    return outcome


def _first(data: dict[str, Any], *keys: str) -> float | None:
    for key in keys:
        value = data.get(key)
        if isinstance(value, int | float) and not isinstance(value, bool):
            return float(value)
    return None


_EXTRACT_KEYS = ("csv_extract_seconds", "extract_s", "extract_seconds")
_READ_CSV_KEYS = ("pandas_read_csv_seconds", "read_csv_s", "pandas_s")


@measurement("payment_import", "支付导入 vs pandas.read_csv (payment import)")
def measure_payment_import(ctx: BenchContext) -> Outcome:
    """``sandao.importers.bench.bench_payment_import(tmpdir, rows, seed) -> dict``.

    The helper writes the export and times the importer's extract (ledger load
    excluded) and ``pandas.read_csv`` of the same CSV itself; it returns
    ``csv_extract_seconds`` and ``pandas_read_csv_seconds`` (``extract_s`` /
    ``read_csv_s`` are accepted too), optionally the xlsx figures.  Called
    ``repeat`` times; the best of each figure counts.
    """
    outcome = Outcome("payment_import")
    try:
        importlib.import_module("sandao.importers.bench").bench_payment_import  # noqa: B018
    except (ImportError, AttributeError) as exc:
        outcome.skipped = f"导入基准尚不可用 (sandao.importers.bench missing: {exc})"
        return outcome
    rows = ctx.config.transactions
    results: list[dict[str, Any]] = []
    for round_ in range(max(1, ctx.config.repeat)):
        # In a child: Linux carries a parent's peak RSS into its children's figures, so
        # the harness itself must stay small for the RSS ratios measured after this.
        tmp = Path(tempfile.mkdtemp(prefix="import-", dir=ctx.workdir))
        try:
            run = ctx.run(
                [ctx.python, "-c", IMPORT_SCRIPT, str(tmp), str(rows), str(ctx.config.seed)]
            )
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
        result = run.json_tail()
        if run.returncode != 0 or result is None:
            outcome.failed = f"payment_import 退出码 {run.returncode}：{_tail_lines(run.stderr)}"
            return outcome
        ctx.log(f"  payment_import #{round_ + 1}: {result}")
        results.append(result)
    extract = [v for r in results if (v := _first(r, *_EXTRACT_KEYS)) is not None]
    read_csv = [v for r in results if (v := _first(r, *_READ_CSV_KEYS)) is not None]
    xlsx = [v for r in results if (v := _first(r, "xlsx_extract_seconds")) is not None]
    read_xlsx = [
        v for r in results if (v := _first(r, "pandas_read_excel_calamine_seconds")) is not None
    ]
    outcome.info = {"rows": rows, "results": results}
    if extract:
        outcome.figures.append(
            Figure("payment_extract_s", "导入 extract（不含账簿加载）", min(extract))
        )
    if read_csv:
        outcome.figures.append(
            Figure("payment_read_csv_s", "pandas.read_csv 同一文件", min(read_csv))
        )
    if xlsx:
        outcome.figures.append(Figure("payment_xlsx_extract_s", "导入 extract，xlsx", min(xlsx)))
    if read_xlsx:
        outcome.figures.append(
            Figure("payment_read_excel_s", "pandas.read_excel (calamine) 同一文件", min(read_xlsx))
        )
    if xlsx and read_xlsx:
        outcome.ratio(
            "payment_xlsx_ratio",
            "xlsx 导入 ÷ pandas.read_excel",
            min(xlsx) / min(read_xlsx),
        )
    if extract and read_csv:
        value = min(extract) / min(read_csv)
    else:
        ratios = [v for r in results if (v := _first(r, "csv_ratio", "ratio")) is not None]
        if not ratios:
            outcome.notes.append("导入基准未返回 extract_s / read_csv_s / ratio")
            return outcome
        value = min(ratios)
    outcome.ratios.insert(
        0,
        Ratio(
            "payment_import_ratio",
            f"导入 ÷ pandas.read_csv（{rows:,} 行）",
            value,
            TARGETS["payment_import_ratio"],
        ),
    )
    return outcome


def _versus_bare_load(
    ctx: BenchContext,
    outcome: Outcome,
    name: str,
    label: str,
    argv: list[str],
    time_ratio: tuple[str, str],
    rss_ratio: tuple[str, str],
) -> bool:
    """Run ``argv`` and a bare load interleaved, both whole processes; add figures, ratios.

    Targets come from :data:`TARGETS` by ratio key (none: reported only).  False, with
    ``outcome.failed`` set, when a run failed.
    """
    runs = ctx.interleaved(
        {"bare_load": [ctx.python, "-c", LOAD_SCRIPT, str(ctx.bare)], name: argv}
    )
    for which, run in ((n, r) for n, rs in runs.items() for r in rs):
        if run.returncode != 0:
            outcome.failed = f"{which} 退出码 {run.returncode}：{_tail_lines(run.stderr)}"
            return False
    bare, command = runs["bare_load"], runs[name]
    outcome.figures.append(
        Figure(
            f"{name}_bare_load_wall_s",
            "裸加载（整个进程）bare load, whole process",
            _best(bare),
            _peak(bare),
        )
    )
    outcome.figures.append(Figure(f"{name}_s", label, _best(command), _peak(command)))
    for (key, text), value in (
        (time_ratio, _best(command) / _best(bare)),
        (rss_ratio, _peak(command) / _peak(bare)),
    ):
        outcome.ratio(key, text, value)
    return True


@measurement("reports", "全部报表 vs 裸加载 (all reports but PDF)", command="report")
def measure_reports(ctx: BenchContext) -> Outcome:
    """``sandao report`` in every format but PDF ÷ a bare load, wall and peak RSS.

    Both sides are whole processes (start-up, load, exit): a user waits for the whole
    command.  PDF is timed separately for one unit, per page, for information.
    """
    outcome = Outcome("reports")
    out = ctx.workdir / "bench-reports"
    argv = [ctx.python, "-m", "sandao.cli", "report", str(ctx.ledger), "--quiet", "--no-cache"]
    argv += ["--format", "html,xlsx,csv,json", "--out", str(out)]
    if not _versus_bare_load(
        ctx,
        outcome,
        "reports",
        "sandao report (all formats but PDF)",
        argv,
        ("reports_ratio", "全部报表 ÷ 裸加载 (reports / bare load)"),
        ("report_rss_ratio", "报表峰值内存 ÷ 裸加载 (report RSS / bare RSS)"),
    ):
        return outcome
    outcome.info["report_files"] = len([p for p in out.rglob("*") if p.is_file()])
    pdf = ctx.run([ctx.python, "-c", PDF_SCRIPT, str(ctx.ledger), "C101", str(ctx.workdir)])
    tail = pdf.json_tail()
    if pdf.returncode == 0 and tail and tail["pages"]:
        outcome.figures.append(
            Figure(
                "pdf_s_per_page",
                f"PDF 每页（C101 各报表，{tail['pages']} 页）PDF per page",
                tail["pdf_s"] / tail["pages"],
                pdf.maxrss_mb,
            )
        )
        outcome.info["pdf_pages"] = tail["pages"]
    else:
        outcome.notes.append(f"PDF 未能生成 (PDF failed): {_tail_lines(pdf.stderr, 2)}")
    return outcome


@measurement("edition", "审计版 vs 公开版报表 (auditor's edition vs public run)", command="report")
def measure_edition(ctx: BenchContext) -> Outcome:
    """``sandao report --edition audit`` ÷ the same public run (JSON), wall and peak RSS:
    every report traced (决算, 预算, notices, task ledger, execution, performance), its trace
    files and linked pages (reports.md, "Provenance")."""
    outcome = Outcome("edition")
    base = [ctx.python, "-m", "sandao.cli", "report", str(ctx.ledger), "--quiet", "--no-cache"]
    base += ["--format", "json"]
    runs = ctx.interleaved(
        {
            "public": [*base, "--out", str(ctx.workdir / "bench-public")],
            "audit": [*base, "--edition", "audit", "--out", str(ctx.workdir / "bench-audit")],
        }
    )
    for which, run in ((n, r) for n, rs in runs.items() for r in rs):
        if run.returncode != 0:
            outcome.failed = f"{which} 退出码 {run.returncode}：{_tail_lines(run.stderr)}"
            return outcome
    public, audit = runs["public"], runs["audit"]
    outcome.figures.append(
        Figure("public_report_s", "公开版 report (JSON)", _best(public), _peak(public))
    )
    outcome.figures.append(
        Figure("audit_edition_s", "审计版 report --edition audit", _best(audit), _peak(audit))
    )
    outcome.ratio("audit_edition_ratio", "审计版 ÷ 公开版 (time)", _best(audit) / _best(public))
    outcome.ratio(
        "audit_edition_rss_ratio", "审计版峰值内存 ÷ 公开版", _peak(audit) / _peak(public)
    )
    traces = list((ctx.workdir / "bench-audit" / "audit").rglob("*.trace.json"))
    outcome.info["trace_files"] = len(traces)
    return outcome


@measurement("fava", "Fava 扩展 vs Fava 收支表 (Fava extension vs income statement)")
def measure_fava(ctx: BenchContext) -> Outcome:
    """The task board (server-rendered page) ÷ Fava's ``/api/income_statement``, warm.

    Both through Flask's test client on the same loaded books, in one child process
    (see :mod:`sandao.reports.web.fava.bench`): the books are loaded once, as Fava does,
    then each page is requested once cold and at least five times warm (median).
    The other fund pages and the task board without its per-filter memo are
    reported for information.
    """
    outcome = Outcome("fava")
    repeat = str(max(5, ctx.config.repeat))
    run = ctx.run([ctx.python, "-m", "sandao.reports.web.fava.bench", str(ctx.ledger), repeat])
    tail = run.json_tail()
    if run.returncode != 0 or not tail:
        outcome.failed = f"fava 退出码 {run.returncode}：{_tail_lines(run.stderr)}"
        return outcome
    outcome.figures.append(
        Figure("fava_load_s", "Fava 加载账簿 (Fava load)", tail["fava_load_s"], run.maxrss_mb)
    )
    for key, label in (
        ("income_statement_api_s", "Fava 收支表 /api/income_statement（热 warm）"),
        ("income_statement_api_cold_s", "  同上，冷 (cold, first request)"),
        ("task_board_s", "任务看板 task board（热 warm）"),
        ("task_board_cold_s", "  同上，冷 (cold, first request)"),
        ("task_board_unmemoised_s", "  同上，不用筛选缓存 (builders run every time)"),
        ("budget_execution_s", "指标执行页 budget execution（热 warm）"),
        ("budget_execution_cold_s", "  同上，冷 (cold)"),
        ("rule_findings_s", "规则检查页 rule findings（热 warm）"),
        ("rule_findings_cold_s", "  同上，冷 (cold)"),
        ("task_board_year_s", "任务看板，按年筛选 (time filter)"),
        ("income_statement_year_api_s", "收支表，按年筛选 (time filter)"),
    ):
        if tail.get(key) is not None:
            outcome.figures.append(Figure(key, label, tail[key]))
    outcome.ratio(
        "fava_ratio",
        "任务看板 ÷ 收支表 (task board / income statement)",
        tail["ratio"],
    )
    for key, name, label in (
        ("ratio_unmemoised", "fava_unmemoised_ratio", "  同上，不用筛选缓存 (no memo)"),
        ("ratio_year_filter", "fava_year_ratio", "  同上，按年筛选 (with a time filter)"),
    ):
        if tail.get(key) is not None:
            outcome.ratios.append(Ratio(name, label, tail[key], None))
    outcome.info["tasks"] = tail.get("tasks")
    return outcome


@measurement("export", "Parquet 导出 vs 裸加载 (export vs bare load)", command="export")
def measure_export(ctx: BenchContext) -> Outcome:
    """``sandao export`` of the plugin ledger ÷ a bare load, both whole processes."""
    outcome = Outcome("export")
    out = ctx.workdir / "bench-export"
    argv = [ctx.python, "-m", "sandao.cli", "export", str(ctx.ledger), "--no-cache"]
    if not _versus_bare_load(
        ctx,
        outcome,
        "export",
        "sandao export (Parquet)",
        [*argv, "--out", str(out)],
        ("export_ratio", "导出 ÷ 裸加载 (export / bare load)"),
        ("export_rss_ratio", "导出峰值内存 ÷ 裸加载 (export RSS / bare RSS)"),
    ):
        return outcome
    size = sum(p.stat().st_size for p in out.rglob("*.parquet"))
    outcome.info["parquet_bytes"] = size
    return outcome


@measurement(
    "audit", "审计检查 vs 裸加载；结账规则 C001 vs 带插件加载 (audit checks, C001)", command="audit"
)
def measure_audit(ctx: BenchContext) -> Outcome:
    """All audit checks AU01–AU21 ÷ a bare load; rule C001 ÷ the plugin's load.

    The checks are timed in-process on an analysis already loaded (the load is the
    bare-load side of the ratio); C001 on books whose units all closed their first
    year (the digests of half the entries), as the rule's own time within a plugin
    load of those books.
    """
    outcome = Outcome("audit")
    runs = ctx.interleaved(
        {
            "bare_load": [ctx.python, "-c", LOAD_SCRIPT, str(ctx.bare)],
            "audit": [ctx.python, "-c", AUDIT_SCRIPT, str(ctx.ledger)],
        }
    )
    for which, items in runs.items():
        bad = [r for r in items if r.returncode != 0 or r.json_tail() is None]
        if bad:
            outcome.failed = f"{which} exit {bad[0].returncode}: {_tail_lines(bad[0].stderr)}"
            return outcome
    bare_s = _best(runs["bare_load"], "load_s")
    audit_s = _best(runs["audit"], "audit_s")
    outcome.figures.append(Figure("audit_bare_load_s", "裸加载 bare load", bare_s))
    outcome.figures.append(Figure("audit_s", "全部审计检查 AU01–AU21 (all audit checks)", audit_s))
    outcome.ratio(
        "audit_ratio",
        "审计检查 ÷ 裸加载 (audit / bare load)",
        audit_s / bare_s,
    )
    outcome.info["audit_findings"] = (runs["audit"][0].json_tail() or {}).get("findings")
    prep = ctx.run([ctx.python, "-c", CLOSE_PREP_SCRIPT, str(ctx.ledger)])
    tail = prep.json_tail()
    if prep.returncode != 0 or not tail:
        outcome.failed = f"close exit {prep.returncode}: {_tail_lines(prep.stderr)}"
        return outcome
    c001 = [
        ctx.run([ctx.python, "-c", C001_SCRIPT, tail["closed"]])
        for _ in range(max(1, ctx.config.repeat))
    ]
    bad = [r for r in c001 if r.returncode != 0 or r.json_tail() is None]
    if bad:
        outcome.failed = f"c001 exit {bad[0].returncode}: {_tail_lines(bad[0].stderr)}"
        return outcome
    load_s, c001_s = _best(c001, "load_s"), _best(c001, "c001_s")
    outcome.figures.append(
        Figure(
            "closed_plugin_load_s",
            f"带插件加载（{tail['closes']} 个单位已结账）plugin load, closed",
            load_s,
        )
    )
    outcome.figures.append(Figure("c001_s", "规则 C001 (closed-period digests)", c001_s))
    outcome.ratio(
        "c001_ratio",
        "C001 ÷ 带插件加载 (C001 / plugin load)",
        c001_s / load_s,
    )
    findings = (c001[0].json_tail() or {}).get("c001_findings")
    if findings:
        outcome.notes.append(f"结账后的账簿出现 {findings} 条 C001（应为 0）")
    return outcome


# -- running and reporting -------------------------------------------------------


@dataclass
class BenchResult:
    """Everything one ``run_bench`` found."""

    config: BenchConfig
    scale: dict[str, int]
    generate_s: float
    outcomes: list[Outcome]
    total_s: float
    workdir: str | None

    @property
    def ratios(self) -> list[Ratio]:
        return [r for o in self.outcomes for r in o.ratios]

    @property
    def passed(self) -> bool:
        """No ratio misses its target and no measurement failed."""
        return all(r.passed is not False for r in self.ratios) and not any(
            o.failed for o in self.outcomes
        )


def run_bench(config: BenchConfig, log: Callable[[str], None] | None = None) -> BenchResult:
    """Generate the county and run the selected measurements (all by default)."""
    log = log or (lambda message: None)
    unknown = [name for name in config.only if name not in MEASUREMENTS]
    if unknown:
        raise ValueError(f"未知的测量项：{', '.join(unknown)}；可选 {', '.join(MEASUREMENTS)}")
    started = time.perf_counter()
    keep = config.workdir is not None
    workdir = Path(config.workdir) if keep else Path(tempfile.mkdtemp(prefix="sandao-bench-"))
    workdir.mkdir(parents=True, exist_ok=True)
    scale = config.scale()
    try:
        county = workdir / "county"
        if county.exists():
            shutil.rmtree(county)
        log(f"生成合成县账簿 (generating) {scale} → {county}")
        t0 = time.perf_counter()
        ledger = generate_county(county, plugin=True, **scale)
        generate_s = time.perf_counter() - t0
        log(f"  {generate_s:.2f} s")
        env = dict(os.environ)
        env["BEANCOUNT_DISABLE_LOAD_CACHE"] = "1"
        compiled(env)
        manifest = json.loads((county / MANIFEST_FILE).read_text(encoding="utf-8"))
        ctx = BenchContext(config, workdir, ledger, bare_twin(ledger), manifest, log, env)
        outcomes = []
        for name, item in MEASUREMENTS.items():
            if config.only and name not in config.only:
                continue
            log(f"测量 (measuring) {name}: {item.label}")
            try:
                outcome = item.func(ctx)
            except Exception as exc:  # a broken measurement must not hide the others
                outcome = Outcome(name, failed=f"{type(exc).__name__}: {exc}")
            if outcome.skipped:
                log(f"  跳过 (skipped): {outcome.skipped}")
            outcomes.append(outcome)
    finally:
        if not keep:
            shutil.rmtree(workdir, ignore_errors=True)
    return BenchResult(
        config,
        scale,
        generate_s,
        outcomes,
        time.perf_counter() - started,
        str(workdir) if keep else None,
    )


def _pad(text: str, width: int, right: bool = False) -> str:
    """Pad to a display width, counting CJK characters as two columns."""
    shown = sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)
    fill = " " * max(0, width - shown)
    return fill + text if right else text + fill


def _fmt(value: float | None, digits: int = 2) -> str:
    return "—" if value is None else f"{value:.{digits}f}"


def render_table(result: BenchResult) -> str:
    """The human table: figures, then ratios against their targets."""
    s = result.scale
    repeat = result.config.repeat
    lines = [
        f"合成县 (synthetic county): {s['transactions']:,} 笔交易 transactions, "
        f"{s['tasks']:,} 任务 tasks, {s['quotas']:,} 指标 quotas, {s['units']} 单位 units, "
        f"{s['communities']} 社区 communities, {s['years']} 年 years, seed {s['seed']}; "
        f"每项取 {repeat} 次最好 (best of {repeat})",
        "",
        _pad("测量 figure", 56) + _pad("秒 s", 10, True) + _pad("峰值内存 MB", 14, True),
        "-" * 80,
        _pad("生成账簿 generate", 56) + _pad(_fmt(result.generate_s), 10, True),
    ]
    for outcome in result.outcomes:
        for fig in outcome.figures:
            lines.append(
                _pad(fig.label, 56)
                + _pad(_fmt(fig.seconds), 10, True)
                + _pad(_fmt(fig.rss_mb, 0) if fig.rss_mb is not None else "", 14, True)
            )
    lines += [
        "",
        _pad("比值 ratio", 56) + _pad("实测", 10, True) + _pad("目标", 10, True) + "  结果",
        "-" * 94,
    ]
    for ratio in result.ratios:
        verdict = {True: "达标 ok", False: "未达标 MISS", None: ""}[ratio.passed]
        target = f"≤ {ratio.target:.2f}" if ratio.target is not None else "—"
        lines.append(
            _pad(ratio.label, 56)
            + _pad(f"{ratio.value:.3f}", 10, True)
            + _pad(target, 10, True)
            + f"  {verdict}"
        )
    extra = []
    for outcome in result.outcomes:
        if outcome.failed:
            extra.append(f"失败 (failed) {outcome.name}: {outcome.failed}")
        if outcome.skipped:
            extra.append(f"跳过 (skipped) {outcome.name}: {outcome.skipped}")
        extra.extend(f"注 (note) {outcome.name}: {note}" for note in outcome.notes)
        if outcome.name == "load" and outcome.info.get("plugin_codes"):
            codes = ", ".join(f"{k}×{v}" for k, v in sorted(outcome.info["plugin_codes"].items()))
            extra.append(f"插件发现 (plugin findings, errors only): {codes}")
    if extra:
        lines += ["", *extra]
    verdict = "全部达标 PASS" if result.passed else "未达标 FAIL"
    lines += ["", f"总计 (total) {result.total_s:.1f} s — {verdict}"]
    return "\n".join(lines)


def summary_json(result: BenchResult) -> dict[str, Any]:
    """The machine-readable summary printed as the last line."""
    figures: dict[str, float | None] = {"generate_s": round(result.generate_s, 3)}
    for outcome in result.outcomes:
        for fig in outcome.figures:
            figures[fig.key] = None if fig.seconds is None else round(fig.seconds, 3)
            if fig.rss_mb is not None:
                figures[fig.key.removesuffix("_s") + "_rss_mb"] = round(fig.rss_mb, 1)
    ratios = {
        r.key: {"value": round(r.value, 4), "target": r.target, "pass": r.passed}
        for r in result.ratios
    }
    return {
        "bench": "sandao",
        "scale": result.scale,
        "repeat": result.config.repeat,
        "figures": figures,
        "ratios": ratios,
        "measurements": {
            o.name: "failed" if o.failed else "skipped" if o.skipped else "ran"
            for o in result.outcomes
        },
        "skipped": {o.name: o.skipped for o in result.outcomes if o.skipped},
        "failed": {o.name: o.failed for o in result.outcomes if o.failed},
        "findings": next(
            (o.info.get("plugin_codes") for o in result.outcomes if o.name == "load"), None
        ),
        "machine": {
            "python": platform.python_version(),
            "platform": platform.platform(),
            "cpus": os.cpu_count(),
        },
        "total_s": round(result.total_s, 1),
        "pass": result.passed,
    }
