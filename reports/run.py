"""Write every report of a year into a folder, atomically.

:func:`build_reports` runs the builders (pure data); :func:`write_reports` hands the
tables to the writers — HTML, PDF, XLSX, CSV/JSON + ``datapackage.json`` — in a
temporary folder next to the target and swaps it in only when everything was
written, so an error never leaves a half-written report folder behind.
"""

from __future__ import annotations

import contextlib
import ctypes
import functools
import multiprocessing
import os
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from sandao.folders import replacing_folder
from sandao.ledger import Analysis
from sandao.ledger.county_config import large_payment
from sandao.ledger.findings import ACKNOWLEDGED, ERROR
from sandao.reports import kiosk
from sandao.reports.audit_edition import AUDIT_FOLDER
from sandao.reports.base import quarters_to_date, report_year, unit_name
from sandao.reports.community import LARGE_PAYMENT, NOTICE, community_notice, notice_key
from sandao.reports.disclosure import disclosure_jobs
from sandao.reports.execution import execution_report
from sandao.reports.html import (
    check_templates,
    environment,
    render_editions,
    render_index,
    render_report,
)
from sandao.reports.model import Report
from sandao.reports.options import (
    DEFAULT_FORMATS,
    ReportError,
    check_target,
    mark,
    parse_formats,
)
from sandao.reports.options import FORMATS as FORMATS  # re-exported
from sandao.reports.performance import performance_report
from sandao.reports.tasks import task_ledger_report
from sandao.runtime import Held, loading, one_shot_main, stop_signals_held, writing

FORMAT_LABELS = {"html": "HTML", "pdf": "PDF", "xlsx": "Excel", "csv": "CSV", "json": "JSON"}


def report_jobs(
    analysis: Analysis,
    year: int | None = None,
    quarter: int | None = None,
    unit: str | None = None,
    community: str | None = None,
    draft: bool = False,
    county_config: Any = None,
    notes: list[str] | None = None,
    trace: bool = False,
    serve: str | None = None,
) -> list[Callable[[], Report]]:
    """Every report of the year as a job that builds it: checked up front, built on demand.
    ``trace``: the auditor's edition, its figures linked to ``serve`` (the 来源分录 endpoint;
    default the ``[audit] serve_url`` of the county config).

    Writing builds one report at a time and drops it, so a run holds one report's
    tables in memory, not the county's; and the jobs can be shared among workers.
    """
    decl = analysis.declarations
    year = report_year(analysis, year)
    if unit is not None and unit not in decl.units:
        known = "、".join(sorted(decl.units)) or "无"
        raise ReportError(f"账簿中没有单位 {unit}（已声明：{known}）")
    if community is not None and community not in decl.communities:
        known = "、".join(sorted(decl.communities)) or "无"
        raise ReportError(f"账簿中没有社区 {community}（已声明：{known}）")
    if quarter is not None and quarter not in (1, 2, 3, 4):
        raise ReportError(f"季度应为 1–4，实际为 {quarter}")
    # Options limit what they name and nothing else: --community writes only that
    # community's notices (and kiosk pages), --unit only that unit's outputs, --quarter
    # only picks the notices' quarter; every other report covers its full period.
    jobs: list[Callable[[], Report]] = []
    if county_config is None:
        county_config = _books_config(analysis)
    if community is None:
        jobs += disclosure_jobs(analysis, year, unit, draft, county_config, notes, trace, serve)
    jobs += _money_jobs(analysis, year, quarter, unit, community, county_config, trace, serve)
    preparer = unit_name(analysis, unit) if unit else county_title(analysis)
    return [functools.partial(_with_preparer, job, preparer) for job in jobs]


def _money_jobs(
    analysis: Analysis,
    year: int,
    quarter: int | None,
    unit: str | None,
    community: str | None,
    county_config: Any,
    trace: bool,
    serve: str | None = None,
) -> list[Callable[[], Report]]:
    """The notices, the task ledger, the execution and the performance report.  In the
    auditor's edition they are built on the traced books (:mod:`.traced_books`) and each
    writes its trace under ``audit/``."""
    books = analysis
    if trace:
        from sandao.reports.traced_books import traced_books

        books = traced_books(analysis)  # once, before the workers fork
    threshold = large_payment(county_config, LARGE_PAYMENT)
    notices = notice_keys(analysis, year, quarter, unit, community)
    jobs: list[Callable[[], Report]] = [
        functools.partial(community_notice, books, code, year, q, threshold) for code, q in notices
    ]
    if community is None:
        jobs.append(functools.partial(task_ledger_report, books, year, unit))
        jobs.append(functools.partial(execution_report, books, year, unit, None))
        jobs.append(functools.partial(performance_report, books, year, unit, None))
    if trace:
        from sandao.reports.audit_edition import trace_url, with_trace

        base = serve or trace_url(analysis, county_config)
        same = _first_notices(analysis, year, notices)
        jobs = [functools.partial(with_trace, job, books, base, None, same) for job in jobs]
    return jobs


