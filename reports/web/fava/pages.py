"""What the fund pages show: the builders' tables under Fava's filters.

Every figure comes from the report builders (``sandao.reports.tasks.task_rows``,
``sandao.reports.execution.quota_rows``, ``sandao.reports.run.write_reports``)
or straight from the :class:`~sandao.ledger.analysis.Analysis` (findings, task
transfers); this module only selects rows and sums the builders' columns for the
totals line.

Fava's filters map onto the builders' arguments:

* the **time filter** (``?time=2025``, ``2025-Q1``, ``2024 - 2025`` …) becomes the
  builders' ``start`` / ``end`` (first and last day, both inclusive);
* the **account filter** (``?account=…``, a regular expression or a parent account,
  matched as Fava matches it) selects the units whose accounts it matches — the rows
  of other units are left out.

The advanced filter (``?filter=…``) is not applied to the fund pages; it is carried
into the links to Fava's own pages.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from sandao.ledger.accounts import unit_of
from sandao.ledger.analysis import Analysis
from sandao.ledger.findings import ACKNOWLEDGED, ERROR, RULES, WARNING, Finding
from sandao.ledger.vocabulary import (
    CARRIED,
    FUNDED,
    NOT_FUNDED,
    OVERDUE,
    PARTLY_FUNDED,
    SETTLED,
)
from sandao.reports.audit_edition import AUDIT_FOLDER, DISCLOSURE

#: Order of task statuses on the board summary (most urgent first).
STATUS_ORDER: tuple[str, ...] = (OVERDUE, NOT_FUNDED, PARTLY_FUNDED, FUNDED, CARRIED, SETTLED)
#: CSS class per task status.
STATUS_CLASS: dict[str, str] = {
    OVERDUE: "sd-bad",
    NOT_FUNDED: "sd-warn",
    PARTLY_FUNDED: "sd-warn",
    FUNDED: "sd-ok",
    SETTLED: "sd-done",
    CARRIED: "sd-done",
}


@dataclass(frozen=True)
class PageFilter:
    """Fava's filters as the fund pages apply them."""

    time: str = ""
    account: str = ""
    #: First and last day of the time filter (inclusive), ``None`` when unbounded.
    start: datetime.date | None = None
    end: datetime.date | None = None
    #: Units the account filter selects; ``None`` when there is no account filter.
    units: frozenset[str] | None = None
    #: Why a filter could not be applied, if it could not.
    problem: str | None = None

    @property
    def key(self) -> tuple[Any, ...]:
        return (self.start, self.end, self.units)

    @property
    def year(self) -> int | None:
        """The calendar year the time filter lies in, if it lies in one."""
        if self.start and self.end and self.start.year == self.end.year:
            return self.start.year
        return None


def account_matcher(value: str) -> Callable[[str], bool]:
    """Fava's own account-filter test: a parent account, or a case-insensitive regex.

    The same two tests as Fava's ``AccountFilter`` (``has_component`` or its
    ``Match``), so the fund pages select exactly the accounts Fava's pages select.
    """
    from beancount.core.account import has_component
    from fava.core.filters import Match

    try:
        match: Callable[[str], bool] = Match(value)
    except (OverflowError, RecursionError):  # ``a{99999999999}``: Fava's Match gives up
        match = value.__eq__
    try:
        has_component("", value)
    except (re.error, OverflowError, RecursionError):  # not a regex (``(``): no 500
        literal = f":{value}:"
        return lambda name: literal in f":{name}:" or match(name)

    def matches(name: str) -> bool:
        return has_component(name, value) or match(name)

    return matches


def units_for_accounts(accounts: Iterable[str], value: str) -> frozenset[str]:
    """The units (2nd account component) of the accounts the account filter matches."""
    matches = account_matcher(value)
    units = set()
    for name in accounts:
        if matches(name):
            unit = unit_of(name)
            if unit:
                units.add(unit)
    return frozenset(units)


