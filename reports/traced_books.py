"""The books as the auditor's edition reads them: every amount remembers its source.

The notices, the task ledger, the execution and the performance reports sum posting-table
amounts, the task and quota series that :func:`sandao.ledger.funding.gather` makes of them,
and declared amounts (a task's 应拨, a quota's 年初 and its adjustments).  Rather than teach
each builder to trace, :func:`traced_books` gives them a copy of the analysis in which each
such amount is a :class:`~sandao.reports.provenance.Traced` figure: the posting's own row,
or the declaration it was read from.  The builders run unchanged on it, so a traced report
is computed by the very code of the public one and its cells carry their entries.

Only ``sandao report --edition audit`` and Fava's 来源分录 page build it; it is made once
per analysis (before report workers fork) and shared.
"""

from __future__ import annotations

import copy
import dataclasses
from decimal import Decimal
from typing import Any

from sandao.ledger import Analysis
from sandao.ledger.funding import all_task_funding, gather
from sandao.ledger.resolver import COLUMNS, OTHER, PostingTable
from sandao.reports.provenance import Traced

_AMOUNT = COLUMNS.index("amount")


def traced_books(analysis: Analysis) -> Analysis:
    """A copy of ``analysis`` whose posting amounts, task and quota series and declared
    amounts are traced figures (built once per analysis)."""
    known = analysis.__dict__.get("_traced_books")
    if known is None:
        known = analysis.__dict__["_traced_books"] = _build(analysis)
    return known


def _build(analysis: Analysis) -> Analysis:
    table = copy.copy(analysis.postings)
    table.rows = _traced_rows(analysis.postings)
    decl = copy.copy(analysis.declarations)
    decl.tasks = {key: _traced_task(task) for key, task in decl.tasks.items()}
    decl.quotas = {key: _traced_quota(quota) for key, quota in decl.quotas.items()}
    decl.projects = {
        key: dataclasses.replace(p, amount=_declared(p.amount, p.id, p.meta))
        for key, p in decl.projects.items()
    }
    usage = gather(table, decl)
    funding = all_task_funding(decl, usage, analysis.as_of)
    view = copy.copy(analysis)
    view.__dict__.update(postings=table, declarations=decl, usage=usage, funding=funding)
    view.__dict__["_traced_books"] = view  # traced already
    return view


def _traced_rows(table: PostingTable) -> list[Any]:
    """The rows, each income and spending posting's amount traced, and every posting of
    a transaction with an Equity posting (an opening balance's cash); the other rows (the
    cash side of a payment, which no report sums) are the table's own."""
    new = tuple.__new__
    rows = table.rows
    with_equity = {r.txn for r in rows if r.account.startswith("Equity:")}
    out = []
    for index, row in enumerate(rows):
        if row.role == OTHER and row.txn not in with_equity:
            out.append(row)
            continue
        amount = row[_AMOUNT]
        fields = list(row)
        fields[_AMOUNT] = Traced(amount, ((index, amount),))
        out.append(new(type(row), fields))
    return out


def _declared(amount: Decimal, ident: str, meta: dict[str, Any] | None) -> Traced:
    """A declared amount with its declaration as the entry (id, file, line)."""
    meta = meta or {}
    ref = ("declaration", ident, meta.get("filename"), meta.get("lineno"))
    return Traced(amount, ((ref, amount),))


def _traced_task(task: Any) -> Any:
    changes = [
        dataclasses.replace(c, amount=_declared(c.amount, f"{task.id} 变更", c.meta))
        for c in task.changes
    ]
    return dataclasses.replace(
        task, amount=_declared(task.amount, task.id, task.meta), changes=changes
    )


def _traced_quota(quota: Any) -> Any:
    adjustments = [
        dataclasses.replace(a, amount=_declared(a.amount, f"{quota.id} 调整", a.meta))
        for a in quota.adjustments
    ]
    return dataclasses.replace(
        quota,
        amount=_declared(quota.amount, quota.id, quota.meta),
        adjustments=adjustments,
        _dates=[],
        _totals=[],
    )
