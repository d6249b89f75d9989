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

from collections.abc import Callable
from pathlib import Path
from typing import Any

from sandao.ledger import Analysis
from sandao.reports.base import community_name
from sandao.reports.html import render
from sandao.reports.model import Report

#: Seconds of idle time before a page goes back to the home page.
IDLE_SECONDS = 120
FOLDER = "kiosk"


def page_name(report: Report) -> str:
    """File name of a notice's kiosk page (e.g. ``SQ01-2025Q3.html``)."""
    ctx = report.context
    return f"{ctx['code']}-{ctx['year']}Q{ctx['quarter_no']}.html"


def write_kiosk(
    analysis: Analysis,
    root: Path,
    notices: list[tuple[str, int, Callable[[], Report]]],
    env: Any,
) -> Path | None:
    """Write ``kiosk/``: index plus one page per (community, quarter); return the index."""
    if not notices:
        return None
    folder = root / FOLDER
    folder.mkdir(exist_ok=True)
    by_community: dict[str, list[Report]] = {}
    for code, _, build in notices:
        by_community.setdefault(code, []).append(build())
    communities = []
    for code in sorted(by_community):
        reports = sorted(
            by_community[code],
            key=lambda r: (r.context["year"], r.context["quarter_no"]),
            reverse=True,  # newest quarter first
        )
        pages = [{"href": page_name(r), "label": r.context["period"]} for r in reports]
        for report in reports:
            html = render(
                env,
                "kiosk/page.html",
                report=report,
                ctx=report.context,
                quarters=pages,
                idle=IDLE_SECONDS,
                home="index.html",
            )
            (folder / page_name(report)).write_text(html, encoding="utf-8")
        latest = reports[0]
        communities.append(
            {
                "code": code,
                "name": community_name(analysis, code),
                "unit": latest.context["unit"],
                "quarters": pages,
                "closing": latest.context["quarter"]["closing"],
            }
        )
    index = folder / "index.html"
    html = render(
        env,
        "kiosk/index.html",
        communities=communities,
        as_of=analysis.as_of,
        title="社区云 · 社区财务公开",
    )
    index.write_text(html, encoding="utf-8")
    return index
