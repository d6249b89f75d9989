"""The auditor's toolkit: audit checks AU01–AU21, the working paper and change history.

:func:`audit` runs the checks of :mod:`sandao.reports.audit.checks` over one analysis
of the books (the same posting table the rules and reports read) with the thresholds
of the county config, and keeps the findings a year or unit selects.  The command
line, the XLSX working paper (审计工作底稿) and the Fava page 审计疑点 all render the
:class:`AuditResult` it returns.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sandao.ledger.analysis import Analysis
from sandao.reports.audit.checks import CHECKS, AuditBooks, AuditFinding, jsonable, run_checks
from sandao.reports.audit.thresholds import thresholds


@dataclass
class AuditResult:
    as_of: datetime.date
    year: int | None
    unit: str | None
    params: dict[str, dict[str, Any]]
    findings: list[AuditFinding]

    def by_code(self) -> dict[str, list[AuditFinding]]:
        groups: dict[str, list[AuditFinding]] = defaultdict(list)
        for finding in self.findings:
            groups[finding.code].append(finding)
        return {code: groups.get(code, []) for code in CHECKS}

    def summary(self) -> list[dict[str, Any]]:
        """One row per check: code, name, count, amount, thresholds, basis."""
        return [
            {
                "code": code,
                "name": CHECKS[code].name,
                "count": len(found),
                "amount": sum((f.amount for f in found), Decimal(0)),
                "thresholds": CHECKS[code].describe(self.params[code]),
                "basis": CHECKS[code].basis,
            }
            for code, found in self.by_code().items()
        ]

    def to_json(self) -> dict[str, Any]:
        return {
            "as_of": self.as_of.isoformat(),
            "year": self.year,
            "unit": self.unit,
            "checks": [
                {
                    **row,
                    "amount": f"{row['amount']:.2f}",
                    "parameters": jsonable(self.params[row["code"]]),
                }
                for row in self.summary()
            ],
            "findings": [f.to_json() for f in self.findings],
        }


def audit(
    analysis: Analysis,
    section: dict[str, Any] | None = None,
    holidays: frozenset[datetime.date] = frozenset(),
    workdays: frozenset[datetime.date] = frozenset(),
    year: int | None = None,
    unit: str | None = None,
    source: str = "sandao.toml",
) -> AuditResult:
    """Run every check; keep the findings dated in ``year`` and about ``unit``."""
    params = thresholds(section or {}, source)
    books = AuditBooks(analysis, holidays, workdays)
    findings = [
        f
        for f in run_checks(books, params)
        if (year is None or f.date.year == year) and (unit is None or f.unit == unit)
    ]
    return AuditResult(analysis.as_of, year, unit, params, findings)


__all__ = ["AuditFinding", "AuditResult", "audit"]