def _first_notices(analysis: Analysis, year: int, notices: list[tuple[str, int]]) -> dict[str, str]:
    """Notice key → the run's first notice (of ``notices``, the run's) of the same unit and
    quarter, when another: the one whose trace lists the entries of the rows they share
    (the centre's, the unit's)."""
    first: dict[tuple[str | None, int], str] = {}
    same: dict[str, str] = {}
    communities = analysis.declarations.communities
    for code, q in notices:
        key = notice_key(year, q, code)
        lead = first.setdefault((communities[code].unit, q), key)
        if lead != key:
            same[key] = lead
    return same


def notice_keys(
    analysis: Analysis,
    year: int,
    quarter: int | None = None,
    unit: str | None = None,
    community: str | None = None,
) -> list[tuple[str, int]]:
    """(community, quarter) of every notice the options ask for, by community then quarter."""
    decl = analysis.declarations
    communities = (
        [community]
        if community
        else sorted(c for c, d in decl.communities.items() if unit is None or d.unit == unit)
    )
    quarters = [quarter] if quarter else quarters_to_date(analysis, year)
    return [(code, q) for code in communities for q in quarters]


def _books_config(analysis: Analysis) -> Any:
    """The county config beside the books (``sandao.toml``), as every command reads it."""
    from sandao.ledger.county_config import CountyConfigError, load_county_config

    filename = analysis.options_map.get("filename")
    try:
        return load_county_config(Path(filename) if filename else None)
    except CountyConfigError as exc:
        raise ReportError(str(exc)) from None


def county_title(analysis: Analysis) -> str:
    """Who prepares county-wide reports: the county config's name, else the books' title."""
    from sandao.ledger.county_config import CountyConfigError, load_county_config

    filename = analysis.options_map.get("filename")
    try:
        name = load_county_config(Path(filename) if filename else None).county.name
    except CountyConfigError:
        name = ""
    title = str(analysis.options_map.get("title") or "")
    return name or ("" if title == "Beancount" else title)


def _with_preparer(job: Callable[[], Report], preparer: str) -> Report:
    """A built report with its 编制单位: the unit for a unit's disclosure and notice."""
    report = job()
    if "preparer" not in report.context:
        if report.template == "disclosure.html":
            report.context["preparer"] = report.subtitle
        elif report.template == NOTICE.template:
            report.context["preparer"] = report.context.get("unit") or preparer
        else:
            report.context["preparer"] = preparer
    return report


def build_reports(analysis: Analysis, **choices: Any) -> list[Report]:
    """Every report for the year (builders only: tables and context, nothing written);
    ``choices`` are :func:`report_jobs`'s (year, quarter, unit, community, draft)."""
    return [job() for job in report_jobs(analysis, **choices)]


def _folder(report: Report) -> str:
    return report.key.split("-", 1)[0]


def _formats(formats: Iterable[str]) -> tuple[str, ...]:
    return parse_formats(formats)


def _progress(enabled: bool, done: int, total: int, title: str) -> None:
    if enabled:
        print(f"[{done}/{total}] {title}", file=sys.stderr, flush=True)


