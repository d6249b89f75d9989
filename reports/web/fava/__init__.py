"""The fund pages in Fava: task board, budget execution, rule findings, reports, audit.

A Fava extension module with six report pages, each a Jinja template in
``templates/`` beside this file, rendered server-side into Fava's page:

* ``TaskBoard`` — 费随事转任务台账: every task with its department, amounts due /
  received / spent, status and findings; a task id opens Fava's journal filtered by
  the task's link (``^T2025-007``).
* ``BudgetExecution`` — 指标执行: budget execution by quota, with execution rate.
* ``RuleFindings`` — 规则检查: the rule findings grouped by code, each linked to its
  source line in Fava's editor.
* ``ReportPreview`` — 公开报表: the disclosure reports of the selected year,
  generated with ``write_reports`` into a private cache folder and served by the
  GET-only ``file`` endpoint.
* ``AuditFindings`` — 审计疑点: the audit checks AU01–AU21 with counts and
  thresholds; each finding's entries open Fava's journal on their day and voucher.
* ``ChangeHistory`` — 变更记录: entries changed between two git revisions.

Every page honours Fava's time filter and account filter (see
:mod:`sandao.reports.web.fava.pages`).  The pages share one analysis per Fava load
(:mod:`sandao.reports.web.fava.state`).  All endpoints are GET-only and no request
writes to the books; in Fava's read-only mode every other method is refused by
Fava itself.

Using it: ``sandao serve LEDGER`` adds the extension by itself.  To see the pages
in a plain ``fava`` run, declare it in the books::

    2024-01-01 custom "fava-extension" "sandao.reports.fava"
"""

from __future__ import annotations

import json
import re
from decimal import Decimal
from functools import cached_property
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

import jinja2
from fava.application import url_for
from fava.ext import FavaExtensionBase, extension_endpoint
from flask import Response, abort, current_app, request, send_from_directory

from sandao.ledger.explain import Sources
from sandao.ledger.explain import explain_error as explain_beancount_error
from sandao.ledger.findings import ERROR, RULES, FundRuleError
from sandao.ledger.glossary import label
from sandao.reports.web.fava import pages
from sandao.reports.web.fava.state import FundState, Job, state_for

#: Page name → sidebar title, in the order of the page switcher.
PAGES: tuple[tuple[str, str], ...] = (
    ("TaskBoard", "费随事转任务"),
    ("BudgetExecution", "指标执行"),
    ("RuleFindings", "规则检查"),
    ("ReportPreview", "公开报表"),
    ("AuditFindings", "审计疑点"),
    ("ChangeHistory", "变更记录"),
)


def labelled_meta_items(meta: Any) -> list[tuple[str, Any]]:
    """Fava's ``meta_items`` filter with the glossary's Chinese key labels.

    Fava's journal shows a metadata key in full when an entry is opened and its first two
    characters as a badge: ``voucher`` → 支付凭证号 / 支付 instead of "vo".
    """
    from fava.template_filters import meta_items

    return [(label(key), value) for key, value in meta_items(meta)]


#: Heading of the project's group of pages in Fava's sidebar (the switcher's label).
SIDEBAR_GROUP = "资金台账"


def read_only() -> bool:
    """Whether Fava refuses changes: ``sandao serve``'s flag, else Fava's own guard."""
    flag = current_app.config.get("SANDAO_READ_ONLY")
    if flag is not None:
        return bool(flag)
    guards = current_app.before_request_funcs.get(None, [])
    return any(getattr(f, "__name__", "") == "_read_only" for f in guards)


#: Seconds the preview page waits for the year's reports before saying "generating".
REPORT_WAIT_S = 8.0
#: Seconds a report file request waits for the generation to finish.
REPORT_FILE_WAIT_S = 120.0

#: Fava's filter arguments, carried into the extension's endpoint URLs.
FILTER_ARGS: tuple[str, ...] = ("time", "account", "filter")


def yuan(value: Any) -> str:
    """Money as ``12,345.67`` (empty for missing values)."""
    if value is None or value == "":
        return ""
    number = value if isinstance(value, Decimal) else Decimal(str(value))
    return f"{number:,.2f}"