def page_filter(
    args: Mapping[str, str],
    accounts: Iterable[str],
    fiscal_year_end: Any = None,
) -> PageFilter:
    """Read Fava's ``time`` and ``account`` request arguments."""
    from fava.util.date import parse_date

    time = (args.get("time") or "").strip()
    account = (args.get("account") or "").strip()
    start = end = None
    problem = None
    if time:
        try:
            begin, end_exclusive = parse_date(time, fiscal_year_end)
        except Exception:  # Fava reports its own parse errors; the pages say so too
            begin = end_exclusive = None
        if begin and end_exclusive:
            start, end = begin, end_exclusive - datetime.timedelta(days=1)
        else:
            problem = f"无法识别的时间筛选：{time}（已显示全部期间）"
    units = units_for_accounts(accounts, account) if account else None
    return PageFilter(time, account, start, end, units, problem)


def in_period(date: datetime.date | None, flt: PageFilter) -> bool:
    if date is None:
        return True
    if flt.start and date < flt.start:
        return False
    return not (flt.end and date > flt.end)


def column_sums(rows: list[dict[str, Any]], columns: Iterable[str]) -> dict[str, Any]:
    """The totals line: each money column summed with the builders' ``dsum``."""
    from sandao.reports.model import dsum

    return {col: dsum(row.get(col) for row in rows) for col in columns}


def _of_units(rows: list[dict[str, Any]], flt: PageFilter) -> list[dict[str, Any]]:
    """The rows of the units the account filter selects (all rows without one)."""
    if flt.units is None:
        return rows
    return [row for row in rows if row["unit"] in flt.units]


TASK_MONEY = ("amount", "received", "spent", "balance")
QUOTA_MONEY = ("initial", "adjustments", "adjusted", "spent")


def task_board(analysis: Analysis, flt: PageFilter) -> dict[str, Any]:
    """Rows, totals and status counts of the 费随事转 task board."""
    from sandao.reports.tasks import task_rows

    rows = _of_units(task_rows(analysis, start=flt.start, end=flt.end), flt)
    # the most money overdue first, then the longest late; the rest in task order
    rows.sort(key=lambda r: (-r["overdue"], -r["days_late"], r["task"]))
    units = analysis.declarations.units
    for row in rows:
        unit = units.get(row.get("unit") or "")
        row["unit_name"] = unit.name if unit else None
        row["status_class"] = STATUS_CLASS.get(row.get("status") or "", "")
        row["finding_codes"] = finding_codes(row.get("findings"))
    counts: dict[str, int] = {}
    for row in rows:
        counts[row.get("status") or ""] = counts.get(row.get("status") or "", 0) + 1
    ordered = [(s, counts.pop(s)) for s in STATUS_ORDER if s in counts]
    ordered.extend(sorted(counts.items()))
    return {
        "rows": rows,
        "totals": column_sums(rows, TASK_MONEY),
        "counts": [(s, n, STATUS_CLASS.get(s, "")) for s, n in ordered],
    }


def finding_codes(value: Any) -> list[str]:
    """The rule codes of a task row's ``findings`` cell (a list, or a text of codes)."""
    if value is None:
        return []
    if isinstance(value, (list, tuple, set, frozenset)):
        return [str(v) for v in value]
    if isinstance(value, (int, Decimal)):
        return [] if not value else [str(value)]
    return [part for part in re.split(r"[\s,;，、]+", str(value)) if part]


def quota_board(analysis: Analysis, flt: PageFilter) -> dict[str, Any]:
    """Rows and totals of budget execution by quota."""
    from sandao.reports.execution import quota_rows

    if flt.start or flt.end:
        rows = quota_rows(analysis, start=flt.start, end=flt.end)
    else:
        rows = quota_rows(analysis)
    rows = _of_units(rows, flt)
    units = analysis.declarations.units
    for row in rows:
        unit = units.get(row.get("unit") or "")
        row["unit_name"] = unit.name if unit else None
    from sandao.reports.model import rate

    totals = column_sums(rows, QUOTA_MONEY)
    totals["rate"] = rate(totals.get("spent"), totals.get("adjusted"))
    year = None if (flt.start or flt.end) else analysis.as_of.year
    return {"rows": rows, "totals": totals, "year": year}


@dataclass
class FindingGroup:
    """The findings of one rule code."""

    code: str
    severity: str
    title: str
    fix: str
    findings: list[Finding]