def write_reports(
    analysis: Analysis,
    out_dir: str | Path,
    year: int | None = None,
    quarter: int | None = None,
    unit: str | None = None,
    community: str | None = None,
    formats: Iterable[str] = DEFAULT_FORMATS,
    templates: str | Path | None = None,
    progress: bool = False,
    workers: int | None = None,
    draft: bool = False,
    county_config: Any = None,
    edition: str = "public",
    serve: str | None = None,
) -> Path:
    """Write every report into ``out_dir`` (replaced as a whole); return its index.html.
    ``edition="audit"`` also writes the auditor's edition under ``audit/``: every report
    with every money cell's entries, its figures linked to ``serve`` (reports.md,
    "Provenance").

    ``workers`` processes share the reports (default: one per CPU, at most 4; 1 runs
    them in this process).  Output bytes do not depend on the number of workers.
    """
    out_dir = Path(out_dir).absolute()
    chosen = _formats(formats)
    check_templates(templates)
    check_target(out_dir)
    year = report_year(analysis, year)
    if "pdf" in chosen:  # the font by path, chosen before the workers fork
        from sandao.reports.pdf import configure_font

        config = county_config if county_config is not None else _books_config(analysis)
        configure_font(config.county.font or None)
    notes: list[str] = []
    # the auditor's edition builds its traced books here, a million figures that live
    # until the run ends: built without the collector, then out of its scans
    with loading() if edition == "audit" and one_shot_main() else contextlib.nullcontext():
        jobs = report_jobs(
            analysis,
            year,
            quarter,
            unit,
            community,
            draft,
            county_config,
            notes,
            edition == "audit",
            serve,
        )
    for line in notes:
        print(line, file=sys.stderr)
    env = environment(templates)
    quarters: dict[str, list[int]] | None = None
    if "html" in chosen:  # the kiosk: a page per notice, written beside the notice
        quarters = {}
        for code, q in notice_keys(analysis, year, quarter, unit, community):
            quarters.setdefault(code, []).append(q)
    with replacing_folder(out_dir, check_target) as tmp, writing():
        items = _write_all(analysis, jobs, tmp, chosen, env, progress, workers, quarters)
        pages = [item.kiosk for item in items if item.kiosk]
        if quarters is not None and kiosk.write_index(analysis, tmp, pages, quarters, env):
            items.append(
                Written(
                    "社区云触摸屏",
                    "竖屏 1080×1920，与公开栏数字相同",
                    "社区财务公开",
                    {"html": "kiosk/index.html"},
                    [],
                )
            )
        _write_index(analysis, env, tmp, year, items, chosen)
        mark(tmp)
    return out_dir / "index.html"


@dataclass(frozen=True)
class Written:
    """What the index needs of a written report: its titles and the links to its files."""

    title: str
    subtitle: str
    group: str
    links: dict[str, str]
    resources: list[dict[str, Any]]
    #: A notice's kiosk page: what the kiosk's home page needs of it.
    kiosk: dict[str, Any] | None = None


def _write_all(
    analysis: Analysis,
    jobs: list[Callable[[], Report]],
    root: Path,
    formats: tuple[str, ...],
    env: Any,
    progress: bool,
    workers: int | None = None,
    quarters: dict[str, list[int]] | None = None,
) -> list[Written]:
    from sandao.reports import opendata

    count = _worker_count(workers, len(jobs))
    task = (jobs, root, formats, env, progress, quarters)
    postings: dict[str, Any] | None = None
    if count > 1:
        analysis.postings.lay_out()  # once, not in every worker
        # Forked workers inherit the analysis and the jobs; only job numbers and the
        # small Written records cross the process boundary.  A worker takes the next job
        # when it is done with one, so the workers end together; the parent writes the
        # posting table meanwhile.
        _FORKED[:] = [task]
        try:
            with _forked_pool(count) as pool:
                pending = pool.map_async(_forked_job, range(len(jobs)), chunksize=1)
                if "csv" in formats:
                    postings = opendata.write_postings(analysis, root)
                written = pending.get()
                # Done: let the idle workers read their end-of-work marker and exit.  Only a
                # run that fails or is stopped terminates them (the pool's exit), since a
                # worker waiting for the task queue's lock when that SIGTERM came could be
                # left waiting on a lock the terminating pool holds (a hang seen twice).
                pool.close()
                pool.join()
        finally:
            _FORKED.clear()
    else:
        written = [_write_job(*task, number) for number in range(len(jobs))]
    if "csv" in formats:
        resources = [r for w in written for r in w.resources]
        resources.append(
            postings if postings is not None else opendata.write_postings(analysis, root)
        )
        opendata.write_package(root, resources, "三到社区资金公开数据", analysis.as_of.isoformat())
    return written


def _forked_pool(count: int) -> Any:
    """A pool of forked workers, with Ctrl-C / SIGTERM held back while the workers fork.

    A stop signal whose handler raises inside the interpreter's at-fork hooks is printed as
    "Exception ignored" and swallowed, so the run would go on; held back, it arrives once the
    pool exists and unwinds the run as anywhere else.  The workers die with the run: a run
    killed outright (SIGKILL) cannot stop them itself.
    """
    with stop_signals_held() as held:
        return multiprocessing.get_context("fork").Pool(
            count, initializer=_worker_started, initargs=(held, os.getpid())
        )


_PR_SET_PDEATHSIG = 1