#: An amount inside a message: ``12,345.67`` / ``-5.00`` (ids such as T2025-007 have no decimals).
_AMOUNT_IN_TEXT = re.compile(r"\d[\d,]*\.\d+")


def mask_amounts(text: Any) -> str:
    """A message with every amount's digits as X (incognito), ids and dates left readable."""
    return _AMOUNT_IN_TEXT.sub(lambda m: re.sub("[0-9]", "X", m.group(0)), str(text))


def percent(value: Any) -> str:
    """A rate (a fraction, e.g. 0.875) as ``87.5%``."""
    if value is None or value == "":
        return ""
    return f"{Decimal(str(value)) * 100:.1f}%"


#: Chinese kind of Beancount's own error classes, for messages ``explain`` does not know.
ERROR_KINDS: dict[str, str] = {
    "ParserError": "语法错误",
    "ParserSyntaxError": "语法错误",
    "LexerError": "语法错误",
    "LoadError": "加载错误",
    "BalanceError": "余额断言不符",
    "ValidationError": "校验错误",
    "PadError": "补差（pad）错误",
    "DocumentError": "凭证文档错误",
}


def explain_error(error: Any) -> str:
    """A Beancount error's message with a Chinese explanation in front.

    ``check``'s own explanation where it has one (the same words ``sandao check``
    prints), else the Chinese name of the error's kind.
    """
    message = str(getattr(error, "message", error)).strip()
    explained = explain_beancount_error(error, Sources()).message
    if explained != message:
        return explained
    kind = ERROR_KINDS.get(type(error).__name__)
    return f"{kind}：{message}" if kind else message


class FundPage:
    """What the pages share (a mixin: Fava only collects its subclasses)."""

    ledger: Any
    name: str

    @property
    def state(self) -> FundState:
        return state_for(self.ledger)

    def after_load_file(self) -> None:
        """Take the new load's analysis now, so the first page view is warm."""
        self.state.refresh()

    def before_request(self) -> None:
        """Chinese metadata labels in Fava's journal, in plain ``fava`` as under ``serve``."""
        filters = current_app.jinja_env.filters
        if filters.get("meta_items") is not labelled_meta_items:
            filters["meta_items"] = labelled_meta_items

    @cached_property
    def jinja_env(self) -> jinja2.Environment:  # type: ignore[override]
        env: jinja2.Environment = super().jinja_env  # type: ignore[misc]
        incognito = current_app.config.get("INCOGNITO", False)
        hide = env.filters["incognito"] if incognito else (lambda v: v)
        env.filters["yuan"] = lambda v: hide(yuan(v))
        env.filters["percent"] = lambda v: hide(percent(v))
        env.filters["explain_error"] = explain_error
        env.filters["amounts"] = mask_amounts if incognito else (lambda v: v)
        env.globals["sandao_pages"] = PAGES
        env.globals["rules"] = RULES
        env.globals["ERROR"] = ERROR
        return env

    @property
    def incognito(self) -> bool:
        return bool(current_app.config.get("INCOGNITO", False))

    def filter(self) -> pages.PageFilter:
        """Fava's time and account filters of the current request."""
        return pages.page_filter(
            request.args, self.ledger.accounts.keys(), self.ledger.fava_options.fiscal_year_end
        )

    def endpoint_url(self, endpoint: str, **params: str) -> str:
        """URL of one of this extension's endpoints, keeping Fava's filters.

        (Fava's ``url_for`` cannot build it: the route's ``endpoint`` argument
        collides with ``url_for``'s own first parameter.)
        """
        query = {k: request.args[k] for k in FILTER_ARGS if request.args.get(k)}
        query.update(params)
        base = url_for("extension_report", extension_name=self.name)
        base = base.split("?", 1)[0]
        return f"{base}{quote(endpoint)}" + (f"?{urlencode(query)}" if query else "")

    def beancount_errors(self) -> list[Any]:
        """Beancount's own errors of the load (syntax errors among them), not the rules'."""
        return [e for e in self.ledger.load_errors if not isinstance(e, FundRuleError)]

    def problem(self) -> str | None:
        """Why the pages cannot show the fund analysis, if they cannot."""
        error = self.state.error
        return f"资金分析失败：{error}" if error else None

    def _board(self, name: str, build: Any) -> Any:
        state = self.state
        analysis = state.analysis
        if analysis is None:
            return None
        flt = self.filter()
        return state.memo((name, *flt.key), lambda: build(analysis, flt))


