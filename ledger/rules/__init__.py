"""The rule engine: every rule code of the ledger language is a named function.

One module per kind of evidence a rule reads, so a rule is found by what it looks at:

- :mod:`.references` — the declarations themselves: codes a declaration gives or cites
  (D002), changes and quotas citing an undeclared task or quota (T002, Q002);
- :mod:`.rows` — the resolved posting table, a transaction shape at a time (D001, D002,
  T002, P002, T004–T007, Q002–Q004);
- :mod:`.tasks` — each task's money over time from :mod:`sandao.ledger.funding`
  (T001, T003, T008, T009);
- :mod:`.budget` — each quota's and project's spending over time (Q001, P001);
- :mod:`.cash` — the 决算's budget (cash) basis, a transaction shape at a time (D003, D004);
- :mod:`sandao.ledger.closing` — closed periods whose entries changed (C001), called
  from :func:`c001_closed_period_changed` below.

:data:`CHECKS` maps each code to the function(s) that raise it (the code's severity,
title and fix are in :data:`sandao.ledger.findings.RULES`).  Nothing here scans all
entries per task or per quota: the row rules are chosen once per transaction shape, the
time rules one sweep over each task's, quota's or project's own daily series.

How to add a rule ``X001``:

1. add ``"X001": (severity, 中文标题, 修正方法)`` to ``findings.RULES`` and the same row to
   the README's rule table (a test compares them);
2. write ``def x001_what_it_finds(...)`` in the module of its evidence, decorated with
   ``@rule("X001")``, reporting through ``sink.add("X001", meta, date, message, **ids)``
   (or ``ctx.once`` in a row rule, which reports a transaction once per key):

   - a rule over one task's funding: decorate with ``@task_rule("X001")`` in
     :mod:`.tasks`; it is called as ``check(ctx, fund)`` for every declared task;
   - a rule over one posting: add it to :func:`.rows.slot_checks` under the cheapest
     guard on the posting's dimensions (decided once per shape, so the rows it rules out
     are never laid out); what depends on the row's date or amount, it checks itself;
   - a rule over the declarations: call it from :func:`.references.check_references`;
   - anything else: call it from :func:`run_rules` below;

3. give it a test ledger that triggers it and a near miss that does not
   (``tests/ledger/test_rules.py``).
"""

from __future__ import annotations

import datetime
from typing import Any

from beancount.core import data

from sandao.ledger.acks import PERIOD_CLOSE
from sandao.ledger.funding import TaskFunding, Usage
from sandao.ledger.model import Declarations
from sandao.ledger.resolver import PostingTable
from sandao.ledger.rules.budget import p001_project_overspent, q001_quota_overspent
from sandao.ledger.rules.cash import check_cash_basis
from sandao.ledger.rules.references import check_references
from sandao.ledger.rules.registry import CHECKS, rule
from sandao.ledger.rules.rows import check_rows
from sandao.ledger.rules.tasks import check_tasks
from sandao.ledger.sink import FindingSink

__all__ = ["CHECKS", "rule", "run_rules"]


def run_rules(
    decl: Declarations,
    table: PostingTable,
    usage: Usage,
    funding: dict[str, TaskFunding],
    as_of: datetime.date,
    grace_days: int,
    sink: FindingSink,
    entries: list[data.Directive],
    options_map: dict[str, Any],
    customs: list[data.Custom] | None = None,
) -> None:
    """Every rule over one analysis, reporting into ``sink`` (``customs``: the entries'
    custom directives, when the caller has them)."""
    check_references(decl, sink)
    check_rows(table, decl, sink)
    check_cash_basis(table, decl, sink)
    check_tasks(decl, funding, as_of, grace_days, sink)
    q001_quota_overspent(decl, usage, sink)
    p001_project_overspent(decl, usage.projects, sink)
    c001_closed_period_changed(entries, options_map, sink, customs)


@rule("C001")
def c001_closed_period_changed(
    entries: list[data.Directive],
    options_map: dict[str, Any],
    sink: FindingSink,
    customs: list[data.Custom] | None = None,
) -> None:
    """C001: an entry dated in a closed period (``period-close``) was added, removed or edited."""
    if customs is not None and not any(c.type == PERIOD_CLOSE for c in customs):
        return  # no period closed: the digests' module is not even imported
    from sandao.ledger.closing import check_closed_periods

    check_closed_periods(entries, options_map, sink, customs)