def _worker_started(held: Held, parent: int) -> None:
    """In a new worker: Ctrl-C left to the run, and killed as soon as the run dies.

    Ctrl-C in a terminal reaches every process of the run; the run stops its workers
    (SIGTERM, which ends them quietly), so each need not print a KeyboardInterrupt
    traceback.  Orphaned, a worker would write the rest of its share into the dead run's
    staging folder (while the next run removes it) and end with a BrokenPipeError traceback.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if signal.SIGTERM in held.handlers:  # the run's own, not the hold's
        signal.signal(signal.SIGTERM, held.handlers[signal.SIGTERM])
    signal.pthread_sigmask(signal.SIG_SETMASK, held.mask)
    try:
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, int(signal.SIGKILL))
    except (OSError, AttributeError):  # not Linux: look for the parent now and then
        threading.Thread(target=_exit_when_orphaned, args=(parent,), daemon=True).start()
    if os.getppid() != parent:  # the run died before the line above
        os._exit(1)


def _exit_when_orphaned(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(0.2)
    os._exit(1)


def _worker_count(workers: int | None, jobs: int) -> int:
    if workers is None:  # a worker pays for itself from about eight reports on
        workers = min(4, os.cpu_count() or 1, jobs // 8)
    if "fork" not in multiprocessing.get_all_start_methods():
        workers = 1
    return max(1, min(workers, jobs))


_FORKED: list[tuple[Any, ...]] = []


def _forked_job(number: int) -> Written:
    return _write_job(*_FORKED[0], number)


def _write_job(
    jobs: list[Callable[[], Report]],
    root: Path,
    formats: tuple[str, ...],
    env: Any,
    progress: bool,
    quarters: dict[str, list[int]] | None,
    number: int,
) -> Written:
    """Build and write job ``number``.

    With ``quarters`` (community → its notices' quarters) a notice's kiosk page is
    written from the same built report.
    """
    report = jobs[number]()
    _progress(
        progress,
        number + 1,
        len(jobs),
        report.title + (f"（{report.subtitle}）" if report.subtitle else ""),
    )
    written = write_one(report, root, formats, env)
    if quarters is not None and report.template == NOTICE.template:
        page = kiosk.write_page(root, report, quarters[report.context["code"]], env)
        written = replace(written, kiosk=page)
    return written


def write_one(report: Report, root: Path, formats: tuple[str, ...], env: Any) -> Written:
    from sandao.reports import opendata

    folder = root / _folder(report)
    folder.mkdir(exist_ok=True)
    links: dict[str, str] = {}
    resources: list[dict[str, Any]] = []
    trace = report.context.pop("trace_writer", None)
    if trace is not None:  # the auditor's edition, never published
        audit = root / AUDIT_FOLDER / _folder(report)
        urls = trace(audit / f"{report.key}.trace.json")
        html, linked = render_editions(env, report, urls)
        (audit / f"{report.key}.html").write_text(linked, encoding="utf-8")
    else:
        html = render_report(env, report)
    if "html" in formats:
        (folder / f"{report.key}.html").write_text(html, encoding="utf-8")
        links["html"] = f"{_folder(report)}/{report.key}.html"
    if "pdf" in formats:
        from sandao.reports.pdf import write_pdf

        write_pdf(html, folder / f"{report.key}.pdf", base_url=folder)
        links["pdf"] = f"{_folder(report)}/{report.key}.pdf"
    if "xlsx" in formats:
        from sandao.reports.xlsx import write_workbook

        write_workbook(report, folder / f"{report.key}.xlsx")
        links["xlsx"] = f"{_folder(report)}/{report.key}.xlsx"
    if "csv" in formats or "json" in formats:
        rel = Path("data") / _folder(report) / report.key
        for table in report.tables:
            resource = opendata.write_table(table, report, root, rel, formats)
            if resource:
                resources.append(resource)
        links["json" if "json" in formats else "csv"] = f"{rel.as_posix()}/"
    return Written(report.title, report.subtitle, report.group, links, resources)


def _write_index(
    analysis: Analysis,
    env: Any,
    root: Path,
    year: int,
    items: list[Written],
    formats: tuple[str, ...],
) -> None:
    groups: dict[str, list[dict[str, Any]]] = {}
    for item in items:
        links = item.links
        main = links.get("html") or next(iter(links.values()), "")
        others = [(FORMAT_LABELS[f], href) for f, href in links.items() if f != "html"]
        groups.setdefault(item.group or "其他", []).append(
            {"title": item.title, "subtitle": item.subtitle, "html": main, "others": others}
        )
    errors = sum(1 for f in analysis.findings if f.severity == ERROR)
    acknowledged = sum(1 for f in analysis.findings if f.severity == ACKNOWLEDGED)
    html = render_index(
        env,
        title=f"{year}年三到社区资金报表",
        year=year,
        as_of=analysis.as_of,
        groups=[{"name": name, "items": entries} for name, entries in groups.items()],
        findings={
            "errors": errors,
            "warnings": len(analysis.findings) - errors - acknowledged,
            "acknowledged": acknowledged,
        },
        opendata="datapackage.json" if "csv" in formats else "",
    )
    (root / "index.html").write_text(html, encoding="utf-8")