class TaskBoard(FundPage, FavaExtensionBase):
    """费随事转任务台账; with ``?task=T…`` one task's page.

    Its JavaScript module (``TaskBoard.js``, run by Fava on every page) puts a 任务页
    link beside each task link in Fava's journal, names and orders the project's
    sidebar group like the page switcher, and in read-only mode hides 编辑器 and 导入.
    """

    report_title = "费随事转任务"
    has_js_module = True

    def board(self) -> dict[str, Any] | None:
        return self._board("tasks", pages.task_board)

    def selected_task(self) -> str | None:
        return request.args.get("task") or None

    def task_detail(self) -> dict[str, Any] | None:
        """The selected task's page (None when no task or an unknown one is asked for)."""
        task_id = self.selected_task()
        analysis = self.state.analysis
        if task_id is None or analysis is None:
            return None
        return pages.task_detail(analysis, task_id, self.ledger.all_entries)

    def task_url(self, task_id: str) -> str:
        return url_for("extension_report", extension_name=self.name, task=task_id)

    def journal_url(self, task_id: str, entry_hash: str | None = None) -> str:
        """Fava's journal of the task's link; with a hash, that entry opened in it."""
        url = url_for("report", report_name="journal", filter=f"^{task_id}")
        return f"{url}#context-{entry_hash}" if entry_hash else url

    @extension_endpoint("mode")
    def mode_json(self) -> Response:
        """What the page script needs: read-only or not, the pages in switcher order."""
        analysis = self.state.analysis
        payload = {
            "read_only": read_only(),
            "pages": [[name, title] for name, title in PAGES],
            "group": SIDEBAR_GROUP,
            "task_pattern": analysis.config.task_pattern if analysis else r"T\d{4}-\d+",
        }
        return Response(
            json.dumps(payload, ensure_ascii=False), mimetype="application/json; charset=utf-8"
        )

    @extension_endpoint("tasks")
    def tasks_json(self) -> Response:
        """The task board's rows as JSON (GET; same filters as the page)."""
        board = self.board()
        rows = board["rows"] if board else []
        hide = self.incognito
        payload = [_json_row(row, hide) for row in rows]
        return Response(
            json.dumps(payload, ensure_ascii=False), content_type="application/json; charset=utf-8"
        )


class BudgetExecution(FundPage, FavaExtensionBase):
    """指标执行."""

    report_title = "指标执行"

    def board(self) -> dict[str, Any] | None:
        return self._board("quotas", pages.quota_board)


class RuleFindings(FundPage, FavaExtensionBase):
    """规则检查."""

    report_title = "规则检查"

    def board(self) -> dict[str, Any] | None:
        return self._board("findings", pages.findings_board)

    def changed_entries(self, finding: Any) -> list[dict[str, Any]]:
        """For a C001 finding: the entries of the closed period that changed (from the
        close certificate in closes/, else git), each linked to the entry itself."""
        from fava.beans.funcs import hash_entry

        from sandao.ledger.closing import changed_entries

        if finding.code != "C001" or not finding.unit or finding.date is None:
            return []

        analysis = self.state.analysis
        if analysis is None:
            return []

        def build() -> list[dict[str, Any]]:
            # The books as loaded (not the task notes serve adds in memory for the journal).
            entries = analysis.entries
            options = {"filename": self.ledger.beancount_file_path}
            rows = []
            for kind, entry, text in changed_entries(entries, options, finding.unit, finding.date)[
                :20
            ]:
                url = None
                if entry is not None:
                    url = url_for("report", report_name="journal", time=entry.date.isoformat())
                    url += f"#context-{hash_entry(entry)}"
                rows.append(
                    {
                        "kind": {"added": "新增", "removed": "删除", "changed": "修改"}[kind],
                        "text": text,
                        "url": url,
                    }
                )
            return rows

        return self.state.memo(("c001", finding.unit, finding.date), build)


