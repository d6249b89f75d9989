"""The Fava extension under its public name: books say ``custom "fava-extension" "sandao.reports.fava"``.

The extension lives in :mod:`sandao.reports.web.fava`; Fava finds its page classes here.
"""

from sandao.reports.web.fava import (
    AuditFindings,
    BudgetExecution,
    ChangeHistory,
    ReportPreview,
    RuleFindings,
    TaskBoard,
)

__all__ = [
    "AuditFindings",
    "BudgetExecution",
    "ChangeHistory",
    "ReportPreview",
    "RuleFindings",
    "TaskBoard",
]