def findings_board(analysis: Analysis, flt: PageFilter) -> dict[str, Any]:
    """The rule findings in the filter, grouped by rule code (errors first)."""
    groups: dict[str, FindingGroup] = {}
    for finding in analysis.findings:
        if not in_period(finding.date, flt):
            continue
        if flt.units is not None and finding.unit not in flt.units:
            continue
        group = groups.get(finding.code)
        if group is None:
            _, title, fix = RULES.get(finding.code, (finding.severity, finding.code, ""))
            group = groups[finding.code] = FindingGroup(
                finding.code, finding.severity, title, fix, []
            )
        group.findings.append(finding)
        if finding.severity == ERROR:
            group.severity = ERROR  # a group is an error while any finding in it is
    ordered = sorted(groups.values(), key=lambda g: (g.severity != ERROR, g.code))
    found = [f for g in ordered for f in g.findings]
    return {
        "groups": ordered,
        "errors": sum(1 for f in found if f.severity == ERROR),
        "warnings": sum(1 for f in found if f.severity == WARNING),
        "acknowledged": sum(1 for f in found if f.severity == ACKNOWLEDGED),
    }


#: Years a report can be about (as the command line's ``--year``).
REPORT_YEARS = range(1900, 2101)


def report_years(analysis: Analysis) -> list[int]:
    """Years the books cover (within 1900–2100), latest first."""
    dates = [e.date for e in analysis.entries[:1]] + [analysis.as_of]
    first = max(min(dates).year, REPORT_YEARS.start)
    last = min(max(dates).year, REPORT_YEARS.stop - 1)
    return list(range(last, first - 1, -1))


def selected_year(analysis: Analysis, flt: PageFilter) -> int:
    """The time filter's year when the books cover it, else the year of the as-of date.

    Each year asked for generates a report folder (~2 MB, a second): a filter of year
    9999 (or any year 1000–9999) must not make one.
    """
    if flt.year is not None and flt.year in report_years(analysis):
        return flt.year
    return analysis.as_of.year


@dataclass(frozen=True)
class ReportFile:
    """One generated report file, relative to the year's folder."""

    name: str
    kind: str
    size: int
    title: str = ""

    @property
    def stem(self) -> str:
        return self.name.rsplit(".", 1)[0]

    @property
    def folder(self) -> str:
        """The folder inside the year's reports (``""`` at the top)."""
        return self.name.rpartition("/")[0]


#: The marker file ``write_reports`` leaves in its output folder (not a report).
_MARKER = ".sandao-report"
_TITLE = re.compile(r"<title>(.*?)</title>", re.IGNORECASE | re.DOTALL)


def generate_reports(
    analysis: Analysis, out_dir: Path, year: int, serve: str | None = None
) -> list[ReportFile]:
    """Write the year's reports with ``write_reports`` (once per folder); list the files.
    With ``serve`` (this server's 来源分录 endpoint) the auditor's edition is written too,
    under ``audit/``: the pages the preview shows, each figure a link."""
    from sandao.reports.run import write_reports

    if not out_dir.is_dir():
        edition = "audit" if serve else "public"
        write_reports(analysis, out_dir, year=year, edition=edition, serve=serve)
    return list_reports(out_dir)


def audit_twin(folder: Path, name: str) -> Path | None:
    """The auditor's page of the published page ``name`` (``audit/<name>``), if written."""
    twin = folder / AUDIT_FOLDER / name
    return twin if name.lower().endswith(".html") and twin.is_file() else None


def list_reports(out_dir: Path) -> list[ReportFile]:
    """Every file of a report folder, with the ``<title>`` of the HTML ones."""
    files = []
    for path in sorted(out_dir.rglob("*")):
        if not path.is_file() or path.name == _MARKER:
            continue
        rel = path.relative_to(out_dir).as_posix()
        if rel.startswith(f"{AUDIT_FOLDER}/"):  # served in place of its published page
            continue
        kind = path.suffix.lstrip(".").upper()
        title = ""
        if kind == "HTML":
            with path.open(encoding="utf-8", errors="replace") as handle:
                match = _TITLE.search(handle.read(4096))
            title = " ".join(match.group(1).split()) if match else ""
        files.append(ReportFile(rel, kind, path.stat().st_size, title))
    return files


@dataclass
class ReportSet:
    """The year's reports as the preview page lists them."""

    #: (HTML report, its Excel twin or None), the index first.
    documents: list[tuple[ReportFile, ReportFile | None]]
    #: CSV / JSON open-data files.
    data_files: list[ReportFile]
    index: ReportFile | None