class ReportPreview(FundPage, FavaExtensionBase):
    """公开报表: the disclosure reports of the selected year."""

    report_title = "公开报表"

    def years(self) -> list[int]:
        analysis = self.state.analysis
        return pages.report_years(analysis) if analysis else []

    def year(self) -> int | None:
        analysis = self.state.analysis
        return pages.selected_year(analysis, self.filter()) if analysis else None

    def report_dir(self, year: int) -> Path:
        state = self.state
        return state.cache_dir / f"{state.generation}-{year}"

    def report_job(self, year: int) -> Job | None:
        """The (background) generation of the year's reports for this load."""
        state = self.state
        analysis = state.analysis
        if analysis is None:
            return None
        out_dir = self.report_dir(year)
        # each figure of the previews links here (the filters are not the reports')
        serve = self.endpoint_url("trace").split("?", 1)[0]
        return state.job(
            ("reports", year), lambda: pages.generate_reports(analysis, out_dir, year, serve)
        )

    def reports(self, year: int, wait: float = REPORT_WAIT_S) -> dict[str, Any]:
        """The year's report files for the page: ``files``, ``pending`` or ``problem``."""
        job = self.report_job(year)
        if job is None:
            return {"files": None, "pending": False, "problem": None}
        if not job.wait(wait):
            return {"files": None, "pending": True, "problem": None}
        if job.error is not None:
            error = job.error
            if isinstance(error, ImportError):
                problem = f"报表生成模块不可用：{error}"
            else:
                problem = f"报表生成失败：{type(error).__name__}: {error}"
            return {"files": None, "pending": False, "problem": problem}
        return {"files": pages.report_set(job.result), "pending": False, "problem": None}

    def file_url(self, year: int, name: str) -> str:
        return self.endpoint_url("file", year=str(year), name=name)

    @extension_endpoint("file")
    def report_file(self) -> Response:
        """One generated report file (GET only; ``?year=2025&name=…``)."""
        if self.incognito:
            abort(403)
        try:
            year = int(request.args.get("year", ""))
        except ValueError:
            abort(404)
        name = request.args.get("name", "")
        if year not in self.years() or not name:
            abort(404)
        job = self.report_job(year)
        if job is None or not job.wait(REPORT_FILE_WAIT_S):
            abort(503)
        if job.error is not None:
            abort(500)
        files = {f.name for f in job.result}
        if name not in files:
            abort(404)
        folder = self.report_dir(year)
        if name.lower().endswith(".html"):
            # the auditor's page when there is one: the same page, each figure a link
            page = pages.audit_twin(folder, name) or folder / name
            html = page.read_text(encoding="utf-8")
            html = pages.rewrite_links(html, name, files, lambda path: self.file_url(year, path))
            return Response(html, content_type="text/html; charset=utf-8")
        as_attachment = not name.lower().endswith((".json", ".csv", ".txt"))
        return send_from_directory(folder, name, as_attachment=as_attachment)

    @extension_endpoint("trace")
    def cell_trace(self) -> Response:
        """来源分录: the entries behind one figure of a 决算, 预算, notice, task ledger,
        execution or performance report, recomputed from its address
        (``?report=final-2024-C101&table=t3&row=2120101&column=total``), each opening its
        entry, with their sum (reports.md, "Provenance")."""
        if self.incognito:
            abort(403)
        analysis = self.state.analysis
        if analysis is None:
            abort(503)
        args = {k: request.args.get(k, "") for k in ("report", "table", "row", "column")}
        found = pages.traced_cell(analysis, Path(self.ledger.beancount_file_path), **args)
        if found is None:
            abort(404)
        cell = found["cell"]
        places = {(e[1], e[2]) for e in cell.get("entries", [])}
        hashes = pages.posting_entry_hashes(self.ledger.all_entries, places)
        links = {
            (
                e[1],
                e[2],
            ): f"{url_for('report', report_name='journal')}#context-{hashes[(e[1], e[2])]}"
            for e in cell.get("entries", [])
            if (e[1], e[2]) in hashes
        }
        parts = {
            key: self.endpoint_url("trace", report=report, table=table, row=row, column=column)
            for key, (report, table, row, column) in pages.cited_cells(
                cell, args["report"], args["table"]
            ).items()
        }
        html = pages.trace_page(found, links, parts)
        return Response(html, content_type="text/html; charset=utf-8")


