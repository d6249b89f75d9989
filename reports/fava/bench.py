"""Benchmark of the fund pages against Fava's own income statement, warm.

Fava 1.30 renders its reports in the browser: moving to the income statement
fetches ``/api/income_statement``; moving to an extension page fetches the page's
HTML with ``?partial=true``.  The task board renders server-side and calls no
endpoint on load (its JSON endpoint is a download link), so the figure compared is
the partial page alone.  Both are timed through Flask's test client after one
warming request, as the median of ``repeat`` runs; the cold (first) requests are
reported too.  ``sandao bench`` calls :func:`bench_fava`.
"""

from __future__ import annotations

import statistics
import time
from pathlib import Path
from typing import Any
from urllib.parse import unquote


def _timed(client: Any, url: str, repeat: int) -> tuple[float, float]:
    """(first request, median of ``repeat`` warm requests) in seconds."""
    start = time.perf_counter()
    response = client.get(url)
    cold = time.perf_counter() - start
    if response.status_code != 200:
        raise RuntimeError(f"GET {url} → {response.status_code}")
    runs = []
    for _ in range(repeat):
        start = time.perf_counter()
        response = client.get(url)
        runs.append(time.perf_counter() - start)
        if response.status_code != 200:
            raise RuntimeError(f"GET {url} → {response.status_code}")
    return cold, statistics.median(runs)


def bench_fava(ledger_path: str | Path, repeat: int = 5) -> dict[str, Any]:
    """Time the task board (page + its endpoint) vs Fava's ``/api/income_statement``.

    Returns seconds (``*_s``), the load time of the books in Fava, the number of
    tasks shown and ``ratio`` = task board ÷ income statement (target ≤ 1.0).
    """
    from sandao.reports.fava.state import state_for
    from sandao.reports.serve import create_serve_app

    start = time.perf_counter()
    app = create_serve_app(ledger_path, read_only=True, load=True)
    load_s = time.perf_counter() - start
    client = app.test_client()
    slug = unquote(client.get("/").location.strip("/").split("/")[0])
    ledger = app.config["LEDGERS"][slug]
    analysis = state_for(ledger).analysis
    tasks = len(analysis.funding) if analysis else 0

    income_cold, income = _timed(client, f"/{slug}/api/income_statement", repeat)
    board_cold, board = _timed(client, f"/{slug}/extension/TaskBoard/?partial=true", repeat)
    full_cold, full = _timed(client, f"/{slug}/extension/TaskBoard/", repeat)
    json_cold, json_s = _timed(client, f"/{slug}/extension/TaskBoard/tasks", repeat)
    year = analysis.as_of.year if analysis else ""
    filtered_cold, filtered = _timed(
        client, f"/{slug}/extension/TaskBoard/?partial=true&time={year}", repeat
    )
    _, income_year = _timed(client, f"/{slug}/api/income_statement?time={year}", repeat)
    return {
        "fava_load_s": round(load_s, 3),
        "tasks": tasks,
        "income_statement_api_s": round(income, 4),
        "income_statement_api_cold_s": round(income_cold, 4),
        "task_board_s": round(board, 4),
        "task_board_cold_s": round(board_cold, 4),
        "task_board_full_page_s": round(full, 4),
        "task_board_full_page_cold_s": round(full_cold, 4),
        "tasks_endpoint_s": round(json_s, 4),
        "tasks_endpoint_cold_s": round(json_cold, 4),
        "task_board_year_s": round(filtered, 4),
        "task_board_year_cold_s": round(filtered_cold, 4),
        "income_statement_year_api_s": round(income_year, 4),
        "ratio": round(board / income, 3) if income else None,
        "ratio_year_filter": round(filtered / income_year, 3) if income_year else None,
    }


if __name__ == "__main__":  # pragma: no cover
    import json
    import sys

    print(json.dumps(bench_fava(sys.argv[1]), ensure_ascii=False))
