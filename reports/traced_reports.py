"""One report of the auditor's edition rebuilt from its key, traced.

Fava's 来源分录 page is asked for one cell of one report (``final-2024-C101``,
``community-2025Q3-SQ01``, ``tasks-2025``, ``execution-2025-C101``, ``performance-2025``):
this module builds that report — and only it — from the loaded books with every figure
traced, as ``sandao report --edition audit`` built it.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from sandao.ledger import Analysis
from sandao.reports.model import Report

#: The report keys of the auditor's edition, by kind.
_DISCLOSURE = re.compile(r"(final|budget)-(\d{4})-([A-Za-z0-9_]+?)(-draft)?")
_NOTICE = re.compile(r"community-(\d{4})Q([1-4])-([A-Za-z0-9_]+)")
_YEARLY = re.compile(r"(tasks|execution|performance)-(\d{4})(?:-([A-Za-z0-9_]+))?")


def traced_report(analysis: Analysis, main_file: Path, key: str) -> Report | None:
    """The report ``key`` built on the traced books; None for a key no report has."""
    from sandao.ledger.county_config import CountyConfigError, load_county_config

    try:
        config = load_county_config(main_file)
    except CountyConfigError:
        return None
    try:
        if match := _DISCLOSURE.fullmatch(key or ""):
            return _disclosure(analysis, config, match)
        if match := _NOTICE.fullmatch(key or ""):
            return _notice(analysis, config, match)
        if match := _YEARLY.fullmatch(key or ""):
            return _yearly(analysis, match)
    except (ValueError, KeyError):
        return None
    return None


def _disclosure(analysis: Analysis, config: Any, match: re.Match[str]) -> Report | None:
    from sandao.reports.disclosure import (
        DisclosureError,
        budget_document,
        context,
        final_document,
        scopes,
    )

    doc, year, key, draft = match.group(1), int(match.group(2)), match.group(3), match.group(4)
    try:
        ctx = analysis.__dict__.get("_trace_context")  # one traced pass per load
        if ctx is None:
            ctx = analysis.__dict__["_trace_context"] = context(analysis, config, trace=True)
        scope = next(
            (s for s in scopes(analysis, None, config.county.name, ctx.tables) if s.key == key),
            None,
        )
        if scope is None:
            return None
        if doc == "final":
            return final_document(ctx, scope, year, draft=bool(draft))
        return budget_document(ctx, scope, year)
    except DisclosureError:
        return None


def _notice(analysis: Analysis, config: Any, match: re.Match[str]) -> Report | None:
    from sandao.ledger.county_config import large_payment
    from sandao.reports.community import LARGE_PAYMENT, community_notice
    from sandao.reports.traced_books import traced_books

    year, quarter, code = int(match.group(1)), int(match.group(2)), match.group(3)
    if code not in analysis.declarations.communities:
        return None
    threshold = large_payment(config, LARGE_PAYMENT)
    return community_notice(traced_books(analysis), code, year, quarter, threshold)


def _yearly(analysis: Analysis, match: re.Match[str]) -> Report | None:
    from sandao.reports.execution import execution_report
    from sandao.reports.performance import performance_report
    from sandao.reports.tasks import task_ledger_report
    from sandao.reports.traced_books import traced_books

    kind, year, unit = match.group(1), int(match.group(2)), match.group(3)
    if unit is not None and unit not in analysis.declarations.units:
        return None
    books = traced_books(analysis)
    if kind == "tasks":
        return task_ledger_report(books, year, unit)
    if kind == "execution":
        return execution_report(books, year, unit, None)
    return performance_report(books, year, unit, None)