class AuditFindings(FundPage, FavaExtensionBase):
    """审计疑点: the audit checks AU01–AU21, each finding linked to Fava's journal."""

    report_title = "审计疑点"

    def _config(self) -> tuple[Any, str | None]:
        """The books' county config, or why it cannot be used."""
        from sandao.ledger.county_config import CountyConfigError, load_county_config
        from sandao.reports.audit.thresholds import ThresholdError, thresholds

        try:
            config = load_county_config(Path(self.ledger.beancount_file_path))
            thresholds(config.section("audit"), str(config.path))
        except (CountyConfigError, ThresholdError) as exc:
            return None, f"县配置不可用：{exc}"
        return config, None

    def board(self) -> dict[str, Any] | None:
        config, problem = self._config()
        if problem:
            return None
        entries = self.ledger.all_entries
        return self._board(
            "audit", lambda analysis, flt: pages.audit_board(analysis, flt, config, entries)
        )

    def problem(self) -> str | None:
        return self._config()[1] or super().problem()

    def journal_url(self, ref: Any, hashes: dict[Any, str] | None = None) -> str:
        """The entry itself (Fava's entry context, ``#context-<hash>``) over its day's journal."""
        url = url_for("report", report_name="journal", **pages.journal_filter(ref))
        digest = (hashes or {}).get((ref.file, ref.line))
        return f"{url}#context-{digest}" if digest else url


class ChangeHistory(FundPage, FavaExtensionBase):
    """变更记录: entries added, removed or changed between two git revisions."""

    report_title = "变更记录"

    def history(self) -> dict[str, Any]:
        """``{"result": History | None, "problem": str | None}`` for ``?since=&until=``."""
        from sandao.reports.audit.history import GitError, history

        since = request.args.get("since") or None
        until = request.args.get("until") or None

        def build() -> dict[str, Any]:
            from sandao.ledger.canonical import identity

            try:
                found = history(Path(self.ledger.beancount_file_path), since, until)
            except GitError as exc:
                return {"result": None, "problem": str(exc), "hashes": {}}
            wanted = {identity(c.entry) for c in found.changes if c.kind != "removed"}
            hashes = pages.identity_hashes(self.ledger.all_entries, wanted)
            return {"result": found, "problem": None, "hashes": hashes}

        return self.state.memo(("history", since, until), build)

    def entry_url(self, entry: Any, hashes: dict[Any, str]) -> str | None:
        """Fava's context of the entry as it is in the books now (None when it is gone)."""
        from sandao.ledger.canonical import identity

        digest = hashes.get(identity(entry))
        if digest is None:
            return None
        return (
            url_for("report", report_name="journal", time=entry.date.isoformat())
            + f"#context-{digest}"
        )


def _json_row(row: dict[str, Any], hide: bool) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in row.items():
        if key in ("status_class",):
            continue
        if isinstance(value, Decimal | float) and not isinstance(value, bool):
            text = f"{Decimal(str(value)):.2f}"
            out[key] = re.sub("[0-9]", "X", text) if hide else text
        elif hasattr(value, "isoformat"):
            out[key] = value.isoformat()
        elif isinstance(value, (list, tuple, set, frozenset)):
            out[key] = [str(v) for v in value]
        else:
            out[key] = value if value is None or isinstance(value, (int, bool, str)) else str(value)
    return out
