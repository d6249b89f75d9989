"""Where rule findings are collected while the books are read.

Every layer that judges the books (declarations, resolver, rules) reports into one
:class:`FindingSink`, so severities and the file/line of each finding are decided in
one place.
"""

from __future__ import annotations

import datetime
from typing import Any

from sandao.ledger.findings import RULES, Finding


class FindingSink:
    """Collects :class:`Finding` records; ``severity`` defaults to the rule table's."""

    def __init__(self) -> None:
        self.findings: list[Finding] = []

    def add(
        self,
        code: str,
        meta: dict[str, Any] | None,
        date: datetime.date | None,
        message: str,
        severity: str | None = None,
        **ids: str | None,
    ) -> None:
        meta = meta or {}
        self.findings.append(
            Finding(
                code=code,
                severity=severity or RULES[code][0],
                message=message,
                file=meta.get("filename"),
                line=meta.get("lineno"),
                date=date,
                **ids,
            )
        )