def report_set(files: list[ReportFile]) -> ReportSet:
    by_name = {f.name: f for f in files}
    documents = []
    index = by_name.get("index.html")
    for f in files:
        if f.kind == "HTML":
            documents.append((f, by_name.get(f.stem + ".xlsx")))
    documents.sort(key=lambda pair: (pair[0].name != "index.html", pair[0].name))
    data_files = [f for f in files if f.kind in ("CSV", "JSON")]
    return ReportSet(documents, data_files, index)


_LINK = re.compile(r"""(\b(?:href|src)=")([^"]*)(")""", re.IGNORECASE)


def rewrite_links(html: str, name: str, files: set[str], url_for_file: Any) -> str:
    """Point the relative links of a served report at the endpoint serving its files.

    Links to files of the same report folder become ``url_for_file(path)``; other
    links (absolute, fragments, folders) are left as they are.
    """
    import posixpath

    folder = posixpath.dirname(name)

    def replace(match: re.Match[str]) -> str:
        value = match.group(2)
        target, _, fragment = value.partition("#")
        if not target or ":" in target or target.startswith(("/", "?")):
            return match.group(0)
        path = posixpath.normpath(posixpath.join(folder, target))
        if path not in files:
            return match.group(0)
        url = url_for_file(path) + (f"#{fragment}" if fragment else "")
        return f"{match.group(1)}{html_escape(url)}{match.group(3)}"

    return _LINK.sub(replace, html)


def html_escape(text: str) -> str:
    import html

    return html.escape(text, quote=True)


@dataclass
class TaskMoney:
    """One transfer or spending posting of a task, with the entry it belongs to."""

    date: datetime.date
    account: str
    amount: Decimal
    payee: str | None
    narration: str
    entry_hash: str | None


def task_detail(analysis: Analysis, task_id: str, entries: Iterable[Any]) -> dict[str, Any] | None:
    """The per-task page: declaration, amendments, transfers, spending, findings.

    ``entries`` are Fava's entries: each transfer and spending row is matched to its
    transaction by the posting's source line, for a link to that entry in the journal.
    """
    from beancount.core import data
    from fava.beans.funcs import hash_entry

    from sandao.ledger.resolver import INCOME, SPENDING

    task = analysis.declarations.tasks.get(task_id)
    if task is None:
        return None
    rows = [r for r in analysis.postings.rows if r.task == task_id and r.role in (INCOME, SPENDING)]
    places = {(r.file, r.line) for r in rows}
    hashes: dict[tuple[Any, Any], str] = {}
    for entry in entries:
        if not isinstance(entry, data.Transaction):
            continue
        found = [
            (p.meta.get("filename"), p.meta.get("lineno"))
            for p in entry.postings
            if p.meta and (p.meta.get("filename"), p.meta.get("lineno")) in places
        ]
        if found:
            digest = hash_entry(entry)
            for place in found:
                hashes[place] = digest
    transfers, spending = [], []
    for r in rows:
        money = TaskMoney(
            r.date,
            r.account,
            -r.amount if r.role == INCOME else r.amount,
            r.payee,
            r.narration,
            hashes.get((r.file, r.line)),
        )
        (transfers if r.role == INCOME else spending).append(money)
    fund = analysis.funding.get(task_id)
    departments, units = analysis.declarations.departments, analysis.declarations.units
    department, unit = departments.get(task.department), units.get(task.unit)
    return {
        "task": task,
        "department_name": department.name if department else task.department,
        "unit_name": unit.name if unit else task.unit,
        "fund": fund,
        "status_class": STATUS_CLASS.get(fund.status if fund else "", ""),
        "transfers": transfers,
        "spending": spending,
        "received": sum((m.amount for m in transfers), Decimal(0)),
        "spent": sum((m.amount for m in spending), Decimal(0)),
        "findings": [f for f in analysis.findings if f.task == task_id],
        "declaration": (task.meta.get("filename"), task.meta.get("lineno")),
    }


def entry_hashes(
    entries: Iterable[Any], places: set[tuple[Any, Any]]
) -> dict[tuple[Any, Any], str]:
    """Fava's hash of each entry at a (filename, lineno) of ``places``: the key of Fava's
    entry context (``#context-<hash>``), so a link opens the entry itself."""
    from fava.beans.funcs import hash_entry

    if not places:
        return {}
    found: dict[tuple[Any, Any], str] = {}
    for entry in entries:
        meta = entry.meta
        if not meta:
            continue
        place = (meta.get("filename"), meta.get("lineno"))
        if place in places:
            found[place] = hash_entry(entry)
    return found


