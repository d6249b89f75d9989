"""社区云 kiosk: the community notices as a static site for the service hall's touchscreen.

A portrait touchscreen (1080×1920) in the service hall shows the same notices as the
bulletin board: ``kiosk/index.html`` lists the communities, each with its quarters
(newest first), and every community and quarter gets one page with the notice's figures
in large type, its tasks and its flow chart.  The pages are built from the very
:class:`~sandao.reports.model.Report` objects the notice is rendered from, so the two can
never disagree.  No server, no external resources, system CJK fonts only; every page but
the home page returns home after two minutes (a meta refresh), so the next resident
starts at the beginning.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sandao.ledger import Analysis
from sandao.reports.base import community_name, quarter_period
from sandao.reports.html import render
from sandao.reports.model import Report

#: Seconds of idle time before a page goes back to the home page.
IDLE_SECONDS = 120
FOLDER = "kiosk"


def page_name(code: str, year: int, quarter: int) -> str:
    """File name of a notice's kiosk page (e.g. ``SQ01-2025Q3.html``)."""
    return f"{code}-{year}Q{quarter}.html"


def quarter_links(code: str, year: int, quarters: list[int]) -> list[dict[str, str]]:
    """The links to a community's quarter pages, newest first (each page shows them all)."""
    return [
        {"href": page_name(code, year, q), "label": quarter_period(year, q).label}
        for q in sorted(quarters, reverse=True)
    ]


def write_page(root: Path, report: Report, quarters: list[int], env: Any) -> dict[str, Any]:
    """Write the kiosk page of one built notice; return what the kiosk's home page needs."""
    ctx = report.context
    code, year, quarter = ctx["code"], ctx["year"], ctx["quarter_no"]
    folder = root / FOLDER
    folder.mkdir(exist_ok=True)
    html = render(
        env,
        "kiosk/page.html",
        report=report,
        ctx=ctx,
        quarters=quarter_links(code, year, quarters),
        idle=IDLE_SECONDS,
        home="index.html",
    )
    (folder / page_name(code, year, quarter)).write_text(html, encoding="utf-8")
    return {
        "code": code,
        "year": year,
        "quarter": quarter,
        "unit": ctx["unit"],
        "closing": ctx["quarter"]["closing"],
    }


def write_index(
    analysis: Analysis,
    root: Path,
    pages: list[dict[str, Any]],
    quarters: dict[str, list[int]],
    env: Any,
) -> Path | None:
    """Write ``kiosk/index.html`` from the written pages: each community with its newest quarter."""
    if not pages:
        return None
    newest: dict[str, dict[str, Any]] = {}
    for page in pages:
        known = newest.get(page["code"])
        if known is None or (page["year"], page["quarter"]) > (known["year"], known["quarter"]):
            newest[page["code"]] = page
    communities = [
        {
            "code": code,
            "name": community_name(analysis, code),
            "unit": page["unit"],
            "quarters": quarter_links(code, page["year"], quarters[code]),
            "closing": page["closing"],
        }
        for code, page in sorted(newest.items())
    ]
    index = root / FOLDER / "index.html"
    html = render(
        env,
        "kiosk/index.html",
        communities=communities,
        as_of=analysis.as_of,
        title="社区云 · 社区财务公开",
    )
    index.write_text(html, encoding="utf-8")
    return index
