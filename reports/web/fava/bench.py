"""Benchmark of the fund pages against Fava's own income statement, warm.

Fava 1.30 renders its reports in the browser: moving to the income statement
fetches ``/api/income_statement``; moving to an extension page fetches the page's
HTML with ``?partial=true``.  The task board renders server-side and calls no
endpoint on load (its JSON endpoint is a download link), so the figure compared is
the partial page alone.  Both are timed through Flask's test client after one
warming request, as the median of ``repeat`` runs; the cold (first) requests are
reported too, and the budget-execution and findings pages for information.
``sandao bench`` calls :func:`bench_fava`.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import unquote


def _timed(
    client: Any, url: str, repeat: int, before: Callable[[], None] | None = None
) -> tuple[float, float]:
    """(first request, median of ``repeat`` warm requests) in seconds.

    ``before`` runs ahead of every warm request, outside the timing.
    """
    start = time.perf_counter()
    response = client.get(url)
    cold = time.perf_counter() - start
    if response.status_code != 200:
        raise RuntimeError(f"GET {url} → {response.status_code}")
    runs = []
    for _ in range(max(1, repeat)):
        if before is not None:
            before()
        start = time.perf_counter()
        response = client.get(url)
        runs.append(time.perf_counter() - start)
        if response.status_code != 200:
            raise RuntimeError(f"GET {url} → {response.status_code}")
    return cold, statistics.median(runs)


def bench_fava(ledger_path: str | Path, repeat: int = 5) -> dict[str, Any]:
    """Time the fund pages vs Fava's ``/api/income_statement`` on the same loaded books.

    Returns seconds (``*_s``; ``*_cold_s`` for a page's first request), the load
    time of the books in Fava, the number of tasks shown and ``ratio`` = task board
    ÷ income statement, warm (target ≤ 1.0).  ``task_board_unmemoised_s`` times the
    task board with the per-filter memo cleared before every request: the builders
    run each time, only the load's analysis is reused.
    """
    from sandao.reports.web.fava.state import state_for
    from sandao.reports.web.serve import create_serve_app

    start = time.perf_counter()
    app = create_serve_app(ledger_path, read_only=True, load=True)
    load_s = time.perf_counter() - start
    client = app.test_client()
    slug = unquote(client.get("/").location.strip("/").split("/")[0])
    state = state_for(app.config["LEDGERS"][slug])
    analysis = state.analysis
    if analysis is None:
        raise RuntimeError(f"fund analysis failed: {state.error}")
    year = analysis.as_of.year
    ext = f"/{slug}/extension"
    out: dict[str, Any] = {"fava_load_s": load_s, "tasks": len(analysis.funding)}

    def measure(key: str, url: str, before: Callable[[], None] | None = None) -> None:
        cold, warm = _timed(client, url, repeat, before)
        out[f"{key}_s"], out[f"{key}_cold_s"] = warm, cold

    measure("income_statement_api", f"/{slug}/api/income_statement")
    measure("task_board", f"{ext}/TaskBoard/?partial=true")
    measure("task_board_unmemoised", f"{ext}/TaskBoard/?partial=true", state.forget_views)
    measure("task_board_full_page", f"{ext}/TaskBoard/")
    measure("tasks_endpoint", f"{ext}/TaskBoard/tasks")
    measure("budget_execution", f"{ext}/BudgetExecution/?partial=true")
    measure("rule_findings", f"{ext}/RuleFindings/?partial=true")
    measure("task_board_year", f"{ext}/TaskBoard/?partial=true&time={year}")
    measure("income_statement_year_api", f"/{slug}/api/income_statement?time={year}")
    figures = {k: round(v, 4) if isinstance(v, float) else v for k, v in out.items()}
    income, income_year = out["income_statement_api_s"], out["income_statement_year_api_s"]
    figures["ratio"] = round(out["task_board_s"] / income, 3)
    figures["ratio_unmemoised"] = round(out["task_board_unmemoised_s"] / income, 3)
    figures["ratio_year_filter"] = round(out["task_board_year_s"] / income_year, 3)
    return figures


if __name__ == "__main__":  # pragma: no cover
    import json
    import sys

    repeat = int(sys.argv[2]) if len(sys.argv) > 2 else 5
    print(json.dumps(bench_fava(sys.argv[1], repeat), ensure_ascii=False))