def identity_hashes(entries: Iterable[Any], wanted: set[tuple]) -> dict[tuple, str]:
    """Fava's hash of the entry with each identity of ``wanted`` (voucher/id, else date,
    kind, accounts, links, narration — the identity history compares entries by)."""
    from fava.beans.funcs import hash_entry

    from sandao.ledger.canonical import identity

    if not wanted:
        return {}
    found: dict[tuple, str] = {}
    for entry in entries:
        if not getattr(entry, "meta", None):
            continue
        key = identity(entry)
        if key in wanted and key not in found:
            found[key] = hash_entry(entry)
    return found


def audit_board(
    analysis: Analysis, flt: PageFilter, config: Any, entries: Iterable[Any] = ()
) -> dict[str, Any]:
    """The audit checks with their counts and thresholds; findings in the filter, each
    entry with Fava's hash (``hashes`` by file and line) for a link to the entry itself.

    ``config`` is the county config of the books (thresholds, holiday calendar).
    """
    from sandao.reports.audit import audit

    result = audit(
        analysis,
        config.section("audit"),
        config.county.holidays,
        config.county.workdays,
        source=str(config.path or "sandao.toml"),
    )
    kept = [
        f
        for f in result.findings
        if in_period(f.date, flt) and (flt.units is None or f.unit in flt.units)
    ]
    result.findings = kept
    groups = result.by_code()
    places = {(ref.file, ref.line) for f in kept for ref in f.entries}
    return {
        "checks": [{**row, "findings": groups[row["code"]]} for row in result.summary()],
        "total": len(kept),
        "as_of": result.as_of,
        "hashes": entry_hashes(entries, places),
    }


def journal_filter(ref: Any) -> dict[str, str]:
    """Fava journal arguments that show one entry: its day, and its voucher or payee."""
    args = {"time": ref.date.isoformat()}
    if ref.voucher:
        args["filter"] = f'voucher:"^{re.escape(ref.voucher)}$"'
    elif ref.text:
        payee = ref.text.split(" ", 1)[0] if " " in ref.text else ""
        if payee and '"' not in payee:
            args["filter"] = f'payee:"^{re.escape(payee)}$"'
    return args


def posting_entry_hashes(
    entries: Iterable[Any], places: set[tuple[Any, Any]]
) -> dict[tuple[Any, Any], str]:
    """Fava's hash of the transaction each posting at (filename, lineno) belongs to: the
    transaction of that file that starts last on or before the posting's line."""
    from bisect import bisect_right

    from beancount.core import data
    from fava.beans.funcs import hash_entry

    files = {file for file, _ in places}
    starts: dict[Any, list[tuple[int, Any]]] = {}
    for entry in entries:
        if isinstance(entry, data.Transaction) and entry.meta.get("filename") in files:
            starts.setdefault(entry.meta["filename"], []).append((entry.meta["lineno"], entry))
    lines = {}
    for file, rows in starts.items():
        rows.sort(key=lambda item: item[0])
        lines[file] = [n for n, _ in rows]
    found: dict[tuple[Any, Any], str] = {}
    for file, line in places:
        at = bisect_right(lines.get(file, []), line or 0) - 1
        if at >= 0:
            found[(file, line)] = hash_entry(starts[file][at][1])
    return found


def traced_cell(
    analysis: Analysis, main_file: Path, report: str, table: str, row: str, column: str
) -> dict[str, Any] | None:
    """The auditor's-edition trace of one cell, recomputed from its address (report key
    ``final-2024-C101`` or ``community-2025Q3-SQ01`` …, table key, row, column key)."""
    from sandao.reports.audit_edition import traced_cell as trace_of
    from sandao.reports.traced_books import traced_books
    from sandao.reports.traced_reports import traced_report

    built = traced_report(analysis, main_file, report)
    if built is None:
        return None
    books = analysis if built.template == DISCLOSURE else traced_books(analysis)
    return trace_of(books, built, table, row, column)


def cited_cells(
    cell: dict[str, Any], report: str, table: str
) -> dict[tuple[Any, ...], tuple[str, str, str, str]]:
    """The cells a traced cell names, each as the 来源分录 page shows it → its address
    (report, table, row, column): its parts (``(row, column[, sign])``), the cells a
    derived figure divides (``(row, column)``; from another table of the report too), the
    cell it is the same figure as and each unit's same cell (``(report, row, column)``)."""
    cited: dict[tuple[Any, ...], tuple[str, str, str, str]] = {}
    for part in cell.get("parts", []):
        cited[tuple(part)] = (report, table, part[0], part[1])
    for operand in cell.get("from", []):
        if isinstance(operand, list):
            other, row, column = operand if len(operand) == 3 else [table, *operand]
            cited[(row, column)] = (report, other, row, column)
    if "same" in cell:
        first, other, row, column = cell["same"]
        cited[(first, row, column)] = (first, other, row, column)
    for unit_report, _ in cell.get("units", []):
        cited[(unit_report, cell["row"], cell["column"])] = (
            unit_report, table, cell["row"], cell["column"],
        )  # fmt: skip
    return cited


def trace_page(
    found: dict[str, Any], links: dict[tuple[Any, Any], str], parts: dict[tuple[str, str], str]
) -> str:
    """A plain page: the figure, its entries (each opening the entry) or its parts, the sum
    (``found`` as :func:`sandao.reports.audit_edition.traced_cell` gives it)."""
    from html import escape

    cell, title = found["cell"], found["table"]
    rows = []
    details = found["entries"]
    for ident, file, line, amount in cell.get("entries", []):
        info = details.get(ident, {})
        href = links.get((file, line))
        where = f"{escape(str(file))}:{line}" if file else "（声明）"
        name = f'<a href="{escape(href)}">{escape(ident)}</a>' if href else escape(ident)
        rows.append(
            f"<tr><td>{name}</td><td>{escape(info.get('date', ''))}</td>"
            f"<td>{escape(info.get('payee', ''))}</td><td>{escape(info.get('narration', ''))}</td>"
            f'<td class="num">{escape(amount)}</td><td>{where}</td></tr>'
        )
    shares = dict(cell.get("units", []))
    if "same" in cell:
        shares[cell["same"][0]] = cell["sum"]
    for address, href in parts.items():
        if address[0] in shares:  # a unit's document: its key and its share
            report = address[0]
            rows.append(
                f'<tr><td colspan="4"><a href="{escape(href)}">{escape(report)}</a></td>'
                f'<td class="num">{escape(shares[report])}</td><td></td></tr>'
            )
            continue
        row, column, *sign = address
        minus = "减 " if sign and sign[0] < 0 else ""
        rows.append(
            f'<tr><td colspan="5">{minus}<a href="{escape(href)}">{escape(row)} / {escape(column)}</a></td><td></td></tr>'
        )
    for operand in cell.get("from", []):
        if not isinstance(operand, list):
            rows.append(f'<tr><td colspan="5">{escape(str(operand))}</td><td></td></tr>')
    if "derived" in cell:
        kind = f"由以下数字计算（{escape(cell['derived'])}）"
    elif "units" in cell:
        kind = "由各单位报表的同一单元格相加"
    elif "same" in cell:
        report, table, row, column = cell["same"]
        kind = f"与 {escape(report)} {escape(table)} 行“{escape(row)}” 列 {escape(column)} 为同一数字，分录列在那里"
    else:
        kind = "来源分录" if "entries" in cell else "由以下单元格相加（减号表示减去）"
    return (
        '<!doctype html><html lang="zh-CN"><head><meta charset="utf-8">'
        f"<title>{escape(found['title'])} — {escape(title)}</title></head><body>"
        f"<h1>{escape(found['title'])}</h1><h2>{escape(title)}：{escape(cell['row'])} / "
        f"{escape(cell['column'])} = {escape(cell['cell'])}</h2><p>{kind}</p>"
        '<table class="sd-trace"><thead><tr><th>分录</th><th>日期</th><th>收款人</th><th>摘要</th>'
        "<th>金额（元）</th><th>位置</th></tr></thead><tbody>"
        + "".join(rows)
        + "</tbody></table>"
        + (
            f'<p class="sd-trace-sum">合计（元）：<span>{escape(cell["sum"])}</span></p>'
            if "sum" in cell
            else ""
        )
        + "</body></html>"
    )
